/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The remediation half of the module: the article's fix through sd-bus (SetUnitProperties with a
 * new TasksMax, Reload, RestartUnit), verified on the bus and in the cgroup, each step timed;
 * idempotent; undoable, by putting back the drop-in that was there before the first fix; and, where
 * a later drop-in overrides the fix, stopped before the restart with the file and line that win. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "fix-dropins.h"
#include "tasks-limit.h"
#include "time-util.h"

typedef enum TsFixStep {
        TS_FIX_SET_PROPERTY, /* SetUnitProperties (or, undoing, the old drop-in put back) */
        TS_FIX_RELOAD,       /* Manager.Reload: the article's daemon-reload */
        TS_FIX_RESTART,      /* RestartUnit, waited for through JobRemoved */
        TS_FIX_VERIFY,       /* bus and cgroup read back */
        _TS_FIX_STEP_MAX,
        _TS_FIX_STEP_INVALID = -EINVAL,
} TsFixStep;

const char *ts_fix_step_to_string(TsFixStep s); /* "set-property", "reload", "restart", "verify" */

typedef struct TsFixOptions {
        TsTasksLimit limit; /* default infinity */
        bool runtime;       /* /run only, as systemctl set-property --runtime */
        bool reload;        /* default true */
        bool restart;       /* default true (only a running unit is restarted) */
        usec_t timeout;
} TsFixOptions;

typedef struct TsFixReport {
        bool changed;              /* false: the unit had the limit already (nothing was done) */
        uint64_t tasks_max_before; /* TasksMax on the bus, UINT64_MAX infinity */
        uint64_t tasks_max_after;
        uint64_t pids_max_after; /* the cgroup's pids.max after, UINT64_MAX "max"; 0 unknown */
        bool restarted;
        bool verified;         /* bus and cgroup agree with the limit asked for */
        char verify_why[2304]; /* what did not agree, and why: the file that wins and what to do */
        char dropin[512];      /* the drop-in systemd writes (or the undo restored) */
        TsTiming steps[_TS_FIX_STEP_MAX];
        /* A file systemd reads after the fix's drop-in sets another TasksMax. After a reload the bus
         * shows its value, and a restart cannot change that: the fix stops before the restart
         * (stopped, where it would have restarted), not verified. Without a reload it is pending:
         * verified, until the next daemon-reload applies it. */
        TsTasksMaxOverride override;
        bool stopped;
        bool override_pending;
        char explanation[2304]; /* the override in one sentence: which file wins, what to do */
} TsFixReport;

/* Applies the fix. -ENOENT no such unit, -EPERM/-EACCES not allowed (nothing changed then). */
int ts_fix_apply(sd_bus *bus, const char *unit, const TsFixOptions *o, TsFixReport *ret);
/* Undoes the first fix: puts the unit's TasksMax drop-in back as it was (or removes it), reloads,
 * restarts when asked, verifies against the TasksMax the unit had. -ENOENT: nothing to undo. */
int ts_fix_undo(sd_bus *bus, const char *unit, const TsFixOptions *o, TsFixReport *ret);

/* What a fix would meet, for --dry-run, read from the bus and the unit's files; changes nothing. */
typedef struct TsFixPlan {
        uint64_t tasks_max; /* TasksMax now, UINT64_MAX infinity */
        bool nothing_to_do; /* the unit has the limit already: no reload, no restart */
        bool active;        /* running: the restart step restarts it */
        uint32_t main_pid;  /* 0: none (or not a service) */
        bool has_tasks_current;
        uint64_t tasks_current;
        TsTasksMaxOverride override; /* a file that would win over the drop-in the fix writes */
        int override_error;          /* why that could not be told (the files unreadable), else 0 */
} TsFixPlan;

/* Reads the plan of a fix (undo: of an undo, whose override is not looked for). -ENOENT no such unit. */
int ts_fix_plan(sd_bus *bus, const char *unit, const TsFixOptions *o, bool undo, TsFixPlan *ret);

/* The drop-in that SetUnitProperties writes for TasksMax, and where the undo record is kept. */
int ts_fix_dropin_path(const char *unit, bool runtime, char *buf, size_t size);
int ts_fix_record_dir(const char *unit, bool runtime, char *buf, size_t size);
