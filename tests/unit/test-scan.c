/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `check` of the whole machine, on cgroup trees made in a temporary directory (v1's pids.events,
 * v2's hierarchical pids.events beside pids.events.local, a scope under a service, containers, four
 * thousand cgroups) and journal lines fed one at a time: which cgroup holds the limit that refused
 * forks, who owns it, how dockerd's lines are put on containerd.service's refusals in one sentence,
 * what is at risk, the ranking, the kernel's longer paths in a sandbox, and `check UNIT` following
 * its lines to another unit. */
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <time.h>

#include "fixture.h"
#include "scan.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CGO_LINE                                                                                            \
        "level=error msg=\"Handler for POST /v1.41/containers/x/start returned error: OCI runtime create "  \
        "failed: runc create failed: unable to start container process: error during container init: "      \
        "stderr: runtime/cgo: pthread_create failed: Resource temporarily unavailable\""

static char root[64];
/* The facts of a test and its judgement, freed after it. */
static TsScanFacts f;
static TsScanResult r;

static void setup(void) {
        snprintf(root, sizeof root, "/tmp/test-scan-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(root));
        f = (TsScanFacts){};
        r = (TsScanResult){};
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)ftw;
        return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void teardown(void) {
        ts_scan_result_done(&r);
        ts_scan_facts_done(&f);
        ck_assert_int_eq(nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void put(const char *dir, const char *name, const char *value) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *file = fopen(path, "we");
        ck_assert_msg(file, "cannot write %s", path);
        fprintf(file, "%s\n", value);
        ck_assert_int_eq(fclose(file), 0);
}

/* A cgroup with its pids files, parents made as needed (without files: they stand for cgroups
 * without the controller, like a v1 root). NULL leaves a file out. */
static void cgroup(const char *path, const char *max, const char *current, const char *events,
                   const char *local) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s%s", root, path);
        for (char *p = dir + strlen(root) + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        ck_assert(mkdir(dir, 0755) == 0 || errno == EEXIST);
                        *p = '/';
                }
        ck_assert(mkdir(dir, 0755) == 0 || errno == EEXIST);
        if (max)
                put(dir, "pids.max", max);
        if (current)
                put(dir, "pids.current", current);
        if (events)
                put(dir, "pids.events", events);
        if (local)
                put(dir, "pids.events.local", local);
}

/* v1 (or v2 before 6.11): pids.events counts the refused forks of the cgroup's own tasks. */
static void v1(const char *path, const char *max, const char *current, const char *events) {
        cgroup(path, max, current, events, NULL);
}

static void line(TsScanFacts *facts, const char *unit, const char *cg, const char *message) {
        TsScanLine l = { .message = message,
                         .length = strlen(message),
                         .unit = unit,
                         .control_group = cg,
                         .identifier = "dockerd",
                         .usec = 1767225600000000 };
        ck_assert_int_eq(ts_scan_add_line(facts, &l), 0);
}

static void lines(TsScanFacts *facts, const char *unit, const char *cg, const char *message, unsigned n) {
        for (unsigned i = 0; i < n; i++)
                line(facts, unit, cg, message);
}

static void kernel_line(TsScanFacts *facts, const char *path) {
        char message[512];
        snprintf(message, sizeof message, "cgroup: fork rejected by pids controller in %s", path);
        TsScanLine l = { .message = message, .length = strlen(message), .kernel = true };
        ck_assert_int_eq(ts_scan_add_line(facts, &l), 0);
}

/* The facts of the tree under root into f, on a machine that meets the prerequisites. */
static void scan(void) {
        ck_assert_int_eq(ts_scan_cgroups(root, &f), 0);
        f.systemd_version = strdup("252.38-1~deb12u1");
        f.kernel_release = strdup("6.1.0-37-amd64");
        f.os_id = strdup("debian");
}

/* The judgement of f into r (the one before is dropped). */
static void judge(unsigned threshold) {
        ts_scan_result_done(&r);
        ck_assert_int_eq(ts_scan_judge(&f, threshold, &r), 0);
}

static void assert_entry(const TsScanEntry *e, const char *name, TsCheckVerdict verdict, TsCause cause) {
        ck_assert_msg(streq(e->owner.name, name) && e->verdict == verdict && e->cause == cause,
                      "got %s %s / %s (%s), expected %s %s / %s", e->owner.name,
                      ts_check_verdict_to_string(e->verdict), ts_cause_to_string(e->cause), e->why, name,
                      ts_check_verdict_to_string(verdict), ts_cause_to_string(cause));
}

static const TsScanCgroup *kept(const char *path) {
        for (size_t i = 0; i < f.n_cgroups; i++)
                if (streq(f.cgroups[i].path, path))
                        return &f.cgroups[i];
        return NULL;
}

/* The case, on cgroup v1 as the sandbox has it: containerd.service at TasksMax=100 refused
 * 560 forks (its shims run runc), docker.service has no limit and logs 23 failures. */
static void containerd_tree_v1(void) {
        v1("/system.slice", "max", "140", "max 0");
        v1("/system.slice/containerd.service", "100", "100", "max 560");
        v1("/system.slice/docker.service", "max", "11", "max 0");
        v1("/system.slice/cron.service", "max", "1", "max 0");
        v1("/user.slice", "max", "5", "max 0");
}

START_TEST(test_strings) {
        static const char *const kinds[] = { "service", "scope", "slice", "unit", "container", "cgroup" };
        ck_assert_uint_eq(ELEMENTSOF(kinds), _TS_SCAN_KIND_MAX);
        for (int i = 0; i < _TS_SCAN_KIND_MAX; i++)
                ck_assert_str_eq(ts_scan_kind_to_string(i), kinds[i]);
        ck_assert(!ts_scan_kind_to_string(_TS_SCAN_KIND_MAX));
        ck_assert(!ts_scan_kind_to_string(_TS_SCAN_KIND_INVALID));
        ck_assert_str_eq(ts_cause_to_string(TS_CAUSE_OTHER_UNIT_TASKSMAX), "other-unit-tasksmax");
        ck_assert_str_eq(ts_cause_to_string(TS_CAUSE_CONTAINER_PIDS_LIMIT), "container-pids-limit");
}
END_TEST

START_TEST(test_owner) {
        static const struct {
                const char *path, *name, *control_group, *parent;
                TsScanKind kind;
        } cases[] = {
                { "/system.slice/containerd.service", "containerd.service",
                  "/system.slice/containerd.service", NULL, TS_SCAN_SERVICE },
                /* a cgroup a service made below its own (Delegate=yes) is the service's */
                { "/system.slice/containerd.service/payload/x", "containerd.service",
                  "/system.slice/containerd.service", NULL, TS_SCAN_SERVICE },
                { "/system.slice", "system.slice", "/system.slice", NULL, TS_SCAN_SLICE },
                { "/user.slice/user-0.slice/session-1.scope", "session-1.scope",
                  "/user.slice/user-0.slice/session-1.scope", NULL, TS_SCAN_SCOPE },
                { "/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service",
                  "/system.slice/system-getty.slice/getty@tty1.service", NULL, TS_SCAN_SERVICE },
                { "/system.slice/docker.socket", "docker.socket", "/system.slice/docker.socket", NULL,
                  TS_SCAN_UNIT },
                /* containers: by their unit name (systemd driver), or their path (cgroupfs driver) */
                { "/system.slice/docker-" ID ".scope", "docker-" ID ".scope",
                  "/system.slice/docker-" ID ".scope", "system.slice", TS_SCAN_CONTAINER },
                { "/docker/" ID, "/docker/" ID, "/docker/" ID, "-.slice", TS_SCAN_CONTAINER },
                { "/docker/" ID "/init", "/docker/" ID, "/docker/" ID, "-.slice", TS_SCAN_CONTAINER },
                { "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-" ID
                  ".scope",
                  "cri-containerd-" ID ".scope",
                  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-" ID
                  ".scope",
                  "kubepods-burstable-pod1.slice", TS_SCAN_CONTAINER },
                { "/machine.slice/libpod-" ID ".scope", "libpod-" ID ".scope",
                  "/machine.slice/libpod-" ID ".scope", "machine.slice", TS_SCAN_CONTAINER },
                /* not an ID: a scope like any other */
                { "/system.slice/docker-xyz.scope", "docker-xyz.scope", "/system.slice/docker-xyz.scope",
                  NULL, TS_SCAN_SCOPE },
                { "/", "-.slice", "/", NULL, TS_SCAN_SLICE },
                { "/lxc/web", "/lxc/web", "/lxc/web", NULL, TS_SCAN_CGROUP },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                TsScanOwner o = {};
                ck_assert_int_eq(ts_scan_owner(cases[i].path, &o), 0);
                ck_assert_msg(streq(o.name, cases[i].name), "%s: name %s", cases[i].path, o.name);
                ck_assert_str_eq(o.control_group, cases[i].control_group);
                if (cases[i].parent)
                        ck_assert_str_eq(strempty(o.parent), cases[i].parent);
                else
                        ck_assert_ptr_null(o.parent);
                ck_assert_msg(o.kind == cases[i].kind, "%s: kind %s", cases[i].path,
                              ts_scan_kind_to_string(o.kind));
                ts_scan_owner_done(&o);
        }
        ck_assert_int_eq(ts_scan_unit_kind("docker.service"), TS_SCAN_SERVICE);
        ck_assert_int_eq(ts_scan_unit_kind("docker-" ID ".scope"), TS_SCAN_CONTAINER);
        ck_assert_int_eq(ts_scan_unit_kind("session-1.scope"), TS_SCAN_SCOPE);
        ck_assert_int_eq(ts_scan_unit_kind("docker.socket"), TS_SCAN_UNIT);
        TsScanOwner o = {};
        ck_assert_int_eq(ts_scan_owner("system.slice", &o), -EINVAL);
        ck_assert_int_eq(ts_scan_owner(NULL, &o), -EINVAL);
        ts_scan_owner_done(&o);
        ts_scan_owner_done(NULL);
}
END_TEST

START_TEST(test_walk_v1) {
        containerd_tree_v1();
        scan();
        /* the root (no pids files, as on v1) and five below it */
        ck_assert_uint_eq(f.n_walked, 6);
        ck_assert_uint_eq(f.n_cgroups, 1);
        const TsScanCgroup *c = kept("/system.slice/containerd.service");
        ck_assert_ptr_nonnull(c);
        ck_assert_uint_eq(c->max, 100);
        ck_assert(c->current.known);
        ck_assert_uint_eq(c->current.value, 100);
        ck_assert_uint_eq(c->refused, 560);
        ck_assert(!c->refused_local);
        ck_assert_str_eq(f.root, root);
        ck_assert(!f.unified);
        ts_scan_facts_done(&f);
        ck_assert_ptr_null(f.cgroups);
        ts_scan_facts_done(&f);
        ts_scan_facts_done(NULL);

        TsScanFacts g = {};
        char missing[PATH_MAX];
        snprintf(missing, sizeof missing, "%s/nope", root);
        ck_assert_int_eq(ts_scan_cgroups(missing, &g), -ENOENT);
        ck_assert_int_eq(ts_scan_cgroups(NULL, &g), -EINVAL);
        ts_scan_facts_done(&g);
}
END_TEST

START_TEST(test_walk_v2_local) {
        /* Linux 6.11 on: pids.events adds up the subtree's limits (system.slice and the root show 560
         * too), pids.events.local holds each cgroup's own. Only containerd.service's limit was hit. */
        cgroup("/", NULL, NULL, NULL, NULL);
        put(root, "cgroup.controllers", "cpu memory pids");
        cgroup("/system.slice", "max", "140", "max 560", "max 0");
        cgroup("/system.slice/containerd.service", "100", "100", "max 560", "max 560");
        cgroup("/system.slice/docker.service", "max", "11", "max 0", "max 0");
        /* a limit that refused nothing: kept, not evidence */
        cgroup("/system.slice/cron.service", "4915", "1", "max 0", "max 0");
        scan();
        ck_assert(f.unified);
        ck_assert_uint_eq(f.n_cgroups, 2);
        const TsScanCgroup *c = kept("/system.slice/containerd.service");
        ck_assert_ptr_nonnull(c);
        ck_assert(c->refused_local);
        ck_assert_uint_eq(c->refused, 560);
        ck_assert_ptr_null(kept("/system.slice"));

        line(&f, "docker.service", "/system.slice/docker.service", CGO_LINE);
        judge(80);
        ck_assert_uint_eq(r.n_entries, 1);
        assert_entry(&r.entries[0], "containerd.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX);
        ck_assert_str_eq(r.entries[0].why,
                         "Tasks: 100 (Limit: 100): the TasksMax of containerd.service was hit 560 "
                         "times (pids.events.local)");
        ck_assert_str_eq(r.entries[0].loggers[0].sentence,
                         "docker.service logs 1 failure; the refusals were in "
                         "containerd.service, TasksMax=100, 560 refused");
}
END_TEST

START_TEST(test_walk_v2_before_6_11) {
        /* v2 without pids.events.local: pids.events counts as on v1, where the refused task was */
        cgroup("/", NULL, NULL, NULL, NULL);
        put(root, "cgroup.controllers", "pids");
        cgroup("/app.slice", "20", "20", "max 0", NULL);
        cgroup("/app.slice/web.service", "max", "20", "max 4", NULL);
        scan();
        ck_assert(f.unified);
        const TsScanCgroup *c = kept("/app.slice/web.service");
        ck_assert_ptr_nonnull(c);
        ck_assert(!c->refused_local);
        judge(80);
        ck_assert_uint_eq(r.n_entries, 1);
        assert_entry(&r.entries[0], "app.slice", TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX);
}
END_TEST

START_TEST(test_cross_unit) {
        containerd_tree_v1();
        scan();
        lines(&f, "docker.service", "/system.slice/docker.service", CGO_LINE, 23);
        line(&f, "cron.service", "/system.slice/cron.service", "nothing to see");
        ck_assert_uint_eq(f.n_logs, 1);

        judge(80);
        ck_assert_int_eq(r.verdict, TS_CHECK_AFFECTED);
        ck_assert_int_eq(r.prereq, TS_PREREQ_MET);
        ck_assert_uint_eq(r.n_entries, 1);
        const TsScanEntry *e = &r.entries[0];
        assert_entry(e, "containerd.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX);
        ck_assert_uint_eq(e->refused, 560);
        ck_assert_str_eq(e->limit_cgroup, "/system.slice/containerd.service");
        ck_assert_str_eq(e->owner.control_group, "/system.slice/containerd.service");
        ck_assert_str_eq(e->why,
                         "Tasks: 100 (Limit: 100): the TasksMax of containerd.service was hit 560 times "
                         "(pids.events)");
        ck_assert_uint_eq(e->n_loggers, 1);
        ck_assert_str_eq(e->loggers[0].unit, "docker.service");
        ck_assert_uint_eq(e->loggers[0].lines, 23);
        ck_assert_int_eq(e->loggers[0].top, TS_PATTERN_CGO_PTHREAD);
        ck_assert_str_eq(e->loggers[0].sentence, "docker.service logs 23 failures; the refusals were in "
                                                 "containerd.service, TasksMax=100, 560 refused");
        ck_assert_str_eq(e->fix, "systemctl set-property containerd.service TasksMax=infinity");
        ck_assert_str_eq(e->taskstorm_fix, "taskstorm fix containerd.service");
        ck_assert_str_eq(r.why, "1 limit hit, 0 at risk, in 6 cgroups; first: containerd.service");
        ts_scan_result_done(&r);
        ck_assert_ptr_null(r.entries);
        ts_scan_result_done(&r);
        ts_scan_result_done(NULL);
}
END_TEST

START_TEST(test_runs_apart) {
        /* without a window, each run's lines are its own (the gatherer keeps the current run's) */
        TsScanLine l = {
                .message = CGO_LINE, .length = strlen(CGO_LINE), .unit = "docker.service", .invocation = "aa"
        };
        ck_assert_int_eq(ts_scan_add_line(&f, &l), 0);
        ck_assert_int_eq(ts_scan_add_line(&f, &l), 0);
        l.invocation = "bb";
        ck_assert_int_eq(ts_scan_add_line(&f, &l), 0);
        l.invocation = NULL;
        ck_assert_int_eq(ts_scan_add_line(&f, &l), 0);
        /* no unit, or no pattern: not kept */
        l.unit = NULL;
        ck_assert_int_eq(ts_scan_add_line(&f, &l), 0);
        l = (TsScanLine){ .message = "started", .length = 7, .unit = "docker.service" };
        ck_assert_int_eq(ts_scan_add_line(&f, &l), 0);
        ck_assert_uint_eq(f.n_logs, 3);
        ck_assert_str_eq(f.logs[0].invocation, "aa");
        ck_assert_uint_eq(f.logs[0].hits[TS_PATTERN_CGO_PTHREAD].count, 2);
        ck_assert_uint_eq(f.logs[0].hits[TS_PATTERN_CGO_PTHREAD].relayed, 2);
        ck_assert_str_eq(f.logs[0].hits[TS_PATTERN_CGO_PTHREAD].samples[0], "?: " CGO_LINE);
        ck_assert_str_eq(f.logs[1].invocation, "bb");
        ck_assert_ptr_null(f.logs[2].invocation);
        ck_assert_int_eq(ts_scan_add_line(&f, NULL), -EINVAL);
}
END_TEST

START_TEST(test_own_lines) {
        /* the unit that hit its limit logs the failures itself: its own evidence, no sentence */
        containerd_tree_v1();
        scan();
        lines(&f, "containerd.service", NULL, "fork/exec /proc/self/exe: resource temporarily unavailable",
              4);
        judge(80);
        ck_assert_uint_eq(r.n_entries, 1);
        ck_assert_ptr_null(r.entries[0].loggers[0].sentence);
        ck_assert_str_eq(r.entries[0].why,
                         "Tasks: 100 (Limit: 100): the TasksMax of containerd.service was hit 560 "
                         "times (pids.events), and its log shows 4 lines of 'fork/exec ... resource "
                         "temporarily unavailable'");
}
END_TEST

START_TEST(test_slice_binds) {
        /* v1 counts where the refused task was: the service's pids.events, under the slice's limit */
        v1("/app.slice", "20", "20", "max 0");
        v1("/app.slice/web.service", "max", "19", "max 7");
        v1("/app.slice/cron.service", "max", "1", "max 0");
        scan();
        lines(&f, "web.service", "/app.slice/web.service", "fork failed: Resource temporarily unavailable",
              2);
        /* a neighbour in the slice, refused nothing of its own: the slice's limit is its too */
        lines(&f, "cron.service", "/app.slice/cron.service", "fork failed: Resource temporarily unavailable",
              1);
        judge(80);
        ck_assert_uint_eq(r.n_entries, 1);
        const TsScanEntry *e = &r.entries[0];
        assert_entry(e, "app.slice", TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX);
        ck_assert_str_eq(e->refused_in[0], "web.service");
        ck_assert_ptr_null(e->refused_in[1]);
        ck_assert_str_eq(e->why,
                         "Tasks: 20 (Limit: 20): the TasksMax of app.slice was hit 7 times (pids.events of "
                         "web.service)");
        ck_assert_uint_eq(e->n_loggers, 2);
        ck_assert_str_eq(e->loggers[0].sentence,
                         "web.service logs 2 failures; the refusals were in app.slice, "
                         "TasksMax=20, 7 refused");
        ck_assert_str_eq(e->loggers[1].sentence,
                         "cron.service logs 1 failure; the refusals were in app.slice, "
                         "TasksMax=20, 7 refused");
        ck_assert_str_eq(e->fix, "systemctl set-property app.slice TasksMax=infinity");
        ck_assert_str_eq(e->taskstorm_fix, "taskstorm fix --no-restart app.slice");
}
END_TEST

START_TEST(test_which_limit) {
        /* v1: the unit's own limit, unless an ancestor is nearer to full and at the threshold; a
         * sandbox's root with room left (its guard) refused nothing */
        v1("/", "10000", "300", "max 0");
        v1("/full.slice", "100", "100", "max 0");
        v1("/full.slice/a.service", "50", "10", "max 3");
        v1("/roomy.slice", "100", "30", "max 0");
        v1("/roomy.slice/b.service", "50", "10", "max 4");
        v1("/roomy.slice/lifted.service", "max", "10", "max 5");
        scan();
        judge(80);
        ck_assert_uint_eq(r.n_entries, 3);
        assert_entry(&r.entries[0], "b.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX);
        assert_entry(&r.entries[1], "full.slice", TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX);
        ck_assert_str_eq(r.entries[1].refused_in[0], "a.service");
        assert_entry(&r.entries[2], "lifted.service", TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE);
}
END_TEST

START_TEST(test_scope_under_service) {
        /* a scope a service made below itself with a limit of its own: the deepest unit name owns it */
        v1("/system.slice/ci.service", "max", "30", "max 0");
        v1("/system.slice/ci.service/job-1.scope", "16", "16", "max 9");
        scan();
        judge(80);
        ck_assert_uint_eq(r.n_entries, 1);
        assert_entry(&r.entries[0], "job-1.scope", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX);
        ck_assert_str_eq(r.entries[0].taskstorm_fix, "taskstorm fix --no-restart job-1.scope");
}
END_TEST

START_TEST(test_slice_emptied_since) {
        /* podman's machine.slice at its limit of 40 refused the monitors and containers it holds, on v1
         * counted in their own scopes (with the default limit of a scope); by the time check runs the
         * failed containers' tasks are gone, and the slice shows 30 of 40: it still binds, not a scope
         * that holds 1 task of 4288 */
        v1("/machine.slice", "40", "30", "max 0");
        v1("/machine.slice/libpod-conmon-" ID ".scope", "4288", "1", "max 11");
        scan();
        judge(80);
        ck_assert_uint_ge(r.n_entries, 1);
        assert_entry(&r.entries[0], "machine.slice", TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX);
        ck_assert_uint_eq(r.entries[0].refused, 11);

        /* the kernel logged the monitor's scope, which lives, and a container's, which is gone: both
         * go on the slice, the second said apart */
        kernel_line(&f, "/machine.slice/libpod-conmon-" ID ".scope");
        kernel_line(&f, "/machine.slice/libpod-" ID ".scope");
        ck_assert_int_eq(ts_scan_resolve_kernel_lines(&f), 0);
        ck_assert_str_eq(f.kernel[0].cgroup, "/machine.slice/libpod-conmon-" ID ".scope");
        ck_assert_ptr_null(f.kernel[0].ancestor);
        ck_assert_ptr_null(f.kernel[1].cgroup);
        ck_assert_str_eq(f.kernel[1].ancestor, "/machine.slice");
        judge(80);
        assert_entry(&r.entries[0], "machine.slice", TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX);
        ck_assert_uint_eq(r.entries[0].kernel_lines, 2);
        ck_assert_str_eq(r.entries[0].why,
                         "Tasks: 30 (Limit: 40): the TasksMax of machine.slice was hit 11 times "
                         "(pids.events of libpod-conmon-" ID ".scope), and the kernel logged 'fork "
                         "rejected by pids controller' (1 of 2 lines in a cgroup that is gone, "
                         "charged to machine.slice)");
}
END_TEST

START_TEST(test_slice_emptied_further) {
        /* trixie's sandbox: three containers started and held machine.slice at 15 of 40, under half
         * the threshold; the monitor's scope that counted 42 refusals holds 1 task of 4287, which
         * cannot have been its own limit: the slice binds */
        v1("/machine.slice", "40", "15", "max 0");
        v1("/machine.slice/libpod-conmon-" ID ".scope", "4287", "1", "max 42");
        scan();
        judge(80);
        assert_entry(&r.entries[0], "machine.slice", TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX);
        ck_assert_uint_eq(r.entries[0].refused, 42);
}
END_TEST

START_TEST(test_slice_emptied_too) {
        /* a slice nearly empty too says nothing: the scope stands for its own limit, as before */
        v1("/machine.slice", "40", "2", "max 0");
        v1("/machine.slice/libpod-conmon-" ID ".scope", "4287", "1", "max 42");
        scan();
        judge(80);
        assert_entry(&r.entries[0], "libpod-conmon-" ID ".scope", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX);
}
END_TEST

START_TEST(test_containers) {
        v1("/system.slice/docker-" ID ".scope", "10", "10", "max 5");
        v1("/docker/" ID, "64", "64", "max 2");
        v1("/docker/" ID "/init", "max", "1", "max 1");
        scan();
        lines(&f, "docker.service", "/system.slice/docker.service", CGO_LINE, 3);
        judge(80);
        ck_assert_uint_eq(r.n_entries, 2);
        assert_entry(&r.entries[0], "docker-" ID ".scope", TS_CHECK_AFFECTED, TS_CAUSE_CONTAINER_PIDS_LIMIT);
        ck_assert_str_eq(r.entries[0].owner.parent, "system.slice");
        ck_assert_str_eq(r.entries[0].why,
                         "Tasks: 10 (Limit: 10): the pids limit of container docker-" ID ".scope "
                         "was hit 5 times (pids.events)");
        ck_assert(strstr(r.entries[0].fix, "docker update --pids-limit"));
        ck_assert_str_eq(r.entries[0].taskstorm_fix, "");
        /* the lines go to the one that refused most */
        ck_assert_str_eq(r.entries[0].loggers[0].sentence,
                         "docker.service logs 3 failures; the refusals were in "
                         "docker-" ID ".scope, pids.max 10, 5 refused");
        /* the init process's cgroup below the container is the container's: 2 + 1 refused */
        assert_entry(&r.entries[1], "/docker/" ID, TS_CHECK_AFFECTED, TS_CAUSE_CONTAINER_PIDS_LIMIT);
        ck_assert_uint_eq(r.entries[1].refused, 3);
        ck_assert_str_eq(r.entries[1].owner.parent, "-.slice");
}
END_TEST

START_TEST(test_lifted) {
        /* after the fix: the count stays, the limit is gone */
        v1("/system.slice/containerd.service", "max", "300", "max 560");
        scan();
        lines(&f, "docker.service", "/system.slice/docker.service", CGO_LINE, 23);
        judge(80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        ck_assert_uint_eq(r.n_entries, 1);
        assert_entry(&r.entries[0], "containerd.service", TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE);
        ck_assert_str_eq(r.entries[0].why,
                         "no Limit now: the 560 refused forks counted (pids.events) happened under "
                         "a limit that was lifted");
        ck_assert_str_eq(r.entries[0].loggers[0].sentence,
                         "docker.service logs 23 failures; the refusals were in "
                         "containerd.service, 560 refused under a limit since lifted");
        ck_assert_str_eq(
                r.why,
                "nothing binds now, in 3 cgroups: limits hit before were lifted, or no limit explains "
                "the EAGAIN lines");
}
END_TEST

START_TEST(test_at_risk_and_ranking) {
        v1("/system.slice/a.service", "100", "85", "max 0");          /* 85%: at risk */
        v1("/system.slice/b.service", "100", "79", "max 0");          /* 79%: not */
        v1("/system.slice/c.service", "10", "10", "max 0");           /* 100%: at risk, before a */
        v1("/system.slice/containerd.service", "1000", "5", "max 0"); /* a busy daemon under 4096 */
        v1("/system.slice/d.service", "50", "50", "max 3");           /* hit: first */
        v1("/system.slice/e.service", "50", "50", "max 30");          /* hit more: before d */
        scan();
        judge(80);
        ck_assert_int_eq(r.verdict, TS_CHECK_AFFECTED);
        ck_assert_uint_eq(r.n_entries, 5);
        assert_entry(&r.entries[0], "e.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX);
        assert_entry(&r.entries[1], "d.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX);
        assert_entry(&r.entries[2], "c.service", TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX);
        assert_entry(&r.entries[3], "a.service", TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX);
        ck_assert_str_eq(r.entries[3].why, "Tasks: 85 (Limit: 100): 85% of the limit, at or above 80%");
        ck_assert_str_eq(r.entries[3].fix, "systemctl set-property a.service TasksMax=infinity");
        ck_assert_str_eq(r.entries[3].taskstorm_fix, "taskstorm fix a.service");
        assert_entry(&r.entries[4], "containerd.service", TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX);
        ck_assert_str_eq(r.entries[4].why,
                         "containerd.service usually needs thousands of tasks; Limit: 1000 is below 4096");
        ck_assert_str_eq(r.why, "2 limits hit, 3 at risk, in 8 cgroups; first: e.service");
        ts_scan_result_done(&r);

        /* a higher threshold: 85% is no longer at risk */
        judge(90);
        ck_assert_uint_eq(r.n_entries, 4);
}
END_TEST

START_TEST(test_kernel_lines) {
        containerd_tree_v1();
        v1("/system.slice/old.service", "max", "1", "max 0");
        scan();
        /* in a sandbox the kernel writes the host's path: its end is a cgroup here */
        kernel_line(&f, "/taskstorm-sandbox-1234/system.slice/containerd.service");
        /* of a cgroup of the same path that went away (its count is 0 now): history */
        kernel_line(&f, "/system.slice/old.service");
        /* nothing here ends it */
        kernel_line(&f, "/other/place.service");
        /* a unit that quotes the kernel is not the kernel */
        line(&f, "shipper.service", NULL,
             "cgroup: fork rejected by pids controller in /system.slice/docker.service");
        ck_assert_uint_eq(f.n_kernel, 3);
        ck_assert_uint_eq(f.n_logs, 0);
        ck_assert_int_eq(ts_scan_resolve_kernel_lines(&f), 0);
        ck_assert_str_eq(f.kernel[0].cgroup, "/system.slice/containerd.service");
        ck_assert_str_eq(f.kernel[1].cgroup, "/system.slice/old.service");
        ck_assert_ptr_null(f.kernel[2].cgroup);
        ck_assert_ptr_null(f.kernel[2].ancestor);

        judge(80);
        ck_assert_uint_eq(r.n_entries, 1);
        ck_assert_uint_eq(r.entries[0].kernel_lines, 1);
        ck_assert_str_eq(r.entries[0].why,
                         "Tasks: 100 (Limit: 100): the TasksMax of containerd.service was hit 560 "
                         "times (pids.events), and the kernel logged 'fork rejected by pids "
                         "controller'");
}
END_TEST

/* Linux before 6.10 on cgroup v2, as podman left it on Debian bookworm: the container's scope whose
 * fork was refused is gone, and its pids.events with it; machine.slice shows 36 of its 40 and
 * counted nothing. The kernel's line for the scope is the only evidence. */
static void machine_slice_v2(const char *current) {
        cgroup("/", NULL, NULL, NULL, NULL);
        put(root, "cgroup.controllers", "pids");
        v1("/machine.slice", "40", current, "max 0");
        v1("/system.slice/web.service", "max", "3", "max 0");
}

#define PODMAN_LINE "Error: OCI runtime error: crun: fork: Resource temporarily unavailable"

/* The scan of the tree with one kernel line, resolved. */
static void scan_with_kernel_line(const char *path) {
        scan();
        kernel_line(&f, path);
        ck_assert_int_eq(ts_scan_resolve_kernel_lines(&f), 0);
}

/* The kernel's path of the scope that is gone: on a host, and in a sandbox, the host's longer one. */
static const char *const gone_paths[] = {
        "/machine.slice/libpod-" ID ".scope",
        "/taskstorm-sandbox-1234/machine.slice/libpod-" ID ".scope",
};

START_TEST(test_kernel_line_gone) {
        machine_slice_v2("36");
        line(&f, "web.service", "/system.slice/web.service", PODMAN_LINE);
        scan_with_kernel_line(gone_paths[_i]);
        ck_assert_ptr_null(f.kernel[0].cgroup);
        ck_assert_str_eq(f.kernel[0].ancestor, "/machine.slice");

        judge(80);
        ck_assert_int_eq(r.verdict, TS_CHECK_AFFECTED);
        ck_assert_uint_eq(r.n_entries, 1);
        const TsScanEntry *e = &r.entries[0];
        assert_entry(e, "machine.slice", TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX);
        ck_assert_uint_eq(e->kernel_lines, 1);
        ck_assert_uint_eq(e->refused, 0);
        ck_assert_str_eq(e->why,
                         "Tasks: 36 (Limit: 40): the kernel logged 'fork rejected by pids controller' in a "
                         "cgroup that is gone, charged to the TasksMax of machine.slice");
        /* the relayed lines of a unit elsewhere go on it, as on a count */
        ck_assert_uint_eq(e->n_loggers, 1);
        ck_assert_str_eq(e->loggers[0].sentence,
                         "web.service logs 1 failure; the refusals were in machine.slice, "
                         "TasksMax=40, the kernel's line of a cgroup that is gone");
        ck_assert_str_eq(e->fix, "systemctl set-property machine.slice TasksMax=infinity");
        ck_assert_str_eq(r.why, "1 limit hit, 0 at risk, in 4 cgroups; first: machine.slice");
}
END_TEST

START_TEST(test_kernel_line_gone_no_limit) {
        /* the living cgroups above the gone scope have no limit; the root's (a sandbox's guard) is no
         * unit's, nor is a full limit beside them: nothing is charged */
        cgroup("/", "100", "95", NULL, NULL);
        put(root, "cgroup.controllers", "pids");
        v1("/machine.slice", "max", "36", "max 0");
        v1("/system.slice/full.service", "10", "10", "max 0");
        scan();
        kernel_line(&f, "/machine.slice/libpod-" ID ".scope");
        /* nothing of its path lives but the root */
        kernel_line(&f, "/gone.slice/libpod-" ID ".scope");
        ck_assert_int_eq(ts_scan_resolve_kernel_lines(&f), 0);
        ck_assert_ptr_null(f.kernel[0].cgroup);
        ck_assert_str_eq(f.kernel[0].ancestor, "/machine.slice");
        ck_assert_ptr_null(f.kernel[1].cgroup);
        ck_assert_ptr_null(f.kernel[1].ancestor);

        judge(80);
        for (size_t i = 0; i < r.n_entries; i++) {
                ck_assert_uint_eq(r.entries[i].kernel_lines, 0);
                ck_assert_int_ne(r.entries[i].verdict, TS_CHECK_AFFECTED);
        }
        ck_assert_uint_eq(r.n_entries, 2);
        assert_entry(&r.entries[0], "full.service", TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX);
        assert_entry(&r.entries[1], "-.slice", TS_CHECK_AT_RISK, TS_CAUSE_SLICE_TASKSMAX);
}
END_TEST

START_TEST(test_kernel_line_gone_far_from_full) {
        /* as binding_of() takes an ancestor's limit: at or above half the threshold, or not at all */
        machine_slice_v2("15");
        scan_with_kernel_line(gone_paths[0]);
        judge(80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        ck_assert_uint_eq(r.n_entries, 0);
        ts_scan_result_done(&r);
        ts_scan_facts_done(&f);

        /* 16 of 40 is 40%, half of 80% */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/machine.slice", root);
        put(dir, "pids.current", "16");
        scan_with_kernel_line(gone_paths[0]);
        judge(80);
        ck_assert_uint_eq(r.n_entries, 1);
        assert_entry(&r.entries[0], "machine.slice", TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX);
        ck_assert_uint_eq(r.entries[0].kernel_lines, 1);
}
END_TEST

START_TEST(test_partners) {
        /* two limits hit: docker.service's lines go to its partner, another unit's to the one that
         * refused most, and a limit that still stands goes before one lifted since */
        v1("/system.slice/containerd.service", "100", "100", "max 10");
        v1("/system.slice/big.service", "64", "64", "max 1000");
        v1("/system.slice/gone.service", "max", "1", "max 5000");
        scan();
        line(&f, "docker.service", NULL, CGO_LINE);
        line(&f, "app.service", NULL,
             "Error: OCI runtime error: crun: fork: Resource temporarily unavailable");
        /* its own forks failed, refused by no limit of its own: another unit's refusals do not explain
         * them (injected failures, say) */
        line(&f, "self.service", "/system.slice/self.service",
             "fork failed: Resource temporarily unavailable");
        judge(80);
        ck_assert_uint_eq(r.n_entries, 4);
        assert_entry(&r.entries[0], "big.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX);
        ck_assert_str_eq(r.entries[0].loggers[0].unit, "app.service");
        assert_entry(&r.entries[1], "containerd.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX);
        ck_assert_str_eq(r.entries[1].loggers[0].unit, "docker.service");
        assert_entry(&r.entries[2], "gone.service", TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE);
        ck_assert_uint_eq(r.entries[2].n_loggers, 0);
        assert_entry(&r.entries[3], "self.service", TS_CHECK_NOT_AFFECTED, TS_CAUSE_EAGAIN_NO_LIMIT);
}
END_TEST

START_TEST(test_eagain_without_refusals) {
        v1("/system.slice/x.service", "100", "3", "max 0");
        scan();
        lines(&f, "x.service", "/system.slice/x.service", "fork failed: Resource temporarily unavailable",
              5);
        judge(80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        ck_assert_uint_eq(r.n_entries, 1);
        assert_entry(&r.entries[0], "x.service", TS_CHECK_NOT_AFFECTED, TS_CAUSE_EAGAIN_NO_LIMIT);
        ck_assert_str_eq(r.entries[0].owner.control_group, "/system.slice/x.service");
        ck_assert_str_eq(r.entries[0].why,
                         "its log shows 5 lines of 'fork failed: resource temporarily unavailable', "
                         "but no cgroup counted a refused fork \u2014 injected failures, or another "
                         "cause");
        ts_scan_result_done(&r);

        /* the unit's own facts show RLIMIT_NPROC reached: affected by it, as `check x.service` says */
        TsCheckFacts *u = calloc(1, sizeof *u);
        ck_assert_ptr_nonnull(u);
        *u = (TsCheckFacts){ .systemd_version = strdup("252"),
                             .kernel_release = strdup("6.1.0"),
                             .os_id = strdup("debian"),
                             .unit = strdup("x.service"),
                             .unit_known = true,
                             .control_group = strdup("/system.slice/x.service"),
                             .tasks_current = { true, 3 },
                             .tasks_max = { true, 100 },
                             .events_max = { true, 0 },
                             .nproc_soft = { true, 5 },
                             .user_tasks = { true, 5 },
                             .kernel_slice = -1 };
        u->hits[TS_PATTERN_FORK_FAILED].count = 5;
        f.logs[0].facts = u;
        judge(80);
        ck_assert_int_eq(r.verdict, TS_CHECK_AFFECTED);
        assert_entry(&r.entries[0], "x.service", TS_CHECK_AFFECTED, TS_CAUSE_RLIMIT_NPROC);
        ck_assert(strstr(r.entries[0].why, "RLIMIT_NPROC"));
        ck_assert(strstr(r.entries[0].fix, "LimitNPROC="));
}
END_TEST

START_TEST(test_nothing) {
        v1("/system.slice/a.service", "4915", "3", "max 0");
        scan();
        judge(80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        ck_assert_uint_eq(r.n_entries, 0);
        ck_assert_str_eq(
                r.why,
                "no cgroup of 3 counted a refused fork or is at or above 80% of its limit, and no unit "
                "logs EAGAIN");
        ts_scan_result_done(&r);

        /* the article's prerequisites unmet: nothing else matters */
        free(f.systemd_version);
        f.systemd_version = strdup("215");
        judge(80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_APPLICABLE);
        ck_assert_int_eq(r.prereq, TS_PREREQ_UNMET);
        ts_scan_result_done(&r);
        ts_scan_facts_done(&f);
        ck_assert_int_eq(ts_scan_judge(NULL, 80, &r), -EINVAL);
}
END_TEST

/* check docker.service, as its own judgement leaves it: EAGAIN in the log, nothing of its own hit. */
static TsCheckFacts docker_facts(void) {
        TsCheckFacts u = { .systemd_version = (char *)"252",
                           .kernel_release = (char *)"6.1.0",
                           .os_id = (char *)"debian",
                           .unit = (char *)"docker.service",
                           .unit_known = true,
                           .control_group = (char *)"/system.slice/docker.service",
                           .tasks_current = { true, 11 },
                           .tasks_max = { true, UINT64_MAX },
                           .events_max = { true, 0 },
                           .user_is_root = true,
                           .kernel_slice = -1 };
        u.hits[TS_PATTERN_CGO_PTHREAD].count = 23;
        u.hits[TS_PATTERN_CGO_PTHREAD].relayed = 23; /* "OCI runtime create failed: ..." */
        return u;
}

START_TEST(test_follow) {
        containerd_tree_v1();
        TsScanFacts machine = {};
        ck_assert_int_eq(ts_scan_cgroups(root, &machine), 0);
        TsCheckFacts u = docker_facts();
        TsCheckResult res;
        ts_check_judge(&u, 80, &res);
        ck_assert_int_eq(res.cause, TS_CAUSE_EAGAIN_NO_LIMIT);
        ck_assert_str_eq(res.via, "");
        ck_assert_int_eq(ts_scan_follow(&u, &machine, 80, &res), 0);
        ck_assert_int_eq(res.verdict, TS_CHECK_AFFECTED);
        ck_assert_int_eq(res.cause, TS_CAUSE_OTHER_UNIT_TASKSMAX);
        ck_assert_str_eq(res.via, "containerd.service");
        ck_assert_int_eq(res.via_cause, TS_CAUSE_UNIT_TASKSMAX);
        ck_assert_str_eq(res.why,
                         "docker.service logs 23 failures; the refusals were in containerd.service, "
                         "TasksMax=100, 560 refused");
        char fix[200];
        ts_cause_fix(res.via_cause, res.via, fix, sizeof fix);
        ck_assert_str_eq(fix, "systemctl set-property containerd.service TasksMax=infinity");
        ts_cause_fix(TS_CAUSE_OTHER_UNIT_TASKSMAX, res.via, fix, sizeof fix);
        ck_assert_str_eq(fix, "");

        /* any other judgement stands */
        TsCheckResult before = res;
        ck_assert_int_eq(ts_scan_follow(&u, &machine, 80, &res), 0);
        ck_assert_mem_eq(&before, &res, sizeof res);

        /* lines of its own forks only ("fork failed"): they point nowhere else */
        u.hits[TS_PATTERN_CGO_PTHREAD].relayed = 0;
        ts_check_judge(&u, 80, &res);
        ck_assert_int_eq(res.cause, TS_CAUSE_EAGAIN_NO_LIMIT);
        ck_assert_int_eq(ts_scan_follow(&u, &machine, 80, &res), 0);
        ck_assert_int_eq(res.cause, TS_CAUSE_EAGAIN_NO_LIMIT);
        ck_assert_str_eq(res.via, "");

        /* no EAGAIN line: nothing to follow */
        u.hits[TS_PATTERN_CGO_PTHREAD].count = 0;
        ts_check_judge(&u, 80, &res);
        ck_assert_int_eq(res.cause, TS_CAUSE_NONE);
        ck_assert_int_eq(ts_scan_follow(&u, &machine, 80, &res), 0);
        ck_assert_int_eq(res.cause, TS_CAUSE_NONE);
        ts_scan_facts_done(&machine);
}
END_TEST

START_TEST(test_follow_lifted_and_own) {
        v1("/system.slice/containerd.service", "max", "300", "max 560");
        v1("/system.slice/docker.service", "max", "11", "max 4");
        TsScanFacts machine = {};
        ck_assert_int_eq(ts_scan_cgroups(root, &machine), 0);
        TsCheckFacts u = docker_facts();
        TsCheckResult res;

        /* docker.service's own cgroup counted refusals since its facts were read: its judgement stands */
        ts_check_judge(&u, 80, &res);
        ck_assert_int_eq(ts_scan_follow(&u, &machine, 80, &res), 0);
        ck_assert_int_eq(res.cause, TS_CAUSE_EAGAIN_NO_LIMIT);
        ts_scan_facts_done(&machine);

        /* only the lifted limit: not affected, and it says where the refusals were */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/system.slice/docker.service", root);
        put(dir, "pids.events", "max 0");
        ck_assert_int_eq(ts_scan_cgroups(root, &machine), 0);
        ck_assert_int_eq(ts_scan_follow(&u, &machine, 80, &res), 0);
        ck_assert_int_eq(res.verdict, TS_CHECK_NOT_AFFECTED);
        ck_assert_int_eq(res.cause, TS_CAUSE_NONE);
        ck_assert_str_eq(res.via, "containerd.service");
        ck_assert_str_eq(res.why,
                         "docker.service logs 23 failures; the refusals were in containerd.service, 560 "
                         "refused under a limit since lifted");
        ts_scan_facts_done(&machine);
}
END_TEST

START_TEST(test_thousands) {
        /* 40 slices of 100 services each, every one with a limit that refused nothing (systemd's
         * DefaultTasksMax; no pids.current, to make the tree faster), and one that did. The walk reads
         * them all and keeps what has a limit. */
        char path[PATH_MAX];
        for (int s = 0; s < 40; s++)
                for (int u = 0; u < 100; u++) {
                        snprintf(path, sizeof path, "/s%d.slice/u%d.service", s, u);
                        v1(path, "4915", NULL, "max 0");
                }
        v1("/s7.slice/u42.service", "8", "8", "max 12");
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        scan();
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        printf("# walked %" PRIu64 " cgroups in %.1f ms\n", f.n_walked, ms);
        ck_assert_uint_eq(f.n_walked, 1 + 40 + 4000);
        ck_assert_uint_eq(f.n_cgroups, 4000);
        ck_assert_msg(ms < 5000, "the walk took %.0f ms", ms);
        ck_assert(!kept("/s7.slice/u41.service")->current.known);
        judge(80);
        ck_assert_uint_eq(r.n_entries, 1);
        assert_entry(&r.entries[0], "u42.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX);
}
END_TEST

static Suite *scan_suite(void) {
        Suite *s = suite_create("scan");
        TCase *tc = tcase_create("core");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_strings);
        tcase_add_test(tc, test_owner);
        tcase_add_test(tc, test_walk_v1);
        tcase_add_test(tc, test_walk_v2_local);
        tcase_add_test(tc, test_walk_v2_before_6_11);
        tcase_add_test(tc, test_cross_unit);
        tcase_add_test(tc, test_runs_apart);
        tcase_add_test(tc, test_own_lines);
        tcase_add_test(tc, test_slice_binds);
        tcase_add_test(tc, test_which_limit);
        tcase_add_test(tc, test_scope_under_service);
        tcase_add_test(tc, test_slice_emptied_since);
        tcase_add_test(tc, test_slice_emptied_further);
        tcase_add_test(tc, test_slice_emptied_too);
        tcase_add_test(tc, test_containers);
        tcase_add_test(tc, test_lifted);
        tcase_add_test(tc, test_at_risk_and_ranking);
        tcase_add_test(tc, test_kernel_lines);
        tcase_add_loop_test(tc, test_kernel_line_gone, 0, (int)ELEMENTSOF(gone_paths));
        tcase_add_test(tc, test_kernel_line_gone_no_limit);
        tcase_add_test(tc, test_kernel_line_gone_far_from_full);
        tcase_add_test(tc, test_partners);
        tcase_add_test(tc, test_eagain_without_refusals);
        tcase_add_test(tc, test_nothing);
        tcase_add_test(tc, test_follow);
        tcase_add_test(tc, test_follow_lifted_and_own);
        tcase_add_test(tc, test_thousands);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(scan_suite());
}
