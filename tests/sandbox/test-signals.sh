#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# SIGTERM, SIGINT and SIGHUP to 'taskstorm sandbox' tear it down as cleanly as a normal exit, with
# status 128+signal. SIGKILL cannot be caught: the sandbox's warden (a process of its own session,
# outside the sandbox) outlives it, kills whatever is left in the cgroup subtree (CMD's children
# that left its process group and session included) and removes the subtree. SIGKILL to the
# whole process group of the caller is no different.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Starts a sandbox whose command says when it runs, and waits for that (bounded).
start_sandbox() {
        rm -f ready
        # CMD's children: one in a session of its own, one ignoring SIGHUP, one plain.
        "$TASKSTORM" sandbox -- sh -c 'setsid sleep 301 & (trap "" HUP; exec sleep 302) & sleep 303 &
                                       touch ready; exec sleep 300' &
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

wardens() { pgrep -x ts-warden || true; }

# Waits (bounded) until the warden has done its work and gone.
wait_warden_gone() {
        local delay
        for delay in 0 0.01 0.02 0.05 0.1 0.2 0.5 1 1 1 1 2 2; do
                sleep "$delay"
                [ -z "$(wardens)" ] && return 0
        done
        fail "the warden is still running: $(wardens)"
}

for how in process group; do
        set -m # the sandbox leads a process group of its own, as from an interactive shell
        start_sandbox
        set +m
        if [ "$how" = group ]; then
                kill -s KILL -- "-$pid"
        else
                kill -s KILL "$pid"
        fi
        wait "$pid" 2>/dev/null || true
        wait_warden_gone
        left=$(pgrep -a -x sleep | grep -E 'sleep 30[0-3]$' || true)
        [ -z "$left" ] || fail "SIGKILL to the $how: CMD or its children outlived the sandbox: $left"
        [ -z "$(sandbox_systemds)" ] || fail "SIGKILL to the $how: systemd outlived the sandbox: $(sandbox_systemds)"
        [ -z "$(sandbox_cgroups)" ] || fail "SIGKILL to the $how: cgroups left: $(sandbox_cgroups | tr '\n' ' ')"
        echo "ok: SIGKILL to the $how -> systemd, CMD and its children gone, no cgroup left"
done
