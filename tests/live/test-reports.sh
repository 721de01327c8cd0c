#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: 'taskstorm run --report-dir DIR --format tap' on one scenario that passes, one that skips
# and one that fails: the TAP says so in order, junit.xml is well-formed with the right counts
# (one testsuite per scenario, a testcase per phase and one for the verdict), and report.json
# holds the same verdicts.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "storms need root"
command -v xmllint >/dev/null || fail "xmllint is missing (libxml2-utils, installed by ci/deps)"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
s="$TASKSTORM_SOURCE_ROOT/scenarios" f="$TASKSTORM_SOURCE_ROOT/fixtures/scenarios"
set +e
tap=$("$TASKSTORM" run --format tap --report-dir "$dir/out" "$s/10-fork-64.scenario" \
        "$f/needs-future-systemd.scenario" "$f/expects-wrong-count.scenario")
status=$?
set -e
echo "$tap"
[ "$status" = 1 ] || fail "exit $status, wanted 1 (a FAIL)"
[ "$(grep -E '^(ok|not ok)' <<<"$tap" | cut -d' ' -f1-3 | tr '\n' '|')" = "ok 1 -|ok 2 -|not ok 3|" ] || fail "TAP lines"
grep -q '^1\.\.3$' <<<"$tap" || fail "TAP plan"
grep -q '^ok 2 - needs-future-systemd # SKIP needs systemd >= 9999' <<<"$tap" || fail "TAP skip"

xml="$dir/out/junit.xml"
xmllint --noout "$xml" || fail "junit.xml is not well-formed"
x() { xmllint --xpath "$1" "$xml"; }
[ "$(x 'string(/testsuites/@failures) ')$(x 'string(/testsuites/@skipped)')$(x 'string(/testsuites/@errors)')" = "110" ] ||
        fail "junit.xml counts: failures $(x 'string(/testsuites/@failures)') skipped $(x 'string(/testsuites/@skipped)')"
[ "$(x 'count(/testsuites/testsuite)')" = 3 ] || fail "junit.xml: not one testsuite per scenario"
[ "$(x 'count(/testsuites/testsuite[@name="10-fork-64"]/testcase)')" = 5 ] || fail "junit.xml: phases of 10-fork-64"
[ "$(x 'string(/testsuites/testsuite[@name="expects-wrong-count"]/testcase[@name="verdict"]/failure/@message)')" = \
  "first EAGAIN with 16 tasks in the unit, expected 20 +- 0" ] || fail "junit.xml: the failure's message"
[ "$(x 'sum(/testsuites/testsuite/@tests)')" = "$(x 'string(/testsuites/@tests)')" ] || fail "junit.xml: test totals"
echo "ok: junit.xml well-formed: 3 suites, 1 failure, 1 skipped"

[ "$(jq -r '[.scenarios[].verdict] | join(" ")' "$dir/out/report.json")" = "PASS SKIP FAIL" ] || fail "report.json verdicts"
echo "ok: report.json holds the same verdicts"
