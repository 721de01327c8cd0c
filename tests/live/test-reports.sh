#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: 'taskstorm run --report-dir DIR --format tap' on one scenario that passes, one that skips
# and one that fails: the TAP says so in order, junit.xml is well-formed with the right counts
# (one testsuite per scenario, a testcase per phase and one for the verdict), report.json holds
# the same verdicts and validates against the shipped schema (and a broken copy does not), and
# report.html is self-contained with a timeline per scenario that ran, whose series holds every
# sample. Then the seed scenario without restart: its timeline has the limit, the first EAGAIN,
# the fix and the recovery, sampled at 100 a second or more.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "storms need root"
command -v xmllint >/dev/null || fail "xmllint is missing (libxml2-utils, installed by ci/deps)"
/usr/bin/python3 -c 'import jsonschema' || fail "python3-jsonschema is missing (installed by ci/deps)"
schema="$TASKSTORM_SOURCE_ROOT/harness/report/report.schema.json"
validate() { /usr/bin/python3 "$TASKSTORM_SOURCE_ROOT/tests/report-schema.py" "$schema" "$@"; }

# The HTML page of report $1 in directory $2: no external reference, and per scenario with samples
# one timeline whose polyline holds one point per sample.
check_html() {
        local json=$1 html=$2
        [ "$(head -c 15 "$html")" = "<!DOCTYPE html>" ] || fail "$html: not an HTML page"
        if grep -Eq 'https?://|src=|<script|<link' "$html"; then
                fail "$html: refers to something outside the page"
        fi
        /usr/bin/python3 - "$json" "$html" <<'PY' || fail "$html: timelines do not match report.json"
import json, re, sys
report = json.load(open(sys.argv[1]))
html = open(sys.argv[2]).read()
def samples(s):
    for part in (s.get("storm"), s.get("loop")):
        if part and part.get("samples"):
            return len(part["samples"]["t_ns"])
    return 0
want = [n for n in map(samples, report["scenarios"]) if n]
series = [tag for tag in re.findall(r'<polyline [^>]*>', html) if 'class="series"' in tag]
got = [int(re.search(r'data-samples="(\d+)"', t).group(1)) for t in series]
points = [len(re.search(r'points="([^"]*)"', t).group(1).split()) for t in series]
timelines = html.count('<svg class="timeline"')
print(f"timelines: {timelines}, samples per series {got}, in report.json {want}")
sys.exit(0 if got == want and points == want and timelines == len(want) else 1)
PY
}

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

json="$dir/out/report.json"
[ "$(jq -r '[.scenarios[].verdict] | join(" ")' "$json")" = "PASS SKIP FAIL" ] || fail "report.json verdicts"
echo "ok: report.json holds the same verdicts"
validate "$json" || fail "report.json does not validate against its schema"
[ "$(jq -r '.environment.pid1.is_systemd, .environment.systemd.version != null' "$json" | tr '\n' ' ')" = "true true " ] ||
        fail "report.json: the environment is not the sandbox's systemd"
jq 'del(.scenarios[0].verdict)' "$json" >"$dir/broken.json"
if validate "$dir/broken.json" >/dev/null; then
        fail "the schema accepts a scenario without a verdict"
fi
echo "ok: report.json validates against the schema; a scenario without a verdict does not"
jq -e '.scenarios[0].storm.samples | .per_second >= 100 and (.t_ns | length) == (.pids_current | length)
       and (.pids_current | max) == 64 and (.pids_max | unique) == [64]' "$json" >/dev/null ||
        fail "10-fork-64: samples $(jq -c '.scenarios[0].storm.samples | {per_second, n: (.t_ns | length), top: (.pids_current | max)}' "$json")"
echo "ok: 10-fork-64 sampled at $(jq '.scenarios[0].storm.samples.per_second | floor' "$json")/s, up to 64 tasks under pids.max 64"
check_html "$json" "$dir/out/report.html"
echo "ok: report.html self-contained, one timeline per scenario that ran, every sample in its series"

# The loop of the seed scenario: before and after the fix on one chart.
"$TASKSTORM" run --format json --report-dir "$dir/seed" "$s/02-seed-docker-no-restart.scenario" >"$dir/seed.json" ||
        fail "02-seed-docker-no-restart did not pass: $(jq -c '.scenarios[0] | {verdict, reason}' "$dir/seed.json")"
json="$dir/seed/report.json" html="$dir/seed/report.html"
validate "$json" || fail "the seed's report.json does not validate"
jq -e '.scenarios[0].loop | .first_failure_ns != null and .samples.per_second >= 100
       and (.samples.pids_max | index(512)) != null and (.samples.pids_max | index("max")) != null
       and (.samples.pids_current | max) > 512' "$json" >/dev/null ||
        fail "seed loop: $(jq -c '.scenarios[0].loop | {first_failure_ns, per_second: .samples.per_second, top: (.samples.pids_current | max)}' "$json")"
echo "ok: the seed's samples show the limit 512, then max, and more than 512 tasks after the fix"
check_html "$json" "$html"
for m in first-eagain fix recovered; do
        grep -q "data-marker=\"$m\"" "$html" || fail "report.html: no $m marker"
done
echo "ok: the seed's timeline marks the first EAGAIN, the fix and the recovery"
