#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: the harness never touches a unit it did not make. A docker.service that systemd knows from
# /lib and that runs (a real one where the distribution's docker.io is installed; else a stand-in
# written to /lib inside the sandbox) must come through the seed scenario untouched: same MainPID,
# same unit file, no file of ours in /etc, its process alive. The scenario still runs and passes,
# with the fixture under a name of its own (taskstorm-docker.service), and says so.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_disposable_systemd
: "${TASKSTORM_SOURCE_ROOT:?}"

unit=docker.service
stand_in= sandbox_dropin=
if ! systemctl cat "$unit" >/dev/null 2>&1; then
        stand_in=/lib/systemd/system/$unit
        printf '[Unit]\nDescription=stand-in for a distribution daemon (taskstorm test)\n[Service]\nExecStart=/bin/sleep infinity\n' \
                >"$stand_in"
else
        # The distribution's own: dockerd as the sandbox can run it (no iptables, no bridge), the
        # user's set-up as far as this test is concerned.
        sandbox_dropin=/run/systemd/system/$unit.d/05-sandbox.conf
        mkdir -p "$(dirname "$sandbox_dropin")"
        printf '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none --ip-masq=false --ip-forward=false --data-root=/var/lib/taskstorm-test-docker\n' \
                >"$sandbox_dropin"
fi
systemctl daemon-reload
cleanup() {
        systemctl stop "$unit" 2>/dev/null || true
        if [ -n "$stand_in" ]; then
                rm -f "$stand_in"
        else
                systemctl stop docker.socket containerd.service 2>/dev/null || true
                rm -rf "$(dirname "$sandbox_dropin")"
        fi
        systemctl daemon-reload
}
trap cleanup EXIT
systemctl start "$unit"
dropins=$(systemctl show -P DropInPaths "$unit")
fragment=$(systemctl show -P FragmentPath "$unit")
main_pid=$(systemctl show -P MainPID "$unit")
sum=$(sha256sum "$fragment")
[ "$main_pid" -gt 0 ] || fail "$unit did not start"
echo "before: $unit from $fragment, MainPID $main_pid"

out=$(mktemp)
set +e
"$TASKSTORM" run --format json "$TASKSTORM_SOURCE_ROOT/scenarios/01-seed-docker.scenario" >"$out"
status=$?
set -e
verdict=$(jq -r '.scenarios[0].verdict' "$out")
ran_as=$(jq -r '.scenarios[0].loop.unit' "$out")
note=$(jq -r '.scenarios[0].loop.unit_note' "$out")
reason=$(jq -r '.scenarios[0].reason' "$out")
echo "the seed scenario: $verdict (exit $status), ran as $ran_as; $note"
[ "$verdict" = PASS ] && [ "$status" = 0 ] || fail "the seed scenario did not pass beside $unit: $verdict: $reason"
[ "$ran_as" = "taskstorm-$unit" ] || fail "the fixture ran as $ran_as, not taskstorm-$unit"
[[ "$note" == *"$unit is systemd's already"*"$fragment"* ]] || fail "the report does not say why it was renamed: $note"

[ "$(systemctl show -P MainPID "$unit")" = "$main_pid" ] || fail "$unit's MainPID changed: it was restarted or stopped"
[ "$(systemctl show -P ActiveState "$unit")" = active ] || fail "$unit is no longer active"
kill -0 "$main_pid" || fail "$unit's process $main_pid is gone"
[ "$(systemctl show -P FragmentPath "$unit")" = "$fragment" ] || fail "$unit is now loaded from another file"
[ "$(sha256sum "$fragment")" = "$sum" ] || fail "$fragment was changed"
[ ! -e "/etc/systemd/system/$unit" ] || fail "a file shadows $unit in /etc/systemd/system"
[ "$(systemctl show -P DropInPaths "$unit")" = "$dropins" ] || fail "$unit's drop-ins changed: $(systemctl show -P DropInPaths "$unit")"
! systemctl cat "taskstorm-$unit" >/dev/null 2>&1 || fail "taskstorm-$unit was left behind"
echo "ok: $unit untouched (MainPID $main_pid, $fragment unchanged, drop-ins unchanged); the fixture ran and went as taskstorm-$unit"
