#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: 'taskstorm check' on real units. A service that hits its TasksMax and logs Docker's error
# is affected (cause: the unit's TasksMax) with journal evidence and pids.events; after its limit
# is raised it is not; a service without a limit in a slice with TasksMax=20 is affected (cause:
# the slice); a service of a non-root user with LimitNPROC=5 is affected by RLIMIT_NPROC, not
# TasksMax; one whose fork failures are injected by 'taskstorm inject' hit no task limit; a healthy
# unit is not affected; a unit that does not exist is its own error.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "check reads cgroups and starts units: needs root"

forker="$TASKSTORM_SOURCE_ROOT/fixtures/bin/forker.py"
docker_line='level=error msg="Error running container: [8] System error: fork/exec /proc/self/exe: resource temporarily unavailable"'
units=(taskstorm-check-unit.service taskstorm-check-slice.service taskstorm-check-nproc.service
       taskstorm-check-injected.service taskstorm-check-healthy.service)
# The slice goes too: on cgroup v2 its pids.events counts the refusals below it for as long as it
# exists, and a later test would find them.
cleanup() {
        systemctl stop "${units[@]}" 2>/dev/null || true
        systemctl stop taskstormcheck.slice 2>/dev/null || true
}
trap cleanup EXIT

# check_unit UNIT [OPTIONS]: runs check --json, keeping its output in $json and exit status in $status.
check_unit() {
        local unit=$1
        shift
        set +e
        json=$("$TASKSTORM" check --json "$@" "$unit")
        status=$?
        set -e
}
field() { jq -r ".units[0].$1" <<<"$json"; }
# On failure, the whole report goes to stderr first.
fail_with_report() {
        echo "$json" >&2
        fail "$@"
}

# Waits (bounded, with back-off) until the unit's journal holds a line of the pattern, then checks
# once more: the facts of the check that first saw the line were read while the storm still grew.
wait_for_pattern() {
        local unit=$1 pattern=$2 delay
        for delay in 0.01 0.02 0.05 0.1 0.2 0.5 1 1 1 1 1 1; do
                check_unit "$unit"
                if [ "$(field "journal[\"$pattern\"].count")" -ge 1 ]; then
                        check_unit "$unit"
                        return 0
                fi
                sleep "$delay"
        done
        fail "$unit: no $pattern line reached the journal"
}

expect() {
        local what=$1 want_status=$2 want_verdict=$3 want_cause=$4
        [ "$status" = "$want_status" ] && [ "$(field verdict)" = "$want_verdict" ] &&
                [ "$(field cause)" = "$want_cause" ] ||
                fail_with_report "$what: exit $status, $(field verdict), cause $(field cause); wanted $want_status, $want_verdict, $want_cause ($(field why))"
        echo "ok: $what: $(field verdict), cause $(field cause): $(field why)"
}

# 1. The unit's own TasksMax.
systemd-run --quiet --unit=taskstorm-check-unit --property=TasksMax=10 /usr/bin/python3 "$forker" 30 "$docker_line"
wait_for_pattern taskstorm-check-unit.service fork-exec
expect "TasksMax=10" 10 affected unit-tasksmax
[ "$(field limits.pids_events_max)" -ge 1 ] || fail_with_report "pids.events did not count the refused fork"
[ "$(field status_line)" = "Tasks: 10 (Limit: 10)" ] || fail "status line '$(field status_line)'"
echo "ok: $(field status_line), pids.events max $(field limits.pids_events_max), fix: $(field fix)"

# 2. ... raised, as the article's fix does.
systemctl set-property --runtime taskstorm-check-unit.service TasksMax=infinity
check_unit taskstorm-check-unit.service
expect "after TasksMax=infinity" 0 not-affected none

# 3. A parent slice's TasksMax.
systemctl set-property --runtime taskstormcheck.slice TasksMax=20
systemd-run --quiet --unit=taskstorm-check-slice --slice=taskstormcheck.slice --property=TasksMax=infinity \
        /usr/bin/python3 "$forker" 40 "fork failed: Resource temporarily unavailable"
wait_for_pattern taskstorm-check-slice.service fork-failed
expect "slice TasksMax=20" 10 affected slice-tasksmax
[ "$(field fix)" = "systemctl set-property taskstormcheck.slice TasksMax=infinity" ] || fail "fix: $(field fix)"

# 4. RLIMIT_NPROC of a non-root user, under a TasksMax it does not reach.
systemd-run --quiet --unit=taskstorm-check-nproc --property=User=nobody --property=LimitNPROC=5 \
        --property=TasksMax=100 /usr/bin/python3 "$forker" 20 "fork failed: Resource temporarily unavailable"
wait_for_pattern taskstorm-check-nproc.service fork-failed
echo "nproc facts: $(jq -c ".units[0].other_limits" <<<"$json")"
expect "LimitNPROC=5, User=nobody" 10 affected rlimit-nproc
[ "$(field limits.pids_events_max)" = 0 ] || fail "pids.events counted a refusal that RLIMIT_NPROC made"

# 5. EAGAIN that no limit caused: fork failures injected by 'taskstorm inject' (no task limit hit).
systemd-run --quiet --unit=taskstorm-check-injected --property=TasksMax=100 "$TASKSTORM" inject --what processes \
        --always -- /usr/bin/python3 "$forker" 20 "fork failed: Resource temporarily unavailable"
wait_for_pattern taskstorm-check-injected.service fork-failed
expect "injected EAGAIN" 0 not-affected eagain-no-limit
[ "$(field limits.pids_events_max)" = 0 ] || fail_with_report "pids.events counted an injected failure"

# 6. A healthy unit.
systemd-run --quiet --unit=taskstorm-check-healthy sleep 3600
check_unit taskstorm-check-healthy.service
expect "healthy" 0 not-affected none

# 7. No such unit; not a unit name.
expect_error 8 'Unit taskstorm-nope.service not found' "$TASKSTORM" check taskstorm-nope.service
expect_error 2 "'../x' is not a unit name" "$TASKSTORM" check ../x
