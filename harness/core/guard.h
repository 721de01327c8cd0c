/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guard: how many tasks a storm may take without starving the rest of the machine. Every
 * task of a storm, even inside a sandbox's PID namespace, takes a PID in the host's namespace, so
 * the host's kernel.pid_max and kernel.threads-max bound all storms together. The guard is that
 * bound, less the tasks already running and a reserve for everything else, and less again where a
 * pids.max above this process (a sandbox's subtree, a container) leaves less room. */
#pragma once

#include <stdint.h>

typedef struct TsHostCapacity {
        uint64_t pid_max;        /* kernel.pid_max as this PID namespace reads it */
        uint64_t threads_max;    /* kernel.threads-max */
        uint64_t running;        /* tasks on the whole machine now (/proc/loadavg) */
        uint64_t reserve;        /* kept back for the rest of the machine */
        uint64_t kernel_room;    /* min(pid_max, threads_max) - running - reserve, or 0 */
        uint64_t cgroup_max;     /* the tightest pids.max above this process, UINT64_MAX none */
        uint64_t cgroup_current; /* pids.current of that cgroup */
        char cgroup_dir[256];    /* and its directory, "" none */
        uint64_t available;      /* what storms may take: the lower of the two rooms */
} TsHostCapacity;

/* The reserve: an eighth of the kernel's limit, at least this many tasks. */
#define TS_GUARD_RESERVE_MIN 1024

/* Reads the kernel's limits, the machine's task count and the pids.max of every cgroup above this
 * process. Errors: those of reading /proc. */
int ts_host_capacity(TsHostCapacity *ret);

/* The pids.max at the root of the pids hierarchy this process sees: a sandbox's guard, a
 * container's limit. systemd counts it in the system's maximum (DefaultTasksMax, percentages,
 * EffectiveTasksMax). -ENOENT where there is none (the real root has no pids.max). */
int ts_root_pids_max(uint64_t *ret);

/* The reserve kept back from a kernel limit of `limit` tasks. */
uint64_t ts_guard_reserve(uint64_t limit);
