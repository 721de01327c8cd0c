/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON pieces every report shares: limits ("max"), strings and nulls, timings of the steps that
 * ran, sample series, the head of a report file, and the one way reports are written (pretty, with
 * slashes as they are, a newline after it on a stream). */
#include <check.h>
#include <regex.h>

#include "report-fixture.h"

static const char *step_name(size_t i) {
        static const char *const names[] = { "set-property", "reload", "restart" };
        return names[i];
}

START_TEST(test_values) {
        json_object *a = json_object_new_object();
        json_object_object_add(a, "max", ts_json_u64_or_max(UINT64_MAX));
        json_object_object_add(a, "number", ts_json_u64_or_max(512));
        json_object_object_add(a, "none", ts_json_string(NULL));
        json_object_object_add(a, "empty", ts_json_string(""));
        json_object_object_add(a, "empty_or_null", ts_json_string_or_null(""));
        json_object_object_add(a, "none_or_null", ts_json_string_or_null(NULL));
        json_object_object_add(a, "unit", ts_json_string_or_null("docker.service"));
        json_object *o = json_reparse(a);
        ck_assert_str_eq(jstr(o, "/max"), "max");
        ck_assert_int_eq(jint(o, "/number"), 512);
        jnull(o, "/none");
        ck_assert_str_eq(jstr(o, "/empty"), "");
        jnull(o, "/empty_or_null");
        jnull(o, "/none_or_null");
        ck_assert_str_eq(jstr(o, "/unit"), "docker.service");
        json_object_put(o);
}
END_TEST

START_TEST(test_timings) {
        TsTiming t[3] = { { .done = true, .duration = 1500 },
                          { .done = false, .duration = 7 },
                          { .done = true, .duration = 42 } };
        json_object *o = json_reparse(ts_json_timings(t, 3, step_name));
        ck_assert_uint_eq(jlen(o, ""), 2);
        ck_assert_str_eq(jstr(o, "/0/name"), "set-property");
        ck_assert_int_eq(jint(o, "/0/duration_ns"), 1500);
        ck_assert_str_eq(jstr(o, "/1/name"), "restart");
        ck_assert_int_eq(jint(o, "/1/duration_ns"), 42);
        json_object_put(o);
}
END_TEST

START_TEST(test_samples) {
        TsSamples none = {};
        ck_assert_ptr_null(ts_json_samples(&none));

        TsSample s[3] = { { .t = 0, .current = 1, .max = 64, .events_max = 0 },
                          { .t = 5000000, .current = 64, .max = 64, .events_max = 3 },
                          { .t = 10000000, .current = 2, .max = UINT64_MAX, .events_max = 3 } };
        TsSamples samples = { .samples = s, .n = 3, .interval = 5000000, .missed = 1 };
        json_object *o = json_reparse(ts_json_samples(&samples));
        ck_assert_int_eq(jint(o, "/interval_ns"), 5000000);
        ck_assert(json_object_get_double(jget(o, "/per_second")) == 200.0);
        ck_assert_int_eq(jint(o, "/missed"), 1);
        ck_assert_uint_eq(jlen(o, "/t_ns"), 3);
        ck_assert_int_eq(jint(o, "/t_ns/2"), 10000000);
        ck_assert_int_eq(jint(o, "/pids_current/1"), 64);
        ck_assert_int_eq(jint(o, "/pids_max/0"), 64);
        ck_assert_str_eq(jstr(o, "/pids_max/2"), "max");
        ck_assert_int_eq(jint(o, "/events_max/2"), 3);
        json_object_put(o);
}
END_TEST

/* Pretty, "key":value, slashes unescaped, and a newline after it. */
START_TEST(test_write) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "control_group", json_object_new_string("/system.slice/docker.service"));
        json_object_object_add(o, "n", json_object_new_int(3));
        Capture c;
        ck_assert_int_eq(ts_json_write_and_put(capture_start(&c), o, TS_JSON_PRETTY), 0);
        _cleanup_(freep) char *s = capture_end(&c);
        ck_assert_str_eq(s, "{\n  \"control_group\":\"/system.slice/docker.service\",\n  \"n\":3\n}\n");

        char path[PATH_MAX];
        temp_path(path, sizeof path, "report.json");
        o = json_object_new_object();
        json_object_object_add(o, "path", json_object_new_string("a/b"));
        ck_assert_int_eq(ts_json_write_file(path, o), 0);
        _cleanup_(freep) char *text = NULL;
        ck_assert_int_ge(ts_read_full_file(path, 1 << 16, &text, NULL), 0);
        ck_assert_ptr_nonnull(strstr(text, "\"path\":\"a/b\""));
        temp_remove(path);
        ck_assert_int_eq(ts_json_write_file("/nonexistent-dir/report.json", o), -EIO);
        json_object_put(o);
}
END_TEST

/* --json=short: the same object on one line, slashes still unescaped; the names of the styles. */
START_TEST(test_write_short) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "control_group", json_object_new_string("/system.slice/docker.service"));
        json_object *list = json_object_new_array();
        json_object_array_add(list, json_object_new_int(1));
        json_object_array_add(list, json_object_new_int(2));
        json_object_object_add(o, "n", list);
        Capture c;
        ck_assert_int_eq(ts_json_write_and_put(capture_start(&c), o, TS_JSON_SHORT), 0);
        _cleanup_(freep) char *s = capture_end(&c);
        ck_assert_str_eq(s, "{\"control_group\":\"/system.slice/docker.service\",\"n\":[1,2]}\n");

        ck_assert_int_eq(ts_json_style_from_string("pretty"), TS_JSON_PRETTY);
        ck_assert_int_eq(ts_json_style_from_string("short"), TS_JSON_SHORT);
        ck_assert_int_eq(ts_json_style_from_string("Short"), _TS_JSON_STYLE_INVALID);
        ck_assert_int_eq(ts_json_style_from_string(""), _TS_JSON_STYLE_INVALID);
        ck_assert_int_eq(ts_json_style_from_string(NULL), _TS_JSON_STYLE_INVALID);
}
END_TEST

START_TEST(test_report_head) {
        TsSysinfo env = { .pid1 = { .is_systemd = true, .booted = 1, .comm = (char *)"systemd" },
                          .systemd = { .reachable = true, .version = (char *)"252.38-1~deb12u1" } };
        static const char *const verbs[] = { "storm", "run", NULL };
        json_object *o = json_reparse(ts_json_report_new("taskstorm-report", 1, &env, verbs));
        ck_assert_str_eq(jstr(o, "/format"), "taskstorm-report");
        ck_assert_int_eq(jint(o, "/version"), 1);
        ck_assert_str_eq(jstr(o, "/taskstorm_version"), TS_VERSION);
        regex_t re;
        ck_assert_int_eq(
                regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", REG_EXTENDED), 0);
        ck_assert_int_eq(regexec(&re, jstr(o, "/generated_at"), 0, NULL, 0), 0);
        regfree(&re);
        ck_assert_str_eq(jstr(o, "/environment/systemd/version"), "252.38-1~deb12u1");
        ck_assert_uint_eq(jlen(o, "/environment/sandbox/verbs"), 2);
        ck_assert_str_eq(jstr(o, "/environment/sandbox/verbs/1"), "run");
        ck_assert(!jbool(o, "/environment/sandbox/needed"));
        json_object_put(o);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("report-json");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_values);
        tcase_add_test(tc, test_timings);
        tcase_add_test(tc, test_samples);
        tcase_add_test(tc, test_write);
        tcase_add_test(tc, test_write_short);
        tcase_add_test(tc, test_report_head);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(suite());
}
