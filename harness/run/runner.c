/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Needs, plan, run and verdict of one scenario. The expectations are exact where the harness owns
 * every task of the unit: the storm's leader and its tasks are all there is, so the first EAGAIN
 * comes with pids.current equal to the limit, and the tolerance defaults to 0. */
#include <inttypes.h>
#include <stdio.h>

#include "bus.h"
#include "guard.h"
#include "macro.h"
#include "runner.h"
#include "stack.h"
#include "version.h"

int ts_scenario_needs_met(const TsScenario *s, const TsSysinfo *env, char *why, size_t why_size) {
        if (s->needs_root && geteuid() != 0) {
                snprintf(why, why_size, "needs root");
                return 0;
        }
        if (!env->systemd.reachable) {
                snprintf(why, why_size, "systemd is unreachable (%s)", strerror(-env->systemd.error));
                return 0;
        }
        if (s->min_systemd && !ts_version_at_least(env->systemd.version, s->min_systemd)) {
                snprintf(why, why_size, "needs systemd >= %s, this is %s", s->min_systemd,
                         env->systemd.version);
                return 0;
        }
        if (s->cgroup_modes != 0) {
                TsCgroupMode m = env->cgroup.error ? _TS_CGROUP_MODE_INVALID : env->cgroup.layout.mode;
                if (m < 0 || !(s->cgroup_modes & (1u << m))) {
                        snprintf(why, why_size, "needs another cgroup mode, this is %s",
                                 m < 0 ? "unknown" : ts_cgroup_mode_to_string(m));
                        return 0;
                }
        }
        if (s->needs_pids_enforced && env->pids.probe.enforcement != TS_PIDS_ENFORCED) {
                snprintf(why, why_size, "needs an enforced pids controller, this one is %s (%s)",
                         ts_pids_enforcement_to_string(env->pids.probe.enforcement),
                         ts_pids_reason_to_string(env->pids.probe.reason));
                return 0;
        }
        return 1;
}

void ts_scenario_plan(const TsScenario *s, const TsRunContext *ctx, TsStormPlan *ret) {
        *ret = (TsStormPlan){
                .label = s->name,
                .storm = { .kind = s->kind,
                           .stop_after_failures = s->stop_after_failures,
                           .hold = s->hold,
                           .leader_path = ctx->leader_path,
                           .inject = s->has_inject ? &s->inject : NULL },
                .limit = s->tasks_max,
                .has_slice_limit = s->has_slice_tasks_max,
                .slice_limit = s->slice_tasks_max,
                .tasks = s->tasks,
                .max_tasks = s->max_tasks,
                .cancel_fd = ctx->cancel_fd,
                .job_timeout = 60 * USEC_PER_SEC,
                .sample_interval = TS_SAMPLE_INTERVAL_DEFAULT,
                .progress = ctx->progress,
        };
}

/* The limit the kernel applies to the storm: the scope's pids.max or its slice's, the lower. */
static uint64_t effective_limit(const TsStormReport *r) {
        uint64_t limit = r->after.error ? UINT64_MAX : r->after.max;
        if (r->slice && !r->slice_after.error && r->slice_after.max < limit)
                limit = r->slice_after.max;
        return limit;
}

TsVerdict ts_scenario_judge(const TsScenario *s, const TsStormReport *r, char *why, size_t why_size) {
        const TsStormStats *st = &r->stats;
        if (!s->expect_eagain) {
                if (st->failures > 0) {
                        snprintf(why, why_size, "expected no failure, got %s after %" PRIu64 " tasks",
                                 strerrorname_np(st->first_error), st->created);
                        return TS_VERDICT_FAIL;
                }
                if (st->created < r->tasks_asked) {
                        snprintf(why, why_size, "created %" PRIu64 " of %" PRIu64 " tasks", st->created,
                                 r->tasks_asked);
                        return TS_VERDICT_FAIL;
                }
                return TS_VERDICT_PASS;
        }

        if (!r->has_first_failure) {
                snprintf(why, why_size, "expected EAGAIN, but all %" PRIu64 " tasks were created",
                         st->created);
                return TS_VERDICT_FAIL;
        }
        if (st->first_error != EAGAIN) {
                snprintf(why, why_size, "expected EAGAIN, the first failure was %s",
                         strerrorname_np(st->first_error));
                return TS_VERDICT_FAIL;
        }
        /* On cgroup v1 the kernel counts a refused fork in the forking task's own cgroup. */
        bool counted =
                r->after.events_max > r->before.events_max || (r->slice && r->slice_after.events_max > 0);
        if (s->expect_limit_hit && !counted) {
                snprintf(why, why_size, "EAGAIN, but pids.events did not count it: no pids limit was hit");
                return TS_VERDICT_FAIL;
        }
        if (!s->expect_limit_hit && counted) {
                snprintf(why, why_size,
                         "pids.events counted the EAGAIN: a pids limit was hit, not only the injection");
                return TS_VERDICT_FAIL;
        }

        uint64_t expected = s->expect_tasks_value;
        if (s->expect_tasks == TS_EXPECT_TASKS_ANY)
                return TS_VERDICT_PASS;
        if (s->expect_tasks == TS_EXPECT_TASKS_LIMIT) {
                expected = effective_limit(r);
                if (expected == UINT64_MAX) {
                        snprintf(why, why_size,
                                 "expected the first EAGAIN at the limit, but pids.max is max");
                        return TS_VERDICT_FAIL;
                }
        }
        int64_t got = st->pids_current_at_first_failure >= 0 ? st->pids_current_at_first_failure
                                                             : (int64_t)st->tasks_at_first_failure;
        uint64_t diff =
                (uint64_t)(got > (int64_t)expected ? got - (int64_t)expected : (int64_t)expected - got);
        if (diff > s->tolerance) {
                snprintf(why, why_size,
                         "first EAGAIN with %" PRId64 " tasks in the unit, expected %" PRIu64 " +- %" PRIu64,
                         got, expected, s->tolerance);
                return TS_VERDICT_FAIL;
        }
        return TS_VERDICT_PASS;
}

int ts_scenario_run(const TsRunContext *ctx, const TsScenario *s, TsScenarioResult *ret) {
        *ret = (TsScenarioResult){ .verdict = TS_VERDICT_BROKEN };
        nsec_t start = ts_now_ns();
        if (!ts_scenario_needs_met(s, ctx->env, ret->reason, sizeof ret->reason)) {
                ret->verdict = TS_VERDICT_SKIP;
                return 0;
        }
        if (s->has_daemon) {
                if (!ts_loop_in_sandbox()) {
                        ret->verdict = TS_VERDICT_SKIP;
                        snprintf(ret->reason, sizeof ret->reason,
                                 "installs %s: runs only in the taskstorm sandbox or VM", s->daemon_unit);
                        return 0;
                }
                const TsStack *stack = ts_stack_find(s->stack ? s->stack : "fixture");
                char missing[64];
                if (stack && !ts_stack_installed(stack, missing, sizeof missing)) {
                        ret->verdict = TS_VERDICT_SKIP;
                        snprintf(ret->reason, sizeof ret->reason, "needs %s (%s): %s is not installed",
                                 stack->name, stack->description, missing);
                        return 0;
                }
                ret->verdict = ts_loop_run(ctx->bus, s, &ctx->paths, ctx->progress, ctx->cancel_fd,
                                           &ret->loop, ret->reason, sizeof ret->reason);
                ret->looped = true;
                ret->duration = ts_now_ns() - start;
                return ret->loop.cancelled ? -ECANCELED : 0;
        }

        /* The guard: a storm never asks for more than the host can give, and its cap shrinks to fit. */
        TsHostCapacity cap;
        int r = ts_host_capacity(&cap);
        if (r < 0) {
                snprintf(ret->reason, sizeof ret->reason, "cannot read what this host can give a storm: %s",
                         strerror(-r));
                return 0;
        }
        if (s->tasks > cap.available || cap.available == 0) {
                ret->verdict = TS_VERDICT_SKIP;
                snprintf(ret->reason, sizeof ret->reason,
                         "needs %" PRIu64 " tasks, this host can give %" PRIu64 " (see taskstorm env)",
                         s->tasks ? s->tasks : 1, cap.available);
                return 0;
        }
        ts_scenario_plan(s, ctx, &ret->plan);
        if (ret->plan.max_tasks > cap.available)
                ret->plan.max_tasks = cap.available;
        r = ts_storm_in_scope(ctx->bus, &ret->plan, &ret->report);
        ret->ran = true;
        ret->duration = ts_now_ns() - start;
        if (ts_bus_error_is_disconnect(r)) {
                snprintf(ret->reason, sizeof ret->reason,
                         "systemd dropped the connection mid-storm (daemon-reexec?): %s; %s", strerror(-r),
                         ret->report.reconnected ? "the unit was stopped over a new connection"
                                                 : "the unit could not be stopped");
                return 0;
        }
        if (r < 0) {
                snprintf(ret->reason, sizeof ret->reason, "the storm could not run: %s", strerror(-r));
                return r == -ECANCELED ? r : 0;
        }
        ret->verdict = ts_scenario_judge(s, &ret->report, ret->reason, sizeof ret->reason);
        return 0;
}

void ts_scenario_result_done(TsScenarioResult *r) {
        ts_storm_report_done(&r->report);
        ts_loop_report_done(&r->loop);
}
