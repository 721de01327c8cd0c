#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The embedded default: where PID 1 is not systemd, 'storm' and 'run' re-run themselves in a
# sandbox and say so in one line; --no-sandbox refuses instead; bad input is refused before any
# sandbox boots.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# env says it before anything boots: what PID 1 is, and which verbs will boot a sandbox for it.
comm=$(cat /proc/1/comm)
"$TASKSTORM" env | grep -Fx "  sandbox:               storm, run, check, fix and qualify will boot a private systemd sandbox here, because PID 1 is $comm, not systemd" ||
        fail "env does not say that the verbs will boot a sandbox"
"$TASKSTORM" env | grep -Fx "  systemd:               none: PID 1 is $comm, not systemd" || fail "env's systemd line"
[ "$("$TASKSTORM" env --json | jq -c '[.sandbox.needed, .sandbox.why, .sandbox.verbs, .systemd.error]')" = \
  "[true,\"PID 1 is $comm, not systemd\",[\"storm\",\"run\",\"check\",\"fix\",\"qualify\"],\"PID 1 is $comm, not systemd\"]" ] ||
        fail "env --json's sandbox: $("$TASKSTORM" env --json | jq -c .sandbox)"
echo "ok: env says that storm, run, check, fix and qualify will boot a sandbox, because PID 1 is $comm"

"$TASKSTORM" storm --kind fork --tasks-max 16 --json >out.json 2>err.txt
cat err.txt
[ "$(wc -l <err.txt)" = 1 ] && grep -q 'PID 1 is not systemd: running in a private sandbox' err.txt ||
        fail "expected one line saying the storm runs in a sandbox"
[ "$(jq -r '.first_failure.pids_current' out.json)" = 16 ] || fail "the storm in the sandbox did not stop at 16 tasks"
echo "ok: storm ran in a sandbox and hit TasksMax=16"
assert_no_leftovers

expect_error 5 'PID 1 is not systemd and --no-sandbox was given' "$TASKSTORM" --no-sandbox storm --kind fork --tasks-max 16
expect_error 5 'PID 1 is not systemd and --no-sandbox was given' "$TASKSTORM" --no-sandbox run

# Refused before a sandbox boots: one line, no "running in a private sandbox".
expect_error 2 '--kind spoon: not a storm kind' "$TASKSTORM" storm --kind spoon --tasks-max 16
expect_error 2 '--kind is required' "$TASKSTORM" storm --tasks-max 16
expect_error 2 '--tasks-max is required' "$TASKSTORM" storm --kind fork
expect_error 2 '--tasks-max 0: not a task limit' "$TASKSTORM" storm --kind fork --tasks-max 0
expect_error 2 '--tasks-max abc: not a task limit' "$TASKSTORM" storm --kind fork --tasks-max abc
expect_error 2 '--tasks-max 101%: not a task limit' "$TASKSTORM" storm --kind fork --tasks-max 101%
expect_error 2 '--tasks 0: not a whole number' "$TASKSTORM" storm --kind fork --tasks-max 8 --tasks 0
expect_error 2 '--tasks 5000 is above the cap --max-tasks 4096' "$TASKSTORM" storm --kind fork --tasks-max 8 --tasks 5000
expect_error 2 '--hold 1h: not a time span' "$TASKSTORM" storm --kind fork --tasks-max 8 --hold 1h
expect_error 2 "takes no arguments, got 'extra'" "$TASKSTORM" storm --kind fork --tasks-max 8 extra
expect_error 3 '/nonexistent.scenario: cannot read: No such file or directory' "$TASKSTORM" run /nonexistent.scenario
printf '[Scenario]\nDescription=x\n[Unit]\nTasksMax=0\n[Storm]\nKind=fork\n[Expect]\nEAGAIN=yes\n' >bad.scenario
expect_error 3 'bad.scenario:4: \[Unit\] TasksMax: must be at least 1' "$TASKSTORM" run bad.scenario
expect_error 2 "Unknown option '--frob'; see 'taskstorm run --help'" "$TASKSTORM" run --frob
expect_error 2 '--threshold 0: not a percentage' "$TASKSTORM" check --threshold 0
expect_error 2 '--threshold 101: not a percentage' "$TASKSTORM" check --threshold 101
expect_error 2 '--since abc: not a time span' "$TASKSTORM" check --since abc
expect_error 2 "'a/b.service' is not a unit name" "$TASKSTORM" check a/b.service
expect_error 2 "is not a unit name" "$TASKSTORM" check "$(printf 'x\ny.service')"
expect_error 2 "is not a unit name" "$TASKSTORM" check "$(head -c 300 /dev/zero | tr '\0' x).service"
expect_error 2 "is not a unit name" "$TASKSTORM" check docker.notatype
expect_error 3 '--log /nonexistent: No such file or directory' "$TASKSTORM" check --log /nonexistent
expect_error 2 'give at most one unit' "$TASKSTORM" check --log /dev/null a.service b.service
expect_error 5 'PID 1 is not systemd and --no-sandbox was given' "$TASKSTORM" --no-sandbox check
expect_error 4 'needs root' setpriv --reuid=nobody --regid=nogroup --clear-groups "$TASKSTORM" fix docker.service
expect_error 2 "is not a unit name" "$TASKSTORM" fix ../x
out=$("$TASKSTORM" fix --dry-run docker.service)
[ "$out" = "$(printf 'systemctl set-property docker.service TasksMax=infinity\nsystemctl daemon-reload\nsystemctl restart docker.service')" ] || fail "fix --dry-run printed: $out"
echo "ok: fix --dry-run prints the article's commands without a sandbox"

# --report-dir outside the current directory: bound into the sandbox, so the reports reach the host.
reports=$(mktemp -d)
"$TASKSTORM" run --format tap --report-dir "$reports/out" "$TASKSTORM_SOURCE_ROOT/scenarios/10-fork-64.scenario" >/dev/null
[ -s "$reports/out/junit.xml" ] && [ -s "$reports/out/report.json" ] || fail "the reports did not reach the host"
rm -rf "$reports"
echo "ok: --report-dir outside the current directory reaches the host"

# Offline needs neither systemd nor root.
bundle="$TASKSTORM_SOURCE_ROOT/fixtures/bundles/docker-fork-exec-ubuntu1604.txt"
set +e
setpriv --reuid=nobody --regid=nogroup --clear-groups "$TASKSTORM" check --log "$bundle" >out.txt 2>&1
status=$?
set -e
cat out.txt
[ "$status" = 10 ] && grep -q '^docker.service: affected (cause: unit-tasksmax)' out.txt ||
        fail "offline check as nobody: exit $status"
echo "ok: offline check of the article's bundle as nobody: affected, exit 10"
assert_no_leftovers
