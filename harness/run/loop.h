/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The validation loop of a [Daemon] scenario: install the dockerd-like fixture as a unit with a
 * limit, ask for more containers than fit (the failure, reproduced), check (affected, and why),
 * fix (set-property, reload, restart, verify), ask the same again (it must pass), and remove
 * everything; each phase timed. Only inside the taskstorm sandbox: it installs a unit, and only under a name
 * of which systemd knows nothing (the scenario's, else taskstorm-<name>). */
#pragma once

#include <systemd/sd-bus.h>

#include "diagnosis.h"
#include "sampler.h"
#include "scenario.h"
#include "verdict.h"

typedef enum TsLoopPhase {
        TS_LOOP_INSTALL,      /* unit file, daemon-reload, start, the daemon's socket up */
        TS_LOOP_REPRODUCE,    /* the containers asked for */
        TS_LOOP_DETECT,       /* taskstorm check */
        TS_LOOP_SET_PROPERTY, /* the fix's steps */
        TS_LOOP_RELOAD,
        TS_LOOP_RESTART,
        TS_LOOP_VERIFY,
        TS_LOOP_RERUN,   /* the same containers asked for again */
        TS_LOOP_CLEANUP, /* stop, unit file and drop-ins removed, daemon-reload */
        _TS_LOOP_PHASE_MAX,
        _TS_LOOP_PHASE_INVALID = -EINVAL,
} TsLoopPhase;

const char *ts_loop_phase_to_string(TsLoopPhase p);

/* What check with no unit ranks first on the whole machine, and why. */
typedef struct TsMachineTop {
        char name[256]; /* "" when nothing was ranked */
        TsCheckVerdict verdict;
        TsCause cause;
        char why[320]; /* in one sentence: another unit's log lines tied to this limit, where any */
} TsMachineTop;

typedef struct TsLoopReport {
        nsec_t origin;          /* CLOCK_MONOTONIC ns when the loop began */
        char unit[256];         /* the name the fixture ran under */
        char stack[64];         /* what ran there: "the dockerd-like fixture daemon", ... */
        char unit_note[1024];   /* why it is not the scenario's Unit=, "" when it is */
        char first_error[512];  /* the first refused container's message, "" none */
        char unit_tasks[512];   /* tasks in each of the stack's units after the first ask */
        TsMachineTop machine;   /* real stacks: what check with no unit ranks first */
        char logger_check[384]; /* check of the unit that logs the failures, where another
                                 * unit's limit refused them: "docker.service: affected
                                 * (other-unit-tasksmax, via containerd.service)" */
        TsTiming phases[_TS_LOOP_PHASE_MAX];
        uint64_t started, failed; /* containers, first time */
        nsec_t first_failure;     /* the daemon's first failed container, since the origin; 0: none */
        uint64_t started_again, failed_again; /* after the fix */
        TsCheckVerdict verdict;               /* check before the fix */
        TsCause cause;
        char why[256];
        char remedy[128];             /* what the fix changed: "" the unit's TasksMax, else the
                                       * runtime's setting ("pids_limit = 0 in containers.conf") */
        TsCheckVerdict verdict_after; /* check after it */
        bool fixed, fix_verified;
        bool cancelled;    /* a stop signal came: the loop stopped between phases */
        TsSamples samples; /* the daemon unit's pids files from its start to the cleanup */
} TsLoopReport;

/* 1 when this is the taskstorm sandbox (its systemd was started with container=taskstorm), or a
 * disposable VM of ci/vmimage (/etc/taskstorm-vm, booted in snapshot mode). */
int ts_loop_in_sandbox(void);

/* Runs the loop; PASS or FAIL with why, BROKEN when it could not run. paths: the programs;
 * progress: NULL, or told each phase and the unit's tasks; cancel_fd (-1: none) readable: stop
 * before the next phase (a phase, the fix's steps among them, is never left half done), clean up,
 * and return BROKEN with cancelled set. */
/* Where the loop's programs are: the fixture daemon, and the real stacks' container process. */
typedef struct TsLoopPaths {
        const char *daemon;
        const char *image;
} TsLoopPaths;

TsVerdict ts_loop_run(sd_bus *bus, const TsScenario *s, const TsLoopPaths *paths, TsProgress *progress,
                      int cancel_fd, TsLoopReport *ret, char *why, size_t why_size);
void ts_loop_report_done(TsLoopReport *r);
