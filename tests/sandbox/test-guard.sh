#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The guard: the sandbox shares the host's kernel, so every task in it takes a PID of the host's.
# Its cgroup subtree gets a pids.max from the host's real capacity (or --guard), and a storm that
# asks for more than the host can give is refused before anything boots. Here a plain fork loop
# with no limit of its own, in a sandbox guarded at 300 tasks, is stopped at the guard with EAGAIN,
# and the host goes on forking meanwhile.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host

work=$(mktemp -d)
trap 'touch "$work/done"; rm -rf "$work"' EXIT
cd "$work"

# What the host can give, as the refusal names it.
# Where a cgroup above the caller has a tighter pids.max than the kernel's room (a service's
# TasksMax on a systemd host), that cgroup is what the host can give.
guard_json=$("$TASKSTORM" env --json | jq -c .guard)
cgroup_dir=$(jq -r 'if .available < .kernel_room then .cgroup_dir else empty end' <<<"$guard_json")
if [ -n "$cgroup_dir" ]; then
        why="pids\.max [0-9]+ of ${cgroup_dir//./\\.}, [0-9]+ tasks in it"
else
        why='kernel\.(pid_max|threads-max) [0-9]+, [0-9]+ tasks running, [0-9]+ kept in reserve'
fi
expect_error 2 "^taskstorm: --tasks 1000000: more than this host can give: at most [0-9]+ \\($why\\)\\.\$" \
        "$TASKSTORM" storm --kind fork --tasks-max infinity --tasks 1000000 --max-tasks 1000000
expect_error 2 '^taskstorm: --max-tasks 900000: more than this host can give' \
        "$TASKSTORM" storm --kind thread --tasks-max 64 --max-tasks 900000
expect_error 2 '^taskstorm: --guard 999999999: more than this host can give' "$TASKSTORM" sandbox --guard 999999999 -- true
expect_error 2 '^taskstorm: --guard 0: not a whole number' "$TASKSTORM" sandbox --guard 0 -- true
[ -z "$(sandbox_systemds)" ] || fail "a refused command booted a sandbox"
echo "ok: storms and guards above what the host can give are refused, nothing booted"

pid_max=$(cat /proc/sys/kernel/pid_max)
threads_max=$(cat /proc/sys/kernel/threads-max)
limit=$((pid_max < threads_max ? pid_max : threads_max))

# The default guard: below the kernel's limit by at least the reserve, within a tighter cgroup's
# room, and enough for a storm where the kernel is the bound.
guard=$("$TASKSTORM" sandbox -- cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || "$TASKSTORM" sandbox -- cat /sys/fs/cgroup/pids.max)
[[ "$guard" =~ ^[0-9]+$ ]] || fail "the sandbox's subtree has no numeric pids.max: '$guard'"
reserve=$((limit / 8 > 1024 ? limit / 8 : 1024))
[ "$guard" -le $((limit - reserve)) ] || fail "default guard $guard is above $limit - $reserve"
if [ -n "$cgroup_dir" ]; then
        cgroup_max=$(jq -r .cgroup_max <<<"$guard_json")
        [ "$guard" -lt "$cgroup_max" ] || fail "default guard $guard is not below pids.max $cgroup_max of $cgroup_dir"
        echo "ok: the default guard is pids.max $guard (below pids.max $cgroup_max of $cgroup_dir)"
else
        [ "$guard" -ge 4096 ] || fail "default guard $guard is below a default storm's 4096 tasks"
        echo "ok: the default guard is pids.max $guard (kernel limit $limit, reserve $reserve)"
fi

# A fork loop with no limit but the guard: children that block on a pipe until the loop closes
# it (no polling: under emulation 300 polling children starve the loop).
cat >forker.py <<'PY'
import os, sys, time
r, w = os.pipe()
children, error = [], 0
for _ in range(1000):
    try:
        pid = os.fork()
    except OSError as e:
        error = e.errno
        break
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    children.append(pid)
with open("count.tmp", "w") as f:
    f.write(f"{len(children)} {error}\n")
os.rename("count.tmp", "count")
while not os.path.exists("done"):
    time.sleep(0.05)
os.close(w)
for pid in children:
    os.waitpid(pid, 0)
PY
"$TASKSTORM" sandbox --guard 300 -- python3 forker.py &
sandbox=$!
# About 40 s, times TASKSTORM_TIME_SCALE under emulation.
deadline=$((SECONDS + 40 * ${TASKSTORM_TIME_SCALE:-1}))
until [ -e count ] || [ $SECONDS -ge $deadline ]; do
        sleep 0.2
done
[ -e count ] || { touch done; fail "the fork loop did not report within $((40 * ${TASKSTORM_TIME_SCALE:-1})) s"; }
read -r forked error <count
# The host still forks while the sandbox is full.
for _ in $(seq 1 50); do /bin/true || { touch done; fail "the host could not fork while the sandbox was at its guard"; }; done
# The sandbox's subtree in the pids hierarchy (v1), or the one subtree (v2): the one with pids.current.
in_sandbox="?"
for d in $(sandbox_cgroups | grep /taskstorm-sandbox-); do
        [ -e "$d/pids.current" ] && in_sandbox=$(cat "$d/pids.current") && break
done
touch done
wait "$sandbox" || fail "the sandbox's fork loop failed"
[ "$error" = 11 ] || fail "the fork loop ended with errno $error after $forked children, not EAGAIN (11)"
[ "$forked" -lt 300 ] && [ "$forked" -gt 200 ] ||
        fail "the fork loop made $forked children under a guard of 300 (systemd and its services take the rest)"
echo "ok: a fork loop asking for 1000 tasks stopped with EAGAIN after $forked children at the guard of 300" \
        "(pids.current $in_sandbox), and the host forked 50 times meanwhile"
assert_no_leftovers
