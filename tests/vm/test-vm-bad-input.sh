#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bad input to `taskstorm vm` gets one line naming the problem and its exit status, and never boots
# a machine: no qemu runs and no control directory is left.
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

empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
before=$(control_dirs)

expect_error 2 'No command given' "$TASKSTORM" vm
expect_error 2 'No command given' "$TASKSTORM" vm --
expect_error 2 '--release jessie: not a release with a VM image' "$TASKSTORM" vm --release jessie -- true
expect_error 2 '--kernel jessie: not a release with a VM image' "$TASKSTORM" vm --kernel jessie -- true
expect_error 2 '--cgroup v3: v2 or v1' "$TASKSTORM" vm --cgroup v3 -- true
expect_error 2 '--image relative: not an absolute path' "$TASKSTORM" vm --image relative -- true
expect_error 2 '--image /etc/hostname: not a directory' "$TASKSTORM" vm --image /etc/hostname -- true
expect_error 2 '--bind /nonexistent: not a directory' "$TASKSTORM" vm --bind /nonexistent -- true
expect_error 2 '--boot-timeout 0: not a number of seconds' "$TASKSTORM" vm --boot-timeout 0 -- true
expect_error 2 '--timeout abc: not a number of seconds' "$TASKSTORM" vm --timeout abc -- true
expect_error 2 '--memory 1: not a size in MiB' "$TASKSTORM" vm --memory 1 -- true
expect_error 2 '--cpus 0: not a number' "$TASKSTORM" vm --cpus 0 -- true
expect_error 2 '--cgroup given twice' "$TASKSTORM" vm --cgroup v2 --cgroup v1 -- true
expect_error 2 '--image and --release both name the image' "$TASKSTORM" vm --image "$empty" --release sid -- true
expect_error 5 "No VM image in $empty" "$TASKSTORM" vm --image "$empty" -- true
# --kernel: the release's image must be there, and its initrd must load 9p itself
expect_error 5 "--kernel trixie: no VM image in $empty/trixie" \
        env TASKSTORM_VM_CACHE="$empty" "$TASKSTORM" vm --kernel trixie -- true
mkdir "$empty/trixie"
echo x >"$empty/trixie/vmlinuz"
echo x >"$empty/trixie/initrd.img"
expect_error 5 "--kernel trixie: the initrd in $empty/trixie does not load 9p itself" \
        env TASKSTORM_VM_CACHE="$empty" "$TASKSTORM" vm --kernel trixie -- true
# an image of systemd 258 or later cannot boot on cgroup v1
echo 262.1-1 >"$empty/systemd-version"
expect_error 2 '--cgroup v1: the image.s systemd 262.1-1 runs on cgroup v2 only' "$TASKSTORM" vm --image "$empty" --cgroup v1 -- true

pgrep -f 'mount_tag=tsctl' >/dev/null && fail "a taskstorm VM runs after bad input"
after=$(control_dirs)
[ "$after" = "$before" ] || fail "bad input left a control directory in /tmp"
echo "ok: no machine booted, nothing left"
