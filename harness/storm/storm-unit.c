/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The phases of one storm in one unit: slice, scope around the leader, pids before, go, wait for
 * the leader (or a cancel, or its death), pids after, stop. The unit is stopped on every path, and
 * stopping it kills every task of the storm. */
#include <poll.h>
#include <stdio.h>

#include "bus.h"
#include "macro.h"
#include "storm-unit.h"
#include "string-table.h"
#include "unit.h"

static const char *const ts_storm_phase_table[_TS_PHASE_MAX] = {
        [TS_PHASE_SCOPE_CREATE] = "scope-create",
        [TS_PHASE_STORM] = "storm",
        [TS_PHASE_HOLD] = "hold",
        [TS_PHASE_STOP] = "stop",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(ts_storm_phase, TsStormPhase);

void ts_storm_report_done(TsStormReport *r) {
        free(r->unit);
        free(r->slice);
        free(r->control_group);
        ts_samples_done(&r->samples);
        *r = (TsStormReport){};
}

static void phase_set(TsStormReport *r, TsStormPhase p, nsec_t start, nsec_t end) {
        r->phases[p] = (TsPhaseTiming){ .done = true,
                                        .start = start - r->origin,
                                        .duration = end > start ? end - start : 0 };
}

/* A unit name unique on this machine for this run: taskstorm-<label>-<pid>-<n>.<suffix>, with the
 * label reduced to the characters unit names allow. */
static char *unit_name(const char *label, const char *suffix) {
        static unsigned counter;
        /* In slice names a dash means "child of": taskstorm-<label>_<pid>_<n>.slice sits in
         * taskstorm.slice. */
        const char *sep = streq(suffix, "slice") ? "_" : "-";
        char clean[64];
        size_t n = 0;
        for (const char *p = label; *p && n < sizeof clean - 1; p++)
                clean[n++] = (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", *p))
                                     ? *p
                                     : '_';
        clean[n] = 0;
        char *name = NULL;
        if (asprintf(&name, "taskstorm-%s%s%d%s%u.%s", n ? clean : "storm", sep, (int)getpid(), sep,
                     ++counter, suffix) < 0)
                return NULL;
        return name;
}

static uint64_t default_tasks(const TsStormReport *r) {
        uint64_t limit = r->before.error == 0 ? r->before.max : UINT64_MAX;
        if (r->slice && r->slice_after.error == 0 && r->slice_after.max < limit)
                limit = r->slice_after.max;
        return limit == UINT64_MAX ? TS_STORM_DEFAULT_TASKS : limit + TS_STORM_DEFAULT_OVERSHOOT;
}

/* Waits for the leader to finish (0), to die (-ECHILD), for a cancel (-ECANCELED), or for systemd
 * to drop the connection (daemon-reexec: -ECONNRESET, at once rather than after the hold). */
static int wait_leader(sd_bus *bus, TsStorm *storm, int cancel_fd, usec_t timeout) {
        struct pollfd fds[] = {
                { .fd = ts_storm_done_fd(storm), .events = POLLIN },
                { .fd = ts_storm_pidfd(storm), .events = POLLIN },
                { .fd = cancel_fd, .events = POLLIN },
                { .fd = ts_storm_notify_fd(storm), .events = POLLIN }, /* injection's questions */
                { .fd = sd_bus_get_fd(bus), .events = POLLIN },
        };
        nsec_t deadline = ts_now_ns() + timeout * NSEC_PER_USEC;
        for (;;) {
                nsec_t now = ts_now_ns();
                if (now >= deadline)
                        return -ETIMEDOUT;
                int n = poll(fds, ELEMENTSOF(fds), (int)((deadline - now) / NSEC_PER_MSEC) + 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (fds[2].revents & POLLIN)
                        return -ECANCELED;
                if (fds[4].revents) {
                        /* Signals of other jobs, or the end of the connection. */
                        int k;
                        while ((k = sd_bus_process(bus, NULL)) > 0)
                                ;
                        if (k < 0)
                                return k;
                        if (fds[4].revents & (POLLHUP | POLLERR))
                                return -ECONNRESET;
                }
                if (fds[3].revents & POLLIN) {
                        (void)ts_storm_answer(storm);
                        continue;
                }
                if (fds[3].revents & (POLLHUP | POLLERR))
                        fds[3].fd = -1; /* nothing under the filter any more */
                if (fds[0].revents & POLLIN)
                        return 0;
                if (fds[1].revents & POLLIN)
                        return -ECHILD;
        }
}

static void sample_slice(sd_bus *bus, TsStormReport *report) {
        _cleanup_(freep) char *cg = NULL, *dir = NULL;
        int r = ts_unit_get_control_group(bus, report->slice, &cg);
        if (r >= 0)
                r = ts_pids_cgroup_dir(cg, &dir);
        if (r >= 0)
                (void)ts_pids_sample(dir, &report->slice_after);
        else
                report->slice_after.error = r;
}

/* ret_sampler: started here when the plan asks for samples, stopped by the caller after the stop. */
static int run_in_unit(sd_bus *bus, const TsStormPlan *plan, TsStorm *storm, TsStormReport *report,
                       TsSampler **ret_sampler) {
        _cleanup_(freep) char *dir = NULL;
        int r = ts_unit_get_control_group(bus, report->unit, &report->control_group);
        if (r < 0)
                return r;
        /* Without a pids controller the storm runs all the same: it shows what an unenforced limit
         * lets through, and the pids samples say why they are missing. */
        int no_pids = ts_pids_cgroup_dir(report->control_group, &dir);
        if (no_pids < 0)
                report->before.error = report->after.error = no_pids;
        else {
                if (plan->sample_interval > 0) {
                        r = ts_sampler_start(dir, report->origin, plan->sample_interval, plan->progress,
                                             ret_sampler);
                        if (r < 0)
                                return r;
                }
                (void)ts_pids_sample(dir, &report->before);
        }
        if (report->slice)
                sample_slice(bus, report);

        uint64_t tasks = plan->tasks ? plan->tasks : default_tasks(report);
        report->tasks_asked = tasks < plan->max_tasks ? tasks : plan->max_tasks;

        ts_progress_phase(plan->progress, ts_storm_phase_to_string(TS_PHASE_STORM));
        char current[4096];
        bool known = dir && path_printf(current, sizeof current, "%s/pids.current", dir) >= 0;
        r = ts_storm_go(storm, report->tasks_asked, known ? current : NULL);
        if (r < 0)
                return r;
        r = wait_leader(bus, storm, plan->cancel_fd, plan->job_timeout + plan->storm.hold);
        report->stats = *ts_storm_stats(storm);
        const TsStormStats *st = &report->stats;
        if (st->creation_end_ns)
                phase_set(report, TS_PHASE_STORM, st->start_ns, st->creation_end_ns);
        if (st->hold_end_ns)
                phase_set(report, TS_PHASE_HOLD, st->creation_end_ns, st->hold_end_ns);
        if (st->first_failure_ns) {
                report->has_first_failure = true;
                report->first_failure = st->first_failure_ns - report->origin;
        }
        if (r < 0)
                return r;
        if (dir)
                (void)ts_pids_sample(dir, &report->after);
        if (report->slice)
                sample_slice(bus, report);
        return 0;
}

int ts_storm_in_scope(sd_bus *bus, const TsStormPlan *plan, TsStormReport *report) {
        *report = (TsStormReport){ .origin = ts_now_ns() };
        report->unit = unit_name(plan->label, "scope");
        if (!report->unit)
                return -ENOMEM;
        if (plan->has_slice_limit) {
                report->slice = unit_name(plan->label, "slice");
                if (!report->slice)
                        return -ENOMEM;
        }

        TsStorm *storm = NULL;
        TsSampler *sampler = NULL;
        int r = ts_storm_spawn(&plan->storm, &storm);
        if (r >= 0) {
                ts_progress_phase(plan->progress, ts_storm_phase_to_string(TS_PHASE_SCOPE_CREATE));
                nsec_t t = ts_now_ns();
                r = ts_scope_start(bus, report->unit, ts_storm_leader(storm), &plan->limit, report->slice,
                                   plan->has_slice_limit ? &plan->slice_limit : NULL, plan->job_timeout,
                                   &report->guard);
                phase_set(report, TS_PHASE_SCOPE_CREATE, t, ts_now_ns());
                if (r >= 0)
                        r = run_in_unit(bus, plan, storm, report, &sampler);
                report->cancelled = r == -ECANCELED;

                /* Stopping the scope kills the storm; it runs on every path once the scope exists. */
                ts_progress_phase(plan->progress, ts_storm_phase_to_string(TS_PHASE_STOP));
                t = ts_now_ns();
                int k = ts_unit_stop(bus, report->unit, plan->job_timeout);
                if (ts_bus_error_is_disconnect(k)) {
                        /* systemd went away (daemon-reexec): stop the unit over a new connection. */
                        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *fresh = NULL;
                        k = ts_bus_open_again(bus, plan->job_timeout, &fresh);
                        if (k >= 0)
                                k = ts_unit_stop(fresh, report->unit, plan->job_timeout);
                        report->reconnected = k >= 0;
                        if (r >= 0)
                                r = -ECONNRESET;
                }
                if (k >= 0)
                        phase_set(report, TS_PHASE_STOP, t, ts_now_ns());
                else if (k != -ENOENT && r >= 0)
                        r = k;
                ts_sampler_stop(sampler, &report->samples); /* it saw the tasks go */
        }
        ts_storm_free(storm); /* the slice stops by itself, being unneeded now */
        return r;
}
