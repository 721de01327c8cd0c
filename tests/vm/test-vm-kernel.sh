#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `taskstorm vm --kernel K` boots the root of one release (TASKSTORM_VM_RELEASE, default sid: the
# newest systemd) with the kernel and initrd of another (TASKSTORM_VM_KERNEL, default trixie: an
# older kernel), as a vendor qualifying a new systemd on an older kernel does: the guest runs that
# kernel, the root's systemd, on cgroup v2, and TasksMax is enforced there (forks past it fail).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host
release=${TASKSTORM_VM_RELEASE:-sid}
kernel=${TASKSTORM_VM_KERNEL:-trixie}
cache=${TASKSTORM_VM_CACHE:-/var/cache/taskstorm/vm}
for r in "$release" "$kernel"; do
        if [ ! -s "$cache/$r/root.img" ] || [ ! -s "$cache/$r/initrd-modules" ]; then
                [ -z "${TASKSTORM_REQUIRE_LIVE:-}" ] || fail "no current VM image of $r in $cache/$r (ci/vmimage $r)"
                skip "no current VM image of $r in $cache/$r: build it with ci/vmimage $r"
        fi
done
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (ci/deps installs it)"
pgrep -f 'mount_tag=tsctl' >/dev/null && fail "a taskstorm VM runs already: one at a time"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
want_kernel=$(cat "$cache/$kernel/kernel-release")
want_systemd=$(cat "$cache/$release/systemd-version")
# In the guest: a scope at TasksMax=8 whose process forks 20 children that wait; the forks past the
# limit fail with EAGAIN.
set +e
out=$(TASKSTORM_VM_TIMES=1 "$TASKSTORM" vm --release "$release" --kernel "$kernel" -- sh -c '
        uname -r
        stat -fc %T /sys/fs/cgroup
        systemctl --version | sed -n "1s/^systemd [0-9]* (\(.*\))$/\1/p"
        systemd-run --quiet --scope --unit=tsvm-kernel -p TasksMax=8 python3 -c "
import os, signal
print(open(\"/sys/fs/cgroup/system.slice/tsvm-kernel.scope/pids.max\").read().strip())
pids, refused = [], 0
for i in range(20):
    try:
        pid = os.fork()
    except BlockingIOError:
        refused += 1
        continue
    if pid == 0:
        signal.pause()
        os._exit(0)
    pids.append(pid)
print(\"started\", len(pids), \"refused\", refused)
for pid in pids:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
"' 2>"$work/err")
status=$?
set -e
echo "$out"
cat "$work/err" >&2
[ "$status" = 0 ] || fail "the command exited $status"
[ "$(sed -n 1p <<<"$out")" = "$want_kernel" ] || fail "the guest did not run $kernel's kernel $want_kernel"
[ "$(sed -n 2p <<<"$out")" = cgroup2fs ] || fail "the guest is not cgroup v2"
[ "$(sed -n 3p <<<"$out")" = "$want_systemd" ] || fail "the guest's systemd is not $release's $want_systemd"
grep -qx 8 <<<"$out" || fail "TasksMax=8 is not pids.max 8 in the guest"
read -r started refused < <(sed -n 's/^started \([0-9]*\) refused \([0-9]*\)$/\1 \2/p' <<<"$out")
# The forker is 1 task: at most 7 children under 8, and every other fork refused.
[ "${started:-99}" -le 7 ] && [ "${refused:-0}" -ge 13 ] ||
        fail "TasksMax=8 was not enforced: ${started:-?} of 20 forks succeeded, ${refused:-?} refused"
echo "ok: $release's systemd $want_systemd on $kernel's kernel $want_kernel, cgroup v2, TasksMax=8: $started forks, $refused refused with EAGAIN"
