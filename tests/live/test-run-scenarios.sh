#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live: 'taskstorm run' passes every shipped scenario; the seed loop (and its no-restart variant)
# reproduces, detects, fixes and re-runs the fixture as docker.service (taskstorm-docker.service
# beside a real one); the real stacks (Docker, containerd through ctr) reproduce the real failure and
# the limit that bites a split Docker (containerd's); each storm kind against TasksMax=64 gets its
# first EAGAIN with exactly 64 tasks in the unit (the leader and its tasks are all it holds, so
# the tolerance is 0) and pids.events counts the refusal; the infinity control sees no failure.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ -d /run/systemd/system ] || skip "PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'"
[ "$(id -u)" = 0 ] || skip "storms need root"

cd "$TASKSTORM_SOURCE_ROOT"
# run exits 1 when a scenario FAILs: the verdicts are printed first, so that the log says which.
status=0
json=$("$TASKSTORM" run --json) || status=$?
jq -r '.scenarios[] | "\(.verdict) \(.name) \(.reason // "")"' <<<"$json" || echo "no JSON from run (exit $status)"
[ "$(jq '.summary.PASS' <<<"$json")" = "$(ls scenarios/*.scenario | wc -l)" ] ||
        fail "not every scenario passed (run exit $status): $(jq -c '[.scenarios[] | select(.verdict != "PASS") | {name, verdict, reason, first_error: .loop.first_error}]' <<<"$json" 2>/dev/null)"

for kind in fork thread exec mixed; do
        s=$(jq -c --arg k "$kind" '.scenarios[] | select(.storm.kind == $k and .storm.tasks_max == "64")' <<<"$json")
        [ -n "$s" ] || fail "no $kind scenario against TasksMax=64"
        [ "$(jq -r '.storm.first_failure.errno' <<<"$s")" = EAGAIN ] || fail "$kind: first failure not EAGAIN"
        [ "$(jq -r '.storm.first_failure.pids_current' <<<"$s")" = 64 ] || fail "$kind: pids.current at first EAGAIN != 64"
        [ "$(jq -r '.storm.first_failure.storm_tasks' <<<"$s")" = 64 ] || fail "$kind: storm tasks at first EAGAIN != 64"
        before=$(jq -r '.storm.pids_before.events_max' <<<"$s")
        after=$(jq -r '.storm.pids_after.events_max' <<<"$s")
        [ "$after" -gt "$before" ] || fail "$kind: pids.events max did not grow ($before -> $after)"
        echo "ok: $kind: EAGAIN at 64 tasks, pids.events max $before -> $after"
done

for seed in 01-seed-docker 02-seed-docker-no-restart; do
        l=$(jq -c --arg n "$seed" '.scenarios[] | select(.name == $n) | .loop' <<<"$json")
        [ "$(jq '.containers_failed > 0' <<<"$l")" = true ] || fail "$seed: no container failed at TasksMax=512"
        [ "$(jq -r '"\(.check_verdict) \(.check_cause)"' <<<"$l")" = "affected unit-tasksmax" ] || fail "$seed: check"
        [ "$(jq '.fix_verified and .containers_failed_again == 0' <<<"$l")" = true ] || fail "$seed: after the fix"
        phases=$(jq -r '[.phases[].name] | join(" ")' <<<"$l")
        echo "ok: $seed: $(jq -r '"\(.containers_failed) of 200 failed, then \(.containers_failed_again)"' <<<"$l"); phases: $phases"
done
[[ "$(jq -r '.scenarios[] | select(.name == "01-seed-docker") | [.loop.phases[].name] | join(" ")' <<<"$json")" == *"reload restart"* ]] ||
        fail "01-seed-docker did not reload and restart"
[[ "$(jq -r '.scenarios[] | select(.name == "02-seed-docker-no-restart") | [.loop.phases[].name] | join(" ")' <<<"$json")" != *restart* ]] ||
        fail "02-seed-docker-no-restart restarted"

inj=$(jq -c '.scenarios[] | select(.name == "50-inject-thread-37") | .storm' <<<"$json")
[ "$(jq -r '"\(.first_failure.errno) \(.first_failure.storm_tasks) \(.pids_after.events_max)"' <<<"$inj")" = "EAGAIN 37 0" ] ||
        fail "injection: $(jq -c .first_failure <<<"$inj")"
echo "ok: injected: EAGAIN at exactly the 37th thread, pids.events 0 (no limit hit)"

control=$(jq -c '.scenarios[] | select(.name == "30-infinity-control")' <<<"$json")
[ "$(jq -r '.storm.first_failure' <<<"$control")" = null ] || fail "the infinity control saw a failure"
[ "$(jq -r '.storm.tasks_created' <<<"$control")" = 256 ] || fail "the infinity control did not create its 256 tasks"
echo "ok: infinity control: 256 tasks, no failure"

# The real stacks from the distribution: the limit that bites a split Docker is containerd's.
stack() { jq -c --arg n "$1" '.scenarios[] | select(.name == $n) | .loop' <<<"$json"; }
l=$(stack 03-docker-containerd)
[ "$(jq -r .stack <<<"$l")" = docker ] || fail "03-docker-containerd did not run the docker stack"
[ "$(jq '.containers_failed > 0 and .containers_failed_again == 0 and .fix_verified' <<<"$l")" = true ] ||
        fail "03-docker-containerd: $(jq -c '{containers_failed, containers_failed_again, fix_verified}' <<<"$l")"
first=$(jq -r .first_error <<<"$l")
# What dockerd says depends on where the refused task was: runc's own threads ("OCI runtime create
# failed: runc create failed: ... pthread_create failed: Resource temporarily unavailable"), its
# hook ("fork/exec /proc/N/exe: resource temporarily unavailable", the article's own words), its Go
# runtime aborting on it ("runc did not terminate successfully: exit status 134"), or containerd
# failing to start the shim ("failed to start shim: start failed: : fork/exec
# /usr/bin/containerd-shim-runc-v2: resource temporarily unavailable"). All were seen here; what they
# share is the refusal.
lower=${first,,}
[[ "$lower" == *"resource temporarily unavailable"* || "$lower" == *"runc did not terminate successfully"* ]] ||
        fail "03-docker-containerd: the first failure is not the real one: $first"
[ "$(jq -r '"\(.check_verdict) \(.check_cause)"' <<<"$l")" = "affected unit-tasksmax" ] || fail "03: check on containerd.service"
# check with no unit names containerd.service first, and check docker.service (whose dockerd logs
# the failures) follows the evidence there.
[ "$(jq -r '.machine_check.first' <<<"$l")" = containerd.service ] ||
        fail "03: check of the whole machine put $(jq -r '.machine_check.first' <<<"$l") first"
# "logs 1 failure" or "logs N failures": how many of the refused starts docker logged varies
[[ "$(jq -r '.machine_check.why' <<<"$l")" == "docker.service logs "*" failure"*"; the refusals were in containerd.service, TasksMax=100, "*" refused" ]] ||
        fail "03: the machine check's sentence: $(jq -r '.machine_check.why' <<<"$l")"
[ "$(jq -r .logger_check <<<"$l")" = "docker.service: affected (other-unit-tasksmax, via containerd.service)" ] ||
        fail "03: check docker.service: $(jq -r .logger_check <<<"$l")"
echo "ok: check with no unit: $(jq -r '.machine_check.why' <<<"$l"); $(jq -r .logger_check <<<"$l")"
echo "ok: docker stack, containerd.service at TasksMax=100: $(jq -r '"\(.containers_failed) of \(.containers_asked) failed, then \(.containers_failed_again)"' <<<"$l"): $first"
l=$(stack 04-docker-article-setting)
[ "$(jq '.containers_failed' <<<"$l")" = 0 ] || fail "04: the article's limit on docker.service refused containers"
tasks=$(jq -r .unit_tasks <<<"$l")
[[ "$tasks" =~ containerd\.service\ Tasks:\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 128 ] ||
        fail "04: the containers' tasks are not in containerd.service: $tasks"
echo "ok: docker stack, the article's TasksMax=128 on docker.service: 60 containers start; $tasks"
l=$(stack 05-ctr-containerd)
[ "$(jq '.containers_failed > 0 and .containers_failed_again == 0 and .fix_verified' <<<"$l")" = true ] ||
        fail "05-ctr-containerd: $(jq -c '{containers_failed, containers_failed_again, fix_verified}' <<<"$l")"
echo "ok: ctr stack: $(jq -r '"\(.containers_failed) of \(.containers_asked) failed, then \(.containers_failed_again)"' <<<"$l"): $(jq -r .first_error <<<"$l")"
l=$(stack 06-podman-machine-slice)
[ "$(jq '.containers_failed > 0 and .containers_failed_again == 0 and .fix_verified' <<<"$l")" = true ] ||
        fail "06-podman-machine-slice: $(jq -c '{containers_failed, containers_failed_again, fix_verified}' <<<"$l")"
[ "$(jq -r '.machine_check.first' <<<"$l")" = machine.slice ] ||
        fail "06: check of the whole machine put $(jq -r '.machine_check.first' <<<"$l") first"
[[ "$(jq -r '[.phases[].name] | join(" ")' <<<"$l")" != *restart* ]] || fail "06: machine.slice was restarted"
echo "ok: podman stack, machine.slice at TasksMax=40: $(jq -r '"\(.containers_failed) of \(.containers_asked) failed, then \(.containers_failed_again)"' <<<"$l"): $(jq -r .first_error <<<"$l")"
l=$(stack 07-podman-pids-limit)
[ "$(jq '.containers_failed == .containers_asked and .containers_failed_again == 0 and .fix_verified' <<<"$l")" = true ] ||
        fail "07-podman-pids-limit: $(jq -c '{containers_failed, containers_failed_again, fix_verified}' <<<"$l")"
[[ "$(jq -r .first_error <<<"$l")" == *"Resource temporarily unavailable"* ]] ||
        fail "07: the first failure is not the container's refused fork: $(jq -r .first_error <<<"$l")"
# check with no unit puts a container's own scope first, by its own pids limit, not machine.slice.
jq -e '.machine_check | .verdict == "affected" and .cause == "container-pids-limit" and (.first | test("^libpod-[0-9a-f]{64}\\.scope$"))' \
        <<<"$l" >/dev/null || fail "07: check of the whole machine: $(jq -c .machine_check <<<"$l")"
[ "$(jq -r '.remedy.changed' <<<"$l")" = "the containers' pids limit lifted (pids_limit = 0)" ] ||
        fail "07: the remedy: $(jq -c .remedy <<<"$l")"
echo "ok: podman, each container's pids_limit=16: $(jq -r '"\(.containers_failed) of \(.containers_asked) failed, then \(.containers_failed_again)"' <<<"$l"); check: $(jq -r .machine_check.why <<<"$l")"
