#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: 'taskstorm fix --if-affected', check and fix in one process (issue 19). The dockerd-like
# fixture at TasksMax=64, asked for 30 containers, hits its limit: fix --if-affected --no-reload
# --no-restart finds it affected by its own TasksMax and lifts the limit of the running daemon (same
# MainPID), its --json holding both the check and the fix, and the same request then succeeds; run
# again, it finds the unit not affected and changes nothing (exit 0). A service under a slice's
# TasksMax is affected by the slice: left alone (exit 10), in text and JSON; a service near its own
# limit is at-risk: left alone (exit 11); no such unit is exit 8.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_disposable_systemd
: "${TSDOCKERD:?TSDOCKERD must name the fixture daemon}"
: "${TASKSTORM_SOURCE_ROOT:?TASKSTORM_SOURCE_ROOT must name the source tree}"
FIXTURE_UNIT=$(fixture_unit)
unit=$FIXTURE_UNIT

sock=/run/tsdockerd-if-affected.sock
forker="$TASKSTORM_SOURCE_ROOT/fixtures/bin/forker.py"
slice=taskstormifaffected.slice
slice_unit=taskstorm-ifaffected-slice.service
risk_unit=taskstorm-ifaffected-risk.service
cleanup() {
        systemctl stop "$unit" $slice_unit $risk_unit 2>/dev/null || true
        systemctl stop $slice 2>/dev/null || true
        rm -rf /etc/systemd/system/$unit /etc/systemd/system.control/$unit.d /var/lib/taskstorm/fix/$unit "$sock" \
                /run/systemd/system.control/$slice.d
        systemctl daemon-reload
}
trap cleanup EXIT

# run_fix ARGS...: taskstorm fix --if-affected ARGS, its stdout in $out and exit status in $status.
run_fix() {
        set +e
        out=$("$TASKSTORM" fix --if-affected "$@")
        status=$?
        set -e
}
field() { jq -r "$1" <<<"$out"; }
fail_with_output() {
        echo "$out" >&2
        fail "$@"
}

# wait_check UNIT FILTER: waits (bounded, with back-off) until check --json says of UNIT what the jq
# FILTER asks (the storm's refusals and log lines take a moment to be counted).
wait_check() {
        local json delay
        for delay in 0 0.01 0.02 0.05 0.1 0.2 0.5 1 1 1 1 1 1; do
                sleep "$delay"
                json=$("$TASKSTORM" check --json "$1" 2>/dev/null) || true
                jq -e ".units[0] | $2" <<<"$json" >/dev/null 2>&1 && return 0
        done
        echo "$json" >&2
        fail "$1: check never saw $2"
}

# What fix --if-affected must leave alone where it does not fix: the bus's TasksMax, no drop-in,
# no undo record.
untouched() {
        local u=$1 want=$2
        [ "$(systemctl show -p TasksMax --value "$u")" = "$want" ] || fail "$u: TasksMax is no longer $want"
        [ ! -e /etc/systemd/system.control/$u.d ] || fail "$u: a drop-in was written"
        [ ! -e /var/lib/taskstorm/fix/$u ] || fail "$u: an undo record was written"
}

# 1. The unit's own TasksMax: checked, then fixed, in one process.
install_dockerd_fixture 64 "$sock"
reply=$("$TSDOCKERD" client "$sock" "run 30")
[[ "$reply" =~ failed\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] || fail "no container failed under TasksMax=64"
wait_check "$unit" '.verdict == "affected" and .cause == "unit-tasksmax"'
pid=$(systemctl show -p MainPID --value "$unit")
run_fix --no-reload --no-restart --json "$unit"
[ "$status" = 0 ] || fail_with_output "fix --if-affected exited $status, wanted 0"
[ "$(field .unit)" = "$unit" ] && [ "$(field .check.verdict)" = affected ] &&
        [ "$(field .check.cause)" = unit-tasksmax ] && [ "$(field .fix_applies)" = true ] &&
        [ "$(field .fix.changed)" = true ] && [ "$(field .fix.verified)" = true ] &&
        [ "$(field .fix.tasks_max_before)" = 64 ] && [ "$(field .fix.tasks_max_after)" = max ] &&
        [ "$(field .fix.restarted)" = false ] && [ "$(field .skipped)" = null ] ||
        fail_with_output "the JSON does not say: affected by unit-tasksmax, then fixed and verified"
[ "$(field .check.limits.pids_events_max)" -ge 1 ] || fail_with_output "the check counted no refused fork"
[ "$(systemctl show -p TasksMax --value "$unit")" = infinity ] || fail "the bus does not show TasksMax=infinity"
cg=$(systemctl show -p ControlGroup --value "$unit")
[ "$(cat "$(pids_file "$cg" pids.max)")" = max ] || fail "pids.max is not max"
[ "$(systemctl show -p MainPID --value "$unit")" = "$pid" ] || fail "--no-restart restarted $unit"
echo "ok: $(field .check.status_line), affected by unit-tasksmax, fixed in one process (MainPID $pid kept)"
"$TSDOCKERD" client "$sock" rm >/dev/null
reply=$("$TSDOCKERD" client "$sock" "run 30")
[[ "$reply" == "started 30 failed 0 "* ]] || fail "the same load failed after the fix: $reply"
echo "ok: the same load passes: $reply"

# ... and again: the refusals were under the limit now lifted: not affected, nothing to do.
run_fix --no-reload --no-restart "$unit"
[ "$status" = 0 ] || fail_with_output "a second fix --if-affected exited $status, wanted 0"
head -1 <<<"$out" | grep -q "^$unit: not-affected" || fail_with_output "the check's line is not first"
[ "$(tail -1 <<<"$out")" = "$unit: not fixed: not affected: no task limit refused its tasks" ] ||
        fail_with_output "no 'not fixed' line"
[ "$(systemctl show -p TasksMax --value "$unit")" = infinity ] || fail "the second run changed TasksMax"
echo "ok: run again: not affected, not fixed"

# 2. A parent slice's TasksMax: fixing the unit would not help, and it is left alone.
systemctl set-property --runtime $slice TasksMax=20
systemd-run --quiet --unit=${slice_unit%.service} --slice=$slice --property=TasksMax=infinity \
        /usr/bin/python3 "$forker" 40 "fork failed: Resource temporarily unavailable"
wait_check $slice_unit '.verdict == "affected" and .cause == "slice-tasksmax"'
run_fix $slice_unit
[ "$status" = 10 ] || fail_with_output "fix --if-affected under the slice's limit exited $status, wanted 10"
grep -q "^$slice_unit: affected (cause: slice-tasksmax)" <<<"$out" || fail_with_output "the check is not shown"
grep -qx "  fix: systemctl set-property $slice TasksMax=infinity" <<<"$out" || fail_with_output "no fix for the slice"
[ "$(tail -1 <<<"$out")" = "$slice_unit: not fixed: affected by slice-tasksmax, not by its own TasksMax: lifting that would not help (the check's fix says what would)" ] ||
        fail_with_output "no 'not fixed' line"
run_fix --json $slice_unit
[ "$status" = 10 ] && [ "$(field .check.cause)" = slice-tasksmax ] && [ "$(field .fix_applies)" = false ] &&
        [ "$(field .fix)" = null ] && [[ "$(field .skipped)" == "affected by slice-tasksmax, "* ]] ||
        fail_with_output "--json: exit $status, not the slice's cause with no fix"
untouched $slice_unit infinity
[ "$(systemctl show -p TasksMax --value $slice)" = 20 ] || fail "the slice's TasksMax changed"
echo "ok: affected by the slice's TasksMax: not fixed (exit 10), nothing changed"

# 3. Near its own limit, nothing refused yet: at-risk, left alone.
systemd-run --quiet --unit=${risk_unit%.service} --property=TasksMax=10 \
        /usr/bin/python3 "$forker" 8 "fork failed: Resource temporarily unavailable"
wait_check $risk_unit '.verdict == "at-risk" and .cause == "unit-tasksmax"'
run_fix --json $risk_unit
[ "$status" = 11 ] && [ "$(field .check.verdict)" = at-risk ] && [ "$(field .fix)" = null ] &&
        [[ "$(field .skipped)" == "at-risk, not affected: "* ]] ||
        fail_with_output "at-risk: exit $status, wanted 11 with no fix"
untouched $risk_unit 10
echo "ok: at-risk: not fixed (exit 11), nothing changed"

# 4. No such unit; combinations that are bad input.
expect_error 8 'Unit taskstorm-nope.service not found' "$TASKSTORM" fix --if-affected taskstorm-nope.service
expect_error 2 '--undo contradicts it' "$TASKSTORM" fix --if-affected --undo "$unit"
expect_error 2 '--if-affected contradicts it' "$TASKSTORM" fix --if-affected --dry-run "$unit"
