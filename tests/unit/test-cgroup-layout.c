/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup layout read from real mount tables (this Debian 12 host, CentOS 7, Fedora 40, an nspawn
 * container on a v1 host) and a process's place in a hierarchy read from /proc/PID/cgroup text. */
#include <check.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include "cgroup-layout.h"
#include "fileio.h"
#include "fixture.h"

static TsCgroupLayout parse_fixture(const char *name) {
        _cleanup_(freep) char *text = NULL;
        char path[256];
        TsCgroupLayout l = {};

        snprintf(path, sizeof path, "mountinfo/%s", name);
        text = fixture_read(path);
        int r = ts_cgroup_layout_parse(text, &l);
        ck_assert_msg(r == 0, "parsing %s: %s", name, strerror(-r));
        return l;
}

static const TsCgroupHierarchy *find_mount(const TsCgroupLayout *l, const char *mount_point) {
        for (size_t i = 0; i < l->n_hierarchies; i++)
                if (streq(l->hierarchies[i].mount_point, mount_point))
                        return &l->hierarchies[i];
        ck_abort_msg("no hierarchy at %s", mount_point);
        return NULL;
}

/* ts_cgroup_path_of() on text, expecting want (NULL: -ENOENT). */
static void assert_path_of(const char *proc_cgroup, const TsCgroupHierarchy *h, const char *want) {
        _cleanup_(freep) char *path = NULL;
        int r = ts_cgroup_path_of(proc_cgroup, h, &path);
        if (!want) {
                ck_assert_int_eq(r, -ENOENT);
                ck_assert(!path);
                return;
        }
        ck_assert_msg(r == 0, "path of %s (controllers '%s'): %s", h->mount_point, strempty(h->controllers),
                      strerror(-r));
        ck_assert_str_eq(path, want);
}

START_TEST(test_hybrid_debian12_host) {
        _cleanup_(ts_cgroup_layout_done) TsCgroupLayout l = parse_fixture("v1-hybrid-debian12");

        ck_assert_int_eq(l.mode, TS_CGROUP_HYBRID);
        ck_assert_str_eq(ts_cgroup_mode_to_string(l.mode), "hybrid");
        ck_assert_uint_eq(l.n_hierarchies, 10); /* 8 controllers, name=systemd, the empty cgroup2 */

        const TsCgroupHierarchy *pids = ts_cgroup_layout_find_pids(&l);
        ck_assert(pids);
        ck_assert_str_eq(pids->mount_point, "/sys/fs/cgroup/pids");
        ck_assert_str_eq(pids->root, "/");
        ck_assert_str_eq(pids->controllers, "pids");
        ck_assert(!pids->unified);
        ck_assert(!pids->read_only);

        const TsCgroupHierarchy *systemd = find_mount(&l, "/sys/fs/cgroup/systemd");
        ck_assert_str_eq(systemd->controllers, "name=systemd");
        ck_assert(!systemd->unified);

        const TsCgroupHierarchy *unified = find_mount(&l, "/sys/fs/cgroup/unified");
        ck_assert(unified->unified);
        ck_assert(!unified->read_only);
        ck_assert(!unified->controllers); /* filled only by ts_cgroup_layout_load() */

        for (size_t i = 0; i < l.n_hierarchies; i++)
                ck_assert_msg(!l.hierarchies[i].read_only, "%s", l.hierarchies[i].mount_point);

        /* This host's /proc/self/cgroup at the time the fixture was taken. */
        static const char proc_cgroup[] = "9:name=systemd:/\n"
                                          "8:pids:/\n"
                                          "7:blkio:/\n"
                                          "6:freezer:/\n"
                                          "5:devices:/\n"
                                          "4:memory:/process_api/4d7e97cc648d45cdaad42ccdfbc989e3\n"
                                          "3:cpuset:/\n"
                                          "2:cpuacct:/\n"
                                          "1:cpu:/\n"
                                          "0::/\n";
        assert_path_of(proc_cgroup, pids, "/");
        assert_path_of(proc_cgroup, systemd, "/");
        assert_path_of(proc_cgroup, unified, "/");
        assert_path_of(proc_cgroup, find_mount(&l, "/sys/fs/cgroup/memory"),
                       "/process_api/4d7e97cc648d45cdaad42ccdfbc989e3");
}
END_TEST

START_TEST(test_legacy_centos7) {
        _cleanup_(ts_cgroup_layout_done) TsCgroupLayout l = parse_fixture("v1-legacy-centos7");

        ck_assert_int_eq(l.mode, TS_CGROUP_LEGACY);
        ck_assert_str_eq(ts_cgroup_mode_to_string(l.mode), "legacy");
        ck_assert_uint_eq(l.n_hierarchies, 11); /* the ro tmpfs at /sys/fs/cgroup is not a hierarchy */

        const TsCgroupHierarchy *pids = ts_cgroup_layout_find_pids(&l);
        ck_assert(pids);
        ck_assert_str_eq(pids->mount_point, "/sys/fs/cgroup/pids");
        ck_assert(!pids->read_only);
        /* SELinux puts "seclabel" among the super options: it is not a controller. */
        ck_assert_str_eq(pids->controllers, "pids");
        ck_assert_str_eq(find_mount(&l, "/sys/fs/cgroup/cpu,cpuacct")->controllers, "cpuacct,cpu");
        ck_assert_str_eq(find_mount(&l, "/sys/fs/cgroup/net_cls,net_prio")->controllers, "net_prio,net_cls");
        /* release_agent=... is an option, not a controller. */
        ck_assert_str_eq(find_mount(&l, "/sys/fs/cgroup/systemd")->controllers, "name=systemd");

        static const char proc_cgroup[] = "11:perf_event:/\n"
                                          "10:hugetlb:/\n"
                                          "9:devices:/system.slice/docker.service\n"
                                          "8:pids:/foo\n"
                                          "7:cpuset:/\n"
                                          "6:blkio:/system.slice/docker.service\n"
                                          "5:freezer:/\n"
                                          "4:memory:/system.slice/docker.service\n"
                                          "3:cpuacct,cpu:/system.slice/docker.service\n"
                                          "2:net_prio,net_cls:/\n"
                                          "1:name=systemd:/x\n";
        assert_path_of(proc_cgroup, pids, "/foo");
        assert_path_of(proc_cgroup, find_mount(&l, "/sys/fs/cgroup/systemd"), "/x");
        assert_path_of(proc_cgroup, find_mount(&l, "/sys/fs/cgroup/cpu,cpuacct"),
                       "/system.slice/docker.service");
        /* A v1 hierarchy is not found through the "0::" line, nor by a partial controller list. */
        assert_path_of("0::/y\n", pids, NULL);
        assert_path_of("3:cpu:/z\n", find_mount(&l, "/sys/fs/cgroup/cpu,cpuacct"), NULL);
        assert_path_of("8:pidsx:/z\n", pids, NULL);
}
END_TEST

START_TEST(test_unified_fedora40) {
        _cleanup_(ts_cgroup_layout_done) TsCgroupLayout l = parse_fixture("v2-unified-fedora40");

        ck_assert_int_eq(l.mode, TS_CGROUP_UNIFIED);
        ck_assert_str_eq(ts_cgroup_mode_to_string(l.mode), "unified");
        ck_assert_uint_eq(l.n_hierarchies, 1);

        TsCgroupHierarchy *h = &l.hierarchies[0];
        ck_assert_str_eq(h->mount_point, "/sys/fs/cgroup");
        ck_assert(h->unified);
        ck_assert(!h->read_only);

        /* Parsing alone cannot know the v2 controllers (they live in cgroup.controllers)... */
        ck_assert(!h->controllers);
        ck_assert(!ts_cgroup_layout_find_pids(&l));
        /* ... once filled as ts_cgroup_layout_load() does, pids is found by word. */
        h->controllers = strdup("cpuset cpu io memory hugetlb pids rdma misc");
        ck_assert(h->controllers);
        ck_assert_ptr_eq(ts_cgroup_layout_find_pids(&l), h);

        assert_path_of("0::/y\n", h, "/y");
        assert_path_of("1:name=systemd:/x\n0::/y\n", h, "/y");
        assert_path_of("8:pids:/foo\n", h, NULL);
        /* The last line without its newline. */
        assert_path_of("0::/system.slice/docker.service", h, "/system.slice/docker.service");
}
END_TEST

START_TEST(test_nspawn_pids_read_only) {
        _cleanup_(ts_cgroup_layout_done) TsCgroupLayout l = parse_fixture("v1-nspawn-pids-ro");

        /* systemd-nspawn on a v1 host: controllers bind-mounted read-only (the superblock stays rw),
         * only name=systemd writable. TasksMax cannot be written there, so it is not enforced. */
        ck_assert_int_eq(l.mode, TS_CGROUP_LEGACY);
        ck_assert_uint_eq(l.n_hierarchies, 9);

        const TsCgroupHierarchy *pids = ts_cgroup_layout_find_pids(&l);
        ck_assert(pids);
        ck_assert_str_eq(pids->mount_point, "/sys/fs/cgroup/pids");
        ck_assert(pids->read_only);
        ck_assert(!find_mount(&l, "/sys/fs/cgroup/systemd")->read_only);
        ck_assert(find_mount(&l, "/sys/fs/cgroup/memory")->read_only);

        assert_path_of("9:pids:/\n1:name=systemd:/init.scope\n", pids, "/");
        assert_path_of("9:pids:/\n1:name=systemd:/init.scope\n", find_mount(&l, "/sys/fs/cgroup/systemd"),
                       "/init.scope");
}
END_TEST

START_TEST(test_parse_errors) {
        TsCgroupLayout l = { .mode = TS_CGROUP_UNIFIED, .n_hierarchies = 42 };

        /* No cgroup file system mounted under /sys/fs/cgroup. */
        ck_assert_int_eq(ts_cgroup_layout_parse("", &l), -ENOMEDIUM);
        ck_assert_int_eq(ts_cgroup_layout_parse("22 1 0:21 / /proc rw,relatime - proc proc rw\n", &l),
                         -ENOMEDIUM);
        ck_assert_int_eq(
                ts_cgroup_layout_parse("50 1 0:40 / /mnt/cg rw,relatime - cgroup cgroup rw,pids\n", &l),
                -ENOMEDIUM);
        /* A truncated line. */
        ck_assert_int_eq(ts_cgroup_layout_parse("39 31 0:36 / /sys/fs/cgroup/pids rw\n", &l), -EINVAL);

        /* Outputs untouched on failure. */
        ck_assert_int_eq(l.mode, TS_CGROUP_UNIFIED);
        ck_assert_uint_eq(l.n_hierarchies, 42);
}
END_TEST

START_TEST(test_mode_strings) {
        ck_assert_str_eq(ts_cgroup_mode_to_string(TS_CGROUP_LEGACY), "legacy");
        ck_assert_str_eq(ts_cgroup_mode_to_string(TS_CGROUP_HYBRID), "hybrid");
        ck_assert_str_eq(ts_cgroup_mode_to_string(TS_CGROUP_UNIFIED), "unified");
        ck_assert(!ts_cgroup_mode_to_string(_TS_CGROUP_MODE_MAX));
        ck_assert(!ts_cgroup_mode_to_string(_TS_CGROUP_MODE_INVALID));
}
END_TEST

/* What statfs(2) says is mounted at path: a cgroup (v1 or v2) file system, or not. */
static bool is_cgroup_fs(const char *path, bool *ret_v2) {
        struct statfs fs;
        if (statfs(path, &fs) < 0 || (fs.f_type != CGROUP_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC))
                return false;
        if (ret_v2)
                *ret_v2 = fs.f_type == CGROUP2_SUPER_MAGIC;
        return true;
}

/* This machine's layout against an oracle that does not read mountinfo: statfs of the usual mount
 * points. Where nothing is mounted (a build chroot), loading must say -ENOMEDIUM, not succeed. */
START_TEST(test_load_this_machine) {
        bool root_v2 = false, unified_v2 = false;
        bool root = is_cgroup_fs("/sys/fs/cgroup", &root_v2);
        bool unified = is_cgroup_fs("/sys/fs/cgroup/unified", &unified_v2) && unified_v2;
        bool systemd_v1 = is_cgroup_fs("/sys/fs/cgroup/systemd", NULL);
        bool pids_v1 = is_cgroup_fs("/sys/fs/cgroup/pids", NULL);

        _cleanup_(ts_cgroup_layout_done) TsCgroupLayout l = {};
        int r = ts_cgroup_layout_load(&l);
        if (!root && !unified && !systemd_v1 && !pids_v1) {
                ck_assert_int_eq(r, -ENOMEDIUM);
                return;
        }
        ck_assert_msg(r == 0, "loading this machine's layout: %s", strerror(-r));
        TsCgroupMode want = root && root_v2 ? TS_CGROUP_UNIFIED
                            : unified       ? TS_CGROUP_HYBRID
                                            : TS_CGROUP_LEGACY;
        ck_assert_str_eq(ts_cgroup_mode_to_string(l.mode), ts_cgroup_mode_to_string(want));

        const TsCgroupHierarchy *pids = ts_cgroup_layout_find_pids(&l);
        if (want != TS_CGROUP_UNIFIED) {
                ck_assert_int_eq(!!pids, pids_v1);
                if (pids)
                        ck_assert_str_eq(pids->mount_point, "/sys/fs/cgroup/pids");
                return;
        }
        /* v2: pids is found where the root's cgroup.controllers names it. */
        _cleanup_(freep) char *controllers = NULL;
        ck_assert_int_eq(ts_read_one_line_file("/sys/fs/cgroup/cgroup.controllers", &controllers), 0);
        bool has_pids = false;
        for (char *w = strtok(controllers, " "); w; w = strtok(NULL, " "))
                has_pids = has_pids || streq(w, "pids");
        ck_assert_int_eq(!!pids, has_pids);
}
END_TEST

static Suite *cgroup_layout_suite(void) {
        Suite *s = suite_create("cgroup-layout");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_hybrid_debian12_host);
        tcase_add_test(tc, test_legacy_centos7);
        tcase_add_test(tc, test_unified_fedora40);
        tcase_add_test(tc, test_nspawn_pids_read_only);
        tcase_add_test(tc, test_parse_errors);
        tcase_add_test(tc, test_mode_strings);
        tcase_add_test(tc, test_load_this_machine);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(cgroup_layout_suite());
}
