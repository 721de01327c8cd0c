#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: 'taskstorm check' with no unit follows the evidence across units, as on a real Docker host
# where dockerd logs the failure and containerd.service's limit refused the forks, here without
# Docker: one service hits its TasksMax and logs nothing of it (the forker's message matches no
# pattern), another logs the article's error and refused nothing. The limited unit comes first,
# affected, with the sentence that names both; --json has the ranked list; exit 10. 'check
# LOGGER' says affected via the limited unit. Once the limit is lifted, neither is affected.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_disposable_systemd
: "${TASKSTORM_SOURCE_ROOT:?}"

forker="$TASKSTORM_SOURCE_ROOT/fixtures/bin/forker.py"
limited=tsctl-limited.service
logger=tsctl-logger.service
article='level=error msg="Handler for POST /v1.41/containers/create returned error: OCI runtime create failed: runc create failed: unable to start container process: error during container init: stderr: runtime/cgo: pthread_create failed: Resource temporarily unavailable"'
lines=3

for unit in "$limited" "$logger"; do
        [ "$(systemctl show -P LoadState "$unit")" = not-found ] ||
                fail "$unit is known to systemd already (left by an earlier run?): this test makes its own"
done
cleanup() {
        systemctl stop "$limited" "$logger" 2>/dev/null || true
        systemctl reset-failed "$limited" "$logger" 2>/dev/null || true
}
trap cleanup EXIT

# The lines of a unit's journal that hold text.
journal_count() {
        journalctl --no-pager -q -o cat -u "$1" 2>/dev/null | grep -c -F -- "$2" || true
}

# Waits (bounded, with back-off) until the unit's journal holds at least n lines with text.
wait_for_lines() {
        local unit=$1 text=$2 n=$3 delay
        for delay in 0 0.01 0.02 0.05 0.1 0.2 0.5 1 1 1 1 1 2 2; do
                sleep "$delay"
                [ "$(journal_count "$unit" "$text")" -ge "$n" ] && return 0
        done
        fail "$unit: fewer than $n lines of '$text' reached the journal"
}

# run_check ARGS...: taskstorm check, its output in $out and its exit status in $status.
run_check() {
        set +e
        out=$("$TASKSTORM" check "$@")
        status=$?
        set -e
}

fail_with() {
        echo "$out" >&2
        fail "$@"
}

# The unit whose limit binds: TasksMax=10, the forker wants 40 children. Its one message when a fork
# fails says nothing any pattern knows; it then says how many children it made.
systemd-run --quiet --unit="$limited" --property=TasksMax=10 /usr/bin/python3 "$forker" 40 "forker: a fork was refused"
# The unit that logs the failures: the article's line, printed to the journal, and nothing refused.
systemd-run --quiet --unit="$logger" /bin/sh -c \
        "for i in $(seq -s ' ' "$lines"); do echo '$article'; done; exec sleep infinity"
wait_for_lines "$limited" "children" 1
wait_for_lines "$logger" "pthread_create failed" "$lines"

# 1. The whole machine, as JSON: the ranked list.
run_check --json
echo "check --json (exit $status): $(jq -c '.machine | {verdict, why, cgroups_walked, cgroups_kept}' <<<"$out")"
[ "$status" = 10 ] || fail_with "check: exit $status, wanted 10 (affected)"
[ "$(jq -r '.machine.verdict' <<<"$out")" = affected ] || fail_with "the machine is not affected"
[ "$(jq -r '.binds[0].name' <<<"$out")" = "$limited" ] || fail_with "$limited is not ranked first"
jq -e '.binds[0] | .verdict == "affected" and .cause == "unit-tasksmax" and .pids_max == 10 and .refused >= 1' \
        <<<"$out" >/dev/null || fail_with "$limited: $(jq -c '.binds[0] | {verdict, cause, pids_max, refused}' <<<"$out")"
refused=$(jq -r '.binds[0].refused' <<<"$out")
sentence="$logger logs $lines failures; the refusals were in $limited, TasksMax=10, $refused refused"
got=$(jq -r --arg u "$logger" '.binds[0].logged_by[] | select(.unit == $u) | .sentence' <<<"$out")
[ "$got" = "$sentence" ] || fail_with "the sentence: '$got', wanted '$sentence'"
[ "$(jq -r '.binds[0].fix' <<<"$out")" = "systemctl set-property $limited TasksMax=infinity" ] ||
        fail_with "fix: $(jq -r '.binds[0].fix' <<<"$out")"
[ "$(jq -r '.binds[0].taskstorm_fix' <<<"$out")" = "taskstorm fix $limited" ] ||
        fail_with "taskstorm_fix: $(jq -r '.binds[0].taskstorm_fix' <<<"$out")"
echo "ok: $limited first, affected, $refused refused; $got"

# 2. The same as text.
run_check
echo "$out"
[ "$status" = 10 ] || fail_with "check (text): exit $status, wanted 10"
grep -qxF "1. $limited: affected (cause: unit-tasksmax)" <<<"$out" || fail_with "no first line for $limited"
grep -qxF "  $sentence" <<<"$out" || fail_with "the text does not say: $sentence"
grep -qxF "  fix: systemctl set-property $limited TasksMax=infinity (or: taskstorm fix $limited)" <<<"$out" ||
        fail_with "the text has no fix for $limited"
echo "ok: the text ranks $limited first with the sentence and the fix"

# 3. check LOGGER: its own lines point at the other unit.
run_check --json "$logger"
echo "check --json $logger (exit $status): $(jq -c '.units[0] | {verdict, cause, via, via_cause, why, fix}' <<<"$out")"
[ "$status" = 10 ] || fail_with "check $logger: exit $status, wanted 10"
jq -e --arg l "$limited" '.units[0] | .verdict == "affected" and .cause == "other-unit-tasksmax" and .via == $l
        and .via_cause == "unit-tasksmax"' <<<"$out" >/dev/null || fail_with "check $logger does not name $limited"
[ "$(jq -r '.units[0].why' <<<"$out")" = "$sentence" ] || fail_with "why: $(jq -r '.units[0].why' <<<"$out")"
[ "$(jq -r '.units[0].fix' <<<"$out")" = "systemctl set-property $limited TasksMax=infinity" ] ||
        fail_with "fix: $(jq -r '.units[0].fix' <<<"$out")"
run_check "$logger"
[ "$status" = 10 ] && grep -qxF "$logger: affected (cause: other-unit-tasksmax, via $limited)" <<<"$out" ||
        fail_with "check $logger (text): exit $status"
echo "ok: check $logger: affected via $limited"

# 4. The limit lifted, as the article's fix does: the count stays, nothing binds.
systemctl set-property --runtime "$limited" TasksMax=infinity
run_check --json
entry=$(jq -c --arg l "$limited" '.binds[] | select(.name == $l)' <<<"$out")
echo "after TasksMax=infinity (exit $status): $entry"
[ "$status" != 10 ] || fail_with "check: still affected after the limit was lifted"
jq -e '.verdict == "not-affected" and .cause == "none"' <<<"$entry" >/dev/null ||
        fail_with "$limited after the lift: $entry"
lifted="$logger logs $lines failures; the refusals were in $limited, $refused refused under a limit since lifted"
[ "$(jq -r --arg u "$logger" '.logged_by[] | select(.unit == $u) | .sentence' <<<"$entry")" = "$lifted" ] ||
        fail_with "after the lift, the sentence is not: $lifted"
run_check --json "$logger"
[ "$status" = 0 ] || fail_with "check $logger after the lift: exit $status, wanted 0"
jq -e --arg l "$limited" '.units[0] | .verdict == "not-affected" and .cause == "none" and .via == $l' \
        <<<"$out" >/dev/null || fail_with "check $logger after the lift: $(jq -c '.units[0] | {verdict, cause, via}' <<<"$out")"
echo "ok: after the lift, $limited and $logger are not affected, and the sentence says the limit was lifted"
