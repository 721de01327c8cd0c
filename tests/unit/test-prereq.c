/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vendor article's prerequisites over the distro matrix: systemd >= 227 and kernel >= 4.3, or 219
 * and 3.10 on the RHEL family (told by os-release, read from the fixtures), with the reason in one
 * phrase, and unknown versions said as such. */
#include <check.h>

#include "fixture.h"
#include "os-release.h"
#include "prereq.h"

static TsOsRelease os(const char *name) {
        _cleanup_(freep) char *text = NULL;
        char path[256];
        TsOsRelease o = {};

        if (!name)
                return o;
        snprintf(path, sizeof path, "os-release/%s", name);
        text = fixture_read(path);
        ck_assert_int_eq(ts_os_release_parse(text, &o), 0);
        return o;
}

static void check_case(const char *os_file, const char *systemd, const char *kernel, TsPrereq want,
                       const char *want_why) {
        _cleanup_(ts_os_release_done) TsOsRelease o = os(os_file);
        TsPrereqInput in = { systemd, kernel, o.id, o.id_like };
        char why[160] = "untouched";
        TsPrereq have = ts_prereq_check(&in, why, sizeof why);
        ck_assert_msg(have == want, "%s systemd %s kernel %s: got %d (%s), expected %d", strempty(os_file),
                      strempty(systemd), strempty(kernel), have, why, want);
        ck_assert_str_eq(why, want_why);
}

START_TEST(test_article_matrix) {
        /* the article's own machine */
        check_case("ubuntu-16.04", "229", "4.4.0-116-generic", TS_PREREQ_MET,
                   "systemd 229 >= 227 and kernel 4.4.0-116-generic >= 4.3");
        check_case("ubuntu-16.04", "229-4ubuntu21.31", "4.4.0-116-generic", TS_PREREQ_MET,
                   "systemd 229-4ubuntu21.31 >= 227 and kernel 4.4.0-116-generic >= 4.3");
        check_case("ubuntu-18.04", "237", "4.15.0-213-generic", TS_PREREQ_MET,
                   "systemd 237 >= 227 and kernel 4.15.0-213-generic >= 4.3");
        /* RHEL 7 and its rebuilds: 219 and 3.10 carry the backports */
        check_case("rhel-7.9", "219-78.el7_9.7", "3.10.0-1160.el7.x86_64", TS_PREREQ_MET,
                   "systemd 219-78.el7_9.7 >= 219 and kernel 3.10.0-1160.el7.x86_64 >= 3.10 (RHEL family)");
        check_case("centos-7", "219", "3.10.0-957.el7.x86_64", TS_PREREQ_MET,
                   "systemd 219 >= 219 and kernel 3.10.0-957.el7.x86_64 >= 3.10 (RHEL family)");
        check_case("rhel-7.9", "218", "3.10.0-1160.el7.x86_64", TS_PREREQ_UNMET,
                   "systemd 218 is older than 219 (RHEL family)");
        check_case("centos-7", "219", "3.9.11", TS_PREREQ_UNMET,
                   "kernel 3.9.11 is older than 3.10 (RHEL family)");
        /* the same versions elsewhere are too old */
        check_case("debian-9", "219", "3.10.0-1160.el7.x86_64", TS_PREREQ_UNMET,
                   "systemd 219 is older than 227 and kernel 3.10.0-1160.el7.x86_64 is older than 4.3");
        check_case("ubuntu-16.04", "219-78.el7_9.7", "4.4.0-116-generic", TS_PREREQ_UNMET,
                   "systemd 219-78.el7_9.7 is older than 227");
        /* the article's two "older than" */
        check_case("debian-12", "229", "4.2.0", TS_PREREQ_UNMET, "kernel 4.2.0 is older than 4.3");
        check_case("debian-12", "226", "4.4.0-116-generic", TS_PREREQ_UNMET,
                   "systemd 226 is older than 227");
        check_case("debian-12", "227", "4.3.0", TS_PREREQ_MET, "systemd 227 >= 227 and kernel 4.3.0 >= 4.3");
        /* this machine's kind, and the others of the matrix */
        check_case("debian-12", "252.38-1~deb12u1", "6.1.0-37-amd64", TS_PREREQ_MET,
                   "systemd 252.38-1~deb12u1 >= 227 and kernel 6.1.0-37-amd64 >= 4.3");
        check_case("debian-9", "232", "4.9.0-19-amd64", TS_PREREQ_MET,
                   "systemd 232 >= 227 and kernel 4.9.0-19-amd64 >= 4.3");
        check_case("sles-12", "228-157.40.1", "4.12.14-122.37-default", TS_PREREQ_MET,
                   "systemd 228-157.40.1 >= 227 and kernel 4.12.14-122.37-default >= 4.3");
        check_case("sles-12", "219", "3.12.28-4-default", TS_PREREQ_UNMET,
                   "systemd 219 is older than 227 and kernel 3.12.28-4-default is older than 4.3");
        check_case("fedora-40", "255.18-1.fc40", "6.11.5-200.fc40.x86_64", TS_PREREQ_MET,
                   "systemd 255.18-1.fc40 >= 219 and kernel 6.11.5-200.fc40.x86_64 >= 3.10 (RHEL family)");
}
END_TEST

START_TEST(test_unknown) {
        check_case("ubuntu-16.04", NULL, "4.4.0-116-generic", TS_PREREQ_UNKNOWN,
                   "systemd version unknown (kernel 4.4.0-116-generic >= 4.3)");
        check_case("ubuntu-16.04", "229", NULL, TS_PREREQ_UNKNOWN,
                   "kernel version unknown (systemd 229 >= 227)");
        check_case("rhel-7.9", "", NULL, TS_PREREQ_UNKNOWN, "systemd and kernel versions unknown");
        check_case(NULL, NULL, NULL, TS_PREREQ_UNKNOWN, "systemd and kernel versions unknown");
        /* A version already too old decides, whatever the other is. */
        check_case("debian-12", "226", NULL, TS_PREREQ_UNMET, "systemd 226 is older than 227");
        check_case("debian-12", NULL, "4.2.0", TS_PREREQ_UNMET, "kernel 4.2.0 is older than 4.3");
        /* Without os-release, what only the RHEL rule accepts cannot be called too old ... */
        check_case(NULL, "219-78.el7_9.7", "3.10.0-1160.el7.x86_64", TS_PREREQ_UNKNOWN,
                   "distribution unknown: systemd 219-78.el7_9.7 is older than 227 and kernel "
                   "3.10.0-1160.el7.x86_64 is older than 4.3 (the RHEL family needs only 219 and 3.10)");
        check_case(NULL, "226", "4.4.0", TS_PREREQ_UNKNOWN,
                   "distribution unknown: systemd 226 is older than 227 (the RHEL family needs only 219 and "
                   "3.10)");
        /* ... and what both rules refuse can. */
        check_case(NULL, "218", "4.4.0", TS_PREREQ_UNMET, "systemd 218 is older than 227");
        check_case(NULL, "229", "4.4.0-116-generic", TS_PREREQ_MET,
                   "systemd 229 >= 227 and kernel 4.4.0-116-generic >= 4.3");
}
END_TEST

START_TEST(test_rhel_family) {
        static const struct {
                const char *id, *id_like;
                int rhel;
        } cases[] = {
                { "rhel", "fedora", 1 },
                { "centos", "rhel fedora", 1 },
                { "fedora", NULL, 1 },
                { "rocky", "rhel centos fedora", 1 },
                { "almalinux", "rhel centos fedora", 1 },
                { "ol", "fedora", 1 },
                { "ubuntu", "debian", 0 },
                { "debian", NULL, 0 },
                { "sles", NULL, 0 },
                { NULL, NULL, 0 },
                { "rhelish", "rhel-like", 0 },
                { "x", "  rhel  ", 1 },
                { "x", "\trhel", 1 },
                { "", "", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                ck_assert_msg(ts_prereq_is_rhel_family(cases[i].id, cases[i].id_like) == cases[i].rhel,
                              "%s / %s", strempty(cases[i].id), strempty(cases[i].id_like));

        /* from the os-release fixtures */
        static const struct {
                const char *file;
                int rhel;
        } files[] = {
                { "rhel-7.9", 1 },     { "centos-7", 1 }, { "fedora-40", 1 }, { "ubuntu-16.04", 0 },
                { "ubuntu-18.04", 0 }, { "debian-9", 0 }, { "debian-12", 0 }, { "sles-12", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_(ts_os_release_done) TsOsRelease o = os(files[i].file);
                ck_assert_msg(ts_prereq_is_rhel_family(o.id, o.id_like) == files[i].rhel, "%s",
                              files[i].file);
        }
}
END_TEST

START_TEST(test_why_buffer) {
        TsPrereqInput in = { "229", "4.4.0-116-generic", "ubuntu", "debian" };
        /* no buffer, or a small one: still decides, never overflows */
        ck_assert_int_eq(ts_prereq_check(&in, NULL, 0), TS_PREREQ_MET);
        char small[8];
        memset(small, 'x', sizeof small);
        ck_assert_int_eq(ts_prereq_check(&in, small, sizeof small), TS_PREREQ_MET);
        ck_assert_str_eq(small, "systemd");
        char why[64];
        ck_assert_int_eq(ts_prereq_check(NULL, why, sizeof why), _TS_PREREQ_INVALID);
}
END_TEST

static Suite *prereq_suite(void) {
        Suite *s = suite_create("prereq");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_article_matrix);
        tcase_add_test(tc, test_unknown);
        tcase_add_test(tc, test_rhel_family);
        tcase_add_test(tc, test_why_buffer);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(prereq_suite());
}
