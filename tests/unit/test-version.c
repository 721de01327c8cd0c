/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Version ordering on the strings distros really ship (systemd packages, kernels) and on the
 * prerequisites of the vendor article: systemd >= 227 (219 on RHEL), kernel >= 4.3 (3.10 on RHEL). */
#include <check.h>

#include "fixture.h"
#include "version.h"

/* Asserts a < b, and the same both ways round. */
static void assert_older(const char *a, const char *b) {
        ck_assert_msg(ts_version_compare(a, b) < 0, "expected %s < %s", a, b);
        ck_assert_msg(ts_version_compare(b, a) > 0, "expected %s > %s", b, a);
}

static void assert_same(const char *a, const char *b) {
        ck_assert_msg(ts_version_compare(a, b) == 0, "expected %s == %s", a, b);
        ck_assert_msg(ts_version_compare(b, a) == 0, "expected %s == %s", b, a);
}

START_TEST(test_compare_numbers_not_strings) {
        assert_older("9", "10");
        assert_older("2.9", "2.10");
        assert_older("219", "227");
        assert_older("229", "1000");
        assert_same("007", "7");
        assert_same("252", "252");
        assert_older("4.2.9", "4.3");
        assert_older("3.9", "3.10");
}
END_TEST

START_TEST(test_compare_systemd_packages) {
        /* Debian 12: point release, Debian revision, backport marker "~". */
        assert_older("252.38-1~deb12u1", "252.38-1");
        assert_older("252.36-1~deb12u1", "252.38-1~deb12u1");
        assert_older("252.38-1~deb12u1", "257.9-1");
        assert_older("252", "252.38-1~deb12u1");
        /* RHEL 7: "-" separates version and release, "_" only separates. */
        assert_older("219", "219-78.el7_9.7");
        assert_older("219-78.el7_9.5", "219-78.el7_9.7");
        assert_older("219-78.el7_9.7", "219.1");
        assert_older("219-78.el7_9.7", "227");
        /* Ubuntu 16.04 */
        assert_older("229-4ubuntu21.29", "229-4ubuntu21.31");
        assert_older("229-4ubuntu21.31", "229-5");
        assert_older("227", "229-4ubuntu21.31");
        /* Tags with a "v" */
        assert_same("v256", "256");
        assert_older("v256", "257.9-1");
        assert_older("252.38-1~deb12u1", "v256");
}
END_TEST

START_TEST(test_compare_kernels) {
        assert_older("3.10", "3.10.0-1160.el7.x86_64");
        assert_older("3.10.0-957.el7.x86_64", "3.10.0-1160.el7.x86_64");
        assert_older("3.10.0-1160.el7.x86_64", "4.3");
        assert_older("4.3", "4.4.0-116-generic");
        assert_older("4.4.0-116-generic", "4.4.0-210-generic");
        assert_older("4.4.0-116-generic", "6.18.44-fc-v782");
        assert_older("6.1.0-18-amd64", "6.18.44-fc-v782");
        assert_same("6.18.44-fc-v782", "6.18.44-fc-v782");
}
END_TEST

START_TEST(test_compare_tilde_and_separators) {
        assert_older("1~rc1", "1");
        assert_older("1~rc1", "1~rc2");
        assert_older("1~~", "1~");
        assert_older("1", "1-1");
        assert_older("1-1", "1.1");
        assert_older("1^1", "1.1");
        assert_older("1", "1^1");
        assert_older("1.a", "1.1"); /* a number is newer than letters */
        assert_older("1alpha", "1beta");
        assert_older("abc", "abcd");
        assert_same("1_2", "1+2"); /* characters outside [A-Za-z0-9~^.-] only separate */
}
END_TEST

START_TEST(test_compare_edge_cases) {
        ck_assert_int_eq(ts_version_compare(NULL, NULL), 0);
        ck_assert_int_lt(ts_version_compare(NULL, ""), 0);
        ck_assert_int_lt(ts_version_compare(NULL, "1"), 0);
        ck_assert_int_gt(ts_version_compare("1", NULL), 0);
        assert_same("", "");
        assert_older("", "1");
        assert_older("", "a");
        assert_older("~", "");
        assert_older("---", "...");
        /* Results are -1, 0, 1 whatever memcmp returns. */
        ck_assert_int_eq(ts_version_compare("a", "z"), -1);
        ck_assert_int_eq(ts_version_compare("99999999999999999999999", "1"), 1);
        assert_older("99999999999999999999998", "99999999999999999999999");
        /* Garbage never crashes and is consistent. */
        static const char *const junk[] = {
                "-",  "~",  "^",  ".", "v",  "V",  "vv1",  "\x01\xff",  "--~~..^^",
                "1-", "1.", "~1", "0", "00", "-1", "1--1", "a-b.c~d^e", "v~",
        };
        for (size_t i = 0; i < ELEMENTSOF(junk); i++)
                for (size_t j = 0; j < ELEMENTSOF(junk); j++) {
                        int ab = ts_version_compare(junk[i], junk[j]);
                        int ba = ts_version_compare(junk[j], junk[i]);
                        ck_assert_msg(ab == -ba, "'%s' vs '%s' not antisymmetric", junk[i], junk[j]);
                        ck_assert(ab >= -1 && ab <= 1);
                }
}
END_TEST

START_TEST(test_at_least_article_prerequisites) {
        /* The vendor article: affected with systemd >= 227 (219 on RHEL), kernel >= 4.3 (3.10 on RHEL). */
        ck_assert_int_eq(ts_version_at_least("229", "227"), 1);
        ck_assert_int_eq(ts_version_at_least("229-4ubuntu21.31", "227"), 1);
        ck_assert_int_eq(ts_version_at_least("252.38-1~deb12u1", "227"), 1);
        ck_assert_int_eq(ts_version_at_least("257.9-1", "227"), 1);
        ck_assert_int_eq(ts_version_at_least("v256", "227"), 1);
        ck_assert_int_eq(ts_version_at_least("226", "227"), 0);
        ck_assert_int_eq(ts_version_at_least("219-78.el7_9.7", "227"), 0);
        ck_assert_int_eq(ts_version_at_least("219-78.el7_9.7", "219"), 1);
        ck_assert_int_eq(ts_version_at_least("218", "219"), 0);

        ck_assert_int_eq(ts_version_at_least("4.4.0-116-generic", "4.3"), 1);
        ck_assert_int_eq(ts_version_at_least("4.3", "4.3"), 1);
        ck_assert_int_eq(ts_version_at_least("4.2.9", "4.3"), 0);
        ck_assert_int_eq(ts_version_at_least("6.18.44-fc-v782", "4.3"), 1);
        ck_assert_int_eq(ts_version_at_least("3.10.0-1160.el7.x86_64", "3.10"), 1);
        ck_assert_int_eq(ts_version_at_least("3.10.0-1160.el7.x86_64", "4.3"), 0);
        ck_assert_int_eq(ts_version_at_least("3.9.11", "3.10"), 0);
        ck_assert_int_eq(ts_version_at_least(NULL, "1"), 0);
}
END_TEST

START_TEST(test_major) {
        static const struct {
                const char *version;
                unsigned major;
        } cases[] = {
                { "252.38-1~deb12u1", 252 }, { "219-78.el7_9.7", 219 }, { "229-4ubuntu21.31", 229 },
                { "257.9-1", 257 },          { "v256", 256 },           { "3.10.0-1160.el7.x86_64", 3 },
                { "4.4.0-116-generic", 4 },  { "6.18.44-fc-v782", 6 },  { "007", 7 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                unsigned major = 0;
                ck_assert_int_eq(ts_version_major(cases[i].version, &major), 0);
                ck_assert_uint_eq(major, cases[i].major);
        }

        unsigned untouched = 42;
        ck_assert_int_eq(ts_version_major("", &untouched), -EINVAL);
        ck_assert_int_eq(ts_version_major("v", &untouched), -EINVAL);
        ck_assert_int_eq(ts_version_major("systemd 252", &untouched), -EINVAL);
        ck_assert_int_eq(ts_version_major("~1", &untouched), -EINVAL);
        ck_assert_int_eq(ts_version_major(NULL, &untouched), -EINVAL);
        ck_assert_int_eq(ts_version_major("99999999999", &untouched), -ERANGE);
        ck_assert_uint_eq(untouched, 42);
}
END_TEST

static Suite *version_suite(void) {
        Suite *s = suite_create("version");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_compare_numbers_not_strings);
        tcase_add_test(tc, test_compare_systemd_packages);
        tcase_add_test(tc, test_compare_kernels);
        tcase_add_test(tc, test_compare_tilde_and_separators);
        tcase_add_test(tc, test_compare_edge_cases);
        tcase_add_test(tc, test_at_least_article_prerequisites);
        tcase_add_test(tc, test_major);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(version_suite());
}
