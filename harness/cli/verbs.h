/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verb table of the taskstorm command: one verb, one file (verb-<name>.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "verb.h"

/* The names of the verbs that need systemd (VERB_NEEDS_SYSTEMD), in the table's order and
 * NULL-terminated, for the environment that `env` and the reports show. */
const char *const *cli_sandbox_verbs(void);

/* Global options, set before the verb runs, and the whole command line. */
extern bool arg_no_sandbox;
extern int saved_argc;
extern char **saved_argv;

/* The verbs, each on the skeleton of verb.h in its own verb-NAME.c. */
extern const Verb verb_env;
extern const Verb verb_sandbox;
extern const Verb verb_storm;
extern const Verb verb_run;
extern const Verb verb_check;
extern const Verb verb_fix;
extern const Verb verb_inject;
extern const Verb verb_qualify;
extern const Verb verb_vm;

#include <stddef.h>
struct TsStormPlan;
struct TsStormReport;
/* The path of this binary (verb-storm.c): the qualify checks' forker services run it. */
int cli_self_exe(char *buf, size_t size);

/* Why a JUnit or HTML report could not be written when report/xml-dlopen.c says -EOPNOTSUPP. */
#define CLI_NO_LIBXML2                                                                                      \
        "libxml2 (libxml2.so.16 or libxml2.so.2) could not be loaded: install libxml2's library package."
/* Connects to systemd and runs one storm. The report is filled on every path (empty when no storm
 * ran); on -ECANCELED, *ret_signal is the stop signal. */
int cli_run_storm_plan(const struct TsStormPlan *plan, struct TsStormReport *report, int *ret_signal);

struct TsScanFacts;
struct TsCheckFacts;
struct TsCheckResult;
/* One unit checked live, as `taskstorm check UNIT` checks it (verb-check.c): its facts gathered and
 * judged, and where its log shows refusals that no limit of its own explains, followed to the cgroup
 * that refused them (the pids hierarchy walked into *cgroups once, at the first unit that needs it:
 * *walked). -ENOENT, not logged, for a unit systemd does not know; other errors logged. */
int cli_check_unit(sd_bus *bus, const char *unit, uint64_t since, unsigned threshold,
                   struct TsScanFacts *cgroups, bool *walked, struct TsCheckFacts *f,
                   struct TsCheckResult *res);
/* The exit status of check's verdict: 0 not-affected, 10 affected, 11 at-risk, ... (exit-status.h). */
int cli_check_exit_status(const struct TsCheckResult *res);

struct TsSandboxOptions;
/* Boots a sandbox, runs cmd in it, tears it down; returns cmd's exit status (verb-sandbox.c). */
int ts_cli_sandbox_run(const struct TsSandboxOptions *o, char *const cmd[]);

/* The embedded default (embed.c), for verbs that need systemd, called once their arguments are
 * checked (bad input never boots a sandbox): where PID 1 is systemd, returns 0 and the verb goes
 * on; elsewhere re-runs the whole command line in a sandbox and returns 1 with its exit status in
 * *ret_status; or a negative errno, logged. */
int cli_systemd_or_sandbox(int *ret_status);
/* Host directories the sandbox binds besides the current one (where a verb writes results). */
extern char **cli_sandbox_binds;
