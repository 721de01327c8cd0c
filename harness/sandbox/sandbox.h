/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A private systemd booted as PID 1 of new PID, mount, network, UTS and IPC namespaces, on an
 * overlay of the host's root (or of a distro root file system), so that nothing it writes reaches
 * the host. Its cgroups live in a subtree of the caller's own cgroup in every hierarchy.
 *
 * ts_sandbox_boot() makes the calling process's mount and network namespaces private: call it
 * from a process that does nothing else with them (the sandbox verb). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "time-util.h"

typedef struct TsSandboxOptions {
        const char *root;    /* a distro root file system, or NULL for the host's "/" */
        char **binds;        /* host directories bound read-write at the same path, NULL-terminated */
        bool bind_cwd;       /* also bind the current directory (the default of the CLI) */
        bool pids_read_only; /* bind the pids controller read-only (cgroup v1), as systemd-nspawn does:
                              * a broken machine where TasksMax is not enforced, for tests */
        uint64_t guard;      /* pids.max of the sandbox's cgroup subtree; 0: what the host can give
                              * (ts_host_capacity()'s available) */
        usec_t boot_timeout;
} TsSandboxOptions;

typedef struct TsSandbox TsSandbox;

/* Where the sandbox's root file system is mounted, as the booting process sees it. */
#define TS_SANDBOX_ROOT "/run/root"
/* Name of each sandbox's cgroup subtree: taskstorm-sandbox-<pid of the booting process>. */
#define TS_SANDBOX_CGROUP_PREFIX "taskstorm-sandbox-"
/* cgroup v2: the leaf of the caller's cgroup where its processes wait while the sandbox runs, so
 * that the cgroup can hand controllers down: taskstorm-caller-<pid of the booting process>. */
#define TS_SANDBOX_CALLER_PREFIX "taskstorm-caller-"
#define TS_SANDBOX_COMMAND_CGROUP "taskstorm-command"
/* Exit status of a forked child that failed before exec (its errno goes through a pipe). */
#define TS_SANDBOX_CHILD_FAILED 127

/* The sandbox's cgroup subtree gets the guard as its pids.max before anything runs in it, and a
 * warden process (its own session, outside the sandbox) outlives the caller however it dies: it
 * then kills whatever is left in the subtree, removes it, and only then lets the lock go.
 * Errors: -EPERM not root; -E2BIG a guard above what the host can give, -ENOSPC the host can give
 * no task at all; -ENOENT/-ENOTDIR bad root; -ENOPKG no systemd in the root;
 * -EBUSY another sandbox holds the lock; -ECHILD systemd died while booting; -ETIMEDOUT;
 * -ENOTEMPTY (cgroup v2) the caller's cgroup keeps processes and cannot hand pids down. */
int ts_sandbox_boot(const TsSandboxOptions *o, TsSandbox **ret);

/* Starts argv inside the sandbox (its PID namespace, root, and cgroup subtree), in the current
 * directory where it exists there, leading a process group of its own; with foreground, that
 * group becomes the terminal's foreground group (as a shell does), so ^C reaches the command.
 * Returns the child's PID and a pidfd for waiting.
 * -ENOENT / -EACCES / -ENOEXEC when the command cannot be executed. */
int ts_sandbox_spawn(TsSandbox *s, char *const argv[], bool foreground, pid_t *ret_pid, int *ret_pidfd);

/* Kills everything in the sandbox (PID 1 first, so the kernel empties the namespace), waits for
 * it, removes the cgroup directories the sandbox created and unmounts its file systems. Runs from
 * any state. Returns the number of cgroup directories that could not be removed (0 normally). */
int ts_sandbox_destroy(TsSandbox *s);

/* Internal pieces, one file each. */
typedef struct TsSandboxCgroups TsSandboxCgroups;
int ts_sandbox_cgroups_create(pid_t owner, bool pids_read_only, TsSandboxCgroups **ret);
/* Moves the calling process into the subtree: its root for systemd, a command's place for a
 * command (the root on v1, the leaf TS_SANDBOX_COMMAND_CGROUP below it on v2). */
int ts_sandbox_cgroups_join(const TsSandboxCgroups *c, bool command);
/* Writes max as pids.max of the subtree (enabling the controller below the parent on v2).
 * -ENOMEDIUM: no pids hierarchy. */
int ts_sandbox_cgroups_guard(const TsSandboxCgroups *c, uint64_t max);
int ts_sandbox_cgroups_bind(const TsSandboxCgroups *c, const char *root);
int ts_sandbox_cgroups_remove(TsSandboxCgroups *c);
/* cgroup v2, after the removal: the caller's cgroup stops handing down what it enabled for the
 * sandbox, and its processes come back from their leaf. Again is harmless. */
void ts_sandbox_cgroups_release(TsSandboxCgroups *c);
/* Thaws every frozen cgroup of the subtree (v1 freezer.state, v2 cgroup.freeze): a frozen task
 * cannot die, and the namespace's PID 1 waits for all of them. */
void ts_sandbox_cgroups_thaw(const TsSandboxCgroups *c);
void ts_sandbox_cgroups_free(TsSandboxCgroups *c);

int ts_sandbox_fs_prepare(int lower_fd, const int *bind_fds, char *const *bind_paths, size_t n_binds,
                          const TsSandboxCgroups *cgroups);
int ts_sandbox_fs_find_systemd(const char *root, const char **ret_path);

/* The pids.max that the sandbox's subtree got. */
uint64_t ts_sandbox_guard(const TsSandbox *s);
