/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The report of a run from scenario files of the tree and results set by hand (a storm that failed its
 * expectation, a skip, a [Daemon] loop that passed): the text and TAP lines, report.json's scenarios
 * and summary, junit.xml read back with libxml2 (one suite per scenario, a case per phase and one
 * for the verdict), and report.html written beside them. */
#include <check.h>

#include "report-fixture.h"
#include "report-run.h"

static TsScenario *scenarios[3];
static TsScenarioResult results[3];
static TsSample samples[2] = { { .t = 0, .current = 40, .max = 512 },
                               { .t = 10000000, .current = 512, .max = 512 } };

static TsScenario *parse(const char *dir, const char *name) {
        const char *fixtures = getenv("TS_FIXTURES");
        char path[PATH_MAX];
        TsScenario *s = NULL;
        TsScenarioError error = {};
        if (streq(dir, "fixtures"))
                snprintf(path, sizeof path, "%s/scenarios/%s",
                         fixtures ? fixtures : TS_SOURCE_ROOT "/fixtures", name);
        else
                snprintf(path, sizeof path, "%s/scenarios/%s", TS_SOURCE_ROOT, name);
        int r = ts_scenario_parse_file(path, &s, &error);
        ts_scenario_error_done(&error);
        ck_assert_msg(r >= 0, "cannot parse %s", path);
        return s;
}

static void setup(void) {
        scenarios[0] = parse("fixtures", "expects-wrong-count.scenario");
        scenarios[1] = parse("fixtures", "needs-future-systemd.scenario");
        scenarios[2] = parse("scenarios", "02-seed-docker-no-restart.scenario");

        /* The storm ran and its first EAGAIN came at 16 tasks, not the 20 expected. */
        TsScenarioResult *r = &results[0];
        *r = (TsScenarioResult){ .verdict = TS_VERDICT_FAIL, .ran = true, .duration = 900000000 };
        snprintf(r->reason, sizeof r->reason, "first EAGAIN with 16 tasks in the unit, expected 20 +- 0");
        r->plan = (TsStormPlan){ .storm = { .kind = TS_STORM_FORK },
                                 .limit = { .kind = TS_TASKS_LIMIT_NUMBER, .value = 16 },
                                 .max_tasks = 4096 };
        r->report = (TsStormReport){
                .unit = (char *)"taskstorm-expects-wrong-count-7-1.scope",
                .stats = { .created = 15,
                           .failures = 1,
                           .by_errno = { { EAGAIN, 1 } },
                           .first_error = EAGAIN,
                           .tasks_at_first_failure = 16,
                           .start_ns = 1000,
                           .first_failure_ns = 3501000 },
                .phases = { [TS_PHASE_SCOPE_CREATE] = { true, 0, 2000000 },
                            [TS_PHASE_STORM] = { true, 2000000, 4000000 },
                            [TS_PHASE_STOP] = { true, 6000000, 1500000 } },
                .has_first_failure = true,
        };

        r = &results[1];
        *r = (TsScenarioResult){ .verdict = TS_VERDICT_SKIP, .duration = 1000 };
        snprintf(r->reason, sizeof r->reason, "needs systemd >= 9999, this is 252");

        /* The loop: 200 containers asked, 180 refused under TasksMax=512, fixed without a restart. */
        r = &results[2];
        *r = (TsScenarioResult){ .verdict = TS_VERDICT_PASS, .looped = true, .duration = 4000000000 };
        TsLoopReport *l = &r->loop;
        *l = (TsLoopReport){ .origin = 5000,
                             .started = 20,
                             .failed = 180,
                             .first_failure = 7000000,
                             .started_again = 200,
                             .verdict = TS_CHECK_AFFECTED,
                             .cause = TS_CAUSE_UNIT_TASKSMAX,
                             .verdict_after = TS_CHECK_NOT_AFFECTED,
                             .fixed = true,
                             .fix_verified = true,
                             .samples = { .samples = samples, .n = 2, .interval = 10000000 } };
        snprintf(l->unit, sizeof l->unit, "docker.service");
        snprintf(l->stack, sizeof l->stack, "the dockerd-like fixture daemon");
        snprintf(l->first_error, sizeof l->first_error, "fork/exec: resource temporarily unavailable");
        snprintf(l->why, sizeof l->why, "Tasks: 512 (Limit: 512)");
        l->phases[TS_LOOP_INSTALL] = (TsTiming){ .done = true, .start = 5000, .duration = 300000000 };
        l->phases[TS_LOOP_REPRODUCE] =
                (TsTiming){ .done = true, .start = 300005000, .duration = 2000000000 };
        l->phases[TS_LOOP_DETECT] = (TsTiming){ .done = true, .start = 2300005000, .duration = 50000000 };
        l->phases[TS_LOOP_SET_PROPERTY] =
                (TsTiming){ .done = true, .start = 2350005000, .duration = 1500000 };
        l->phases[TS_LOOP_RERUN] = (TsTiming){ .done = true, .start = 2400000000, .duration = 1000000000 };
}

static void teardown(void) {
        for (size_t i = 0; i < 3; i++)
                ts_scenario_free(scenarios[i]);
}

START_TEST(test_text) {
        Capture c;
        FILE *f = capture_start(&c);
        for (size_t i = 0; i < 3; i++)
                ts_run_print_result(f, scenarios[i], &results[i]);
        _cleanup_(freep) char *t = capture_end(&c);
        ck_assert_str_eq(
                t,
                "FAIL   expects-wrong-count          scope-create 2.0ms storm 4.0ms stop 1.5ms "
                "first-EAGAIN 3.5ms\n"
                "       first EAGAIN with 16 tasks in the unit, expected 20 +- 0\n"
                "SKIP   needs-future-systemd        \n"
                "       needs systemd >= 9999, this is 252\n"
                "PASS   02-seed-docker-no-restart   \n"
                "       install           300.0 ms  installed and started: the dockerd-like fixture daemon "
                "as docker.service\n"
                "       reproduce        2000.0 ms  containers asked for: 20 started, 180 failed\n"
                "                                first failure: fork/exec: resource temporarily "
                "unavailable\n"
                "       detect             50.0 ms  taskstorm check: affected (unit-tasksmax)\n"
                "                                Tasks: 512 (Limit: 512)\n"
                "       set-property        1.5 ms  set-property TasksMax\n"
                "       re-run           1000.0 ms  the same containers asked for again: 200 started, "
                "0 failed\n");
}
END_TEST

START_TEST(test_tap) {
        Capture c;
        FILE *f = capture_start(&c);
        for (size_t i = 0; i < 3; i++)
                ts_run_print_tap(f, i + 1, scenarios[i], &results[i]);
        _cleanup_(freep) char *t = capture_end(&c);
        ck_assert_str_eq(t, "not ok 1 - expects-wrong-count\n"
                            "# FAIL: first EAGAIN with 16 tasks in the unit, expected 20 +- 0\n"
                            "ok 2 - needs-future-systemd # SKIP needs systemd >= 9999, this is 252\n"
                            "ok 3 - 02-seed-docker-no-restart\n");
}
END_TEST

static TsRunReport *report_of_all(void) {
        TsSysinfo env = { .pid1 = { .booted = 0, .comm = (char *)"process_api" } };
        static const char *const verbs[] = { "run", NULL };
        unsigned counts[_TS_VERDICT_MAX] = {
                [TS_VERDICT_PASS] = 1, [TS_VERDICT_SKIP] = 1, [TS_VERDICT_FAIL] = 1
        };
        TsRunReport *report = ts_run_report_new(&env, verbs);
        ck_assert_ptr_nonnull(report);
        for (size_t i = 0; i < 3; i++)
                ck_assert_int_eq(ts_run_report_add(report, scenarios[i], &results[i]), 0);
        ck_assert_ptr_nonnull(ts_run_report_finish(report, counts));
        return report;
}

/* One file of the report of all three into a fresh directory: its path into path (PATH_MAX bytes). */
static void write_report(int (*write)(const TsRunReport *r, const char *path), const char *name,
                         char *path) {
        TsRunReport *report = report_of_all();
        temp_path(path, PATH_MAX, name);
        ck_assert_int_eq(write(report, path), 0);
        ts_run_report_free(report);
}

START_TEST(test_json) {
        char path[PATH_MAX];
        write_report(ts_run_report_write_json, "report.json", path);
        json_object *o = json_object_from_file(path);
        ck_assert_ptr_nonnull(o);
        temp_remove(path);

        ck_assert_str_eq(jstr(o, "/format"), TS_REPORT_FORMAT);
        ck_assert_int_eq(jint(o, "/version"), TS_REPORT_VERSION);
        ck_assert_str_eq(jstr(o, "/environment/sandbox/why"), "PID 1 is process_api, not systemd");
        ck_assert_uint_eq(jlen(o, "/scenarios"), 3);
        ck_assert_str_eq(jstr(o, "/scenarios/0/name"), "expects-wrong-count");
        ck_assert_str_eq(jstr(o, "/scenarios/0/verdict"), "FAIL");
        ck_assert_str_eq(jstr(o, "/scenarios/0/tags/0"), "test-verdicts");
        ck_assert_str_eq(jstr(o, "/scenarios/0/storm/tasks_max"), "16");
        ck_assert_int_eq(jint(o, "/scenarios/0/storm/first_failure/storm_tasks"), 16);
        jnull(o, "/scenarios/0/loop");
        jnull(o, "/scenarios/1/storm");
        jnull(o, "/scenarios/1/loop");
        ck_assert_str_eq(jstr(o, "/scenarios/1/reason"), "needs systemd >= 9999, this is 252");
        jnull(o, "/scenarios/2/reason");
        ck_assert_int_eq(jint(o, "/scenarios/2/duration_ns"), 4000000000);
        ck_assert_str_eq(jstr(o, "/scenarios/2/loop/unit"), "docker.service");
        ck_assert_str_eq(jstr(o, "/scenarios/2/loop/stack"), "fixture");
        ck_assert_str_eq(jstr(o, "/scenarios/2/loop/tasks_max"), "512");
        ck_assert_int_eq(jint(o, "/scenarios/2/loop/containers_asked"), 200);
        ck_assert_int_eq(jint(o, "/scenarios/2/loop/containers_failed"), 180);
        ck_assert_str_eq(jstr(o, "/scenarios/2/loop/check_verdict"), "affected");
        ck_assert_str_eq(jstr(o, "/scenarios/2/loop/check_cause"), "unit-tasksmax");
        ck_assert_str_eq(jstr(o, "/scenarios/2/loop/check_verdict_after"), "not-affected");
        ck_assert_str_eq(jstr(o, "/scenarios/2/loop/remedy/tasks_max"), "infinity");
        ck_assert(!jbool(o, "/scenarios/2/loop/remedy/reload"));
        ck_assert(!jbool(o, "/scenarios/2/loop/remedy/restart"));
        jnull(o, "/scenarios/2/loop/machine_check");
        ck_assert_uint_eq(jlen(o, "/scenarios/2/loop/phases"), 5);
        ck_assert_str_eq(jstr(o, "/scenarios/2/loop/phases/1/name"), "reproduce");
        ck_assert_int_eq(jint(o, "/scenarios/2/loop/phases/1/start_ns"), 300000000);
        ck_assert_int_eq(jint(o, "/scenarios/2/loop/samples/pids_current/1"), 512);
        ck_assert_int_eq(jint(o, "/summary/PASS"), 1);
        ck_assert_int_eq(jint(o, "/summary/SKIP"), 1);
        ck_assert_int_eq(jint(o, "/summary/FAIL"), 1);
        json_object_put(o);
}
END_TEST

START_TEST(test_junit) {
        char path[PATH_MAX];
        write_report(ts_run_report_write_junit, "junit.xml", path);
        xmlDocPtr doc = xml_read_and_remove(path);
        assert_xpath(doc, "count(/testsuites/testsuite)", "3");
        assert_junit_counts(doc, "11", "1", "1", "0");
        assert_xpath(doc, "string(/testsuites/testsuite[1]/@name)", "expects-wrong-count");
        assert_xpath(doc, "string(/testsuites/testsuite[1]/@tests)", "4");
        assert_xpath(doc, "string(/testsuites/testsuite[1]/testcase[2]/@name)", "storm");
        assert_xpath(doc, "string(/testsuites/testsuite[1]/testcase[2]/@time)", "0.004000");
        assert_xpath(doc, "string(/testsuites/testsuite[1]/testcase[@name='verdict']/failure/@message)",
                     "first EAGAIN with 16 tasks in the unit, expected 20 +- 0");
        assert_xpath(doc, "string(/testsuites/testsuite[2]/testcase/skipped/@message)",
                     "needs systemd >= 9999, this is 252");
        assert_xpath(doc, "string(/testsuites/testsuite[3]/@tests)", "6");
        assert_xpath(doc, "string(/testsuites/testsuite[3]/@time)", "4.000000");
        assert_xpath(doc, "count(/testsuites/testsuite[3]/testcase[@name='verdict']/*)", "0");
        xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_html) {
        char path[PATH_MAX];
        write_report(ts_run_report_write_html, "report.html", path);
        _cleanup_(freep) char *page = NULL;
        ck_assert_int_ge(ts_read_full_file(path, 16 << 20, &page, NULL), 0);
        temp_remove(path);
        ck_assert_msg(strncmp(page, "<!DOCTYPE html>", 15) == 0, "not a page");
        ck_assert_ptr_nonnull(strstr(page, "02-seed-docker-no-restart"));
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("report-run");
        TCase *tc = tcase_create("core");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_text);
        tcase_add_test(tc, test_tap);
        tcase_add_test(tc, test_json);
        tcase_add_test(tc, test_junit);
        tcase_add_test(tc, test_html);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(suite());
}
