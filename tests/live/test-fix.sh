#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: 'taskstorm fix' on a real service with TasksMax=32 in a unit file. --dry-run changes
# nothing (bus, cgroup, drop-ins); the fix lifts the limit on the bus and in the cgroup, restarts,
# and 'Tasks:' shows no Limit; a second fix is a no-op without a restart; --undo puts back 32 and
# removes the drop-in; the same with --runtime under /run; a missing unit fails cleanly.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "fix changes units: needs root"

unit=taskstorm-fixtest.service
printf '[Service]\nExecStart=/bin/sleep infinity\nTasksMax=32\n' >/etc/systemd/system/$unit
cleanup() {
        systemctl stop $unit 2>/dev/null || true
        rm -rf /etc/systemd/system/$unit /etc/systemd/system.control/$unit.d /run/systemd/system.control/$unit.d \
                /var/lib/taskstorm/fix/$unit /run/taskstorm/fix/$unit
        systemctl daemon-reload
}
trap cleanup EXIT
systemctl daemon-reload
systemctl start $unit

cg=$(systemctl show -p ControlGroup --value $unit)
state() {
        echo "bus $(systemctl show -p TasksMax --value $unit)"
        echo "cgroup $(cat $(pids_file "$cg" pids.max))"
        # (either directory may not exist: find's status does not matter)
        { find /etc/systemd/system.control /run/systemd/system.control -type f -exec md5sum {} + 2>/dev/null || true; } | sort
        { find /etc/systemd/system.control /run/systemd/system.control -type d 2>/dev/null || true; } | sort
}
original=$(state)
echo "$original"

"$TASKSTORM" fix --dry-run $unit
[ "$(state)" = "$original" ] || fail "--dry-run changed something"
echo "ok: --dry-run changed nothing"

pid_before=$(systemctl show -p MainPID --value $unit)
"$TASKSTORM" fix $unit
[ "$(systemctl show -p TasksMax --value $unit)" = infinity ] || fail "the bus does not show TasksMax=infinity"
[ "$(cat $(pids_file "$cg" pids.max))" = max ] || fail "pids.max is not max"
tasks_line=$(systemctl status $unit --no-pager | grep -E '^ +Tasks:' || true)
[ -n "$tasks_line" ] && ! grep -qi limit <<<"$tasks_line" || fail "'Tasks:' still shows a Limit: $tasks_line"
[ -e /etc/systemd/system.control/$unit.d/50-TasksMax.conf ] || fail "no persistent drop-in"
pid_fixed=$(systemctl show -p MainPID --value $unit)
[ "$pid_fixed" != "$pid_before" ] || fail "the unit was not restarted"
echo "ok: fixed: TasksMax=infinity on the bus, pids.max max, no Limit, restarted ($pid_before -> $pid_fixed)"

out=$("$TASKSTORM" fix $unit)
grep -q 'nothing to do' <<<"$out" || fail "a second fix did something: $out"
[ "$(systemctl show -p MainPID --value $unit)" = "$pid_fixed" ] || fail "a second fix restarted the unit"
echo "ok: a second fix is a no-op, no restart"

"$TASKSTORM" fix --undo $unit
[ "$(state)" = "$original" ] || { state >&2; fail "--undo did not restore the unit (bus, cgroup, drop-ins)"; }
echo "ok: --undo restored TasksMax=32 (bus and cgroup) and the drop-ins"

"$TASKSTORM" fix --runtime --no-restart --tasks-max 64 $unit
[ "$(systemctl show -p TasksMax --value $unit)" = 64 ] && [ "$(cat $(pids_file "$cg" pids.max))" = 64 ] ||
        fail "--runtime --tasks-max 64 did not apply"
[ -e /run/systemd/system.control/$unit.d/50-TasksMax.conf ] || fail "no runtime drop-in"
"$TASKSTORM" fix --runtime --undo $unit
[ "$(state)" = "$original" ] || fail "--runtime --undo did not restore the unit"
echo "ok: --runtime fix and undo under /run"

expect_error 8 'Unit taskstorm-nope.service not found' "$TASKSTORM" fix taskstorm-nope.service
expect_error 1 'Nothing to undo for' "$TASKSTORM" fix --undo $unit
expect_error 2 '--tasks-max 0: not a task limit' "$TASKSTORM" fix --tasks-max 0 $unit
expect_error 2 'takes exactly one unit' "$TASKSTORM" fix
[ "$(state)" = "$original" ] || fail "a failed fix changed something"
