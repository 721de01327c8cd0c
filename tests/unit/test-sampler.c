/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sampler on a directory of stand-in pids files (plain files read the same way): its rate, the
 * values it reads as they change, "max", a directory that goes away and comes back (a restart),
 * and the thinning that keeps memory bounded over a long run. */
#include <check.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../check-tap.h"
#include "macro.h"
#include "sampler.h"

static char dir[64];

/* Rewritten in place, as the kernel changes a cgroup file (the sampler keeps it open); a read
 * between the truncation and the write finds it empty and counts as missed. */
static void put(const char *name, const char *value) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "%s\n", value);
        ck_assert_int_eq(fclose(f), 0);
}

/* pids.current last: a sample that sees the new count sees the rest of the change too. */
static void set_pids(const char *current, const char *max, const char *events) {
        put("pids.events", events);
        put("pids.max", max);
        put("pids.current", current);
}

static void setup(void) {
        snprintf(dir, sizeof dir, "/tmp/test-sampler-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        set_pids("1", "64", "max 0");
}

static void remove_files(void) {
        char path[PATH_MAX];
        for (const char *const *n = (const char *const[]){ "pids.current", "pids.max", "pids.events", NULL };
             *n; n++) {
                snprintf(path, sizeof path, "%s/%s", dir, *n);
                (void)unlink(path);
        }
}

static void teardown(void) {
        remove_files();
        (void)rmdir(dir);
}

static void sleep_ms(unsigned ms) {
        struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
        while (nanosleep(&t, &t) < 0)
                ;
}

START_TEST(test_rate_and_values) {
        TsProgress progress = {};
        TsSampler *s = NULL;
        ck_assert_int_eq(ts_sampler_start(dir, ts_now_ns(), TS_SAMPLE_INTERVAL_DEFAULT, &progress, &s), 0);
        sleep_ms(150);
        set_pids("64", "64", "max 3");
        /* the progress line sees the new value once the sampler has read it: waited for, bounded */
        for (unsigned waited = 0; atomic_load(&progress.tasks) != 64 && waited < 5000; waited += 10)
                sleep_ms(10);
        ck_assert_uint_eq(atomic_load(&progress.tasks), 64);
        sleep_ms(150);
        set_pids("0", "max", "max 3");
        sleep_ms(100);
        TsSamples out = {};
        ts_sampler_stop(s, &out);

        /* 400 ms at 1 ms: far more than the 100 a second the reports promise, even on a busy machine. */
        ck_assert_msg(out.n >= 100, "only %zu samples", out.n);
        ck_assert_msg(ts_samples_rate(&out) >= 100, "%.0f samples/s", ts_samples_rate(&out));
        ck_assert_uint_eq(out.samples[0].current, 1);
        ck_assert_uint_eq(out.samples[0].max, 64);
        ck_assert_uint_eq(out.samples[out.n - 1].current, 0);
        ck_assert_uint_eq(out.samples[out.n - 1].max, UINT64_MAX);
        bool saw_limit = false;
        for (size_t i = 0; i < out.n; i++) {
                if (i > 0)
                        ck_assert_uint_gt(out.samples[i].t, out.samples[i - 1].t);
                if (out.samples[i].current == 64) {
                        saw_limit = true;
                        ck_assert_uint_eq(out.samples[i].events_max, 3);
                }
        }
        ck_assert(saw_limit);
        ts_samples_done(&out);
}
END_TEST

/* A removed cgroup's open files fail (ENODEV); the sampler then reopens them by path each tick, and
 * while there is nothing to open, counts missed ticks. Here: nothing at first, then the files. */
START_TEST(test_cgroup_gone_and_back) {
        /* The files gone for a while, then back: the sampler counts the ticks it missed and goes on.
         * A loaded machine may not schedule the sampler's thread within a short while: then the
         * whole is done again with longer whiles. */
        static const unsigned whiles_ms[] = { 50, 250, 1000 };
        for (size_t i = 0; i < ELEMENTSOF(whiles_ms); i++) {
                TsSampler *s = NULL;
                remove_files();
                ck_assert_int_eq(ts_sampler_start(dir, ts_now_ns(), TS_SAMPLE_INTERVAL_DEFAULT, NULL, &s),
                                 0);
                sleep_ms(whiles_ms[i]);
                set_pids("7", "max", "max 0");
                sleep_ms(whiles_ms[i]);
                TsSamples out = {};
                ts_sampler_stop(s, &out);
                if ((out.missed == 0 || out.n == 0) && i + 1 < ELEMENTSOF(whiles_ms)) {
                        printf("# %zu missed, %zu read in twice %u ms: the sampler hardly ran, again for longer\n",
                               out.missed, out.n, whiles_ms[i]);
                        ts_samples_done(&out);
                        continue;
                }
                ck_assert_uint_gt(out.missed, 0);
                ck_assert_uint_gt(out.n, 0);
                ck_assert_uint_eq(out.samples[out.n - 1].current, 7);
                ts_samples_done(&out);
                return;
        }
}
END_TEST

START_TEST(test_thinning_bounds_memory) {
        /* 1 us ticks (as fast as the files can be read) fill the buffer within a second on an idle
         * machine; a slow one (a sanitizer build on a loaded CI runner) may read fewer than
         * TS_SAMPLES_MAX files in that time and never thin: the run is then made longer, not the
         * assertion weaker. */
        static const unsigned rounds_ms[] = { 2500, 5000, 10000 };
        for (size_t i = 0; i < ELEMENTSOF(rounds_ms); i++) {
                TsSampler *s = NULL;
                nsec_t origin = ts_now_ns();
                ck_assert_int_eq(ts_sampler_start(dir, origin, NSEC_PER_USEC, NULL, &s), 0);
                sleep_ms(rounds_ms[i]);
                TsSamples out = {};
                ts_sampler_stop(s, &out);
                ck_assert_uint_le(out.n, TS_SAMPLES_MAX);
                bool filled = out.interval > NSEC_PER_USEC;
                if (!filled && out.n < TS_SAMPLES_MAX && i + 1 < ELEMENTSOF(rounds_ms)) {
                        printf("# %zu samples in %u ms: too few to thin, again for longer\n", out.n,
                               rounds_ms[i]);
                        ts_samples_done(&out);
                        continue;
                }
                ck_assert_msg(filled, "%zu samples in %u ms, interval %" PRIu64 " ns: never thinned", out.n,
                              rounds_ms[i], (uint64_t)out.interval);
                /* The series still spans the whole run, from its first ticks (the first quarter: a
                 * loaded machine starts the thread late) to its last. */
                ck_assert_uint_lt(out.samples[0].t, (nsec_t)rounds_ms[i] / 4 * NSEC_PER_MSEC);
                ck_assert_uint_gt(out.samples[out.n - 1].t, (nsec_t)rounds_ms[i] / 2 * NSEC_PER_MSEC);
                ts_samples_done(&out);
                return;
        }
}
END_TEST

START_TEST(test_bad_arguments) {
        TsSampler *s = NULL;
        ck_assert_int_eq(ts_sampler_start(NULL, 0, 1, NULL, &s), -EINVAL);
        ck_assert_int_eq(ts_sampler_start(dir, 0, 0, NULL, &s), -EINVAL);
        ts_sampler_stop(NULL, NULL);
        TsSamples none = {};
        ck_assert(ts_samples_rate(&none) == 0);
}
END_TEST

static Suite *sampler_suite(void) {
        Suite *s = suite_create("sampler");
        TCase *tc = tcase_create("core");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 40);
        tcase_add_test(tc, test_rate_and_values);
        tcase_add_test(tc, test_cgroup_gone_and_back);
        tcase_add_test(tc, test_thinning_bounds_memory);
        tcase_add_test(tc, test_bad_arguments);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(sampler_suite());
}
