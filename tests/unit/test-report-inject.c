/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The summary `taskstorm inject` writes after the command: a pure filter says what always fails and
 * counts nothing, as does a policy that fails nothing; a supervised run counts what it saw and
 * failed; the errno by name in both forms. */
#include <check.h>

#include "report-fixture.h"
#include "report-inject.h"

static char *text_of(const TsInjectOptions *o, const TsInjectStats *st) {
        Capture c;
        ts_inject_summary_print(capture_start(&c), o, st);
        return capture_end(&c);
}

START_TEST(test_text) {
        TsInjectStats st = { .threads_seen = 100, .threads_failed = 1, .processes_seen = 2 };
        TsInjectOptions o = { .what = TS_INJECT_ALL,
                              .policy = { .when = TS_INJECT_ALWAYS },
                              .error = EAGAIN };
        _cleanup_(freep) char *always = text_of(&o, &st);
        ck_assert_str_eq(
                always,
                "taskstorm inject: every task creation failed with EAGAIN (pure filter: not counted)\n");
        o.what = TS_INJECT_THREADS;
        o.error = ENOMEM;
        _cleanup_(freep) char *threads = text_of(&o, &st);
        ck_assert_str_eq(
                threads,
                "taskstorm inject: every thread creation failed with ENOMEM (pure filter: not counted)\n");
        o.policy = (TsInjectPolicy){ .when = TS_INJECT_EVERY, .n = 1 }; /* every call: a pure filter too */
        _cleanup_(freep) char *every = text_of(&o, &st);
        ck_assert_str_eq(
                every,
                "taskstorm inject: every thread creation failed with ENOMEM (pure filter: not counted)\n");
        o.policy = (TsInjectPolicy){ .when = TS_INJECT_PROBABILITY, .probability = 0 };
        _cleanup_(freep) char *none = text_of(&o, &st);
        ck_assert_str_eq(
                none, "taskstorm inject: the policy fails no thread creation (none caught: not counted)\n");
        o.policy = (TsInjectPolicy){ .when = TS_INJECT_NTH, .n = 37 };
        o.error = 4095; /* no name */
        _cleanup_(freep) char *nth = text_of(&o, &st);
        ck_assert_str_eq(nth,
                         "taskstorm inject: threads 100 seen, 1 failed; processes 2 seen, 0 failed (?)\n");
}
END_TEST

START_TEST(test_json) {
        TsInjectStats st = {
                .threads_seen = 100, .threads_failed = 1, .processes_seen = 2, .processes_failed = 2
        };
        TsInjectOptions o = { .what = TS_INJECT_PROCESSES,
                              .policy = { .when = TS_INJECT_EVERY, .n = 2 },
                              .error = EPERM };
        json_object *j = json_reparse(ts_inject_summary_to_json(&o, &st));
        ck_assert_str_eq(jstr(j, "/what"), "processes");
        ck_assert_str_eq(jstr(j, "/errno"), "EPERM");
        ck_assert_int_eq(jint(j, "/threads_seen"), 100);
        ck_assert_int_eq(jint(j, "/threads_failed"), 1);
        ck_assert_int_eq(jint(j, "/processes_seen"), 2);
        ck_assert_int_eq(jint(j, "/processes_failed"), 2);
        ck_assert(jbool(j, "/supervised"));
        json_object_put(j);
        o.policy.when = TS_INJECT_ALWAYS;
        j = json_reparse(ts_inject_summary_to_json(&o, &st));
        ck_assert(!jbool(j, "/supervised"));
        json_object_put(j);
        o.policy = (TsInjectPolicy){ .when = TS_INJECT_PROBABILITY, .probability = 0 };
        j = json_reparse(ts_inject_summary_to_json(&o, &st));
        ck_assert(!jbool(j, "/supervised"));
        json_object_put(j);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("report-inject");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_text);
        tcase_add_test(tc, test_json);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(suite());
}
