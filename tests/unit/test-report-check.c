/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `taskstorm check` prints, from support bundles of fixtures/ judged as `check --log` judges them
 * (a unit at risk, two units whose forks the kernel refused, a container's text where healthy units
 * share a line) and from a whole-machine result set by hand: text in the article's terms, and the
 * JSON read back. */
#include <check.h>

#include "offline.h" /* brings remedy's check.h; <check.h> above is Check's */
#include "report-check.h"
#include "report-fixture.h"

/* A text's units judged and ordered as check --log does: the most severe first. */
typedef struct Judged {
        TsCheckFacts *facts;
        TsCheckResult *results;
        size_t *order;
        size_t n;
} Judged;

static void judge(const char *path, const char *unit, Judged *ret) {
        _cleanup_(freep) char *text = fixture_read(path);
        bool named;
        *ret = (Judged){};
        ck_assert_int_eq(ts_check_text(text, strlen(text), unit, &ret->facts, &ret->n, &named), 0);
        ret->results = calloc(ret->n, sizeof *ret->results);
        ret->order = calloc(ret->n, sizeof *ret->order);
        ck_assert(ret->results && ret->order);
        for (size_t i = 0; i < ret->n; i++) {
                ts_check_judge(&ret->facts[i], TS_CHECK_DEFAULT_THRESHOLD, &ret->results[i]);
                size_t k = i;
                int sev = ts_check_verdict_severity(ret->results[i].verdict);
                for (; k > 0 && ts_check_verdict_severity(ret->results[ret->order[k - 1]].verdict) < sev;
                     k--)
                        ret->order[k] = ret->order[k - 1];
                ret->order[k] = i;
        }
}

static void judged_done(Judged *j) {
        ts_check_text_free(j->facts, j->n);
        free(j->results);
        free(j->order);
}

static char *text_of(const Judged *j) {
        Capture c;
        ts_check_print_all(capture_start(&c), j->facts, j->results, j->order, j->n);
        return capture_end(&c);
}

START_TEST(test_text_at_risk) {
        _cleanup_(judged_done) Judged j;
        judge("bundles/docker-low-limit.txt", NULL, &j);
        _cleanup_(freep) char *t = text_of(&j);
        ck_assert_str_eq(
                t, "docker.service: at-risk (cause: unit-tasksmax)\n"
                   "  Tasks: 38 (Limit: 512)\n"
                   "  docker.service usually needs thousands of tasks; Limit: 512 is below 4096\n"
                   "  prerequisites: systemd 252.38-1~deb12u1 >= 227 and kernel 6.1.0-37-amd64 >= 4.3\n"
                   "  limits: docker.service TasksMax=512, pids.max unknown, refused forks (pids.events) "
                   "unknown; system.slice TasksMax=unknown, refused unknown\n"
                   "  other limits: RLIMIT_NPROC unknown, kernel.pid_max unknown, kernel.threads-max "
                   "unknown\n"
                   "  could not know: pids.events\n"
                   "  fix: systemctl set-property docker.service TasksMax=infinity\n");
}
END_TEST

START_TEST(test_text_journal) {
        _cleanup_(judged_done) Judged j;
        judge("bundles/kernel-pids-only.txt", NULL, &j);
        _cleanup_(freep) char *t = text_of(&j);
        const char *head = "worker.service: affected (cause: unit-tasksmax)\n  Tasks: 31 (Limit: 64)\n";
        ck_assert_msg(strncmp(t, head, strlen(head)) == 0, "%s", t);
        ck_assert_ptr_nonnull(strstr(t, "\n  journal: kernel-pids x1 (first unknown, last unknown)\n"
                                        "    May 15 10:04:51 batch-01 kernel: cgroup: fork rejected by pids "
                                        "controller in /system.slice/worker.service\n"));
        ck_assert_ptr_nonnull(
                strstr(t, "\n\nbackup.service: affected (cause: unit-tasksmax)\n  Tasks: unknown\n"));
        ck_assert_ptr_nonnull(strstr(t, "\n  could not know: TasksMax\n"
                                        "  fix: systemctl set-property backup.service TasksMax=infinity\n"));
}
END_TEST

/* Beside an affected unit, the healthy ones share one line at the end. */
START_TEST(test_text_healthy_line) {
        _cleanup_(judged_done) Judged j;
        judge("../tests/corpus/real/07-nspawn-machine-scope-16384-other-unit.log", NULL, &j);
        ck_assert_uint_eq(j.n, 4);
        _cleanup_(freep) char *t = text_of(&j);
        const char *tail =
                "\n  fix: systemctl set-property machine-puppet001.scope TasksMax=infinity\n\n"
                "not affected: machine.slice (Tasks: unknown (Limit: 262144)), system.slice (Tasks: "
                "unknown (Limit: 262144)), systemd-nspawn@puppet001.service (Tasks: unknown (Limit: "
                "262144))\n";
        ck_assert_msg(strlen(t) > strlen(tail) && streq(t + strlen(t) - strlen(tail), tail), "%s", t);
}
END_TEST

START_TEST(test_json) {
        _cleanup_(judged_done) Judged j;
        judge("bundles/kernel-pids-only.txt", NULL, &j);
        json_object *o = json_reparse(ts_check_all_to_json(j.facts, j.results, j.order, j.n, "a warning"));
        ck_assert_str_eq(jstr(o, "/warnings/0"), "a warning");
        ck_assert_str_eq(jstr(o, "/units/0/unit"), "worker.service");
        ck_assert_str_eq(jstr(o, "/units/0/verdict"), "affected");
        ck_assert_str_eq(jstr(o, "/units/0/cause"), "unit-tasksmax");
        ck_assert_str_eq(jstr(o, "/units/0/status_line"), "Tasks: 31 (Limit: 64)");
        jnull(o, "/units/0/via");
        jnull(o, "/units/0/via_cause");
        ck_assert_str_eq(jstr(o, "/units/0/prerequisites/status"), "met");
        ck_assert_str_eq(jstr(o, "/units/0/prerequisites/systemd"), "252.38-1~deb12u1");
        ck_assert_str_eq(jstr(o, "/units/0/prerequisites/os_id"), "debian");
        ck_assert_int_eq(jint(o, "/units/0/limits/tasks_max"), 64);
        jnull(o, "/units/0/limits/pids_max");
        ck_assert_int_eq(jint(o, "/units/0/journal/kernel-pids/count"), 1);
        jnull(o, "/units/0/journal/kernel-pids/first_usec");
        ck_assert_str_eq(jstr(o, "/units/0/journal/kernel-pids/samples/0"),
                         "May 15 10:04:51 batch-01 kernel: cgroup: fork rejected by pids controller in "
                         "/system.slice/worker.service");
        ck_assert(!jbool(o, "/units/0/other_limits/user_is_root"));
        ck_assert_str_eq(jstr(o, "/units/0/fix"), "systemctl set-property worker.service TasksMax=infinity");
        ck_assert(jbool(o, "/units/0/offline"));
        ck_assert(!jbool(o, "/units/0/container"));
        ck_assert_str_eq(jstr(o, "/units/1/unit"), "backup.service");
        ck_assert_str_eq(jstr(o, "/units/1/unknown"), "TasksMax");
        json_object_put(o);

        o = json_reparse(ts_check_all_to_json(j.facts, j.results, j.order, j.n, ""));
        ck_assert_uint_eq(jlen(o, "/warnings"), 0);
        json_object_put(o);

        json_object *units = json_object_new_array();
        json_object_array_add(units, ts_check_to_json(&j.facts[j.order[1]], &j.results[j.order[1]]));
        o = json_reparse(ts_check_units_to_json(units));
        ck_assert_str_eq(jstr(o, "/units/0/unit"), "backup.service");
        ck_assert(!jhas(o, "/warnings"));
        json_object_put(o);
}
END_TEST

/* The whole machine: containerd.service's TasksMax=100 refused 560 forks that dockerd logs. */
static void machine(TsScanFacts *f, TsScanResult *res, TsScanEntry *e, TsScanLogger *loggers) {
        static char *refused_in[] = { (char *)"docker.service", NULL };
        *f = (TsScanFacts){ .systemd_version = (char *)"252.38-1~deb12u1",
                            .kernel_release = (char *)"6.1.0-37-amd64",
                            .os_id = (char *)"debian",
                            .root = (char *)"/sys/fs/cgroup/pids",
                            .unified = false,
                            .n_walked = 120,
                            .n_cgroups = 3 };
        loggers[0] =
                (TsScanLogger){ .unit = (char *)"docker.service",
                                .lines = 23,
                                .top = 0,
                                .sentence = (char *)"docker.service logs 23 failures; the refusals were in "
                                                    "containerd.service, TasksMax=100, 560 refused" };
        *e = (TsScanEntry){ .owner = { .name = (char *)"containerd.service",
                                       .control_group = (char *)"/system.slice/containerd.service",
                                       .kind = TS_SCAN_SERVICE },
                            .verdict = TS_CHECK_AFFECTED,
                            .cause = TS_CAUSE_UNIT_TASKSMAX,
                            .limit_cgroup = (char *)"/system.slice/containerd.service",
                            .current = { true, 100 },
                            .max = { true, 100 },
                            .refused = 560,
                            .refused_in = refused_in,
                            .kernel_lines = 2,
                            .loggers = loggers,
                            .n_loggers = 1 };
        snprintf(e->why, sizeof e->why, "Tasks: 100 (Limit: 100): 560 forks refused");
        snprintf(e->fix, sizeof e->fix, "systemctl set-property containerd.service TasksMax=infinity");
        snprintf(e->taskstorm_fix, sizeof e->taskstorm_fix, "taskstorm fix containerd.service");
        *res = (TsScanResult){
                .verdict = TS_CHECK_AFFECTED, .prereq = TS_PREREQ_MET, .entries = e, .n_entries = 1
        };
        snprintf(res->prereq_why, sizeof res->prereq_why, "systemd 252 >= 227");
        snprintf(res->why, sizeof res->why, "1 limit refused forks");
}

START_TEST(test_machine) {
        TsScanFacts f;
        TsScanResult res;
        TsScanEntry e;
        TsScanLogger loggers[1];
        machine(&f, &res, &e, loggers);
        Capture c;
        ts_scan_print(capture_start(&c), &f, &res, 0);
        _cleanup_(freep) char *t = capture_end(&c);
        ck_assert_str_eq(
                t, "machine: affected\n  1 limit refused forks\n  prerequisites: systemd 252 >= 227\n"
                   "  walked: 120 cgroups under /sys/fs/cgroup/pids (cgroup v1), 3 with a limit or "
                   "refusals; journal: each unit's current run, the kernel's lines of this boot\n"
                   "1. containerd.service: affected (cause: unit-tasksmax)\n"
                   "  Tasks: 100 (Limit: 100): 560 forks refused\n"
                   "  docker.service logs 23 failures; the refusals were in containerd.service, "
                   "TasksMax=100, 560 refused\n"
                   "  cgroup: /system.slice/containerd.service\n"
                   "  fix: systemctl set-property containerd.service TasksMax=infinity (or: taskstorm fix "
                   "containerd.service)\n");

        ts_scan_print(capture_start(&c), &f, &res, 1767225600000000);
        _cleanup_(freep) char *since = capture_end(&c);
        ck_assert_ptr_nonnull(strstr(since, "; journal: since 2026-01-01 00:00:00\n"));

        json_object *o = json_reparse(ts_scan_to_json(&f, &res, 1767225600000000));
        ck_assert_str_eq(jstr(o, "/machine/verdict"), "affected");
        ck_assert_str_eq(jstr(o, "/machine/prerequisites/status"), "met");
        ck_assert_str_eq(jstr(o, "/machine/cgroup_root"), "/sys/fs/cgroup/pids");
        ck_assert_int_eq(jint(o, "/machine/cgroup_version"), 1);
        ck_assert_int_eq(jint(o, "/machine/cgroups_walked"), 120);
        ck_assert_int_eq(jint(o, "/machine/journal_since_usec"), 1767225600000000);
        ck_assert_int_eq(jint(o, "/binds/0/rank"), 1);
        ck_assert_str_eq(jstr(o, "/binds/0/kind"), "service");
        jnull(o, "/binds/0/parent");
        ck_assert_str_eq(jstr(o, "/binds/0/status_line"), "Tasks: 100 (Limit: 100)");
        ck_assert_int_eq(jint(o, "/binds/0/refused"), 560);
        ck_assert_str_eq(jstr(o, "/binds/0/refused_file"), "pids.events");
        ck_assert_str_eq(jstr(o, "/binds/0/refused_in/0"), "docker.service");
        ck_assert_int_eq(jint(o, "/binds/0/logged_by/0/lines"), 23);
        ck_assert_str_eq(jstr(o, "/binds/0/taskstorm_fix"), "taskstorm fix containerd.service");
        json_object_put(o);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("report-check");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_text_at_risk);
        tcase_add_test(tc, test_text_journal);
        tcase_add_test(tc, test_text_healthy_line);
        tcase_add_test(tc, test_json);
        tcase_add_test(tc, test_machine);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        /* The text shows journal times in local time. */
        setenv("TZ", "UTC", 1);
        tzset();
        return ts_test_run_suite(suite());
}
