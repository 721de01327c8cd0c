/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs scenarios: checks what each needs against the machine (an unmet need is a SKIP with its
 * reason), turns it into a storm plan, runs it in a unit, and judges the result against what the
 * scenario expects. */
#pragma once

#include <systemd/sd-bus.h>

#include "loop.h"
#include "scenario.h"
#include "storm-unit.h"
#include "sysinfo.h"
#include "verdict.h"

typedef struct TsScenarioResult {
        TsVerdict verdict;
        char reason[256]; /* why SKIP, FAIL or BROKEN; empty on PASS */
        bool ran;         /* the storm ran: plan and report are filled */
        TsStormPlan plan;
        TsStormReport report;
        bool looped; /* a [Daemon] scenario ran its loop: loop is filled */
        TsLoopReport loop;
        nsec_t duration; /* the whole scenario, monotonic ns */
} TsScenarioResult;

/* What every scenario of a run shares. */
typedef struct TsRunContext {
        sd_bus *bus;
        const TsSysinfo *env;    /* the machine, for the scenarios' needs */
        const char *leader_path; /* tstask: the storms' leader */
        TsLoopPaths paths;       /* the fixture daemon and the container process ([Daemon] scenarios) */
        int cancel_fd;           /* readable: stop now (the CLI's signalfd); -1: none */
        TsProgress *progress;    /* NULL: nobody watches */
} TsRunContext;

/* 1 when every need of s is met by the machine, else 0 with the reason in why. */
int ts_scenario_needs_met(const TsScenario *s, const TsSysinfo *env, char *why, size_t why_size);
/* The storm plan of a scenario in a run. */
void ts_scenario_plan(const TsScenario *s, const TsRunContext *ctx, TsStormPlan *ret);
/* PASS or FAIL (with why) for a storm that ran. */
TsVerdict ts_scenario_judge(const TsScenario *s, const TsStormReport *r, char *why, size_t why_size);

/* Needs, plan, storm (or, for a [Daemon] scenario, the validation loop with the fixture daemon),
 * verdict. -ECANCELED when the cancel fd fired (the result holds what ran). */
int ts_scenario_run(const TsRunContext *ctx, const TsScenario *s, TsScenarioResult *ret);
void ts_scenario_result_done(TsScenarioResult *r);
