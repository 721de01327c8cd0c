/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sandbox's root file system: an overlay whose writes land on a tmpfs, with private /dev,
 * /run, /sys/fs/cgroup and /proc/sys, so that booting systemd on it changes nothing on the host.
 * Each choice here answers something seen when systemd was booted with less isolation (see
 * DESIGN.md): it emptied /tmp, wrote /var/log/journal, created nodes in the host's /dev and
 * remounted the host's /sys/fs/cgroup tmpfs read-only. */
#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "sandbox.h"

/* Units that would reach outside the sandbox through the shared kernel: global binfmt
 * registrations, sysctls, kernel modules, host devices, the clock, the pstore, the entropy pool.
 * And tmp.mount (a tmpfs on /tmp from trixie on), which would hide directories bound under /tmp. */
static const char *const masked_units[] = {
        "systemd-binfmt.service",
        "proc-sys-fs-binfmt_misc.automount",
        "proc-sys-fs-binfmt_misc.mount",
        "systemd-sysctl.service",
        "systemd-modules-load.service",
        "kmod-static-nodes.service",
        "systemd-udevd.service",
        "systemd-udevd-control.socket",
        "systemd-udevd-kernel.socket",
        "systemd-udev-trigger.service",
        "systemd-udev-settle.service",
        "systemd-timesyncd.service",
        "systemd-pstore.service",
        "systemd-random-seed.service",
        "systemd-hwdb-update.service",
        "systemd-firstboot.service",
        "systemd-repart.service",
        "systemd-journal-flush.service",
        "tmp.mount",
};

/* Host device nodes the sandbox gets, bound one by one into its own /dev. kmsg lets its journald
 * see the kernel's "fork rejected by pids controller" lines. */
static const char *const bound_devices[] = { "null", "zero", "full", "random", "urandom", "tty", "kmsg" };

static const struct {
        const char *path;
        const char *content;
} sandbox_files[] = {
        { "/etc/systemd/system/taskstorm-sandbox.target",
          "# Written by taskstorm sandbox: the target the private systemd boots to.\n"
          "[Unit]\n"
          "Description=taskstorm sandbox\n"
          "Requires=sysinit.target sockets.target\n"
          "Wants=dbus.service\n"
          "After=sysinit.target sockets.target dbus.service\n"
          "AllowIsolate=yes\n" },
        /* Keep the journal in /run (tmpfs), and stop tmpfiles from emptying /tmp. */
        { "/etc/systemd/journald.conf.d/50-taskstorm-sandbox.conf", "[Journal]\nStorage=volatile\n" },
        { "/etc/tmpfiles.d/tmp.conf", "# masked by taskstorm sandbox\n" },
};

static int mkdir_p(const char *path, mode_t mode) {
        char buf[PATH_MAX];
        if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
                return -ENAMETOOLONG;
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                                return negative_errno();
                        *p = '/';
                }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

static int write_new_file(const char *path, const char *content) {
        char dir[PATH_MAX];
        if (path_printf(dir, sizeof dir, "%s", path) < 0)
                return -ENAMETOOLONG;
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                int r = mkdir_p(dir, 0755);
                if (r < 0)
                        return r;
        }
        (void)unlink(path);
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return negative_errno();
        size_t n = strlen(content);
        if (write(fd, content, n) != (ssize_t)n)
                return -EIO;
        return 0;
}

static int touch(const char *path) {
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        return fd < 0 ? negative_errno() : 0;
}

static int setup_dev(const char *root) {
        char dev[PATH_MAX], p[PATH_MAX];
        if (path_printf(dev, sizeof dev, "%s/dev", root) < 0)
                return -ENAMETOOLONG;
        if (mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=0755") < 0)
                return negative_errno();

        for (size_t i = 0; i < ELEMENTSOF(bound_devices); i++) {
                char src[64];
                if (path_printf(src, sizeof src, "/dev/%s", bound_devices[i]) < 0)
                        return -ENAMETOOLONG;
                if (access(src, F_OK) < 0)
                        continue;
                if (path_printf(p, sizeof p, "%s/%s", dev, bound_devices[i]) < 0)
                        return -ENAMETOOLONG;
                int r = touch(p);
                if (r < 0)
                        return r;
                if (mount(src, p, NULL, MS_BIND, NULL) < 0)
                        return negative_errno();
        }

        /* systemd writes its console to /dev/console, the machine's serial line: send it nowhere
         * and read the sandbox's journal instead. */
        if (path_printf(p, sizeof p, "%s/console", dev) < 0)
                return -ENAMETOOLONG;
        int r = touch(p);
        if (r < 0)
                return r;
        if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0)
                return negative_errno();

        if (path_printf(p, sizeof p, "%s/pts", dev) < 0)
                return -ENAMETOOLONG;
        if (mkdir(p, 0755) < 0 || mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC,
                                        "newinstance,ptmxmode=0666,mode=0620,gid=5") < 0)
                return negative_errno();
        if (path_printf(p, sizeof p, "%s/shm", dev) < 0)
                return -ENAMETOOLONG;
        if (mkdir(p, 0755) < 0 || mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
                return negative_errno();

        static const struct {
                const char *name, *target;
        } links[] = {
                { "ptmx", "pts/ptmx" },          { "fd", "/proc/self/fd" },
                { "stdin", "/proc/self/fd/0" },  { "stdout", "/proc/self/fd/1" },
                { "stderr", "/proc/self/fd/2" },
        };
        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                if (path_printf(p, sizeof p, "%s/%s", dev, links[i].name) < 0)
                        return -ENAMETOOLONG;
                if (symlink(links[i].target, p) < 0)
                        return negative_errno();
        }
        return 0;
}

static int setup_sys(const char *root, const TsSandboxCgroups *cgroups) {
        char sys[PATH_MAX];
        if (path_printf(sys, sizeof sys, "%s/sys", root) < 0)
                return -ENAMETOOLONG;
        /* Not recursive: the host's cgroup mounts stay out; the sandbox gets its own below. */
        if (mount("/sys", sys, NULL, MS_BIND, NULL) < 0)
                return negative_errno();
        /* Read-only /sys also makes udev and friends skip themselves (ConditionPathIsReadWrite). */
        if (mount(NULL, sys, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  NULL) < 0)
                return negative_errno();
        return ts_sandbox_cgroups_bind(cgroups, root);
}

static int setup_units(const char *root) {
        char p[PATH_MAX];
        for (size_t i = 0; i < ELEMENTSOF(sandbox_files); i++) {
                if (path_printf(p, sizeof p, "%s%s", root, sandbox_files[i].path) < 0)
                        return -ENAMETOOLONG;
                int r = write_new_file(p, sandbox_files[i].content);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(masked_units); i++) {
                if (path_printf(p, sizeof p, "%s/etc/systemd/system/%s", root, masked_units[i]) < 0)
                        return -ENAMETOOLONG;
                (void)unlink(p);
                if (symlink("/dev/null", p) < 0)
                        return negative_errno();
        }
        return 0;
}

static int bind_host_dir(const char *root, int fd, const char *path) {
        char target[PATH_MAX], source[64];
        if (snprintf(target, sizeof target, "%s%s", root, path) >= (int)sizeof target)
                return -ENAMETOOLONG;
        int r = mkdir_p(target, 0755);
        if (r < 0)
                return r;
        if (path_printf(source, sizeof source, "/proc/self/fd/%d", fd) < 0)
                return -ENAMETOOLONG;
        if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return negative_errno();
        return 0;
}

int ts_sandbox_fs_find_systemd(const char *root, const char **ret_path) {
        static const char *const candidates[] = { "/lib/systemd/systemd", "/usr/lib/systemd/systemd" };
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                char p[PATH_MAX];
                if (path_printf(p, sizeof p, "%s%s", streq(root, "/") ? "" : root, candidates[i]) < 0)
                        return -ENAMETOOLONG;
                if (access(p, X_OK) == 0) {
                        *ret_path = candidates[i];
                        return 0;
                }
        }
        return -ENOPKG;
}

int ts_sandbox_fs_prepare(int lower_fd, const int *bind_fds, char *const *bind_paths, size_t n_binds,
                          const TsSandboxCgroups *cgroups) {
        /* The staging tmpfs hides the host's /run from this (private) mount namespace only; every
         * host path needed later was opened before, and is reached through /proc/self/fd. */
        if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
                return negative_errno();
        if (mkdir("/run/upper", 0755) < 0 || mkdir("/run/work", 0700) < 0 ||
            mkdir(TS_SANDBOX_ROOT, 0755) < 0)
                return negative_errno();

        char options[256];
        snprintf(options, sizeof options, "lowerdir=/proc/self/fd/%d,upperdir=/run/upper,workdir=/run/work",
                 lower_fd);
        if (mount("overlay", TS_SANDBOX_ROOT, "overlay", 0, options) < 0)
                return negative_errno();

        int r = setup_sys(TS_SANDBOX_ROOT, cgroups);
        if (r < 0)
                return r;
        r = setup_dev(TS_SANDBOX_ROOT);
        if (r < 0)
                return r;
        if (mount("tmpfs", TS_SANDBOX_ROOT "/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME,
                  "mode=0755") < 0)
                return negative_errno();
        r = setup_units(TS_SANDBOX_ROOT);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n_binds; i++) {
                r = bind_host_dir(TS_SANDBOX_ROOT, bind_fds[i], bind_paths[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}
