/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What systemd says about one unit over the bus: its state, cgroup, slice, task accounting and
 * limits (TasksCurrent, TasksMax, EffectiveTasksMax where the bus has it, LimitNPROCSoft, User). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

typedef struct TsUnitInfo {
        char *id;
        char *load_state, *active_state;
        char *control_group; /* "" when it has none */
        char *slice;         /* its Slice=, "" for -.slice */
        char *user;          /* User= of a service, "" when root or not a service */
        bool has_tasks_current;
        uint64_t tasks_current; /* UINT64_MAX when not tracked */
        uint64_t tasks_max;     /* UINT64_MAX: infinity (and before v227, which has no TasksMax) */
        bool has_effective_tasks_max;
        uint64_t effective_tasks_max;
        bool has_nproc;
        uint64_t nproc_soft;        /* UINT64_MAX: infinity */
        uint64_t started_monotonic; /* InactiveExitTimestampMonotonic: when it last started (µs), 0 never */
        char invocation_id[33];     /* InvocationID in hex, "" when it has none (never started) */
} TsUnitInfo;

/* Reads the unit's properties with one GetAll of its object, which loads the unit as LoadUnit would.
 * -ENOENT when systemd knows no such unit (LoadState "not-found"); -EINVAL for a name that is not a
 * unit name, or one systemd refuses to load (a template). */
int ts_unit_info_load(sd_bus *bus, const char *name, TsUnitInfo *ret);
void ts_unit_info_done(TsUnitInfo *u);

/* The unit's ControlGroup ("/system.slice/x.scope"), as systemd sees it. */
int ts_unit_get_control_group(sd_bus *bus, const char *name, char **ret);

/* A running service's MainPID and StatusText (what its sd_notify STATUS= said; "" when nothing):
 * GetUnit (-ENOENT for a unit systemd has not loaded) and one GetAll. */
int ts_service_status(sd_bus *bus, const char *name, uint32_t *ret_main_pid, char **ret_status_text);

/* The D-Bus interface that carries a unit's type-specific properties (org.freedesktop.systemd1.Service
 * for "x.service", ...), or NULL for a name without a known unit type. */
const char *ts_unit_type_interface(const char *name);
/* The section of a unit file that holds the type's own settings (TasksMax among them), the last word
 * of that interface: "Service" for "x.service". NULL as above. */
const char *ts_unit_type_section(const char *name);

/* A unit name as systemd accepts it: at most 255 bytes of [a-zA-Z0-9:_.\@-], a prefix, and a
 * known type suffix. */
bool ts_unit_name_valid(const char *name);

/* What systemd knows of a unit name, from any path: a harness installs a unit only under a name of
 * which systemd knows nothing, so that it never shadows, replaces, stops or restarts a unit it did
 * not make (a file in /etc shadows one of the same name in /lib). */
typedef struct TsUnitPresence {
        bool known;          /* any of the below */
        char load_state[32]; /* "not-found" when no file defines it */
        char active_state[32];
        char fragment_path[256]; /* the file that defines it, "" none */
        size_t n_dropins;        /* DropInPaths */
        char first_dropin[256];
} TsUnitPresence;

/* Asks systemd (LoadState, ActiveState, FragmentPath, SourcePath, DropInPaths: one GetAll of the
 * Unit interface, which loads the unit as LoadUnit would). */
int ts_unit_presence(sd_bus *bus, const char *name, TsUnitPresence *ret);
/* "loaded from /lib/systemd/system/docker.service, active", for messages. */
void ts_unit_presence_format(const TsUnitPresence *p, char *buf, size_t size);

/* The files systemd read the unit from: FragmentPath ("" for a unit without one, as a transient
 * scope) and DropInPaths, in the order systemd applied them at its last load (a NULL-terminated
 * list, NULL when empty). -ENOENT when no file defines the unit. */
int ts_unit_config_paths(sd_bus *bus, const char *name, char **ret_fragment, char ***ret_dropins);
