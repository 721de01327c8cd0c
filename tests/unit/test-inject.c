/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The injection policy: which matching call fails, for --nth, --after, --every, --probability
 * (reproducible with a seed) and --always; and which policies are known to fail every call or none
 * before the first (no supervisor needed). */
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

static TsInjectPlan plan_of(TsInjectWhen when, uint64_t n, double probability) {
        TsInjectPolicy p;
        ts_inject_policy_init(&p, when, n, probability, 7);
        return ts_inject_plan(&p);
}

START_TEST(test_plan) {
        /* every call fails: a pure filter */
        ck_assert_int_eq(plan_of(TS_INJECT_ALWAYS, 0, 0), TS_INJECT_PLAN_FAIL_ALL);
        ck_assert_int_eq(plan_of(TS_INJECT_AFTER, 0, 0), TS_INJECT_PLAN_FAIL_ALL);
        ck_assert_int_eq(plan_of(TS_INJECT_EVERY, 1, 0), TS_INJECT_PLAN_FAIL_ALL);
        ck_assert_int_eq(plan_of(TS_INJECT_PROBABILITY, 0, 1.0), TS_INJECT_PLAN_FAIL_ALL);
        /* none does: nothing caught */
        ck_assert_int_eq(plan_of(TS_INJECT_NTH, 0, 0), TS_INJECT_PLAN_PASS_ALL);
        ck_assert_int_eq(plan_of(TS_INJECT_EVERY, 0, 0), TS_INJECT_PLAN_PASS_ALL);
        ck_assert_int_eq(plan_of(TS_INJECT_PROBABILITY, 0, 0.0), TS_INJECT_PLAN_PASS_ALL);
        /* the count or the generator picks: each call goes to the supervisor */
        ck_assert_int_eq(plan_of(TS_INJECT_NTH, 1, 0), TS_INJECT_PLAN_SUPERVISE);
        ck_assert_int_eq(plan_of(TS_INJECT_NTH, 100000000, 0), TS_INJECT_PLAN_SUPERVISE);
        ck_assert_int_eq(plan_of(TS_INJECT_AFTER, 1, 0), TS_INJECT_PLAN_SUPERVISE);
        ck_assert_int_eq(plan_of(TS_INJECT_EVERY, 2, 0), TS_INJECT_PLAN_SUPERVISE);
        ck_assert_int_eq(plan_of(TS_INJECT_PROBABILITY, 0, 0x1.0p-53), TS_INJECT_PLAN_SUPERVISE);
        ck_assert_int_eq(plan_of(TS_INJECT_PROBABILITY, 0, 1 - 0x1.0p-53), TS_INJECT_PLAN_SUPERVISE);
        /* no policy */
        ck_assert_int_lt(plan_of(_TS_INJECT_WHEN_MAX, 1, 0), 0);
        ck_assert_int_lt(plan_of(_TS_INJECT_WHEN_INVALID, 1, 0), 0);
}
END_TEST

/* A plan that does without the supervisor must be what the supervisor would have decided. */
START_TEST(test_plan_agrees_with_decide) {
        static const struct {
                TsInjectWhen when;
                uint64_t n;
                double probability;
        } policies[] = {
                { TS_INJECT_ALWAYS, 0, 0 },        { TS_INJECT_AFTER, 0, 0 },
                { TS_INJECT_EVERY, 1, 0 },         { TS_INJECT_PROBABILITY, 0, 1 },
                { TS_INJECT_NTH, 0, 0 },           { TS_INJECT_EVERY, 0, 0 },
                { TS_INJECT_PROBABILITY, 0, 0 },   { TS_INJECT_NTH, 5, 0 },
                { TS_INJECT_AFTER, 5, 0 },         { TS_INJECT_EVERY, 5, 0 },
                { TS_INJECT_PROBABILITY, 0, 0.5 },
        };
        for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
                TsInjectPolicy p;
                ts_inject_policy_init(&p, policies[i].when, policies[i].n, policies[i].probability, 7);
                TsInjectPlan plan = ts_inject_plan(&p);
                unsigned failed = 0;
                for (unsigned k = 0; k < 10000; k++)
                        failed += ts_inject_decide(&p);
                if (plan == TS_INJECT_PLAN_FAIL_ALL)
                        ck_assert_uint_eq(failed, 10000);
                else if (plan == TS_INJECT_PLAN_PASS_ALL)
                        ck_assert_uint_eq(failed, 0);
                else
                        ck_assert(failed > 0 && failed < 10000);
        }
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
        tcase_add_test(tc, test_plan);
        tcase_add_test(tc, test_plan_agrees_with_decide);
        tcase_add_test(tc, test_what_names);
        suite_add_tcase(s, tc);
        return ts_test_run_suite(s);
}
