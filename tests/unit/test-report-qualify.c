/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The report of `taskstorm qualify` from checks of the real table and results set by hand: the text
 * lines with why and evidence, TAP with the evidence as a comment, each check's JSON, the report's
 * systemd, checks and summary, and junit.xml read back with libxml2 (one suite, the counts, a
 * failure's message with its evidence, a skip). */
#include <check.h>

#include "report-fixture.h"
#include "report-qualify.h"

static const TsQualifyCheck *checks[3];
static TsQualifyResult results[3];

static void setup(void) {
        size_t n;
        const TsQualifyCheck *all = ts_qualify_checks(&n);
        ck_assert_uint_ge(n, 3);
        for (size_t i = 0; i < 3; i++)
                checks[i] = &all[i];
        results[0] = (TsQualifyResult){ .verdict = TS_VERDICT_PASS, .duration = 12345678 };
        snprintf(results[0].evidence, sizeof results[0].evidence, "pids.max 8, fork 8 refused with EAGAIN");
        results[1] = (TsQualifyResult){ .verdict = TS_VERDICT_FAIL, .duration = 2000000 };
        snprintf(results[1].evidence, sizeof results[1].evidence, "pids.max max");
        snprintf(results[1].reason, sizeof results[1].reason, "expected pids.max 8 & <more>");
        results[2] = (TsQualifyResult){ .verdict = TS_VERDICT_SKIP };
        snprintf(results[2].reason, sizeof results[2].reason, "needs systemd >= 253");
}

START_TEST(test_text) {
        Capture c;
        FILE *f = capture_start(&c);
        ts_qualify_print_head(f, "252", 3);
        for (size_t i = 0; i < 3; i++)
                ts_qualify_print_result(f, checks[i], &results[i]);
        ts_qualify_print_head(f, "252", 1);
        _cleanup_(freep) char *t = capture_end(&c);
        char want[2048];
        snprintf(want, sizeof want,
                 "systemd 252: 3 checks of its TasksMax semantics\n"
                 "PASS   %-18s     12.3 ms  %s\n"
                 "       evidence: pids.max 8, fork 8 refused with EAGAIN\n"
                 "FAIL   %-18s      2.0 ms  %s\n"
                 "       why: expected pids.max 8 & <more>\n"
                 "       evidence: pids.max max\n"
                 "SKIP   %-18s      0.0 ms  %s\n"
                 "       why: needs systemd >= 253\n"
                 "systemd 252: 1 check of its TasksMax semantics\n",
                 checks[0]->name, checks[0]->summary, checks[1]->name, checks[1]->summary, checks[2]->name,
                 checks[2]->summary);
        ck_assert_str_eq(t, want);
        ck_assert_str_eq(checks[0]->name, "scope-limit");
}
END_TEST

START_TEST(test_tap) {
        Capture c;
        FILE *f = capture_start(&c);
        for (size_t i = 0; i < 3; i++)
                ts_qualify_print_tap(f, i + 1, checks[i], &results[i]);
        _cleanup_(freep) char *t = capture_end(&c);
        char want[1024];
        snprintf(want, sizeof want,
                 "ok 1 - %s\n# pids.max 8, fork 8 refused with EAGAIN\n"
                 "not ok 2 - %s\n# pids.max max\n# FAIL: expected pids.max 8 & <more>\n"
                 "ok 3 - %s # SKIP needs systemd >= 253\n# \n",
                 checks[0]->name, checks[1]->name, checks[2]->name);
        ck_assert_str_eq(t, want);
}
END_TEST

START_TEST(test_json) {
        TsSysinfo env = { .pid1 = { .is_systemd = true, .booted = 1, .comm = (char *)"systemd" },
                          .systemd = { .reachable = true, .version = (char *)"252" } };
        static const char *const verbs[] = { "qualify", NULL };
        unsigned counts[_TS_VERDICT_MAX] = {
                [TS_VERDICT_PASS] = 1, [TS_VERDICT_FAIL] = 1, [TS_VERDICT_SKIP] = 1
        };
        json_object *report = ts_qualify_report_new(&env, verbs);
        json_object *list = json_object_new_array();
        for (size_t i = 0; i < 3; i++)
                json_object_array_add(list, ts_qualify_result_to_json(checks[i], &results[i]));
        ts_qualify_report_finish(report, "252", list, counts);
        json_object *o = json_reparse(report);
        ck_assert_str_eq(jstr(o, "/format"), TS_QUALIFY_FORMAT);
        ck_assert_int_eq(jint(o, "/version"), TS_QUALIFY_VERSION);
        ck_assert_str_eq(jstr(o, "/environment/sandbox/verbs/0"), "qualify");
        ck_assert_str_eq(jstr(o, "/systemd"), "252");
        ck_assert_uint_eq(jlen(o, "/checks"), 3);
        ck_assert_str_eq(jstr(o, "/checks/0/name"), "scope-limit");
        ck_assert_str_eq(jstr(o, "/checks/0/summary"), checks[0]->summary);
        ck_assert_str_eq(jstr(o, "/checks/0/verdict"), "PASS");
        jnull(o, "/checks/0/reason");
        ck_assert_int_eq(jint(o, "/checks/0/duration_ns"), 12345678);
        ck_assert_str_eq(jstr(o, "/checks/1/verdict"), "FAIL");
        ck_assert_str_eq(jstr(o, "/checks/1/reason"), "expected pids.max 8 & <more>");
        ck_assert_str_eq(jstr(o, "/checks/2/evidence"), "");
        ck_assert_int_eq(jint(o, "/summary/FAIL"), 1);
        ck_assert_int_eq(jint(o, "/summary/BROKEN"), 0);
        json_object_put(o);
}
END_TEST

START_TEST(test_junit) {
        char path[PATH_MAX];
        temp_path(path, sizeof path, "junit.xml");
        ck_assert_int_eq(ts_qualify_junit_write(path, "252", checks, results, 3), 0);
        xmlDocPtr doc = xml_read_and_remove(path);
        assert_junit_counts(doc, "3", "1", "1", "0");
        assert_xpath(doc, "count(/testsuites/testsuite)", "1");
        assert_xpath(doc, "string(/testsuites/testsuite/@name)", "qualify systemd 252");
        assert_xpath(doc, "string(/testsuites/testsuite/@time)", "0.014346");
        assert_xpath(doc, "string(/testsuites/testsuite/testcase[1]/@name)", "scope-limit");
        assert_xpath(doc, "string(/testsuites/testsuite/testcase[1]/@time)", "0.012346");
        assert_xpath(doc, "count(/testsuites/testsuite/testcase[1]/*)", "0");
        assert_xpath(doc, "string(/testsuites/testsuite/testcase[2]/failure/@message)",
                     "expected pids.max 8 & <more> (evidence: pids.max max)");
        assert_xpath(doc, "string(/testsuites/testsuite/testcase[3]/skipped/@message)",
                     "needs systemd >= 253 (evidence: )");
        xmlFreeDoc(doc);
        ck_assert_int_lt(ts_qualify_junit_write("/nonexistent-dir/junit.xml", "252", checks, results, 3), 0);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("report-qualify");
        TCase *tc = tcase_create("core");
        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, test_text);
        tcase_add_test(tc, test_tap);
        tcase_add_test(tc, test_json);
        tcase_add_test(tc, test_junit);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(suite());
}
