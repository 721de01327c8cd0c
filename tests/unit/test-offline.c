/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Support bundles read offline: every bundle in fixtures/bundles gives its verdict, cause and the
 * facts it could not know; then the pieces (status blocks, journal formats and times, versions, the
 * kernel's cgroup lines) one at a time, and input that is not a bundle at all. */
#include <check.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "fixture.h"
#include "offline.h" /* brings remedy's check.h; <check.h> above is Check's */

#define INF UINT64_MAX

static TsCheckFacts facts_of(const char *text, const char *unit) {
        TsCheckFacts f;
        int r = ts_check_facts_from_text(text, strlen(text), unit, &f);
        ck_assert_int_eq(r, 0);
        ck_assert(f.offline);
        return f;
}

static TsCheckFacts facts_of_bundle(const char *name, const char *unit) {
        _cleanup_(freep) char *text = NULL;
        char path[256];
        snprintf(path, sizeof path, "bundles/%s", name);
        text = fixture_read(path);
        return facts_of(text, unit);
}

static void assert_str(const char *have, const char *want) {
        if (!want)
                ck_assert_msg(!have, "expected NULL, got '%s'", have);
        else {
                ck_assert_msg(have, "expected '%s', got NULL", want);
                ck_assert_str_eq(have, want);
        }
}

static void assert_value(TsValue v, bool known, uint64_t value) {
        ck_assert_int_eq(v.known, known);
        if (known)
                ck_assert_uint_eq(v.value, value);
}

static size_t text_units(const char *text, const char *unit, TsCheckFacts **ret, bool *ret_named);
static const TsCheckFacts *find_unit(const TsCheckFacts *all, size_t n, const char *unit);

START_TEST(test_bundles) {
        static const struct {
                const char *file, *unit;
                TsCheckVerdict verdict;
                TsCause cause;
                const char *unknown;
                const char *systemd, *kernel, *os_id;
                uint64_t tasks, limit;
                TsPattern pattern; /* the EAGAIN pattern seen, or -1 */
                uint64_t count;
                bool kernel_for_unit;
        } cases[] = {
                { "docker-fork-exec-ubuntu1604.txt", "docker.service", TS_CHECK_AFFECTED,
                  TS_CAUSE_UNIT_TASKSMAX, "pids.events", "229", "4.4.0-116-generic", "ubuntu", 505, 512,
                  TS_PATTERN_FORK_EXEC, 3, false },
                { "dockerd-cgo-rhel7.txt", "docker.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX,
                  "pids.events", "219-78.el7_9.7", "3.10.0-1160.el7.x86_64", "rhel", 1024, 1024,
                  TS_PATTERN_CGO_PTHREAD, 2, false },
                { "kubelet-go-thread.txt", "kubelet.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX, "",
                  "237", "4.15.0-213-generic", "ubuntu", 1187, 4915, TS_PATTERN_GO_NEW_THREAD, 1, true },
                { "fork-failed-debian9.txt", "gitlab-runner.service", TS_CHECK_AFFECTED,
                  TS_CAUSE_UNIT_TASKSMAX, "pids.events", "232", "4.9.0-19-amd64", "debian", 512, 512,
                  TS_PATTERN_FORK_FAILED, 3, false },
                { "httpd-apr-sles12.txt", "apache2.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX,
                  "pids.events", "228-157.40.1", "4.12.14-122.37-default", "sles", 497, 512,
                  TS_PATTERN_APR_THREAD, 2, false },
                { "kernel-pids-only.txt", "worker.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX, "",
                  "252.38-1~deb12u1", "6.1.0-37-amd64", "debian", 31, 64, _TS_PATTERN_INVALID, 0, true },
                { "slice-kernel-pids.txt", "worker@3.service", TS_CHECK_AFFECTED, TS_CAUSE_SLICE_TASKSMAX,
                  "", "252.38-1~deb12u1", "6.12.38+deb12-amd64", "debian", 18, 28909, TS_PATTERN_FORK_FAILED,
                  2, false },
                { "healthy-no-limit.txt", "docker.service", TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE, "", "229",
                  "4.4.0-116-generic", "ubuntu", 623, INF, _TS_PATTERN_INVALID, 0, false },
                { "old-systemd-226.txt", "docker.service", TS_CHECK_NOT_APPLICABLE, TS_CAUSE_NONE, "", "226",
                  "4.2.0-1-amd64", "debian", 0, 0, TS_PATTERN_FORK_EXEC, 2, false },
                { "no-versions.txt", "docker.service", TS_CHECK_AFFECTED, TS_CAUSE_UNIT_TASKSMAX,
                  "pids.events, systemd version, kernel version", NULL, NULL, NULL, 512, 512,
                  TS_PATTERN_FORK_EXEC, 2, false },
                { "at-risk.txt", "nginx.service", TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX, "pids.events",
                  "252.38-1~deb12u1", "6.1.0-37-amd64", "debian", 450, 512, _TS_PATTERN_INVALID, 0, false },
                { "docker-low-limit.txt", "docker.service", TS_CHECK_AT_RISK, TS_CAUSE_UNIT_TASKSMAX,
                  "pids.events", "252.38-1~deb12u1", "6.1.0-37-amd64", "debian", 38, 512,
                  _TS_PATTERN_INVALID, 0, false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(ts_check_facts_done) TsCheckFacts f = facts_of_bundle(cases[i].file, NULL);
                TsCheckResult r;
                ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &r);
                ck_assert_msg(r.verdict == cases[i].verdict && r.cause == cases[i].cause,
                              "%s: %s / %s (%s), expected %s / %s", cases[i].file,
                              ts_check_verdict_to_string(r.verdict), ts_cause_to_string(r.cause), r.why,
                              ts_check_verdict_to_string(cases[i].verdict),
                              ts_cause_to_string(cases[i].cause));
                ck_assert_msg(streq(r.unknown, cases[i].unknown), "%s: unknown '%s', expected '%s'",
                              cases[i].file, r.unknown, cases[i].unknown);

                assert_str(f.unit, cases[i].unit);
                ck_assert(f.unit_known);
                assert_str(f.systemd_version, cases[i].systemd);
                assert_str(f.kernel_release, cases[i].kernel);
                assert_str(f.os_id, cases[i].os_id);
                bool has_tasks = cases[i].limit != 0;
                assert_value(f.tasks_current, has_tasks, cases[i].tasks);
                assert_value(f.tasks_max, has_tasks, cases[i].limit);
                ck_assert_int_eq(f.kernel_for_unit, cases[i].kernel_for_unit);
                ck_assert(!f.no_journal);
                /* what the text cannot say stays unknown */
                ck_assert(!f.events_max.known && !f.pids_max.known && !f.pids_current.known);
                ck_assert(!f.nproc_soft.known && !f.pid_max.known && !f.threads_max.known);
                ck_assert(!f.effective_tasks_max.known);

                for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++) {
                        if (p == TS_PATTERN_KERNEL_PIDS)
                                continue;
                        uint64_t want = p == cases[i].pattern ? cases[i].count : 0;
                        ck_assert_msg(f.hits[p].count == want, "%s: %s x%" PRIu64 ", expected %" PRIu64,
                                      cases[i].file, ts_pattern_to_string(p), f.hits[p].count, want);
                }
        }
}
END_TEST

START_TEST(test_article_bundle) {
        _cleanup_(ts_check_facts_done) TsCheckFacts f =
                facts_of_bundle("docker-fork-exec-ubuntu1604.txt", NULL);
        TsCheckResult r;
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &r);
        ck_assert_str_eq(r.why,
                         "Tasks: 505 (Limit: 512): 99% of the unit's TasksMax, and its log shows 3 lines of "
                         "'fork/exec ... resource temporarily unavailable' (pids.events unknown)");
        ck_assert_str_eq(r.prereq_why, "systemd 229 >= 227 and kernel 4.4.0-116-generic >= 4.3");
        assert_str(f.control_group, "/system.slice/docker.service");
        assert_str(f.os_id_like, "debian");
        ck_assert_uint_eq(f.n_slices, 1);
        assert_str(f.slices[0].name, "system.slice");
        ck_assert(!f.slices[0].tasks_max.known);
        /* the samples are the journal's lines, as they were; short times have no year: no time */
        const TsPatternHits *h = &f.hits[TS_PATTERN_FORK_EXEC];
        ck_assert_str_eq(h->samples[0],
                         "Mar 02 11:10:03 node-7 dockerd[1288]: time=\"2018-03-02T11:10:03.887412950Z\" "
                         "level=error msg=\"Error running container: [8] System error: fork/exec "
                         "/proc/self/exe: resource temporarily unavailable\"");
        ck_assert(h->samples[2]);
        ck_assert_uint_eq(h->first_usec, 0);
        ck_assert_uint_eq(h->last_usec, 0);
}
END_TEST

START_TEST(test_rhel_bundle_times) {
        _cleanup_(ts_check_facts_done) TsCheckFacts f = facts_of_bundle("dockerd-cgo-rhel7.txt", NULL);
        const TsPatternHits *h = &f.hits[TS_PATTERN_CGO_PTHREAD];
        ck_assert_uint_eq(h->first_usec, UINT64_C(1623640937) * 1000000); /* 2021-06-14T03:22:17Z */
        ck_assert_uint_eq(h->last_usec, UINT64_C(1623640959) * 1000000);
        assert_str(f.os_id_like, "fedora");
        TsCheckResult r;
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &r);
        ck_assert_str_eq(r.prereq_why, "systemd 219-78.el7_9.7 >= 219 and kernel 3.10.0-1160.el7.x86_64 >= "
                                       "3.10 (RHEL family)");
        ck_assert_str_eq(r.why, "Tasks: 1024 (Limit: 1024): the unit's TasksMax was reached, and its log "
                                "shows 2 lines of 'runtime/cgo: pthread_create failed'");
}
END_TEST

START_TEST(test_kernel_lines) {
        /* only the unit's cgroup counts; backup.service's line is someone else's */
        _cleanup_(ts_check_facts_done) TsCheckFacts f = facts_of_bundle("kernel-pids-only.txt", NULL);
        ck_assert_uint_eq(f.hits[TS_PATTERN_KERNEL_PIDS].count, 1);
        ck_assert_str_eq(f.hits[TS_PATTERN_KERNEL_PIDS].samples[0],
                         "May 15 10:04:51 batch-01 kernel: cgroup: fork rejected by pids controller in "
                         "/system.slice/worker.service");
        ck_assert_int_eq(f.kernel_slice, -1);

        /* a slice of the unit, by its place in the unit's cgroup path */
        _cleanup_(ts_check_facts_done) TsCheckFacts s = facts_of_bundle("slice-kernel-pids.txt", NULL);
        ck_assert(!s.kernel_for_unit);
        ck_assert_int_eq(s.kernel_slice, 0);
        ck_assert_uint_eq(s.n_slices, 2);
        assert_str(s.slices[0].name, "system-worker.slice");
        assert_str(s.slices[1].name, "system.slice");
        ck_assert_uint_eq(s.hits[TS_PATTERN_KERNEL_PIDS].first_usec, UINT64_C(1747303491) * 1000000);
        TsCheckResult r;
        ts_check_judge(&s, TS_CHECK_DEFAULT_THRESHOLD, &r);
        ck_assert_int_eq(r.binding_slice, 0);
        ck_assert_str_eq(r.why,
                         "Tasks: 18 (Limit: 28909): the limit of system-worker.slice was hit (kernel: 'fork "
                         "rejected by pids controller'), and its log shows 2 lines of 'fork failed: "
                         "resource temporarily unavailable'");

        /* a longer path (a container, the sandbox) ends with the unit's cgroup */
        static const char sandbox[] = "● x.scope - storm\n     Tasks: 64 (limit: 64)\n     CGroup: "
                                      "/system.slice/x.scope\n\n[  812.004455] cgroup: fork rejected by "
                                      "pids controller in /taskstorm-sandbox-77/system.slice/x.scope\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts x = facts_of(sandbox, NULL);
        ck_assert(x.kernel_for_unit);

        /* no cgroup in the text: the unit's name as the last component, whole; the lines about
         * xdocker.service are that unit's */
        static const char no_cgroup[] =
                "kernel: cgroup: fork rejected by pids controller in /system.slice/xdocker.service\nkernel: "
                "cgroup: fork rejected by pids controller in /docker.service.d\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts n = facts_of(no_cgroup, "docker.service");
        ck_assert(!n.kernel_for_unit);
        ck_assert_uint_eq(n.hits[TS_PATTERN_KERNEL_PIDS].count, 0);
        _cleanup_(ts_check_facts_done) TsCheckFacts x2 = facts_of(no_cgroup, NULL);
        assert_str(x2.unit, "xdocker.service");
        ck_assert(x2.kernel_for_unit);
        static const char by_name[] =
                "kernel: cgroup: fork rejected by pids controller in /system.slice/docker.service\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts b = facts_of(by_name, NULL);
        ck_assert(b.kernel_for_unit);
        ck_assert_uint_eq(b.hits[TS_PATTERN_KERNEL_PIDS].count, 1);

        /* podman on Linux 6.1: the kernel names the failed containers' scopes, gone by now, below a
         * machine.slice the text shows at 30 of its 40: the lines are machine.slice's, and no scope
         * becomes a unit of its own to fix */
        static const char podman[] =
                "\u25cf machine.slice - Virtual Machine and Container Slice\n      Tasks: 30 (limit: 40)\n"
                "     CGroup: /machine.slice\n\n"
                "[  183.220113] cgroup: fork rejected by pids controller in /machine.slice/libpod-9a8b7c6d.scope\n"
                "[  183.400127] cgroup: fork rejected by pids controller in /machine.slice/libpod-1e2f3a4b.scope\n";
        TsCheckFacts *all = NULL;
        bool named;
        size_t n_all = text_units(podman, NULL, &all, &named);
        ck_assert_uint_eq(n_all, 1);
        assert_str(all[0].unit, "machine.slice");
        ck_assert(all[0].kernel_below_unit && !all[0].kernel_for_unit);
        ck_assert_uint_eq(all[0].hits[TS_PATTERN_KERNEL_PIDS].count, 2);
        TsCheckResult res;
        ts_check_judge(&all[0], 0, &res);
        ck_assert_int_eq(res.verdict, TS_CHECK_AFFECTED);
        ck_assert_int_eq(res.cause, TS_CAUSE_SLICE_TASKSMAX);
        ts_check_text_free(all, n_all);

        /* the slice with room (12 of 40): a limit below it refused, the scope's own */
        static const char room[] =
                "\u25cf machine.slice - Virtual Machine and Container Slice\n      Tasks: 12 (limit: 40)\n"
                "     CGroup: /machine.slice\n\n"
                "[  183.220113] cgroup: fork rejected by pids controller in /machine.slice/libpod-9a8b7c6d.scope\n";
        n_all = text_units(room, NULL, &all, &named);
        ck_assert(find_unit(all, n_all, "libpod-9a8b7c6d.scope")->kernel_for_unit);
        ck_assert(!find_unit(all, n_all, "machine.slice")->kernel_below_unit);
        ts_check_text_free(all, n_all);
}
END_TEST

START_TEST(test_status_blocks) {
        static const char two[] = "● a.service - A\n   Loaded: loaded (/etc/systemd/system/a.service; "
                                  "enabled)\n    Tasks: 5 (limit: 10)\n   CGroup: "
                                  "/system.slice/a.service\n\n● b.service - B\n   Loaded: loaded "
                                  "(/etc/systemd/system/b.service; enabled)\n    Tasks: 7\n   CGroup: "
                                  "/system.slice/b.service\n";
        /* no unit asked for: the first block's */
        _cleanup_(ts_check_facts_done) TsCheckFacts a = facts_of(two, NULL);
        assert_str(a.unit, "a.service");
        assert_value(a.tasks_current, true, 5);
        assert_value(a.tasks_max, true, 10);
        assert_str(a.control_group, "/system.slice/a.service");
        /* asked for, with or without ".service" */
        _cleanup_(ts_check_facts_done) TsCheckFacts b = facts_of(two, "b");
        assert_str(b.unit, "b.service");
        ck_assert(b.unit_known);
        assert_value(b.tasks_current, true, 7);
        assert_value(b.tasks_max, true, INF);
        assert_str(b.control_group, "/system.slice/b.service");
        /* asked for and absent: nothing invented */
        _cleanup_(ts_check_facts_done) TsCheckFacts c = facts_of(two, "c.service");
        assert_str(c.unit, "c.service");
        ck_assert(!c.unit_known);
        ck_assert(!c.tasks_current.known && !c.tasks_max.known);
        ck_assert_ptr_null(c.control_group);
        TsCheckResult r;
        ts_check_judge(&c, TS_CHECK_DEFAULT_THRESHOLD, &r);
        ck_assert_int_eq(r.verdict, TS_CHECK_NOT_APPLICABLE);
        ck_assert_str_eq(r.unknown, "TasksMax, cgroup, systemd version, kernel version, journal");

        /* nothing at all: no unit (the text's own), everything unknown */
        _cleanup_(ts_check_facts_done) TsCheckFacts e = facts_of("", NULL);
        assert_str(e.unit, NULL);
        ck_assert(!e.unit_known);
        ck_assert(e.no_journal);
        ck_assert_int_eq(e.kernel_slice, -1);

        /* not found */
        static const char not_found[] =
                "○ docker.service\n     Loaded: not-found (Reason: Unit docker.service not found.)\n     "
                "Active: inactive (dead)\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts nf = facts_of(not_found, NULL);
        assert_str(nf.unit, "docker.service");
        ck_assert(!nf.unit_known);

        /* labels at the first column, and bullets of trigger lists, stay in the block */
        static const char triggered[] = "● docker.service - Docker Application Container "
                                        "Engine\nTriggeredBy: ● docker.socket\n             ● "
                                        "docker-extra.socket\n      Tasks: 38 (limit: 512)\n     CGroup: "
                                        "/system.slice/docker.service\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts t = facts_of(triggered, NULL);
        assert_str(t.unit, "docker.service");
        assert_value(t.tasks_max, true, 512);
        assert_str(t.control_group, "/system.slice/docker.service");

        /* "× failed" and "* " bullets (no UTF-8 terminal); a later block of the same unit wins */
        static const char later[] = "* docker.service - Docker\n    Tasks: 505 (Limit: 512)\n\n\xc3\x97 "
                                    "docker.service - Docker\n    Tasks: 3 (Limit: 4096)\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts l = facts_of(later, NULL);
        assert_value(l.tasks_current, true, 3);
        assert_value(l.tasks_max, true, 4096);

        /* the article's `systemctl status docker | grep Tasks`, with no block around it */
        static const char grep[] = "$ systemd --version\nsystemd 229\n$ uname -r\n4.4.0-116-generic\n$ "
                                   "systemctl status docker | grep Tasks\n   Tasks: 469 (Limit: 512)\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts g = facts_of(grep, NULL);
        assert_str(g.unit, "docker.service");
        ck_assert(!g.unit_known);
        assert_value(g.tasks_current, true, 469);
        assert_value(g.tasks_max, true, 512);
        ts_check_judge(&g, TS_CHECK_DEFAULT_THRESHOLD, &r);
        ck_assert_int_eq(r.verdict, TS_CHECK_AT_RISK);
        ck_assert_str_eq(r.unknown, "pids.events, cgroup, journal");
}
END_TEST

START_TEST(test_status_tail) {
        /* systemctl status ends with the journal's last lines: counted when there is no journalctl ... */
        static const char tail_only[] =
                "● docker.service - Docker\n    Tasks: 512 (Limit: 512)\n   CGroup: "
                "/system.slice/docker.service\n\nMar 02 11:10:03 node-7 dockerd[1288]: fork/exec "
                "/proc/self/exe: resource temporarily unavailable\nMar 02 11:10:04 node-7 dockerd[1288]: "
                "fork/exec /proc/self/exe: resource temporarily unavailable\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts a = facts_of(tail_only, NULL);
        ck_assert_uint_eq(a.hits[TS_PATTERN_FORK_EXEC].count, 2);
        ck_assert(!a.no_journal);

        /* ... and not twice when journalctl's output holds them too (the article bundle: 3, not 5) */
        _cleanup_(ts_check_facts_done) TsCheckFacts b =
                facts_of_bundle("docker-fork-exec-ubuntu1604.txt", NULL);
        ck_assert_uint_eq(b.hits[TS_PATTERN_FORK_EXEC].count, 3);

        /* a journal with nothing to say is still a journal */
        static const char empty_journal[] = "$ journalctl -u docker\n-- No entries --\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts c = facts_of(empty_journal, NULL);
        ck_assert(!c.no_journal);
}
END_TEST

START_TEST(test_journal_times) {
        static const struct {
                const char *line;
                uint64_t usec;
        } cases[] = {
                { "2021-06-14T03:22:17+0000 h dockerd[1]: fork failed: Resource temporarily unavailable",
                  UINT64_C(1623640937000000) },
                { "2021-06-14T03:22:17Z h dockerd[1]: fork failed: Resource temporarily unavailable",
                  UINT64_C(1623640937000000) },
                { "2021-06-14T05:22:17+02:00 h dockerd[1]: fork failed: Resource temporarily unavailable",
                  UINT64_C(1623640937000000) },
                { "2021-06-13T22:22:17-0500 h dockerd[1]: fork failed: Resource temporarily unavailable",
                  UINT64_C(1623640937000000) },
                { "2021-06-14T03:22:17.250000+0000 h dockerd[1]: fork failed: Resource temporarily "
                  "unavailable",
                  UINT64_C(1623640937250000) },
                { "2024-02-29T00:00:00+0000 h x: fork failed: Resource temporarily unavailable",
                  UINT64_C(1709164800000000) },
                { "2000-03-01T00:00:00+0000 h x: fork failed: Resource temporarily unavailable",
                  UINT64_C(951868800000000) },
                { "1999-12-31T23:59:59+0000 h x: fork failed: Resource temporarily unavailable",
                  UINT64_C(946684799000000) },
                { "Mon 2021-06-14 03:22:17 UTC h dockerd[1]: fork failed: Resource temporarily unavailable",
                  UINT64_C(1623640937000000) },
                /* a zone by name other than UTC, or no year: no time */
                { "Mon 2021-06-14 05:22:17 CEST h dockerd[1]: fork failed: Resource temporarily unavailable",
                  0 },
                { "Jun 14 03:22:17 h dockerd[1]: fork failed: Resource temporarily unavailable", 0 },
                { "Jun  4 03:22:17.123456 h dockerd[1]: fork failed: Resource temporarily unavailable", 0 },
                /* not a journal line at all */
                { "fork failed: Resource temporarily unavailable", 0 },
                { "2021-13-14T03:22:17+0000 h x: fork failed: Resource temporarily unavailable", 0 },
                { "2021-06-14T25:22:17+0000 h x: fork failed: Resource temporarily unavailable", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(ts_check_facts_done) TsCheckFacts f = facts_of(cases[i].line, NULL);
                const TsPatternHits *h = &f.hits[TS_PATTERN_FORK_FAILED];
                ck_assert_uint_eq(h->count, 1);
                ck_assert_msg(h->first_usec == cases[i].usec && h->last_usec == cases[i].usec,
                              "'%s': %" PRIu64 ", expected %" PRIu64, cases[i].line, h->first_usec,
                              cases[i].usec);
        }

        /* first and last over several lines, lines without a time left out */
        static const char several[] =
                "2021-06-14T03:22:17Z h x: fork failed: Resource temporarily unavailable\nfork failed: "
                "Resource temporarily unavailable\n2021-06-14T03:22:19Z h x: fork failed: Resource "
                "temporarily unavailable\n[ 1.0] fork failed: Resource temporarily unavailable\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts f = facts_of(several, NULL);
        const TsPatternHits *h = &f.hits[TS_PATTERN_FORK_FAILED];
        ck_assert_uint_eq(h->count, 4);
        ck_assert_uint_eq(h->first_usec, UINT64_C(1623640937000000));
        ck_assert_uint_eq(h->last_usec, UINT64_C(1623640939000000));
        ck_assert_ptr_nonnull(h->samples[2]);
}
END_TEST

START_TEST(test_versions) {
        static const struct {
                const char *text, *systemd, *kernel;
        } cases[] = {
                { "systemd 229\n4.4.0-116-generic\n", "229", "4.4.0-116-generic" },
                /* newer systemd --version gives the package's version in parentheses */
                { "systemd 252 (252.38-1~deb12u1)\n+PAM +AUDIT\n", "252.38-1~deb12u1", NULL },
                { "systemd 257 (257.9-1~deb13u1)\n", "257.9-1~deb13u1", NULL },
                /* rpm -q beats the bare number, in any order */
                { "systemd-219-78.el7_9.7.x86_64\nsystemd 219\n", "219-78.el7_9.7", NULL },
                { "systemd 219\nsystemd-219-78.el7_9.7.x86_64\n", "219-78.el7_9.7", NULL },
                { "systemd-libs-219-78.el7_9.7.x86_64\nsystemd 219\n", "219", NULL },
                /* dpkg -l */
                { "ii  systemd        252.38-1~deb12u1 amd64        system and service manager\n",
                  "252.38-1~deb12u1", NULL },
                /* uname -a, and the kernel's banner in a log */
                { "Linux ci-runner-2 4.9.0-19-amd64 #1 SMP Debian 4.9.320-2 (2022-06-30) x86_64 GNU/Linux\n",
                  NULL, "4.9.0-19-amd64" },
                { "Mar 02 09:58:30 node-7 kernel: Linux version 4.4.0-116-generic (buildd@lgw01-amd64-021) "
                  "(gcc version 5.4.0)\n",
                  NULL, "4.4.0-116-generic" },
                /* uname -r beats the others */
                { "kernel: Linux version 4.4.0-112-generic (buildd@x)\n4.4.0-116-generic\n", NULL,
                  "4.4.0-116-generic" },
                { "  3.10.0-1160.el7.x86_64  \r\n", NULL, "3.10.0-1160.el7.x86_64" },
                { "6.18.44-fc-v782\n", NULL, "6.18.44-fc-v782" },
                /* not versions: a package version alone, prose, a systemd log line, too long */
                { "252.38-1~deb12u1\n", NULL, NULL },
                { "4.4\n", NULL, NULL },
                { "4.4.0 is the kernel\n", NULL, NULL },
                { "systemd 229 running in system mode. (+PAM +AUDIT)\n", NULL, NULL },
                { "systemd version 229\n", NULL, NULL },
                { "systemd 229 (\n", NULL, NULL },
                { "1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9.0."
                  "1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9\n",
                  NULL, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(ts_check_facts_done) TsCheckFacts f = facts_of(cases[i].text, NULL);
                ck_assert_msg(streq(strempty(f.systemd_version), strempty(cases[i].systemd)) &&
                                      streq(strempty(f.kernel_release), strempty(cases[i].kernel)),
                              "'%s': systemd '%s' kernel '%s'", cases[i].text, strempty(f.systemd_version),
                              strempty(f.kernel_release));
        }

        /* os-release anywhere in the text */
        _cleanup_(ts_check_facts_done) TsCheckFacts o =
                facts_of("$ cat /etc/os-release\nNAME=\"CentOS Linux\"\nID=\"centos\"\nID_LIKE=\"rhel "
                         "fedora\"\n",
                         NULL);
        assert_str(o.os_id, "centos");
        assert_str(o.os_id_like, "rhel fedora");
}
END_TEST

START_TEST(test_crlf_and_nul) {
        /* A bundle pasted from Windows, with NUL bytes in it: same facts. */
        static const char text[] =
                "ID=ubuntu\r\nsystemd 229\r\n4.4.0-116-generic\r\n\xe2\x97\x8f docker.service - Docker\r\n  "
                "  Tasks: 505 (Limit: 512)\r\n   CGroup: "
                "/system.slice/docker.service\r\n\r\n\0\0garbage\0\r\nMar 02 11:10:03 node-7 dockerd[1288]: "
                "fork/exec /proc/self/exe: resource temporarily unavailable\r\nID_LIKE=debian\n";
        TsCheckFacts f;
        ck_assert_int_eq(ts_check_facts_from_text(text, sizeof text - 1, NULL, &f), 0);
        assert_str(f.systemd_version, "229");
        assert_str(f.kernel_release, "4.4.0-116-generic");
        assert_str(f.os_id, "ubuntu");
        assert_str(f.os_id_like, "debian");
        assert_value(f.tasks_max, true, 512);
        assert_str(f.control_group, "/system.slice/docker.service");
        ck_assert_uint_eq(f.hits[TS_PATTERN_FORK_EXEC].count, 1);
        ts_check_facts_done(&f);
}
END_TEST

START_TEST(test_samples_sanitized) {
        /* Control bytes and broken UTF-8 become '?'; good UTF-8 stays; long lines are cut. */
        static const char text[] =
                "fork failed: Resource temporarily unavailable \x01\x1b[31m \xff\xfe \xc3\x28 \xe2\x97\x8f "
                "caf\xc3\xa9\n";
        _cleanup_(ts_check_facts_done) TsCheckFacts f = facts_of(text, NULL);
        ck_assert_str_eq(f.hits[TS_PATTERN_FORK_FAILED].samples[0],
                         "fork failed: Resource temporarily unavailable ??[31m ?? ?( \xe2\x97\x8f "
                         "caf\xc3\xa9");

        char *line = malloc(100000 + 1);
        ck_assert(line);
        memset(line, 'a', 100000);
        memcpy(line + 50000, "fork failed: Resource temporarily unavailable", 45);
        line[100000] = 0;
        _cleanup_(ts_check_facts_done) TsCheckFacts g = facts_of(line, NULL);
        free(line);
        ck_assert_uint_eq(g.hits[TS_PATTERN_FORK_FAILED].count, 1);
        ck_assert_uint_eq(strlen(g.hits[TS_PATTERN_FORK_FAILED].samples[0]), 512);
}
END_TEST

/* The units, slices and containers a text has evidence about, each with its own facts: failure
 * lines by the process that logged them, limits by the command or block that shows them, the
 * kernel's lines by their cgroup path. */
static size_t text_units(const char *text, const char *unit, TsCheckFacts **ret, bool *ret_named) {
        size_t n = 0;
        ck_assert_int_eq(ts_check_text(text, strlen(text), unit, ret, &n, ret_named), 0);
        ck_assert_uint_ge(n, 1);
        return n;
}

static const TsCheckFacts *find_unit(const TsCheckFacts *all, size_t n, const char *unit) {
        for (size_t i = 0; i < n; i++)
                if (unit ? all[i].unit && streq(all[i].unit, unit) : !all[i].unit)
                        return &all[i];
        ck_abort_msg("no facts for %s", strempty(unit));
        return NULL;
}

START_TEST(test_owners) {
        TsCheckFacts *all = NULL;
        bool named;
        /* two daemons: each its own lines, by identifier and by the process its status block shows */
        static const char two[] =
                "\u25cf a.service - A\n    Main PID: 10 (alpha-worker)\n    Tasks: 64 (limit: 64)\n    CGroup: /system.slice/a.service\n"
                "\n"
                "$ systemctl show b\nTasksCurrent=3\nTasksMax=infinity\nLimitNPROCSoft=100\n\n"
                "Jun 14 12:31:02 host alpha-worker[10]: fork failed: Resource temporarily unavailable\n"
                "Jun 14 12:31:03 host b[11]: fork failed: Resource temporarily unavailable\n"
                "Jun 14 12:31:04 host bd[12]: fork failed: Resource temporarily unavailable\n";
        size_t n = text_units(two, NULL, &all, &named);
        ck_assert(named);
        ck_assert_uint_eq(n, 2);
        const TsCheckFacts *a = find_unit(all, n, "a.service"), *b = find_unit(all, n, "b.service");
        ck_assert_uint_eq(a->hits[TS_PATTERN_FORK_FAILED].count, 1);
        ck_assert_uint_eq(a->tasks_max.value, 64);
        ck_assert_uint_eq(b->hits[TS_PATTERN_FORK_FAILED].count, 2); /* "b" and "bd" are b.service's */
        ck_assert(b->tasks_max.known && b->tasks_max.value == UINT64_MAX);
        ck_assert_uint_eq(b->nproc_soft.value, 100);
        ck_assert(a->service_log && !a->user_session);
        ts_check_text_free(all, n);

        /* a show block without a command: Id= says whose it is, after its values */
        n = text_units("TasksCurrent=96\nControlGroup=/system.slice/docker.service\nId=docker.service\n",
                       NULL, &all, &named);
        a = find_unit(all, n, "docker.service");
        ck_assert_uint_eq(a->tasks_current.value, 96);
        assert_str(a->control_group, "/system.slice/docker.service");
        ts_check_text_free(all, n);

        /* the machine's facts, each as its tool prints it, for every unit */
        n = text_units(
                "$ sysctl kernel.pid_max\nkernel.pid_max = 32768\n$ cat /proc/sys/kernel/threads-max\n1685\n"
                "max user processes              (-u) 4096\n$ ps -eLf | wc -l\n31000\n"
                "$ cat /sys/fs/cgroup/pids/system.slice/x.service/pids.max /sys/fs/cgroup/pids/system.slice/x.service/pids.current\n"
                "50\n49\n",
                NULL, &all, &named);
        a = find_unit(all, n, "x.service");
        ck_assert_uint_eq(a->pid_max.value, 32768);
        ck_assert_uint_eq(a->threads_max.value, 1685);
        ck_assert_uint_eq(a->nproc_soft.value, 4096);
        ck_assert_uint_eq(a->system_tasks.value, 31000);
        ck_assert_uint_eq(a->pids_max.value, 50);
        ck_assert_uint_eq(a->pids_current.value, 49);
        ts_check_text_free(all, n);

        /* tasks per user, the busiest one's */
        n = text_units(
                "$ ps h -Led -o user | sort | uniq -c\n     12 root\n   4090 elastic\n    7 www-data\n",
                NULL, &all, &named);
        ck_assert_uint_eq(all[0].user_tasks.value, 4090);
        ts_check_text_free(all, n);

        /* a container by the command that went into it; its shell's failures are its */
        n = text_units(
                "$ kubectl --context lab exec -ti web-7 -c app -- /bin/sh\n/bin/sh: can't fork: Resource "
                "temporarily unavailable\n",
                NULL, &all, &named);
        a = find_unit(all, n, "web-7");
        ck_assert(a->container);
        ck_assert(a->kubernetes);
        ts_check_text_free(all, n);

        /* kernel lines: a session's limit is its user's slice; a pod's container; nspawn's payload is
         * the machine's */
        n = text_units(
                "kernel: cgroup: fork rejected by pids controller in /user.slice/user-1000.slice/session-1.scope\n"
                "kernel: cgroup: fork rejected by pids controller in /kubepods.slice/kubepods-besteffort.slice/"
                "crio-500a5b66057446587952066405d553ad2e116374901c2751890968da359f1e84.scope\n"
                "kernel: cgroup: fork rejected by pids controller in /machine.slice/machine-p.scope/payload/"
                "system.slice/x.service\n",
                NULL, &all, &named);
        ck_assert(find_unit(all, n, "user-1000.slice")->kernel_for_unit);
        ck_assert(find_unit(all, n, "user-1000.slice")->user_session);
        ck_assert(find_unit(all, n,
                            "crio-500a5b66057446587952066405d553ad2e116374901c2751890968da359f1e84.scope")
                          ->container);
        a = find_unit(all, n, "machine-p.scope");
        ck_assert(a->kernel_for_unit && !a->container);
        ts_check_text_free(all, n);

        /* a unit asked for that the text never names */
        n = text_units("fork failed: Resource temporarily unavailable\n", "nginx", &all, &named);
        ck_assert(!named);
        ck_assert_uint_eq(n, 1);
        assert_str(all[0].unit, "nginx.service");
        ts_check_text_free(all, n);

        /* failures said over two lines: C++'s std::thread, Python's fork in a traceback */
        n = text_units("terminate called after throwing an instance of 'std::system_error'\n"
                       "  what():  Resource temporarily unavailable\n"
                       "    self.pid = _posixsubprocess.fork_exec(\n"
                       "BlockingIOError: [Errno 11] Resource temporarily unavailable\n"
                       "BlockingIOError: [Errno 11] Resource temporarily unavailable\n",
                       NULL, &all, &named);
        ck_assert_uint_eq(all[0].hits[TS_PATTERN_THREAD_CREATE].count, 1);
        /* the second: within the traceback's lines */
        ck_assert_uint_eq(all[0].hits[TS_PATTERN_FORK_FAILED].count, 2);
        ts_check_text_free(all, n);
        n = text_units("BlockingIOError: [Errno 11] Resource temporarily unavailable\n", NULL, &all, &named);
        ck_assert_uint_eq(all[0].hits[TS_PATTERN_FORK_FAILED].count, 0); /* alone, a socket's as well */
        ts_check_text_free(all, n);

        /* nothing named: the text's own, with the failures */
        n = text_units("bash: fork: retry: Resource temporarily unavailable\n", NULL, &all, &named);
        ck_assert_uint_eq(n, 1);
        assert_str(all[0].unit, NULL);
        ck_assert(all[0].user_session);
        ck_assert_uint_eq(all[0].hits[TS_PATTERN_FORK_FAILED].count, 1);
        ts_check_text_free(all, n);
}
END_TEST

START_TEST(test_bad_input) {
        TsCheckFacts f = { .unit = (char *)"untouched" };
        ck_assert_int_eq(ts_check_facts_from_text(NULL, 1, NULL, &f), -EINVAL);
        ck_assert_int_eq(ts_check_facts_from_text("x", 1, NULL, NULL), -EINVAL);
        ck_assert_int_eq(ts_check_facts_from_text("x", 1, "", &f), -EINVAL);
        /* the size is checked before the text is touched */
        ck_assert_int_eq(ts_check_facts_from_text("x", TS_OFFLINE_MAX_TEXT + 1, NULL, &f), -EFBIG);
        ck_assert_int_eq(ts_check_facts_from_text("x", SIZE_MAX, NULL, &f), -EFBIG);
        ck_assert_str_eq(f.unit, "untouched");

        /* NULL with size 0 is an empty text: about no unit */
        ck_assert_int_eq(ts_check_facts_from_text(NULL, 0, NULL, &f), 0);
        assert_str(f.unit, NULL);
        ts_check_facts_done(&f);

        /* exactly the limit is accepted (a text of newlines) */
        char *big = malloc(TS_OFFLINE_MAX_TEXT);
        ck_assert(big);
        memset(big, '\n', TS_OFFLINE_MAX_TEXT);
        ck_assert_int_eq(ts_check_facts_from_text(big, TS_OFFLINE_MAX_TEXT, NULL, &f), 0);
        ts_check_facts_done(&f);
        free(big);
}
END_TEST

START_TEST(test_binary) {
        /* Random bytes, with the words that start parsing sprinkled in: no crash, no leak, and the
         * facts are whatever they are. A fixed seed keeps it repeatable. */
        static const char *const words[] = { "\xe2\x97\x8f x.service - ",
                                             "   Tasks: ",
                                             "(Limit: ",
                                             "CGroup: /",
                                             "systemd ",
                                             "systemd-",
                                             "Linux version ",
                                             "ID=",
                                             "\n",
                                             "\r\n",
                                             " ",
                                             "fork rejected by pids controller in ",
                                             "fork/exec ",
                                             "2021-06-14T",
                                             "Mar 02 11:10:03 ",
                                             ": ",
                                             "-- No entries --" };
        size_t size = 1 << 20;
        char *text = malloc(size);
        ck_assert(text);
        uint64_t x = 88172645463325252u;
        for (int round = 0; round < 8; round++) {
                size_t n = 0;
                while (n < size) {
                        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                        if (x % 4 == 0) {
                                const char *w = words[(x >> 8) % ELEMENTSOF(words)];
                                size_t k = strlen(w);
                                if (n + k > size)
                                        k = size - n;
                                memcpy(text + n, w, k);
                                n += k;
                        } else
                                text[n++] = (char)(x >> (round * 4 % 56));
                }
                TsCheckFacts f;
                ck_assert_int_eq(ts_check_facts_from_text(text, size, round % 2 ? "x.service" : NULL, &f),
                                 0);
                TsCheckResult r;
                ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &r);
                ck_assert(r.verdict >= 0 && r.verdict < _TS_CHECK_VERDICT_MAX);
                ts_check_facts_done(&f);
        }
        free(text);
}
END_TEST

/* xorshift64: the same bytes on every run. */
static void random_bytes(char *buf, size_t n, uint64_t seed) {
        for (size_t i = 0; i < n; i++) {
                seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
                buf[i] = (char)(seed >> 24);
        }
}

START_TEST(test_text_check_accepts) {
        /* every bundle of the fixtures */
        static const char *const bundles[] = { "at-risk.txt",
                                               "docker-fork-exec-ubuntu1604.txt",
                                               "docker-low-limit.txt",
                                               "dockerd-cgo-rhel7.txt",
                                               "fork-failed-debian9.txt",
                                               "healthy-no-limit.txt",
                                               "httpd-apr-sles12.txt",
                                               "kernel-pids-only.txt",
                                               "kubelet-go-thread.txt",
                                               "no-versions.txt",
                                               "old-systemd-226.txt",
                                               "slice-kernel-pids.txt" };
        for (size_t i = 0; i < ELEMENTSOF(bundles); i++) {
                char path[256];
                snprintf(path, sizeof path, "bundles/%s", bundles[i]);
                _cleanup_(freep) char *text = fixture_read(path);
                ck_assert_msg(ts_bundle_text_check(text, strlen(text)) == 0, "%s refused", bundles[i]);
        }

        /* the odd bytes real logs hold */
        static const char *const odd[] = {
                /* journalctl's stand-in for a binary field */
                "Mar 02 11:10:03 node-7 dockerd[1288]: [1.2KB blob data]\n",
                /* colour codes of a terminal's copy (systemctl status, journalctl on a tty) */
                "\x1b[0;1;31m\xe2\x97\x8f\x1b[0m docker.service - Docker\n"
                "     Tasks: \x1b[1m512\x1b[0m (Limit: 512)\n",
                /* a stray Latin-1 byte */
                "Mar 02 11:10:03 node-7 app[1]: caf\xe9 au lait: fork failed: Resource temporarily "
                "unavailable\n",
                /* pasted from Windows */
                "\xef\xbb\xbf\xe2\x97\x8f docker.service - Docker\r\n    Tasks: 505 (Limit: 512)\r\n",
                /* overstruck man-page text, form feeds, a tab */
                "N\bNA\bAM\bME\bE\n\f\tsystemd 229\n",
                /* cut in the middle of a UTF-8 sequence */
                "   Tasks: 505 (Limit: 512)\n\xe2\x97",
                /* a whole log in Latin-1, German; the literals are cut after each \x escape, and
                 * clang-format would give each piece a line of its own */
                /* clang-format off */
                "Mai 15 10:04:51 h\xf6st dockerd[1]: Prozess konnte nicht gestartet werden: Ressource "
                "vor\xfc" "bergehend nicht verf\xfc" "gbar (Gr\xf6\xdf" "e \xfc" "berschritten)\n",
                /* clang-format on */
                "",
        };
        for (size_t i = 0; i < ELEMENTSOF(odd); i++)
                ck_assert_msg(ts_bundle_text_check(odd[i], strlen(odd[i])) == 0, "refused: '%s'", odd[i]);
        ck_assert_int_eq(ts_bundle_text_check(NULL, 0), 0);
}
END_TEST

START_TEST(test_text_check_refuses) {
        /* 64 KiB of random bytes, as `head -c 65536 /dev/urandom` gives */
        size_t size = 65536;
        _cleanup_(freep) char *text = malloc(size);
        ck_assert(text);
        random_bytes(text, size, 88172645463325252u);
        ck_assert_int_eq(ts_bundle_text_check(text, size), -EBADMSG);

        /* the same without a NUL byte: still more than half of it neither text nor UTF-8 */
        for (size_t i = 0; i < size; i++)
                if (!text[i])
                        text[i] = 1;
        ck_assert_int_eq(ts_bundle_text_check(text, size), -EBADMSG);

        /* an ELF executable's header */
        static const char elf[] = "\x7f"
                                  "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0\x01\0\0\0"
                                  "\x40\x10\0\0\0\0\0\0\x40\0\0\0\0\0\0\0\xd8\x3b\0\0\0\0\0\0"
                                  "\0\0\0\0\x40\0\x38\0\x0d\0\x40\0\x1f\0\x1e\0";
        ck_assert_int_eq(ts_bundle_text_check(elf, sizeof elf - 1), -EBADMSG);

        /* one NUL byte in an otherwise good log; text in UTF-16 */
        static const char nul[] = "systemd 229\n\0   Tasks: 505 (Limit: 512)\n";
        ck_assert_int_eq(ts_bundle_text_check(nul, sizeof nul - 1), -EBADMSG);
        static const char utf16[] = "s\0y\0s\0t\0e\0m\0d\0 \0002\0002\0009\0\n\0";
        ck_assert_int_eq(ts_bundle_text_check(utf16, sizeof utf16 - 1), -EBADMSG);

        /* control bytes no log holds, in plain ASCII otherwise */
        char controls[400];
        for (size_t i = 0; i < sizeof controls; i++)
                controls[i] = i % 3 ? 'a' : (char)(1 + i % 7);
        ck_assert_int_eq(ts_bundle_text_check(controls, sizeof controls), -EBADMSG);

        ck_assert_int_eq(ts_bundle_text_check(NULL, 1), -EINVAL);
}
END_TEST

static void write_file(const char *path, const char *data, size_t size) {
        FILE *f = fopen(path, "we");
        ck_assert(f);
        ck_assert_uint_eq(fwrite(data, 1, size, f), size);
        ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_bundle_read) {
        char dir[] = "/tmp/test-offline-XXXXXX", path[PATH_MAX];
        ck_assert(mkdtemp(dir));
        char *text = (char *)"untouched";
        size_t size = 7;

        /* a regular file */
        static const char good[] = "systemd 229\n   Tasks: 505 (Limit: 512)\n";
        snprintf(path, sizeof path, "%s/good.txt", dir);
        write_file(path, good, sizeof good - 1);
        ck_assert_int_eq(ts_bundle_read(path, &text, &size), 0);
        ck_assert_str_eq(text, good);
        ck_assert_uint_eq(size, sizeof good - 1);
        free(text);
        text = (char *)"untouched";

        /* not text: refused, and nothing handed back */
        char noise[4096];
        random_bytes(noise, sizeof noise, 7);
        snprintf(path, sizeof path, "%s/noise.bin", dir);
        write_file(path, noise, sizeof noise);
        ck_assert_int_eq(ts_bundle_read(path, &text, &size), -EBADMSG);
        ck_assert_str_eq(text, "untouched");
        (void)unlink(path);

        /* a FIFO without a writer: refused at once, not waited on (the test's timeout would catch it) */
        snprintf(path, sizeof path, "%s/fifo", dir);
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        ck_assert_int_eq(ts_bundle_read(path, &text, &size), -EMEDIUMTYPE);
        (void)unlink(path);

        /* a socket (which open() refuses), a directory, a device, a file that is not there */
        snprintf(path, sizeof path, "%s/sock", dir);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        ck_assert_uint_lt(strlen(path), sizeof sa.sun_path);
        memcpy(sa.sun_path, path, strlen(path) + 1);
        _cleanup_(closep) int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(sock, 0);
        ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, sizeof sa), 0);
        ck_assert_int_eq(ts_bundle_read(path, &text, &size), -EMEDIUMTYPE);
        (void)unlink(path);

        ck_assert_int_eq(ts_bundle_read(dir, &text, &size), -EISDIR);
        ck_assert_int_eq(ts_bundle_read("/dev/null", &text, &size), -EMEDIUMTYPE);
        snprintf(path, sizeof path, "%s/missing", dir);
        ck_assert_int_eq(ts_bundle_read(path, &text, &size), -ENOENT);

        /* larger than a bundle may be */
        snprintf(path, sizeof path, "%s/big.txt", dir);
        write_file(path, "", 0);
        ck_assert_int_eq(truncate(path, TS_OFFLINE_MAX_TEXT + 1), 0);
        ck_assert_int_eq(ts_bundle_read(path, &text, &size), -EFBIG);
        ck_assert_str_eq(text, "untouched");
        (void)unlink(path);

        snprintf(path, sizeof path, "%s/good.txt", dir);
        (void)unlink(path);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_bundle_read_stdin_pipe) {
        /* `journalctl -u docker | taskstorm check --log -`: stdin may be a pipe (each test runs in its
         * own process, so its stdin can be replaced) */
        static const char good[] = "systemd 229\n   Tasks: 505 (Limit: 512)\n";
        int p[2];
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        ck_assert_int_eq(write(p[1], good, sizeof good - 1), (ssize_t)(sizeof good - 1));
        ck_assert_int_eq(close(p[1]), 0);
        ck_assert_int_eq(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
        ck_assert_int_eq(close(p[0]), 0);

        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        ck_assert_int_eq(ts_bundle_read(NULL, &text, &size), 0);
        ck_assert_str_eq(text, good);
        ck_assert_uint_eq(size, sizeof good - 1);
}
END_TEST

static Suite *offline_suite(void) {
        Suite *s = suite_create("offline");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_bundles);
        tcase_add_test(tc, test_article_bundle);
        tcase_add_test(tc, test_rhel_bundle_times);
        tcase_add_test(tc, test_kernel_lines);
        tcase_add_test(tc, test_status_blocks);
        tcase_add_test(tc, test_status_tail);
        tcase_add_test(tc, test_journal_times);
        tcase_add_test(tc, test_versions);
        tcase_add_test(tc, test_crlf_and_nul);
        tcase_add_test(tc, test_samples_sanitized);
        tcase_add_test(tc, test_owners);
        tcase_add_test(tc, test_bad_input);
        tcase_add_test(tc, test_binary);
        tcase_add_test(tc, test_text_check_accepts);
        tcase_add_test(tc, test_text_check_refuses);
        tcase_add_test(tc, test_bundle_read);
        tcase_add_test(tc, test_bundle_read_stdin_pipe);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(offline_suite());
}
