/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm inject [OPTIONS] -- CMD [ARG...]: run CMD with chosen task creations failing (by seccomp,
 * no root needed), pass its output and exit status through, and summarise on stderr. */
#include <stdlib.h>

#include "args.h"
#include "exit-status.h"
#include "fileio.h"
#include "inject.h"
#include "log.h"
#include "report-inject.h"
#include "report-json.h"
#include "verbs.h"

static const struct {
        const char *name;
        int error;
} errno_names[] = {
        { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM }, { "EPERM", EPERM },
        { "ENOSPC", ENOSPC }, { "EINVAL", EINVAL },
};

static int parse_errno(const char *value, int *ret) {
        for (size_t i = 0; i < ELEMENTSOF(errno_names); i++)
                if (streq(errno_names[i].name, value)) {
                        *ret = errno_names[i].error;
                        return 0;
                }
        uint64_t n;
        if (ts_safe_atou64(value, &n) >= 0 && n > 0 && n < 4096) {
                *ret = (int)n;
                return 0;
        }
        _cleanup_(freep) char *shown = log_escape(value);
        return log_error_errno(-EINVAL, "--errno %s: not an errno (EAGAIN, ENOMEM, EPERM, ... or 1-4095).",
                               strempty(shown));
}

typedef struct InjectArgs {
        VerbArgs common;
        TsInjectOptions o;
        TsInjectWhen when;
        unsigned whens; /* how many of --nth, --after, --every, --probability, --always were given */
        uint64_t n, seed;
        double probability;
        bool seed_given;
        char **cmd;
} InjectArgs;

enum {
        ARG_WHAT = VERB_OPTION_OWN,
        ARG_ERRNO,
        ARG_NTH,
        ARG_AFTER,
        ARG_EVERY,
        ARG_PROBABILITY,
        ARG_SEED,
        ARG_ALWAYS,
};

static const VerbOption options[] = {
        { .id = ARG_WHAT,
          .name = "what",
          .metavar = "W",
          .help = "threads (CLONE_THREAD), processes, or all (default)" },
        { .id = ARG_ERRNO,
          .name = "errno",
          .metavar = "E",
          .help = "the error to inject: EAGAIN (default), ENOMEM, EPERM, ... or a number" },
        { .id = ARG_NTH, .name = "nth", .metavar = "N", .help = "fail only the Nth matching call" },
        { .id = ARG_AFTER,
          .name = "after",
          .metavar = "N",
          .help = "fail every matching call after the Nth" },
        { .id = ARG_EVERY, .name = "every", .metavar = "K", .help = "fail every Kth matching call" },
        { .id = ARG_PROBABILITY,
          .name = "probability",
          .metavar = "P",
          .help = "fail each matching call with probability P (0..1), reproducibly:" },
        { .id = ARG_SEED, .name = "seed", .metavar = "S", .help = "the generator's seed (default 1)" },
        { .id = ARG_ALWAYS,
          .name = "always",
          .help = "fail every matching call (the default; a pure filter, no supervisor)" },
        { .id = VERB_OPTION_JSON, .help = "write the summary on stderr as JSON" },
        {},
};

/* --nth, --after and --every: which calls fail, by their count. */
static const struct {
        int id;
        const char *option;
        TsInjectWhen when;
} counted[] = {
        { ARG_NTH, "--nth", TS_INJECT_NTH },
        { ARG_AFTER, "--after", TS_INJECT_AFTER },
        { ARG_EVERY, "--every", TS_INJECT_EVERY },
};

static void inject_init(void *userdata) {
        InjectArgs *a = userdata;
        a->o = (TsInjectOptions){ .what = TS_INJECT_ALL, .error = EAGAIN };
        a->when = TS_INJECT_ALWAYS;
        a->seed = 1;
}

static int parse_probability(const char *value, double *ret) {
        char *end = NULL;
        errno = 0;
        double p = strtod(value, &end);
        if (errno != 0 || !end || *end || end == value || !(p >= 0 && p <= 1)) {
                _cleanup_(freep) char *shown = log_escape(value);
                return log_error_errno(-EINVAL, "--probability %s: not a number from 0 to 1.",
                                       strempty(shown));
        }
        *ret = p;
        return 0;
}

static int inject_option(void *userdata, int id, const char *value) {
        InjectArgs *a = userdata;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(counted); i++)
                if (counted[i].id == id) {
                        a->when = counted[i].when;
                        a->whens++;
                        return cli_parse_count(counted[i].option, value, UINT32_MAX, &a->n);
                }
        switch (id) {
        case ARG_WHAT:
                a->o.what = ts_inject_what_from_string(value);
                if (a->o.what < 0) {
                        _cleanup_(freep) char *shown = log_escape(value);
                        return log_error_errno(-EINVAL, "--what %s: expected threads, processes or all.",
                                               strempty(shown));
                }
                return 0;
        case ARG_ERRNO:
                return parse_errno(value, &a->o.error);
        case ARG_PROBABILITY:
                a->when = TS_INJECT_PROBABILITY;
                a->whens++;
                return parse_probability(value, &a->probability);
        case ARG_SEED:
                a->seed_given = true;
                r = ts_safe_atou64(value, &a->seed);
                if (r < 0) {
                        _cleanup_(freep) char *shown = log_escape(value);
                        return log_error_errno(-EINVAL, "--seed %s: not a whole number.", strempty(shown));
                }
                return 0;
        case ARG_ALWAYS:
                a->when = TS_INJECT_ALWAYS;
                a->whens++;
                return 0;
        default:
                return -EINVAL;
        }
}

static int inject_arguments(void *userdata, int argc, char *argv[]) {
        InjectArgs *a = userdata;
        if (a->whens > 1)
                return log_error_errno(-EINVAL,
                                       "Give one of --nth, --after, --every, --probability, --always.");
        /* Without --probability the seed drives nothing: the default, --always, would fail every call. */
        if (a->seed_given && a->when != TS_INJECT_PROBABILITY)
                return log_error_errno(-EINVAL, "--seed needs --probability.");
        if (argc == 0)
                return log_error_errno(-EINVAL,
                                       "No command given: taskstorm inject [OPTIONS] -- CMD [ARG...]");
        a->cmd = argv;
        ts_inject_policy_init(&a->o.policy, a->when, a->n, a->probability, a->seed);
        return 0;
}

static int inject_run(void *userdata) {
        InjectArgs *a = userdata;
        int status;
        TsInjectStats st;
        int r = ts_inject_run(&a->o, a->cmd, &status, &st);
        if (r == -ENOTSUP)
                return log_error_errno(-ENOPKG,
                                       "The kernel or libseccomp cannot do user notification here: only "
                                       "--always, --every 1 and --probability 0 or 1 work.");
        if (r == -ENOENT) {
                log_error("%s: command not found.", a->cmd[0]);
                return TS_EXIT_NOT_FOUND;
        }
        if (r == -EACCES || r == -ENOEXEC) {
                log_error_errno(r, "Failed to execute %s: %m", a->cmd[0]);
                return TS_EXIT_CANNOT_EXEC;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to run %s under injection: %m", a->cmd[0]);
        if (a->common.format == FORMAT_JSON)
                (void)ts_json_write_and_put(stderr, ts_inject_summary_to_json(&a->o, &st),
                                            a->common.json_style);
        else
                ts_inject_summary_print(stderr, &a->o, &st);
        return status;
}

const Verb verb_inject = {
        .name = "inject",
        .summary = "run a command with chosen task creations failing (seccomp; no root needed)",
        .flags = VERB_RUNS_COMMAND,
        .usage = "[OPTIONS...] -- CMD [ARG...]",
        .description =
                "Run CMD with some of its task creations (clone, fork, vfork) failing, chosen exactly.\n"
                "clone3 is refused with ENOSYS so that glibc falls back to clone, whose flags are seen.\n",
        .options = options,
        .epilogue = "CMD's output and exit status pass through; the summary goes to stderr.\n",
        .args_size = sizeof(InjectArgs),
        .init = inject_init,
        .option = inject_option,
        .arguments = inject_arguments,
        .run = inject_run,
};
