/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Is the limit enforced, exactly: a scope and a service at N (N tasks run, the next is refused and
 * pids.events counts it), infinity (no limit at all), a slice over its children, and TasksCurrent
 * against pids.current. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "qualify-checks.h"
#include "qualify-internal.h"
#include "storm-unit.h"

/* Small enough to be quick, large enough that an off-by-one shows. */
#define LIMIT 16
#define OVERSHOOT 8

static void pids_evidence(TsQualifyResult *ret, const char *what, const TsPidsSample *p) {
        char max[32];
        if (p->error)
                qualify_evidence(ret, "%s: pids files unreadable (%s)", what, strerror(-p->error));
        else
                qualify_evidence(ret, "%s: pids.current %" PRIu64 ", pids.max %s, pids.events max %" PRIu64,
                                 what, p->current, qualify_u64_text(p->max, max, sizeof max), p->events_max);
}

void qualify_scope_limit(const TsQualifyContext *ctx, TsQualifyResult *ret) {
        TsStormPlan plan = {
                .label = "qualify",
                .storm = { .kind = TS_STORM_FORK,
                           .stop_after_failures = 1,
                           .leader_path = ctx->leader_path },
                .limit = { .kind = TS_TASKS_LIMIT_NUMBER, .value = LIMIT },
                .tasks = LIMIT + OVERSHOOT,
                .max_tasks = LIMIT + OVERSHOOT,
                .cancel_fd = -1,
                .job_timeout = ctx->timeout,
        };
        TsStormReport rep;
        int r = ts_storm_in_scope(ctx->bus, &plan, &rep);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "the storm could not run: %s", strerror(-r));
                ts_storm_report_done(&rep);
                return;
        }
        const TsStormStats *st = &rep.stats;
        qualify_evidence(ret, "TasksMax=%d on %s: fork storm of %" PRIu64 ": %" PRIu64 " created", LIMIT,
                         rep.unit, rep.tasks_asked, st->created);
        if (rep.has_first_failure)
                qualify_evidence(ret, "first failure %s with pids.current %" PRId64,
                                 strempty(strerrorname_np(st->first_error)),
                                 st->pids_current_at_first_failure);
        pids_evidence(ret, "after", &rep.after);

        if (!rep.has_first_failure)
                qualify_verdict(ret, TS_VERDICT_FAIL,
                                "all %" PRIu64 " tasks were created: TasksMax=%d was not enforced",
                                st->created, LIMIT);
        else if (st->first_error != EAGAIN)
                qualify_verdict(ret, TS_VERDICT_FAIL, "the first failure was %s, not EAGAIN",
                                strempty(strerrorname_np(st->first_error)));
        else if (st->pids_current_at_first_failure != LIMIT)
                qualify_verdict(ret, TS_VERDICT_FAIL, "refused with %" PRId64 " tasks in the scope, not %d",
                                st->pids_current_at_first_failure, LIMIT);
        else if (rep.after.error || rep.after.events_max <= rep.before.events_max)
                qualify_verdict(ret, TS_VERDICT_FAIL, "pids.events did not count the refused fork");
        else
                qualify_pass(ret);
        ts_storm_report_done(&rep);
}

/* A forker service with the limit: what pids.current and the forker's STATUS= say once it is ready. */
static int run_service(const TsQualifyContext *ctx, const char *check, const TsTasksLimit *limit,
                       uint64_t tasks, const char *slice, char *unit, size_t unit_size,
                       TsPidsSample *ret_pids, char **ret_status) {
        qualify_unit_name(check, "service", unit, unit_size);
        int r = qualify_service_start(ctx, unit, tasks, limit, slice);
        if (r < 0)
                return r;
        uint32_t pid;
        r = ts_service_status(ctx->bus, unit, &pid, ret_status);
        if (r >= 0)
                (void)qualify_pids(ctx, unit, ret_pids);
        return r;
}

void qualify_service_limit(const TsQualifyContext *ctx, TsQualifyResult *ret) {
        char unit[128];
        _cleanup_(freep) char *status = NULL;
        TsPidsSample p = {};
        TsTasksLimit limit = { .kind = TS_TASKS_LIMIT_NUMBER, .value = LIMIT };
        int r = run_service(ctx, "service-limit", &limit, LIMIT + OVERSHOOT, NULL, unit, sizeof unit, &p,
                            &status);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "the forker service did not start: %s",
                                strerror(-r));
                qualify_unit_stop(ctx, unit);
                return;
        }
        qualify_evidence(ret, "TasksMax=%d on %s; the service said '%s'", LIMIT, unit, status);
        pids_evidence(ret, "then", &p);
        if (p.error)
                qualify_verdict(ret, TS_VERDICT_FAIL,
                                "the unit has no pids files: the limit cannot be enforced");
        else if (p.current != LIMIT)
                qualify_verdict(ret, TS_VERDICT_FAIL, "%" PRIu64 " tasks in the service, not %d", p.current,
                                LIMIT);
        else if (!strstr(status, "then EAGAIN"))
                qualify_verdict(ret, TS_VERDICT_FAIL, "the forker was not refused with EAGAIN");
        else if (p.events_max == 0)
                qualify_verdict(ret, TS_VERDICT_FAIL, "pids.events did not count the refused fork");
        else
                qualify_pass(ret);
        qualify_unit_stop(ctx, unit);
}

void qualify_infinity(const TsQualifyContext *ctx, TsQualifyResult *ret) {
        enum { TASKS = 4 * LIMIT };
        char unit[128];
        _cleanup_(freep) char *status = NULL;
        TsPidsSample p = {};
        TsTasksLimit limit = { .kind = TS_TASKS_LIMIT_INFINITY };
        int r = run_service(ctx, "infinity", &limit, TASKS, NULL, unit, sizeof unit, &p, &status);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "the forker service did not start: %s",
                                strerror(-r));
                qualify_unit_stop(ctx, unit);
                return;
        }
        TsUnitInfo u;
        r = ts_unit_info_load(ctx->bus, unit, &u);
        char max[32];
        qualify_evidence(ret, "TasksMax=infinity on %s: the bus says TasksMax=%s; the service said '%s'",
                         unit, r >= 0 ? qualify_u64_text(u.tasks_max, max, sizeof max) : "?", status);
        pids_evidence(ret, "then", &p);
        if (r < 0)
                qualify_verdict(ret, TS_VERDICT_BROKEN, "reading the unit failed: %s", strerror(-r));
        else if (u.tasks_max != UINT64_MAX)
                qualify_verdict(ret, TS_VERDICT_FAIL, "the bus says TasksMax=%s, not infinity", max);
        else if (!p.error && p.max != UINT64_MAX)
                qualify_verdict(ret, TS_VERDICT_FAIL, "pids.max is %" PRIu64 ", not max", p.max);
        else if (p.error || p.current != TASKS + 1 || strstr(status, "then"))
                qualify_verdict(ret, TS_VERDICT_FAIL, "not all %d tasks ran: the limit was not lifted",
                                TASKS);
        else
                qualify_pass(ret);
        if (r >= 0)
                ts_unit_info_done(&u);
        qualify_unit_stop(ctx, unit);
}

void qualify_slice_limit(const TsQualifyContext *ctx, TsQualifyResult *ret) {
        enum { SLICE_LIMIT = 20 };
        char slice[128], unit[128] = "";
        _cleanup_(freep) char *status = NULL;
        TsPidsSample p = {}, sp = {};
        TsTasksLimit slice_limit = { .kind = TS_TASKS_LIMIT_NUMBER, .value = SLICE_LIMIT };
        TsTasksLimit none = { .kind = TS_TASKS_LIMIT_INFINITY };
        qualify_unit_name("slice-limit", "slice", slice, sizeof slice);
        int r = qualify_slice_start(ctx, slice, &slice_limit);
        if (r >= 0)
                r = run_service(ctx, "slice-limit", &none, 2 * SLICE_LIMIT, slice, unit, sizeof unit, &p,
                                &status);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "the slice or its service did not start: %s",
                                strerror(-r));
                qualify_unit_stop(ctx, unit);
                qualify_unit_stop(ctx, slice);
                return;
        }
        (void)qualify_pids(ctx, slice, &sp);
        TsUnitInfo u;
        int k = ts_unit_info_load(ctx->bus, unit, &u);
        qualify_evidence(ret, "TasksMax=%d on %s, infinity on %s in it; the service said '%s'", SLICE_LIMIT,
                         slice, unit, status);
        pids_evidence(ret, "service", &p);
        pids_evidence(ret, "slice", &sp);
        bool effective_ok = true;
        if (k >= 0 && u.has_effective_tasks_max) {
                qualify_evidence(ret, "EffectiveTasksMax of the service: %" PRIu64, u.effective_tasks_max);
                effective_ok = u.effective_tasks_max == SLICE_LIMIT;
        } else if (k >= 0)
                qualify_evidence(ret, "no EffectiveTasksMax on the bus (systemd before 256)");

        if (p.error || sp.error)
                qualify_verdict(ret, TS_VERDICT_FAIL, "no pids files: the limit cannot be enforced");
        else if (p.current != SLICE_LIMIT)
                qualify_verdict(ret, TS_VERDICT_FAIL, "%" PRIu64 " tasks ran under a slice limit of %d",
                                p.current, SLICE_LIMIT);
        else if (!strstr(status, "then EAGAIN"))
                qualify_verdict(ret, TS_VERDICT_FAIL, "the forker was not refused with EAGAIN");
        else if (!effective_ok)
                qualify_verdict(ret, TS_VERDICT_FAIL,
                                "EffectiveTasksMax is %" PRIu64 ", the slice's limit is %d",
                                u.effective_tasks_max, SLICE_LIMIT);
        else
                qualify_pass(ret);
        if (k >= 0)
                ts_unit_info_done(&u);
        qualify_unit_stop(ctx, unit);
        qualify_unit_stop(ctx, slice);
}

void qualify_tasks_current(const TsQualifyContext *ctx, TsQualifyResult *ret) {
        enum { TASKS = 40, READS = 3 };
        char unit[128];
        _cleanup_(freep) char *status = NULL;
        TsPidsSample p = {};
        TsTasksLimit limit = { .kind = TS_TASKS_LIMIT_NUMBER, .value = 4 * TASKS };
        int r = run_service(ctx, "tasks-current", &limit, TASKS, NULL, unit, sizeof unit, &p, &status);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "the forker service did not start: %s",
                                strerror(-r));
                qualify_unit_stop(ctx, unit);
                return;
        }
        qualify_evidence(ret, "%s holding %d forked tasks ('%s')", unit, TASKS, status);
        qualify_pass(ret);
        for (int i = 0; i < READS && ret->verdict == TS_VERDICT_PASS; i++) {
                TsUnitInfo u;
                r = ts_unit_info_load(ctx->bus, unit, &u);
                if (r >= 0)
                        r = qualify_pids(ctx, unit, &p);
                if (r < 0) {
                        qualify_verdict(ret, TS_VERDICT_BROKEN, "reading the unit failed: %s", strerror(-r));
                        break;
                }
                qualify_evidence(ret, "TasksCurrent %" PRIu64 ", pids.current %" PRIu64, u.tasks_current,
                                 p.current);
                if (!u.has_tasks_current)
                        qualify_verdict(ret, TS_VERDICT_FAIL, "TasksCurrent is not tracked");
                else if (u.tasks_current != p.current || p.current != TASKS + 1)
                        qualify_verdict(ret, TS_VERDICT_FAIL,
                                        "TasksCurrent %" PRIu64 " and pids.current %" PRIu64
                                        " differ, or are not the %d tasks that run",
                                        u.tasks_current, p.current, TASKS + 1);
                ts_unit_info_done(&u);
        }
        qualify_unit_stop(ctx, unit);
}
