/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Transient scopes: StartTransientUnit with PIDs, TasksAccounting and a limit; StopUnit. Both wait
 * for their job through JobRemoved, subscribed before the call so the signal cannot be missed. */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "bus.h"
#include "fileio.h"
#include "guard.h"
#include "macro.h"
#include "scope.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

typedef int (*AppendFn)(sd_bus_message *m, const void *userdata);

/* The properties every unit of the harness gets, and its limit (none when limit is NULL). */
static int append_common(sd_bus_message *m, const char *description, const TsTasksLimit *limit) {
        int r = sd_bus_message_append(m, "(sv)(sv)(sv)", "Description", "s", description, "TasksAccounting",
                                      "b", 1, "CollectMode", "s", "inactive-or-failed");
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
        const char *slice;               /* the storm's own slice, or the guard slice */
        const TsTasksLimit *slice_limit; /* create the storm's slice, with this limit */
        const TsTasksLimit *guard;       /* create the guard slice too, with this limit */
} ScopeExtra;

static int append_scope_extra(sd_bus_message *m, const void *userdata) {
        const ScopeExtra *e = userdata;
        int r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t)e->pid);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "Slice", "s", e->slice);
        return r;
}

/* A transient slice that stops by itself once nothing in it runs (StopWhenUnneeded=yes), so a
 * killed harness leaves no slice behind. */
static int append_slice_unit(sd_bus_message *m, const char *name, const char *description,
                             const TsTasksLimit *limit) {
        int r = sd_bus_message_open_container(m, 'r', "sa(sv)");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = append_common(m, description, limit);
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
        if (e->guard)
                r = append_slice_unit(m, TS_GUARD_SLICE, "taskstorm guard: every storm of this machine",
                                      e->guard);
        if (r >= 0 && e->slice_limit)
                r = append_slice_unit(m, e->slice, "taskstorm storm slice", e->slice_limit);
        return r;
}

/* The guard slice as it is now: -ENOENT when it can be made afresh (not loaded, or loaded as a
 * mere name: inactive and with no file, as systemd loads a slice that something referred to);
 * else its TasksMax and whether a unit file defines it (then it is not taskstorm's). */
static int guard_slice_state(sd_bus *bus, uint64_t *ret_tasks_max, bool *ret_has_file) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit", &error, &reply, "s",
                                   TS_GUARD_SLICE);
        if (r < 0)
                return -ENOENT;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        _cleanup_(freep) char *active = NULL, *fragment = NULL;
        uint64_t tasks_max;
        bool has_tasks_max;
        /* the Unit interface's and the Slice's, in one reply */
        const TsBusProperty props[] = {
                { "ActiveState", "s", &active, NULL },
                { "FragmentPath", "s", &fragment, NULL },
                { "TasksMax", "t", &tasks_max, &has_tasks_max },
        };
        r = ts_bus_get_all(bus, path, "", props, ELEMENTSOF(props));
        ANALYZER_OWNED_BY_CLEANUP(active, fragment);
        if (r < 0)
                return r;
        if (!active || !fragment || !has_tasks_max)
                return -EBADMSG;
        /* A transient unit's file is under /run/systemd/transient: taskstorm's own. */
        bool has_file =
                *fragment && !strneq(fragment, "/run/systemd/transient/", STRLEN("/run/systemd/transient/"));
        if (streq(active, "inactive") && !*fragment)
                return -ENOENT;
        *ret_tasks_max = tasks_max;
        *ret_has_file = has_file;
        return 0;
}

/* Lowers a guard slice that a taskstorm of another moment made with more room than there is now. */
static int guard_slice_lower(sd_bus *bus, uint64_t guard) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        return sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties", &error, NULL,
                                  "sba(sv)", TS_GUARD_SLICE, 1, 1, "TasksMax", "t", guard);
}

int ts_scope_start(sd_bus *bus, const char *name, pid_t pid, const TsTasksLimit *limit, const char *slice,
                   const TsTasksLimit *slice_limit, usec_t timeout, uint64_t *ret_guard) {
        /* A storm's own slice is "taskstorm-x.slice", a child of the guard slice. */
        if (!has_suffix(name, ".scope") ||
            (slice &&
             (!has_suffix(slice, ".slice") || !strneq(slice, "taskstorm-", STRLEN("taskstorm-")))) ||
            (slice_limit && !slice) || (slice && !slice_limit))
                return -EINVAL;

        TsHostCapacity cap;
        int r = ts_host_capacity(&cap);
        if (r < 0)
                return r;
        if (cap.available == 0)
                return -ENOSPC;
        TsTasksLimit guard = { .kind = TS_TASKS_LIMIT_NUMBER, .value = cap.available };

        usec_t delay = 5 * USEC_PER_MSEC;
        for (int attempt = 0;; attempt++) {
                ScopeExtra e = { .pid = pid,
                                 .slice = slice ? slice : TS_GUARD_SLICE,
                                 .slice_limit = slice_limit };
                uint64_t now_max = 0;
                bool has_file = false;
                r = guard_slice_state(bus, &now_max, &has_file);
                if (r == -ENOENT)
                        e.guard = &guard; /* made with the scope, in one transaction */
                else if (r < 0)
                        return r;
                else if (has_file)
                        return -ENOTUNIQ; /* a unit file of that name, which taskstorm never writes */
                else if (now_max > cap.available) {
                        r = guard_slice_lower(bus, cap.available);
                        if (r < 0)
                                return r;
                }
                r = start_transient(bus, name, "taskstorm storm scope", limit, append_scope_extra,
                                    append_scope_aux, &e, timeout);
                /* Another taskstorm made the guard slice between the look and the start: use it. */
                if (r == -EEXIST && e.guard && attempt == 0)
                        continue;
                /* The guard slice of the storm before is still stopping (it stops when unneeded), and
                 * systemd refuses a start that would undo that stop job ("transaction is destructive"):
                 * once the stop is done, the slice is made afresh. No event says when; bounded back-off. */
                if (r == -EDEADLK && attempt < 8) {
                        ts_sleep_backoff(&delay, 200 * USEC_PER_MSEC);
                        continue;
                }
                if (r >= 0 && ret_guard)
                        *ret_guard = e.guard || now_max > cap.available ? cap.available : now_max;
                return r;
        }
}

int ts_unit_stop(sd_bus *bus, const char *name, usec_t timeout) {
        return ts_unit_job(bus, "StopUnit", name, "fail", timeout);
}

static int scope_place(void *userdata, pid_t pid, uint64_t limit) {
        TsScopePlacer *s = userdata;
        TsTasksLimit l = { .kind = TS_TASKS_LIMIT_NUMBER, .value = limit };
        (void)snprintf(s->name, sizeof s->name, "taskstorm-probe-%d.scope", (int)getpid());
        return ts_scope_start(s->bus, s->name, pid, &l, NULL, NULL, s->timeout, NULL);
}

static int scope_unplace(void *userdata) {
        TsScopePlacer *s = userdata;
        int r = ts_unit_stop(s->bus, s->name, s->timeout);
        return r == -ENOENT ? 0 : r; /* a scope stops by itself once empty */
}

void ts_scope_placer_init(TsScopePlacer *s, sd_bus *bus, usec_t timeout, TsPidsPlacer *ret) {
        *s = (TsScopePlacer){ .bus = bus, .timeout = timeout };
        *ret = (TsPidsPlacer){
                .where = "a transient scope",
                .place = scope_place,
                .unplace = scope_unplace,
                .userdata = s,
        };
}

/* The probe's scope is a job of systemd's: start and stop each wait this long at most. */
#define PROBE_JOB_TIMEOUT (30 * USEC_PER_SEC)

int ts_scope_sysinfo_gather(sd_bus *bus, TsSysinfo *ret) {
        if (!bus)
                return ts_sysinfo_gather(ret);
        TsScopePlacer scope;
        TsPidsPlacer placer;
        ts_scope_placer_init(&scope, bus, PROBE_JOB_TIMEOUT, &placer);
        return ts_sysinfo_gather_with(&placer, ret);
}
