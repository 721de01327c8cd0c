/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads pids.current, pids.max and pids.events of a cgroup. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>

#include "cgroup-layout.h"
#include "fileio.h"
#include "macro.h"
#include "pids.h"

int ts_pids_cgroup_dir(const char *control_group, char **ret) {
        _cleanup_(ts_cgroup_layout_done) TsCgroupLayout layout = { .mode = _TS_CGROUP_MODE_INVALID };
        int r = ts_cgroup_layout_load(&layout);
        if (r < 0)
                return r;
        const TsCgroupHierarchy *h = ts_cgroup_layout_find_pids(&layout);
        if (!h)
                return -ENOMEDIUM;
        char *p = NULL;
        if (asprintf(&p, "%s%s", h->mount_point, streq(control_group, "/") ? "" : control_group) < 0)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* The value of a pids file: pids.max and pids.current hold a number ("max" in pids.max), the
 * pids.events files a "max N" line among others (v2 added more lines later). */
static int parse_pids_value(char *text, bool events, uint64_t *ret) {
        if (!events) {
                text[strcspn(text, "\n")] = 0;
                if (!streq(text, "max"))
                        return ts_safe_atou64(text, ret);
                *ret = UINT64_MAX;
                return 0;
        }
        for (char *line = text; *line;) {
                char *end = strchrnul(line, '\n');
                bool last = *end == 0;
                *end = 0;
                if (strneq(line, "max ", 4))
                        return ts_safe_atou64(line + 4, ret);
                line = last ? end : end + 1;
        }
        return -ENODATA;
}

int ts_pids_read_at(int dirfd, const char *name, uint64_t *ret) {
        /* These files are a line or two: one read() into the stack, no allocation, as a walk over
         * thousands of cgroups wants. */
        char text[256];
        _cleanup_(closep) int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        ssize_t n = read(fd, text, sizeof text - 1);
        if (n < 0)
                return negative_errno();
        text[n] = 0;
        return parse_pids_value(text, strneq(name, "pids.events", STRLEN("pids.events")), ret);
}

int ts_pids_refused_at(int dirfd, uint64_t *ret, bool *ret_local) {
        int r = ts_pids_read_at(dirfd, "pids.events.local", ret);
        bool local = r >= 0;
        if (r == -ENOENT)
                r = ts_pids_read_at(dirfd, "pids.events", ret);
        if (r >= 0 && ret_local)
                *ret_local = local;
        return r;
}

int ts_pids_sample(const char *dir, TsPidsSample *ret) {
        TsPidsSample s = {};
        _cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = fd < 0 ? negative_errno() : ts_pids_read_at(fd, "pids.current", &s.current);
        if (r >= 0)
                r = ts_pids_read_at(fd, "pids.max", &s.max);
        if (r >= 0)
                r = ts_pids_read_at(fd, "pids.events", &s.events_max);
        s.error = r < 0 ? r : 0;
        *ret = s;
        return r;
}
