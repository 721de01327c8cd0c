/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One storm in one transient scope (optionally in a transient slice with its own limit), with every
 * phase timed in monotonic nanoseconds and the unit's pids files read before and after. Used by
 * `taskstorm storm` and by the scenario runner. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "pids.h"
#include "sampler.h"
#include "scope.h"
#include "storm.h"

#define TS_STORM_DEFAULT_MAX_TASKS 4096
/* Without a --tasks, the storm asks for this many more tasks than the limit the kernel shows, or
 * for TS_STORM_DEFAULT_TASKS where there is no limit. */
#define TS_STORM_DEFAULT_OVERSHOOT 8
#define TS_STORM_DEFAULT_TASKS 64

typedef enum TsStormPhase {
        TS_PHASE_SCOPE_CREATE, /* StartTransientUnit until its job is done */
        TS_PHASE_STORM,        /* go until the leader stopped creating */
        TS_PHASE_HOLD,         /* holding the tasks */
        TS_PHASE_STOP,         /* StopUnit until its job is done */
        _TS_PHASE_MAX,
        _TS_PHASE_INVALID = -EINVAL,
} TsStormPhase;

const char *ts_storm_phase_to_string(TsStormPhase p);

typedef struct TsStormPlan {
        const char *label; /* word in the unit names: "fork", or a scenario name */
        TsStormConfig storm;
        TsTasksLimit limit;   /* the scope's TasksMax */
        bool has_slice_limit; /* run the scope in a transient slice with this TasksMax */
        TsTasksLimit slice_limit;
        uint64_t tasks;         /* 0: the kernel's limit + overshoot, or the default */
        uint64_t max_tasks;     /* the cap the storm honours whatever the limit */
        int cancel_fd;          /* readable: stop now (the CLI's signalfd); -1: none */
        usec_t job_timeout;     /* for each systemd job and for the storm itself */
        nsec_t sample_interval; /* pids files sampled this often from the scope's start to its stop;
                                 * 0: not */
        TsProgress *progress;   /* NULL: nobody watches */
} TsStormPlan;

typedef struct TsPhaseTiming {
        bool done;
        nsec_t start; /* since the report's origin */
        nsec_t duration;
} TsPhaseTiming;

typedef struct TsStormReport {
        char *unit;  /* taskstorm-<label>-<pid>-<n>.scope */
        char *slice; /* its transient slice, or NULL */
        char *control_group;
        uint64_t tasks_asked;       /* after defaults and the cap */
        uint64_t guard;             /* TasksMax of the guard slice above the storm (taskstorm.slice) */
        TsPidsSample before, after; /* the scope's, after it started / after the hold */
        TsPidsSample slice_after;   /* the slice's, when there is one */
        TsStormStats stats;
        nsec_t origin; /* CLOCK_MONOTONIC ns when the run began */
        TsPhaseTiming phases[_TS_PHASE_MAX];
        bool has_first_failure;
        nsec_t first_failure; /* since the origin */
        bool cancelled;
        bool reconnected;  /* systemd dropped the connection; the unit was stopped over a new one */
        TsSamples samples; /* the scope's pids files over time, t since the origin */
} TsStormReport;

/* Runs the plan; the report is filled as far as the run got, also on failure. -ECANCELED when
 * cancel_fd fired, -ECHILD when the leader died on its own, -ECONNRESET when systemd dropped the
 * connection (bus is then closed; the unit was stopped over a new one); the unit is stopped on
 * every path. */
int ts_storm_in_scope(sd_bus *bus, const TsStormPlan *plan, TsStormReport *report);
void ts_storm_report_done(TsStormReport *r);
