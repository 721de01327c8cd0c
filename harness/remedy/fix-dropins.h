/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which file sets a unit's TasksMax: its unit file and drop-ins read as systemd reads them, in its
 * order and with its line rules, so that a fix that does not hold can name the file and line that
 * win over its drop-in, and say what to do. The finder and the ordering are pure (paths and texts
 * in, an answer out); ts_unit_files_load() gets the list from the bus and the texts from disk. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "tasks-limit.h"

/* One file systemd reads for a unit: its unit file or one of its drop-ins. */
typedef struct TsUnitFile {
        char *path;
        char *text; /* NUL-terminated */
} TsUnitFile;

/* A unit's files in the order systemd applies them: the unit file (when it has one), then the
 * drop-ins. `planned` is the fix's drop-in among them; -1 when systemd does not read it: absent, or
 * masked by `masker`, a drop-in of the same name in a directory systemd prefers. */
typedef struct TsUnitFiles {
        TsUnitFile *files;
        size_t n;
        ssize_t planned;
        ssize_t masker; /* -1: none */
} TsUnitFiles;

/* The assignment that gave the unit its TasksMax: systemd applies them in file order, the last
 * one wins, an empty one resets to the default, an invalid one is ignored (systemd logs it and
 * keeps the value before). */
typedef struct TsTasksMaxOrigin {
        ssize_t file;         /* index of the file of the winning TasksMax=, -1: none (the default) */
        unsigned line;        /* the line it starts on, 1-based */
        char assignment[128]; /* "TasksMax=128" as the value is written; "TasksMax=" for a reset */
        TsTasksLimit limit;   /* its value; kind _TS_TASKS_LIMIT_KIND_INVALID for a reset */
} TsTasksMaxOrigin;

/* Finds the winning TasksMax= of unit ("docker.service": keys of [Service] count) in files, given in
 * systemd's order. -EINVAL for a unit name without a known type. */
int ts_tasks_max_origin_find(const char *unit, const TsUnitFile *files, size_t n, TsTasksMaxOrigin *ret);

/* Orders drop-in paths (DropInPaths) as systemd applies them, by file name across directories, with
 * planned (the fix's drop-in, NULL: none) where systemd reads it: it replaces a drop-in of the same
 * name, unless that one is under /etc/systemd/system.control and planned is not (then planned is
 * masked). Returns a new list (copies) and the index of planned in it, -1 when masked or NULL, and
 * of the drop-in that masks it, -1 for none. */
int ts_dropins_order(char *const *dropins, const char *planned, char ***ret, ssize_t *ret_planned,
                     ssize_t *ret_masker);

/* What wins over the fix's drop-in, for people and for JSON. */
typedef struct TsTasksMaxOverride {
        bool found;     /* a file other than the fix's drop-in sets the unit's TasksMax */
        char path[512]; /* that file */
        unsigned line;
        char assignment[128]; /* "TasksMax=128" */
        TsTasksLimit limit;   /* its value, kind invalid for a reset */
        char after[512];      /* the fix's drop-in, which systemd reads before it; "" when not read */
        char where[1280];     /* "set by P:3 (TasksMax=128), which systemd reads after D" */
        char advice[640];     /* "remove that line or rename the drop-in to sort before ..." */
} TsTasksMaxOverride;

/* Fills ret from origin when the winning assignment is not in the fix's drop-in: 1 then, else 0
 * (ret->found false). */
int ts_tasks_max_override_from(const TsUnitFiles *f, const TsTasksMaxOrigin *origin,
                               TsTasksMaxOverride *ret);

/* Reads the unit's files as systemd applies them (FragmentPath and DropInPaths from the bus, each
 * file at most 1 MiB), with planned as the fix's drop-in: its text replaced by planned_text when
 * given (what set-property would write), else read from disk. A file gone since systemd loaded
 * the unit is left out. -ENOENT for a unit systemd does not know. */
int ts_unit_files_load(sd_bus *bus, const char *unit, const char *planned, const char *planned_text,
                       TsUnitFiles *ret);
void ts_unit_files_done(TsUnitFiles *f);

/* Both steps for the fix: which file, if any, overrides the fix's drop-in (planned) in the unit's
 * files now, or once planned_text is written there. 1 found, 0 not, negative errno. */
int ts_tasks_max_override_find(sd_bus *bus, const char *unit, const char *planned, const char *planned_text,
                               TsTasksMaxOverride *ret);
