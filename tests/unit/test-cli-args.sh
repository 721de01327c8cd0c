#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command line as the verb skeleton (harness/cli/verb.c) parses it, where no systemd is needed:
# bad command lines get their exact one line and exit status, for root and for a user alike (root is
# checked only once the command line is valid); --json=short prints one line of the same JSON;
# run --list and qualify --list need no root. Prints one TAP line per case.
# TASKSTORM_IN_SANDBOX=1 makes a verb that would need systemd fail (exit 5) instead of booting a
# sandbox, should a command line meant to be bad ever pass.
set -uo pipefail
: "${TASKSTORM:?TASKSTORM must name the taskstorm binary}"
command -v jq >/dev/null || { echo "1..0 # SKIP jq is missing (installed by ci/deps)"; exit 0; }
export TASKSTORM_IN_SANDBOX=1
root=$(cd "$(dirname "$0")/../.." && pwd)
bundle=$root/fixtures/bundles/at-risk.txt
logs=("$root"/tests/corpus/real/*.log)
corpus_log=${logs[0]}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
        n=$((n + 1)) failed=$((failed + 1))
        echo "not ok $n - $1"
        shift
        printf '  # %s\n' "$@"
}

# As a user who is not root: nobody where we are root, else ourselves.
as_user() {
        if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi
}
user_can_run=false
as_user "$TASKSTORM" --version >/dev/null 2>&1 && as_user test -r "$bundle" && user_can_run=true

# expect [as_user] STATUS 'LINE' ARGS...: exactly LINE on stderr, nothing on stdout, exit STATUS.
expect() {
        local runner=()
        [ "$1" = as_user ] && { runner=(as_user); shift; }
        local want=$1 line=$2 name="${runner[*]:+as a user: }taskstorm ${*:3}"
        shift 2
        "${runner[@]}" "$TASKSTORM" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
        local status=$?
        if [ "$status" = "$want" ] && [ "$(cat "$tmp/err")" = "$line" ] && [ ! -s "$tmp/out" ]; then
                ok "$name"
        else
                not_ok "$name" "exit $status, wanted $want" "stderr: $(head -c 300 "$tmp/err")" \
                        "wanted: $line" "stdout: $(head -c 100 "$tmp/out")"
        fi
}

# one_line NAME FILE: FILE is one line of valid JSON.
one_line() {
        if [ "$(wc -l <"$2")" = 1 ] && jq -e . "$2" >/dev/null 2>&1; then
                ok "$1: one line of JSON"
        else
                not_ok "$1: one line of JSON" "$(wc -l <"$2") lines: $(head -c 200 "$2")"
        fi
}

bad_command_lines() {
        local as=("$@") # empty, or as_user
        expect "${as[@]}" 2 "taskstorm: --kind spoon: not a storm kind (fork, thread, exec, mixed)." \
                storm --kind spoon --tasks-max 5
        expect "${as[@]}" 2 "taskstorm: --kind is required (fork, thread, exec, mixed)." storm --tasks-max 5
        expect "${as[@]}" 2 "taskstorm: 'taskstorm storm' takes no arguments, got 'x'." \
                storm --kind fork --tasks-max 5 x
        expect "${as[@]}" 2 "taskstorm: Unknown option '--bogus'; see 'taskstorm storm --help'." storm --bogus
        expect "${as[@]}" 2 "taskstorm: --format xml: expected text, json or tap." run --format xml
        expect "${as[@]}" 2 "taskstorm: --json and --format tap contradict each other: give one." \
                run --json --format tap
        expect "${as[@]}" 2 "taskstorm: Option '--report-dir' needs a value; see 'taskstorm run --help'." \
                run --report-dir
        expect "${as[@]}" 2 "taskstorm: --report-dir /etc/passwd: not a directory." run --report-dir /etc/passwd
        expect "${as[@]}" 2 "taskstorm: --list takes no scenarios." run --list x
        expect "${as[@]}" 2 "taskstorm: --list only lists the checks: give it alone." qualify --list --json
        expect "${as[@]}" 2 "taskstorm: 'taskstorm qualify' takes no arguments, got 'x'." qualify x
        expect "${as[@]}" 2 "taskstorm: --check nope: no such check (see 'taskstorm qualify --list')." \
                qualify --check nope
        expect "${as[@]}" 2 "taskstorm: --log given twice." check --log "$bundle" --log "$bundle"
        expect "${as[@]}" 2 "taskstorm: --since reads the journal and --log reads a file: give one of them." \
                check --log "$bundle" --since 10min
        expect "${as[@]}" 2 "taskstorm: '../x' is not a unit name (letters, digits and :_.\\@-, ending in .service, .scope, .slice, ...)." \
                fix ../x
        expect "${as[@]}" 2 "taskstorm: --undo puts back the TasksMax the unit had before the first fix: --tasks-max contradicts it." \
                fix --undo --tasks-max 64 x.service
        expect "${as[@]}" 2 "taskstorm: --dry-run prints systemctl commands, not JSON: give one of them." \
                fix --dry-run --json=short x.service
        expect "${as[@]}" 2 "taskstorm: --if-affected fixes what the check finds: --undo contradicts it." \
                fix --if-affected --undo x.service
        expect "${as[@]}" 2 "taskstorm: --dry-run changes nothing: --if-affected contradicts it ('taskstorm check UNIT' says whether the unit is affected)." \
                fix --dry-run --if-affected x.service
        expect "${as[@]}" 2 "taskstorm: 'taskstorm fix' takes exactly one unit, e.g. docker.service." \
                fix --if-affected
        expect "${as[@]}" 2 "taskstorm: 'taskstorm fix' takes exactly one unit, e.g. docker.service." \
                fix --if-affected a.service b.service
        expect "${as[@]}" 2 "taskstorm: '../x' is not a unit name (letters, digits and :_.\\@-, ending in .service, .scope, .slice, ...)." \
                fix --if-affected ../x
        expect "${as[@]}" 2 "taskstorm: Unknown option '--if-affected=yes'; see 'taskstorm fix --help'." \
                fix --if-affected=yes x.service
        expect "${as[@]}" 2 "taskstorm: --tasks-max 0: not a task limit (a number from 1, a percentage up to 100%, or infinity)." \
                fix --if-affected --tasks-max 0 x.service
        expect "${as[@]}" 2 "taskstorm: --seed needs --probability." inject --seed 5 -- true
        expect "${as[@]}" 2 "taskstorm: No command given: taskstorm inject [OPTIONS] -- CMD [ARG...]" inject
        expect "${as[@]}" 2 "taskstorm: 'taskstorm env' takes no arguments, got 'x'." env x
        expect "${as[@]}" 2 "taskstorm: --json=bogus: expected pretty or short." env --json=bogus
        expect "${as[@]}" 2 "taskstorm: --json=: expected pretty or short." check --log "$bundle" --json=
        expect "${as[@]}" 2 "taskstorm: --json given twice." check --log "$bundle" --json=short --json=pretty
        expect "${as[@]}" 2 "taskstorm: Unknown option '--json'; see 'taskstorm sandbox --help'." \
                sandbox --json -- true
        expect "${as[@]}" 2 "taskstorm: --root relative: not an absolute path." sandbox --root relative -- true
        expect "${as[@]}" 2 "taskstorm: No command given: taskstorm vm [OPTIONS] -- CMD [ARG...]" vm
        expect "${as[@]}" 2 "taskstorm: --no-sandbox contradicts 'taskstorm sandbox', which boots one: give one of them." \
                --no-sandbox sandbox -- true
}

bad_command_lines

# --json=STYLE where no systemd is needed: short is one line of the same JSON as pretty.
"$TASKSTORM" check --log "$corpus_log" --json=short >"$tmp/short" 2>/dev/null
"$TASKSTORM" check --log "$corpus_log" --json >"$tmp/pretty" 2>/dev/null
one_line "check --log --json=short" "$tmp/short"
if [ "$(wc -l <"$tmp/pretty")" -gt 1 ] && [ "$(jq -S . "$tmp/short")" = "$(jq -S . "$tmp/pretty")" ]; then
        ok "check --log: --json is indented, --json=short the same object"
else
        not_ok "check --log: --json is indented, --json=short the same object" "$(head -c 200 "$tmp/pretty")"
fi
"$TASKSTORM" check --log "$corpus_log" --json=pretty >"$tmp/pretty2" 2>/dev/null
if cmp -s "$tmp/pretty" "$tmp/pretty2"; then ok "--json=pretty is --json"; else not_ok "--json=pretty is --json"; fi
"$TASKSTORM" inject --json=short --nth 1 -- true >"$tmp/out" 2>"$tmp/err"
status=$?
one_line "inject --json=short (stderr)" "$tmp/err"
if [ "$status" = 0 ] && [ "$(jq -r .errno "$tmp/err" 2>/dev/null)" = EAGAIN ]; then
        ok "inject: CMD's status, the summary's errno"
else
        not_ok "inject: CMD's status, the summary's errno" "exit $status: $(head -c 200 "$tmp/err")"
fi

if $user_can_run; then
        # env probes a cgroup when root: as a user it only reads.
        as_user "$TASKSTORM" env --json=short >"$tmp/env" 2>/dev/null
        one_line "env --json=short" "$tmp/env"
        for verb in run qualify; do
                as_user "$TASKSTORM" "$verb" --list >"$tmp/out" 2>"$tmp/err"
                status=$?
                if [ "$status" = 0 ] && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then
                        ok "$verb --list as a user"
                else
                        not_ok "$verb --list as a user" "exit $status: $(head -c 200 "$tmp/err")"
                fi
        done
        expect as_user 4 "taskstorm: 'taskstorm qualify' needs root, to make units and set their properties through systemd's private bus; nothing was done." \
                qualify
        bad_command_lines as_user
else
        echo "# a user who is not root cannot run $TASKSTORM or read the fixtures: those cases skipped"
fi

echo "1..$n"
[ "$failed" = 0 ]
