/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit properties over sd-bus. Properties a systemd version lacks (EffectiveTasksMax before about
 * v256) are reported as absent, not as errors. */
#include <stdbool.h>
#include <stdio.h>

#include "bus.h"
#include "macro.h"
#include "unit.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT "org.freedesktop.systemd1.Unit"

static const struct {
        const char *suffix;
        const char *interface;
} unit_types[] = {
        { ".service", "org.freedesktop.systemd1.Service" }, { ".scope", "org.freedesktop.systemd1.Scope" },
        { ".slice", "org.freedesktop.systemd1.Slice" },     { ".socket", "org.freedesktop.systemd1.Socket" },
        { ".mount", "org.freedesktop.systemd1.Mount" },     { ".swap", "org.freedesktop.systemd1.Swap" },
};

const char *ts_unit_type_interface(const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; i < ELEMENTSOF(unit_types); i++) {
                size_t k = strlen(unit_types[i].suffix);
                if (n > k && streq(name + n - k, unit_types[i].suffix))
                        return unit_types[i].interface;
        }
        return NULL;
}

const char *ts_unit_type_section(const char *name) {
        const char *iface = ts_unit_type_interface(name);
        return iface ? strrchr(iface, '.') + 1 : NULL;
}

void ts_unit_info_done(TsUnitInfo *u) {
        free(u->id);
        free(u->load_state);
        free(u->active_state);
        free(u->control_group);
        free(u->slice);
        free(u->user);
        *u = (TsUnitInfo){};
}

static int get_string(sd_bus *bus, const char *path, const char *iface, const char *prop, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_get_property_string(bus, SD_DEST, path, iface, prop, &error, ret);
        return r < 0 ? ts_bus_error_to_errno(&error, r) : 0;
}

/* 1 with the value, 0 when this systemd has no such property, or a negative errno. */
static int get_u64(sd_bus *bus, const char *path, const char *iface, const char *prop, uint64_t *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_get_property_trivial(bus, SD_DEST, path, iface, prop, &error, 't', ret);
        if (r >= 0)
                return 1;
        if (sd_bus_error_has_name(&error, SD_BUS_ERROR_UNKNOWN_PROPERTY) ||
            sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS))
                return 0;
        return ts_bus_error_to_errno(&error, r);
}

/* The unit's object path: "LoadUnit" loads it if needed, "GetUnit" only finds a loaded one. */
static int unit_object_path(sd_bus *bus, const char *method, const char *name, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, method, &error, &reply, "s", name);
        if (r < 0)
                return ts_bus_error_to_errno(&error, r);
        const char *path;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        *ret = strdup(path);
        return *ret ? 0 : -ENOMEM;
}

/* InvocationID, 16 bytes, as the 32 hex digits journald stores in _SYSTEMD_INVOCATION_ID. */
static int get_invocation_id(sd_bus *bus, const char *path, char ret[static 33]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_get_property(bus, SD_DEST, path, SD_UNIT, "InvocationID", &error, &reply, "ay");
        if (r < 0)
                return ts_bus_error_to_errno(&error, r);
        const void *id;
        size_t n;
        r = sd_bus_message_read_array(reply, 'y', &id, &n);
        if (r < 0)
                return r;
        ret[0] = 0;
        bool zero = true;
        for (size_t i = 0; i < n; i++)
                zero = zero && ((const uint8_t *)id)[i] == 0;
        for (size_t i = 0; n == 16 && !zero && i < n; i++)
                snprintf(ret + 2 * i, 3, "%02x", ((const uint8_t *)id)[i]);
        return 0;
}

/* The object path of a unit systemd knows (LoadUnit), and its LoadState: -ENOENT for "not-found". */
static int load_unit(sd_bus *bus, const char *name, char **ret_path, char **ret_load_state) {
        _cleanup_(freep) char *path = NULL, *state = NULL;
        int r = unit_object_path(bus, "LoadUnit", name, &path);
        if (r >= 0)
                r = get_string(bus, path, SD_UNIT, "LoadState", &state);
        ANALYZER_OWNED_BY_CLEANUP(path, state);
        if (r < 0)
                return r;
        if (streq(state, "not-found"))
                return -ENOENT;
        *ret_path = TAKE_PTR(path);
        *ret_load_state = TAKE_PTR(state);
        return 0;
}

int ts_unit_info_load(sd_bus *bus, const char *name, TsUnitInfo *ret) {
        const char *iface = ts_unit_type_interface(name);
        if (!iface)
                return -EINVAL;
        _cleanup_(freep) char *path = NULL;
        TsUnitInfo u = { .tasks_current = UINT64_MAX, .tasks_max = UINT64_MAX };
        int r = load_unit(bus, name, &path, &u.load_state);
        ANALYZER_OWNED_BY_CLEANUP(path);
        if (r >= 0)
                r = get_string(bus, path, SD_UNIT, "Id", &u.id);
        if (r >= 0)
                r = get_string(bus, path, SD_UNIT, "ActiveState", &u.active_state);
        if (r >= 0)
                r = get_u64(bus, path, SD_UNIT, "InactiveExitTimestampMonotonic", &u.started_monotonic);
        if (r >= 0)
                r = get_invocation_id(bus, path, u.invocation_id);
        if (r >= 0)
                r = get_string(bus, path, iface, "ControlGroup", &u.control_group);
        if (r >= 0)
                r = get_string(bus, path, iface, "Slice", &u.slice);
        if (r >= 0) {
                r = get_u64(bus, path, iface, "TasksCurrent", &u.tasks_current);
                u.has_tasks_current = r > 0 && u.tasks_current != UINT64_MAX;
        }
        if (r >= 0)
                r = get_u64(bus, path, iface, "TasksMax", &u.tasks_max);
        if (r >= 0) {
                r = get_u64(bus, path, iface, "EffectiveTasksMax", &u.effective_tasks_max);
                u.has_effective_tasks_max = r > 0;
        }
        if (r >= 0) {
                r = get_u64(bus, path, iface, "LimitNPROCSoft", &u.nproc_soft);
                u.has_nproc = r > 0;
        }
        if (r >= 0 && streq(iface, "org.freedesktop.systemd1.Service"))
                r = get_string(bus, path, iface, "User", &u.user);
        if (r >= 0 && !u.user)
                u.user = strdup("");
        if (r >= 0 && !u.user)
                r = -ENOMEM;
        if (r < 0) {
                ts_unit_info_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

int ts_service_status(sd_bus *bus, const char *name, uint32_t *ret_main_pid, char **ret_status_text) {
        static const char iface[] = "org.freedesktop.systemd1.Service";
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(freep) char *path = NULL, *text = NULL;
        uint32_t pid = 0;
        int r = unit_object_path(bus, "GetUnit", name, &path);
        if (r < 0)
                return r;
        r = sd_bus_get_property_trivial(bus, SD_DEST, path, iface, "MainPID", &error, 'u', &pid);
        if (r >= 0)
                r = get_string(bus, path, iface, "StatusText", &text);
        if (r < 0)
                return r < 0 && sd_bus_error_is_set(&error) ? ts_bus_error_to_errno(&error, r) : r;
        *ret_main_pid = pid;
        *ret_status_text = TAKE_PTR(text);
        return 0;
}

int ts_unit_get_control_group(sd_bus *bus, const char *name, char **ret) {
        const char *iface = ts_unit_type_interface(name);
        if (!iface)
                return -EINVAL;
        _cleanup_(freep) char *path = NULL;
        int r = unit_object_path(bus, "GetUnit", name, &path);
        if (r < 0)
                return r;
        ANALYZER_OWNED_BY_CLEANUP(path);
        return get_string(bus, path, iface, "ControlGroup", ret);
}

bool ts_unit_name_valid(const char *name) {
        size_t n = strlen(name);
        if (n == 0 || n > 255 || !ts_unit_type_interface(name) || name[0] == '.')
                return false;
        for (const char *p = name; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.\\@-", *p))
                        return false;
        return true;
}

static int get_string_into(sd_bus *bus, const char *path, const char *prop, char *buf, size_t size) {
        _cleanup_(freep) char *v = NULL;
        int r = get_string(bus, path, SD_UNIT, prop, &v);
        if (r >= 0)
                snprintf(buf, size, "%s", v);
        return r;
}

int ts_unit_presence(sd_bus *bus, const char *name, TsUnitPresence *ret) {
        if (!ts_unit_name_valid(name))
                return -EINVAL;
        _cleanup_(freep) char *path = NULL;
        int r = unit_object_path(bus, "LoadUnit", name, &path);
        if (r < 0)
                return r;
        ANALYZER_OWNED_BY_CLEANUP(path);
        TsUnitPresence p = {};
        char source[256] = "";
        r = get_string_into(bus, path, "LoadState", p.load_state, sizeof p.load_state);
        if (r >= 0)
                r = get_string_into(bus, path, "ActiveState", p.active_state, sizeof p.active_state);
        if (r >= 0)
                r = get_string_into(bus, path, "FragmentPath", p.fragment_path, sizeof p.fragment_path);
        if (r >= 0)
                r = get_string_into(bus, path, "SourcePath", source, sizeof source);
        if (r < 0)
                return r;
        if (!p.fragment_path[0] && source[0])
                snprintf(p.fragment_path, sizeof p.fragment_path, "%s", source); /* made by a generator */

        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(strv_freep) char **dropins = NULL;
        r = sd_bus_get_property_strv(bus, SD_DEST, path, SD_UNIT, "DropInPaths", &error, &dropins);
        if (r < 0)
                return ts_bus_error_to_errno(&error, r);
        for (char **d = dropins; d && *d; d++)
                p.n_dropins++;
        if (dropins && dropins[0])
                snprintf(p.first_dropin, sizeof p.first_dropin, "%s", dropins[0]);

        p.known = !streq(p.load_state, "not-found") || p.fragment_path[0] || p.n_dropins > 0 ||
                  !streq(p.active_state, "inactive");
        *ret = p;
        return 0;
}

void ts_unit_presence_format(const TsUnitPresence *p, char *buf, size_t size) {
        snprintf(buf, size, "%s%s%s%s, %s%s%s", p->load_state, p->fragment_path[0] ? " from " : "",
                 p->fragment_path, p->n_dropins ? " with drop-ins" : "", p->active_state,
                 p->n_dropins ? "; " : "", p->n_dropins ? p->first_dropin : "");
}

int ts_unit_config_paths(sd_bus *bus, const char *name, char **ret_fragment, char ***ret_dropins) {
        if (!ts_unit_name_valid(name))
                return -EINVAL;
        _cleanup_(freep) char *path = NULL, *fragment = NULL, *load_state = NULL;
        int r = load_unit(bus, name, &path, &load_state);
        ANALYZER_OWNED_BY_CLEANUP(path, load_state);
        if (r >= 0)
                r = get_string(bus, path, SD_UNIT, "FragmentPath", &fragment);
        if (r < 0)
                return r;

        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char **dropins = NULL;
        r = sd_bus_get_property_strv(bus, SD_DEST, path, SD_UNIT, "DropInPaths", &error, &dropins);
        if (r < 0)
                return ts_bus_error_to_errno(&error, r);
        *ret_fragment = TAKE_PTR(fragment);
        *ret_dropins = dropins;
        return 0;
}
