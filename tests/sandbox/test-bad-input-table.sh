#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bad-input table: scenario files (unknown keys and sections, TasksMax=0, -1, abc, 1e99, 30
# digits, duplicate sections and keys, huge, binary, non-UTF-8, empty, a directory, missing),
# command-line values and unit names (../x, with /, a newline, 300 characters, no unit type),
# --report-dir that cannot be used, --log that is not a regular file or not text, and options given
# twice or in contradiction.
# Each gets exactly one line on stderr naming the problem and its documented exit status (2 bad
# command line, 3 bad input file); none crashes, none boots a sandbox, none changes the machine.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
snapshot() { find /etc/systemd /run/systemd /sys/fs/cgroup -maxdepth 3 -name '*taskstorm*' 2>/dev/null | sort; ls -la /etc/systemd/system 2>/dev/null; }
before=$(snapshot)
cases=0
bad() { expect_error "$@"; cases=$((cases + 1)); }

base='[Scenario]
Description=x
[Unit]
TasksMax=64
[Storm]
Kind=fork
[Expect]
EAGAIN=yes
'
file() { printf '%s' "$2" >"$dir/$1.scenario"; echo "$dir/$1.scenario"; }
with() { sed "s/$1/$2/" <<<"$base"; }
run_file() { bad 3 "$1" "$TASKSTORM" run "$2"; }

# Scenario files: exit 3, the file, the line and the key named.
run_file ':9: \[Expect\] Frobnicate: unknown key' "$(file unknown-key "${base}Frobnicate=1")"
run_file ':9: \[Nope\]: unknown section' "$(file unknown-section "${base}[Nope]
A=1")"
run_file '\[Unit\] TasksMax: must be at least 1, got "0"' "$(file tm-0 "$(with TasksMax=64 TasksMax=0)")"
run_file '\[Unit\] TasksMax: expected a number .*got "-1"' "$(file tm-neg "$(with TasksMax=64 TasksMax=-1)")"
run_file '\[Unit\] TasksMax: expected a number .*got "abc"' "$(file tm-abc "$(with TasksMax=64 TasksMax=abc)")"
run_file '\[Unit\] TasksMax: expected a number .*got "1e99"' "$(file tm-1e99 "$(with TasksMax=64 TasksMax=1e99)")"
run_file '\[Unit\] TasksMax: out of range' "$(file tm-30 "$(with TasksMax=64 TasksMax=123456789012345678901234567890)")"
run_file '\[Unit\] TasksMax: a percentage must be more than 0% and at most 100%' "$(file tm-pct "$(with TasksMax=64 TasksMax=101%)")"
run_file '\[Unit\] TasksMax: empty value' "$(file tm-empty "$(with TasksMax=64 TasksMax=)")"
run_file '\[Unit\]: section given again' "$(file dup-section "${base}[Unit]
TasksMax=32")"
run_file '\[Unit\] TasksMax: given twice' "$(file dup-key "$(with TasksMax=64 'TasksMax=64\nTasksMax=32')")"
head -c 300000 /dev/zero | tr '\0' a >"$dir/huge.scenario"
run_file 'file is larger than the 64 KiB allowed' "$dir/huge.scenario"
printf '[Scenario]\nDescription=\0x\n' >"$dir/binary.scenario"
run_file 'NUL byte in column 13: not a text file' "$dir/binary.scenario"
printf '[Scenario]\nDescription=\xff\xfe\n' >"$dir/latin.scenario"
run_file 'invalid UTF-8 in column 13' "$dir/latin.scenario"
: >"$dir/empty.scenario"
run_file '\[Scenario\] Description: required key is missing' "$dir/empty.scenario"
run_file '\[Storm\] Kind: required key is missing' "$(file no-kind "$(sed /Kind=fork/d <<<"$base")")"
run_file '\[Storm\] Kind: unknown storm kind' "$(file bad-kind "$(with Kind=fork Kind=spoon)")"
run_file '\[Storm\] Hold: unknown time unit' "$(file hold "$(with Kind=fork 'Kind=fork\nHold=1fortnight')")"
run_file 'key before the first \[Section\]' "$(file no-section 'TasksMax=5')"
run_file "section header without a closing '\]'" "$(file syntax '[Scenario')"
mkdir "$dir/dir.scenario"
run_file 'cannot read: Is a directory' "$dir/dir.scenario"
run_file 'cannot read: No such file or directory' "$dir/missing.scenario"

# Command-line values: exit 2, the option and the value named.
bad 2 '--tasks-max 0: not a task limit' "$TASKSTORM" storm --kind fork --tasks-max 0
bad 2 '--tasks-max -1: not a task limit' "$TASKSTORM" storm --kind fork --tasks-max -1
bad 2 '--tasks-max 1e99: not a task limit' "$TASKSTORM" storm --kind fork --tasks-max 1e99
bad 2 '--tasks-max 123456789012345678901234567890: not a task limit' \
        "$TASKSTORM" storm --kind fork --tasks-max 123456789012345678901234567890
bad 2 '--kind spoon: not a storm kind' "$TASKSTORM" storm --kind spoon --tasks-max 5
bad 2 '--format xml: expected text, json or tap' "$TASKSTORM" run --format xml
bad 2 '--since abc: not a time span' "$TASKSTORM" check --since abc x.service
bad 2 '--since 5 parsecs: unknown time unit' "$TASKSTORM" check --since '5 parsecs' x.service
bad 2 '--since tomorrow: is in the future' "$TASKSTORM" check --since tomorrow x.service
bad 2 '--hold 1h: not a time span up to 10min' "$TASKSTORM" storm --kind fork --tasks-max 5 --hold 1h
bad 2 '--threshold 200: not a percentage from 1 to 100' "$TASKSTORM" check --threshold 200 x.service
bad 2 '--tasks-max abc: not a task limit' "$TASKSTORM" fix --tasks-max abc x.service
bad 2 '--nth 0: not a whole number' "$TASKSTORM" inject --nth 0 -- true
bad 2 '--probability 2: not a number from 0 to 1' "$TASKSTORM" inject --probability 2 -- true
bad 2 "Unknown option '--frobnicate'" "$TASKSTORM" run --frobnicate
bad 2 "Option '--report-dir' needs a value" "$TASKSTORM" run --report-dir

# Unit names: exit 2, the name shown escaped.
bad 2 "'../x' is not a unit name" "$TASKSTORM" check ../x
bad 2 "'a/b.service' is not a unit name" "$TASKSTORM" fix a/b.service
bad 2 "is not a unit name" "$TASKSTORM" check "$(printf 'a\nb.service')"
bad 2 "'a{80}\.\.\.' is not a unit name" "$TASKSTORM" fix "$(head -c 300 /dev/zero | tr '\0' a).service"
bad 2 "'docker' is not a unit name" "$TASKSTORM" fix docker
bad 2 "'x.notatype' is not a unit name" "$TASKSTORM" fix x.notatype

# What a new user found (issue 14): each refused before any sandbox boots, nothing made.
good=$(file good "$base")
bad 2 '--report-dir /etc/passwd: not a directory\.$' "$TASKSTORM" run --report-dir /etc/passwd "$good"
bad 2 '--report-dir /etc/passwd/x: Not a directory' "$TASKSTORM" run --report-dir /etc/passwd/x "$good"
bad 2 "--report-dir $dir/none/x: cannot be made: $dir/none: No such file" \
        "$TASKSTORM" run --report-dir "$dir/none/x" "$good"
bad 2 '--report-dir /etc/passwd: not a directory' "$TASKSTORM" qualify --report-dir /etc/passwd
# unwritable: a read-only tmpfs, mounted in a mount namespace of its own (the host sees nothing)
mkdir "$dir/ro"
read_only() { unshare --mount --propagation private sh -c 'mount -t tmpfs -o ro none "$0" && exec "$@"' "$dir/ro" "$@"; }
bad 2 "--report-dir $dir/ro/x: cannot be made: $dir/ro is not writable \(Read-only file system\)" \
        read_only "$TASKSTORM" run --report-dir "$dir/ro/x" "$good"
bad 2 "--report-dir $dir/ro: not writable \(Read-only file system\)" \
        read_only "$TASKSTORM" qualify --report-dir "$dir/ro"
[ ! -e "$dir/none" ] && [ -z "$(ls -A "$dir/ro")" ] || fail "a refused --report-dir was made"
mkfifo "$dir/fifo"
bad 3 '--log .*/fifo: not a regular file' timeout 10 "$TASKSTORM" check --log "$dir/fifo"
bad 3 "--log $dir: a directory, but not an unpacked sosreport or supportconfig" "$TASKSTORM" check --log "$dir"
head -c 65536 /dev/urandom >"$dir/random"
bad 3 '--log .*/random: not a text log \(NUL bytes / binary data\)' "$TASKSTORM" check --log "$dir/random"
bad 3 '--log /bin/true: not a text log' "$TASKSTORM" check --log /bin/true
bundle=$TASKSTORM_SOURCE_ROOT/fixtures/bundles/at-risk.txt
bad 2 '--log given twice' "$TASKSTORM" check --log "$bundle" --log "$bundle"
bad 2 '--since reads the journal and --log reads a file' "$TASKSTORM" check --log "$bundle" --since 10min
bad 2 '--threshold given twice' "$TASKSTORM" check --threshold 50 --threshold 60 --log "$bundle"
bad 2 '--undo puts back .*--tasks-max contradicts it' "$TASKSTORM" fix --tasks-max 64 --undo x.service
bad 2 '--undo always reloads .*--no-reload contradicts it' "$TASKSTORM" fix --undo --no-reload x.service
bad 2 '--dry-run prints systemctl commands, not JSON' "$TASKSTORM" fix --dry-run --json x.service
bad 2 '--tasks-max given twice' "$TASKSTORM" fix --tasks-max 64 --tasks-max 128 x.service
bad 2 '--seed needs --probability' "$TASKSTORM" inject --seed 5 -- true
bad 2 '--nth given twice' "$TASKSTORM" inject --nth 3 --nth 4 -- true
bad 2 '--json and --format tap contradict' "$TASKSTORM" run --json --format tap "$good"
bad 2 '--report-dir given twice' "$TASKSTORM" run --report-dir "$dir/a" --report-dir "$dir/b" "$good"
bad 2 '--list only lists the checks' "$TASKSTORM" qualify --list --json
check=$("$TASKSTORM" qualify --list | head -1)
bad 2 "--check $check given twice" "$TASKSTORM" qualify --check "$check" --check "$check"
bad 2 "--no-sandbox contradicts 'taskstorm sandbox'" "$TASKSTORM" --no-sandbox sandbox -- true

[ "$cases" -ge 40 ] || fail "only $cases cases"
[ "$(snapshot)" = "$before" ] || fail "the machine changed: $(diff <(echo "$before") <(snapshot))"
assert_no_leftovers
echo "ok: $cases bad inputs, each one line and its exit status; nothing changed"
