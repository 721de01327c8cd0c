#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: inside a systemd-booted environment (the sandbox in CI), 'taskstorm env --json' reports
# PID 1 as systemd, reaches it over the bus, and finds the pids controller enforceable.
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
