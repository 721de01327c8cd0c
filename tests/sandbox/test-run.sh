#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 'taskstorm sandbox' passes the command's exit status on, streams its output while it runs,
# refuses a second sandbox while one runs, and leaves nothing behind.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

set +e
"$TASKSTORM" sandbox -- sh -c 'exit 42'
status=$?
set -e
[ "$status" = 42 ] || fail "exit status $status, wanted 42"
echo "ok: exit status 42 passed on"

set +e
"$TASKSTORM" sandbox -- sh -c 'kill -KILL $$'
status=$?
set -e
[ "$status" = 137 ] || fail "a command killed by SIGKILL gave $status, wanted 137"
echo "ok: killed command -> 137"

# The first line must arrive while the command still sleeps, not when it exits.
start=$(date +%s%N)
# (The command then dies of SIGPIPE writing its second line: not this test's concern.)
first=$( ("$TASKSTORM" sandbox -- sh -c 'echo early; sleep 5; echo late' || true) | head -n 1)
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$first" = early ] || fail "first line '$first'"
echo "ok: first line after ${elapsed_ms} ms"
out=$("$TASKSTORM" sandbox -- sh -c 'echo out; echo err >&2' 2>"$work/err")
[ "$out" = out ] && [ "$(cat "$work/err")" = err ] || fail "stdout/stderr mixed up: '$out' / '$(cat "$work/err")'"
echo "ok: stdout and stderr kept apart"

# The current directory is bound read-write: results written there reach the host.
"$TASKSTORM" sandbox -- sh -c 'echo result > result.txt'
[ "$(cat result.txt)" = result ] || fail "a file written in the current directory did not reach the host"
echo "ok: current directory bound"

# One sandbox at a time: the second is refused with a clear message.
"$TASKSTORM" sandbox -- sh -c 'touch ready; exec sleep 300' &
pid=$!
for i in $(seq 1 300); do [ -e ready ] && break; sleep 0.1; done
[ -e ready ] || fail "the first sandbox did not start"
expect_error 5 'Another taskstorm sandbox is running' "$TASKSTORM" sandbox -- true
kill -TERM "$pid"
wait "$pid" || true
assert_no_leftovers
echo "ok: nothing left"
