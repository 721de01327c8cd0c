/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The environment as `taskstorm env` shows it, from facts made of fixture files (os-release, a
 * mount table) and set by hand: in text each fact beside its key or why it is unknown, in JSON a
 * value or null with the reason under "errors", and the sandbox sentence where PID 1 is not systemd. */
#include <check.h>

#include "report-env.h"
#include "report-fixture.h"

static const char *const verbs[] = { "storm", "run", "check", NULL };

/* A machine whose PID 1 is not systemd (a container), on Debian 12 with cgroup v2. */
static void container_facts(TsSysinfo *s) {
        _cleanup_(freep) char *os = fixture_read("os-release/debian-12");
        _cleanup_(freep) char *mountinfo = fixture_read("mountinfo/v2-unified-fedora40");
        *s = (TsSysinfo){
                .root = true,
                .pid1 = { .is_systemd = false, .booted = 0, .comm = strdup("process_api") },
                .systemd = { .reachable = false, .error = -ENOENT },
                .kernel = { .release = strdup("6.1.0-37-amd64"),
                            .pid_max = 4194304,
                            .threads_max_error = -EACCES },
                .pids = { .present = true,
                          .mount_point = strdup("/sys/fs/cgroup"),
                          .own_cgroup = strdup("/init.scope"),
                          .probe = { .enforcement = TS_PIDS_ENFORCED,
                                     .reason = TS_PIDS_REASON_PROBED,
                                     .limit = 2,
                                     .forks = 4,
                                     .forked = 2,
                                     .where = "a transient scope" } },
                .nproc = { .soft = UINT64_MAX, .hard = UINT64_MAX },
                .seccomp = { .api_level = 6, .kernel_notify = true, .notify_usable = true },
        };
        ck_assert_int_eq(ts_os_release_parse(os, &s->os.release), 0);
        ck_assert_int_eq(ts_cgroup_layout_parse(mountinfo, &s->cgroup.layout), 0);
}

static char *text_of(const TsSysinfo *s, bool no_sandbox) {
        Capture c;
        ts_env_print(capture_start(&c), s, verbs, no_sandbox);
        return capture_end(&c);
}

static void assert_line(const char *text, const char *line) {
        ck_assert_msg(strstr(text, line), "no line '%s' in:\n%s", line, text);
}

START_TEST(test_text) {
        _cleanup_(ts_sysinfo_done) TsSysinfo s;
        container_facts(&s);
        _cleanup_(freep) char *t = text_of(&s, false);
        const char *head = "systemd\n  PID 1:                 process_api (not systemd)\n";
        ck_assert_msg(strncmp(t, head, strlen(head)) == 0, "%s", t);
        assert_line(t, "\n  systemd:               none: PID 1 is process_api, not systemd\n");
        assert_line(t, "\n  DefaultTasksMax:       unknown (no systemd)\n");
        assert_line(t, "\n  sandbox:               storm, run and check will boot a private systemd sandbox "
                       "here, because PID 1 is process_api, not systemd\n");
        assert_line(t, "\nkernel and distro\n  kernel:                6.1.0-37-amd64\n"
                       "  distro:                Debian GNU/Linux 12 (bookworm)\n");
        assert_line(t, "\n  VERSION_CODENAME:      bookworm\n");
        assert_line(t, "\n  cgroup mode:           unified\n");
        assert_line(t, "\n  pids controller:       /sys/fs/cgroup (read-write)\n");
        assert_line(t, "\n  pids limit:            enforced (probed in a transient scope: under pids.max=2, "
                       "fork 3 of 4 failed with EAGAIN)\n");
        assert_line(t, "\n  kernel.pid_max:        4194304\n");
        assert_line(t, "\n  kernel.threads-max:    unknown (Permission denied)\n");
        assert_line(t, "\n  RLIMIT_NPROC soft:     infinity\n");
        assert_line(t, "\nseccomp\n  libseccomp API level:  6\n  kernel notify:         yes\n");

        /* As another user, those verbs stop at the root check: env says booting needs root. */
        s.root = false;
        _cleanup_(freep) char *not_root = text_of(&s, false);
        assert_line(not_root,
                    "\n  sandbox:               as root, storm, run and check will boot a private systemd "
                    "sandbox here, because PID 1 is process_api, not systemd\n");
        s.root = true;

        _cleanup_(freep) char *refused = text_of(&s, true);
        assert_line(refused,
                    "\n  sandbox:               refused (--no-sandbox): storm, run and check fail here, "
                    "because PID 1 is process_api, not systemd\n");
}
END_TEST

START_TEST(test_json) {
        _cleanup_(ts_sysinfo_done) TsSysinfo s;
        container_facts(&s);
        json_object *o = json_reparse(ts_env_to_json(&s, verbs));
        ck_assert(!jbool(o, "/pid1/is_systemd"));
        ck_assert_str_eq(jstr(o, "/pid1/comm"), "process_api");
        ck_assert(!jbool(o, "/systemd/reachable"));
        jnull(o, "/systemd/version");
        jnull(o, "/systemd/default_tasks_max");
        ck_assert_str_eq(jstr(o, "/systemd/error"), "PID 1 is process_api, not systemd");
        ck_assert(jbool(o, "/sandbox/needed"));
        ck_assert_str_eq(jstr(o, "/sandbox/why"), "PID 1 is process_api, not systemd");
        ck_assert_uint_eq(jlen(o, "/sandbox/verbs"), 3);
        ck_assert_str_eq(jstr(o, "/sandbox/verbs/2"), "check");
        ck_assert_int_eq(jint(o, "/kernel/pid_max"), 4194304);
        jnull(o, "/kernel/threads_max");
        ck_assert_str_eq(jstr(o, "/os/id"), "debian");
        ck_assert_str_eq(jstr(o, "/os/pretty_name"), "Debian GNU/Linux 12 (bookworm)");
        jnull(o, "/os/id_like");
        ck_assert_str_eq(jstr(o, "/cgroup/mode"), "unified");
        ck_assert_uint_eq(jlen(o, "/cgroup/hierarchies"), 1);
        ck_assert(jbool(o, "/cgroup/hierarchies/0/unified"));
        ck_assert_str_eq(jstr(o, "/pids_controller/own_cgroup"), "/init.scope");
        ck_assert(jbool(o, "/pids_controller/enforced"));
        ck_assert_str_eq(jstr(o, "/pids_controller/enforcement"), "enforced");
        ck_assert_str_eq(jstr(o, "/pids_controller/reason"),
                         "probed in a transient scope: under pids.max=2, fork 3 of 4 failed with EAGAIN");
        ck_assert_str_eq(jstr(o, "/rlimit_nproc/soft"), "infinity");
        ck_assert_int_eq(jint(o, "/seccomp/api_level"), 6);
        ck_assert_str_eq(jstr(o, "/errors/kernel.threads_max"), "Permission denied");
        ck_assert_str_eq(jstr(o, "/errors/systemd"), "PID 1 is process_api, not systemd");
        ck_assert(!jhas(o, "/errors/kernel.pid_max"));
        json_object_put(o);
}
END_TEST

/* Where PID 1 is systemd and answers: no sandbox, no error. */
START_TEST(test_json_systemd) {
        _cleanup_(ts_sysinfo_done) TsSysinfo s;
        container_facts(&s);
        s.pid1.is_systemd = true;
        s.pid1.booted = 1;
        free(s.pid1.comm);
        s.pid1.comm = strdup("systemd");
        s.systemd = (typeof(s.systemd)){ .reachable = true,
                                         .version = strdup("252.38-1~deb12u1"),
                                         .default_tasks_max = 15415 };
        json_object *o = json_reparse(ts_env_to_json(&s, verbs));
        ck_assert(!jbool(o, "/sandbox/needed"));
        ck_assert_str_eq(jstr(o, "/sandbox/why"), "PID 1 is systemd");
        ck_assert_int_eq(jint(o, "/systemd/default_tasks_max"), 15415);
        jnull(o, "/systemd/error");
        ck_assert(!jhas(o, "/errors/systemd"));
        json_object_put(o);

        _cleanup_(freep) char *t = text_of(&s, false);
        assert_line(t, "\n  systemd:               252.38-1~deb12u1\n  DefaultTasksMax:       15415\n"
                       "  sandbox:               not needed: storm, run and check use this systemd\n");
}
END_TEST

START_TEST(test_probe_reason) {
        char buf[256];
        TsPidsProbe p = { .reason = TS_PIDS_REASON_PROBE_FAILED, .step = "mkdir", .error = -EROFS };
        ts_env_probe_reason(&p, buf, sizeof buf);
        ck_assert_str_eq(buf, "probe failed at mkdir: Read-only file system");
        p = (TsPidsProbe){ .reason = TS_PIDS_REASON_LIMIT_IGNORED,
                           .limit = 2,
                           .forks = 4,
                           .forked = 4,
                           .where = "a child cgroup" };
        ts_env_probe_reason(&p, buf, sizeof buf);
        ck_assert_str_eq(buf, "limit ignored: 4 of 4 forks succeeded under pids.max=2 in a child cgroup");
        p = (TsPidsProbe){ .reason = TS_PIDS_REASON_NEEDS_ROOT };
        ts_env_probe_reason(&p, buf, sizeof buf);
        ck_assert_str_eq(buf, "needs root");
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("report-env");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_text);
        tcase_add_test(tc, test_json);
        tcase_add_test(tc, test_json_systemd);
        tcase_add_test(tc, test_probe_reason);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(suite());
}
