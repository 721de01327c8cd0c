#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every excerpt of the real-world corpus (tests/corpus/real: logs people posted in public threads)
# comes out right in `taskstorm check --log FILE --json`: the worst verdict (and so the exit status)
# is the expected one; where a unit is expected, an entry for it has the expected verdict and
# cause; else the first entry has them. A suspected verdict's cause is right when the expected one
# is among the causes it names as likely ("unknown": any). Prints one TAP line per case.
set -uo pipefail
: "${TASKSTORM:?}"
corpus=$(cd "$(dirname "$0")/../corpus/real" && pwd)
command -v jq >/dev/null || { echo "1..0 # SKIP jq is missing (installed by ci/deps)"; exit 0; }

declare -A exits=([not-affected]=0 [affected]=10 [at-risk]=11 [not-applicable]=12 [suspected]=13)
cases=("$corpus"/*.log)
echo "1..${#cases[@]}"
failed=0 n=0
for log in "${cases[@]}"; do
        n=$((n + 1))
        name=$(basename "$log" .log)
        expect="$corpus/$name.expect"
        want_verdict=$(sed -n 's/^verdict=//p' "$expect")
        want_cause=$(sed -n 's/^cause=//p' "$expect")
        want_unit=$(sed -n 's/^unit=//p' "$expect")
        out=$("$TASKSTORM" check --log "$log" --json 2>/dev/null)
        status=$?
        entry=$(jq -c --arg u "$want_unit" 'if $u == "" then .units[0] else (.units[] | select(.unit == $u)) end' \
                <<<"$out" 2>/dev/null | head -n1)
        got=$(jq -r '"\(.verdict) \(.cause) [\([.likely[].cause] | join(","))] \(.unit // "-")"' <<<"$entry" 2>/dev/null)
        problem=
        if [ "$status" != "${exits[$want_verdict]}" ]; then
                problem="exit $status, wanted ${exits[$want_verdict]} ($want_verdict)"
        elif [ -z "$entry" ]; then
                problem="no entry for ${want_unit:-the text}"
        elif [ "$(jq -r .verdict <<<"$entry")" != "$want_verdict" ]; then
                problem="verdict $(jq -r .verdict <<<"$entry"), wanted $want_verdict"
        elif [ "$want_verdict" = suspected ]; then
                [ "$want_cause" = unknown ] || jq -e --arg c "$want_cause" '[.likely[].cause] | index($c)' \
                        <<<"$entry" >/dev/null || problem="$want_cause is not among the likely causes"
        elif [ "$(jq -r .cause <<<"$entry")" != "$want_cause" ]; then
                problem="cause $(jq -r .cause <<<"$entry"), wanted $want_cause"
        fi
        if [ -n "$problem" ]; then
                failed=$((failed + 1))
                echo "not ok $n - $name: $problem; got: $got"
        else
                echo "ok $n - $name: $got"
        fi
done
[ "$failed" = 0 ] || echo "# $failed of ${#cases[@]} real excerpts came out wrong" >&2
exit $((failed > 0))
