# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the shell tests: failing with a reason, skipping with a reason (or failing instead
# when TASKSTORM_REQUIRE_LIVE is set, as in CI), and checking that a sandbox left nothing behind.
# Exit statuses follow meson's 'exitcode' protocol: 0 pass, 77 skip, anything else fail.

: "${TASKSTORM:?TASKSTORM must name the taskstorm binary}"

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

skip() {
        if [ -n "${TASKSTORM_REQUIRE_LIVE:-}" ]; then
                fail "would skip, but TASKSTORM_REQUIRE_LIVE forbids it: $*"
        fi
        echo "SKIP: $*"
        exit 77
}

require_root_host() {
        [ "$(id -u)" = 0 ] || skip "needs root to boot sandboxes"
        if [ -d /run/systemd/system ] && [ -z "${TASKSTORM_SANDBOX_ON_SYSTEMD_HOST:-}" ]; then
                skip "PID 1 is systemd here: the sandbox suite is for hosts without it"
        fi
}

# The cgroup directories any sandbox made, anywhere under /sys/fs/cgroup (on cgroup v2 also the
# leaf its caller's processes wait in).
sandbox_cgroups() {
        find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d \( -name 'taskstorm-sandbox-*' -o -name 'taskstorm-caller-*' \) \
                2>/dev/null
}

sandbox_systemds() {
        pgrep -f 'lib/systemd/systemd --system' | grep -vx 1 || true
}

# Waits (bounded, with back-off) until no sandbox systemd runs and no sandbox cgroup is left.
assert_no_leftovers() {
        local delay
        for delay in 0 0.01 0.02 0.05 0.1 0.2 0.5 1 1 1 1; do
                sleep "$delay"
                [ -z "$(sandbox_systemds)" ] && [ -z "$(sandbox_cgroups)" ] && return 0
        done
        fail "left behind: systemd [$(sandbox_systemds | tr '\n' ' ')] cgroups [$(sandbox_cgroups | tr '\n' ' ')]"
}

# expect_error STATUS PATTERN CMD...: CMD must exit with STATUS and print exactly one line on
# stderr matching PATTERN (an extended regular expression).
expect_error() {
        local want=$1 pattern=$2 err status
        shift 2
        err=$(mktemp)
        set +e
        "$@" >/dev/null 2>"$err"
        status=$?
        set -e
        local lines
        lines=$(wc -l <"$err")
        if [ "$status" != "$want" ] || [ "$lines" != 1 ] || ! grep -Eq -- "$pattern" "$err"; then
                echo "command: $*" >&2
                echo "stderr:" >&2
                cat "$err" >&2
                rm -f "$err"
                fail "wanted exit $want and one line matching '$pattern', got exit $status and $lines lines"
        fi
        echo "ok: exit $status: $(cat "$err")"
        rm -f "$err"
}

# pids_file CGROUP FILE: the path of a cgroup's pids file, on cgroup v1 (the pids hierarchy) or v2.
pids_file() {
        if [ -d /sys/fs/cgroup/pids ]; then
                echo "/sys/fs/cgroup/pids$1/$2"
        else
                echo "/sys/fs/cgroup$1/$2"
        fi
}

# For live tests that install units or files: only where the systemd is disposable, the taskstorm
# sandbox (or a VM that says so with TASKSTORM_DISPOSABLE=1), never a user's own machine.
require_disposable_systemd() {
        [ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
        [ "$(id -u)" = 0 ] || skip "installs units: needs root"
        [ "$(cat /run/systemd/container 2>/dev/null)" = taskstorm ] || [ -e /etc/taskstorm-vm ] ||
                [ -n "${TASKSTORM_DISPOSABLE:-}" ] ||
                skip "installs units and files: runs only in the taskstorm sandbox (or with TASKSTORM_DISPOSABLE=1)"
}

# The name the fixture daemon runs under, as the validation loop chooses it: docker.service where
# systemd knows nothing of that name, else taskstorm-docker.service (a real Docker is never
# shadowed). The tests that install the fixture by hand use it too.
fixture_unit() {
        if [ "$(systemctl show -p LoadState --value docker.service 2>/dev/null)" = not-found ] &&
                [ -z "$(systemctl show -p DropInPaths --value docker.service 2>/dev/null)" ]; then
                echo docker.service
        else
                echo taskstorm-docker.service
        fi
}

# install_dockerd_fixture TASKSMAX SOCKET: the dockerd-like fixture ($TSDOCKERD) as $FIXTURE_UNIT
# (set it from fixture_unit) with that TasksMax, listening on SOCKET; started, and waited for
# (bounded) until the socket is there. The caller's cleanup stops and removes the unit.
install_dockerd_fixture() {
        local tasks_max=$1 sock=$2 delay
        [ ! -e "/etc/systemd/system/$FIXTURE_UNIT" ] || fail "$FIXTURE_UNIT exists here already: not replaced"
        printf '[Unit]\nDescription=Docker-like daemon (taskstorm fixture)\n[Service]\nExecStart=%s --socket %s\nTasksMax=%s\n' \
                "$TSDOCKERD" "$sock" "$tasks_max" >"/etc/systemd/system/$FIXTURE_UNIT"
        systemctl daemon-reload
        systemctl start "$FIXTURE_UNIT"
        wait_dockerd_fixture "$sock"
}

# wait_dockerd_fixture SOCKET: waits (bounded, with back-off; times TASKSTORM_TIME_SCALE under
# emulation) until the fixture answers on SOCKET. It has no readiness notification, and after a
# restart the socket file may be the old daemon's, refusing connections until the new one binds.
wait_dockerd_fixture() {
        local sock=$1 delay
        for delay in 0 0.01 0.02 0.05 0.1 0.2 0.5 1 1 1; do
                sleep "$(awk -v d="$delay" -v k="${TASKSTORM_TIME_SCALE:-1}" 'BEGIN { print d * k }')"
                "$TSDOCKERD" client "$sock" ps >/dev/null 2>&1 && return 0
        done
        fail "the fixture daemon does not answer on $sock"
}
