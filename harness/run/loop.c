/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The validation loop: the vendor article's failure reproduced on a daemon, detected, fixed and
 * proved fixed, with the detection and remediation module doing the work it ships to users. The
 * unit it installs is removed on every path. */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
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
#include "scan.h"
#include "stack.h"
#include "string-table.h"
#include "unit.h"

#define JOB_TIMEOUT (90 * USEC_PER_SEC)

static const char *const ts_loop_phase_table[_TS_LOOP_PHASE_MAX] = {
        [TS_LOOP_INSTALL] = "install", [TS_LOOP_REPRODUCE] = "reproduce",
        [TS_LOOP_DETECT] = "detect",   [TS_LOOP_SET_PROPERTY] = "set-property",
        [TS_LOOP_RELOAD] = "reload",   [TS_LOOP_RESTART] = "restart",
        [TS_LOOP_VERIFY] = "verify",   [TS_LOOP_RERUN] = "re-run",
        [TS_LOOP_CLEANUP] = "cleanup",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(ts_loop_phase, TsLoopPhase);

int ts_loop_in_sandbox(void) {
        _cleanup_(freep) char *container = NULL;
        if (ts_read_one_line_file("/run/systemd/container", &container) >= 0 &&
            streq(container, "taskstorm"))
                return 1;
        /* a disposable VM of ci/vmimage: its root is booted in snapshot mode, nothing of a run stays */
        return access("/etc/taskstorm-vm", F_OK) == 0;
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
        ts_progress_phase(progress, ts_loop_phase_table[p]);
        return ts_now_ns();
}

static void phase_done(TsLoopReport *r, TsLoopPhase p, nsec_t start) {
        ts_timing_end(&r->phases[p], start);
}

/* The name the fixture runs under: the scenario's, where systemd knows nothing of it (the sandbox
 * of a machine without Docker), else "taskstorm-<name>", so that a real docker.service is never
 * shadowed, stopped or restarted; note says why it was renamed. -EEXIST: both names are known. */
static int choose_unit(sd_bus *bus, const char *wanted, char *ret, size_t size, char *note,
                       size_t note_size) {
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
        if (snprintf(note, note_size, "%s is systemd's already (%s): left alone, the fixture ran as %s",
                     wanted, what, ret) < 0)
                note[0] = 0; /* cut short when paths are long: it is only a note */
        r = ts_unit_presence(bus, ret, &p);
        if (r < 0)
                return r;
        return p.known ? -EEXIST : 0;
}

/* What the fix left of itself (its drop-ins and undo records), wherever it put them. */
static void remove_fix_traces(const char *unit) {
        char path[512];
        for (int runtime = 0; runtime <= 1; runtime++) {
                if (ts_fix_dropin_path(unit, runtime, path, sizeof path) >= 0) {
                        (void)unlink(path);
                        *strrchr(path, '/') = 0;
                        (void)rmdir(path);
                }
                char dir[512];
                if (ts_fix_record_dir(unit, runtime, dir, sizeof dir) >= 0 &&
                    path_printf(path, sizeof path, "%s/50-TasksMax.conf", dir) >= 0) {
                        (void)unlink(path);
                        if (path_printf(path, sizeof path, "%s/tasks-max", dir) >= 0)
                                (void)unlink(path);
                        if (path_printf(path, sizeof path, "%s/no-system-control", dir) >= 0)
                                (void)unlink(path);
                        (void)rmdir(dir);
                }
        }
}

/* Everything install and the fix made: the stack removed, the fix's drop-ins and undo records
 * gone, and systemd told. */
static void cleanup(const TsStack *stack, TsStackContext *c) {
        stack->remove(c);
        remove_fix_traces(c->unit);
        (void)ts_manager_reload(c->bus, JOB_TIMEOUT);
}

/* Tasks in each of the stack's units once the containers were asked for: where a stack's tasks
 * really live (a split Docker runs containers' shims in containerd.service, not docker.service). */
static void note_unit_tasks(const TsStack *stack, TsStackContext *c, TsLoopReport *rep) {
        size_t n = 0;
        for (const char *const *u = stack->units; u && *u; u++) {
                TsUnitInfo info;
                if (ts_unit_info_load(c->bus, *u, &info) < 0)
                        continue;
                char limit[32] = "infinity";
                if (info.tasks_max != UINT64_MAX)
                        snprintf(limit, sizeof limit, "%" PRIu64, info.tasks_max);
                int k = snprintf(rep->unit_tasks + n, sizeof rep->unit_tasks - n,
                                 "%s%s Tasks: %" PRIu64 " (limit %s)", n ? ", " : "", *u,
                                 info.has_tasks_current ? info.tasks_current : 0, limit);
                ts_unit_info_done(&info);
                if (k < 0 || (size_t)k >= sizeof rep->unit_tasks - n)
                        break;
                n += (size_t)k;
        }
}

static int detect(sd_bus *bus, const TsScenario *s, TsCheckVerdict *ret_verdict, TsCause *ret_cause,
                  char *why, size_t why_size) {
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

/* The whole machine, as `taskstorm check` with no unit sees it: the limit ranked first and why. */
static int detect_machine(sd_bus *bus, TsMachineTop *ret) {
        *ret = (TsMachineTop){ .verdict = TS_CHECK_NOT_AFFECTED, .cause = TS_CAUSE_NONE };
        _cleanup_(ts_scan_facts_done) TsScanFacts f = {};
        int r = ts_scan_gather_live(bus, 0, &f);
        if (r < 0)
                return r;
        _cleanup_(ts_scan_result_done) TsScanResult res = {};
        r = ts_scan_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &res);
        if (r < 0)
                return r;
        if (res.n_entries == 0)
                return 0;
        const TsScanEntry *top = &res.entries[0];
        snprintf(ret->name, sizeof ret->name, "%s", top->owner.name);
        ret->verdict = top->verdict;
        ret->cause = top->cause;
        /* The sentence that ties another unit's log lines to this limit, where there is one. */
        const char *sentence = top->why;
        for (size_t i = 0; i < top->n_loggers; i++)
                if (top->loggers[i].sentence)
                        sentence = top->loggers[i].sentence;
        snprintf(ret->why, sizeof ret->why, "%s", sentence);
        return 0;
}

/* check of the unit that logs the failures (dockerd's docker.service), which follows the evidence
 * to the unit whose limit refused them. */
static int detect_logger(sd_bus *bus, const char *unit, TsLoopReport *rep) {
        TsCheckFacts f;
        int r = ts_check_gather_live(bus, unit, 0, &f);
        if (r < 0)
                return r;
        _cleanup_(ts_scan_facts_done) TsScanFacts machine = {};
        TsCheckResult res;
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &res);
        r = ts_scan_gather_cgroups_live(&machine);
        if (r >= 0)
                r = ts_scan_follow(&f, &machine, TS_CHECK_DEFAULT_THRESHOLD, &res);
        ts_check_facts_done(&f);
        if (r < 0)
                return r;
        snprintf(rep->logger_check, sizeof rep->logger_check, "%s: %s (%s%s%s)", unit,
                 ts_check_verdict_to_string(res.verdict), ts_cause_to_string(res.cause),
                 res.via[0] ? ", via " : "", res.via);
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
        return fail_with(why, why_size, TS_VERDICT_BROKEN, "interrupted after %s: the unit is removed",
                         after);
}

/* What check with no unit must rank first: a limit of the scenario's Cause=, else the TasksMax of
 * its Unit=; affected either way. */
static bool machine_as_expected(const TsScenario *s, const TsMachineTop *m) {
        if (m->verdict != TS_CHECK_AFFECTED)
                return false;
        return s->expect_cause >= 0 ? (int)m->cause == s->expect_cause : streq(m->name, s->daemon_unit);
}

/* The runtime's remedy (podman's pids_limit for new containers), in place of the unit's fix: the
 * setting written, its time as set-property's; the re-run proves it. */
static int remedy_runtime(const TsStack *stack, TsStackContext *c, const TsScenario *s, TsLoopReport *rep) {
        nsec_t t = ts_now_ns();
        c->container_pids_limit = s->remedy_container_pids_limit.kind == TS_TASKS_LIMIT_INFINITY
                                          ? UINT64_MAX
                                          : s->remedy_container_pids_limit.value;
        int r = stack->set_container_pids_limit(c);
        if (r < 0)
                return r;
        phase_done(rep, TS_LOOP_SET_PROPERTY, t);
        if (c->container_pids_limit == UINT64_MAX)
                snprintf(rep->remedy, sizeof rep->remedy,
                         "the containers' pids limit lifted (pids_limit = 0)");
        else
                snprintf(rep->remedy, sizeof rep->remedy, "the containers' pids limit set to %" PRIu64,
                         c->container_pids_limit);
        rep->fixed = true;
        return 0;
}

static TsVerdict run_phases(const TsStack *stack, TsStackContext *c, const TsScenario *s,
                            TsProgress *progress, int cancel_fd, TsLoopReport *rep, char *why,
                            size_t why_size) {
        sd_bus *bus = c->bus;
        nsec_t t = phase_begin(progress, TS_LOOP_REPRODUCE), first = 0;
        int r = stack->ask(c, s->containers, &rep->started, &rep->failed, &first);
        if (r < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "the daemon did not answer: %s",
                                 strerror(-r));
        phase_done(rep, TS_LOOP_REPRODUCE, t);
        snprintf(rep->first_error, sizeof rep->first_error, "%s", c->first_error);
        note_unit_tasks(stack, c, rep);
        if (first > rep->origin)
                rep->first_failure = first - rep->origin;
        if (s->expect_eagain != (rep->failed > 0))
                return fail_with(why, why_size, TS_VERDICT_FAIL,
                                 "%" PRIu64 " of %" PRIu64 " containers failed, "
                                 "expected %s",
                                 rep->failed, s->containers, s->expect_eagain ? "some" : "none");

        if (cancel_pending(cancel_fd))
                return cancelled(rep, why, why_size, "the containers were asked for");
        t = phase_begin(progress, TS_LOOP_DETECT);
        r = detect(bus, s, &rep->verdict, &rep->cause, rep->why, sizeof rep->why);
        /* A real stack: also the whole machine, and the unit that logs the failures where another's
         * limit refused them (dockerd's, for containerd.service's). */
        if (r >= 0 && stack->units)
                r = detect_machine(bus, &rep->machine);
        if (r >= 0 && stack->logger && !streq(stack->logger, s->daemon_unit))
                r = detect_logger(bus, stack->logger, rep);
        if (r < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "check failed: %s", strerror(-r));
        phase_done(rep, TS_LOOP_DETECT, t);
        /* A real stack is judged as a user would look at it, by check with no unit: the limit under test
         * ranked first, affected (the scenario's Cause=, else the TasksMax of its Unit=). (A slice's own
         * check cannot see the refusals: on cgroup v1 they are counted in the cgroups of the tasks
         * refused, below it.) */
        if (s->expect_eagain && stack->units && !machine_as_expected(s, &rep->machine))
                return fail_with(why, why_size, TS_VERDICT_FAIL,
                                 "check of the whole machine put %s first (%s, %s), "
                                 "not %s affected: %s",
                                 rep->machine.name[0] ? rep->machine.name : "nothing",
                                 ts_check_verdict_to_string(rep->machine.verdict),
                                 ts_cause_to_string(rep->machine.cause),
                                 s->expect_cause >= 0 ? ts_cause_to_string(s->expect_cause) : s->daemon_unit,
                                 rep->machine.why);
        if (s->expect_eagain && !stack->units &&
            (rep->verdict != TS_CHECK_AFFECTED || rep->cause != TS_CAUSE_UNIT_TASKSMAX))
                return fail_with(why, why_size, TS_VERDICT_FAIL,
                                 "check said %s (%s), expected affected by the "
                                 "unit's TasksMax: %s",
                                 ts_check_verdict_to_string(rep->verdict), ts_cause_to_string(rep->cause),
                                 rep->why);
        if (!s->has_remedy)
                return TS_VERDICT_PASS;

        if (cancel_pending(cancel_fd))
                return cancelled(rep, why, why_size, "check");
        ts_progress_phase(progress, "fix");
        TsFixReport fix = {};
        if (s->remedy_of_runtime) {
                r = remedy_runtime(stack, c, s, rep);
                if (r < 0)
                        return fail_with(why, why_size, TS_VERDICT_BROKEN,
                                         "setting the containers' pids limit failed: %s", strerror(-r));
        } else {
                TsFixOptions o = { .limit = s->remedy_tasks_max,
                                   .reload = s->remedy_reload,
                                   .restart = s->remedy_restart,
                                   .timeout = JOB_TIMEOUT };
                r = ts_fix_apply(bus, s->daemon_unit, &o, &fix);
                if (r < 0)
                        return fail_with(why, why_size, TS_VERDICT_BROKEN, "fix failed: %s", strerror(-r));
                static const TsLoopPhase from_fix[_TS_FIX_STEP_MAX] = {
                        [TS_FIX_SET_PROPERTY] = TS_LOOP_SET_PROPERTY,
                        [TS_FIX_RELOAD] = TS_LOOP_RELOAD,
                        [TS_FIX_RESTART] = TS_LOOP_RESTART,
                        [TS_FIX_VERIFY] = TS_LOOP_VERIFY,
                };
                for (TsFixStep st = 0; st < _TS_FIX_STEP_MAX; st++)
                        rep->phases[from_fix[st]] = fix.steps[st];
                rep->fixed = fix.changed;
                rep->fix_verified = fix.verified;
                if (!fix.verified)
                        return fail_with(why, why_size, TS_VERDICT_FAIL, "the fix did not verify: %s",
                                         fix.verify_why);
        }

        if (cancel_pending(cancel_fd))
                return cancelled(rep, why, why_size, "the fix");
        t = phase_begin(progress, TS_LOOP_RERUN);
        if (fix.restarted && (r = stack->ready(c)) < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN,
                                 "the daemon did not come back after the restart: %s", strerror(-r));
        (void)stack->clear(c); /* the containers of the first run, which may still hold */
        nsec_t ignored;
        c->first_error[0] = 0;
        r = stack->ask(c, s->containers, &rep->started_again, &rep->failed_again, &ignored);
        if (r < 0)
                return fail_with(why, why_size, TS_VERDICT_BROKEN,
                                 "the daemon did not answer after the fix: %s", strerror(-r));
        phase_done(rep, TS_LOOP_RERUN, t);
        if (rep->failed_again > 0)
                return fail_with(why, why_size, TS_VERDICT_FAIL,
                                 "after the fix %" PRIu64 " of %" PRIu64
                                 " containers still failed: the remedy did not work (%s)",
                                 rep->failed_again, s->containers, c->first_error);
        r = detect(bus, s, &rep->verdict_after, NULL, NULL, 0);
        if (r >= 0 && rep->verdict_after == TS_CHECK_AFFECTED)
                return fail_with(why, why_size, TS_VERDICT_FAIL, "check still says affected after the fix");
        if (s->remedy_of_runtime) {
                /* The new containers run without the limit: nothing on the machine binds any more. */
                TsMachineTop after;
                r = detect_machine(bus, &after);
                if (r >= 0 && after.verdict == TS_CHECK_AFFECTED)
                        return fail_with(why, why_size, TS_VERDICT_FAIL,
                                         "after the fix check still puts %s first, "
                                         "affected: %s",
                                         after.name, after.why);
                rep->fix_verified = r >= 0;
        }
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

/* The unit the limit goes on: for the fixture, which installs it, a name of which systemd knows
 * nothing; for a real stack, Unit= itself, one of the stack's own units (the sandbox's copy). */
static int loop_unit(sd_bus *bus, const TsStack *stack, const TsScenario *scenario, TsLoopReport *ret,
                     char *why, size_t why_size) {
        if (stack->units) {
                snprintf(ret->unit, sizeof ret->unit, "%s", scenario->daemon_unit);
                return 0;
        }
        int r = choose_unit(bus, scenario->daemon_unit, ret->unit, sizeof ret->unit, ret->unit_note,
                            sizeof ret->unit_note);
        if (r == -EEXIST)
                fail_with(why, why_size, TS_VERDICT_BROKEN,
                          "%s and %s are both systemd's already: neither is touched", scenario->daemon_unit,
                          ret->unit);
        else if (r < 0)
                fail_with(why, why_size, TS_VERDICT_BROKEN, "asking systemd about %s failed: %s",
                          scenario->daemon_unit, strerror(-r));
        return r;
}

TsVerdict ts_loop_run(sd_bus *bus, const TsScenario *scenario, const TsLoopPaths *paths,
                      TsProgress *progress, int cancel_fd, TsLoopReport *ret, char *why, size_t why_size) {
        *ret = (TsLoopReport){ .origin = ts_now_ns() };
        why[0] = 0;
        const TsStack *stack = ts_stack_find(scenario->stack ? scenario->stack : "fixture");
        if (!stack)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "no stack %s", scenario->stack);
        snprintf(ret->stack, sizeof ret->stack, "%s", stack->description);
        nsec_t t = phase_begin(progress, TS_LOOP_INSTALL);
        if (loop_unit(bus, stack, scenario, ret, why, why_size) < 0)
                return TS_VERDICT_BROKEN;
        char limit[32];
        ts_tasks_limit_format(&scenario->daemon_tasks_max, limit, sizeof limit);
        TsStackContext c = { .bus = bus,
                             .scenario = scenario->name,
                             .unit = ret->unit,
                             .limit = limit,
                             .daemon_path = paths->daemon,
                             .image_path = paths->image,
                             .container_pids_limit = scenario->container_pids_limit,
                             .container_tasks = scenario->container_tasks,
                             .timeout = JOB_TIMEOUT };
        /* Every phase below works on the chosen name. */
        TsScenario copy = *scenario;
        copy.daemon_unit = ret->unit;
        const TsScenario *s = &copy;
        int r = stack->install(&c);
        if (r == -EEXIST)
                return fail_with(why, why_size, TS_VERDICT_BROKEN, "%s exists here already: not replaced",
                                 s->daemon_unit);
        TsVerdict v;
        if (r < 0)
                v = fail_with(why, why_size, TS_VERDICT_BROKEN, "installing %s (%s) failed: %s%s%s",
                              s->daemon_unit, stack->description, strerror(-r), c.first_error[0] ? ": " : "",
                              c.first_error);
        else {
                phase_done(ret, TS_LOOP_INSTALL, t);
                TsSampler *sampler = sample_daemon(bus, s, progress, ret->origin);
                v = cancel_pending(cancel_fd)
                            ? cancelled(ret, why, why_size, "the install")
                            : run_phases(stack, &c, s, progress, cancel_fd, ret, why, why_size);
                ts_sampler_stop(sampler, &ret->samples);
        }
        t = phase_begin(progress, TS_LOOP_CLEANUP);
        /* After a daemon-reexec the connection is gone, and the unit must go all the same. */
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *now = NULL;
        if (ts_bus_open_again(bus, JOB_TIMEOUT, &now) >= 0) {
                c.bus = now;
                cleanup(stack, &c);
        }
        phase_done(ret, TS_LOOP_CLEANUP, t);
        return v;
}
