/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guard's numbers: the kernel's limits, the tasks running, and the pids.max of every cgroup
 * from this process's own up to the root of the pids hierarchy it sees. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include "cgroup-layout.h"
#include "fileio.h"
#include "guard.h"
#include "macro.h"
#include "pids.h"

uint64_t ts_guard_reserve(uint64_t limit) {
        uint64_t r = limit / 8;
        return r < TS_GUARD_RESERVE_MIN ? TS_GUARD_RESERVE_MIN : r;
}

/* The fourth field of /proc/loadavg, "running/total": total is every task (thread) of the machine,
 * whatever PID namespace reads it. */
static int read_running(uint64_t *ret) {
        _cleanup_(freep) char *line = NULL;
        int r = ts_read_one_line_file("/proc/loadavg", &line);
        if (r < 0)
                return r;
        uint64_t total;
        if (sscanf(line, "%*s %*s %*s %*u/%" SCNu64, &total) != 1)
                return -EBADMSG;
        *ret = total;
        return 0;
}

/* Walks from this process's cgroup up to the root of the pids hierarchy it sees, keeping the
 * cgroup with the least room left. A process in a sandbox sees the sandbox's subtree as its root,
 * and that subtree's pids.max is the sandbox's guard. No pids controller: no cgroup bound. */
static void tightest_cgroup(TsHostCapacity *c) {
        c->cgroup_max = c->cgroup_current = UINT64_MAX;
        _cleanup_(freep) char *self = NULL, *own = NULL, *dir = NULL;
        _cleanup_(ts_cgroup_layout_done) TsCgroupLayout layout = { .mode = _TS_CGROUP_MODE_INVALID };
        if (ts_cgroup_layout_load(&layout) < 0 ||
            ts_read_full_file("/proc/self/cgroup", 1 << 20, &self, NULL) < 0)
                return;
        const TsCgroupHierarchy *h = ts_cgroup_layout_find_pids(&layout);
        if (!h || ts_cgroup_path_of(self, h, &own) < 0)
                return;
        /* A mount of a subtree (inside a container) shows paths relative to its root. */
        const char *rel = own;
        size_t n = strlen(h->root);
        if (!streq(h->root, "/") && strneq(own, h->root, n))
                rel = own + n;
        if (ts_pids_cgroup_dir(*rel ? rel : "/", &dir) < 0)
                return;
        size_t root_len = strlen(h->mount_point);
        uint64_t best_room = UINT64_MAX;
        for (;;) {
                TsPidsSample s;
                if (ts_pids_sample(dir, &s) >= 0 && s.max != UINT64_MAX) {
                        uint64_t room = s.max > s.current ? s.max - s.current : 0;
                        if (room < best_room) {
                                best_room = room;
                                c->cgroup_max = s.max;
                                c->cgroup_current = s.current;
                                snprintf(c->cgroup_dir, sizeof c->cgroup_dir, "%s", dir);
                        }
                }
                char *slash = strrchr(dir, '/');
                if (!slash || (size_t)(slash - dir) < root_len)
                        break;
                *slash = 0;
        }
}

int ts_root_pids_max(uint64_t *ret) {
        _cleanup_(freep) char *root = NULL;
        TsPidsSample s;
        int r = ts_pids_cgroup_dir("/", &root);
        if (r >= 0)
                r = ts_pids_sample(root, &s);
        if (r < 0)
                return r;
        if (s.max == UINT64_MAX)
                return -ENOENT;
        *ret = s.max;
        return 0;
}

int ts_host_capacity(TsHostCapacity *ret) {
        TsHostCapacity c = {};
        int r = ts_read_u64_or_max_file("/proc/sys/kernel/pid_max", &c.pid_max);
        if (r >= 0)
                r = ts_read_u64_or_max_file("/proc/sys/kernel/threads-max", &c.threads_max);
        if (r >= 0)
                r = read_running(&c.running);
        if (r < 0)
                return r;
        uint64_t limit = c.pid_max < c.threads_max ? c.pid_max : c.threads_max;
        c.reserve = ts_guard_reserve(limit);
        c.kernel_room = limit > c.running + c.reserve ? limit - c.running - c.reserve : 0;
        c.available = c.kernel_room;
        tightest_cgroup(&c);
        if (c.cgroup_max != UINT64_MAX) {
                uint64_t room = c.cgroup_max > c.cgroup_current ? c.cgroup_max - c.cgroup_current : 0;
                if (room < c.available)
                        c.available = room;
        }
        *ret = c;
        return 0;
}
