#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A qualification check can fail: in a sandbox whose pids controller is read-only (as systemd-nspawn
# leaves cgroup v1 controllers), systemd accepts TasksMax= but cannot enforce it, and qualify must
# say FAIL with the evidence: every task of the storm created, no pids files in the unit's cgroup.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host
[ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] ||
        skip "--pids-read-only is cgroup v1's broken machine (systemd-nspawn's read-only pids hierarchy); cgroup v2 has none"

set +e
json=$("$TASKSTORM" sandbox --pids-read-only -- "$TASKSTORM" qualify --json --check scope-limit --check service-limit)
status=$?
set -e
jq -r '.checks[] | "\(.verdict) \(.name): \(.reason)\n    \(.evidence)"' <<<"$json"
[ "$status" = 1 ] || fail "exit $status, wanted 1 (FAIL)"
jq -e '.checks[0] | .verdict == "FAIL" and (.reason | test("all 24 tasks were created: TasksMax=16 was not enforced"))
       and (.evidence | test("pids files unreadable"))' <<<"$json" >/dev/null || fail "scope-limit did not FAIL with evidence"
jq -e '.checks[1] | .verdict == "FAIL" and (.reason | test("no pids files"))
       and (.evidence | test("forked 24 of 24"))' <<<"$json" >/dev/null || fail "service-limit did not FAIL with evidence"
echo "ok: with the pids controller read-only, scope-limit and service-limit FAIL with their evidence"
assert_no_leftovers
