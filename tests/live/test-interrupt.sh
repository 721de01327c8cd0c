#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: interrupting 'taskstorm run' mid-storm with SIGINT, SIGTERM or SIGKILL leaves no storm
# process and no taskstorm- unit behind (SIGKILL: within a few seconds, through PR_SET_PDEATHSIG
# and the scope emptying).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "storms need root"

scenario="$TASKSTORM_SOURCE_ROOT/fixtures/scenarios/hold-exec.scenario"
units() { systemctl list-units --all --plain --no-legend 'taskstorm-*.scope' 'taskstorm-*.slice' | awk '{print $1}'; }
storm_processes() { pgrep -f -- 'tstask storm|taskstorm run .*hold-exec' || true; }

for sig in INT TERM KILL; do
        "$TASKSTORM" run "$scenario" >/dev/null &
        pid=$!
        # Wait (bounded) for the storm to hold its tasks: its exec'd holders show up.
        for delay in 0.01 0.02 0.05 0.1 0.2 0.5 1 1 1 1 1 1 1 1; do
                [ "$(pgrep -c -f -- '^tstask storm-task ' || true)" -ge 31 ] && break
                sleep "$delay"
        done
        [ "$(pgrep -c -f -- '^tstask storm-task ' || true)" -ge 31 ] || fail "the storm did not start"
        [ -n "$(units)" ] || fail "no taskstorm- unit while the storm runs"
        kill -s "$sig" "$pid"
        set +e
        wait "$pid"
        status=$?
        set -e
        [ "$status" = $((128 + $(kill -l "$sig"))) ] || fail "SIG$sig: exit status $status"
        for delay in 0 0.01 0.02 0.05 0.1 0.2 0.5 1 1 1; do
                sleep "$delay"
                [ -z "$(storm_processes)" ] && [ -z "$(units)" ] && break
        done
        [ -z "$(storm_processes)" ] || fail "SIG$sig: storm processes left: $(storm_processes | tr '\n' ' ')"
        [ -z "$(units)" ] || fail "SIG$sig: units left: $(units | tr '\n' ' ')"
        echo "ok: SIG$sig -> exit $status, no storm process, no taskstorm- unit"
done
