#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: the `taskstorm check` and `taskstorm fix` commands a user types, on Debian's real Docker
# (docker.io, containerd, runc), set up here by hand as a user has it, not through the harness's own
# stack code: containerd.service at TasksMax=100, containers asked for until some fail. Then
#   - `check` with no unit ranks containerd.service first, affected by its TasksMax, and says that
#     docker.service logs the failures while the refusals were containerd's (exit 10);
#   - `check docker.service` (the unit the article names) follows the evidence to containerd.service;
#   - `fix containerd.service` lifts the limit, the same containers all start, and check of
#     docker.service is no longer affected; `fix --undo` puts the limit back as it was.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_disposable_systemd
: "${TSTASK:?}"
for p in dockerd docker containerd runc; do
        command -v "$p" >/dev/null || skip "$p is not installed (ci/deps installs docker.io, containerd and runc)"
done

image=tscheck/hold:latest
label=tscheck
containers=24
docker_dropin=/run/systemd/system/docker.service.d/05-tscheck-sandbox.conf
limit_dropin=/run/systemd/system/containerd.service.d/05-tscheck-limit.conf
for unit in docker.service containerd.service; do
        [ "$(systemctl show -P ActiveState "$unit")" = inactive ] ||
                fail "$unit is running already (left by an earlier test?): this test starts its own"
done

# runc can leave a refused container's cgroup frozen, and a frozen task cannot die: v1's
# freezer.state, v2's cgroup.freeze.
thaw_all() {
        if [ -d /sys/fs/cgroup/freezer ]; then
                find /sys/fs/cgroup/freezer -name freezer.state 2>/dev/null | while read -r f; do
                        [ "$(cat "$f")" = THAWED ] || echo THAWED >"$f" 2>/dev/null || true
                done
        fi
        if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
                find /sys/fs/cgroup -name cgroup.freeze 2>/dev/null | while read -r f; do
                        [ "$(cat "$f")" = 0 ] || echo 0 >"$f" 2>/dev/null || true
                done
        fi
}

# Every container of the test removed, with back-off: at the limit, containerd's shims (in
# containerd.service's cgroup) may lack the thread to reap one at once ("PID ... is zombie and can
# not be killed"), and a refused one may be frozen. Names those left and returns 1, if any.
remove_containers() {
        local delay ids
        for delay in 0 0.2 0.5 1 1 2 2 5 5 10; do
                sleep "$delay"
                ids=$(docker ps -aq --filter "label=$label" 2>/dev/null)
                [ -n "$ids" ] || return 0
                thaw_all
                xargs -r docker rm -f <<<"$ids" >/dev/null 2>&1 || true
        done
        ids=$(docker ps -aq --filter "label=$label" 2>/dev/null)
        [ -z "$ids" ] || { echo "left: $(tr '\n' ' ' <<<"$ids")" >&2; return 1; }
}

cleanup() {
        remove_containers || true
        systemctl stop docker.service docker.socket containerd.service 2>/dev/null || true
        thaw_all
        "$TASKSTORM" fix --undo containerd.service >/dev/null 2>&1 || true
        rm -rf "$(dirname "$docker_dropin")" "$(dirname "$limit_dropin")" /var/lib/tscheck-docker
        systemctl daemon-reload
        systemctl reset-failed docker.service containerd.service 2>/dev/null || true
}
trap cleanup EXIT

# dockerd as the sandbox can run it (no iptables, no bridge, no overlayfs), and the limit.
mkdir -p "$(dirname "$docker_dropin")" "$(dirname "$limit_dropin")"
printf '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none --ip-masq=false --ip-forward=false --data-root=/var/lib/tscheck-docker\n' \
        >"$docker_dropin"
printf '[Service]\nTasksMax=100\n' >"$limit_dropin"
systemctl daemon-reload
systemctl start containerd.service docker.service
for delay in 0 0.1 0.2 0.5 1 1 2 2 5 5 10; do
        sleep "$delay"
        docker version >/dev/null 2>&1 && break
done
docker version >/dev/null 2>&1 || fail "dockerd did not answer"
img=$(mktemp -d)
cp "$TSTASK" "$img/tstask"
tar -C "$img" -c tstask | docker import - "$image" >/dev/null
rm -rf "$img"

# ask_containers N: N containers, four at a time as a script would; "started failed" on stdout.
ask_containers() {
        local n=$1 dir i
        dir=$(mktemp -d)
        for i in $(seq 1 "$n"); do
                (docker run -d --network none --label "$label" --name "tscheck-$i" "$image" /tstask threads 3 \
                        >/dev/null 2>&1 && touch "$dir/ok-$i" || touch "$dir/fail-$i") &
                [ $((i % 4)) != 0 ] || wait
        done
        wait
        echo "$(find "$dir" -name 'ok-*' | wc -l) $(find "$dir" -name 'fail-*' | wc -l)"
        rm -rf "$dir"
}

# run_check ARGS...: taskstorm check, its output in $out and its exit status in $status.
run_check() {
        set +e
        out=$("$TASKSTORM" check "$@")
        status=$?
        set -e
}
fail_with() {
        echo "$out" >&2
        fail "$@"
}

read -r started failed < <(ask_containers "$containers")
echo "containerd.service at TasksMax=100: $started of $containers containers started, $failed failed"
[ "$failed" -gt 0 ] || fail "no container failed under containerd.service's TasksMax=100"
# dockerd's lines about them reach the journal a little later than docker run returns.
for delay in 0 0.1 0.2 0.5 1 1 2 2; do
        sleep "$delay"
        journalctl --no-pager -q -o cat -u docker.service | grep -qi "resource temporarily unavailable\|runc did not terminate" && break
done

# 1. check with no unit: containerd.service first, and the sentence that ties dockerd's lines to it.
run_check --json
echo "check --json (exit $status): $(jq -c '.binds[0] | {name, verdict, cause, pids_max, refused}' <<<"$out")"
[ "$status" = 10 ] || fail_with "check: exit $status, wanted 10 (affected)"
jq -e '.binds[0] | .name == "containerd.service" and .verdict == "affected" and .cause == "unit-tasksmax" and
        .pids_max == 100 and .refused >= 1' <<<"$out" >/dev/null || fail_with "containerd.service is not first, affected"
sentence=$(jq -r '.binds[0].logged_by[] | select(.unit == "docker.service") | .sentence' <<<"$out")
[[ "$sentence" =~ ^docker\.service\ logs\ [0-9]+\ failures?\;\ the\ refusals\ were\ in\ containerd\.service,\ TasksMax=100,\ [0-9]+\ refused$ ]] ||
        fail_with "the sentence: '$sentence'"
[ "$(jq -r '.binds[0].fix' <<<"$out")" = "systemctl set-property containerd.service TasksMax=infinity" ] ||
        fail_with "fix: $(jq -r '.binds[0].fix' <<<"$out")"
run_check
grep -qxF "1. containerd.service: affected (cause: unit-tasksmax)" <<<"$out" || fail_with "check (text) does not rank containerd.service first"
echo "ok: check: containerd.service first; $sentence"

# 2. check of the unit the article names follows the evidence.
run_check --json docker.service
echo "check --json docker.service (exit $status): $(jq -c '.units[0] | {verdict, cause, via}' <<<"$out")"
[ "$status" = 10 ] || fail_with "check docker.service: exit $status, wanted 10"
jq -e '.units[0] | .verdict == "affected" and .cause == "other-unit-tasksmax" and .via == "containerd.service"' \
        <<<"$out" >/dev/null || fail_with "check docker.service does not name containerd.service"
echo "ok: check docker.service: affected, via containerd.service"

# 3. fix containerd.service; the same containers all start; docker.service is not affected any more.
remove_containers || fail "containers left after docker rm -f"
set +e
fix_out=$("$TASKSTORM" fix containerd.service 2>&1)
fix_status=$?
set -e
echo "$fix_out"
[ "$fix_status" = 0 ] || fail "fix containerd.service: exit $fix_status"
[ "$(systemctl show -P TasksMax containerd.service)" = infinity ] || fail "containerd.service's TasksMax is not infinity"
for delay in 0 0.1 0.2 0.5 1 1 2 2 5; do
        sleep "$delay"
        docker version >/dev/null 2>&1 && break
done
read -r started failed < <(ask_containers "$containers")
echo "after the fix: $started of $containers started, $failed failed"
[ "$failed" = 0 ] || fail "after the fix $failed containers still failed"
run_check --json docker.service
[ "$status" = 0 ] || fail_with "check docker.service after the fix: exit $status, wanted 0"
echo "ok: after fix containerd.service: $containers of $containers start; check docker.service: $(jq -r '.units[0].verdict' <<<"$out")"

# 4. --undo: the limit as it was.
remove_containers || fail "containers left after docker rm -f"
"$TASKSTORM" fix --undo containerd.service >/dev/null
[ "$(systemctl show -P TasksMax containerd.service)" = 100 ] || fail "fix --undo did not restore TasksMax=100"
echo "ok: fix --undo containerd.service: TasksMax=100 again"
