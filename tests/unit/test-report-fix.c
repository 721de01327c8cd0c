/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `taskstorm fix` prints: --dry-run's systemctl commands (and the undo's), the fix's steps with
 * TasksMax before and after and what was verified, a drop-in that overrides the fix, and the JSON of
 * the same (limits as numbers or "max", steps that ran only). */
#include <check.h>

#include "report-fix.h"
#include "report-fixture.h"

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
        ck_assert_str_eq(t, "docker.service: TasksMax 512 -> infinity\n"
                            "  set-property       1.2 ms\n"
                            "  reload            80.0 ms\n"
                            "  restart          350.0 ms\n"
                            "  verify             0.5 ms\n"
                            "  verified: bus TasksMax=infinity, cgroup pids.max=max\n"
                            "  drop-in: /etc/systemd/system.control/docker.service.d/50-TasksMax.conf\n");

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

static Suite *suite(void) {
        Suite *s = suite_create("report-fix");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_commands);
        tcase_add_test(tc, test_report_text);
        tcase_add_test(tc, test_report_json);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(suite());
}
