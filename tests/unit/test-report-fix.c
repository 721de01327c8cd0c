/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `taskstorm fix` prints: --dry-run's systemctl commands (and the undo's), the fix's steps with
 * TasksMax before and after and what was verified, a drop-in that overrides the fix, and the JSON of
 * the same (limits as numbers or "max", steps that ran only); with --if-affected, the check's
 * judgement before the fix, or why the fix did not run. */
#include <check.h>

#include "report-fix.h"
#include "report-fixture.h"

/* What the report of fixed() prints. */
#define FIXED_TEXT                                                                                          \
        "docker.service: TasksMax 512 -> infinity\n"                                                        \
        "  set-property       1.2 ms\n"                                                                     \
        "  reload            80.0 ms\n"                                                                     \
        "  restart          350.0 ms\n"                                                                     \
        "  verify             0.5 ms\n"                                                                     \
        "  verified: bus TasksMax=infinity, cgroup pids.max=max\n"                                          \
        "  drop-in: /etc/systemd/system.control/docker.service.d/50-TasksMax.conf\n"

static char *commands(const TsFixOptions *o, bool undo) {
        Capture c;
        ts_fix_print_commands(capture_start(&c), "docker.service", o, undo);
        return capture_end(&c);
}

START_TEST(test_commands) {
        TsFixOptions o = { .limit = { .kind = TS_TASKS_LIMIT_INFINITY, .value = UINT64_MAX },
                           .reload = true,
                           .restart = true };
        _cleanup_(freep) char *fix = commands(&o, false);
        ck_assert_str_eq(fix, "systemctl set-property docker.service TasksMax=infinity\n"
                              "systemctl daemon-reload\nsystemctl restart docker.service\n");
        _cleanup_(freep) char *undo = commands(&o, true);
        ck_assert_str_eq(
                undo, "# put back the drop-in /etc/systemd/system.control/docker.service.d/50-TasksMax.conf "
                      "as it was before the first fix\nsystemctl daemon-reload\n"
                      "systemctl restart docker.service\n");
        o = (TsFixOptions){ .limit = { .kind = TS_TASKS_LIMIT_NUMBER, .value = 4096 },
                            .runtime = true,
                            .reload = true };
        _cleanup_(freep) char *runtime = commands(&o, false);
        ck_assert_str_eq(runtime, "systemctl set-property --runtime docker.service TasksMax=4096\n"
                                  "systemctl daemon-reload\n");
}
END_TEST

/* docker.service lifted from 512 to infinity, every step done and verified. */
static void fixed(TsFixReport *rep) {
        *rep = (TsFixReport){ .changed = true,
                              .tasks_max_before = 512,
                              .tasks_max_after = UINT64_MAX,
                              .pids_max_after = UINT64_MAX,
                              .restarted = true,
                              .verified = true,
                              .steps = { { .done = true, .duration = 1200000 },
                                         { .done = true, .duration = 80000000 },
                                         { .done = true, .duration = 350000000 },
                                         { .done = true, .duration = 500000 } } };
        snprintf(rep->dropin, sizeof rep->dropin,
                 "/etc/systemd/system.control/docker.service.d/50-TasksMax.conf");
}

START_TEST(test_report_text) {
        TsFixReport rep;
        fixed(&rep);
        Capture c;
        ts_fix_report_print(capture_start(&c), "docker.service", &rep, false);
        _cleanup_(freep) char *t = capture_end(&c);
        ck_assert_str_eq(t, FIXED_TEXT);

        rep = (TsFixReport){ .tasks_max_before = UINT64_MAX,
                             .tasks_max_after = UINT64_MAX,
                             .pids_max_after = 512,
                             .verified = false };
        snprintf(rep.verify_why, sizeof rep.verify_why, "pids.max is 512, not max");
        ts_fix_report_print(capture_start(&c), "docker.service", &rep, true);
        _cleanup_(freep) char *nothing = capture_end(&c);
        ck_assert_str_eq(
                nothing,
                "docker.service: TasksMax is infinity already: nothing to do (no reload, no restart)\n"
                "  NOT VERIFIED: bus TasksMax=infinity, cgroup pids.max=512: pids.max is 512, "
                "not max\n");
}
END_TEST

START_TEST(test_report_json) {
        TsFixReport rep;
        fixed(&rep);
        rep.steps[2].done = false;
        rep.override = (TsTasksMaxOverride){ .found = true, .line = 3 };
        snprintf(rep.override.path, sizeof rep.override.path,
                 "/etc/systemd/system/docker.service.d/zz.conf");
        snprintf(rep.override.assignment, sizeof rep.override.assignment, "TasksMax=128");
        snprintf(rep.override.advice, sizeof rep.override.advice, "remove that line");
        rep.override_pending = true;
        json_object *o = json_reparse(ts_fix_report_to_json("docker.service", &rep, false));
        ck_assert_str_eq(jstr(o, "/unit"), "docker.service");
        ck_assert(!jbool(o, "/undo"));
        ck_assert(jbool(o, "/changed"));
        ck_assert_int_eq(jint(o, "/tasks_max_before"), 512);
        ck_assert_str_eq(jstr(o, "/tasks_max_after"), "max");
        ck_assert_str_eq(jstr(o, "/pids_max_after"), "max");
        ck_assert(jbool(o, "/verified"));
        jnull(o, "/verify_why");
        ck_assert_uint_eq(jlen(o, "/steps"), 3);
        ck_assert_str_eq(jstr(o, "/steps/2/name"), "verify");
        ck_assert_int_eq(jint(o, "/steps/1/duration_ns"), 80000000);
        ck_assert_str_eq(jstr(o, "/override/path"), "/etc/systemd/system/docker.service.d/zz.conf");
        ck_assert_int_eq(jint(o, "/override/line"), 3);
        ck_assert_str_eq(jstr(o, "/override/assignment"), "TasksMax=128");
        jnull(o, "/override/read_after");
        ck_assert(jbool(o, "/override/pending"));
        jnull(o, "/explanation");
        json_object_put(o);
}
END_TEST

/* A live check's facts for docker.service under TasksMax=limit with tasks of them, refused forks
 * counted in pids.events, in system.slice; the strings are literals, never freed. */
static TsCheckFacts checked(uint64_t tasks, uint64_t limit, uint64_t refused) {
        TsValue max = { .known = true, .value = limit };
        TsCheckFacts f = {
                .systemd_version = (char *)"252.38-1~deb12u1",
                .kernel_release = (char *)"6.1.0-37-amd64",
                .os_id = (char *)"debian",
                .unit = (char *)"docker.service",
                .unit_known = true,
                .control_group = (char *)"/system.slice/docker.service",
                .tasks_current = { .known = true, .value = tasks },
                .tasks_max = max,
                .pids_max = max,
                .events_max = { .known = true, .value = refused },
                .user_is_root = true,
                .kernel_slice = -1,
                .n_slices = 1,
        };
        f.slices[0] = (TsSliceFacts){ .name = (char *)"system.slice",
                                      .tasks_max = { .known = true, .value = UINT64_MAX },
                                      .events_max = { .known = true, .value = 0 } };
        return f;
}

static char *checked_text(const TsCheckFacts *f, const TsCheckResult *res, const TsFixReport *rep) {
        Capture c;
        ts_fix_checked_print(capture_start(&c), f, res, rep);
        return capture_end(&c);
}

/* fix --if-affected: the check as check prints it, then the fix's report or why there was none. */
START_TEST(test_checked_text) {
        TsCheckFacts f = checked(512, 512, 3);
        TsCheckResult res;
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &res);
        ck_assert(ts_check_fix_applies(&res));
        TsFixReport rep;
        fixed(&rep);
        _cleanup_(freep) char *t = checked_text(&f, &res, &rep);
        ck_assert_msg(strneq(t,
                             "docker.service: affected (cause: unit-tasksmax)\n  Tasks: 512 (Limit: 512)\n",
                             strlen("docker.service: affected (cause: unit-tasksmax)\n  Tasks: 512 (Limit: "
                                    "512)\n")),
                      "%s", t);
        const char *fix = strstr(t, "  fix: systemctl set-property docker.service TasksMax=infinity\n");
        ck_assert_msg(fix, "%s", t);
        ck_assert_str_eq(strchr(fix + 1, '\n') + 1, FIXED_TEXT);

        /* near the limit, nothing refused: left alone, and said why */
        f = checked(500, 512, 0);
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &res);
        ck_assert_int_eq(res.verdict, TS_CHECK_AT_RISK);
        _cleanup_(freep) char *risk = checked_text(&f, &res, NULL);
        ck_assert_msg(endswith(risk,
                               "\ndocker.service: not fixed: at-risk, not affected: no task was refused "
                               "yet (fix without --if-affected lifts the limit)\n"),
                      "%s", risk);

        /* a parent slice's limit refused them: the unit's own would not help */
        f = checked(20, UINT64_MAX, 3);
        f.slices[0].tasks_max = (TsValue){ .known = true, .value = 20 };
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &res);
        ck_assert_int_eq(res.cause, TS_CAUSE_SLICE_TASKSMAX);
        _cleanup_(freep) char *slice = checked_text(&f, &res, NULL);
        ck_assert_msg(strstr(slice, "  fix: systemctl set-property system.slice TasksMax=infinity\n"
                                    "docker.service: not fixed: affected by slice-tasksmax, not by its own "
                                    "TasksMax: lifting that would not help (the check's fix says what "
                                    "would)\n"),
                      "%s", slice);

        /* healthy */
        f = checked(12, 8192, 0);
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &res);
        _cleanup_(freep) char *healthy = checked_text(&f, &res, NULL);
        ck_assert_msg(endswith(healthy,
                               "\ndocker.service: not fixed: not affected: no task limit refused its "
                               "tasks\n"),
                      "%s", healthy);
}
END_TEST

START_TEST(test_checked_json) {
        TsCheckFacts f = checked(512, 512, 3);
        TsCheckResult res;
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &res);
        TsFixReport rep;
        fixed(&rep);
        json_object *o = json_reparse(ts_fix_checked_to_json(&f, &res, &rep));
        ck_assert_str_eq(jstr(o, "/unit"), "docker.service");
        /* the check's object, as check UNIT --json has it for the unit */
        ck_assert_str_eq(jstr(o, "/check/unit"), "docker.service");
        ck_assert_str_eq(jstr(o, "/check/verdict"), "affected");
        ck_assert_str_eq(jstr(o, "/check/cause"), "unit-tasksmax");
        ck_assert_int_eq(jint(o, "/check/limits/pids_events_max"), 3);
        ck_assert_str_eq(jstr(o, "/check/fix"), "systemctl set-property docker.service TasksMax=infinity");
        ck_assert(jbool(o, "/fix_applies"));
        /* the fix's object, as fix --json has it */
        ck_assert_str_eq(jstr(o, "/fix/unit"), "docker.service");
        ck_assert(jbool(o, "/fix/changed"));
        ck_assert_int_eq(jint(o, "/fix/tasks_max_before"), 512);
        ck_assert_str_eq(jstr(o, "/fix/tasks_max_after"), "max");
        ck_assert(jbool(o, "/fix/verified"));
        jnull(o, "/skipped");
        json_object_put(o);

        f = checked(500, 512, 0);
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &res);
        o = json_reparse(ts_fix_checked_to_json(&f, &res, NULL));
        ck_assert_str_eq(jstr(o, "/check/verdict"), "at-risk");
        ck_assert(!jbool(o, "/fix_applies"));
        jnull(o, "/fix");
        ck_assert_str_eq(jstr(o, "/skipped"),
                         "at-risk, not affected: no task was refused yet (fix without --if-affected lifts "
                         "the limit)");
        json_object_put(o);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("report-fix");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_commands);
        tcase_add_test(tc, test_report_text);
        tcase_add_test(tc, test_report_json);
        tcase_add_test(tc, test_checked_text);
        tcase_add_test(tc, test_checked_json);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(suite());
}
