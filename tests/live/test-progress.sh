#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: on a terminal (a pseudo-terminal from script(1)), 'taskstorm run' draws a progress line on
# stderr with the scenario number, its phase and the tasks in its unit; with stderr not a terminal
# it writes nothing there, and stdout carries the same results either way.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "storms need root"
command -v script >/dev/null || fail "script(1) is missing (bsdutils)"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
s="$TASKSTORM_SOURCE_ROOT/scenarios"
files="$s/11-thread-64.scenario $s/12-exec-64.scenario"

# shellcheck disable=SC2086 # two file names
"$TASKSTORM" run $files >"$dir/stdout" 2>"$dir/stderr" || fail "run failed: $(cat "$dir/stderr")"
[ ! -s "$dir/stderr" ] || fail "stderr is not a terminal, yet got: $(od -c "$dir/stderr" | head -3)"
echo "ok: nothing on stderr when it is not a terminal"

script -qfec "$TASKSTORM run $files" "$dir/typescript" >/dev/null </dev/null || fail "run on a terminal failed"
tty=$(tr '\r' '\n' <"$dir/typescript" | sed 's/\x1b\[K//g')
for want in '\[1/2\] 11-thread-64: storm, [0-9]+ tasks in the unit' '\[2/2\] 12-exec-64: [a-z-]+, [0-9]+ tasks'; do
        grep -Eq "$want" <<<"$tty" || fail "no progress line like '$want' in: $(head -c 600 <<<"$tty")"
done
# The results are the same lines as without a terminal: the progress line is cleared before each.
grep -c '^PASS' <<<"$tty" | grep -qx 2 || fail "results on the terminal: $(grep -E '^(PASS|FAIL)' <<<"$tty")"
grep -q '^2 passed, 0 failed' "$dir/stdout" || fail "results without a terminal: $(cat "$dir/stdout")"
echo "ok: on a terminal, progress shows scenario k of n, its phase and its tasks; results stay whole"
