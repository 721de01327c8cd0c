#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: the runner's verdicts can go every way. An unmet need is a SKIP with its reason; a storm
# that does not do what the file expects is a FAIL with the reason; a remedy that does not work
# (a limit still too low) makes the seed loop FAIL; a run with a FAIL exits 1.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "storms need root"

f="$TASKSTORM_SOURCE_ROOT/fixtures/scenarios"
set +e
json=$("$TASKSTORM" run --json "$f/needs-future-systemd.scenario" "$f/expects-wrong-count.scenario" \
        "$f/expects-no-eagain.scenario" "$f/remedy-too-low.scenario")
status=$?
set -e
jq -r '.scenarios[] | "\(.verdict) \(.name): \(.reason)"' <<<"$json"
[ "$status" = 1 ] || fail "a run with a FAIL exited $status, wanted 1"

verdict() { jq -r --arg n "$1" '.scenarios[] | select(.name == $n) | "\(.verdict): \(.reason)"' <<<"$json"; }
[[ "$(verdict needs-future-systemd)" == "SKIP: needs systemd >= 9999, this is "* ]] || fail "unmet need: $(verdict needs-future-systemd)"
[ "$(verdict expects-wrong-count)" = "FAIL: first EAGAIN with 16 tasks in the unit, expected 20 +- 0" ] ||
        fail "wrong count: $(verdict expects-wrong-count)"
[ "$(verdict expects-no-eagain)" = "FAIL: expected no failure, got EAGAIN after 15 tasks" ] ||
        fail "unexpected EAGAIN: $(verdict expects-no-eagain)"
[[ "$(verdict remedy-too-low)" =~ ^FAIL:\ after\ the\ fix\ [0-9]+\ of\ 200\ containers\ still\ failed ]] ||
        fail "a remedy too low: $(verdict remedy-too-low)"
[ "$(jq '.summary.SKIP' <<<"$json") $(jq '.summary.FAIL' <<<"$json")" = "1 3" ] || fail "summary counts"
echo "ok: SKIP and FAIL verdicts with their reasons, exit 1"
