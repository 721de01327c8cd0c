#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: inside a systemd-booted environment (the sandbox in CI), 'taskstorm env --json' reports
# PID 1 as systemd, reaches it over the bus, and finds the pids controller enforceable: on cgroup
# v1 in a child cgroup of its own, on cgroup v2 (where a process's own cgroup passes no controller
# to a child) in a transient scope, which is gone afterwards.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "the enforcement probe needs root"

json=$("$TASKSTORM" env --json)
echo "$json"
check() {
        local got
        got=$(jq -r "$1" <<<"$json")
        [ "$got" = "$2" ] || fail "$1 is '$got', wanted '$2'"
        echo "ok: $1 = $got"
}
check '.pid1.is_systemd' true
check '.systemd.reachable' true
check '.pids_controller.present' true
check '.pids_controller.enforcement' enforced
check '.pids_controller.enforced' true
check '.sandbox.needed' false
check '.sandbox.why' 'PID 1 is systemd'
version=$(jq -r '.systemd.version' <<<"$json")
[ -n "$version" ] && [ "$version" != null ] || fail "no systemd version"
reason=$(jq -r '.pids_controller.reason' <<<"$json")
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
        [[ "$reason" == "probed in a transient scope:"* ]] || fail "cgroup v2: the probe did not run in a scope: $reason"
else
        [[ "$reason" == "probed in a child cgroup:"* ]] || fail "cgroup v1: the probe did not run in a child cgroup: $reason"
fi
echo "ok: $reason"
left=$(systemctl list-units --all --no-legend 'taskstorm-probe-*')
[ -z "$left" ] || fail "the probe's scope was left: $left"
echo "ok: no probe scope left"
