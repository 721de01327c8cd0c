/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads pids.current, pids.max and pids.events of a cgroup. */
#include <inttypes.h>
#include <limits.h>

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

/* pids.events: "max N" (v2 may add more lines later). */
static int read_events_max(const char *dir, uint64_t *ret) {
        char path[PATH_MAX];
        int r = path_printf(path, sizeof path, "%s/pids.events", dir);
        _cleanup_(freep) char *text = NULL;
        if (r >= 0)
                r = ts_read_full_file(path, 4096, &text, NULL);
        if (r < 0)
                return r;
        for (char *line = text; line && *line;) {
                char *end = strchrnul(line, '\n');
                if (strneq(line, "max ", 4)) {
                        *end = 0;
                        return ts_safe_atou64(line + 4, ret);
                }
                line = *end ? end + 1 : end;
        }
        return -ENODATA;
}

int ts_pids_sample(const char *dir, TsPidsSample *ret) {
        TsPidsSample s = {};
        char path[PATH_MAX];
        int r = path_printf(path, sizeof path, "%s/pids.current", dir);
        if (r >= 0)
                r = ts_read_u64_or_max_file(path, &s.current);
        if (r >= 0)
                r = path_printf(path, sizeof path, "%s/pids.max", dir);
        if (r >= 0)
                r = ts_read_u64_or_max_file(path, &s.max);
        if (r >= 0)
                r = read_events_max(dir, &s.events_max);
        s.error = r < 0 ? r : 0;
        *ret = s;
        return r;
}
