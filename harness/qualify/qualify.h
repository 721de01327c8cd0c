/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm qualify: checks of the running systemd's TasksMax semantics, for vendors qualifying a
 * systemd release and CI running a distro matrix. Each check makes its own transient units
 * (taskstorm-qualify-<check>-<pid>...), measures, stops them on every path, and gives PASS, FAIL,
 * SKIP or BROKEN with the evidence it measured. The checks live in one table. */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "macro.h"
#include "time-util.h"
#include "verdict.h"

typedef struct TsQualifyContext {
        sd_bus *bus;
        const char *exec_path;   /* taskstorm itself: the forker services run it */
        const char *leader_path; /* tstask: the storms' leader */
        unsigned systemd_major;  /* 0: unknown */
        usec_t timeout;          /* for each systemd job */
} TsQualifyContext;

typedef struct TsQualifyResult {
        TsVerdict verdict;
        char evidence[768]; /* what was measured, whatever the verdict */
        char reason[256];   /* why FAIL, SKIP or BROKEN; empty on PASS */
        nsec_t duration;
} TsQualifyResult;

typedef struct TsQualifyCheck {
        const char *name;
        const char *summary;
        void (*run)(const TsQualifyContext *ctx, TsQualifyResult *ret);
} TsQualifyCheck;

/* Every check, in the order they run. */
const TsQualifyCheck *ts_qualify_checks(size_t *ret_n);
const TsQualifyCheck *ts_qualify_check_find(const char *name);
/* Runs one check and times it. */
void ts_qualify_run(const TsQualifyContext *ctx, const TsQualifyCheck *c, TsQualifyResult *ret);

/* The main process of the services the checks start: taskstorm's hidden verb, run by systemd as
 * ExecStart= of a Type=notify service. It forks up to `tasks` children that hold, then tells
 * systemd READY=1 with STATUS="forked N of M[, then ERRNO]", and holds until the unit stops. */
#define TS_QUALIFY_FORKER_VERB "__fork-hold"
_noreturn_ void ts_qualify_forker_main(uint64_t tasks);
