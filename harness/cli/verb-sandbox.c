/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm sandbox [--root DIR] [--bind DIR]... -- CMD [ARG...]: boot a private systemd, run
 * CMD inside with its output streamed, exit with CMD's status, and tear everything down, also on
 * SIGINT, SIGTERM and SIGHUP. */
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "args.h"
#include "exit-status.h"
#include "fileio.h"
#include "log.h"
#include "sandbox.h"
#include "signals.h"
#include "verbs.h"

typedef struct SandboxArgs {
        VerbArgs common;
        TsSandboxOptions o;
        char **binds; /* --bind's, NULL-terminated */
        size_t n_binds;
        char **cmd;
} SandboxArgs;

enum {
        ARG_ROOT = VERB_OPTION_OWN,
        ARG_BIND,
        ARG_NO_BIND_CWD,
        ARG_BOOT_TIMEOUT,
        ARG_GUARD,
        ARG_PIDS_READ_ONLY,
};

static const VerbOption options[] = {
        { .id = ARG_ROOT,
          .name = "root",
          .metavar = "DIR",
          .help = "boot the systemd of this distro root file system instead of the host's" },
        { .id = ARG_BIND,
          .name = "bind",
          .metavar = "DIR",
          .help = "also bind this host directory read-write (repeatable)",
          .flags = VERB_OPTION_REPEATABLE },
        { .id = ARG_NO_BIND_CWD, .name = "no-bind-cwd", .help = "do not bind the current directory" },
        { .id = ARG_BOOT_TIMEOUT,
          .name = "boot-timeout",
          .metavar = "SEC",
          .help = "give up if systemd is not up after SEC seconds (default 60)" },
        { .id = ARG_GUARD,
          .name = "guard",
          .metavar = "N",
          .help = "pids.max of the sandbox's cgroup subtree: no more than N tasks in it\n"
                  "(default: what the host can give, as 'taskstorm env' shows)" },
        { .id = ARG_PIDS_READ_ONLY,
          .name = "pids-read-only",
          .help = "bind the pids controller read-only (cgroup v1), as systemd-nspawn\n"
                  "does: a broken machine where TasksMax is not enforced, for tests" },
        {},
};

static int check_dir_argument(const char *option, const char *path) {
        struct stat st;
        if (path[0] != '/')
                return log_error_errno(-EINVAL, "%s %s: not an absolute path.", option, path);
        if (stat(path, &st) < 0)
                return log_error_errno(-EINVAL, "%s %s: %s.", option, path, strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return log_error_errno(-EINVAL, "%s %s: not a directory.", option, path);
        return 0;
}

static int boot_error(int r, const TsSandboxOptions *o) {
        switch (-r) {
        case EPERM:
                return log_error_errno(r, "The sandbox needs root (namespaces, mounts, cgroups).");
        case ENOPKG:
                return log_error_errno(r,
                                       "No systemd in %s (looked for /lib/systemd/systemd and "
                                       "/usr/lib/systemd/systemd).",
                                       o->root ? o->root : "/");
        case EBUSY:
                return log_error_errno(r, "Another taskstorm sandbox is running on this machine; "
                                          "run one at a time.");
        case ECHILD:
                return log_error_errno(r, "The sandbox's systemd exited while booting.");
        case ETIMEDOUT:
                return log_error_errno(r, "The sandbox's systemd was not up after %llu s.",
                                       (unsigned long long)(o->boot_timeout / USEC_PER_SEC));
        case ENOSPC:
                return log_error_errno(r,
                                       "This host has no task to spare for a sandbox: see 'taskstorm env'.");
        case E2BIG:
                return log_error_errno(r, "--guard %" PRIu64 " is more than this host can give now.",
                                       o->guard);
        case ENOMEDIUM:
                return log_error_errno(
                        r, "No writable cgroup hierarchy with the pids controller to give the sandbox.");
        case ENOTEMPTY:
                return log_error_errno(
                        r, "cgroup v2: this process's cgroup keeps processes that could not move "
                           "to a leaf, so it cannot hand the pids controller to the sandbox; "
                           "run taskstorm in a cgroup of its own (systemd-run --scope -p Delegate=yes).");
        default:
                return log_error_errno(r, "Failed to boot the sandbox: %m");
        }
}

/* Waits for the command or a terminating signal; returns the exit status to pass on. */
static int wait_command(int pidfd, pid_t pid, int sigfd, const char *name) {
        struct pollfd fds[] = { { .fd = pidfd, .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };
        for (;;) {
                if (poll(fds, ELEMENTSOF(fds), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(negative_errno(), "Failed to wait for '%s': %m", name);
                }
                int sig = fds[1].revents & POLLIN ? cli_stop_signal_pending(sigfd) : 0;
                if (sig > 0) {
                        log_info("Got %s: stopping the sandbox.", strsignal(sig));
                        return 128 + sig;
                }
                if (fds[0].revents & POLLIN) {
                        siginfo_t si = {};
                        if (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0)
                                return log_error_errno(negative_errno(), "Failed to reap '%s': %m", name);
                        return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
                }
        }
}

int ts_cli_sandbox_run(const TsSandboxOptions *o, char *const cmd[]) {
        /* Blocked from the start: a signal during boot is acted on as soon as boot returns. */
        _cleanup_(closep) int sigfd = cli_stop_signals_fd();
        if (sigfd < 0)
                return log_error_errno(sigfd, "Failed to set up signal handling: %m");

        TsSandbox *s = NULL;
        int r = ts_sandbox_boot(o, &s);
        if (r < 0)
                return boot_error(r, o);

        pid_t pid = 0;
        _cleanup_(closep) int pidfd = -EBADF;
        int sig = cli_stop_signal_pending(sigfd);
        if (sig > 0) {
                log_info("Got %s while booting: stopping the sandbox.", strsignal(sig));
                r = 128 + sig;
        } else {
                /* On a terminal where we are in the foreground, the command takes the foreground
                 * (it leads its own process group); it is given back when the command ends. */
                bool foreground = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
                r = ts_sandbox_spawn(s, cmd, foreground, &pid, &pidfd);
                if (r == -ENOENT) {
                        log_error_errno(r, "%s: command not found in the sandbox.", cmd[0]);
                        r = TS_EXIT_NOT_FOUND;
                } else if (r < 0) {
                        log_error_errno(r, "Failed to execute %s in the sandbox: %m", cmd[0]);
                        r = TS_EXIT_CANNOT_EXEC;
                } else
                        r = wait_command(pidfd, pid, sigfd, cmd[0]);
                if (foreground) {
                        sigset_t ttou;
                        sigemptyset(&ttou);
                        sigaddset(&ttou, SIGTTOU);
                        (void)sigprocmask(SIG_BLOCK, &ttou, NULL);
                        (void)tcsetpgrp(STDIN_FILENO, getpgrp());
                        (void)sigprocmask(SIG_UNBLOCK, &ttou, NULL);
                }
        }

        int left = ts_sandbox_destroy(s);
        if (left > 0)
                log_warning("%d cgroup director%s of the sandbox could not be removed.", left,
                            left == 1 ? "y" : "ies");
        return r;
}

static void sandbox_init(void *userdata) {
        SandboxArgs *a = userdata;
        a->o = (TsSandboxOptions){ .bind_cwd = true, .boot_timeout = 60 * USEC_PER_SEC };
}

static int add_bind(SandboxArgs *a, const char *dir) {
        int r = check_dir_argument("--bind", dir);
        if (r < 0)
                return r;
        char **grown = realloc(a->binds, (a->n_binds + 2) * sizeof(char *));
        if (!grown)
                return log_error_errno(-ENOMEM, "Out of memory.");
        a->binds = grown;
        a->binds[a->n_binds++] = (char *)dir;
        a->binds[a->n_binds] = NULL;
        return 0;
}

static int sandbox_option(void *userdata, int id, const char *value) {
        SandboxArgs *a = userdata;
        struct statfs fs;
        uint64_t u;
        int r;

        switch (id) {
        case ARG_ROOT:
                a->o.root = value;
                return check_dir_argument("--root", value);
        case ARG_BIND:
                return add_bind(a, value);
        case ARG_NO_BIND_CWD:
                a->o.bind_cwd = false;
                return 0;
        case ARG_PIDS_READ_ONLY:
                if (statfs("/sys/fs/cgroup", &fs) >= 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
                        return log_error_errno(-EINVAL,
                                               "--pids-read-only: cgroup v1's broken machine "
                                               "(a read-only pids hierarchy); this host is cgroup v2.");
                a->o.pids_read_only = true;
                return 0;
        case ARG_GUARD:
                r = cli_parse_count("--guard", value, UINT32_MAX, &a->o.guard);
                return r < 0 ? r : cli_check_host_room("--guard", a->o.guard);
        case ARG_BOOT_TIMEOUT:
                if (ts_safe_atou64(value, &u) < 0 || u == 0 || u > 3600)
                        return log_error_errno(-EINVAL,
                                               "--boot-timeout %s: not a number of seconds from 1 to 3600.",
                                               value);
                a->o.boot_timeout = u * USEC_PER_SEC;
                return 0;
        default:
                return -EINVAL;
        }
}

static int sandbox_arguments(void *userdata, int argc, char *argv[]) {
        SandboxArgs *a = userdata;
        if (argc == 0)
                return log_error_errno(-EINVAL,
                                       "No command given: taskstorm sandbox [OPTIONS] -- CMD [ARG...]");
        a->cmd = argv;
        return 0;
}

static void sandbox_done(void *userdata) {
        SandboxArgs *a = userdata;
        free(a->binds);
}

static int sandbox_run(void *userdata) {
        SandboxArgs *a = userdata;
        static char *no_binds[] = { NULL };
        a->o.binds = a->binds ? a->binds : no_binds;
        return ts_cli_sandbox_run(&a->o, a->cmd);
}

const Verb verb_sandbox = {
        .name = "sandbox",
        .summary = "boot a private systemd on an overlay and run a command inside it",
        .flags = VERB_NEEDS_ROOT | VERB_BOOTS_SANDBOX | VERB_RUNS_COMMAND,
        .root_why = "to make namespaces, mounts and cgroups and boot systemd",
        .usage = "[OPTIONS...] [--] CMD [ARG...]",
        .description =
                "Boot a private systemd as PID 1 of new PID, mount, network, UTS and IPC namespaces, on an\n"
                "overlay of the host's root (or of DIR) whose writes land on a tmpfs; run CMD inside with\n"
                "the system bus at its usual path; exit with CMD's status; remove everything again.\n"
                "The current directory is bound read-write at the same path, so CMD can write results.\n",
        .options = options,
        .args_size = sizeof(SandboxArgs),
        .init = sandbox_init,
        .option = sandbox_option,
        .arguments = sandbox_arguments,
        .done = sandbox_done,
        .run = sandbox_run,
};
