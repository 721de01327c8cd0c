#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: systemd re-executing (daemon-reexec) under a run drops taskstorm's connection. A storm
# holding for 60 s must end at once as BROKEN with the reason, its unit stopped over a new
# connection, and the next scenario run over that connection; the validation loop, hit at its fix,
# must end BROKEN or PASS, never hang, and leave no docker.service behind.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "storms and units need root"
[ "$(cat /run/systemd/container 2>/dev/null)" = taskstorm ] || [ -e /etc/taskstorm-vm ] ||
        skip "re-executes systemd: only in the taskstorm sandbox or a taskstorm VM"
# The seed scenario runs its fixture as docker.service, or as taskstorm-docker.service beside a real one.
unit=$(fixture_unit)

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
s="$TASKSTORM_SOURCE_ROOT/scenarios" f="$TASKSTORM_SOURCE_ROOT/fixtures/scenarios"
units() { systemctl list-units --all --plain --no-legend 'taskstorm-*.scope' 'taskstorm-*.slice' | awk '{print $1}'; }

# 1. Mid-storm.
t0=$(date +%s)
"$TASKSTORM" run --format json "$f/hold-exec.scenario" "$s/10-fork-64.scenario" >"$dir/storm.json" &
pid=$!
for delay in 0.01 0.02 0.05 0.1 0.2 0.5 1 1 1 1 1; do
        [ "$(pgrep -c -f -- '^tstask storm-task ' || true)" -ge 31 ] && break
        sleep "$delay"
done
systemctl daemon-reexec
set +e
wait "$pid"
status=$?
set -e
took=$(($(date +%s) - t0))
jq -r '.scenarios[] | "\(.verdict) \(.name): \(.reason // "")"' "$dir/storm.json"
[ "$status" = 6 ] || fail "exit $status, wanted 6 (BROKEN)"
[ "$took" -lt 30 ] || fail "took $took s: the run waited for the hold instead of noticing"
jq -e '.scenarios[0].verdict == "BROKEN" and (.scenarios[0].reason | test("systemd dropped the connection.*stopped over a new connection"))
       and .scenarios[1].verdict == "PASS"' "$dir/storm.json" >/dev/null || fail "verdicts or reasons"
[ -z "$(units)" ] || fail "units left: $(units)"
echo "ok: daemon-reexec mid-storm: BROKEN with the reason in $took s, the unit stopped, the next scenario PASS"

# 2. Mid-loop, at the fix.
t0=$(date +%s)
"$TASKSTORM" run --format json "$s/01-seed-docker.scenario" >"$dir/loop.json" &
pid=$!
for _ in $(seq 3000); do
        [ -e /etc/systemd/system.control/$unit.d/50-TasksMax.conf ] && break
        sleep 0.01
done
[ -e /etc/systemd/system.control/$unit.d/50-TasksMax.conf ] || fail "no fix's drop-in appeared in 30 s"
# The re-exec must land while the loop runs, or this case proves nothing.
kill -0 "$pid" 2>/dev/null || fail "the run ended before its fix could be interrupted"
systemctl daemon-reexec
set +e
wait "$pid"
status=$?
set -e
took=$(($(date +%s) - t0))
jq -r '.scenarios[] | "\(.verdict) \(.name): \(.reason // "")"' "$dir/loop.json"
# Either outcome is the contract, but each must be whole: BROKEN names the lost connection;
# PASS means the re-exec fell between two calls and the fixed daemon then started every container.
case "$status" in
6) jq -e '.scenarios[0] | .verdict == "BROKEN"
          and (.reason | test("connection|Connection|Transport endpoint|Broken pipe|disconnect"))' \
           "$dir/loop.json" >/dev/null || fail "exit 6 without a BROKEN that names the lost connection" ;;
0) jq -e '.scenarios[0] | .verdict == "PASS"
          and .loop.containers_failed_again == 0 and .loop.containers_started_again > 0' \
           "$dir/loop.json" >/dev/null || fail "exit 0 without a whole pass after the fix" ;;
*) fail "exit $status, wanted 0 (PASS) or 6 (BROKEN)" ;;
esac
[ "$took" -lt 120 ] || fail "took $took s"
[ "$(systemctl show -p LoadState --value $unit)" = not-found ] || fail "$unit is left"
[ ! -e /etc/systemd/system.control/$unit.d ] || fail "its drop-ins are left"
echo "ok: daemon-reexec mid-fix: $(jq -r '.scenarios[0].verdict' "$dir/loop.json") in $took s, $unit removed"
