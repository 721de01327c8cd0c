#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# As a user who is not root, every verb that needs root fails at once (exit 4) with one line
# saying what root is needed for, and does nothing: no sandbox booted, no cgroup, no file. The
# verbs that do not need root (env, check --log, inject) work.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host
id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null || skip "needs the user nobody and setpriv (util-linux)"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
snapshot() { find /etc/systemd /run/systemd /sys/fs/cgroup -maxdepth 3 -name '*taskstorm*' 2>/dev/null | sort; }
before=$(snapshot)

expect_error 4 "'taskstorm sandbox' needs root, to make namespaces, mounts and cgroups and boot systemd; nothing was done" \
        as_nobody "$TASKSTORM" sandbox -- true
expect_error 4 "'taskstorm storm' needs root, to make units through systemd's private bus" \
        as_nobody "$TASKSTORM" storm --kind fork --tasks-max 5
expect_error 4 "'taskstorm run' needs root, to make and install units" \
        as_nobody "$TASKSTORM" run "$TASKSTORM_SOURCE_ROOT/scenarios/10-fork-64.scenario"
expect_error 4 "'taskstorm fix' needs root, to change the unit's properties and write its drop-in" \
        as_nobody "$TASKSTORM" fix docker.service
expect_error 4 "'taskstorm qualify' needs root, to make units and set their properties" as_nobody "$TASKSTORM" qualify
expect_error 4 "'taskstorm check' needs root to read cgroups, /proc and the journal \(or use --log FILE\)" \
        as_nobody "$TASKSTORM" check docker.service

env_text=$(as_nobody "$TASKSTORM" env) || fail "env as nobody"
# ... and, where the verbs would boot a sandbox (PID 1 is not systemd), does not promise nobody one
# that the root check would refuse. (On a systemd host it says "not needed".)
sandbox_line=$(grep '^  sandbox:' <<<"$env_text")
case "$sandbox_line" in
*"will boot"*) [[ $sandbox_line == *"as root, "* ]] || fail "env as nobody: $sandbox_line" ;;
*"not needed"*) [ -d /run/systemd/system ] || fail "env as nobody, PID 1 not systemd: $sandbox_line" ;;
*) fail "env as nobody: $sandbox_line" ;;
esac
set +e
as_nobody "$TASKSTORM" check --log "$TASKSTORM_SOURCE_ROOT/fixtures/bundles/at-risk.txt" >/dev/null
status=$?
set -e
[ "$status" = 11 ] || fail "check --log as nobody: exit $status, wanted 11 (at-risk)"
as_nobody "$TASKSTORM" inject --nth 1 -- true 2>/dev/null || fail "inject as nobody"
echo "ok: env, check --log and inject work without root"

[ "$(snapshot)" = "$before" ] || fail "the machine changed"
assert_no_leftovers
echo "ok: nothing was done by the refused verbs"
