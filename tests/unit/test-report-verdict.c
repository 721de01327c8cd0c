/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TAP lines, the closing count line and the JSON counts, as run and qualify print them, from the one
 * verdict table: a skip is "ok" with its reason, a failure and a broken set-up are "not ok" with theirs. */
#include <check.h>

#include "report-fixture.h"
#include "report-verdict.h"

/* What one TAP result prints. */
static char *tap(size_t number, const char *name, TsVerdict v, const char *reason, const char *comment) {
        Capture c;
        ts_tap_print_result(capture_start(&c), number, name, v, reason, comment);
        return capture_end(&c);
}

START_TEST(test_tap_lines) {
        char *s = tap(1, "10-fork-64", TS_VERDICT_PASS, "", NULL);
        ck_assert_str_eq(s, "ok 1 - 10-fork-64\n");
        free(s);
        s = tap(2, "needs-future-systemd", TS_VERDICT_SKIP, "needs systemd >= 9999", NULL);
        ck_assert_str_eq(s, "ok 2 - needs-future-systemd # SKIP needs systemd >= 9999\n");
        free(s);
        s = tap(3, "expects-wrong-count", TS_VERDICT_FAIL, "first EAGAIN with 16 tasks", NULL);
        ck_assert_str_eq(s, "not ok 3 - expects-wrong-count\n# FAIL: first EAGAIN with 16 tasks\n");
        free(s);
        s = tap(4, "scope-limit", TS_VERDICT_BROKEN, "no bus", "pids.max 8");
        ck_assert_str_eq(s, "not ok 4 - scope-limit\n# pids.max 8\n# BROKEN: no bus\n");
        free(s);
        s = tap(5, "infinity", TS_VERDICT_PASS, "", "TasksMax=infinity");
        ck_assert_str_eq(s, "ok 5 - infinity\n# TasksMax=infinity\n");
        free(s);
}
END_TEST

START_TEST(test_plan_and_counts) {
        unsigned counts[_TS_VERDICT_MAX] = {
                [TS_VERDICT_PASS] = 7, [TS_VERDICT_SKIP] = 2, [TS_VERDICT_FAIL] = 1
        };
        Capture c;
        FILE *f = capture_start(&c);
        ts_tap_print_plan(f, 10);
        ts_verdict_counts_print(f, counts);
        _cleanup_(freep) char *s = capture_end(&c);
        ck_assert_str_eq(s, "1..10\n7 passed, 1 failed, 2 skipped, 0 broken\n");

        json_object *o = json_reparse(ts_verdict_counts_to_json(counts));
        ck_assert_int_eq(jint(o, "/PASS"), 7);
        ck_assert_int_eq(jint(o, "/SKIP"), 2);
        ck_assert_int_eq(jint(o, "/FAIL"), 1);
        ck_assert_int_eq(jint(o, "/BROKEN"), 0);
        ck_assert_int_eq(json_object_object_length(o), 4);
        json_object_put(o);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("report-verdict");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_tap_lines);
        tcase_add_test(tc, test_plan_and_counts);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(suite());
}
