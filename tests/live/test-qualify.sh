#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: 'taskstorm qualify' on this systemd. Every check passes with its evidence, but for one real
# bug systemd may have: until the fix of issue #41009 (upstream 260, backported to Debian's 257.13)
# a percentage set through SetUnitProperties is written back ten times too low (TasksMax=40% as
# 4.0%), which percent-reload must then report as FAIL with the drop-in's text. The reports: qualify.json valid
# against its schema, junit.xml with one testcase per check, TAP; nothing of the checks is left.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "qualify makes units: needs root"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
set +e
"$TASKSTORM" qualify --json --report-dir "$dir/out" >"$dir/q.json"
status=$?
set -e
jq -r '.checks[] | "\(.verdict) \(.name): \(.reason // "")\n    \(.evidence)"' "$dir/q.json"
major=$(jq -r '.systemd' "$dir/q.json" | grep -oE '^[0-9]+')
[ -n "$major" ] || fail "no systemd version in the report"

known_bug=""
for name in $(jq -r '.checks[].name' "$dir/q.json"); do
        verdict=$(jq -r --arg n "$name" '.checks[] | select(.name == $n) | .verdict' "$dir/q.json")
        if [ "$name" = percent-reload ] && [ "$verdict" = FAIL ]; then
                jq -e '.checks[] | select(.name == "percent-reload") | (.evidence | contains("TasksMax=4.0%"))
                       and (.reason | contains("#41009"))' "$dir/q.json" >/dev/null ||
                        fail "percent-reload FAILs, but not with issue #41009's 4.0%"
                known_bug=" but percent-reload, FAIL with issue #41009's 'TasksMax=4.0%' (systemd $major)"
        else
                [ "$verdict" = PASS ] || fail "$name: $verdict"
        fi
done
[ "$(jq '.checks | length' "$dir/q.json")" = "$("$TASKSTORM" qualify --list | wc -l)" ] || fail "not every check ran"
want_status=0
[ -n "$known_bug" ] && want_status=1
[ "$status" = "$want_status" ] || fail "exit $status, wanted $want_status"
echo "ok: every check PASS$known_bug; exit $status"

jq -e '.checks[] | select(.name == "scope-limit") | .evidence | contains("first failure EAGAIN with pids.current 16")' \
        "$dir/q.json" >/dev/null || fail "scope-limit's evidence"
/usr/bin/python3 "$TASKSTORM_SOURCE_ROOT/tests/report-schema.py" \
        "$TASKSTORM_SOURCE_ROOT/harness/report/qualify.schema.json" "$dir/out/qualify.json" ||
        fail "qualify.json does not validate"
xml="$dir/out/junit.xml"
xmllint --noout "$xml" || fail "junit.xml is not well-formed"
x() { xmllint --xpath "$1" "$xml"; }
[ "$(x 'count(//testcase)')" = "$(jq '.checks | length' "$dir/q.json")" ] || fail "junit.xml: one testcase per check"
[ "$(x 'string(/testsuites/@failures)')" = "$(jq '.summary.FAIL' "$dir/q.json")" ] || fail "junit.xml: failures"
echo "ok: qualify.json valid, junit.xml with one testcase per check and the same failures"

tap=$("$TASKSTORM" qualify --format tap --check tasks-current --check infinity)
grep -qx '1\.\.2' <<<"$tap" && grep -q '^ok 1 - tasks-current' <<<"$tap" && grep -q '^ok 2 - infinity' <<<"$tap" ||
        fail "TAP: $tap"
echo "ok: --check picks checks, in order, and TAP lists them"

left=$(systemctl list-units --all --no-legend 'taskstorm-qualify*' 'taskstorm_qualify*' | wc -l)
[ "$left" = 0 ] || fail "units left: $(systemctl list-units --all --no-legend 'taskstorm-qualify*' 'taskstorm_qualify*')"
files=$(find /run/systemd/system /run/systemd/system.control /etc/systemd/system.control /run/systemd/transient \
        -name 'taskstorm-qualify*' 2>/dev/null | wc -l)
[ "$files" = 0 ] || fail "files left: $(find /run/systemd /etc/systemd -name 'taskstorm-qualify*')"
echo "ok: no unit, unit file or drop-in of the checks is left"
