/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parts of sysinfo that run without root and without touching cgroups: the verdict words, and
 * the pids probe pointed at a plain directory (it must say why it could not probe and leave nothing
 * behind), and the probe through a placer that refuses or sets no limit. The real probe runs in 'taskstorm
 * env' and the live suite. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
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

/* A placer that puts the child nowhere (place fails with place_error) or leaves it where it is
 * (place_error 0: no limit at all), and counts the calls. */
typedef struct CountingPlacer {
        int place_error, unplace_error;
        unsigned placed, unplaced;
        pid_t pid;
} CountingPlacer;

static int counting_place(void *userdata, pid_t pid, uint64_t limit) {
        CountingPlacer *c = userdata;
        ck_assert_uint_eq(limit, 2);
        c->placed++;
        c->pid = pid;
        return c->place_error;
}

static int counting_unplace(void *userdata) {
        CountingPlacer *c = userdata;
        c->unplaced++;
        return c->unplace_error;
}

static TsPidsProbe probe_placed(CountingPlacer *c) {
        TsPidsPlacer placer = {
                .where = "a test placer", .place = counting_place, .unplace = counting_unplace, .userdata = c
        };
        TsPidsProbe p = {};
        ck_assert_int_eq(ts_pids_probe_placed(&placer, &p), 0);
        /* The child was reaped on every path. */
        ck_assert_int_eq(kill(c->pid, 0), -1);
        ck_assert_int_eq(errno, ESRCH);
        return p;
}

START_TEST(test_probe_placed_refused) {
        /* The placer could not place the child: not probed, at the placer's step; nothing to undo. */
        CountingPlacer c = { .place_error = -EPERM };
        TsPidsProbe p = probe_placed(&c);
        ck_assert_int_eq(p.enforcement, TS_PIDS_NOT_PROBED);
        ck_assert_int_eq(p.reason, TS_PIDS_REASON_PROBE_FAILED);
        ck_assert_str_eq(p.step, "a test placer");
        ck_assert_int_eq(p.error, -EPERM);
        ck_assert_uint_eq(c.placed, 1);
        ck_assert_uint_eq(c.unplaced, 0);
        ck_assert_uint_eq(p.forked, 0);
        ts_pids_probe_done(&p);

        /* A read-only hierarchy says "not enforced", as the child-cgroup probe does. */
        c = (CountingPlacer){ .place_error = -EROFS };
        p = probe_placed(&c);
        ck_assert_int_eq(p.enforcement, TS_PIDS_NOT_ENFORCED);
        ck_assert_int_eq(p.reason, TS_PIDS_REASON_READ_ONLY);
        ts_pids_probe_done(&p);
}
END_TEST

START_TEST(test_probe_placed_no_limit) {
        /* Placed where no limit holds (this test's own cgroup): all 3 forks succeed past pids.max=2,
         * which is what a controller that ignores the limit looks like; the placer is undone once. */
        CountingPlacer c = { .unplace_error = -EBUSY };
        TsPidsProbe p = probe_placed(&c);
        ck_assert_int_eq(p.enforcement, TS_PIDS_NOT_ENFORCED);
        ck_assert_int_eq(p.reason, TS_PIDS_REASON_LIMIT_IGNORED);
        ck_assert_uint_eq(p.forked, 3);
        ck_assert_str_eq(p.where, "a test placer");
        ck_assert_uint_eq(c.unplaced, 1);
        ck_assert_int_eq(p.cleanup_error, -EBUSY);
        ck_assert_str_eq(p.cleanup_path, "a test placer");
        ts_pids_probe_done(&p);

        TsPidsPlacer incomplete = { .where = "x", .place = counting_place };
        ck_assert_int_eq(ts_pids_probe_placed(&incomplete, &p), -EINVAL);
}
END_TEST

static Suite *sysinfo_suite(void) {
        Suite *s = suite_create("sysinfo");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_strings);
        tcase_add_test(tc, test_probe_plain_directory);
        tcase_add_test(tc, test_probe_missing_parent);
        tcase_add_test(tc, test_probe_placed_refused);
        tcase_add_test(tc, test_probe_placed_no_limit);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(sysinfo_suite());
}
