/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pattern table on the lines daemons and the kernel really write (the vendor article's, Go's,
 * bash's, Apache's), in any case, with the near-misses that must not match, and the cgroup path of
 * the kernel's line. */
#include <check.h>

#include "fixture.h"
#include "patterns.h"
#include "time-util.h"

static TsPattern match(const char *line) {
        return ts_pattern_match(line, strlen(line), NULL, NULL);
}

static void assert_match(const char *line, TsPattern want) {
        TsPattern have = match(line);
        ck_assert_msg(have == want, "'%s': expected %s, got %s", line, strempty(ts_pattern_to_string(want)),
                      have < 0 ? "no match" : ts_pattern_to_string(have));
}

START_TEST(test_table) {
        static const char *const ids[] = { "fork-exec", "cgo-pthread", "go-new-thread",
                                           "fork-failed", "apr-thread", "kernel-pids" };
        ck_assert_uint_eq(ELEMENTSOF(ids), _TS_PATTERN_MAX);
        for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++) {
                const TsPatternInfo *info = ts_pattern_info(p);
                ck_assert(info);
                ck_assert_str_eq(info->id, ids[p]);
                ck_assert_str_eq(ts_pattern_to_string(p), ids[p]);
                ck_assert(info->summary && *info->summary);
                /* Every example matches its own pattern and nothing else. */
                assert_match(info->example, p);
                ck_assert(info->kernel == (p == TS_PATTERN_KERNEL_PIDS));
        }
        ck_assert(!ts_pattern_info(_TS_PATTERN_MAX));
        ck_assert(!ts_pattern_info(_TS_PATTERN_INVALID));
        ck_assert(!ts_pattern_to_string(_TS_PATTERN_MAX));
        ck_assert(!ts_pattern_to_string(-1));
}
END_TEST

START_TEST(test_article_lines) {
        /* The lines of the vendor article, as they are. */
        assert_match("fork/exec /proc/self/exe: resource temporarily unavailable", TS_PATTERN_FORK_EXEC);
        assert_match("level=error msg=\"Error running container: [8] System error: fork/exec "
                     "/proc/self/exe: resource temporarily unavailable\"",
                     TS_PATTERN_FORK_EXEC);
        assert_match("Resource temporarily unavailable: apr_thread_create: unable to create worker thread",
                     TS_PATTERN_APR_THREAD);
        assert_match("fork failed: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED);
        assert_match("runtime/cgo: pthread_create failed: Resource temporarily unavailable",
                     TS_PATTERN_CGO_PTHREAD);
}
END_TEST

START_TEST(test_real_variants) {
        static const struct {
                const char *line;
                TsPattern pattern;
        } cases[] = {
                /* dockerd / runc through the journal */
                { "Mar 02 11:10:12 node-7 dockerd[1288]: time=\"2018-03-02T11:10:12Z\" level=error "
                  "msg=\"Handler for POST /v1.35/containers/4b1d/start returned error: OCI runtime create "
                  "failed: container_linux.go:348: starting container process caused \\\"fork/exec "
                  "/proc/self/exe: resource temporarily unavailable\\\": unknown\"",
                  TS_PATTERN_FORK_EXEC },
                { "fork/exec /usr/bin/iptables: resource temporarily unavailable", TS_PATTERN_FORK_EXEC },
                /* Go */
                { "runtime: failed to create new OS thread (have 4903 already; errno=11)",
                  TS_PATTERN_GO_NEW_THREAD },
                { "Oct 10 08:14:47 k8s-node-3 kubelet[2214]: runtime: failed to create new OS thread (have "
                  "11 already; errno=11)",
                  TS_PATTERN_GO_NEW_THREAD },
                { "runtime/cgo: pthread_create failed: Resource temporarily unavailable\r",
                  TS_PATTERN_CGO_PTHREAD },
                /* shells and daemons that fork */
                { "bash: fork: retry: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED },
                { "-bash: fork: retry: No child processes", TS_PATTERN_FORK_FAILED },
                { "bash: fork: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED },
                { "sh: 1: Cannot fork: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED },
                { "ERROR: Job failed: fork failed: Resource temporarily unavailable  job=88213",
                  TS_PATTERN_FORK_FAILED },
                /* Apache 2.4 puts its message code in the middle */
                { "[mpm_worker:alert] [pid 2290:tid 1402] (11)Resource temporarily unavailable: AH00282: "
                  "apr_thread_create: unable to create worker thread",
                  TS_PATTERN_APR_THREAD },
                /* the kernel */
                { "cgroup: fork rejected by pids controller in /system.slice/docker.service",
                  TS_PATTERN_KERNEL_PIDS },
                { "[12345.678901] cgroup: fork rejected by pids controller in /user.slice/user-1000.slice",
                  TS_PATTERN_KERNEL_PIDS },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                assert_match(cases[i].line, cases[i].pattern);
}
END_TEST

START_TEST(test_case_insensitive) {
        assert_match("FORK/EXEC /PROC/SELF/EXE: RESOURCE TEMPORARILY UNAVAILABLE", TS_PATTERN_FORK_EXEC);
        assert_match("Fork/Exec /proc/self/exe: Resource Temporarily Unavailable", TS_PATTERN_FORK_EXEC);
        assert_match("RUNTIME/CGO: PTHREAD_CREATE FAILED: RESOURCE TEMPORARILY UNAVAILABLE",
                     TS_PATTERN_CGO_PTHREAD);
        assert_match("runtime: Failed To Create New os THREAD (have 2 already; errno=11)",
                     TS_PATTERN_GO_NEW_THREAD);
        assert_match("FORK FAILED: resource temporarily unavailable", TS_PATTERN_FORK_FAILED);
        assert_match("Apr_Thread_Create: Unable To Create Worker Thread", TS_PATTERN_APR_THREAD);
        assert_match("cgroup: FORK REJECTED BY PIDS CONTROLLER IN /System.slice/X.service",
                     TS_PATTERN_KERNEL_PIDS);
}
END_TEST

START_TEST(test_near_misses) {
        static const char *const lines[] = {
                "",
                "Started Docker Application Container Engine.",
                /* fork/exec without EAGAIN: a missing binary, not a task limit */
                "fork/exec /usr/bin/runc: no such file or directory",
                "fork/exec /proc/self/exe: cannot allocate memory",
                /* EAGAIN without fork/exec words: not one of the patterns */
                "read unix @->/run/containerd.sock: resource temporarily unavailable",
                "write /dev/kmsg: Resource temporarily unavailable",
                /* halves, and the words in the wrong order */
                "resource temporarily unavailable: fork/exec /proc/self/exe",
                "pthread_create",
                "pthread_create: failed",
                "runtime: failed to create new thread",
                "apr_thread_create: unable to create worker",
                "fork rejected by pids",
                "cgroup: fork rejected by cpu controller in /system.slice/x.service",
                "forked: Resource temporarily unavailable",
                "a fork: in the road",
                "resource temporarily unavail",
                "temporarily unavailable",
                "fork",
                "f",
        };
        for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
                TsPattern p = match(lines[i]);
                ck_assert_msg(p == _TS_PATTERN_INVALID, "'%s' matched %s", lines[i],
                              ts_pattern_to_string(p));
        }
        ck_assert_int_eq(ts_pattern_match(NULL, 0, NULL, NULL), _TS_PATTERN_INVALID);
}
END_TEST

START_TEST(test_one_pattern_per_line) {
        /* fork/exec wins over fork failed; a fork/exec line without EAGAIN is not a fork failure */
        assert_match("fork failed: fork/exec /proc/self/exe: resource temporarily unavailable",
                     TS_PATTERN_FORK_EXEC);
        ck_assert_int_eq(match("fork/exec /bin/sh: fork failed"), _TS_PATTERN_INVALID);
        ck_assert_int_eq(match("fork/exec x: fork: retry: no child processes"), _TS_PATTERN_INVALID);
        /* the APR line holds "unavailable" and "thread" but only its own needle */
        assert_match("(11)Resource temporarily unavailable: apr_thread_create: unable to create worker "
                     "thread",
                     TS_PATTERN_APR_THREAD);
}
END_TEST

START_TEST(test_length_not_nul) {
        /* The length bounds the line: a needle past it does not count, NUL bytes inside do not stop it. */
        const char line[] = "fork/exec /proc/self/exe: resource temporarily unavailable";
        ck_assert_int_eq(ts_pattern_match(line, strlen(line) - 1, NULL, NULL), _TS_PATTERN_INVALID);
        ck_assert_int_eq(ts_pattern_match(line, 0, NULL, NULL), _TS_PATTERN_INVALID);
        const char with_nul[] = "x\0y fork/exec /proc/self/exe: resource temporarily unavailable";
        ck_assert_int_eq(ts_pattern_match(with_nul, sizeof with_nul - 1, NULL, NULL), TS_PATTERN_FORK_EXEC);
        /* Bytes above 0x7f are just bytes. */
        const char binary[] = "\xff\xfe\x80 fork failed: \xc3\x28 Resource temporarily unavailable \xe2\x82";
        ck_assert_int_eq(match(binary), TS_PATTERN_FORK_FAILED);
}
END_TEST

static void assert_cgroup(const char *line, const char *want) {
        const char *cg = (const char *)0x1;
        size_t len = 9999;
        ck_assert_int_eq(ts_pattern_match(line, strlen(line), &cg, &len), TS_PATTERN_KERNEL_PIDS);
        ck_assert_msg(len == strlen(want) && strneq(cg, want, len), "'%s': cgroup '%.*s', expected '%s'",
                      line, (int)len, cg, want);
}

START_TEST(test_kernel_cgroup) {
        assert_cgroup("cgroup: fork rejected by pids controller in /system.slice/docker.service",
                      "/system.slice/docker.service");
        assert_cgroup("May 15 10:04:51 batch-01 kernel: cgroup: fork rejected by pids controller in "
                      "/taskstorm-sandbox-4242/system.slice/x.scope",
                      "/taskstorm-sandbox-4242/system.slice/x.scope");
        /* up to whitespace, or the end of the line */
        assert_cgroup("cgroup: fork rejected by pids controller in /system.slice/a.service trailing words",
                      "/system.slice/a.service");
        assert_cgroup("cgroup: fork rejected by pids controller in /system.slice/a.service\r\n",
                      "/system.slice/a.service");
        assert_cgroup("cgroup: fork rejected by pids controller in /a\tb", "/a");
        assert_cgroup("cgroup: fork rejected by pids controller in /", "/");
        assert_cgroup("cgroup: fork rejected by pids controller in ", "");
        /* the path keeps its case */
        assert_cgroup("CGROUP: FORK REJECTED BY PIDS CONTROLLER IN /System.Slice/Docker.Service",
                      "/System.Slice/Docker.Service");

        /* Other patterns leave the cgroup alone. */
        const char *cg = NULL;
        size_t len = 7;
        ck_assert_int_eq(ts_pattern_match("fork failed: Resource temporarily unavailable", 45, &cg, &len),
                         TS_PATTERN_FORK_FAILED);
        ck_assert_ptr_null(cg);
        ck_assert_uint_eq(len, 7);
}
END_TEST

START_TEST(test_many_lines) {
        /* A coarse guard on the prefilter's cost: a million ordinary journal lines, in a few seconds
         * even under the sanitizers (the benchmark measures it properly). */
        static const char *const ordinary[] = {
                "Mar 02 11:09:58 node-7 dockerd[1288]: time=\"2018-03-02T11:09:58.120584511Z\" level=info "
                "msg=\"Container 9f2c4e1a7b01 failed to exit within 10 seconds of signal 15 - using the "
                "force\"",
                "Mar 02 11:20:07 node-7 systemd[1]: Started Docker Application Container Engine.",
                "Aug 19 16:39:58 ci-runner-2 gitlab-runner[812]: Checking for jobs... received job=88213 "
                "runner=x7Hq2",
        };
        unsigned matched = 0;
        usec_t start = ts_now(CLOCK_MONOTONIC);
        for (unsigned i = 0; i < 1000000; i++) {
                const char *line = ordinary[i % ELEMENTSOF(ordinary)];
                matched += ts_pattern_match(line, strlen(line), NULL, NULL) >= 0;
        }
        usec_t took = ts_now(CLOCK_MONOTONIC) - start;
        ck_assert_uint_eq(matched, 0);
        ck_assert_msg(took < 5 * USEC_PER_SEC, "a million lines took %.2f s", (double)took / USEC_PER_SEC);
}
END_TEST

START_TEST(test_relayed) {
        /* failures of another process (the runtime's), relayed by the daemon that logs them */
        static const char *const relayed[] = {
                "level=error msg=\"Handler for POST /v1.41/containers/x/start returned error: OCI runtime create failed: "
                "runc create failed: unable to start container process: error during container init: stderr: "
                "runtime/cgo: pthread_create failed: Resource temporarily unavailable\"",
                "Error response from daemon: failed to create shim task: OCI runtime create failed: container_linux.go:380: "
                "starting container process caused: fork/exec /proc/self/exe: resource temporarily unavailable: unknown",
                "Error: runc: runc create failed: unable to start container process: fork failed: Resource temporarily "
                "unavailable",
                "Error: OCI RUNTIME ERROR: crun: fork: Resource temporarily unavailable",
        };
        /* the logging process's own task creation */
        static const char *const own[] = {
                "fork/exec /proc/self/exe: resource temporarily unavailable",
                "runtime/cgo: pthread_create failed: Resource temporarily unavailable",
                "fork failed: Resource temporarily unavailable",
                "runtime: failed to create new OS thread (have 9 already; errno=11)",
        };
        for (size_t i = 0; i < ELEMENTSOF(relayed); i++) {
                ck_assert_int_ge(match(relayed[i]), 0);
                ck_assert_msg(ts_pattern_relayed(relayed[i], strlen(relayed[i])), "not relayed: %s", relayed[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                ck_assert_msg(!ts_pattern_relayed(own[i], strlen(own[i])), "relayed: %s", own[i]);
        ck_assert(!ts_pattern_relayed(NULL, 0));
        /* the length is the line's: a marker past it is not in it */
        ck_assert(!ts_pattern_relayed(relayed[0], 40));
}
END_TEST

static Suite *patterns_suite(void) {
        Suite *s = suite_create("patterns");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_table);
        tcase_add_test(tc, test_article_lines);
        tcase_add_test(tc, test_real_variants);
        tcase_add_test(tc, test_case_insensitive);
        tcase_add_test(tc, test_near_misses);
        tcase_add_test(tc, test_one_pattern_per_line);
        tcase_add_test(tc, test_length_not_nul);
        tcase_add_test(tc, test_kernel_cgroup);
        tcase_add_test(tc, test_many_lines);
        tcase_add_test(tc, test_relayed);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(patterns_suite());
}
