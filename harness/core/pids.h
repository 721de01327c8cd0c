/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pids controller's files of one cgroup, v1 or v2: pids.current, pids.max and the kernel's
 * count of refused forks in pids.events ("max N"), the direct evidence that a limit was hit. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct TsPidsSample {
        uint64_t current;
        uint64_t max;        /* UINT64_MAX: "max", no limit */
        uint64_t events_max; /* forks refused at this cgroup's limit */
        int error;           /* 0, or why the files could not be read */
} TsPidsSample;

/* The directory of a cgroup (as ControlGroup names it) in the hierarchy that has the pids
 * controller: "/sys/fs/cgroup/pids/system.slice/x.scope" on v1. */
int ts_pids_cgroup_dir(const char *control_group, char **ret);
/* Reads the three files; a sample that could not be read has error set (and returns it). */
int ts_pids_sample(const char *dir, TsPidsSample *ret);
/* Reads one pids file of the cgroup whose directory dirfd is: "pids.max" and "pids.current" (a
 * number, "max" as UINT64_MAX), or the "max N" count of "pids.events" and "pids.events.local".
 * No allocation: made for walks over thousands of cgroups. -ENOENT when the file is absent (the
 * root cgroup has none), -ENODATA for an events file without a "max" line. */
int ts_pids_read_at(int dirfd, const char *name, uint64_t *ret);
/* The forks refused at this cgroup's own limit where the kernel counts them apart: cgroup v2's
 * pids.events.local (Linux 6.11 on, where pids.events became hierarchical: it adds up the limits of
 * the whole subtree). Elsewhere pids.events, which counts forks refused to this cgroup's own tasks,
 * at its limit or an ancestor's (v1, and v2 before 6.11). *ret_local says which was read. */
int ts_pids_refused_at(int dirfd, uint64_t *ret, bool *ret_local);
