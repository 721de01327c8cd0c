/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which file sets a unit's TasksMax (harness/remedy/fix-dropins.c): systemd's line rules on fixture
 * unit files (fixtures/unit-files), the order of drop-ins across directories, and the sentence that
 * names the drop-in winning over the fix's and says what to do. */
#include <check.h>

#include "fix-dropins.h"
#include "fixture.h"

#define CONTROL "/etc/systemd/system.control/docker.service.d/"
#define RUNTIME_CONTROL "/run/systemd/system.control/docker.service.d/"
#define USER_DIR "/etc/systemd/system/docker.service.d/"

/* Unit files from the fixtures (or literal text), each under the path systemd would read it at. */
typedef struct Files {
        TsUnitFile f[8];
        size_t n;
} Files;

static void files_done(Files *fs) {
        for (size_t i = 0; i < fs->n; i++) {
                free(fs->f[i].path);
                free(fs->f[i].text);
        }
}

static void add_text(Files *fs, const char *path, const char *text) {
        ck_assert_uint_lt(fs->n, ELEMENTSOF(fs->f));
        fs->f[fs->n++] = (TsUnitFile){ strdup(path), strdup(text) };
}

static void add_fixture(Files *fs, const char *path, const char *fixture) {
        char name[128];
        snprintf(name, sizeof name, "unit-files/%s", fixture);
        _cleanup_(freep) char *text = fixture_read(name);
        add_text(fs, path, text);
}

static TsTasksMaxOrigin origin_of(const char *unit, const Files *fs) {
        TsTasksMaxOrigin o;
        ck_assert_int_eq(ts_tasks_max_origin_find(unit, fs->f, fs->n, &o), 0);
        return o;
}

static void check_origin(const char *unit, const Files *fs, ssize_t file, unsigned line,
                         const char *assignment) {
        TsTasksMaxOrigin o = origin_of(unit, fs);
        ck_assert_int_eq(o.file, file);
        ck_assert_uint_eq(o.line, line);
        ck_assert_str_eq(o.assignment, assignment);
}

/* What wins over the fix's drop-in (at index planned, or masked by the one at masker) in fs. */
static TsTasksMaxOverride override_of(const char *unit, Files *fs, ssize_t planned, ssize_t masker) {
        TsTasksMaxOrigin o = origin_of(unit, fs);
        TsUnitFiles f = { fs->f, fs->n, planned, masker };
        TsTasksMaxOverride ov = { .found = true };
        ck_assert_int_eq(ts_tasks_max_override_from(&f, &o, &ov), ov.found);
        return ov;
}

static void check_says(const TsTasksMaxOverride *ov, const char *where, const char *advice) {
        ck_assert(ov->found);
        ck_assert_str_eq(ov->where, where);
        ck_assert_str_eq(ov->advice, advice);
}

START_TEST(test_users_drop_in_wins) {
        /* The case: the user's 50-seed.conf sorts after set-property's 50-TasksMax.conf. */
        _cleanup_(files_done) Files fs = {};
        add_fixture(&fs, "/lib/systemd/system/docker.service", "docker.service");
        add_fixture(&fs, CONTROL "50-TasksMax.conf", "50-TasksMax.conf");
        add_fixture(&fs, USER_DIR "50-seed.conf", "50-seed.conf");
        check_origin("docker.service", &fs, 2, 3, "TasksMax=128");
        TsTasksMaxOrigin o = origin_of("docker.service", &fs);
        ck_assert_int_eq(o.limit.kind, TS_TASKS_LIMIT_NUMBER);
        ck_assert_uint_eq(o.limit.value, 128);

        TsTasksMaxOverride ov = override_of("docker.service", &fs, 1, -1);
        ck_assert(ov.found);
        ck_assert_str_eq(ov.path, USER_DIR "50-seed.conf");
        ck_assert_uint_eq(ov.line, 3);
        ck_assert_str_eq(ov.assignment, "TasksMax=128");
        ck_assert_str_eq(ov.after, CONTROL "50-TasksMax.conf");
        check_says(
                &ov,
                "set by " USER_DIR "50-seed.conf:3 (TasksMax=128), which systemd reads after " CONTROL
                "50-TasksMax.conf",
                "remove that line or rename the drop-in to sort before 50-TasksMax.conf (as 49-seed.conf)");
}
END_TEST

START_TEST(test_fix_wins) {
        /* Without the user's drop-in the fix's wins over the unit file's TasksMax=64 (line 14, after
         * a continued ExecStart= with a comment inside and an indented key). */
        _cleanup_(files_done) Files fs = {};
        add_fixture(&fs, "/lib/systemd/system/docker.service", "docker.service");
        check_origin("docker.service", &fs, 0, 14, "TasksMax=64");
        add_fixture(&fs, CONTROL "50-TasksMax.conf", "50-TasksMax.conf");
        check_origin("docker.service", &fs, 1, 4, "TasksMax=infinity");
        ck_assert_int_eq(origin_of("docker.service", &fs).limit.kind, TS_TASKS_LIMIT_INFINITY);
        ck_assert(!override_of("docker.service", &fs, 1, -1).found);

        /* and an earlier drop-in of the user's changes nothing */
        _cleanup_(files_done) Files early = {};
        add_fixture(&early, "/lib/systemd/system/docker.service", "docker.service");
        add_fixture(&early, USER_DIR "49-seed.conf", "50-seed.conf");
        add_fixture(&early, CONTROL "50-TasksMax.conf", "50-TasksMax.conf");
        check_origin("docker.service", &early, 2, 4, "TasksMax=infinity");
}
END_TEST

START_TEST(test_systemd_line_rules) {
        /* tricky.conf: keys before a section, of other sections, commented out, swallowed by a
         * continuation (also across a comment line), invalid (ignored: the value before stays), with
         * ':' or in another case; indented and spaced around '=' they count. */
        _cleanup_(files_done) Files fs = {};
        add_fixture(&fs, USER_DIR "tricky.conf", "tricky.conf");
        check_origin("docker.service", &fs, 0, 12, "TasksMax=7");
        /* a slice's keys are in [Slice] */
        check_origin("docker.slice", &fs, 0, 21, "TasksMax=12");
        /* a scope has none here */
        TsTasksMaxOrigin o = origin_of("docker.scope", &fs);
        ck_assert_int_eq(o.file, -1);
        ck_assert_int_eq(o.limit.kind, _TS_TASKS_LIMIT_KIND_INVALID);
}
END_TEST

START_TEST(test_continuation_and_line_ends) {
        _cleanup_(files_done) Files fs = {};
        /* a continued value; CRLF */
        add_text(&fs, "/a.conf", "[Service]\r\nTasksMax=\\\r\n  12\r\n");
        check_origin("x.service", &fs, 0, 2, "TasksMax=12");
        /* an escaped backslash does not continue; no newline at the end */
        add_text(&fs, "/b.conf", "[Service]\nX=a\\\\\nTasksMax=15%");
        check_origin("x.service", &fs, 1, 3, "TasksMax=15%");
        TsTasksMaxOrigin o = origin_of("x.service", &fs);
        ck_assert_int_eq(o.limit.kind, TS_TASKS_LIMIT_PERCENT);
        ck_assert_uint_eq(o.limit.value, 1500);
        /* a continuation at the end of the file ends there */
        add_text(&fs, "/c.conf", "[Service]\nTasksMax=20 \\");
        check_origin("x.service", &fs, 2, 2, "TasksMax=20");
        /* an empty file sets nothing */
        add_text(&fs, "/d.conf", "");
        check_origin("x.service", &fs, 2, 2, "TasksMax=20");
}
END_TEST

START_TEST(test_reset) {
        /* An empty TasksMax= after the fix's gives systemd's default back. */
        _cleanup_(files_done) Files fs = {};
        add_fixture(&fs, CONTROL "50-TasksMax.conf", "50-TasksMax.conf");
        add_text(&fs, "/run/systemd/system/docker.service.d/60-reset.conf", "[Service]\nTasksMax=\n");
        check_origin("docker.service", &fs, 1, 2, "TasksMax=");
        ck_assert_int_eq(origin_of("docker.service", &fs).limit.kind, _TS_TASKS_LIMIT_KIND_INVALID);
        TsTasksMaxOverride ov = override_of("docker.service", &fs, 0, -1);
        check_says(
                &ov,
                "reset to systemd's default by /run/systemd/system/docker.service.d/60-reset.conf:2 "
                "(TasksMax=), which systemd reads after " CONTROL "50-TasksMax.conf",
                "remove that line or rename the drop-in to sort before 50-TasksMax.conf (as 49-reset.conf)");
}
END_TEST

START_TEST(test_masked_runtime_fix) {
        /* fix --runtime after a persistent fix: /etc's 50-TasksMax.conf masks the one under /run. */
        _cleanup_(files_done) Files fs = {};
        add_fixture(&fs, "/lib/systemd/system/docker.service", "docker.service");
        add_text(&fs, CONTROL "50-TasksMax.conf", "[Service]\nTasksMax=64\n");
        TsTasksMaxOverride ov = override_of("docker.service", &fs, -1, 1);
        ck_assert_str_eq(ov.after, "");
        check_says(&ov,
                   "set by " CONTROL "50-TasksMax.conf:2 (TasksMax=64), a drop-in of the same name as the "
                   "fix's, which systemd reads instead",
                   "remove that line or fix without --runtime");

        /* and a later drop-in wins over the masker */
        add_fixture(&fs, USER_DIR "50-seed.conf", "50-seed.conf");
        ov = override_of("docker.service", &fs, -1, 1);
        check_says(
                &ov,
                "set by " USER_DIR "50-seed.conf:3 (TasksMax=128), which systemd reads after " CONTROL
                "50-TasksMax.conf (read instead of the fix's drop-in of the same name)",
                "remove that line or rename the drop-in to sort before 50-TasksMax.conf (as 49-seed.conf), and "
                "fix without --runtime");
}
END_TEST

START_TEST(test_no_assignment) {
        _cleanup_(files_done) Files fs = {};
        add_text(&fs, "/lib/systemd/system/x.service", "[Service]\nExecStart=/bin/true\n");
        check_origin("x.service", &fs, -1, 0, "");
        ck_assert(!override_of("x.service", &fs, -1, -1).found);
        TsTasksMaxOrigin o;
        ck_assert_int_eq(ts_tasks_max_origin_find("x.notatype", fs.f, fs.n, &o), -EINVAL);
        ck_assert_int_eq(ts_tasks_max_origin_find(NULL, fs.f, fs.n, &o), -EINVAL);
        ck_assert_int_eq(ts_tasks_max_origin_find("x.service", NULL, 0, &o), 0);
        ck_assert_int_eq(o.file, -1);
}
END_TEST

/* ts_dropins_order() on dropins, with planned; want: the paths in order, NULL-terminated. */
static void check_order(char *const *dropins, const char *planned, const char *const *want,
                        ssize_t want_planned, ssize_t want_masker) {
        _cleanup_(strv_freep) char **l = NULL;
        ssize_t p = -2, m = -2;
        ck_assert_int_eq(ts_dropins_order(dropins, planned, &l, &p, &m), 0);
        size_t i = 0;
        for (; want[i]; i++) {
                ck_assert_ptr_nonnull(l[i]);
                ck_assert_str_eq(l[i], want[i]);
        }
        ck_assert_ptr_null(l[i]);
        ck_assert_int_eq(p, want_planned);
        ck_assert_int_eq(m, want_masker);
}

START_TEST(test_order) {
        /* SetUnitProperties appends its drop-in to DropInPaths until the next reload sorts it in:
         * by file name across directories */
        char *appended[] = { USER_DIR "50-seed.conf", "/usr/lib/systemd/system/service.d/10-timeout.conf",
                             CONTROL "50-TasksMax.conf", NULL };
        check_order(appended, CONTROL "50-TasksMax.conf",
                    (const char *[]){ "/usr/lib/systemd/system/service.d/10-timeout.conf",
                                      CONTROL "50-TasksMax.conf", USER_DIR "50-seed.conf", NULL },
                    1, -1);
        /* a planned drop-in not written yet (--dry-run) takes its place */
        char *before[] = { "/usr/lib/systemd/system/service.d/10-timeout.conf", USER_DIR "50-seed.conf",
                           NULL };
        check_order(before, RUNTIME_CONTROL "50-TasksMax.conf",
                    (const char *[]){ "/usr/lib/systemd/system/service.d/10-timeout.conf",
                                      RUNTIME_CONTROL "50-TasksMax.conf", USER_DIR "50-seed.conf", NULL },
                    1, -1);
        /* of one name, the fix's control directory wins over the rest ... */
        char *same[] = { USER_DIR "50-TasksMax.conf", NULL };
        check_order(same, CONTROL "50-TasksMax.conf", (const char *[]){ CONTROL "50-TasksMax.conf", NULL },
                    0, -1);
        char *runtime[] = { RUNTIME_CONTROL "50-TasksMax.conf", NULL };
        check_order(runtime, CONTROL "50-TasksMax.conf",
                    (const char *[]){ CONTROL "50-TasksMax.conf", NULL }, 0, -1);
        /* ... but /etc's masks /run's */
        char *persistent[] = { CONTROL "50-TasksMax.conf", USER_DIR "60-x.conf", NULL };
        check_order(persistent, RUNTIME_CONTROL "50-TasksMax.conf",
                    (const char *[]){ CONTROL "50-TasksMax.conf", USER_DIR "60-x.conf", NULL }, -1, 0);
        /* no drop-ins at all, no planned one */
        check_order(NULL, CONTROL "50-TasksMax.conf", (const char *[]){ CONTROL "50-TasksMax.conf", NULL },
                    0, -1);
        check_order(persistent, NULL,
                    (const char *[]){ CONTROL "50-TasksMax.conf", USER_DIR "60-x.conf", NULL }, -1, -1);
}
END_TEST

static Suite *fix_dropins_suite(void) {
        Suite *s = suite_create("fix-dropins");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_users_drop_in_wins);
        tcase_add_test(tc, test_fix_wins);
        tcase_add_test(tc, test_systemd_line_rules);
        tcase_add_test(tc, test_continuation_and_line_ends);
        tcase_add_test(tc, test_reset);
        tcase_add_test(tc, test_masked_runtime_fix);
        tcase_add_test(tc, test_no_assignment);
        tcase_add_test(tc, test_order);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(fix_dropins_suite());
}
