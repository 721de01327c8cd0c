/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The validation loop: the vendor article's failure reproduced on a daemon, detected, fixed and
 * proved fixed, with the detection and remediation module doing the work it ships to users. The
 * unit it installs is removed on every path. */
#include <fcntl.h>
#include <poll.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "bus.h"
#include "check-live.h"
#include "fileio.h"
#include "fix.h"
#include "loop.h"
#include "macro.h"
#include "pids.h"
#include "unit.h"

#define JOB_TIMEOUT (90 * USEC_PER_SEC)

static const char *const loop_phases[_TS_LOOP_PHASE_MAX] = {
        [TS_LOOP_INSTALL] = "install",     [TS_LOOP_REPRODUCE] = "reproduce", [TS_LOOP_DETECT] = "detect",
        [TS_LOOP_SET_PROPERTY] = "set-property", [TS_LOOP_RELOAD] = "reload", [TS_LOOP_RESTART] = "restart",
        [TS_LOOP_VERIFY] = "verify",       [TS_LOOP_RERUN] = "re-run",        [TS_LOOP_CLEANUP] = "cleanup",
};

const char *ts_loop_phase_to_string(TsLoopPhase p) {
        if (p < 0 || p >= _TS_LOOP_PHASE_MAX)
                return NULL;
        return loop_phases[p];
}

int ts_loop_in_sandbox(void) {
        _cleanup_(freep) char *container = NULL;
        return ts_read_one_line_file("/run/systemd/container", &container) >= 0 && streq(container, "taskstorm");
}

void ts_loop_report_done(TsLoopReport *r) {
        ts_samples_done(&r->samples);
}

/* A stop signal is waiting in the CLI's signalfd (read by the CLI, not here). */
static bool cancel_pending(int cancel_fd) {
        struct pollfd p = { .fd = cancel_fd, .events = POLLIN };
        return cancel_fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* Tells progress which phase begins, and returns its start. */
static nsec_t phase_begin(TsProgress *progress, TsLoopPhase p) {
        ts_progress_phase(progress, loop_phases[p]);
        return ts_now_ns();
}

static void phase_done(TsLoopReport *r, TsLoopPhase p, nsec_t start) {
        ts_timing_end(&r->phases[p], start);
}

static int socket_path(const TsScenario *s, char *buf, size_t size) {
        return path_printf(buf, size, "/run/taskstorm-%s.sock", s->daemon_unit);
}

/* One request to the daemon: "run N" -> "started S failed F containers C first_failure_ns T". */
static int ask(const char *path, const char *request, uint64_t *ret_started, uint64_t *ret_failed,
               nsec_t *ret_first_failure) {
        _cleanup_(closep) int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (fd < 0)
                return negative_errno();
        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
                return negative_errno();
        /* One write: the daemon answers the first line it reads and closes the connection. */
        char line[128];
        int n = snprintf(line, sizeof line, "%s\n", request);
        if (n < 0 || (size_t)n >= sizeof line)
                return -EINVAL;
        if (send(fd, line, (size_t)n, MSG_NOSIGNAL) != n)
                return -EIO;
        char reply[256];
        size_t got = 0;
        ssize_t k;
        while (got < sizeof reply - 1 && (k = read(fd, reply + got, sizeof reply - 1 - got)) > 0)
                got += (size_t)k;
        reply[got] = 0;
        if (!ret_started)
                return 0;
        uint64_t first = 0;
        if (sscanf(reply, "started %" SCNu64 " failed %" SCNu64 " containers %*u first_failure_ns %" SCNu64,
                   ret_started, ret_failed, &first) < 2)
                return -EBADMSG;
        if (ret_first_failure)
                *ret_first_failure = first;
        return 0;
}

/* Waits, with bounded back-off, until the daemon answers: it has no readiness notification, and a
 * socket file may be an old one (after a restart, before the new daemon has bound it). */
static int wait_daemon(const char *path) {
        usec_t delay = USEC_PER_MSEC;
        for (int i = 0; i < 40; i++) {
                if (ask(path, "ps", NULL, NULL, NULL) >= 0)
                        return 0;
                ts_sleep_backoff(&delay, 200 * USEC_PER_MSEC);
        }
        return -ETIMEDOUT;
}

/* The name the fixture runs under: the scenario's, where systemd knows nothing of it (the sandbox
 * of a machine without Docker), else "taskstorm-<name>", so that a real docker.service is never
 * shadowed, stopped or restarted; note says why it was renamed. -EEXIST: both names are known. */
static int choose_unit(sd_bus *bus, const char *wanted, char *ret, size_t size, char *note, size_t note_size) {
        TsUnitPresence p;
        int r = ts_unit_presence(bus, wanted, &p);
        if (r < 0)
                return r;
        if (!p.known)
                return path_printf(ret, size, "%s", wanted);
        char what[768];
        ts_unit_presence_format(&p, what, sizeof what);
        r = path_printf(ret, size, "taskstorm-%s", wanted);
        if (r < 0)
                return r;
        if (snprintf(note, note_size, "%s is systemd's already (%s): left alone, the fixture ran as %s", wanted,
                     what, ret) < 0)
                note[0] = 0; /* cut short when paths are long: it is only a note */
        r = ts_unit_presence(bus, ret, &p);
        if (r < 0)
                return r;
        return p.known ? -EEXIST : 0;
}

static int install(sd_bus *bus, const TsScenario *s, const char *daemon_path) {
        char unit_file[512], sock[256], limit[32], text[1024];
        int r = path_printf(unit_file, sizeof unit_file, "/etc/systemd/system/%s", s->daemon_unit);
        if (r >= 0)
                r = socket_path(s, sock, sizeof sock);
        if (r < 0)
                return r;
        if (access(unit_file, F_OK) == 0)
                return -EEXIST; /* a file systemd has not read yet: still never replaced */
        ts_tasks_limit_format(&s->daemon_tasks_max, limit, sizeof limit);
        snprintf(text, sizeof text,
                 "# Installed by taskstorm for scenario %s; removed when it ends.\n"
                 "[Unit]\nDescription=Docker-like daemon (taskstorm fixture)\n"
                 "[Service]\nExecStart=%s --socket %s\nTasksMax=%s\n",
                 s->name, daemon_path, sock, limit);
        r = ts_write_new_file(unit_file, text);
        if (r < 0)
                return r;
        (void)unlink(sock); /* an old daemon's */
        r = ts_manager_reload(bus, JOB_TIMEOUT);
        if (r >= 0)
                r = ts_unit_job(bus, "StartUnit", s->daemon_unit, "replace", JOB_TIMEOUT);
        if (r >= 0)
                r = wait_daemon(sock);
        return r;
}

/* Everything install and the fix made: the unit stopped, its file, drop-ins and undo records gone. */
static void cleanup(sd_bus *bus, const TsScenario *s) {
        char path[512];
        (void)ts_unit_job(bus, "StopUnit", s->daemon_unit, "replace", JOB_TIMEOUT);
        (void)sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                 "org.freedesktop.systemd1.Manager", "ResetFailedUnit", NULL, NULL, "s", s->daemon_unit);
        if (path_printf(path, sizeof path, "/etc/systemd/system/%s", s->daemon_unit) >= 0)
                (void)unlink(path);
        if (socket_path(s, path, sizeof path) >= 0)
                (void)unlink(path);
        for (int runtime = 0; runtime <= 1; runtime++) {
                if (ts_fix_dropin_path(s->daemon_unit, runtime, path, sizeof path) >= 0) {
                        (void)unlink(path);
                        *strrchr(path, '/') = 0;
                        (void)rmdir(path);
                }
                char dir[512];
                if (ts_fix_record_dir(s->daemon_unit, runtime, dir, sizeof dir) >= 0 &&
                    path_printf(path, sizeof path, "%s/50-TasksMax.conf", dir) >= 0) {
                        (void)unlink(path);
                        if (path_printf(path, sizeof path, "%s/tasks-max", dir) >= 0)
                                (void)unlink(path);
                        if (path_printf(path, sizeof path, "%s/no-system-control", dir) >= 0)
                                (void)unlink(path);
                        (void)rmdir(dir);
                }
        }
        (void)ts_manager_reload(bus, JOB_TIMEOUT);
}

static int detect(sd_bus *bus, const TsScenario *s, TsCheckVerdict *ret_verdict, TsCause *ret_cause, char *why,
                  size_t why_size) {
        TsCheckFacts f;
        int r = ts_check_gather_live(bus, s->daemon_unit, 0, &f);
        if (r < 0)
                return r;
        TsCheckResult res;
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &res);
        *ret_verdict = res.verdict;
        if (ret_cause)
                *ret_cause = res.cause;
        if (why)
                snprintf(why, why_size, "%s", res.why);
        ts_check_facts_done(&f);
        return 0;
}

static TsVerdict fail_with(char *why, size_t why_size, TsVerdict v, const char *fmt, ...) _printf_(4, 5);
static TsVerdict fail_with(char *why, size_t why_size, TsVerdict v, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_size, fmt, ap);
        va_end(ap);
        return v;
}

static TsVerdict cancelled(TsLoopReport *rep, char *why, size_t why_size, const char *after) {
        rep->cancelled = true;
        return fail_with(why, why_size, TS_VERDICT_BROKEN, "interrupted after %s: the unit is removed", after);
}

static TsVerdict run_phases(sd_bus *bus, const TsScenario *s, TsProgress *progress, int cancel_fd, TsLoopReport *rep,
                            char *why, size_t why_size) {
        char sock[256], request[64];
        int r = socket_path(s, sock, sizeof sock);
        if (r < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "socket path: %s", strerror(-r));
        snprintf(request, sizeof request, "run %" PRIu64, s->containers);

        nsec_t t = phase_begin(progress, TS_LOOP_REPRODUCE), first = 0;
        r = ask(sock, request, &rep->started, &rep->failed, &first);
        if (r < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "the daemon did not answer: %s", strerror(-r));
        phase_done(rep, TS_LOOP_REPRODUCE, t);
        if (first > rep->origin)
                rep->first_failure = first - rep->origin;
        if (s->expect_eagain != (rep->failed > 0))
                return fail_with(why, why_size, TS_VERDICT_FAIL, "%" PRIu64 " of %" PRIu64 " containers failed, "
                                 "expected %s", rep->failed, s->containers, s->expect_eagain ? "some" : "none");

        if (cancel_pending(cancel_fd))
                return cancelled(rep, why, why_size, "the containers were asked for");
        t = phase_begin(progress, TS_LOOP_DETECT);
        r = detect(bus, s, &rep->verdict, &rep->cause, rep->why, sizeof rep->why);
        if (r < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "check failed: %s", strerror(-r));
        phase_done(rep, TS_LOOP_DETECT, t);
        if (s->expect_eagain && (rep->verdict != TS_CHECK_AFFECTED || rep->cause != TS_CAUSE_UNIT_TASKSMAX))
                return fail_with(why, why_size, TS_VERDICT_FAIL, "check said %s (%s), expected affected by the "
                                 "unit's TasksMax: %s", ts_check_verdict_to_string(rep->verdict),
                                 ts_cause_to_string(rep->cause), rep->why);
        if (!s->has_remedy)
                return TS_VERDICT_PASS;

        TsFixOptions o = { .limit = s->remedy_tasks_max, .reload = s->remedy_reload, .restart = s->remedy_restart,
                           .timeout = JOB_TIMEOUT };
        if (cancel_pending(cancel_fd))
                return cancelled(rep, why, why_size, "check");
        TsFixReport fix;
        ts_progress_phase(progress, "fix");
        r = ts_fix_apply(bus, s->daemon_unit, &o, &fix);
        if (r < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "fix failed: %s", strerror(-r));
        static const TsLoopPhase from_fix[_TS_FIX_STEP_MAX] = {
                [TS_FIX_SET_PROPERTY] = TS_LOOP_SET_PROPERTY, [TS_FIX_RELOAD] = TS_LOOP_RELOAD,
                [TS_FIX_RESTART] = TS_LOOP_RESTART,           [TS_FIX_VERIFY] = TS_LOOP_VERIFY,
        };
        for (TsFixStep st = 0; st < _TS_FIX_STEP_MAX; st++)
                rep->phases[from_fix[st]] = fix.steps[st];
        rep->fixed = fix.changed;
        rep->fix_verified = fix.verified;
        if (!fix.verified)
                return fail_with(why, why_size, TS_VERDICT_FAIL, "the fix did not verify: %s", fix.verify_why);

        if (cancel_pending(cancel_fd))
                return cancelled(rep, why, why_size, "the fix");
        t = phase_begin(progress, TS_LOOP_RERUN);
        if (!fix.restarted)
                (void)ask(sock, "rm", NULL, NULL, NULL); /* the containers of the first run still hold */
        else if ((r = wait_daemon(sock)) < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "the daemon did not come back after the restart: %s",
                                 strerror(-r));
        r = ask(sock, request, &rep->started_again, &rep->failed_again, NULL);
        if (r < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "the daemon did not answer after the fix: %s",
                                 strerror(-r));
        phase_done(rep, TS_LOOP_RERUN, t);
        if (rep->failed_again > 0)
                return fail_with(why, why_size, TS_VERDICT_FAIL, "after the fix %" PRIu64 " of %" PRIu64
                                 " containers still failed: the remedy did not work", rep->failed_again, s->containers);
        r = detect(bus, s, &rep->verdict_after, NULL, NULL, 0);
        if (r >= 0 && rep->verdict_after == TS_CHECK_AFFECTED)
                return fail_with(why, why_size, TS_VERDICT_FAIL, "check still says affected after the fix");
        return TS_VERDICT_PASS;
}

/* Samples the daemon unit's cgroup from now until the cleanup; the timeline is optional, so a
 * failure here only costs the samples. */
static TsSampler *sample_daemon(sd_bus *bus, const TsScenario *s, TsProgress *progress, nsec_t origin) {
        _cleanup_(freep) char *cg = NULL, *dir = NULL;
        TsSampler *sampler = NULL;
        if (ts_unit_get_control_group(bus, s->daemon_unit, &cg) >= 0 && ts_pids_cgroup_dir(cg, &dir) >= 0)
                (void)ts_sampler_start(dir, origin, TS_SAMPLE_INTERVAL_DEFAULT, progress, &sampler);
        return sampler;
}

TsVerdict ts_loop_run(sd_bus *bus, const TsScenario *scenario, const char *daemon_path, TsProgress *progress,
                      int cancel_fd, TsLoopReport *ret, char *why, size_t why_size) {
        *ret = (TsLoopReport){ .origin = ts_now_ns() };
        why[0] = 0;
        nsec_t t = phase_begin(progress, TS_LOOP_INSTALL);
        int r = choose_unit(bus, scenario->daemon_unit, ret->unit, sizeof ret->unit, ret->unit_note,
                            sizeof ret->unit_note);
        if (r == -EEXIST)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "%s and %s are both systemd's already: "
                                 "neither is touched", scenario->daemon_unit, ret->unit);
        if (r < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "asking systemd about %s failed: %s",
                                 scenario->daemon_unit, strerror(-r));
        /* Every phase below works on the chosen name. */
        TsScenario copy = *scenario;
        copy.daemon_unit = ret->unit;
        const TsScenario *s = &copy;
        r = install(bus, s, daemon_path);
        if (r == -EEXIST)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "%s exists here already: not replaced",
                                 s->daemon_unit);
        TsVerdict v;
        if (r < 0)
                v = fail_with(why, why_size, TS_VERDICT_BROKEN, "installing %s failed: %s", s->daemon_unit,
                              strerror(-r));
        else {
                phase_done(ret, TS_LOOP_INSTALL, t);
                TsSampler *sampler = sample_daemon(bus, s, progress, ret->origin);
                v = cancel_pending(cancel_fd) ? cancelled(ret, why, why_size, "the install")
                                              : run_phases(bus, s, progress, cancel_fd, ret, why, why_size);
                ts_sampler_stop(sampler, &ret->samples);
        }
        t = phase_begin(progress, TS_LOOP_CLEANUP);
        /* After a daemon-reexec the connection is gone, and the unit must go all the same. */
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *now = NULL;
        if (ts_bus_open_again(bus, JOB_TIMEOUT, &now) >= 0)
                cleanup(now, s);
        phase_done(ret, TS_LOOP_CLEANUP, t);
        return v;
}
