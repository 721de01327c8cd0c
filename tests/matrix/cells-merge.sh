#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/matrix/cells-merge.sh [OUT]: the matrix spread over jobs gives the table of one run. Two
# cells run as separate processes into separate directories, as two CI jobs would
# (`ci/matrix --cell`), and `ci/matrix-table` merges them; then `ci/matrix` runs the same two cells
# in one go. The tables must be the same: text, Markdown, JSON (but for each cell's seconds) and
# JUnit (but for times). Each row.json must be valid against ci/matrix-row.schema.json. Root: it
# boots the sandbox. OUT (default build/matrix-cells) keeps every directory for a look afterwards
# (ci/test reads trixie's row from OUT/jobs/a).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/matrix-cells}
fail() {
        echo "matrix cells-merge: FAIL: $*" >&2
        exit 1
}

# A failure anywhere says where (set -e alone ends the script without a word).
trap 'echo "matrix cells-merge: FAIL: line $LINENO exited $?" >&2' ERR
# The cgroup mode of this host's sandbox cells, from the first cell (sed reads the whole list: no
# early close of the pipe for pipefail to take as a failure).
mode=$(ci/matrix --list | sed -n '1s/.*-//p')
[ -n "$mode" ] || fail "ci/matrix --list printed no cell"
cells="trixie-sandbox-$mode bookworm-sandbox-$mode"
# shellcheck disable=SC2086 # one cell a word
set -- $cells
rm -rf "$out"
mkdir -p "$out/jobs/a" "$out/jobs/b"
# Two jobs: each a process of its own with a directory of its own.
status_a=0 status_b=0
ci/matrix --cell "$1" --out "$out/jobs/a/$1" || status_a=$?
ci/matrix --cell "$2" --out "$out/jobs/b/$2" || status_b=$?
if [ "$status_a" != 0 ] || [ "$status_b" != 0 ]; then
        fail "a cell did not run: $1 exit $status_a, $2 exit $status_b"
fi
ci/matrix-table --cells "$cells" --out "$out/merged" "$out/jobs/a" "$out/jobs/b" >"$out/merged.stdout"
# The same cells in one go.
ci/matrix --cells "$cells" --out "$out/one-go" >"$out/one-go.stdout"

for f in "$out"/jobs/*/*/row.json; do
        python3 -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open("ci/matrix-row.schema.json")))' "$f" ||
                fail "$f is not valid against ci/matrix-row.schema.json"
done
for f in table.txt table.md; do
        diff -u "$out/one-go/$f" "$out/merged/$f" || fail "$f: the merged table differs from the one of ci/matrix in one go"
done
cmp -s "$out/merged.stdout" "$out/merged/table.txt" || fail "ci/matrix-table printed another table than table.txt"
diff -u <(jq 'del(.cells[].seconds)' "$out/one-go/table.json") <(jq 'del(.cells[].seconds)' "$out/merged/table.json") ||
        fail "table.json: the merged table differs from the one of ci/matrix in one go"
# JUnit: the same suites and cases with the same outcomes; times and messages (a unit's name with
# a PID in it, the kernel's pid_max of the moment) are the run's own.
outline() {
        python3 -c 'import sys, xml.etree.ElementTree as ET
for s in ET.parse(sys.argv[1]).getroot().iter("testsuite"):
    print(s.get("name"), *(s.get(k) for k in ("tests", "failures", "errors", "skipped")))
    for c in s.iter("testcase"):
        print("  ", c.get("classname"), c.get("name"), *[o.tag for o in c])' "$1"
}
diff -u <(outline "$out/one-go/junit.xml") <(outline "$out/merged/junit.xml") ||
        fail "junit.xml: the merged file differs from the one of ci/matrix in one go"
results=$(jq '.results | length' "$out/merged/table.json")
[ "$results" -gt 0 ] || fail "the table has no results"
echo "matrix cells-merge: $cells: two jobs merged = one go ($results rows; text, Markdown, JSON, JUnit)"
