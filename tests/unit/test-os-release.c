/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* os-release parsing on the files of the distros in the matrix, on quoting and escapes, and on
 * malformed or hostile input, which must be skipped and never crash. */
#include <check.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fixture.h"
#include "os-release.h"

static TsOsRelease parse_fixture(const char *name) {
        _cleanup_(freep) char *text = NULL;
        char path[256];
        TsOsRelease o = {};

        snprintf(path, sizeof path, "os-release/%s", name);
        text = fixture_read(path);
        ck_assert_int_eq(ts_os_release_parse(text, &o), 0);
        return o;
}

static void assert_str(const char *have, const char *want) {
        if (!want)
                ck_assert_msg(!have, "expected NULL, got '%s'", have);
        else {
                ck_assert_msg(have, "expected '%s', got NULL", want);
                ck_assert_str_eq(have, want);
        }
}

START_TEST(test_distros) {
        static const struct {
                const char *file, *id, *version_id, *id_like, *pretty_name, *codename;
        } cases[] = {
                { "debian-12", "debian", "12", NULL, "Debian GNU/Linux 12 (bookworm)", "bookworm" },
                { "rhel-7.9", "rhel", "7.9", "fedora", "Red Hat Enterprise Linux Server 7.9 (Maipo)", NULL },
                { "centos-7", "centos", "7", "rhel fedora", "CentOS Linux 7 (Core)", NULL },
                { "ubuntu-16.04", "ubuntu", "16.04", "debian", "Ubuntu 16.04.7 LTS", "xenial" },
                { "fedora-40", "fedora", "40", NULL, "Fedora Linux 40 (Forty)", "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(ts_os_release_done) TsOsRelease o = parse_fixture(cases[i].file);
                assert_str(o.id, cases[i].id);
                assert_str(o.version_id, cases[i].version_id);
                assert_str(o.id_like, cases[i].id_like);
                assert_str(o.pretty_name, cases[i].pretty_name);
                assert_str(o.version_codename, cases[i].codename);
        }
}
END_TEST

START_TEST(test_is_like) {
        _cleanup_(ts_os_release_done) TsOsRelease centos = parse_fixture("centos-7");
        _cleanup_(ts_os_release_done) TsOsRelease rhel = parse_fixture("rhel-7.9");
        _cleanup_(ts_os_release_done) TsOsRelease ubuntu = parse_fixture("ubuntu-16.04");
        _cleanup_(ts_os_release_done) TsOsRelease debian = parse_fixture("debian-12");

        ck_assert(ts_os_release_is_like(&centos, "centos"));
        ck_assert(ts_os_release_is_like(&centos, "rhel"));
        ck_assert(ts_os_release_is_like(&centos, "fedora"));
        ck_assert(!ts_os_release_is_like(&centos, "rh"));     /* whole words only */
        ck_assert(!ts_os_release_is_like(&centos, "rhel f")); /* not a substring of ID_LIKE */
        ck_assert(ts_os_release_is_like(&rhel, "rhel"));
        ck_assert(!ts_os_release_is_like(&rhel, "centos"));
        ck_assert(ts_os_release_is_like(&ubuntu, "debian"));
        ck_assert(!ts_os_release_is_like(&ubuntu, "deb"));
        ck_assert(ts_os_release_is_like(&debian, "debian"));
        ck_assert(!ts_os_release_is_like(&debian, "ubuntu"));
        ck_assert(!ts_os_release_is_like(&debian, ""));
        ck_assert(!ts_os_release_is_like(&debian, NULL));
        ck_assert(!ts_os_release_is_like(NULL, "debian"));

        TsOsRelease empty = {};
        ck_assert(!ts_os_release_is_like(&empty, "debian"));
}
END_TEST

START_TEST(test_escapes) {
        _cleanup_(ts_os_release_done) TsOsRelease o = parse_fixture("escapes");
        assert_str(o.pretty_name, "Escaped \"quotes\", a $dollar, a `tick` and a \\ backslash");
        assert_str(o.id, "unquoted with escaped spaces");
        assert_str(o.version_id, "single quotes keep \\ backslashes and \"double\" quotes");
        assert_str(o.id_like, "other \\n escapes keep their backslash");
        assert_str(o.version_codename, "crlf");
}
END_TEST

START_TEST(test_malformed) {
        _cleanup_(ts_os_release_done) TsOsRelease o = parse_fixture("malformed");
        assert_str(o.id, "second");                /* the last valid assignment wins */
        assert_str(o.id_like, NULL);               /* unterminated quote: skipped */
        assert_str(o.version_id, "spaced-equals"); /* blanks around '=' tolerated, as systemd does */
        assert_str(o.pretty_name, "");             /* "two" "strings" and "quoted"trailing skipped */
        assert_str(o.version_codename, NULL);      /* no '=' */
}
END_TEST

START_TEST(test_inline_cases) {
        static const struct {
                const char *text, *id;
        } cases[] = {
                { "", NULL },
                { "\n\n\n", NULL },
                { "ID", NULL },
                { "ID=", "" },
                { "ID=\"\"", "" },
                { "ID=''", "" },
                { "ID=\"", NULL },
                { "ID='", NULL },
                { "ID=\\", "" },
                { "ID=a\\", "a" },
                { "ID=\"a\\\"", NULL }, /* the only quote is escaped: unterminated */
                { "ID=\"a\\\\\"", "a\\" },
                { "ID=x\nID=", "" },
                { "  ID=indented", "indented" },
                { "ID=trailing   \t", "trailing" },
                { "ID=\"keep  inner  blanks\"", "keep  inner  blanks" },
                { "ID=a=b", "a=b" },
                { "ID=no newline at end", "no newline at end" },
                { "# ID=commented", NULL },
                { "ID=value # not a comment", "value # not a comment" },
                { "ID=\"x\" # a comment after a quote is text", NULL },
                { "IDX=wrong key", NULL },
                { "id=lowercase key", NULL },
                { "export ID=shell", NULL },
                { "ID=\"multi\nline\"", NULL },
                { "ID=\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9" },
                { "ID=\r", "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(ts_os_release_done) TsOsRelease o = {};
                ck_assert_int_eq(ts_os_release_parse(cases[i].text, &o), 0);
                ck_assert_msg(cases[i].id ? o.id && streq(o.id, cases[i].id) : !o.id,
                              "case %zu: '%s' gave ID '%s', expected '%s'", i, cases[i].text, strempty(o.id),
                              strempty(cases[i].id));
        }

        TsOsRelease untouched = { .id = (char *)"sentinel" };
        ck_assert_int_eq(ts_os_release_parse(NULL, &untouched), -EINVAL);
        ck_assert_str_eq(untouched.id, "sentinel");
}
END_TEST

/* Random bytes (a fixed seed, so failures reproduce) biased towards the characters the parser cares
 * about: no input may crash it or make it read out of bounds (run under ASan in CI). */
START_TEST(test_random_input_never_crashes) {
        static const char alphabet[] = "ID_LIKE=VERSION \"'\\#\n\r\t$`=~-._ \x01\xff";
        uint32_t seed = 0x7a5c5707;
        char buf[257];

        for (unsigned round = 0; round < 20000; round++) {
                size_t n = round % 256;
                for (size_t i = 0; i < n; i++) {
                        seed = seed * 1103515245u + 12345u;
                        char c = (seed >> 16) & 1 ? alphabet[(seed >> 17) % (sizeof alphabet - 1)]
                                                  : (char)((seed >> 8) & 0xff);
                        buf[i] = c ? c : 'x';
                }
                buf[n] = 0;

                _cleanup_(ts_os_release_done) TsOsRelease o = {};
                ck_assert_int_eq(ts_os_release_parse(buf, &o), 0);
                (void)ts_os_release_is_like(&o, "ID");
        }
}
END_TEST

START_TEST(test_load_from_root) {
        char root[] = "/tmp/ts-os-release-XXXXXX", path[PATH_MAX];
        ck_assert(mkdtemp(root));
        TsOsRelease o = {};

        /* Neither file: -ENOENT, output untouched. */
        ck_assert_int_eq(ts_os_release_load(root, &o), -ENOENT);
        ck_assert(!o.id);

        /* Only /usr/lib/os-release. */
        snprintf(path, sizeof path, "%s/usr", root);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        snprintf(path, sizeof path, "%s/usr/lib", root);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        snprintf(path, sizeof path, "%s/usr/lib/os-release", root);
        FILE *f = fopen(path, "we");
        ck_assert(f);
        fputs("ID=fallback\n", f);
        fclose(f);
        ck_assert_int_eq(ts_os_release_load(root, &o), 0);
        assert_str(o.id, "fallback");
        ts_os_release_done(&o);

        /* /etc/os-release takes precedence. */
        snprintf(path, sizeof path, "%s/etc", root);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        snprintf(path, sizeof path, "%s/etc/os-release", root);
        f = fopen(path, "we");
        ck_assert(f);
        fputs("ID=etc\n", f);
        fclose(f);
        ck_assert_int_eq(ts_os_release_load(root, &o), 0);
        assert_str(o.id, "etc");
        ts_os_release_done(&o);
        ts_os_release_done(&o); /* done twice is harmless */

        static const char *const files[] = { "etc/os-release", "etc", "usr/lib/os-release",
                                             "usr/lib",        "usr", "" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                snprintf(path, sizeof path, "%s/%s", root, files[i]);
                ck_assert_int_eq(remove(path), 0);
        }

        /* This machine: whatever it is, loading must work where /etc/os-release exists. */
        if (access("/etc/os-release", R_OK) == 0 || access("/usr/lib/os-release", R_OK) == 0) {
                ck_assert_int_eq(ts_os_release_load(NULL, &o), 0);
                ts_os_release_done(&o);
                ck_assert_int_eq(ts_os_release_load("/", &o), 0);
                ts_os_release_done(&o);
        }
}
END_TEST

static Suite *os_release_suite(void) {
        Suite *s = suite_create("os-release");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_distros);
        tcase_add_test(tc, test_is_like);
        tcase_add_test(tc, test_escapes);
        tcase_add_test(tc, test_malformed);
        tcase_add_test(tc, test_inline_cases);
        tcase_add_test(tc, test_random_input_never_crashes);
        tcase_add_test(tc, test_load_from_root);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(os_release_suite());
}
