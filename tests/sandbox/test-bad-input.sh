#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bad command lines get one line on stderr naming the problem and a documented exit status, and
# leave nothing behind.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host

empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT

expect_error 2 '--root /nonexistent: No such file or directory' "$TASKSTORM" sandbox --root /nonexistent -- true
expect_error 2 '--root relative/dir: not an absolute path' "$TASKSTORM" sandbox --root relative/dir -- true
expect_error 2 '--root /etc/hostname: not a directory' "$TASKSTORM" sandbox --root /etc/hostname -- true
expect_error 5 "No systemd in $empty" "$TASKSTORM" sandbox --root "$empty" -- true
expect_error 2 'No command given' "$TASKSTORM" sandbox
expect_error 2 'No command given' "$TASKSTORM" sandbox --
expect_error 2 "Unknown option '--frobnicate'" "$TASKSTORM" sandbox --frobnicate -- true
expect_error 2 "Option '--root' needs a value" "$TASKSTORM" sandbox --root
expect_error 2 '--boot-timeout abc: not a number' "$TASKSTORM" sandbox --boot-timeout abc -- true
expect_error 2 '--boot-timeout 0: not a number' "$TASKSTORM" sandbox --boot-timeout 0 -- true
expect_error 2 '--bind /nonexistent: No such file' "$TASKSTORM" sandbox --bind /nonexistent -- true
expect_error 127 'no-such-command: command not found' "$TASKSTORM" sandbox -- no-such-command
touch "$empty/not-executable"
# Bound in: where the host's /tmp is a file system of its own, the sandbox's root does not show it.
expect_error 126 "Failed to execute $empty/not-executable in the sandbox: Permission denied" \
        "$TASKSTORM" sandbox --bind "$empty" -- "$empty/not-executable"
expect_error 2 "Unknown verb 'frobnicate'" "$TASKSTORM" frobnicate
expect_error 2 'No verb given' "$TASKSTORM"
expect_error 2 "Unknown option '--frobnicate'" "$TASKSTORM" --frobnicate
expect_error 2 "Unknown option '--frobnicate'" "$TASKSTORM" env --frobnicate
expect_error 2 '--check frobnicate: no such check' "$TASKSTORM" qualify --check frobnicate
expect_error 2 '--format xml: expected text, json or tap' "$TASKSTORM" qualify --format xml
expect_error 2 "'taskstorm qualify' takes no arguments, got 'extra'" "$TASKSTORM" qualify extra
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
        expect_error 4 'needs root' setpriv --reuid=nobody --regid=nogroup --clear-groups "$TASKSTORM" sandbox -- true
        expect_error 4 'needs root' setpriv --reuid=nobody --regid=nogroup --clear-groups "$TASKSTORM" qualify
fi
assert_no_leftovers
