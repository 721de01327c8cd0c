/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One storm's report as `taskstorm storm` prints it and as each scenario of a run's report carries
 * it: the limit, tasks and failures by errno name, the first failure and its time, the pids files
 * (an unreadable one as its error), the phases that ran, and the samples. */
#include <check.h>

#include "report-fixture.h"
#include "report-storm.h"

static TsSample samples[2] = { { .t = 1000000, .current = 1, .max = 64 },
                               { .t = 2000000, .current = 65, .max = 64, .events_max = 3 } };

/* A fork storm under TasksMax=64 in a slice of its own, refused three times with EAGAIN. */
static void storm_facts(TsStormReport *r, TsStormPlan *plan) {
        *plan = (TsStormPlan){ .storm = { .kind = TS_STORM_FORK },
                               .limit = { .kind = TS_TASKS_LIMIT_NUMBER, .value = 64 },
                               .has_slice_limit = true,
                               .slice_limit = { .kind = TS_TASKS_LIMIT_INFINITY, .value = UINT64_MAX },
                               .max_tasks = 4096 };
        *r = (TsStormReport){
                .unit = (char *)"taskstorm-fork-42-1.scope",
                .slice = (char *)"taskstorm-fork-42-1.slice",
                .control_group =
                        (char *)"/taskstorm.slice/taskstorm-fork-42-1.slice/taskstorm-fork-42-1.scope",
                .tasks_asked = 80,
                .guard = 28000,
                .before = { .current = 1, .max = 64 },
                .after = { .current = 64, .max = 64, .events_max = 3 },
                .slice_after = { .error = -ENOENT },
                .stats = { .created = 63,
                           .attempts = 66,
                           .failures = 3,
                           .by_errno = { { EAGAIN, 2 }, { ENOMEM, 1 } },
                           .first_error = EAGAIN,
                           .tasks_at_first_failure = 64,
                           .pids_current_at_first_failure = 64,
                           .start_ns = 1000000000,
                           .first_failure_ns = 1012500000,
                           .creation_end_ns = 1063000000 },
                .phases = { [TS_PHASE_SCOPE_CREATE] = { true, 0, 2500000 },
                            [TS_PHASE_STORM] = { true, 2500000, 63000000 },
                            [TS_PHASE_STOP] = { true, 65500000, 4000000 } },
                .has_first_failure = true,
                .first_failure = 15000000,
                .samples = { .samples = samples, .n = 2, .interval = 1000000 },
        };
}

START_TEST(test_text) {
        TsStormReport r;
        TsStormPlan plan;
        storm_facts(&r, &plan);
        Capture c;
        ts_storm_report_print(capture_start(&c), &r, &plan, "  ");
        _cleanup_(freep) char *t = capture_end(&c);
        ck_assert_str_eq(
                t, "  fork storm in taskstorm-fork-42-1.scope (TasksMax=64, in taskstorm-fork-42-1.slice "
                   "with TasksMax=infinity)\n"
                   "    guard:                taskstorm.slice, TasksMax=28000 (what the host can give)\n"
                   "    tasks asked:          80 (cap 4096)\n"
                   "    tasks created:        63 (and the leader)\n"
                   "    failures:             3: EAGAIN x2, ENOMEM x1\n"
                   "    first failure:        EAGAIN with 64 storm tasks, pids.current 64\n"
                   "    time to first:        12.500 ms\n"
                   "    rate:                 1000 tasks/s\n"
                   "    pids before:          current 1, max 64, events max 0\n"
                   "    pids after:           current 64, max 64, events max 3\n"
                   "    slice pids after:     unreadable (No such file or directory)\n"
                   "    phases (ms):          scope-create 2.500 storm 63.000 stop 4.000\n");
}
END_TEST

START_TEST(test_text_no_failure) {
        TsStormReport r;
        TsStormPlan plan;
        storm_facts(&r, &plan);
        r.has_first_failure = false;
        r.stats.failures = 0;
        r.stats.by_errno[0].error = 0;
        r.slice = NULL;
        r.guard = 0;
        plan.has_slice_limit = false;
        r.after.max = UINT64_MAX;
        Capture c;
        ts_storm_report_print(capture_start(&c), &r, &plan, "");
        _cleanup_(freep) char *t = capture_end(&c);
        const char *head = "fork storm in taskstorm-fork-42-1.scope (TasksMax=64)\n  tasks asked:";
        ck_assert_msg(strncmp(t, head, strlen(head)) == 0, "%s", t);
        ck_assert_ptr_nonnull(strstr(t, "\n  failures:             0\n  first failure:        none\n"));
        ck_assert_ptr_nonnull(strstr(t, "\n  pids after:           current 64, max max, events max 3\n"));
        ck_assert_ptr_null(strstr(t, "guard"));
        ck_assert_ptr_null(strstr(t, "slice"));
}
END_TEST

START_TEST(test_json) {
        TsStormReport r;
        TsStormPlan plan;
        storm_facts(&r, &plan);
        json_object *o = json_reparse(ts_storm_report_to_json(&r, &plan));
        ck_assert_str_eq(jstr(o, "/kind"), "fork");
        ck_assert_str_eq(jstr(o, "/unit"), "taskstorm-fork-42-1.scope");
        ck_assert_str_eq(jstr(o, "/tasks_max"), "64");
        ck_assert_str_eq(jstr(o, "/slice_tasks_max"), "infinity");
        ck_assert_int_eq(jint(o, "/tasks_asked"), 80);
        ck_assert_int_eq(jint(o, "/guard"), 28000);
        ck_assert_int_eq(jint(o, "/tasks_created"), 63);
        ck_assert_int_eq(jint(o, "/attempts"), 66);
        ck_assert_int_eq(jint(o, "/failures_by_errno/EAGAIN"), 2);
        ck_assert_int_eq(jint(o, "/failures_by_errno/ENOMEM"), 1);
        ck_assert_str_eq(jstr(o, "/first_failure/errno"), "EAGAIN");
        ck_assert_int_eq(jint(o, "/first_failure/storm_tasks"), 64);
        ck_assert_int_eq(jint(o, "/first_failure/after_ns"), 12500000);
        ck_assert(json_object_get_double(jget(o, "/tasks_per_second")) == 1000.0);
        ck_assert_int_eq(jint(o, "/pids_before/max"), 64);
        ck_assert_int_eq(jint(o, "/pids_after/events_max"), 3);
        ck_assert_str_eq(jstr(o, "/slice_pids_after/error"), "No such file or directory");
        ck_assert(!jhas(o, "/slice_pids_after/current"));
        ck_assert_uint_eq(jlen(o, "/phases"), 3);
        ck_assert_str_eq(jstr(o, "/phases/1/name"), "storm");
        ck_assert_int_eq(jint(o, "/phases/1/start_ns"), 2500000);
        ck_assert_int_eq(jint(o, "/phases/2/duration_ns"), 4000000);
        ck_assert_int_eq(jint(o, "/first_eagain_ns"), 15000000);
        ck_assert(!jbool(o, "/cancelled"));
        ck_assert_int_eq(jint(o, "/samples/pids_current/1"), 65);
        json_object_put(o);

        /* No failure, no slice, no guard: nulls, and no slice keys at all. */
        r.has_first_failure = false;
        r.slice = NULL;
        r.guard = 0;
        r.samples.n = 0;
        plan.has_slice_limit = false;
        o = json_reparse(ts_storm_report_to_json(&r, &plan));
        jnull(o, "/first_failure");
        jnull(o, "/first_eagain_ns");
        jnull(o, "/guard");
        jnull(o, "/slice");
        jnull(o, "/samples");
        ck_assert(!jhas(o, "/slice_tasks_max"));
        ck_assert(!jhas(o, "/slice_pids_after"));
        json_object_put(o);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("report-storm");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_text);
        tcase_add_test(tc, test_text_no_failure);
        tcase_add_test(tc, test_json);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(suite());
}
