/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pids controller's files of one cgroup, v1 or v2: pids.current, pids.max and the kernel's
 * count of refused forks in pids.events ("max N"), the direct evidence that a limit was hit. */
#pragma once

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
