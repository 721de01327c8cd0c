/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scenario files: INI in the style of systemd units (scenarios/NN-name.scenario), parsed with inih.
 * Each says what it needs, the unit and its limit, the storm, and what it expects. A file that
 * breaks the format is an error naming the file, line and key; an unmet need is for the runner to
 * turn into a SKIP. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cgroup-layout.h"
#include "scope.h"
#include "storm.h"
#include "time-util.h"

typedef enum TsExpectTasks {
        TS_EXPECT_TASKS_ANY,    /* TasksAtFirstEAGAIN= not given */
        TS_EXPECT_TASKS_NUMBER, /* TasksAtFirstEAGAIN=64 */
        TS_EXPECT_TASKS_LIMIT,  /* TasksAtFirstEAGAIN=limit: the pids.max the kernel shows for the unit */
        _TS_EXPECT_TASKS_MAX,
        _TS_EXPECT_TASKS_INVALID = -EINVAL,
} TsExpectTasks;

typedef struct TsScenario {
        char *path; /* as given */
        char *name; /* the file name without directory and ".scenario": "10-fork-64" */

        /* [Scenario] */
        char *description; /* Description=, required */
        char **tags;       /* Tags=, whitespace-separated words (issue or article ids), NULL-terminated */

        /* [Requires]: unmet needs make the scenario SKIP */
        bool needs_root;       /* Root=yes|no, default yes */
        char *min_systemd;     /* SystemdVersion=N: at least this version (ts_version_at_least), NULL: any */
        unsigned cgroup_modes; /* CgroupMode=: space-separated legacy|hybrid|unified, as a mask of
                                * 1 << TsCgroupMode; 0 (key absent): any */
        bool needs_pids_enforced; /* PidsController=enforced|any, default enforced */

        /* [Unit] */
        TsTasksLimit tasks_max;       /* TasksMax=, required: N, P%, or infinity (ts_tasks_limit_parse) */
        bool has_slice_tasks_max;     /* SliceTasksMax= given: the scope runs in a transient slice */
        TsTasksLimit slice_tasks_max; /* with that limit */

        /* [Storm] */
        TsStormKind kind;             /* Kind=, required: fork|thread|exec|mixed */
        uint64_t tasks;               /* Tasks=N (>= 1): how many tasks to try for; 0 (absent): default */
        uint64_t max_tasks;           /* MaxTasks=N (>= 1): the cap the storm honours, default 4096 */
        usec_t hold;                  /* Hold=: how long to hold the tasks, "0", "500ms", "2s", "1.5s",
                                       * "1min"; default 0; at most 10min */
        unsigned stop_after_failures; /* StopAfterFailures=N (>= 1), default 1 */

        /* [Daemon]: instead of [Unit] and [Storm], the load is the dockerd-like fixture, installed as
         * a unit with a limit (in the taskstorm sandbox only) and asked for containers */
        bool has_daemon;
        char *stack;                   /* Stack=fixture|docker|ctr (stack.c), NULL: the fixture */
        char *daemon_unit;             /* Unit=, required there: "docker.service"; with a real stack,
                                        * the one of its units that gets the limit */
        TsTasksLimit daemon_tasks_max; /* TasksMax=, required there */
        uint64_t containers;           /* Containers=N, required there: asked of the daemon */
        uint64_t container_pids_limit; /* ContainerPidsLimit=N: each container's own pids limit, as
                                        * its runtime sets it (podman's pids_limit); 0: the runtime's
                                        * default */
        uint64_t container_tasks;      /* ContainerTasks=N: each container forks to N tasks and holds
                                        * them (a server's workers); 0: a few threads, the default */

        /* [Remedy] (with [Daemon] only): check, then fix the unit, then ask the same again */
        bool has_remedy;
        TsTasksLimit remedy_tasks_max;            /* TasksMax=, default infinity */
        bool remedy_reload;                       /* Reload=yes|no, default yes */
        bool remedy_restart;                      /* Restart=yes|no, default yes */
        bool remedy_of_runtime;                   /* ContainerPidsLimit= given: the remedy is the runtime's
                                                   * setting for new containers, not the unit's TasksMax */
        TsTasksLimit remedy_container_pids_limit; /* that value: N or infinity */

        /* [Inject]: task creations of the storm also fail by seccomp (where no limit is needed) */
        bool has_inject;
        TsInjectOptions inject; /* What=threads|processes|all; one of Nth=, After=, Every=,
                                 * Probability= (with Seed=), Always=yes (the default) */

        /* [Expect] */
        bool expect_eagain;         /* EAGAIN=yes|no, required */
        TsExpectTasks expect_tasks; /* TasksAtFirstEAGAIN=N|limit (only with EAGAIN=yes) */
        uint64_t expect_tasks_value;
        uint64_t tolerance;    /* Tolerance=N, default 0 */
        bool expect_limit_hit; /* LimitHit=yes|no: pids.events counts the EAGAIN; default yes,
                                * no with [Inject] (an injected EAGAIN is no limit's) */
        int expect_cause;      /* Cause= (a TsCause): what check of the whole machine must
                                * find first, with a real stack; -1 (absent): the TasksMax of
                                * [Daemon] Unit= */
} TsScenario;

/* Where parsing failed: file, line (0 when not about one line), the key ("[Storm] Kind") or NULL,
 * and what is wrong. */
typedef struct TsScenarioError {
        char *path;
        unsigned line;
        char *key;
        char *message;
} TsScenarioError;

/* Parses a scenario file. -EINVAL (and *error filled) when the file breaks the format; other
 * negative errnos when it cannot be read (error filled too). */
int ts_scenario_parse_file(const char *path, TsScenario **ret, TsScenarioError *error);
/* The same for text in memory; path names it in errors and gives the scenario its name. */
int ts_scenario_parse_string(const char *text, size_t size, const char *path, TsScenario **ret,
                             TsScenarioError *error);
void ts_scenario_free(TsScenario *s);
void ts_scenario_error_done(TsScenarioError *e);
/* "FILE:LINE: [Section] Key: message" (parts omitted where unknown), in a new string. */
char *ts_scenario_error_format(const TsScenarioError *e);

/* The i-th key a scenario file may give ("TasksMax"), with its section ("Unit"), in the table's
 * order; NULL past the last. The man page's test walks it. */
const char *ts_scenario_key_at(size_t i, const char **ret_section);
