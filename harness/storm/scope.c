/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Transient scopes: StartTransientUnit with PIDs, TasksAccounting and a limit; StopUnit. Both wait
 * for their job through JobRemoved, subscribed before the call so the signal cannot be missed. */
#include <stdbool.h>
#include <stdio.h>

#include "bus.h"
#include "fileio.h"
#include "macro.h"
#include "scope.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

typedef int (*AppendFn)(sd_bus_message *m, const void *userdata);

/* The properties every unit of the harness gets, and its limit (none when limit is NULL). */
static int append_common(sd_bus_message *m, const char *description, const TsTasksLimit *limit) {
        int r = sd_bus_message_append(m, "(sv)(sv)(sv)", "Description", "s", description, "TasksAccounting", "b", 1,
                                      "CollectMode", "s", "inactive-or-failed");
        if (r >= 0 && limit)
                r = ts_tasks_limit_append(m, limit);
        return r;
}

/* StartTransientUnit with the common properties, the limit, what append_more adds, and the
 * auxiliary units that append_aux adds (created in the same transaction). */
static int start_transient(sd_bus *bus, const char *name, const char *description, const TsTasksLimit *limit,
                           AppendFn append_more, AppendFn append_aux, const void *userdata, usec_t timeout) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", name, "fail");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = append_common(m, description, limit);
        if (r >= 0 && append_more)
                r = append_more(m, userdata);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sa(sv))");
        if (r >= 0 && append_aux)
                r = append_aux(m, userdata);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return ts_job_call_and_wait(bus, m, timeout);
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n > k && streq(s + n - k, suffix);
}

typedef struct ScopeExtra {
        pid_t pid;
        const char *slice;
        const TsTasksLimit *slice_limit; /* create the slice, with this limit */
        const char *parent;              /* and its parent slice, which does not exist yet */
} ScopeExtra;

static int append_scope_extra(sd_bus_message *m, const void *userdata) {
        const ScopeExtra *e = userdata;
        int r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t)e->pid);
        if (r >= 0 && e->slice)
                r = sd_bus_message_append(m, "(sv)", "Slice", "s", e->slice);
        return r;
}

/* A transient slice that stops by itself once nothing in it runs (StopWhenUnneeded=yes), so a
 * killed harness leaves no slice behind. */
static int append_slice_unit(sd_bus_message *m, const char *name, const TsTasksLimit *limit) {
        int r = sd_bus_message_open_container(m, 'r', "sa(sv)");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = append_common(m, "taskstorm storm slice", limit);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "StopWhenUnneeded", "b", 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int append_scope_aux(sd_bus_message *m, const void *userdata) {
        const ScopeExtra *e = userdata;
        int r = 0;
        if (e->parent)
                r = append_slice_unit(m, e->parent, NULL);
        if (r >= 0 && e->slice_limit)
                r = append_slice_unit(m, e->slice, e->slice_limit);
        return r;
}

static bool unit_loaded(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        return sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit", &error, &reply, "s", name) >= 0;
}

int ts_scope_start(sd_bus *bus, const char *name, pid_t pid, const TsTasksLimit *limit, const char *slice,
                   const TsTasksLimit *slice_limit, usec_t timeout) {
        if (!has_suffix(name, ".scope") || (slice && !has_suffix(slice, ".slice")) || (slice_limit && !slice))
                return -EINVAL;
        ScopeExtra e = { .pid = pid, .slice = slice, .slice_limit = slice_limit };

        /* "a-b.slice" lives in "a.slice": created with it when missing, so that it goes away too. */
        char parent[256] = "";
        const char *dash = slice_limit ? strrchr(slice, '-') : NULL;
        if (dash && (size_t)(dash - slice) < sizeof parent - STRLEN(".slice")) {
                snprintf(parent, sizeof parent, "%.*s.slice", (int)(dash - slice), slice);
                if (!unit_loaded(bus, parent))
                        e.parent = parent;
        }
        return start_transient(bus, name, "taskstorm storm scope", limit, append_scope_extra, append_scope_aux, &e,
                               timeout);
}

int ts_unit_stop(sd_bus *bus, const char *name, usec_t timeout) {
        return ts_unit_job(bus, "StopUnit", name, "fail", timeout);
}
