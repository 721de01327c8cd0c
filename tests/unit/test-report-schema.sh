#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shipped schema of report.json is itself a valid JSON Schema (2020-12), accepts the fixture
# report the HTML tests render, and rejects the one with wrong types, a report of another version,
# and a sample series whose pids.max is neither a number nor "max". (Live: tests/live/test-reports.sh
# validates the reports real runs write.)
set -euo pipefail
fail() {
        echo "FAIL: $*" >&2
        exit 1
}
root=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 -c 'import jsonschema' || fail "python3-jsonschema is missing (installed by ci/deps)"
if ! /usr/bin/python3 -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then
        # bullseye's python3-jsonschema 3.2 knows drafts up to 7 only.
        echo "SKIP: python3-jsonschema $(/usr/bin/python3 -c 'import jsonschema; print(jsonschema.__version__)') has no JSON Schema 2020-12 (4.0 or newer has)"
        exit 77
fi
schema="$root/harness/report/report.schema.json"
validate() { /usr/bin/python3 "$root/tests/report-schema.py" "$schema" "$@"; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

validate "$root/fixtures/reports/small.json" || fail "small.json should be valid"
echo "ok: the fixture report is valid"

reject() {
        if validate "$1" >"$dir/out"; then
                fail "$2 was accepted"
        fi
        echo "ok: $2 is rejected: $(head -1 "$dir/out")"
}
reject "$root/fixtures/reports/broken-types.json" "a report of wrong types"
jq '.version = 2' "$root/fixtures/reports/small.json" >"$dir/v2.json"
reject "$dir/v2.json" "a version 2 report"
jq '(.scenarios[] | select(.storm != null) | .storm.samples.pids_max[0]) = "unlimited"' \
        "$root/fixtures/reports/small.json" >"$dir/max.json"
reject "$dir/max.json" "pids_max \"unlimited\""
# The environment says whether the verbs that need systemd boot a sandbox there (env --json's sandbox).
jq '.environment.sandbox = {"needed": true, "why": "PID 1 is process_api, not systemd",
                            "verbs": ["storm", "run", "check", "fix", "qualify"]}' \
        "$root/fixtures/reports/small.json" >"$dir/sandbox.json"
validate "$dir/sandbox.json" || fail "an environment with sandbox should be valid"
echo "ok: an environment with sandbox is valid"
jq '.environment.sandbox = {"needed": "yes", "why": "x", "verbs": []}' \
        "$root/fixtures/reports/small.json" >"$dir/sandbox-bad.json"
reject "$dir/sandbox-bad.json" "sandbox.needed \"yes\""
