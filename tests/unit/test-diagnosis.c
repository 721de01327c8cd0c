/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verdict as a pure function of hand-built facts: every verdict and every cause, which limit
 * binds (a slice only when strictly lower), the warnings for limits the kernel does not enforce, the
 * at-risk threshold at its edge, the table of daemons that need thousands of tasks, and the
 * sentence that says why. */
#include <check.h>
#include <inttypes.h>
#include <stdint.h>

#include "fixture.h"
#include "journal.h"
#include "offline.h" /* brings remedy's check.h; <check.h> above is Check's */

#define INF UINT64_MAX

static TsValue v(uint64_t x) {
        return (TsValue){ .known = true, .value = x };
}

/* A unit on a machine that meets the prerequisites, with nothing hit and nothing known beyond. The
 * strings are literals: these facts are never passed to ts_check_facts_done(). */
static TsCheckFacts unit(const char *name, uint64_t tasks, uint64_t limit) {
        return (TsCheckFacts){
                .systemd_version = (char *)"252.38-1~deb12u1",
                .kernel_release = (char *)"6.1.0-37-amd64",
                .os_id = (char *)"debian",
                .unit = (char *)name,
                .unit_known = true,
                .control_group = (char *)"/system.slice/x.service",
                .tasks_current = v(tasks),
                .tasks_max = v(limit),
                .events_max = v(0),
                .user_is_root = true,
                .kernel_slice = -1,
        };
}

static void add_slice(TsCheckFacts *f, const char *name, uint64_t tasks_max) {
        f->slices[f->n_slices++] =
                (TsSliceFacts){ .name = (char *)name, .tasks_max = v(tasks_max), .events_max = v(0) };
}

static void add_hits(TsCheckFacts *f, TsPattern p, uint64_t n) {
        f->hits[p].count = n;
}

static TsCheckResult judge(const TsCheckFacts *f, unsigned threshold) {
        TsCheckResult r;
        memset(&r, 0xaa, sizeof r);
        ts_check_judge(f, threshold, &r);
        return r;
}

static void assert_verdict(const TsCheckResult *r, TsCheckVerdict verdict, TsCause cause, const char *why) {
        ck_assert_msg(r->verdict == verdict && r->cause == cause, "got %s / %s (%s), expected %s / %s",
                      ts_check_verdict_to_string(r->verdict), ts_cause_to_string(r->cause), r->why,
                      ts_check_verdict_to_string(verdict), ts_cause_to_string(cause));
        if (why)
                ck_assert_str_eq(r->why, why);
}

START_TEST(test_strings) {
        static const char *const verdicts[] = { "not-affected", "affected", "at-risk", "not-applicable",
                                                "suspected" };
        static const char *const causes[] = {
                "none",          "unit-tasksmax",   "slice-tasksmax",      "rlimit-nproc",         "pid-max",
                "threads-max",   "eagain-no-limit", "other-unit-tasksmax", "container-pids-limit", "memory",
                "keyring-quota", "unknown"
        };
        ck_assert_uint_eq(ELEMENTSOF(verdicts), _TS_CHECK_VERDICT_MAX);
        ck_assert_uint_eq(ELEMENTSOF(causes), _TS_CAUSE_MAX);
        for (int i = 0; i < _TS_CHECK_VERDICT_MAX; i++)
                ck_assert_str_eq(ts_check_verdict_to_string(i), verdicts[i]);
        for (int i = 0; i < _TS_CAUSE_MAX; i++)
                ck_assert_str_eq(ts_cause_to_string(i), causes[i]);
        ck_assert(!ts_check_verdict_to_string(_TS_CHECK_VERDICT_MAX));
        ck_assert(!ts_check_verdict_to_string(_TS_CHECK_VERDICT_INVALID));
        ck_assert(!ts_cause_to_string(_TS_CAUSE_MAX));
        ck_assert(!ts_cause_to_string(_TS_CAUSE_INVALID));
}
END_TEST

START_TEST(test_facts_done) {
        /* Every string is freed (the sanitizer build checks for leaks), and done twice is harmless. */
        TsCheckFacts f = { .kernel_slice = -1 };
        f.systemd_version = strdup("252");
        f.kernel_release = strdup("6.1.0");
        f.os_id = strdup("debian");
        f.os_id_like = strdup("x y");
        f.unit = strdup("docker.service");
        f.control_group = strdup("/system.slice/docker.service");
        for (int i = 0; i < TS_CHECK_MAX_SLICES; i++)
                f.slices[i].name = strdup("system.slice");
        f.n_slices = TS_CHECK_MAX_SLICES;
        for (int p = 0; p < _TS_PATTERN_MAX; p++)
                for (int i = 0; i < TS_CHECK_SAMPLES; i++)
                        f.hits[p].samples[i] = strdup("a line");
        ts_check_facts_done(&f);
        ck_assert_ptr_null(f.unit);
        ck_assert_ptr_null(f.slices[0].name);
        ck_assert_ptr_null(f.hits[0].samples[0]);
        ck_assert_uint_eq(f.n_slices, 0);
        ck_assert_int_eq(f.kernel_slice, -1);
        ts_check_facts_done(&f);
        ts_check_facts_done(NULL);
}
END_TEST

/* Two journal files' hits, merged in their time order: counts add up, the times span both, the
 * samples are the earliest lines while there is room. */
START_TEST(test_hits_merge) {
        TsPatternHits early = {}, late = {}, none = {};
        ts_pattern_hits_add(&early, 100, "dockerd", 7, "fork/exec /proc/self/exe: a", 27);
        ts_pattern_hits_add(&early, 200, "dockerd", 7, "fork/exec /proc/self/exe: b", 27);
        for (uint64_t t = 300; t < 700; t += 100)
                ts_pattern_hits_add(&late, t, "dockerd", 7, "Error response from daemon: x", 29);
        ts_pattern_hits_merge(&early, &none);
        ck_assert_uint_eq(early.count, 2);
        ts_pattern_hits_merge(&early, &late);
        ck_assert_uint_eq(early.count, 6);
        ck_assert_uint_eq(early.first_usec, 100);
        ck_assert_uint_eq(early.last_usec, 600);
        ck_assert_str_eq(early.samples[0], "dockerd: fork/exec /proc/self/exe: a");
        ck_assert_str_eq(early.samples[1], "dockerd: fork/exec /proc/self/exe: b");
        ck_assert_str_eq(early.samples[2], "dockerd: Error response from daemon: x");
        ck_assert_ptr_null(late.samples[0]);    /* taken */
        ck_assert_ptr_nonnull(late.samples[1]); /* no room: still the later file's to free */

        /* Into nothing yet: the later file's hits as they are. */
        TsPatternHits empty = {};
        ts_pattern_hits_merge(&empty, &late);
        ck_assert_uint_eq(empty.count, 4);
        ck_assert_uint_eq(empty.first_usec, 300);
        ck_assert_str_eq(empty.samples[1], "dockerd: Error response from daemon: x");
        ts_pattern_hits_done(&early, 1);
        ts_pattern_hits_done(&late, 1);
        ts_pattern_hits_done(&empty, 1);
}
END_TEST

START_TEST(test_affected_unit) {
        /* the storm's case: pids.events counted the refusal, the log has the lines */
        TsCheckFacts f = unit("x.service", 64, 64);
        f.pids_max = v(64);
        f.events_max = v(1);
        add_hits(&f, TS_PATTERN_FORK_EXEC, 3);
        TsCheckResult r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 64 (Limit: 64): the unit's TasksMax was hit 1 time (pids.events), and its "
                       "log shows 3 lines of 'fork/exec ... resource temporarily unavailable'");
        ck_assert_int_eq(r.prereq, TS_PREREQ_MET);
        ck_assert(r.effective_limit.known);
        ck_assert_uint_eq(r.effective_limit.value, 64);
        ck_assert_int_eq(r.binding_slice, -1);
        ck_assert_uint_eq(r.n_warnings, 0);
        ck_assert_str_eq(r.unknown, "");

        /* pids.events alone is evidence enough, logs or not */
        f = unit("x.service", 12, 64);
        f.events_max = v(7);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 12 (Limit: 64): the unit's TasksMax was hit 7 times (pids.events)");

        /* so is the kernel's line, once per cgroup */
        f = unit("x.service", 31, 64);
        f.kernel_for_unit = true;
        add_hits(&f, TS_PATTERN_KERNEL_PIDS, 1);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 31 (Limit: 64): the unit's TasksMax was hit (kernel: 'fork rejected by pids "
                       "controller')");

        /* once the limit is lifted (the article's fix), the counts left in pids.events are history */
        f = unit("x.service", 623, INF);
        f.events_max = v(2);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE,
                       "Tasks: 623: no Limit now: the refusals counted earlier happened under a lower limit "
                       "that was lifted");

        /* systemd 256+ shows EffectiveTasksMax = the kernel's maximum for a unit without any limit
         * (found by ci/matrix on trixie): that is no TasksMax, and the lifted limit stays lifted */
        f = unit("x.service", 509, INF);
        f.pids_max = v(INF);
        f.effective_tasks_max = v(192729);
        f.threads_max = v(192729);
        f.pid_max = v(4194304);
        f.events_max = v(74);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE,
                       "Tasks: 509: no Limit now: the refusals counted earlier happened under a lower limit "
                       "that was lifted");
        /* where the root has a pids.max (a taskstorm sandbox's guard, a container), systemd counts it
         * in its maximum, and an EffectiveTasksMax equal to it is no TasksMax either */
        f.root_pids_max = v(28555);
        f.effective_tasks_max = v(28555);
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        f.root_pids_max = v(INF);
        /* but an EffectiveTasksMax below the kernel's maximum is a limit (a slice's, say) */
        f.effective_tasks_max = v(512);
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_AFFECTED);
        ck_assert_uint_eq(r.effective_limit.value, 512);

        /* the pattern named is the one seen most */
        f = unit("x.service", 64, 64);
        f.events_max = v(1);
        add_hits(&f, TS_PATTERN_FORK_EXEC, 1);
        add_hits(&f, TS_PATTERN_CGO_PTHREAD, 2);
        r = judge(&f, 80);
        ck_assert_msg(strstr(r.why, "2 lines of 'runtime/cgo: pthread_create failed'"), "%s", r.why);
}
END_TEST

START_TEST(test_affected_slice) {
        /* The unit has no limit of its own; its slice has 20 and the kernel counted the refusal in the
         * unit's own pids.events (cgroup v1). */
        TsCheckFacts f = unit("x.service", 20, INF);
        add_slice(&f, "system-foo.slice", 20);
        add_slice(&f, "system.slice", INF);
        f.events_max = v(3);
        add_hits(&f, TS_PATTERN_FORK_FAILED, 2);
        TsCheckResult r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX,
                       "Tasks: 20 (Limit: 20): the limit of system-foo.slice (TasksMax=20) was hit 3 times "
                       "(pids.events of the unit), and its log shows 2 lines of 'fork failed: resource "
                       "temporarily unavailable'");
        ck_assert_int_eq(r.binding_slice, 0);
        ck_assert_uint_eq(r.effective_limit.value, 20);

        /* the slice's own count (cgroup v2) */
        f = unit("x.service", 20, INF);
        add_slice(&f, "system-foo.slice", 20);
        f.slices[0].events_max = v(5);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX,
                       "Tasks: 20 (Limit: 20): the limit of system-foo.slice (TasksMax=20) was hit 5 times "
                       "(pids.events)");

        /* the outer slice binds when it is the lowest */
        f = unit("x.service", 9, 100);
        add_slice(&f, "system-foo.slice", 50);
        add_slice(&f, "system.slice", 10);
        f.events_max = v(1);
        r = judge(&f, 80);
        ck_assert_int_eq(r.cause, TS_CAUSE_SLICE_TASKSMAX);
        ck_assert_int_eq(r.binding_slice, 1);
        ck_assert_uint_eq(r.effective_limit.value, 10);

        /* the kernel names a slice: that slice is the cause, whatever the numbers say */
        f = unit("x.service", 8, 10);
        add_slice(&f, "system-foo.slice", INF);
        f.kernel_slice = 0;
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX,
                       "Tasks: 8 (Limit: 10): the limit of system-foo.slice was hit (kernel: 'fork rejected "
                       "by pids controller')");
        ck_assert_int_eq(r.binding_slice, 0);

        /* a kernel_slice out of range is ignored */
        f = unit("x.service", 1, 10);
        f.kernel_slice = 3;
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);

        /* a slice's count with the unit's limit binding: the unit, evidence from the slice */
        f = unit("x.service", 10, 10);
        add_slice(&f, "system.slice", 100);
        f.slices[0].events_max = v(4);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 10 (Limit: 10): the unit's TasksMax was hit 4 times (pids.events of "
                       "system.slice)");
}
END_TEST

static int about(const char *control_group, const char *path) {
        TsCheckFacts f = { .control_group = (char *)control_group, .n_slices = 2, .kernel_slice = -1 };
        return ts_journal_kernel_about(&f, path, strlen(path));
}

START_TEST(test_kernel_line_below) {
        /* What a kernel line's cgroup is to the unit: itself, a slice, a cgroup below, in a sandbox's
         * longer path too; below only by a whole component. */
        ck_assert_int_eq(about("/machine.slice", "/machine.slice"), TS_KERNEL_ABOUT_UNIT);
        ck_assert_int_eq(about("/machine.slice", "/machine.slice/libpod-0f3c.scope"), TS_KERNEL_ABOUT_BELOW);
        ck_assert_int_eq(about("/machine.slice", "/machine.slice/libpod-0f3c.scope/container"),
                         TS_KERNEL_ABOUT_BELOW);
        ck_assert_int_eq(about("/machine.slice", "/taskstorm-sandbox-812/machine.slice/libpod-0f3c.scope"),
                         TS_KERNEL_ABOUT_BELOW);
        ck_assert_int_eq(about("/machine.slice", "/machine.slice-other/libpod-0f3c.scope"),
                         TS_KERNEL_ABOUT_NONE);
        ck_assert_int_eq(about("/machine.slice", "/machine.slice/"), TS_KERNEL_ABOUT_NONE);
        ck_assert_int_eq(about("/machine.slice", "/user.slice/machine.slicex/a"), TS_KERNEL_ABOUT_NONE);
        ck_assert_int_eq(about("/system.slice/containerd.service", "/system.slice/containerd.service2/x"),
                         TS_KERNEL_ABOUT_NONE);
        ck_assert_int_eq(about("/system.slice/containerd.service", "/system.slice/containerd.service/shim"),
                         TS_KERNEL_ABOUT_BELOW);
        ck_assert_int_eq(about("/system.slice/containerd.service", "/system.slice/docker-1.scope"),
                         TS_KERNEL_ABOUT_NONE);
        ck_assert_int_eq(about("/system.slice/x.service", "/system.slice"), 0);
        ck_assert_int_eq(about("/system.slice/x.service", "/taskstorm-sandbox-9/system.slice/x.service"),
                         TS_KERNEL_ABOUT_UNIT);
        ck_assert_int_eq(about("/", "/system.slice/x.service"), TS_KERNEL_ABOUT_NONE);
        ck_assert_int_eq(about(NULL, "/system.slice/x.service"), TS_KERNEL_ABOUT_NONE);

        /* podman's machine.slice at TasksMax=40 on Linux 6.1: the refusals were counted in the failed
         * containers' scopes, gone now, and machine.slice shows 30 with its own pids.events at 0 */
        TsCheckFacts f = unit("machine.slice", 30, 40);
        f.control_group = (char *)"/machine.slice";
        f.kernel_below_unit = true;
        add_hits(&f, TS_PATTERN_KERNEL_PIDS, 3);
        TsCheckResult r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX,
                       "Tasks: 30 (Limit: 40): the unit's TasksMax was hit (kernel: 'fork rejected by pids "
                       "controller' in a cgroup below it)");

        /* a service whose children's cgroups were refused (containerd's shims under it, say) */
        f = unit("x.service", 60, 64);
        f.kernel_below_unit = true;
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_AFFECTED);
        ck_assert_int_eq(r.cause, TS_CAUSE_UNIT_TASKSMAX);

        /* below half the threshold the unit's limit had room: a limit below it refused (a
         * container's own), not the unit's */
        f = unit("machine.slice", 12, 40);
        f.control_group = (char *)"/machine.slice";
        f.kernel_below_unit = true;
        r = judge(&f, 80);
        ck_assert_int_ne(r.verdict, TS_CHECK_AFFECTED);

        /* no limit on the unit (scenario 07: the containers' pids_limit refused): not the unit's */
        f = unit("machine.slice", 30, INF);
        f.control_group = (char *)"/machine.slice";
        f.kernel_below_unit = true;
        r = judge(&f, 80);
        ck_assert_int_ne(r.verdict, TS_CHECK_AFFECTED);

        /* the count unknown: no guess */
        f = unit("machine.slice", 0, 40);
        f.control_group = (char *)"/machine.slice";
        f.tasks_current = (TsValue){};
        f.kernel_below_unit = true;
        r = judge(&f, 80);
        ck_assert_int_ne(r.verdict, TS_CHECK_AFFECTED);
}
END_TEST

START_TEST(test_binding_and_ties) {
        /* A tie goes to the unit: its own TasksMax is what the fix changes. */
        TsCheckFacts f = unit("x.service", 18, 20);
        add_slice(&f, "system-foo.slice", 20);
        TsCheckResult r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 18 (Limit: 20): 90% of the limit, at or above 80%");
        ck_assert_int_eq(r.binding_slice, -1);

        /* one lower: the slice */
        add_slice(&f, "system.slice", 19);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_SLICE_TASKSMAX,
                       "Tasks: 18 (Limit: 19): 95% of the limit, at or above 80% (the limit of system.slice "
                       "(TasksMax=19))");
        ck_assert_int_eq(r.binding_slice, 1);

        /* pids.max lower than TasksMax binds, and is the unit's own */
        f = unit("x.service", 1, 100);
        f.pids_max = v(50);
        r = judge(&f, 80);
        ck_assert_uint_eq(r.effective_limit.value, 50);
        ck_assert_int_eq(r.binding_slice, -1);

        /* a slice known only by its pids.max */
        f = unit("x.service", 1, INF);
        f.slices[f.n_slices++] = (TsSliceFacts){ .name = (char *)"a.slice", .pids_max = v(30) };
        r = judge(&f, 80);
        ck_assert_uint_eq(r.effective_limit.value, 30);
        ck_assert_int_eq(r.binding_slice, 0);

        /* EffectiveTasksMax lower than everything else known: the limit, bound to no slice */
        f = unit("x.service", 1, INF);
        f.effective_tasks_max = v(40);
        add_slice(&f, "system.slice", INF);
        r = judge(&f, 80);
        ck_assert_uint_eq(r.effective_limit.value, 40);
        ck_assert_int_eq(r.binding_slice, -1);

        /* EffectiveTasksMax equal to a slice's limit: the slice */
        f = unit("x.service", 1, INF);
        f.effective_tasks_max = v(40);
        add_slice(&f, "system.slice", 40);
        r = judge(&f, 80);
        ck_assert_int_eq(r.binding_slice, 0);

        /* infinity when everything known is infinite; unknown when nothing is */
        f = unit("x.service", 1, INF);
        f.pids_max = v(INF);
        add_slice(&f, "system.slice", INF);
        r = judge(&f, 80);
        ck_assert(r.effective_limit.known);
        ck_assert_uint_eq(r.effective_limit.value, INF);
        f = unit("x.service", 1, 0);
        f.tasks_max = (TsValue){};
        r = judge(&f, 80);
        ck_assert(!r.effective_limit.known);
}
END_TEST

START_TEST(test_warnings) {
        /* On the bus but not in the kernel: systemd logs a failed pids.max write only at debug level. */
        TsCheckFacts f = unit("x.service", 5, 512);
        f.pids_max = v(INF);
        TsCheckResult r = judge(&f, 80);
        ck_assert_uint_eq(r.n_warnings, 1);
        ck_assert_str_eq(r.warnings[0],
                         "TasksMax=512 on the bus but pids.max is max: the kernel does not enforce it");
        /* the effective limit takes the bus's word: it is what systemd means to apply */
        ck_assert_uint_eq(r.effective_limit.value, 512);

        add_slice(&f, "system-foo.slice", 20);
        f.slices[0].pids_max = v(30);
        add_slice(&f, "system.slice", 100);
        f.slices[1].pids_max = v(INF);
        r = judge(&f, 80);
        ck_assert_uint_eq(r.n_warnings, 2); /* at most two */
        ck_assert_str_eq(r.warnings[1], "system-foo.slice: TasksMax=20 on the bus but pids.max is 30: the "
                                        "kernel does not enforce it");

        /* equal, unknown, or no limit on the bus: nothing to say */
        f = unit("x.service", 5, 512);
        f.pids_max = v(512);
        ck_assert_uint_eq(judge(&f, 80).n_warnings, 0);
        f.pids_max = (TsValue){};
        ck_assert_uint_eq(judge(&f, 80).n_warnings, 0);
        f = unit("x.service", 5, INF);
        f.pids_max = v(INF);
        ck_assert_uint_eq(judge(&f, 80).n_warnings, 0);

        /* warnings come with every verdict, even not-applicable */
        f = unit("x.service", 5, 512);
        f.pids_max = v(INF);
        f.systemd_version = (char *)"226";
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_APPLICABLE);
        ck_assert_uint_eq(r.n_warnings, 1);
}
END_TEST

START_TEST(test_other_limits) {
        /* RLIMIT_NPROC: a non-root user at its limit, no TasksMax hit */
        TsCheckFacts f = unit("x.service", 5, 512);
        f.user_is_root = false;
        f.nproc_soft = v(4096);
        f.user_tasks = v(4096);
        add_hits(&f, TS_PATTERN_FORK_FAILED, 2);
        TsCheckResult r = judge(&f, 80);
        assert_verdict(
                &r, TS_CHECK_AFFECTED, TS_CAUSE_RLIMIT_NPROC,
                "Tasks: 5 (Limit: 512): no TasksMax was hit, but the unit's user runs 4096 tasks, 100% "
                "of its RLIMIT_NPROC (LimitNPROC=4096), and its log shows 2 lines of 'fork failed: "
                "resource temporarily unavailable'");

        /* near the limit counts too (tasks may have ended since), from the threshold on */
        f.user_tasks = v(3277); /* 80.01% */
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_RLIMIT_NPROC);

        /* root is exempt; below the threshold, infinite or unknown does not count */
        f.user_is_root = true;
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_EAGAIN_NO_LIMIT);
        f.user_is_root = false;
        f.user_tasks = v(3276); /* 79.98% */
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_EAGAIN_NO_LIMIT);
        f.user_tasks = (TsValue){};
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_EAGAIN_NO_LIMIT);
        f.user_tasks = v(99999);
        f.nproc_soft = v(INF);
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_EAGAIN_NO_LIMIT);

        /* kernel.pid_max: 95% of 32768 is 31129 */
        f = unit("x.service", 5, 512);
        add_hits(&f, TS_PATTERN_FORK_EXEC, 1);
        f.pid_max = v(32768);
        f.threads_max = v(192729);
        f.system_tasks = v(31129);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_PID_MAX,
                       "Tasks: 5 (Limit: 512): no TasksMax was hit, but the system runs 31129 tasks, 95% of "
                       "kernel.pid_max (32768), and its log shows 1 line of 'fork/exec ... resource "
                       "temporarily unavailable'");
        f.system_tasks = v(31128);
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_EAGAIN_NO_LIMIT);

        /* kernel.threads-max */
        f.threads_max = v(1000);
        f.system_tasks = v(950);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_THREADS_MAX,
                       "Tasks: 5 (Limit: 512): no TasksMax was hit, but the system runs 950 tasks, 95% of "
                       "kernel.threads-max (1000), and its log shows 1 line of 'fork/exec ... resource "
                       "temporarily unavailable'");
        f.system_tasks = v(949);
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_EAGAIN_NO_LIMIT);
        f.system_tasks = (TsValue){};
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_EAGAIN_NO_LIMIT);

        /* These limits explain EAGAIN: without it in the log they are no verdict ... */
        f = unit("x.service", 5, 512);
        f.pid_max = v(32768);
        f.system_tasks = v(32000);
        ck_assert_int_eq(judge(&f, 80).verdict, TS_CHECK_NOT_AFFECTED);
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_NONE);
        /* ... unless so small that the whole machine's tasks are a few services' worth */
        f.pid_max = v(100);
        f.system_tasks = v(100);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_PID_MAX,
                       "kernel.pid_max is 100: the whole machine's tasks, a few busy services' worth");

        /* A hit TasksMax comes first. */
        f = unit("x.service", 64, 64);
        f.events_max = v(1);
        f.user_is_root = false;
        f.nproc_soft = v(10);
        f.user_tasks = v(10);
        add_hits(&f, TS_PATTERN_FORK_FAILED, 1);
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_UNIT_TASKSMAX);
}
END_TEST

START_TEST(test_eagain_no_limit) {
        /* Injected failures: EAGAIN in the log, pids.events 0, nothing else reached. */
        TsCheckFacts f = unit("x.service", 64, 64);
        add_hits(&f, TS_PATTERN_FORK_EXEC, 5);
        TsCheckResult r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_AFFECTED, TS_CAUSE_EAGAIN_NO_LIMIT,
                       "EAGAIN in the log but no task limit was hit: pids.events is 0 and no other limit is "
                       "reached \u2014 injected failures, or another cause");

        /* The kernel's line is not an EAGAIN line: alone, not for this unit, it says nothing. */
        f = unit("x.service", 5, 64);
        add_hits(&f, TS_PATTERN_KERNEL_PIDS, 1);
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        ck_assert_int_eq(r.cause, TS_CAUSE_NONE);

        /* Offline, a task count at the limit with the errors is evidence ... */
        f = unit("x.service", 64, 64);
        f.offline = true;
        f.events_max = (TsValue){};
        add_hits(&f, TS_PATTERN_FORK_EXEC, 5);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 64 (Limit: 64): the unit's TasksMax was reached, and its log shows 5 lines "
                       "of 'fork/exec ... resource temporarily unavailable'");
        /* ... and live it is not: pids.events says 0 */
        f.offline = false;
        f.events_max = v(0);
        ck_assert_int_eq(judge(&f, 80).cause, TS_CAUSE_EAGAIN_NO_LIMIT);

        /* Offline near the limit (the article's "Tasks: 505 (Limit: 512)"): affected, pids.events
         * unknown. */
        f = unit("docker.service", 505, 512);
        f.offline = true;
        f.events_max = (TsValue){};
        add_hits(&f, TS_PATTERN_FORK_EXEC, 3);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 505 (Limit: 512): 99% of the unit's TasksMax, and its log shows 3 lines of "
                       "'fork/exec ... resource temporarily unavailable' (pids.events unknown)");
        ck_assert_str_eq(r.unknown, "pids.events");

        /* Offline far from the limit: tasks were refused, and the text does not show by what (the
         * count may be from after the failure): suspected, the likely causes named. */
        f.tasks_current = v(100);
        r = judge(&f, 80);
        assert_verdict(
                &r, TS_CHECK_SUSPECTED, TS_CAUSE_UNIT_TASKSMAX,
                "Tasks: 100 (Limit: 512): its log shows 3 lines of 'fork/exec ... resource temporarily "
                "unavailable', but the text does not show which limit refused them");
        ck_assert_uint_eq(r.n_likely, 2);
        ck_assert_int_eq(r.likely[1], TS_CAUSE_RLIMIT_NPROC);
        /* a daemon's log in a container: the container's limit first; TasksMax=infinity shown: not it */
        f.container = true;
        f.tasks_max = v(INF);
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_SUSPECTED);
        ck_assert_int_eq(r.likely[0], TS_CAUSE_CONTAINER_PIDS_LIMIT);
        for (unsigned i = 0; i < r.n_likely; i++)
                ck_assert_int_ne(r.likely[i], TS_CAUSE_UNIT_TASKSMAX);
}
END_TEST

START_TEST(test_not_applicable) {
        /* the article's first prerequisite */
        TsCheckFacts f = unit("docker.service", 505, 512);
        f.systemd_version = (char *)"226";
        f.events_max = v(9); /* does not matter: the problem cannot happen here */
        TsCheckResult r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_APPLICABLE, TS_CAUSE_NONE, "systemd 226 is older than 227");
        ck_assert_int_eq(r.prereq, TS_PREREQ_UNMET);
        ck_assert_str_eq(r.prereq_why, "systemd 226 is older than 227");

        f = unit("docker.service", 505, 512);
        f.kernel_release = (char *)"4.2.0";
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_APPLICABLE, TS_CAUSE_NONE, "kernel 4.2.0 is older than 4.3");

        /* RHEL 7 meets it with 219 and 3.10 */
        f = unit("docker.service", 1024, 1024);
        f.systemd_version = (char *)"219-78.el7_9.7";
        f.kernel_release = (char *)"3.10.0-1160.el7.x86_64";
        f.os_id = (char *)"rhel";
        f.os_id_like = (char *)"fedora";
        f.events_max = v(1);
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_AFFECTED);
        ck_assert_str_eq(r.prereq_why, "systemd 219-78.el7_9.7 >= 219 and kernel 3.10.0-1160.el7.x86_64 >= "
                                       "3.10 (RHEL family)");
        /* and the same versions on Debian do not */
        f.os_id = (char *)"debian";
        f.os_id_like = NULL;
        ck_assert_int_eq(judge(&f, 80).verdict, TS_CHECK_NOT_APPLICABLE);

        /* the article's third prerequisite: "Tasks: 623", no Limit: the state its fix leaves */
        f = unit("docker.service", 623, INF);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE,
                       "no Limit on the unit (TasksMax=infinity): the TasksMax problem cannot happen");

        /* ... unless a slice limits it */
        add_slice(&f, "system.slice", 1000);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_SLICE_TASKSMAX, NULL);

        /* ... or RLIMIT_NPROC applies to its user */
        f = unit("x.service", 5, INF);
        f.user_is_root = false;
        f.nproc_soft = v(4096);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE,
                       "Tasks: 5: no TasksMax on the unit (RLIMIT_NPROC is 4096), no limit hit");

        /* nothing known at all (a bundle without a status block) */
        f = (TsCheckFacts){ .unit = (char *)"docker.service", .kernel_slice = -1, .offline = true };
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_APPLICABLE, TS_CAUSE_NONE,
                       "no Limit known for the unit (no 'Tasks:' line): the TasksMax problem cannot be "
                       "shown (article prerequisite)");
        ck_assert_int_eq(r.prereq, TS_PREREQ_UNKNOWN);
        ck_assert_str_eq(r.unknown, "TasksMax, cgroup, systemd version, kernel version");
}
END_TEST

START_TEST(test_threshold_edge) {
        /* 79% is not at risk, 80% is */
        TsCheckFacts f = unit("x.service", 79, 100);
        TsCheckResult r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE,
                       "Tasks: 79 (Limit: 100): 79% of the limit, no limit hit");
        f.tasks_current = v(80);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 80 (Limit: 100): 80% of the limit, at or above 80%");

        /* between whole percents: 409/512 is 79.88%, 410/512 is 80.08% */
        f = unit("x.service", 409, 512);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE,
                       "Tasks: 409 (Limit: 512): 79% of the limit, no limit hit");
        f.tasks_current = v(410);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 410 (Limit: 512): 80% of the limit, at or above 80%");

        /* the article's numbers */
        f = unit("x.service", 450, 512);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 450 (Limit: 512): 88% of the limit, at or above 80%");
        /* another threshold */
        r = judge(&f, 90);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        f.tasks_current = v(461);
        r = judge(&f, 90);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX,
                       "Tasks: 461 (Limit: 512): 90% of the limit, at or above 90%");
        /* 0 means the default */
        f.tasks_current = v(410);
        ck_assert_int_eq(judge(&f, 0).verdict, TS_CHECK_AT_RISK);
        f.tasks_current = v(409);
        ck_assert_int_eq(judge(&f, 0).verdict, TS_CHECK_NOT_AFFECTED);

        /* huge numbers do not overflow */
        f = unit("x.service", UINT64_MAX - 1, UINT64_MAX - 1);
        ck_assert_int_eq(judge(&f, 80).verdict, TS_CHECK_AT_RISK);
        f = unit("x.service", 5, 28909);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE,
                       "Tasks: 5 (Limit: 28909): 0% of the limit, no limit hit");
        /* no task count */
        f.tasks_current = (TsValue){};
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE, "Limit: 28909: no limit hit");
}
END_TEST

START_TEST(test_busy_daemons) {
        static const struct {
                const char *unit;
                uint64_t limit;
                TsCheckVerdict verdict;
        } cases[] = {
                { "docker.service", 512, TS_CHECK_AT_RISK },
                { "docker.service", 4095, TS_CHECK_AT_RISK },
                { "docker.service", 4096, TS_CHECK_NOT_AFFECTED },
                { "dockerd.service", 1024, TS_CHECK_AT_RISK },
                { "containerd.service", 2048, TS_CHECK_AT_RISK },
                { "kubelet.service", 4000, TS_CHECK_AT_RISK },
                { "crio.service", 100, TS_CHECK_AT_RISK },
                { "podman.service", 100, TS_CHECK_AT_RISK },
                { "podman", 100, TS_CHECK_AT_RISK },
                { "docker.socket", 100, TS_CHECK_NOT_AFFECTED },
                { "mydocker.service", 100, TS_CHECK_NOT_AFFECTED },
                { "docker-x.service", 100, TS_CHECK_NOT_AFFECTED },
                { "nginx.service", 100, TS_CHECK_NOT_AFFECTED },
                { "docker.service", INF, TS_CHECK_NOT_AFFECTED },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                TsCheckFacts f = unit(cases[i].unit, 5, cases[i].limit);
                TsCheckResult r = judge(&f, 80);
                ck_assert_msg(r.verdict == cases[i].verdict, "%s with Limit %" PRIu64 ": %s (%s)",
                              cases[i].unit, cases[i].limit, ts_check_verdict_to_string(r.verdict), r.why);
        }

        TsCheckFacts f = unit("docker.service", 5, 512);
        TsCheckResult r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX,
                       "docker.service usually needs thousands of tasks; Limit: 512 is below 4096");
        /* a slice's limit binding: the cause says so */
        f = unit("docker.service", 5, INF);
        add_slice(&f, "system.slice", 1000);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_SLICE_TASKSMAX,
                       "docker.service usually needs thousands of tasks; Limit: 1000 is below 4096");
}
END_TEST

START_TEST(test_unknowns) {
        /* Live: nothing is listed. */
        TsCheckFacts f = unit("x.service", 5, 512);
        f.systemd_version = NULL;
        f.events_max = (TsValue){};
        TsCheckResult r = judge(&f, 80);
        ck_assert_int_eq(r.prereq, TS_PREREQ_UNKNOWN);
        ck_assert_str_eq(r.unknown, "");

        /* Offline: what mattered */
        f.offline = true;
        f.control_group = NULL;
        f.kernel_release = NULL;
        f.no_journal = true;
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        ck_assert_str_eq(r.unknown, "pids.events, cgroup, systemd version, kernel version, journal");

        /* decided by the kernel's line: pids.events did not matter */
        f.kernel_for_unit = true;
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_AFFECTED);
        ck_assert_str_eq(r.unknown, "cgroup, systemd version, kernel version, journal");

        /* prerequisites unmet: nothing else mattered */
        f = unit("x.service", 5, 512);
        f.offline = true;
        f.systemd_version = (char *)"200";
        f.kernel_release = NULL;
        f.events_max = (TsValue){};
        f.no_journal = true;
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_APPLICABLE);
        ck_assert_str_eq(r.unknown, "");

        /* no Limit on the unit: pids.events did not matter either */
        f = unit("x.service", 5, INF);
        f.offline = true;
        f.events_max = (TsValue){};
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        ck_assert_str_eq(r.unknown, "");

        /* versions that only the RHEL rule accepts, without os-release */
        f = unit("docker.service", 5, 512);
        f.offline = true;
        f.events_max = (TsValue){};
        f.systemd_version = (char *)"219-78.el7_9.7";
        f.kernel_release = (char *)"3.10.0-1160.el7.x86_64";
        f.os_id = NULL;
        r = judge(&f, 80);
        ck_assert_int_eq(r.prereq, TS_PREREQ_UNKNOWN);
        ck_assert_str_eq(r.unknown, "pids.events, os-release");
}
END_TEST

/* fix --if-affected fixes where the unit's own TasksMax refused its tasks, and nowhere else. */
START_TEST(test_fix_applies) {
        /* the unit's own limit, hit */
        TsCheckFacts f = unit("x.service", 64, 64);
        f.events_max = v(1);
        TsCheckResult r = judge(&f, 80);
        ck_assert_int_eq(r.cause, TS_CAUSE_UNIT_TASKSMAX);
        ck_assert(ts_check_fix_applies(&r));

        /* a slice checked itself: its own TasksMax is the slice's */
        f = unit("system-foo.slice", 20, 20);
        f.events_max = v(3);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX, NULL);
        ck_assert_int_eq(r.binding_slice, -1);
        ck_assert(ts_check_fix_applies(&r));

        /* a parent slice's limit: a fix of the unit would not help */
        f = unit("x.service", 20, INF);
        add_slice(&f, "system-foo.slice", 20);
        f.events_max = v(3);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX, NULL);
        ck_assert(!ts_check_fix_applies(&r));

        /* near its own limit, nothing refused yet: at-risk is left alone */
        f = unit("x.service", 60, 64);
        r = judge(&f, 80);
        assert_verdict(&r, TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX, NULL);
        ck_assert(!ts_check_fix_applies(&r));

        /* another limit (RLIMIT_NPROC), EAGAIN that no limit explains, nothing at all */
        f = unit("x.service", 5, 512);
        f.user_is_root = false;
        f.nproc_soft = v(4096);
        f.user_tasks = v(4096);
        add_hits(&f, TS_PATTERN_FORK_FAILED, 2);
        r = judge(&f, 80);
        ck_assert_int_eq(r.cause, TS_CAUSE_RLIMIT_NPROC);
        ck_assert(!ts_check_fix_applies(&r));
        f.user_is_root = true;
        r = judge(&f, 80);
        ck_assert_int_eq(r.cause, TS_CAUSE_EAGAIN_NO_LIMIT);
        ck_assert(!ts_check_fix_applies(&r));
        f = unit("x.service", 5, 512);
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        ck_assert(!ts_check_fix_applies(&r));
}
END_TEST

START_TEST(test_bad_input) {
        TsCheckResult r;
        ts_check_judge(NULL, 80, &r);
        ck_assert_int_eq(r.verdict, _TS_CHECK_VERDICT_INVALID);
        ck_assert_int_eq(r.cause, _TS_CAUSE_INVALID);
        TsCheckFacts f = unit("x.service", 5, 512);
        ts_check_judge(&f, 80, NULL); /* no crash */

        /* n_slices beyond the array is clamped */
        f.n_slices = 1000;
        for (int i = 0; i < TS_CHECK_MAX_SLICES; i++)
                f.slices[i] = (TsSliceFacts){ .name = (char *)"s.slice" };
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_AFFECTED);
        /* a NULL slice name */
        f = unit("x.service", 5, INF);
        f.slices[f.n_slices++] = (TsSliceFacts){ .tasks_max = v(6), .pids_max = v(7) };
        r = judge(&f, 80);
        ck_assert_int_eq(r.verdict, TS_CHECK_AT_RISK);
        ck_assert_str_eq(r.why, "Tasks: 5 (Limit: 6): 83% of the limit, at or above 80% (the limit of its "
                                "slice (TasksMax=6))");
        ck_assert_str_eq(r.warnings[0],
                         "slice: TasksMax=6 on the bus but pids.max is 7: the kernel does not enforce it");
        /* a NULL unit name */
        f = unit(NULL, 5, 512);
        ck_assert_int_eq(judge(&f, 80).verdict, TS_CHECK_NOT_AFFECTED);
}
END_TEST

static Suite *check_suite(void) {
        Suite *s = suite_create("check");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_strings);
        tcase_add_test(tc, test_facts_done);
        tcase_add_test(tc, test_hits_merge);
        tcase_add_test(tc, test_affected_unit);
        tcase_add_test(tc, test_affected_slice);
        tcase_add_test(tc, test_kernel_line_below);
        tcase_add_test(tc, test_binding_and_ties);
        tcase_add_test(tc, test_warnings);
        tcase_add_test(tc, test_other_limits);
        tcase_add_test(tc, test_eagain_no_limit);
        tcase_add_test(tc, test_not_applicable);
        tcase_add_test(tc, test_threshold_edge);
        tcase_add_test(tc, test_busy_daemons);
        tcase_add_test(tc, test_unknowns);
        tcase_add_test(tc, test_fix_applies);
        tcase_add_test(tc, test_bad_input);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(check_suite());
}
