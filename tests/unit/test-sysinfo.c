/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parts of sysinfo that run without root and without touching cgroups: the verdict words, and
 * the pids probe pointed at a plain directory (it must say why it could not probe and leave nothing
 * behind). The real probe runs in 'taskstorm env' and the live suite. */
#include <check.h>
#include <dirent.h>
#include <sys/stat.h>

#include "fixture.h"
#include "sysinfo.h"

START_TEST(test_strings) {
        ck_assert_str_eq(ts_pids_enforcement_to_string(TS_PIDS_ENFORCED), "enforced");
        ck_assert_str_eq(ts_pids_enforcement_to_string(TS_PIDS_NOT_ENFORCED), "not-enforced");
        ck_assert_str_eq(ts_pids_enforcement_to_string(TS_PIDS_NOT_PROBED), "not-probed");
        ck_assert(!ts_pids_enforcement_to_string(_TS_PIDS_ENFORCEMENT_MAX));
        ck_assert(!ts_pids_enforcement_to_string(_TS_PIDS_ENFORCEMENT_INVALID));

        for (int r = 0; r < _TS_PIDS_REASON_MAX; r++)
                ck_assert_msg(ts_pids_reason_to_string(r), "reason %d has no text", r);
        ck_assert_str_eq(ts_pids_reason_to_string(TS_PIDS_REASON_NEEDS_ROOT), "needs root");
        ck_assert(!ts_pids_reason_to_string(_TS_PIDS_REASON_MAX));
        ck_assert(!ts_pids_reason_to_string(_TS_PIDS_REASON_INVALID));
}
END_TEST

static unsigned count_entries(const char *dir) {
        DIR *d = opendir(dir);
        ck_assert(d);
        unsigned n = 0;
        for (struct dirent *de; (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

START_TEST(test_probe_plain_directory) {
        char dir[] = "/tmp/ts-probe-XXXXXX";
        ck_assert(mkdtemp(dir));

        /* Not a cgroup: the probe cgroup gets no pids.max, so nothing can be probed. */
        TsPidsProbe p = {};
        ck_assert_int_eq(ts_pids_probe(dir, &p), 0);
        ck_assert_int_eq(p.enforcement, TS_PIDS_NOT_PROBED);
        ck_assert_int_eq(p.reason, TS_PIDS_REASON_NO_LIMIT_FILE);
        ck_assert_int_eq(p.error, -ENOENT);
        ck_assert_int_eq(p.cleanup_error, 0);
        ck_assert(!p.cleanup_path);
        ck_assert_uint_eq(p.forked, 0);
        ts_pids_probe_done(&p);

        /* And the probe directory is gone. */
        ck_assert_uint_eq(count_entries(dir), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_probe_missing_parent) {
        TsPidsProbe p = {};
        ck_assert_int_eq(ts_pids_probe("/nonexistent-taskstorm-parent", &p), 0);
        ck_assert_int_eq(p.enforcement, TS_PIDS_NOT_PROBED);
        ck_assert_int_eq(p.reason, TS_PIDS_REASON_PROBE_FAILED);
        ck_assert_str_eq(p.step, "mkdir");
        ck_assert_int_eq(p.error, -ENOENT);
        ts_pids_probe_done(&p);

        TsPidsProbe untouched = { .forked = 7 };
        ck_assert_int_eq(ts_pids_probe(NULL, &untouched), -EINVAL);
        ck_assert_uint_eq(untouched.forked, 7);
}
END_TEST

static Suite *sysinfo_suite(void) {
        Suite *s = suite_create("sysinfo");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_strings);
        tcase_add_test(tc, test_probe_plain_directory);
        tcase_add_test(tc, test_probe_missing_parent);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(sysinfo_suite());
}
