#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# SIGTERM, SIGINT and SIGHUP to 'taskstorm sandbox' tear it down as cleanly as a normal exit, with
# status 128+signal. SIGKILL cannot be caught: systemd dies with its parent (PR_SET_PDEATHSIG) and
# the kernel empties its PID namespace; the empty cgroup directories left are removed by the next
# sandbox.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Starts a sandbox whose command says when it runs, and waits for that (bounded).
start_sandbox() {
        rm -f ready
        "$TASKSTORM" sandbox -- sh -c 'touch ready; exec sleep 300' &
        pid=$!
        local i
        for i in $(seq 1 300); do
                [ -e ready ] && return 0
                kill -0 "$pid" 2>/dev/null || fail "the sandbox exited before its command ran"
                sleep 0.1
        done
        fail "the sandbox's command did not start within 30 s"
}

for sig in TERM INT HUP; do
        start_sandbox
        kill -s "$sig" "$pid"
        set +e
        wait "$pid"
        status=$?
        set -e
        want=$((128 + $(kill -l "$sig")))
        [ "$status" = "$want" ] || fail "SIG$sig: exit status $status, wanted $want"
        assert_no_leftovers
        echo "ok: SIG$sig -> exit $status, nothing left"
done

start_sandbox
kill -s KILL "$pid"
wait "$pid" || true
for delay in 0 0.01 0.02 0.05 0.1 0.2 0.5 1 1 1; do
        sleep "$delay"
        [ -z "$(sandbox_systemds)" ] && break
done
[ -z "$(sandbox_systemds)" ] || fail "systemd outlived a SIGKILLed sandbox: $(sandbox_systemds)"
left=$(pgrep -a -x sleep || true)
! grep -q 'sleep 300' <<<"$left" || fail "the command outlived a SIGKILLed sandbox: $left"
echo "ok: SIGKILL -> systemd and the command gone; stale cgroups: $(sandbox_cgroups | wc -l)"
"$TASKSTORM" sandbox -- true
assert_no_leftovers
echo "ok: the next sandbox removed the stale cgroups"
