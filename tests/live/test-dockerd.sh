#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: the article's failure and its fix on a daemon, end to end, by hand (the seed scenario will
# run the same loop declaratively). The dockerd-like fixture as docker.service with TasksMax=64 is
# asked for more containers than fit: some fail, its journal holds the article's lines, and check
# says affected by the unit's TasksMax; fix lifts the limit and restarts it; the same request then
# succeeds, 'Tasks:' shows no Limit, and check says not affected. Then the no-restart variant:
# after --undo, the failure is back; fix --no-reload --no-restart lifts the limit of the running
# daemon (systemd applies TasksMax at once: no downtime), and the same request succeeds.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "installs the fixture daemon: needs root"
: "${TSDOCKERD:?TSDOCKERD must name the fixture daemon}"
FIXTURE_UNIT=$(fixture_unit)
unit=$FIXTURE_UNIT

sock=/run/tsdockerd.sock
cleanup() {
        systemctl stop "$unit" 2>/dev/null || true
        rm -rf /etc/systemd/system/$unit /etc/systemd/system.control/$unit.d \
                /var/lib/taskstorm/fix/$unit "$sock"
        systemctl daemon-reload
}
trap cleanup EXIT
install_dockerd_fixture 64 "$sock"

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

t=$(date +%s%N)
reply=$("$TSDOCKERD" client "$sock" "run 30")
echo "reproduce ($(ms "$t") ms): $reply"
[[ "$reply" =~ failed\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] || fail "no container failed under TasksMax=64"

t=$(date +%s%N)
json=$("$TASKSTORM" check --json "$unit") && status=0 || status=$?
echo "detect ($(ms "$t") ms): $(jq -r '.units[0] | "\(.verdict), \(.cause): \(.why)"' <<<"$json")"
[ "$status" = 10 ] && [ "$(jq -r '.units[0].cause' <<<"$json")" = unit-tasksmax ] || fail "check did not say affected (exit $status)"
lines=$(jq '.units[0].journal["fork-exec"].count + .units[0].journal["cgo-pthread"].count' <<<"$json")
[ "$lines" -ge 1 ] || fail "the journal does not hold the article's lines"
[[ "$(jq -r '.units[0].status_line' <<<"$json")" =~ ^Tasks:\ 6[0-4]\ \(Limit:\ 64\)$ ]] || fail "status line"

t=$(date +%s%N)
"$TASKSTORM" fix "$unit"
echo "fix ($(ms "$t") ms)"
wait_dockerd_fixture "$sock" # restarted

t=$(date +%s%N)
reply=$("$TSDOCKERD" client "$sock" "run 30")
echo "re-run ($(ms "$t") ms): $reply"
[[ "$reply" == "started 30 failed 0 "* ]] || fail "the same load failed after the fix: $reply"
tasks_line=$(systemctl status "$unit" --no-pager | grep -E '^ +Tasks:' || true)
[ -n "$tasks_line" ] && ! grep -qi limit <<<"$tasks_line" || fail "'Tasks:' still shows a Limit: $tasks_line"
"$TASKSTORM" check "$unit" || fail "check after the fix did not say not-affected"
echo "ok: reproduced, detected, fixed, and the same load passes"

# The no-restart variant.
"$TASKSTORM" fix --undo "$unit"
[ "$(systemctl show -p TasksMax --value "$unit")" = 64 ] || fail "--undo did not restore TasksMax=64"
wait_dockerd_fixture "$sock" # restarted
reply=$("$TSDOCKERD" client "$sock" "run 30")
[[ "$reply" =~ failed\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] || fail "no failure after --undo: $reply"
pid=$(systemctl show -p MainPID --value "$unit")
t=$(date +%s%N)
"$TASKSTORM" fix --no-reload --no-restart "$unit"
echo "fix without reload or restart ($(ms "$t") ms)"
[ "$(systemctl show -p MainPID --value "$unit")" = "$pid" ] || fail "the daemon was restarted"
"$TSDOCKERD" client "$sock" rm >/dev/null
reply=$("$TSDOCKERD" client "$sock" "run 30")
[[ "$reply" == "started 30 failed 0 "* ]] || fail "the load failed after a fix without restart: $reply"
echo "ok: no-restart variant: the running daemon (PID $pid) got the new limit at once: $reply"
