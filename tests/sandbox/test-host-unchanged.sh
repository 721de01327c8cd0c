#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A sandbox run changes nothing on the host: the commands inside write /etc, the journal,
# /var/lib/systemd and a persistent set-property drop-in, and boot empties /tmp as Debian's
# tmpfiles would; afterwards the host's /etc, /var/log/journal, /var/lib/systemd, /run, /dev and
# /sys/fs/cgroup are as before, a marker in /tmp survives, and no process or cgroup is left.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host

snapshot() {
        # Names, types, sizes and times where nothing else writes; names and types in /dev and
        # /run, whose device and lock files other programs touch.
        # On a systemd host its own journald writes /var/log/journal: there, the probe's line
        # must not be in the host's journal instead (below).
        local journal=/var/log/journal
        [ ! -d /run/systemd/system ] || journal=
        find /etc $journal /var/lib/systemd -printf '%p %y %s %T@\n' 2>/dev/null | sort
        find /run /dev /sys/fs/cgroup -maxdepth 2 -not -path '/dev/pts/*' -printf '%p %y\n' 2>/dev/null | sort
        grep -E ' /(sys|dev|run|tmp)(/| )' /proc/self/mountinfo | awk '{print $5, $6, $NF}' | sort
}

marker=$(mktemp /tmp/taskstorm-marker.XXXXXX)
trap 'rm -f "$marker"' EXIT
before=$(snapshot)

# The sandbox's root is an overlay of the host's root file system: a /tmp of its own (a tmpfs, as
# trixie and later mount it) is not in it, and the marker is then only checked to survive.
tmp_in_root=yes
! mountpoint -q /tmp || tmp_in_root=no
"$TASKSTORM" sandbox -- sh -ec '
        [ "$2" = no ] || test -e "$1"                 # the host /tmp is visible...
        touch /etc/taskstorm-probe /var/lib/systemd/taskstorm-probe
        printf "[Service]\nExecStart=/bin/sleep infinity\n" >/etc/systemd/system/taskstorm-probe.service
        systemctl daemon-reload
        systemctl start taskstorm-probe.service
        systemctl set-property taskstorm-probe.service TasksMax=33
        test -e /etc/systemd/system.control/taskstorm-probe.service.d/50-TasksMax.conf
        systemd-cat -t taskstorm-probe echo "a journal line"
        journalctl --sync
        journalctl --quiet -t taskstorm-probe | grep -q "a journal line"
        rm -f "$1"                                    # ...and its removal stays inside
' sh "$marker" "$tmp_in_root"

after=$(snapshot)
[ -e "$marker" ] || fail "the marker $marker in /tmp is gone"
[ ! -e /etc/taskstorm-probe ] || fail "/etc/taskstorm-probe reached the host"
[ ! -e /etc/systemd/system/taskstorm-probe.service ] || fail "a unit file reached the host"
[ ! -e /etc/systemd/system.control ] || fail "/etc/systemd/system.control reached the host"
if [ -d /run/systemd/system ]; then
        [ -z "$(journalctl --quiet -t taskstorm-probe 2>/dev/null)" ] || fail "the sandbox's journal line reached the host's journal"
fi
if [ "$before" != "$after" ]; then
        diff <(echo "$before") <(echo "$after") >&2 || true
        fail "the host changed"
fi
assert_no_leftovers
echo "ok: host unchanged, marker kept, nothing left"
