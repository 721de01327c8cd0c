/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The injection policy: which matching call fails, for --nth, --after, --every, --probability
 * (reproducible with a seed) and --always. */
#include <check.h>

#include "../check-tap.h"
#include <string.h>

#include "inject.h"

/* The calls (1-based) that fail among the first n. */
static unsigned failures(TsInjectPolicy *p, unsigned n, unsigned *out, unsigned max) {
        unsigned k = 0;
        for (unsigned i = 1; i <= n; i++)
                if (ts_inject_decide(p) && k < max)
                        out[k++] = i;
        return k;
}

START_TEST(test_nth_after_every) {
        TsInjectPolicy p;
        unsigned f[64];
        ts_inject_policy_init(&p, TS_INJECT_NTH, 37, 0, 0);
        ck_assert_uint_eq(failures(&p, 100, f, 64), 1);
        ck_assert_uint_eq(f[0], 37);

        ts_inject_policy_init(&p, TS_INJECT_AFTER, 98, 0, 0);
        ck_assert_uint_eq(failures(&p, 100, f, 64), 2);
        ck_assert_uint_eq(f[0], 99);
        ck_assert_uint_eq(f[1], 100);

        ts_inject_policy_init(&p, TS_INJECT_EVERY, 25, 0, 0);
        ck_assert_uint_eq(failures(&p, 100, f, 64), 4);
        ck_assert_uint_eq(f[0], 25);
        ck_assert_uint_eq(f[3], 100);

        ts_inject_policy_init(&p, TS_INJECT_ALWAYS, 0, 0, 0);
        ck_assert_uint_eq(failures(&p, 10, f, 64), 10);
}
END_TEST

START_TEST(test_probability) {
        TsInjectPolicy a, b, c;
        unsigned fa[1000], fb[1000], fc[1000];
        ts_inject_policy_init(&a, TS_INJECT_PROBABILITY, 0, 0.1, 7);
        ts_inject_policy_init(&b, TS_INJECT_PROBABILITY, 0, 0.1, 7);
        ts_inject_policy_init(&c, TS_INJECT_PROBABILITY, 0, 0.1, 8);
        unsigned na = failures(&a, 10000, fa, 1000), nb = failures(&b, 10000, fb, 1000);
        unsigned nc = failures(&c, 10000, fc, 1000);
        /* the same seed, the same failures */
        ck_assert_uint_eq(na, nb);
        ck_assert(memcmp(fa, fb, na * sizeof(unsigned)) == 0);
        /* about 10% */
        ck_assert_uint_ge(na, 900);
        ck_assert_uint_le(na, 1100);
        /* another seed, others */
        ck_assert(na != nc || memcmp(fa, fc, na * sizeof(unsigned)) != 0);

        TsInjectPolicy none, all;
        ts_inject_policy_init(&none, TS_INJECT_PROBABILITY, 0, 0.0, 7);
        ts_inject_policy_init(&all, TS_INJECT_PROBABILITY, 0, 1.0, 7);
        ck_assert_uint_eq(failures(&none, 1000, fa, 1000), 0);
        ck_assert_uint_eq(failures(&all, 1000, fa, 1000), 1000);
}
END_TEST

START_TEST(test_what_names) {
        ck_assert_int_eq(ts_inject_what_from_string("threads"), TS_INJECT_THREADS);
        ck_assert_int_eq(ts_inject_what_from_string("processes"), TS_INJECT_PROCESSES);
        ck_assert_int_eq(ts_inject_what_from_string("all"), TS_INJECT_ALL);
        ck_assert_int_lt(ts_inject_what_from_string("spoons"), 0);
        ck_assert_int_lt(ts_inject_what_from_string(NULL), 0);
        ck_assert_str_eq(ts_inject_what_to_string(TS_INJECT_THREADS), "threads");
        ck_assert_ptr_null(ts_inject_what_to_string(_TS_INJECT_WHAT_MAX));
}
END_TEST

int main(void) {
        Suite *s = suite_create("inject");
        TCase *tc = tcase_create("policy");
        tcase_add_test(tc, test_nth_after_every);
        tcase_add_test(tc, test_probability);
        tcase_add_test(tc, test_what_names);
        suite_add_tcase(s, tc);
        return ts_test_run_suite(s);
}
