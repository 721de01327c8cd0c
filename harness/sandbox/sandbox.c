/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Life of a sandbox: lock, cgroup subtree, private namespaces and root, systemd as PID 1, the
 * wait until it is up (asking it over its bus, never sleeping a fixed time), commands run inside,
 * and a teardown that works from any state. The kernel does most of the killing: systemd dies
 * with this process (PR_SET_PDEATHSIG), and everything else in the PID namespace dies with it. */
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "bus.h"
#include "guard.h"
#include "macro.h"
#include "process.h"
#include "sandbox.h"

/* One sandbox per machine at a time: an abstract socket, held by the booting process and released
 * by the kernel however it dies, so a killed sandbox never leaves a stale lock file behind. */
#define LOCK_NAME "taskstorm-sandbox-lock"

struct TsSandbox {
        int lock_fd;
        int own_pidns_fd; /* this process's PID namespace, to give its future children back */
        TsSandboxCgroups *cgroups;
        uint64_t guard; /* the pids.max of the subtree */
        pid_t warden_pid;
        int warden_fd; /* its pipe: the warden acts when this end closes, however that happens */
        pid_t systemd_pid;
        bool mounted;
        char *cwd; /* where spawned commands start */
        /* Commands started inside. PID 1 of a namespace finishes dying only when every process of
         * the namespace has been reaped, and these are ours to reap. */
        pid_t *commands;
        size_t n_commands;
};

/* Capabilities the sandbox's systemd must not have: they reach the host's kernel, not the sandbox. */
static const int dropped_caps[] = { CAP_SYS_MODULE, CAP_SYS_TIME,  CAP_SYS_RAWIO,
                                    CAP_WAKE_ALARM, CAP_MAC_ADMIN, CAP_MAC_OVERRIDE };

static int take_lock(int *ret_fd) {
        _cleanup_(closep) int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        memcpy(sa.sun_path + 1, LOCK_NAME, STRLEN(LOCK_NAME));
        if (bind(fd, (struct sockaddr *)&sa,
                 offsetof(struct sockaddr_un, sun_path) + 1 + STRLEN(LOCK_NAME)) < 0)
                return errno == EADDRINUSE ? -EBUSY : negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}

_noreturn_ static void report_child_error(int fd, int error) {
        ts_child_report(fd, error, TS_SANDBOX_CHILD_FAILED);
}

/* Forks a child that starts with default signals, dies with this process, and reports an error
 * before it execs or exits through the error pipe. */
static pid_t fork_reporting(int *ret_fd) {
        pid_t pid = ts_fork_reporting(ret_fd);
        if (pid == 0) {
                ts_reset_signals();
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                        report_child_error(*ret_fd, negative_errno());
        }
        return pid;
}

/* The warden: forked before the sandbox's namespaces exist, it leaves this process's session and
 * process group (a kill of the caller's group does not reach it), ignores the stop signals, and
 * waits for the end of its pipe. That end closes when the owner tears down or dies, SIGKILL
 * included; then it kills whatever is left in the cgroup subtree (CMD's children that left their
 * process group and were reparented, say), removes the subtree, and exits, releasing the lock it
 * inherited only then. */
_noreturn_ static void warden(const TsSandbox *s, int fd) {
        (void)setsid();
        (void)prctl(PR_SET_NAME, "ts-warden");
        static const int ignored[] = {
                SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE
        };
        for (size_t i = 0; i < ELEMENTSOF(ignored); i++)
                (void)signal(ignored[i], SIG_IGN);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0)
                for (int i = 0; i <= 2; i++)
                        (void)dup2(null, i); /* a caller reading our output is not kept waiting */
        char c;
        while (read(fd, &c, 1) < 0 && errno == EINTR)
                ;
        (void)ts_sandbox_cgroups_remove(s->cgroups);
        ts_sandbox_cgroups_release(s->cgroups); /* itself among the processes that go back */
        _exit(EXIT_SUCCESS);
}

static int start_warden(TsSandbox *s) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return negative_errno();
        pid_t pid = fork();
        if (pid < 0) {
                int r = negative_errno();
                close(p[0]);
                close(p[1]);
                return r;
        }
        if (pid == 0) {
                close(p[1]);
                warden(s, p[0]);
        }
        close(p[0]);
        s->warden_pid = pid;
        s->warden_fd = p[1];
        return 0;
}

/* The guard: what the caller asked for, or what the host can give; never more than that. */
static int apply_guard(TsSandbox *s, uint64_t asked) {
        TsHostCapacity cap;
        int r = ts_host_capacity(&cap);
        if (r < 0)
                return r;
        if (cap.available == 0)
                return -ENOSPC;
        if (asked > cap.available)
                return -E2BIG;
        s->guard = asked ? asked : cap.available;
        return ts_sandbox_cgroups_guard(s->cgroups, s->guard);
}

static int make_readonly_bind(const char *path) {
        if (mount(path, path, NULL, MS_BIND, NULL) < 0)
                return errno == ENOENT ? 0 : negative_errno(); /* a kernel without it */
        if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  NULL) < 0)
                return negative_errno();
        return 0;
}

/* PID 1 of the new PID namespace: join the cgroup subtree, get a /proc of its own with the kernel
 * tunables read-only, give up host-reaching capabilities, and become systemd. */
_noreturn_ static void systemd_child(const TsSandbox *s, const char *systemd_path, int error_fd) {
        int r;
        (void)setsid();

        r = ts_sandbox_cgroups_join(s->cgroups, false);
        if (r < 0)
                report_child_error(error_fd, r);
        if (unshare(CLONE_NEWCGROUP) < 0)
                report_child_error(error_fd, negative_errno());

        if (mount("proc", TS_SANDBOX_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                report_child_error(error_fd, negative_errno());
        /* systemd-sysctl and friends would otherwise write the host's kernel settings. */
        static const char *const readonly[] = { TS_SANDBOX_ROOT "/proc/sys",
                                                TS_SANDBOX_ROOT "/proc/sysrq-trigger" };
        for (size_t i = 0; i < ELEMENTSOF(readonly); i++) {
                r = make_readonly_bind(readonly[i]);
                if (r < 0)
                        report_child_error(error_fd, r);
        }

        for (size_t i = 0; i < ELEMENTSOF(dropped_caps); i++)
                (void)prctl(PR_CAPBSET_DROP, dropped_caps[i], 0, 0, 0); /* unknown to old kernels: fine */

        if (chdir(TS_SANDBOX_ROOT) < 0 || chroot(".") < 0 || chdir("/") < 0)
                report_child_error(error_fd, negative_errno());

        /* SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1: systemd 256-257 refuse cgroup v1 without it;
         * older versions ignore the word. */
        char *const argv[] = { (char *)systemd_path,
                               "--system",
                               "--unit=taskstorm-sandbox.target",
                               "--log-target=journal",
                               "--show-status=no",
                               "SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1",
                               NULL };
        char *const envp[] = { "container=taskstorm",
                               "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        execve(systemd_path, argv, envp);
        report_child_error(error_fd, negative_errno());
}

#define IN_SET_DISCONNECTED(r) ((r) == -ENOTCONN || (r) == -ECONNRESET || (r) == -ECONNREFUSED)

/* Runs in a child born in the sandbox's PID namespace: systemd refuses private-bus clients whose
 * PID it cannot see. The socket appears when systemd has set itself up, and early connections can
 * be dropped while it starts; until it answers there is nothing to ask, so this one wait polls,
 * with bounded back-off. After that, systemd itself says when start-up has finished. */
static int wait_until_up(usec_t timeout) {
        usec_t deadline = ts_now(CLOCK_MONOTONIC) + timeout, delay = USEC_PER_MSEC;
        for (;;) {
                _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
                int r = ts_bus_open_private_at(TS_SANDBOX_ROOT, &bus);
                if (r >= 0) {
                        usec_t n = ts_now(CLOCK_MONOTONIC);
                        r = ts_manager_wait_started(bus, deadline > n ? deadline - n : 1, NULL);
                        if (r >= 0 || !IN_SET_DISCONNECTED(r))
                                return r;
                }
                if (ts_now(CLOCK_MONOTONIC) >= deadline)
                        return -ETIMEDOUT;
                ts_sleep_backoff(&delay, 100 * USEC_PER_MSEC);
        }
}

/* Forks the waiter and collects its verdict: its error through a pipe, or -ECHILD when it was
 * killed, which happens when systemd (PID 1 of its namespace) dies. */
static int wait_until_up_from_inside(usec_t timeout) {
        int fd;
        pid_t pid = fork_reporting(&fd);
        if (pid < 0)
                return pid;
        if (pid == 0) {
                int r = wait_until_up(timeout);
                if (r < 0)
                        report_child_error(fd, r);
                _exit(EXIT_SUCCESS);
        }
        int r = ts_child_collect(fd);
        siginfo_t si = {};
        if (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0)
                return negative_errno();
        if (r < 0)
                return r;
        return si.si_code == CLD_EXITED && si.si_status == EXIT_SUCCESS ? 0 : -ECHILD;
}

static int open_dir_path(const char *path, int *ret_fd) {
        int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        *ret_fd = fd;
        return 0;
}

static void close_all(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
}

/* Opens the lower root and every directory to bind, in the new mount namespace (a mount of
 * another namespace cannot be cloned into this one) and before the staging tmpfs hides /run. */
static int open_sources(const TsSandboxOptions *o, const char *root, const char *cwd, int *lower_fd,
                        int *bind_fds, char **bind_paths, size_t *n_binds) {
        int r = open_dir_path(root, lower_fd);
        if (r < 0)
                return r;
        if (o->bind_cwd && !streq(cwd, "/")) {
                r = open_dir_path(cwd, &bind_fds[*n_binds]);
                if (r < 0)
                        return r;
                bind_paths[(*n_binds)++] = (char *)cwd;
        }
        for (char **b = o->binds; b && *b; b++) {
                r = open_dir_path(*b, &bind_fds[*n_binds]);
                if (r < 0)
                        return r;
                bind_paths[(*n_binds)++] = *b;
        }
        return 0;
}

static int boot(TsSandbox *s, const TsSandboxOptions *o, const char *root, const char *systemd_path) {
        size_t n_binds = 0, max_binds = 1;
        for (char **b = o->binds; b && *b; b++)
                max_binds++;
        _cleanup_(freep) int *bind_fds = calloc(max_binds, sizeof(int));
        _cleanup_(freep) char **bind_paths = calloc(max_binds, sizeof(char *));
        ANALYZER_OWNED_BY_CLEANUP(bind_fds, bind_paths);
        if (!bind_fds || !bind_paths)
                return -ENOMEM;

        int r = take_lock(&s->lock_fd);
        if (r < 0)
                return r;
        r = ts_sandbox_cgroups_create(getpid(), o->pids_read_only, &s->cgroups);
        if (r < 0)
                return r;
        r = start_warden(s);
        if (r < 0)
                return r;
        r = apply_guard(s, o->guard);
        if (r < 0)
                return r;
        if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC) < 0)
                return negative_errno();
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return negative_errno();
        s->mounted = true;

        _cleanup_(closep) int lower_fd = -EBADF;
        r = open_sources(o, root, s->cwd, &lower_fd, bind_fds, bind_paths, &n_binds);
        if (r >= 0)
                r = ts_sandbox_fs_prepare(lower_fd, bind_fds, bind_paths, n_binds, s->cgroups);
        close_all(bind_fds, n_binds);
        if (r < 0)
                return r;

        /* From here on, this process's children are born in the sandbox's PID namespace; the
         * first one is its PID 1. Teardown gives them back this process's own. */
        s->own_pidns_fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        if (s->own_pidns_fd < 0)
                return negative_errno();
        if (unshare(CLONE_NEWPID) < 0)
                return negative_errno();

        int fd;
        pid_t pid = fork_reporting(&fd);
        if (pid < 0)
                return pid;
        if (pid == 0)
                systemd_child(s, systemd_path, fd);
        s->systemd_pid = pid;
        r = ts_child_collect(fd);
        if (r < 0)
                return r;

        return wait_until_up_from_inside(o->boot_timeout ? o->boot_timeout : 60 * USEC_PER_SEC);
}

int ts_sandbox_boot(const TsSandboxOptions *o, TsSandbox **ret) {
        if (geteuid() != 0)
                return -EPERM;

        const char *root = o->root ? o->root : "/";
        struct stat st;
        if (stat(root, &st) < 0)
                return negative_errno();
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        const char *systemd_path;
        int r = ts_sandbox_fs_find_systemd(root, &systemd_path);
        if (r < 0)
                return r;

        TsSandbox *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->lock_fd = s->own_pidns_fd = s->warden_fd = -EBADF;
        s->cwd = getcwd(NULL, 0);
        if (!s->cwd)
                r = negative_errno();
        if (r >= 0)
                r = boot(s, o, root, systemd_path);
        if (r < 0) {
                (void)ts_sandbox_destroy(s);
                return r;
        }
        *ret = s;
        return 0;
}

/* A command inside: born in the sandbox's PID namespace (this process's children are), then it
 * joins the cgroup subtree and the sandbox's root before exec. */
int ts_sandbox_spawn(TsSandbox *s, char *const argv[], bool foreground, pid_t *ret_pid, int *ret_pidfd) {
        int fd;
        pid_t pid = fork_reporting(&fd);
        if (pid < 0)
                return pid;
        if (pid == 0) {
                /* Its own process group: process groups cross PID namespaces, and a kill(0, …)
                 * inside must not reach the sandbox's owner. */
                if (setpgid(0, 0) < 0)
                        report_child_error(fd, negative_errno());
                if (foreground) {
                        (void)signal(SIGTTOU, SIG_IGN);
                        (void)tcsetpgrp(STDIN_FILENO, getpid());
                        (void)signal(SIGTTOU, SIG_DFL);
                }
                int r = ts_sandbox_cgroups_join(s->cgroups, true);
                if (r < 0)
                        report_child_error(fd, r);
                if (unshare(CLONE_NEWCGROUP) < 0 || chdir(TS_SANDBOX_ROOT) < 0 || chroot(".") < 0)
                        report_child_error(fd, negative_errno());
                if (chdir(s->cwd) < 0)
                        (void)chdir("/");
                execvp(argv[0], argv);
                report_child_error(fd, negative_errno());
        }

        (void)setpgid(pid, pid); /* also from here, so that it holds before either side goes on */
        int r = ts_child_collect(fd);
        if (r < 0) {
                (void)waitpid(pid, NULL, 0);
                return r;
        }
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        pid_t *n = realloc(s->commands, (s->n_commands + 1) * sizeof(pid_t));
        if (pidfd < 0 || !n) {
                r = pidfd < 0 ? negative_errno() : -ENOMEM;
                if (pidfd >= 0)
                        close(pidfd);
                if (n)
                        s->commands = n;
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                return r;
        }
        s->commands = n;
        s->commands[s->n_commands++] = pid;
        *ret_pid = pid;
        *ret_pidfd = pidfd;
        return 0;
}

int ts_sandbox_destroy(TsSandbox *s) {
        if (!s)
                return 0;
        if (s->systemd_pid > 0) {
                /* Killing PID 1 of the namespace makes the kernel kill every process in it, once none
                 * is frozen. */
                (void)kill(s->systemd_pid, SIGKILL);
                ts_sandbox_cgroups_thaw(s->cgroups);
                /* Commands the caller already reaped give ECHILD here, which is fine. */
                for (size_t i = 0; i < s->n_commands; i++)
                        (void)waitpid(s->commands[i], NULL, 0);
                (void)waitpid(s->systemd_pid, NULL, 0);
        }
        if (s->own_pidns_fd >= 0) {
                /* Children forked after this (LeakSanitizer's, say) need a living namespace. */
                (void)setns(s->own_pidns_fd, CLONE_NEWPID);
                close(s->own_pidns_fd);
        }
        if (s->mounted)
                (void)umount2("/run", MNT_DETACH); /* the staging tmpfs and all mounts below it */
        int left = ts_sandbox_cgroups_remove(s->cgroups);
        /* The caller's processes (the warden's too) go back before the lock goes. */
        ts_sandbox_cgroups_release(s->cgroups);
        ts_sandbox_cgroups_free(s->cgroups);
        if (s->lock_fd >= 0)
                close(s->lock_fd);
        if (s->warden_fd >= 0)
                close(s->warden_fd);
        if (s->warden_pid > 0)
                (void)waitpid(s->warden_pid, NULL, 0); /* it checks once more, then lets the lock go */
        free(s->commands);
        free(s->cwd);
        free(s);
        return left;
}

uint64_t ts_sandbox_guard(const TsSandbox *s) {
        return s->guard;
}
