/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd-bus plumbing: connect to systemd, read Manager properties and tables of an object's properties
 * (one GetAll each), wait for start-up to finish. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "bus.h"
#include "macro.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

/* systemd's own error names, which libsystemd does not map to errnos by itself. */
static const sd_bus_error_map systemd_errors[] = {
        SD_BUS_ERROR_MAP("org.freedesktop.systemd1.NoSuchUnit", ENOENT),
        SD_BUS_ERROR_MAP("org.freedesktop.systemd1.LoadFailed", EIO),
        SD_BUS_ERROR_MAP("org.freedesktop.systemd1.UnitExists", EEXIST),
        SD_BUS_ERROR_MAP("org.freedesktop.systemd1.UnitMasked", ERFKILL),
        SD_BUS_ERROR_MAP("org.freedesktop.systemd1.JobTypeNotApplicable", EBADR),
        SD_BUS_ERROR_MAP("org.freedesktop.systemd1.TransactionIsDestructive", EDEADLK),
        SD_BUS_ERROR_MAP_END,
};

int ts_bus_error_to_errno(const sd_bus_error *error, int r) {
        static bool registered;
        if (!registered) {
                (void)sd_bus_error_add_map(systemd_errors);
                registered = true;
        }
        int e = sd_bus_error_get_errno(error);
        int result = e > 0 ? -e : r < 0 ? r : -EIO;
        assert(result < 0); /* tells clang's analyzer, which cannot follow the negation */
        return result;
}

static int bus_open_address(const char *address, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

int ts_bus_open_private_at(const char *root_dir, sd_bus **ret) {
        char address[PATH_MAX + 32];
        int n = snprintf(address, sizeof address, "unix:path=%s/run/systemd/private",
                         streq(root_dir, "/") ? "" : root_dir);
        if (n < 0 || (size_t)n >= sizeof address)
                return -ENAMETOOLONG;
        return bus_open_address(address, ret);
}

int ts_bus_open_systemd(sd_bus **ret) {
        if (geteuid() == 0 && access("/run/systemd/private", F_OK) == 0) {
                int r = ts_bus_open_private_at("/", ret);
                if (r >= 0)
                        return r;
        }
        return sd_bus_open_system(ret);
}

bool ts_bus_error_is_disconnect(int r) {
        return r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE || r == -ESHUTDOWN || r == -ECONNABORTED;
}

int ts_bus_open_again(sd_bus *bus, usec_t timeout, sd_bus **ret) {
        if (bus && sd_bus_is_open(bus) > 0) {
                *ret = sd_bus_ref(bus);
                return 0;
        }
        usec_t deadline = ts_now(CLOCK_MONOTONIC) + timeout, delay = 10 * USEC_PER_MSEC;
        for (;;) {
                sd_bus *fresh = NULL;
                int r = ts_bus_open_systemd(&fresh);
                /* A connection is only good once systemd answers on it. */
                uint64_t unused;
                if (r >= 0)
                        r = ts_manager_get_u64(fresh, "DefaultTasksMax", &unused);
                if (r >= 0) {
                        *ret = fresh;
                        return 0;
                }
                sd_bus_flush_close_unref(fresh);
                if (ts_now(CLOCK_MONOTONIC) >= deadline)
                        return r;
                ts_sleep_backoff(&delay, 500 * USEC_PER_MSEC);
        }
}

static const TsBusProperty *property_find(const TsBusProperty *table, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(table[i].name, name))
                        return &table[i];
        return NULL;
}

/* 16 bytes as 32 hex digits, "" when they are not 16 or all zero (a unit that never ran). */
static void id128_format(const uint8_t *id, size_t n, char ret[static 33]) {
        bool zero = true;
        for (size_t i = 0; i < n; i++)
                zero = zero && id[i] == 0;
        ret[0] = 0;
        for (size_t i = 0; n == 16 && !zero && i < n; i++)
                snprintf(ret + 2 * i, 3, "%02x", id[i]);
}

static int string_replace(char **dest, const char *s) {
        char *copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        free(*dest);
        *dest = copy;
        return 0;
}

/* The variant's value into p's destination; -EBADMSG when it has another type than p says. */
static int property_read(sd_bus_message *m, const TsBusProperty *p) {
        int r = sd_bus_message_enter_container(m, 'v', p->type);
        if (r == -ENXIO)
                return -EBADMSG;
        if (r < 0)
                return r;
        if (streq(p->type, "s")) {
                const char *s;
                r = sd_bus_message_read(m, "s", &s);
                if (r >= 0)
                        r = string_replace(p->ret, s);
        } else if (streq(p->type, "as")) {
                char **l = NULL;
                r = sd_bus_message_read_strv(m, &l);
                if (r >= 0) {
                        strv_free(*(char ***)p->ret);
                        *(char ***)p->ret = l;
                }
        } else if (streq(p->type, "ay")) {
                const void *id;
                size_t n;
                r = sd_bus_message_read_array(m, 'y', &id, &n);
                if (r >= 0)
                        id128_format(id, n, p->ret);
        } else if (streq(p->type, "b")) {
                int b;
                r = sd_bus_message_read_basic(m, 'b', &b);
                if (r >= 0)
                        *(bool *)p->ret = b;
        } else if (streq(p->type, "t") || streq(p->type, "u"))
                r = sd_bus_message_read_basic(m, p->type[0], p->ret);
        else
                r = -EINVAL; /* a type the table may not ask for */
        if (r < 0)
                return r;
        if (p->found)
                *p->found = true;
        return sd_bus_message_exit_container(m);
}

int ts_bus_properties_parse(sd_bus_message *reply, const TsBusProperty *table, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (table[i].found)
                        *table[i].found = false;
        int r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *name;
                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        return r;
                const TsBusProperty *p = property_find(table, n, name);
                r = p ? property_read(reply, p) : sd_bus_message_skip(reply, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(reply);
}

int ts_bus_get_all(sd_bus *bus, const char *path, const char *interface, const TsBusProperty *table,
                   size_t n) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, SD_DEST, path, "org.freedesktop.DBus.Properties", "GetAll", &error,
                                   &reply, "s", interface);
        if (r < 0)
                return ts_bus_error_to_errno(&error, r);
        return ts_bus_properties_parse(reply, table, n);
}

int ts_manager_get_string(sd_bus *bus, const char *property, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char *s = NULL;
        int r = sd_bus_get_property_string(bus, SD_DEST, SD_PATH, SD_MANAGER, property, &error, &s);
        if (r < 0)
                return ts_bus_error_to_errno(&error, r);
        *ret = s;
        return 0;
}

int ts_manager_get_u64(sd_bus *bus, const char *property, uint64_t *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t v;
        int r = sd_bus_get_property_trivial(bus, SD_DEST, SD_PATH, SD_MANAGER, property, &error, 't', &v);
        if (r < 0)
                return ts_bus_error_to_errno(&error, r);
        *ret = v;
        return 0;
}

static int manager_subscribe(sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", &error, NULL, NULL);
        if (r < 0)
                return ts_bus_error_to_errno(&error, r);
        return 0;
}

/* Dispatches every queued message (running match callbacks) and returns 1 if there was any;
 * otherwise waits for traffic until the deadline and returns 0; -ETIMEDOUT once it has passed. */
static int bus_step(sd_bus *bus, usec_t deadline) {
        bool any = false;
        for (;;) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                any = true;
        }
        if (any)
                return 1;
        usec_t n = ts_now(CLOCK_MONOTONIC);
        if (n >= deadline)
                return -ETIMEDOUT;
        int r = sd_bus_wait(bus, deadline - n);
        return r < 0 ? r : 0;
}

int ts_manager_wait_started(sd_bus *bus, usec_t timeout, char **ret_state) {
        /* The match only has to wake sd_bus_wait(); the state is re-read after every message, so a
         * StartupFinished that fired before the match existed cannot be missed. */
        int r = sd_bus_match_signal(bus, NULL, NULL, SD_PATH, SD_MANAGER, "StartupFinished", NULL, NULL);
        if (r < 0)
                return r;
        r = manager_subscribe(bus);
        if (r < 0)
                return r;

        usec_t deadline = ts_now(CLOCK_MONOTONIC) + timeout;
        for (;;) {
                _cleanup_(freep) char *state = NULL;
                r = ts_manager_get_string(bus, "SystemState", &state);
                if (r < 0)
                        return r;
                if (streq(state, "running") || streq(state, "degraded")) {
                        if (ret_state)
                                *ret_state = TAKE_PTR(state);
                        return 0;
                }
                if (streq(state, "stopping") || streq(state, "offline") || streq(state, "maintenance"))
                        return -ECANCELED;
                r = bus_step(bus, deadline);
                if (r < 0)
                        return r;
        }
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        TsJobWait *w = userdata;
        uint32_t id;
        const char *path, *unit, *result;
        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->job && !w->result && streq(path, w->job))
                w->result = strdup(result);
        return 0;
}

int ts_job_wait_prepare(sd_bus *bus, TsJobWait *w) {
        *w = (TsJobWait){};
        int r = manager_subscribe(bus);
        if (r < 0)
                return r;
        return sd_bus_match_signal(bus, &w->slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed,
                                   w);
}

int ts_job_wait_set(TsJobWait *w, const char *job_path) {
        free(w->job);
        w->job = strdup(job_path);
        return w->job ? 0 : -ENOMEM;
}

int ts_job_wait_run(sd_bus *bus, TsJobWait *w, usec_t timeout, const char **ret_result) {
        usec_t deadline = ts_now(CLOCK_MONOTONIC) + timeout;
        while (!w->result) {
                int r = bus_step(bus, deadline);
                if (r < 0)
                        return r;
        }
        if (ret_result)
                *ret_result = w->result;
        return 0;
}

void ts_job_wait_done(TsJobWait *w) {
        w->slot = sd_bus_slot_unref(w->slot);
        free(w->job);
        free(w->result);
        w->job = w->result = NULL;
}

int ts_job_call_and_wait(sd_bus *bus, sd_bus_message *m, usec_t timeout) {
        _cleanup_(ts_job_wait_done) TsJobWait w = {};
        int r = ts_job_wait_prepare(bus, &w); /* before the call: the job may end at once */
        if (r < 0)
                return r;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        r = sd_bus_call(bus, m, timeout, &error, &reply);
        if (r < 0)
                return ts_bus_error_to_errno(&error, r);
        const char *job;
        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0)
                return r;
        r = ts_job_wait_set(&w, job);
        if (r < 0)
                return r;
        ANALYZER_OWNED_BY_CLEANUP(w.job);
        const char *result;
        r = ts_job_wait_run(bus, &w, timeout, &result);
        if (r < 0)
                return r;
        return streq(result, "done") ? 0 : -EIO;
}

int ts_unit_job(sd_bus *bus, const char *method, const char *name, const char *mode, usec_t timeout) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, method);
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", name, mode);
        if (r < 0)
                return r;
        return ts_job_call_and_wait(bus, m, timeout);
}

int ts_manager_reload(sd_bus *bus, usec_t timeout) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "Reload");
        if (r >= 0)
                r = sd_bus_call(bus, m, timeout, &error, NULL);
        return r < 0 ? ts_bus_error_to_errno(&error, r) : 0;
}

int ts_unit_set_tasks_max(sd_bus *bus, const char *unit, bool runtime, const TsTasksLimit *limit,
                          usec_t timeout) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties");
        if (r >= 0)
                r = sd_bus_message_append(m, "sb", unit, runtime);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = ts_tasks_limit_append(m, limit);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, timeout, &error, NULL);
        return r < 0 ? ts_bus_error_to_errno(&error, r) : 0;
}
