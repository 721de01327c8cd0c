#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 'taskstorm inject', unprivileged and without systemd: exactly the 37th of 100 threads fails with
# EAGAIN (glibc's clone3 gets ENOSYS and falls back to clone); with --what threads a fork still
# works; --every 1 and --probability 1 are pure filters, --probability 0 catches nothing;
# --probability 0.1 --seed 7 fails the same threads on every run; the raw clone syscall is caught
# too; output and exit status pass through; a process the command left behind is answered and
# waited for; nothing is left running.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
: "${SPAWNER:?SPAWNER must name the test program}"
run() { setpriv_maybe "$TASKSTORM" inject "$@"; }
# As nobody where we are root: injection needs no privilege.
setpriv_maybe() {
        if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
                setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
        else
                "$@"
        fi
}

out=$(run --what threads --nth 37 -- "$SPAWNER" threads 100 2>err.txt)
echo "$out"; cat err.txt
[ "$out" = "$(printf 'failed 37 EAGAIN\ncreated 99')" ] || fail "--nth 37: wanted only the 37th to fail"
grep -q 'threads 100 seen, 1 failed' err.txt || fail "summary: $(cat err.txt)"
echo "ok: exactly the 37th of 100 threads failed"

out=$(run --what threads --always -- "$SPAWNER" fork 2>/dev/null)
[ "$out" = "fork ok" ] || fail "with --what threads, fork failed: $out"
out=$(run --what threads --always -- "$SPAWNER" threads 3 2>/dev/null)
[ "$out" = "$(printf 'failed 1 EAGAIN\nfailed 2 EAGAIN\nfailed 3 EAGAIN\ncreated 0')" ] || fail "--always threads: $out"
echo "ok: --what threads fails threads, not forks"

# Policies whose every answer is known before the first call need no supervisor: --every 1 and
# --probability 1 are pure filters, --probability 0 catches nothing; the summary says so.
out=$(run --what threads --every 1 -- "$SPAWNER" threads 3 2>err.txt)
[ "$out" = "$(printf 'failed 1 EAGAIN\nfailed 2 EAGAIN\nfailed 3 EAGAIN\ncreated 0')" ] || fail "--every 1: $out"
grep -q 'every thread creation failed with EAGAIN (pure filter' err.txt || fail "--every 1 summary: $(cat err.txt)"
out=$(run --what threads --probability 1 -- "$SPAWNER" threads 3 2>/dev/null)
[ "$out" = "$(printf 'failed 1 EAGAIN\nfailed 2 EAGAIN\nfailed 3 EAGAIN\ncreated 0')" ] || fail "--probability 1: $out"
out=$(run --probability 0 -- "$SPAWNER" threads 3 2>err.txt)
[ "$out" = "created 3" ] || fail "--probability 0: $out"
grep -q 'the policy fails no task creation (none caught' err.txt || fail "--probability 0 summary: $(cat err.txt)"
echo "ok: --every 1 and --probability 1 are pure filters, --probability 0 catches nothing"

a=$(run --what threads --probability 0.1 --seed 7 -- "$SPAWNER" threads 200 2>/dev/null)
b=$(run --what threads --probability 0.1 --seed 7 -- "$SPAWNER" threads 200 2>/dev/null)
c=$(run --what threads --probability 0.1 --seed 8 -- "$SPAWNER" threads 200 2>/dev/null)
[ "$a" = "$b" ] || fail "--probability 0.1 --seed 7 differed between runs"
[ "$a" != "$c" ] || fail "seeds 7 and 8 gave the same failures"
failed=$(grep -c '^failed' <<<"$a")
[ "$failed" -ge 5 ] && [ "$failed" -le 40 ] || fail "--probability 0.1 failed $failed of 200"
echo "ok: --probability 0.1 --seed 7: the same $failed failures twice, others with seed 8"

out=$(run --what processes --nth 1 -- "$SPAWNER" raw-clone 2>/dev/null) || true
[ "$out" = "raw-clone failed EAGAIN" ] || fail "the raw clone syscall was not caught: $out"
out=$(run --what processes --nth 1 --errno ENOMEM -- "$SPAWNER" fork 2>/dev/null) || true
[ "$out" = "fork failed ENOMEM" ] || fail "--errno ENOMEM: $out"
echo "ok: the raw clone syscall is caught; --errno ENOMEM"

set +e
out=$(run --nth 1000 -- sh -c 'echo out; echo err >&2; exit 7' 2>err.txt)
status=$?
set -e
[ "$status" = 7 ] && [ "$out" = out ] && grep -qx err err.txt || fail "pass-through: exit $status, '$out'"
echo "ok: output and exit status pass through"

# The supervisor answers until nothing is left under the filter, not just the command: a process
# the command left behind still has its creations answered, and is waited for.
late=$(mktemp -d)
chmod 777 "$late" # the command may run as nobody
set +e
# shellcheck disable=SC2016 # expanded by the inner shell
run --nth 1000 -- sh -c '(sleep 0.2; "$1" fork >"$2/late.txt") & exit 3' sh "$SPAWNER" "$late" 2>/dev/null
status=$?
set -e
got=$(cat "$late/late.txt" 2>/dev/null || true)
rm -rf "$late"
[ "$status" = 3 ] || fail "a command that left a process behind gave $status, wanted 3"
[ "$got" = "fork ok" ] || fail "the process left behind was not waited for: '$got'"
echo "ok: a process the command left behind is answered and waited for"

expect_error 2 'Give one of --nth' "$TASKSTORM" inject --nth 1 --every 2 -- true
expect_error 2 '--probability 2: not a number from 0 to 1' "$TASKSTORM" inject --probability 2 -- true
expect_error 2 '--what spoons: expected threads' "$TASKSTORM" inject --what spoons -- true
expect_error 2 'No command given' "$TASKSTORM" inject --nth 3
expect_error 127 'no-such-command: command not found' "$TASKSTORM" inject -- no-such-command

# The command killed: the supervisor passes that on and ends.
set +e
run --nth 1000 -- sh -c 'kill -KILL $$' 2>/dev/null
status=$?
set -e
[ "$status" = 137 ] || fail "a command killed by SIGKILL gave $status, wanted 137"
echo "ok: a killed command: exit 137, the supervisor ended"

# The supervisor killed: the command goes with it. The command is known by its PID, the
# supervisor's child, not by a name another process on the machine could have.
"$TASKSTORM" inject --nth 1000 -- sleep 300 >/dev/null 2>&1 &
pid=$!
child=
for delay in 0.01 0.02 0.05 0.1 0.2 0.5 1 1 2 2 4; do
        child=$(pgrep -P "$pid" -x sleep || true)
        [ -z "$child" ] || break
        sleep "$delay"
done
[ -n "$child" ] || { kill -KILL "$pid"; fail "the command did not start within about 11 s"; }
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
# alive: there and not a zombie (whoever inherits it, PID 1 here, may reap it late)
alive() { case "$(ps -o stat= -p "$1" 2>/dev/null)" in "" | Z*) return 1 ;; esac; }
for delay in 0 0.01 0.02 0.05 0.1 0.2 0.5 1 1 2 2; do sleep "$delay"; alive "$child" || break; done
if alive "$child"; then
        ps -o pid,ppid,pgid,stat,wchan:24,args -p "$child" >&2 || true
        kill -KILL "$child" 2>/dev/null || true
        fail "the command ($child) outlived its killed supervisor ($pid)"
fi
echo "ok: a killed supervisor leaves nothing"
rm -f err.txt
