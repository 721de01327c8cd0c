#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `taskstorm vm` boots the image of a release (TASKSTORM_VM_RELEASE, default sid: the newest
# systemd, cgroup v2 only): the command runs in the guest in the current directory, shared at its
# path; its output and exit status come back; the guest is cgroup v2 with the release's systemd,
# which enforces TasksMax through pids.max. Then the machine is killed mid-run both ways: SIGTERM to
# taskstorm, SIGKILL to qemu. Afterwards no qemu runs, no control directory is left, and the cached
# image is unchanged.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
# The control directories of taskstorm vm in /tmp.
control_dirs() {
        local n=0 d
        for d in /tmp/taskstorm-vm.*; do
                [ -e "$d" ] && n=$((n + 1))
        done
        echo "$n"
}
require_root_host
release=${TASKSTORM_VM_RELEASE:-sid}
image=${TASKSTORM_VM_CACHE:-/var/cache/taskstorm/vm}/$release
if [ ! -s "$image/root.img" ]; then
        [ -z "${TASKSTORM_REQUIRE_LIVE:-}" ] || fail "no VM image of $release in $image (ci/vmimage $release)"
        skip "no VM image of $release in $image: build it with ci/vmimage $release"
fi
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (ci/deps installs it)"
pgrep -f 'mount_tag=tsctl' >/dev/null && fail "a taskstorm VM runs already: one at a time"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
stamp() { stat -c '%s %Y' "$image/root.img"; }
before=$(stamp)
dirs_before=$(control_dirs)

# 1. A command: its output, its exit status, what it wrote into the shared directory.
set +e
out=$(TASKSTORM_VM_TIMES=1 "$TASKSTORM" vm --release "$release" -- sh -c '
        echo "hello from $(uname -r)"
        stat -fc %T /sys/fs/cgroup
        systemctl --version | head -n1
        pwd > where
        systemd-run --quiet --unit=tsvm-limit -p TasksMax=8 sleep 600
        cat /sys/fs/cgroup/system.slice/tsvm-limit.service/pids.max
        exit 7' 2>"$work/err")
status=$?
set -e
echo "$out"
cat "$work/err" >&2
[ "$status" = 7 ] || fail "the command's exit status came back as $status, not 7"
grep -q '^hello from ' <<<"$out" || fail "no output from the guest"
grep -qx cgroup2fs <<<"$out" || fail "the guest is not cgroup v2"
grep -q '^systemd [0-9]' <<<"$out" || fail "no systemd version from the guest"
[ "$(tail -n1 <<<"$out")" = 8 ] || fail "TasksMax=8 is not pids.max 8 in the guest"
[ "$(cat "$work/where")" = "$work" ] || fail "the command did not run in the shared current directory"
echo "ok: exit 7, $(grep '^systemd' <<<"$out"), cgroup v2, TasksMax=8 as pids.max, the current directory shared"

# wait_started: until the running machine's command has started (bounded).
wait_started() {
        local i
        for i in $(seq 1 600); do
                ls /tmp/taskstorm-vm.*/started >/dev/null 2>&1 && return 0
                sleep 1
        done
        fail "the machine did not start the command in 600 s"
}

# 2. SIGTERM to taskstorm while the command runs: the machine is stopped, exit 143.
"$TASKSTORM" vm --release "$release" -- sleep 600 >/dev/null 2>"$work/err" &
pid=$!
wait_started
kill -TERM "$pid"
set +e
wait "$pid"
status=$?
set -e
[ "$status" = 143 ] || fail "taskstorm vm stopped by SIGTERM exited $status, not 143: $(cat "$work/err")"
echo "ok: SIGTERM mid-run: exit 143"

# 3. qemu killed mid-run: BROKEN (6), with the console's last lines.
"$TASKSTORM" vm --release "$release" -- sleep 600 >/dev/null 2>"$work/err" &
pid=$!
wait_started
pkill -KILL -f 'mount_tag=tsctl'
set +e
wait "$pid"
status=$?
set -e
[ "$status" = 6 ] || fail "taskstorm vm whose qemu was killed exited $status, not 6"
grep -q "ended without the command's exit status" "$work/err" || fail "no reason given: $(cat "$work/err")"
echo "ok: qemu killed mid-run: exit 6, the reason given"

sleep 1
pgrep -f 'mount_tag=tsctl' >/dev/null && fail "a taskstorm VM's qemu still runs"
dirs_after=$(control_dirs)
[ "$dirs_after" = "$dirs_before" ] || fail "control directories were left in /tmp"
[ "$(stamp)" = "$before" ] || fail "the cached image changed"
echo "ok: no qemu, no control directory left, the image unchanged"
