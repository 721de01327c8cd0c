/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unpacked sosreports and supportconfigs read as one text: the kind of each fixture tree, the files
 * taken and their order, what the text reader makes of it, and, on copies of a tree in a temporary
 * directory, what a bundle must not do to the reader: FIFOs and sockets, symlinks out of the tree,
 * binary files, a journal larger than the text may be. */
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "bundle-dir.h"
#include "fixture.h"
#include "offline.h" /* brings remedy's check.h; <check.h> above is Check's */

#define SOSREPORT "sosreport/sosreport-node-7-20180302111105"
#define SUPPORTCONFIG "supportconfig/scc_web-04_210614_1232"
#define BUNDLE_MAX 64 /* a copy's path: /tmp/test-bundle-dir-XXXXXX/bundle */

static void fixture_path(char *buf, size_t size, const char *name) {
        const char *dir = getenv("TS_FIXTURES");
        snprintf(buf, size, "%s/%s", dir ? dir : TS_SOURCE_ROOT "/fixtures", name);
}

static off_t fixture_size(const char *name) {
        char path[PATH_MAX];
        struct stat st;
        fixture_path(path, sizeof path, name);
        ck_assert_int_eq(stat(path, &st), 0);
        return st.st_size;
}

static char *read_dir_ok(const char *dir, size_t *ret_size) {
        char *text = NULL;
        size_t size = 0;
        int r = ts_bundle_read_dir(dir, &text, &size);
        ck_assert_msg(r == 0, "ts_bundle_read_dir(%s): %s", dir, strerror(-r));
        ck_assert_ptr_nonnull(text);
        ck_assert_uint_eq(strlen(text), size);
        if (ret_size)
                *ret_size = size;
        return text;
}

static char *read_fixture(const char *name, size_t *ret_size) {
        char dir[PATH_MAX];
        fixture_path(dir, sizeof dir, name);
        return read_dir_ok(dir, ret_size);
}

/* Where the header of path is in text (any note after it), or NULL. */
static const char *find_header(const char *text, const char *path) {
        char h[PATH_MAX + 16];
        snprintf(h, sizeof h, "==> %s <==", path);
        for (const char *p = strstr(text, h); p; p = strstr(p + 1, h))
                if (p == text || p[-1] == '\n')
                        return p;
        return NULL;
}

static void assert_no_header(const char *text, const char *path) {
        ck_assert_msg(!find_header(text, path), "%s should not be in the text", path);
}

/* The header line of path: "==> path <==" and its note. */
static void assert_header_line(const char *text, const char *path, const char *note) {
        const char *p = find_header(text, path);
        ck_assert_msg(p, "no header for %s", path);
        char want[PATH_MAX + 128];
        snprintf(want, sizeof want, "==> %s <==%s%s%s\n", path, note ? " (" : "", note ? note : "",
                 note ? ")" : "");
        ck_assert_msg(strncmp(p, want, strlen(want)) == 0, "header of %s is '%.*s', want '%s'", path,
                      (int)strcspn(p, "\n"), p, want);
}

/* The headers, each after the one before. Returns where the last one is. */
static const char *assert_headers_in_order(const char *text, const char *const *paths, size_t n) {
        const char *at = text;
        for (size_t i = 0; i < n; i++) {
                const char *p = find_header(at, paths[i]);
                ck_assert_msg(p, "%s missing, or not after %s", paths[i],
                              i > 0 ? paths[i - 1] : "the start");
                at = p;
        }
        return at;
}

/* ---- Copies of a fixture tree ------------------------------------------------------------------ */

static char copy_from[PATH_MAX], copy_to[BUNDLE_MAX];

static int copy_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        char dst[PATH_MAX];
        snprintf(dst, sizeof dst, "%s%s", copy_to, path + strlen(copy_from));
        if (type == FTW_D)
                return mkdir(dst, 0755) < 0 && errno != EEXIST ? -1 : 0;
        if (type == FTW_SL) {
                char target[PATH_MAX];
                ssize_t k = readlink(path, target, sizeof target - 1);
                if (k < 0)
                        return -1;
                target[k] = 0;
                return symlink(target, dst);
        }
        _cleanup_(freep) char *data = NULL;
        size_t size = 0;
        if (ts_read_full_file(path, 1 << 20, &data, &size) < 0)
                return -1;
        _cleanup_(closep) int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st->st_mode & 0777);
        return fd < 0 || write(fd, data, size) != (ssize_t)size ? -1 : 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* A copy of the fixture tree in a new temporary directory, at ret. */
static void copy_fixture(const char *name, char ret[static BUNDLE_MAX]) {
        char tmp[] = "/tmp/test-bundle-dir-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(tmp));
        fixture_path(copy_from, sizeof copy_from, name);
        snprintf(copy_to, sizeof copy_to, "%s/bundle", tmp);
        ck_assert_int_eq(nftw(copy_from, copy_one, 16, FTW_PHYS), 0);
        snprintf(ret, BUNDLE_MAX, "%s", copy_to);
}

static void remove_copy(const char *bundle) {
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s", bundle);
        *strrchr(tmp, '/') = 0;
        ck_assert_int_eq(nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void write_at(const char *bundle, const char *rel, const void *data, size_t size) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", bundle, rel);
        (void)unlink(path);
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, size), (ssize_t)size);
}

static void symlink_at(const char *bundle, const char *rel, const char *target) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", bundle, rel);
        (void)unlink(path);
        ck_assert_int_eq(symlink(target, path), 0);
}

/* ---- Tests ------------------------------------------------------------------------------------- */

START_TEST(test_kind) {
        char path[PATH_MAX];

        fixture_path(path, sizeof path, SOSREPORT);
        ck_assert_str_eq(ts_bundle_dir_kind(path), "sosreport");
        fixture_path(path, sizeof path, SUPPORTCONFIG);
        ck_assert_str_eq(ts_bundle_dir_kind(path), "supportconfig");

        /* a directory of text bundles, a file, nothing */
        fixture_path(path, sizeof path, "bundles");
        ck_assert_ptr_null(ts_bundle_dir_kind(path));
        fixture_path(path, sizeof path, SOSREPORT "/version.txt");
        ck_assert_ptr_null(ts_bundle_dir_kind(path));
        fixture_path(path, sizeof path, "no-such-bundle");
        ck_assert_ptr_null(ts_bundle_dir_kind(path));
        ck_assert_ptr_null(ts_bundle_dir_kind(NULL));

        /* the marks must be what they are: a file named sos_commands is no sosreport */
        char tmp[] = "/tmp/test-bundle-dir-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(tmp));
        snprintf(path, sizeof path, "%s/sos_commands", tmp);
        ck_assert_int_eq(ts_write_new_file(path, "x\n"), 0);
        ck_assert_ptr_null(ts_bundle_dir_kind(tmp));
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        ck_assert_str_eq(ts_bundle_dir_kind(tmp), "sosreport");
        ck_assert_int_eq(rmdir(path), 0);
        ck_assert_int_eq(rmdir(tmp), 0);
}
END_TEST

START_TEST(test_sosreport_files) {
        _cleanup_(freep) char *text = read_fixture(SOSREPORT, NULL);

        static const char *const facts[] = {
                "etc/os-release", /* a relative link to ../usr/lib/os-release */
                "sos_commands/kernel/uname_-a",
                "installed-debs", /* the link to sos_commands/dpkg/dpkg_-l */
                "proc/sys/kernel/pid_max",
                "proc/sys/kernel/threads-max",
                "etc/systemd/system.conf",
                "etc/systemd/system/docker.service.d/http-proxy.conf",
                "sys/fs/cgroup/pids/system.slice/docker.service/pids.current",
                "sys/fs/cgroup/pids/system.slice/docker.service/pids.max",
                "sys/fs/cgroup/pids/system.slice/ssh.service/pids.current",
                "sys/fs/cgroup/pids/system.slice/ssh.service/pids.max",
                "sos_commands/kernel/sysctl_-a",
                "sos_commands/systemd/systemctl_list-units_--failed",
                "sos_commands/systemd/systemctl_list-units_--all",
                "sos_commands/systemd/systemd-delta",
                "sos_commands/systemd/systemctl_status_--all",
                "sos_commands/systemd/systemctl_show_service_--all",
                "sos_commands/cgroups/systemd-cgls",
                "sos_commands/process/ps_axo_pid_ppid_user_group_lwp_nlwp_start_time_comm_cgroup",
                "sos_commands/process/ps_auxwww",
        };
        ck_assert_ptr_eq(strstr(text, "==> etc/os-release <==\nNAME=\"Ubuntu\"\n"), text);
        const char *last_fact = assert_headers_in_order(text, facts, ELEMENTSOF(facts));

        /* the logs after them, the smallest first */
        static const char *const logs[] = {
                "sos_commands/kernel/dmesg",
                "sos_commands/logs/journalctl_--no-pager_--catalog_--boot",
                "sos_commands/logs/journalctl_--no-pager_--catalog_--boot_-1",
                "var/log/syslog",
        };
        const char *at[ELEMENTSOF(logs)];
        off_t size[ELEMENTSOF(logs)];
        for (size_t i = 0; i < ELEMENTSOF(logs); i++) {
                at[i] = find_header(text, logs[i]);
                ck_assert_msg(at[i] && at[i] > last_fact, "%s missing or before the facts", logs[i]);
                assert_header_line(text, logs[i], NULL);

                char name[PATH_MAX];
                snprintf(name, sizeof name, SOSREPORT "/%s", logs[i]);
                size[i] = fixture_size(name);
        }
        for (size_t i = 0; i < ELEMENTSOF(logs); i++)
                for (size_t j = 0; j < ELEMENTSOF(logs); j++)
                        if (size[i] < size[j])
                                ck_assert_msg(at[i] < at[j], "%s (%jd bytes) is after %s (%jd bytes)",
                                              logs[i], (intmax_t)size[i], logs[j], (intmax_t)size[j]);

        /* one file for two names; one package list; the per-boot journals hold the per-unit one;
         * no verbose journal, no summary, no file no table names */
        static const char *const absent[] = {
                "uname",
                "ps",
                "dmesg",
                "sos_commands/dpkg/dpkg_-l",
                "sos_commands/docker/journalctl_--no-pager_--unit_docker",
                "sos_commands/logs/journalctl_--no-pager_--all_--boot_--output_verbose",
                "sos_commands/logs/journalctl_--disk-usage",
                "sos_commands/docker/docker_info",
                "etc/systemd/system/multi-user.target.wants/docker.service",
                "version.txt",
        };
        for (size_t i = 0; i < ELEMENTSOF(absent); i++)
                assert_no_header(text, absent[i]);

        /* each file whole, after its header */
        ck_assert_ptr_nonnull(strstr(text, "==> proc/sys/kernel/pid_max <==\n32768\n\n==> "));
        ck_assert_ptr_nonnull(strstr(text, "    Tasks: 512 (limit: 512)\n"));
        ck_assert_ptr_nonnull(
                strstr(text, "cgroup: fork rejected by pids controller in /system.slice/docker.service"));
        ck_assert_ptr_null(strstr(text, "<== ("));
}
END_TEST

START_TEST(test_sosreport_facts) {
        size_t size;
        _cleanup_(freep) char *text = read_fixture(SOSREPORT, &size);
        _cleanup_(ts_check_facts_done) TsCheckFacts f = {};
        ck_assert_int_eq(ts_check_facts_from_text(text, size, "docker", &f), 0);

        ck_assert_str_eq(f.unit, "docker.service");
        ck_assert(f.unit_known);
        ck_assert(f.tasks_current.known && f.tasks_current.value == 512);
        ck_assert(f.tasks_max.known && f.tasks_max.value == 512);
        ck_assert_str_eq(f.control_group, "/system.slice/docker.service");
        ck_assert_str_eq(f.kernel_release, "4.4.0-116-generic");
        ck_assert_str_eq(f.systemd_version, "229-4ubuntu21.1"); /* from dpkg -l */
        ck_assert_str_eq(f.os_id, "ubuntu");
        ck_assert_uint_ge(f.hits[TS_PATTERN_FORK_EXEC].count, 1);
        ck_assert_uint_ge(f.hits[TS_PATTERN_KERNEL_PIDS].count, 1);
        ck_assert(f.kernel_for_unit);
        ck_assert(!f.no_journal);
}
END_TEST

START_TEST(test_supportconfig) {
        size_t size;
        _cleanup_(freep) char *text = read_fixture(SUPPORTCONFIG, &size);

        static const char *const files[] = {
                "basic-environment.txt",
                "basic-health-check.txt",
                "rpm.txt",
                "env.txt",
                "proc.txt",
                "systemd-status.txt",
                "systemd.txt",
        };
        ck_assert_ptr_eq(find_header(text, files[0]), text);
        const char *last = assert_headers_in_order(text, files, ELEMENTSOF(files));
        /* the logs last, the smaller first */
        const char *boot = find_header(text, "boot.txt"), *messages = find_header(text, "messages.txt");
        ck_assert(boot && messages && last < boot && last < messages);
        ck_assert((fixture_size(SUPPORTCONFIG "/boot.txt") < fixture_size(SUPPORTCONFIG "/messages.txt")) ==
                  (boot < messages));
        /* the run's own log, the summary, a file it does not have */
        assert_no_header(text, "supportconfig.txt");
        assert_no_header(text, "summary.xml");
        assert_no_header(text, "ulimits.txt");
        ck_assert_ptr_nonnull(strstr(text, "#==[ Command ]======================================#\n"
                                           "# /usr/bin/systemctl status 'apache2.service'\n"));

        _cleanup_(ts_check_facts_done) TsCheckFacts f = {};
        ck_assert_int_eq(ts_check_facts_from_text(text, size, "apache2", &f), 0);
        ck_assert(f.unit_known);
        ck_assert(f.tasks_current.known && f.tasks_current.value == 497);
        ck_assert(f.tasks_max.known && f.tasks_max.value == 512);
        ck_assert_str_eq(f.kernel_release, "4.12.14-122.37-default");
        ck_assert_str_eq(f.os_id, "sles");
        ck_assert_ptr_nonnull(strstr(text, "==> messages.txt <==\n#==[ Log File ]====="));
        ck_assert_ptr_nonnull(
                strstr(text, "(11)Resource temporarily unavailable: AH00282: apr_thread_create"));
}
END_TEST

START_TEST(test_fifo_and_socket) {
        char bundle[BUNDLE_MAX], path[PATH_MAX];
        copy_fixture(SOSREPORT, bundle);

        /* a FIFO without a writer, where a file is named and where a pattern matches: skipped, not
         * waited on (the test's timeout would catch it) */
        snprintf(path, sizeof path, "%s/sos_commands/kernel/dmesg", bundle);
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        snprintf(path, sizeof path, "%s/etc/systemd/system/docker.service.d/fifo.conf", bundle);
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        /* a FIFO behind a symlink inside the tree */
        snprintf(path, sizeof path, "%s/proc/sys/kernel/pid_max", bundle);
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        symlink_at(bundle, "proc/sys/kernel/threads-max", "pid_max");

        /* a socket */
        snprintf(path, sizeof path, "%s/etc/systemd/system/docker.service.d/sock.conf", bundle);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        ck_assert_uint_lt(strlen(path), sizeof sa.sun_path);
        memcpy(sa.sun_path, path, strlen(path) + 1);
        _cleanup_(closep) int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(sock, 0);
        ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, sizeof sa), 0);

        _cleanup_(freep) char *text = read_dir_ok(bundle, NULL);
        static const char special[] = "skipped: not a regular file";
        assert_header_line(text, "sos_commands/kernel/dmesg", special);
        assert_header_line(text, "etc/systemd/system/docker.service.d/fifo.conf", special);
        assert_header_line(text, "etc/systemd/system/docker.service.d/sock.conf", special);
        assert_header_line(text, "proc/sys/kernel/pid_max", special);
        assert_header_line(text, "proc/sys/kernel/threads-max", special);
        /* the rest is read as before */
        assert_header_line(text, "etc/systemd/system/docker.service.d/http-proxy.conf", NULL);
        assert_header_line(text, "var/log/syslog", NULL);

        remove_copy(bundle);
}
END_TEST

START_TEST(test_symlinks) {
        char bundle[BUNDLE_MAX], path[PATH_MAX];
        copy_fixture(SOSREPORT, bundle);
        static const char dropins[] = "etc/systemd/system/docker.service.d";

        /* out of the tree: ".." above its top, an absolute target, one hop after another */
        snprintf(path, sizeof path, "%s/escape.conf", dropins);
        symlink_at(bundle, path, "../../../../../../../../etc/passwd");
        snprintf(path, sizeof path, "%s/absolute.conf", dropins);
        symlink_at(bundle, path, "/etc/passwd");
        snprintf(path, sizeof path, "%s/hop.conf", dropins);
        symlink_at(bundle, path, "../../../../usr/hop");
        symlink_at(bundle, "usr/hop", "../../etc/passwd");
        symlink_at(bundle, "etc/os-release", "/etc/os-release");
        /* a loop */
        snprintf(path, sizeof path, "%s/loop.conf", dropins);
        symlink_at(bundle, path, "loop.conf");
        /* inside the tree, through a directory link and back up */
        snprintf(path, sizeof path, "%s/etc/docker", bundle);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        static const char tasks[] = "[Service]\nTasksMax=infinity\n";
        write_at(bundle, "etc/docker/tasks.conf", tasks, STRLEN(tasks));
        symlink_at(bundle, "etc/conf", "docker");
        snprintf(path, sizeof path, "%s/inside.conf", dropins);
        symlink_at(bundle, path, "../../../conf/../docker/./tasks.conf");

        _cleanup_(freep) char *text = read_dir_ok(bundle, NULL);
        static const char leaves[] = "skipped: a symlink that leads out of the bundle";
        assert_header_line(text, "etc/systemd/system/docker.service.d/escape.conf", leaves);
        assert_header_line(text, "etc/systemd/system/docker.service.d/absolute.conf", leaves);
        assert_header_line(text, "etc/systemd/system/docker.service.d/hop.conf", leaves);
        assert_header_line(text, "etc/os-release", leaves);
        assert_header_line(text, "etc/systemd/system/docker.service.d/loop.conf", "skipped: a symlink loop");
        ck_assert_ptr_nonnull(strstr(text, "==> etc/systemd/system/docker.service.d/inside.conf <==\n"
                                           "[Service]\nTasksMax=infinity\n"));
        ck_assert_ptr_null(strstr(text, "root:x:0:0"));
        ck_assert_ptr_null(strstr(text, "PRETTY_NAME=\"Ubuntu")); /* its os-release was the link's */

        remove_copy(bundle);
}
END_TEST

START_TEST(test_binary) {
        char bundle[BUNDLE_MAX];
        copy_fixture(SOSREPORT, bundle);

        /* an executable where a command's output should be, noise for a journal */
        char noise[8192];
        unsigned x = 7;
        for (size_t i = 0; i < sizeof noise; i++)
                noise[i] = (char)((x = x * 1103515245 + 12345) >> 16);
        write_at(bundle, "sos_commands/systemd/systemd-delta", "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0", 16);
        write_at(bundle, "sos_commands/logs/journalctl_--no-pager_--catalog_--boot_-1", noise, sizeof noise);

        /* a log with the NUL bytes a power loss leaves: read without them */
        static const char crashed[] = "Mar  2 11:10:03 node-7 dockerd[1288]: before the crash\n"
                                      "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                      "Mar  2 11:14:40 node-7 kernel: Linux version 4.4.0-116-generic\n";
        write_at(bundle, "var/log/syslog", crashed, sizeof crashed - 1);

        _cleanup_(freep) char *text = read_dir_ok(bundle, NULL);
        ck_assert_ptr_nonnull(strstr(text, "==> var/log/syslog <== (16 NUL bytes left out)\n"
                                           "Mar  2 11:10:03 node-7 dockerd[1288]: before the crash\n"
                                           "Mar  2 11:14:40 node-7 kernel: Linux version"));
        assert_header_line(text, "sos_commands/systemd/systemd-delta", "skipped: not text");
        assert_header_line(text, "sos_commands/logs/journalctl_--no-pager_--catalog_--boot_-1",
                           "skipped: not text");
        ck_assert_ptr_null(strstr(text, "ELF"));
        ck_assert_uint_eq(ts_bundle_text_check(text, strlen(text)), 0);
        assert_header_line(text, "sos_commands/logs/journalctl_--no-pager_--catalog_--boot", NULL);

        remove_copy(bundle);
}
END_TEST

START_TEST(test_not_a_bundle) {
        char path[PATH_MAX];
        char *text = (char *)"untouched";
        size_t size = 7;

        fixture_path(path, sizeof path, "bundles");
        ck_assert_int_eq(ts_bundle_read_dir(path, &text, &size), -ENOMEDIUM);
        char tmp[] = "/tmp/test-bundle-dir-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(tmp));
        ck_assert_int_eq(ts_bundle_read_dir(tmp, &text, &size), -ENOMEDIUM);

        /* a file, a FIFO (not opened: O_DIRECTORY refuses it first), nothing */
        fixture_path(path, sizeof path, "bundles/docker-fork-exec-ubuntu1604.txt");
        ck_assert_int_eq(ts_bundle_read_dir(path, &text, &size), -ENOTDIR);
        fixture_path(path, sizeof path, SOSREPORT "/uname");
        ck_assert_int_eq(ts_bundle_read_dir(path, &text, &size), -ENOTDIR);
        snprintf(path, sizeof path, "%s/fifo", tmp);
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        ck_assert_int_eq(ts_bundle_read_dir(path, &text, &size), -ENOTDIR);
        ck_assert_int_eq(unlink(path), 0);
        snprintf(path, sizeof path, "%s/missing", tmp);
        ck_assert_int_eq(ts_bundle_read_dir(path, &text, &size), -ENOENT);
        ck_assert_int_eq(ts_bundle_read_dir(NULL, &text, &size), -EINVAL);

        ck_assert_str_eq(text, "untouched");
        ck_assert_uint_eq(size, 7);

        /* a bundle with nothing of what is read: an empty text */
        snprintf(path, sizeof path, "%s/basic-environment.txt", tmp);
        ck_assert_int_eq(ts_write_new_file(path, ""), 0);
        snprintf(path, sizeof path, "%s/basic-health-check.txt", tmp);
        ck_assert_int_eq(ts_write_new_file(path, ""), 0);
        _cleanup_(freep) char *empty = NULL;
        ck_assert_int_eq(ts_bundle_read_dir(tmp, &empty, &size), 0);
        ck_assert_str_eq(empty, "==> basic-environment.txt <==\n\n==> basic-health-check.txt <==\n");
        ck_assert_int_eq(unlink(path), 0);
        snprintf(path, sizeof path, "%s/basic-environment.txt", tmp);
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(rmdir(tmp), 0);
}
END_TEST

START_TEST(test_cgroup_tree) {
        char bundle[BUNDLE_MAX], path[PATH_MAX];
        copy_fixture(SOSREPORT, bundle);

        /* no v1 pids hierarchy: the unified one, walked to a bounded depth, its links not followed */
        snprintf(path, sizeof path, "%s/sys/fs/cgroup", bundle);
        ck_assert_int_eq(nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
        static const char *const dirs[] = {
                "sys/fs/cgroup",
                "sys/fs/cgroup/system.slice",
                "sys/fs/cgroup/system.slice/docker.service",
                "sys/fs/cgroup/a",
                "sys/fs/cgroup/a/b",
                "sys/fs/cgroup/a/b/c",
                "sys/fs/cgroup/a/b/c/d",
                "sys/fs/cgroup/a/b/c/d/e",
                "sys/fs/cgroup/a/b/c/d/e/f",
                "sys/fs/cgroup/a/b/c/d/e/f/g",
                "sys/fs/cgroup/a/b/c/d/e/f/g/h",
                "sys/fs/cgroup/a/b/c/d/e/f/g/h/i",
        };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(path, sizeof path, "%s/%s", bundle, dirs[i]);
                ck_assert_int_eq(mkdir(path, 0755), 0);
        }
        write_at(bundle, "sys/fs/cgroup/pids.max", "max\n", 4); /* not at the root, but harmless */
        write_at(bundle, "sys/fs/cgroup/system.slice/docker.service/pids.max", "512\n", 4);
        write_at(bundle, "sys/fs/cgroup/system.slice/docker.service/pids.events", "max 37\n", 7);
        write_at(bundle, "sys/fs/cgroup/system.slice/docker.service/memory.max", "max\n", 4);
        write_at(bundle, "sys/fs/cgroup/a/b/c/d/e/f/g/h/pids.max", "8\n", 2);   /* 8 below: read */
        write_at(bundle, "sys/fs/cgroup/a/b/c/d/e/f/g/h/i/pids.max", "9\n", 2); /* 9 below: not */
        symlink_at(bundle, "sys/fs/cgroup/host", "/sys/fs/cgroup");
        symlink_at(bundle, "sys/fs/cgroup/up", "../../..");

        _cleanup_(freep) char *text = read_dir_ok(bundle, NULL);
        static const char *const files[] = {
                "sys/fs/cgroup/a/b/c/d/e/f/g/h/pids.max",
                "sys/fs/cgroup/pids.max",
                "sys/fs/cgroup/system.slice/docker.service/pids.events",
                "sys/fs/cgroup/system.slice/docker.service/pids.max",
        };
        assert_headers_in_order(text, files, ELEMENTSOF(files));
        ck_assert_ptr_nonnull(strstr(text, "==> sys/fs/cgroup/system.slice/docker.service/pids.events <==\n"
                                           "max 37\n"));
        assert_no_header(text, "sys/fs/cgroup/a/b/c/d/e/f/g/h/i/pids.max");
        assert_no_header(text, "sys/fs/cgroup/system.slice/docker.service/memory.max");
        ck_assert_ptr_null(strstr(text, "==> sys/fs/cgroup/host/"));
        ck_assert_ptr_null(strstr(text, "==> sys/fs/cgroup/up/"));

        remove_copy(bundle);
}
END_TEST

/* Writes a journal of n bytes at least, whose lines say their number; returns its size. */
static off_t write_journal(const char *path, size_t n, unsigned *ret_lines) {
        _cleanup_(fclosep) FILE *f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        unsigned i = 0;
        for (size_t written = 0; written < n; i++) {
                int k = fprintf(f,
                                "Mar 02 11:%02u:%02u node-7 dockerd[1288]: line %08u of a journal larger "
                                "than a text may be\n",
                                i / 60 % 60, i % 60, i);
                ck_assert_int_gt(k, 0);
                written += (size_t)k;
        }
        ck_assert_int_eq(fflush(f), 0);
        *ret_lines = i;
        return ftello(f);
}

START_TEST(test_size_cap) {
        char bundle[BUNDLE_MAX], path[PATH_MAX];
        copy_fixture(SOSREPORT, bundle);

        /* the full journal (which the per-boot ones give way to), larger than the text may be, and a
         * status of every unit larger than its cap */
        unsigned lines;
        snprintf(path, sizeof path, "%s/sos_commands/logs/journalctl_--no-pager", bundle);
        off_t journal = write_journal(path, TS_OFFLINE_MAX_TEXT + (4u << 20), &lines);
        unsigned status_lines;
        snprintf(path, sizeof path, "%s/sos_commands/systemd/systemctl_status_--all", bundle);
        off_t status = write_journal(path, 5u << 20, &status_lines);

        size_t size;
        _cleanup_(freep) char *text = read_dir_ok(bundle, &size);
        ck_assert_uint_le(size, TS_OFFLINE_MAX_TEXT);
        ck_assert_uint_gt(size, TS_OFFLINE_MAX_TEXT - (1u << 20)); /* the logs take the room left */

        /* the facts are all there, before the logs */
        static const char *const facts[] = {
                "etc/os-release",
                "sos_commands/kernel/uname_-a",
                "installed-debs",
                "sos_commands/systemd/systemctl_status_--all",
                "sos_commands/process/ps_auxwww",
                "sos_commands/logs/journalctl_--no-pager",
        };
        const char *journal_at = assert_headers_in_order(text, facts, ELEMENTSOF(facts));
        /* the small logs whole, before it */
        assert_header_line(text, "var/log/syslog", NULL);
        assert_header_line(text, "sos_commands/kernel/dmesg", NULL);
        ck_assert(find_header(text, "var/log/syslog") < journal_at);
        ck_assert(find_header(text, "sos_commands/kernel/dmesg") < journal_at);
        assert_no_header(text, "sos_commands/logs/journalctl_--no-pager_--catalog_--boot");

        /* cut: the end kept, from a line start, said in the header */
        const char *h = find_header(text, "sos_commands/logs/journalctl_--no-pager");
        const char *body = strchr(h, '\n') + 1;
        size_t kept = (size_t)(text + size - body);
        char note[128];
        snprintf(note, sizeof note, "cut to its last %zu of %jd bytes", kept, (intmax_t)journal);
        assert_header_line(text, "sos_commands/logs/journalctl_--no-pager", note);
        ck_assert_msg(strncmp(body, "Mar 02 11:", 10) == 0, "cut in a line: '%.40s'", body);
        char last[64];
        snprintf(last, sizeof last, "line %08u of a journal larger than a text may be\n", lines - 1);
        ck_assert_str_eq(text + size - strlen(last), last);

        h = find_header(text, "sos_commands/systemd/systemctl_status_--all");
        body = strchr(h, '\n') + 1;
        kept = (size_t)(strstr(body, "\n\n==> ") + 1 - body);
        ck_assert_uint_le(kept, 3u << 20);
        ck_assert_uint_gt(kept, (3u << 20) - 200);
        snprintf(note, sizeof note, "cut to its last %zu of %jd bytes", kept, (intmax_t)status);
        assert_header_line(text, "sos_commands/systemd/systemctl_status_--all", note);
        snprintf(last, sizeof last, "line %08u of a journal larger than a text may be\n\n==> ",
                 status_lines - 1);
        ck_assert_ptr_nonnull(strstr(body, last));

        /* and the reader takes it */
        _cleanup_(ts_check_facts_done) TsCheckFacts f = {};
        ck_assert_int_eq(ts_check_facts_from_text(text, size, "docker", &f), 0);
        ck_assert_str_eq(f.kernel_release, "4.4.0-116-generic");

        remove_copy(bundle);
}
END_TEST

static Suite *bundle_dir_suite(void) {
        Suite *s = suite_create("bundle-dir");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_kind);
        tcase_add_test(tc, test_sosreport_files);
        tcase_add_test(tc, test_sosreport_facts);
        tcase_add_test(tc, test_supportconfig);
        tcase_add_test(tc, test_fifo_and_socket);
        tcase_add_test(tc, test_symlinks);
        tcase_add_test(tc, test_cgroup_tree);
        tcase_add_test(tc, test_binary);
        tcase_add_test(tc, test_not_a_bundle);
        tcase_add_test(tc, test_size_cap);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(bundle_dir_suite());
}
