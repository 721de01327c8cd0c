/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verb table of the taskstorm command: one verb, one file (verb-<name>.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef enum VerbFlags {
        VERB_NEEDS_ROOT = 1 << 0,
        /* Verbs that need systemd call cli_systemd_or_sandbox() once their arguments are checked (bad
         * input never boots a sandbox); the flag tells `env` and --no-sandbox which they are. */
        VERB_NEEDS_SYSTEMD = 1 << 1,
        VERB_BOOTS_SANDBOX = 1 << 2, /* boots one whatever PID 1 is: --no-sandbox contradicts it */
} VerbFlags;

/* The names of the verbs that need systemd (VERB_NEEDS_SYSTEMD), in the table's order and
 * NULL-terminated, for the environment that `env` and the reports show. */
const char *const *cli_sandbox_verbs(void);

typedef struct Verb {
        const char *name;
        const char *summary;
        VerbFlags flags;
        const char *root_why; /* with VERB_NEEDS_ROOT: what root is needed for, as a user reads it */
        /* argv[0] is the verb; returns an exit status (>= 0) or a negative errno. */
        int (*run)(int argc, char *argv[]);
} Verb;

/* Global options, set before the verb runs, and the whole command line. */
extern bool arg_no_sandbox;
extern int saved_argc;
extern char **saved_argv;

int verb_env(int argc, char *argv[]);
int verb_sandbox(int argc, char *argv[]);
int verb_storm(int argc, char *argv[]);
int verb_run(int argc, char *argv[]);
int verb_check(int argc, char *argv[]);
int verb_fix(int argc, char *argv[]);
int verb_inject(int argc, char *argv[]);
int verb_qualify(int argc, char *argv[]);
int verb_vm(int argc, char *argv[]);

#include <stddef.h>
struct TsStormPlan;
struct TsStormReport;
/* The path of this binary, for exec storms (verb-storm.c). */
int cli_self_exe(char *buf, size_t size);
/* Connects to systemd and runs one storm. The report is filled on every path (empty when no storm
 * ran); on -ECANCELED, *ret_signal is the stop signal. */
int cli_run_storm_plan(const struct TsStormPlan *plan, struct TsStormReport *report, int *ret_signal);

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
