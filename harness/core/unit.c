/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit properties over sd-bus, each read of a unit one GetAll: a round trip costs about 0.3 ms, and
 * reading a unit one property at a time took a dozen. Properties a systemd version lacks
 * (EffectiveTasksMax before about v256, InvocationID before v232) are reported as absent, not as
 * errors. */
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

/* Every property of table from one GetAll of the unit's object, of interface ("": all of them). Its
 * path comes from its name, as systemctl show makes it: systemd loads the unit on demand, as LoadUnit
 * would, so that one round trip answers for a unit in any state. */
static int unit_get_all(sd_bus *bus, const char *name, const char *interface, const TsBusProperty *table,
                        size_t n) {
        _cleanup_(freep) char *path = NULL;
        int r = sd_bus_path_encode(SD_PATH "/unit", name, &path);
        if (r < 0)
                return r;
        ANALYZER_OWNED_BY_CLEANUP(path);
        r = ts_bus_get_all(bus, path, interface, table, n);
        /* No such object (UnknownObject, -EBADR): systemd refused to load a unit of that name (a
         * template, say), which LoadUnit says with InvalidArgs. */
        return r == -EBADR ? -EINVAL : r;
}

/* A string property the reply lacked, as "" (ControlGroup of a unit that never ran, User of a unit
 * that is not a service). */
static int string_or_empty(char **s) {
        if (!*s)
                *s = strdup("");
        return *s ? 0 : -ENOMEM;
}

int ts_unit_info_load(sd_bus *bus, const char *name, TsUnitInfo *ret) {
        const char *iface = ts_unit_type_interface(name);
        if (!iface || !ts_unit_name_valid(name))
                return -EINVAL;
        TsUnitInfo u = { .tasks_current = UINT64_MAX, .tasks_max = UINT64_MAX };
        _cleanup_(freep) char *user = NULL;
        /* The Unit interface's and the type's properties in one reply. */
        const TsBusProperty props[] = {
                { "Id", "s", &u.id, NULL },
                { "LoadState", "s", &u.load_state, NULL },
                { "ActiveState", "s", &u.active_state, NULL },
                { "InactiveExitTimestampMonotonic", "t", &u.started_monotonic, NULL },
                { "InvocationID", "ay", u.invocation_id, NULL },
                { "ControlGroup", "s", &u.control_group, NULL },
                { "Slice", "s", &u.slice, NULL },
                { "TasksCurrent", "t", &u.tasks_current, &u.has_tasks_current },
                { "TasksMax", "t", &u.tasks_max, NULL },
                { "EffectiveTasksMax", "t", &u.effective_tasks_max, &u.has_effective_tasks_max },
                { "LimitNPROCSoft", "t", &u.nproc_soft, &u.has_nproc },
                { "User", "s", &user, NULL },
        };
        int r = unit_get_all(bus, name, "", props, ELEMENTSOF(props));
        ANALYZER_OWNED_BY_CLEANUP(user);
        /* A service's processes run as its User=; another unit's User= is that of its commands. */
        if (streq(iface, "org.freedesktop.systemd1.Service"))
                u.user = TAKE_PTR(user);
        if (r >= 0 && (!u.id || !u.load_state || !u.active_state))
                r = -EBADMSG; /* every unit has them: not systemd's reply */
        if (r >= 0 && streq(u.load_state, "not-found"))
                r = -ENOENT;
        u.has_tasks_current = u.has_tasks_current && u.tasks_current != UINT64_MAX;
        if (r >= 0)
                r = string_or_empty(&u.control_group);
        if (r >= 0)
                r = string_or_empty(&u.slice);
        if (r >= 0)
                r = string_or_empty(&u.user);
        if (r < 0) {
                ts_unit_info_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

/* The object path of a unit that systemd has loaded (GetUnit): -ENOENT (NoSuchUnit) for any other. */
static int loaded_unit_path(sd_bus *bus, const char *name, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit", &error, &reply, "s", name);
        if (r < 0)
                return ts_bus_error_to_errno(&error, r);
        const char *path;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        *ret = strdup(path);
        return *ret ? 0 : -ENOMEM;
}

int ts_service_status(sd_bus *bus, const char *name, uint32_t *ret_main_pid, char **ret_status_text) {
        _cleanup_(freep) char *path = NULL, *text = NULL;
        uint32_t pid = 0;
        bool has_pid, has_text;
        const TsBusProperty props[] = {
                { "MainPID", "u", &pid, &has_pid },
                { "StatusText", "s", &text, &has_text },
        };
        int r = loaded_unit_path(bus, name, &path);
        ANALYZER_OWNED_BY_CLEANUP(path);
        if (r >= 0)
                r = ts_bus_get_all(bus, path, "org.freedesktop.systemd1.Service", props, ELEMENTSOF(props));
        ANALYZER_OWNED_BY_CLEANUP(text);
        if (r >= 0 && (!has_pid || !has_text))
                r = -EBADMSG; /* every systemd's Service has them */
        if (r < 0)
                return r;
        *ret_main_pid = pid;
        *ret_status_text = TAKE_PTR(text);
        return 0;
}

int ts_unit_get_control_group(sd_bus *bus, const char *name, char **ret) {
        const char *iface = ts_unit_type_interface(name);
        if (!iface)
                return -EINVAL;
        _cleanup_(freep) char *path = NULL;
        int r = loaded_unit_path(bus, name, &path);
        if (r < 0)
                return r;
        ANALYZER_OWNED_BY_CLEANUP(path);
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        r = sd_bus_get_property_string(bus, SD_DEST, path, iface, "ControlGroup", &error, ret);
        return r < 0 ? ts_bus_error_to_errno(&error, r) : 0;
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

int ts_unit_presence(sd_bus *bus, const char *name, TsUnitPresence *ret) {
        if (!ts_unit_name_valid(name))
                return -EINVAL;
        _cleanup_(freep) char *load_state = NULL, *active_state = NULL, *fragment = NULL, *source = NULL;
        _cleanup_(strv_freep) char **dropins = NULL;
        const TsBusProperty props[] = {
                { "LoadState", "s", &load_state, NULL },  { "ActiveState", "s", &active_state, NULL },
                { "FragmentPath", "s", &fragment, NULL }, { "SourcePath", "s", &source, NULL },
                { "DropInPaths", "as", &dropins, NULL },
        };
        int r = unit_get_all(bus, name, SD_UNIT, props, ELEMENTSOF(props));
        ANALYZER_OWNED_BY_CLEANUP(load_state, active_state, fragment, source, dropins);
        if (r < 0)
                return r;
        if (!load_state || !active_state)
                return -EBADMSG;
        TsUnitPresence p = {};
        snprintf(p.load_state, sizeof p.load_state, "%s", load_state);
        snprintf(p.active_state, sizeof p.active_state, "%s", active_state);
        /* made by a generator: no fragment, the file it was made from */
        snprintf(p.fragment_path, sizeof p.fragment_path, "%s",
                 fragment && *fragment ? fragment : strempty(source));
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
        _cleanup_(freep) char *load_state = NULL, *fragment = NULL;
        _cleanup_(strv_freep) char **dropins = NULL;
        const TsBusProperty props[] = {
                { "LoadState", "s", &load_state, NULL },
                { "FragmentPath", "s", &fragment, NULL },
                { "DropInPaths", "as", &dropins, NULL },
        };
        int r = unit_get_all(bus, name, SD_UNIT, props, ELEMENTSOF(props));
        ANALYZER_OWNED_BY_CLEANUP(load_state, fragment, dropins);
        if (r >= 0 && (!load_state || !fragment))
                r = -EBADMSG;
        if (r < 0)
                return r;
        if (streq(load_state, "not-found"))
                return -ENOENT;
        *ret_fragment = TAKE_PTR(fragment);
        *ret_dropins = TAKE_PTR(dropins);
        return 0;
}
