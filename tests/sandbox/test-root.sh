#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 'taskstorm sandbox --root DIR' boots the systemd of a distro root file system (Debian bookworm,
# built by ci/rootfs), enforces TasksMax there, and leaves DIR itself untouched (it is only the
# overlay's lower layer).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host
command -v debootstrap >/dev/null || skip "debootstrap is not installed (ci/deps installs it)"

root=$("$TASKSTORM_SOURCE_ROOT/ci/rootfs" bookworm)
before=$(find "$root/etc" "$root/var" -printf '%p %s %T@\n' | sort | md5sum)

out=$("$TASKSTORM" sandbox --no-bind-cwd --root "$root" -- sh -ec '
        test -e /etc/debian_version
        systemctl is-system-running
        touch /etc/taskstorm-probe
        systemd-run --quiet --scope -p TasksMax=5 sh -c "for i in 1 2 3 4 5 6; do sleep 5 & done" 2>&1 || true
')
echo "$out"
grep -qx 'running' <<<"$out" || fail "the rootfs systemd did not reach 'running'"
grep -q 'Cannot fork' <<<"$out" || fail "TasksMax=5 was not enforced in the rootfs sandbox"
[ ! -e "$root/etc/taskstorm-probe" ] || fail "a write inside reached the root file system $root"
after=$(find "$root/etc" "$root/var" -printf '%p %s %T@\n' | sort | md5sum)
[ "$before" = "$after" ] || fail "the root file system $root changed"
assert_no_leftovers
echo "ok: rootfs booted, limit enforced, rootfs unchanged, nothing left"
