/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the cgroup hierarchies are mounted and in which mode (legacy, hybrid, unified), read from
 * a mount table, and where a process sits in each hierarchy, read from /proc/PID/cgroup. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum TsCgroupMode {
        TS_CGROUP_LEGACY,  /* only v1 hierarchies */
        TS_CGROUP_HYBRID,  /* v1 controllers plus an empty cgroup2 (usually /sys/fs/cgroup/unified) */
        TS_CGROUP_UNIFIED, /* cgroup2 at /sys/fs/cgroup */
        _TS_CGROUP_MODE_MAX,
        _TS_CGROUP_MODE_INVALID = -EINVAL,
} TsCgroupMode;

const char *ts_cgroup_mode_to_string(TsCgroupMode m);

typedef struct TsCgroupHierarchy {
        char *mount_point; /* "/sys/fs/cgroup/pids", or "/sys/fs/cgroup" when unified */
        char *root;        /* the mount's root inside the hierarchy (mountinfo field 4), usually "/" */
        bool unified;      /* cgroup2 */
        bool read_only;    /* the mount (per-mount or superblock flags) is read-only */
        /* v1: the controllers from the super options as the kernel lists them, comma separated
         * ("pids", "cpu,cpuacct", "name=systemd"). v2: NULL after parsing; ts_cgroup_layout_load()
         * fills it from <mount_point>/cgroup.controllers (space separated, as the kernel writes it). */
        char *controllers;
} TsCgroupHierarchy;

typedef struct TsCgroupLayout {
        TsCgroupMode mode;
        TsCgroupHierarchy *hierarchies;
        size_t n_hierarchies;
} TsCgroupLayout;

/* Parses /proc/self/mountinfo text, keeping cgroup and cgroup2 mounts under /sys/fs/cgroup.
 * -ENOMEDIUM if there are none; -EINVAL on a malformed line. */
int ts_cgroup_layout_parse(const char *mountinfo, TsCgroupLayout *ret);
/* Same, from this process's /proc/self/mountinfo; also fills v2 controllers. */
int ts_cgroup_layout_load(TsCgroupLayout *ret);
void ts_cgroup_layout_done(TsCgroupLayout *l);

/* The hierarchy that carries the pids controller (v1 "pids", or the unified one listing "pids"),
 * or NULL. */
const TsCgroupHierarchy *ts_cgroup_layout_find_pids(const TsCgroupLayout *l);

/* From /proc/PID/cgroup text, the path of that process inside hierarchy h: v1 lines are matched by
 * their controller list, v2 by the "0::" line. -ENOENT if h is not listed. */
int ts_cgroup_path_of(const char *proc_cgroup, const TsCgroupHierarchy *h, char **ret);
