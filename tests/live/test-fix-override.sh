#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: 'taskstorm fix' when the user's own drop-in overrides the fix's (issue 15). The dockerd-like
# fixture runs as docker.service (TasksMax=64, install_dockerd_fixture as in test-dockerd.sh) with the user's
# /etc/systemd/system/docker.service.d/50-seed.conf setting TasksMax=128 on its line 3, which sorts
# after set-property's 50-TasksMax.conf. --dry-run warns of the override and changes nothing; fix
# stops before the restart (same MainPID), exits 1 and names the file and line, in text and JSON;
# fix --no-reload --no-restart verifies but warns that the next daemon-reload brings 128 back,
# which it does. Once the user's drop-in is gone, --dry-run warns of the restart with the MainPID and
# the tasks, and fix restarts and verifies.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_disposable_systemd
: "${TSDOCKERD:?TSDOCKERD must name the fixture daemon}"
FIXTURE_UNIT=$(fixture_unit)
unit=$FIXTURE_UNIT

sock=/run/tsdockerd.sock
seed=/etc/systemd/system/$unit.d/50-seed.conf
ours=/etc/systemd/system.control/$unit.d/50-TasksMax.conf
out=$(mktemp)
err=$(mktemp)
cleanup() {
        systemctl stop ${unit} 2>/dev/null || true
        rm -rf /etc/systemd/system/$unit /etc/systemd/system/$unit.d \
                /etc/systemd/system.control/$unit.d /var/lib/taskstorm/fix/$unit "$sock" "$out" "$err"
        systemctl daemon-reload
}
trap cleanup EXIT
install_dockerd_fixture 64 "$sock"
mkdir -p "$(dirname "$seed")"
printf "[Service]\n# the user's own limit, read after set-property's 50-TasksMax.conf\nTasksMax=128\n" >"$seed"
systemctl daemon-reload
[ "$(systemctl show -p TasksMax --value ${unit})" = 128 ] || fail "the user's drop-in does not give TasksMax=128"

pid=$(systemctl show -p MainPID --value ${unit})
[ "$pid" -gt 0 ] || fail "${unit} has no MainPID"
bus() { systemctl show -p TasksMax --value ${unit}; }
winner="set by $seed:3 (TasksMax=128), which systemd reads after $ours"

# runs the fix with ARGS, its stdout into $out and stderr into $err; sets $status
run_fix() {
        set +e
        "$TASKSTORM" fix "$@" ${unit} >"$out" 2>"$err"
        status=$?
        set -e
        echo "\$ taskstorm fix ${*:+$* }${unit}  (exit $status)"
        cat "$out" "$err"
}

# --dry-run: the warning before the commands, nothing changed.
state() {
        echo "bus $(bus) pid $(systemctl show -p MainPID --value ${unit})"
        { find /etc/systemd/system.control -type f -exec md5sum {} + 2>/dev/null || true; } | sort
}
original=$(state)
run_fix --dry-run
[ "$status" = 0 ] || fail "--dry-run exited $status"
grep -qF "${unit} would have TasksMax=128, not infinity: a drop-in overrides it, $winner" "$err" ||
        fail "--dry-run did not warn of the user's drop-in"
grep -q 'restart step' "$err" && fail "--dry-run warned of a restart that fix would not make"
[ "$(head -1 "$out")" = "systemctl set-property ${unit} TasksMax=infinity" ] || fail "--dry-run's commands"
[ "$(state)" = "$original" ] || fail "--dry-run changed something"
echo "ok: --dry-run warns of the override and changes nothing"

# fix: no restart, exit 1, the file and the line.
run_fix
[ "$status" = 1 ] || fail "fix exited $status, not 1"
grep -qF "NOT VERIFIED" "$out" && grep -qF "TasksMax is 128, $winner; remove that line or rename the drop-in to sort before 50-TasksMax.conf (as 49-seed.conf), then run taskstorm fix again" "$out" ||
        fail "fix did not name the file and line that win"
grep -q '^  not restarted' "$out" && ! grep -q '^  restart ' "$out" || fail "fix's steps show a restart"
[ "$(systemctl show -p MainPID --value ${unit})" = "$pid" ] || fail "fix restarted the daemon"
[ "$(bus)" = 128 ] || fail "TasksMax is $(bus), not the user's 128"
echo "ok: fix stops before the restart (MainPID $pid), exit 1, naming $seed:3"

run_fix --json
[ "$status" = 1 ] || fail "fix --json exited $status, not 1"
jq -e --arg seed "$seed" --arg ours "$ours" '.verified == false and .restarted == false and
        .stopped_before_restart == true and .tasks_max_after == 128 and .override.path == $seed and
        .override.line == 3 and .override.assignment == "TasksMax=128" and .override.read_after == $ours and
        .override.pending == false and (.explanation | test("50-seed.conf:3")) and
        (.verify_why == .explanation) and ([.steps[].name] == ["set-property", "reload", "verify"])' "$out" >/dev/null ||
        fail "fix --json does not say so"
[ "$(systemctl show -p MainPID --value ${unit})" = "$pid" ] || fail "fix --json restarted the daemon"
echo "ok: fix --json: stopped_before_restart, override.path/line/assignment/read_after, explanation"

# Without a reload the fix holds until the next one, and says so.
run_fix --no-reload --no-restart
[ "$status" = 0 ] || fail "fix --no-reload --no-restart exited $status"
grep -qF "warning: it holds until the next daemon-reload only, which applies the TasksMax $winner" "$out" ||
        fail "fix --no-reload did not warn of the next daemon-reload"
[ "$(bus)" = infinity ] || fail "fix --no-reload did not apply infinity at once"
systemctl daemon-reload
[ "$(bus)" = 128 ] || fail "the daemon-reload did not bring 128 back, as the warning said"
echo "ok: fix --no-reload verifies, and warns that the next daemon-reload brings 128 back (it does)"

# The user's drop-in gone: the restart is announced, then made, and the fix verifies.
rm "$seed"
run_fix --dry-run
[ "$status" = 0 ] || fail "--dry-run exited $status"
grep -qE "warning: The restart step stops ${unit} \(MainPID $pid, [0-9]+ tasks\) and starts it again" "$err" ||
        fail "--dry-run did not warn of the restart with MainPID $pid and its tasks"
grep -q 'overrides' "$err" && fail "--dry-run still warns of an override"
[ "$(systemctl show -p MainPID --value ${unit})" = "$pid" ] || fail "--dry-run restarted the daemon"
echo "ok: --dry-run warns of the restart of MainPID $pid"

run_fix
[ "$status" = 0 ] || fail "fix exited $status after the user's drop-in was removed"
grep -q '^  verified: bus TasksMax=infinity, cgroup pids.max=max' "$out" || fail "fix did not verify"
[ "$(systemctl show -p MainPID --value ${unit})" != "$pid" ] || fail "fix did not restart the daemon"
[ "$(bus)" = infinity ] || fail "TasksMax is $(bus) after the fix"
echo "ok: without the user's drop-in, fix restarts and verifies"
