#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Live: `taskstorm run` interrupted many times (TASKSTORM_INTERRUPTIONS, default 12: every signal
at every phase once; 50 for the full run) with SIGINT, SIGTERM and SIGKILL, at a moment of one of
four phases, found by watching what each phase leaves on the machine:
  storm    a scenario's exec storm holds its tasks (its tstask storm-task processes are up),
  check    the seed loop's `check` has the journal open (a journal file among the fds),
  fix      the fix's drop-in exists (set-property done, daemon-reload under way),
  restart  docker.service's main process changed (the fix's restart),
plus a random delay of up to 20 ms. Afterwards: the exit status is 128+N, no storm process and no
taskstorm- unit is left, and docker.service is either gone with every drop-in (SIGINT, SIGTERM: the
loop stops between phases and cleans up) or, after SIGKILL, has a limit that is whole: 512 from its
unit file with no drop-in, or infinity on the bus, in pids.max and in the drop-in, never half."""
import os
import random
import signal
import subprocess
import sys
import time

TASKSTORM = os.environ["TASKSTORM"]
ROOT = os.environ["TASKSTORM_SOURCE_ROOT"]
SEED = os.path.join(ROOT, "scenarios/01-seed-docker.scenario")
HOLD = os.path.join(ROOT, "fixtures/scenarios/hold-exec.scenario")
def fixture_unit():
    """The name the seed scenario's fixture runs under: docker.service where systemd knows nothing of it,
    else taskstorm-docker.service (the loop never shadows a real one)."""
    known = subprocess.run(["systemctl", "show", "-p", "LoadState,DropInPaths", "--value", "docker.service"],
                           capture_output=True, text=True).stdout.split("\n")
    return "docker.service" if known[0] == "not-found" and not known[1].strip() else "taskstorm-docker.service"


UNIT = fixture_unit()
DROPIN = f"/etc/systemd/system.control/{UNIT}.d/50-TasksMax.conf"
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]
PHASES = ["storm", "check", "fix", "restart"]


def skip(why):
    if os.environ.get("TASKSTORM_REQUIRE_LIVE"):
        fail(f"would skip, but TASKSTORM_REQUIRE_LIVE forbids it: {why}")
    print(f"SKIP: {why}")
    sys.exit(77)


def fail(why):
    print(f"FAIL: {why}", file=sys.stderr)
    sys.exit(1)


def run(*argv):
    return subprocess.run(argv, capture_output=True, text=True).stdout.strip()


def storm_holders():
    n = 0
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                n += f.read().startswith(b"tstask\0storm-task\0")
        except OSError:
            pass
    return n


def has_journal_open(pid):
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("/run/log/journal/"):
                return True
    except OSError:
        pass
    return False


def docker_procs():
    try:
        with open(f"/sys/fs/cgroup/pids/system.slice/{UNIT}/cgroup.procs") as f:
            return f.read().split()
    except OSError:
        return []


def reached(phase, pid, first_daemon):
    if phase == "storm":
        return storm_holders() >= 31
    if phase == "check":  # the first check, before the fix (the loop checks again after the re-run)
        return has_journal_open(pid) and not os.path.exists(DROPIN)
    if phase == "fix":
        return os.path.exists(DROPIN)
    procs = docker_procs()
    return bool(first_daemon) and bool(procs) and procs[0] != first_daemon


def units_left():
    return run("systemctl", "list-units", "--all", "--plain", "--no-legend", "taskstorm-*.scope", "taskstorm-*.slice")


def remove_docker():
    subprocess.run(["systemctl", "stop", UNIT], capture_output=True)
    for p in (f"/etc/systemd/system/{UNIT}", DROPIN, f"/run/tsdockerd-{UNIT}.sock"):
        try:
            os.unlink(p)
        except OSError:
            pass
    subprocess.run(["rm", "-rf", f"/etc/systemd/system.control/{UNIT}.d", f"/var/lib/taskstorm/fix/{UNIT}"])
    subprocess.run(["systemctl", "daemon-reload"])


def check_docker(sig):
    """After the run: docker.service gone, or (SIGKILL) its limit whole. Returns what was seen."""
    known = run("systemctl", "show", "-p", "LoadState", "--value", UNIT)
    if known == "not-found":
        if os.path.exists(DROPIN):
            fail(f"{sig.name}: the unit is gone but its drop-in is left")
        return "removed"
    if sig != signal.SIGKILL:
        fail(f"{sig.name}: {UNIT} is left ({known}): the loop did not clean up")
    bus = run("systemctl", "show", "-p", "TasksMax", "--value", UNIT)
    cg = run("systemctl", "show", "-p", "ControlGroup", "--value", UNIT)
    try:
        with open(f"/sys/fs/cgroup/pids{cg}/pids.max") as f:
            pids_max = f.read().strip()
    except OSError:
        pids_max = None  # stopped: no cgroup
    dropin = open(DROPIN).read() if os.path.exists(DROPIN) else ""
    whole = (bus == "512" and pids_max in ("512", None) and "TasksMax" not in dropin) or \
            (bus == "infinity" and pids_max in ("max", None) and "TasksMax=infinity" in dropin)
    if not whole:
        fail(f"SIGKILL left {UNIT} half fixed: bus {bus}, pids.max {pids_max}, drop-in {dropin!r}")
    return f"left by SIGKILL with TasksMax={bus}, whole"


def main():
    if not os.path.isdir("/run/systemd/system"):
        skip("PID 1 is not systemd: run the live suite inside 'taskstorm sandbox'")
    if os.geteuid() != 0:
        skip("storms and units need root")
    if run("systemctl", "show", "-p", "LoadState", "--value", UNIT) != "not-found":
        skip(f"a {UNIT} exists here: this test installs its own")
    n = int(os.environ.get("TASKSTORM_INTERRUPTIONS", "12"))
    rng = random.Random(int(os.environ.get("TASKSTORM_SEED", "1")))
    hit = {}
    for i in range(n):
        sig = SIGNALS[i % 3]
        phase = PHASES[(i // 3) % 4]
        scenario = HOLD if phase == "storm" else SEED
        # The first check lasts a few milliseconds: a run whose check went by unseen is killed,
        # cleaned up and tried again (up to five times), so that every phase is really caught.
        for attempt in range(5):
            proc = subprocess.Popen([TASKSTORM, "run", scenario], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            first_daemon, seen, deadline = None, False, time.monotonic() + 30
            while proc.poll() is None and time.monotonic() < deadline:
                if first_daemon is None and docker_procs():
                    first_daemon = docker_procs()[0]
                if reached(phase, proc.pid, first_daemon):
                    seen = True
                    break
                if phase == "check" and os.path.exists(DROPIN):
                    break  # the check went by
            if seen or attempt == 4:
                break
            proc.kill()
            proc.wait()
            remove_docker()
        time.sleep(rng.uniform(0, 0.02))
        if proc.poll() is not None:
            fail(f"#{i} {phase}: the run ended (exit {proc.returncode}) before the phase was seen")
        proc.send_signal(sig)
        status = proc.wait(timeout=120)
        if status != -sig and status != 128 + sig:
            fail(f"#{i} {sig.name} at {phase}: exit status {status}, wanted {128 + sig}")
        for _ in range(100):
            if storm_holders() == 0 and not units_left():
                break
            time.sleep(0.05)
        if storm_holders():
            fail(f"#{i} {sig.name} at {phase}: storm processes left")
        if units_left():
            fail(f"#{i} {sig.name} at {phase}: units left: {units_left()}")
        state = check_docker(sig) if scenario == SEED else "no unit"
        remove_docker()
        hit[(sig.name, phase)] = hit.get((sig.name, phase), 0) + seen
        print(f"ok {i + 1}: {sig.name} at {phase} ({'seen' if seen else 'NOT seen'}): exit {128 + sig}, "
              f"nothing left, {UNIT} {state}")
    missed = [f"{s} at {p}" for (s, p), k in hit.items() if k == 0]
    if missed:
        fail(f"phases never caught: {', '.join(missed)}")
    print(f"ok: {n} interruptions, every signal at every phase caught")


if __name__ == "__main__":
    main()
