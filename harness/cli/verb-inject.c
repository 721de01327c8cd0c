/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm inject [OPTIONS] -- CMD [ARG...]: run CMD with chosen task creations failing (by seccomp,
 * no root needed), pass its output and exit status through, and summarise on stderr. */
#include <getopt.h>
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

static void help(void) {
        printf("Usage: taskstorm inject [OPTIONS...] -- CMD [ARG...]\n\n"
               "Run CMD with some of its task creations (clone, fork, vfork) failing, chosen exactly.\n"
               "clone3 is refused with ENOSYS so that glibc falls back to clone, whose flags are seen.\n\n"
               "  -h --help             show this help\n"
               "     --what W           threads (CLONE_THREAD), processes, or all (default)\n"
               "     --errno E          the error to inject: EAGAIN (default), ENOMEM, EPERM, ... or a number\n"
               "     --nth N            fail only the Nth matching call\n"
               "     --after N          fail every matching call after the Nth\n"
               "     --every K          fail every Kth matching call\n"
               "     --probability P    fail each matching call with probability P (0..1), reproducibly:\n"
               "     --seed S           the generator's seed (default 1)\n"
               "     --always           fail every matching call (the default; a pure filter, no supervisor)\n"
               "     --json             write the summary on stderr as JSON\n\n"
               "CMD's output and exit status pass through; the summary goes to stderr.\n");
}

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

int verb_inject(int argc, char *argv[]) {
        enum {
                ARG_WHAT = 0x100,
                ARG_ERRNO,
                ARG_NTH,
                ARG_AFTER,
                ARG_EVERY,
                ARG_PROBABILITY,
                ARG_SEED,
                ARG_ALWAYS,
                ARG_JSON
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "what", required_argument, NULL, ARG_WHAT },
                { "errno", required_argument, NULL, ARG_ERRNO },
                { "nth", required_argument, NULL, ARG_NTH },
                { "after", required_argument, NULL, ARG_AFTER },
                { "every", required_argument, NULL, ARG_EVERY },
                { "probability", required_argument, NULL, ARG_PROBABILITY },
                { "seed", required_argument, NULL, ARG_SEED },
                { "always", no_argument, NULL, ARG_ALWAYS },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        TsInjectOptions o = { .what = TS_INJECT_ALL, .error = EAGAIN };
        TsInjectWhen when = TS_INJECT_ALWAYS;
        uint64_t n = 0, seed = 1;
        double probability = 0;
        unsigned whens = 0;
        bool json = false;
        uint32_t seen = 0;
        int c, r;

        opterr = 0;
        while ((c = cli_getopt(argc, argv, "+h", options, NULL, &seen)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_WHAT:
                        o.what = ts_inject_what_from_string(optarg);
                        if (o.what < 0) {
                                _cleanup_(freep) char *shown = log_escape(optarg);
                                return log_error_errno(-EINVAL,
                                                       "--what %s: expected threads, processes or all.",
                                                       strempty(shown));
                        }
                        break;
                case ARG_ERRNO:
                        r = parse_errno(optarg, &o.error);
                        if (r < 0)
                                return r;
                        break;
                case ARG_NTH:
                case ARG_AFTER:
                case ARG_EVERY:
                        r = cli_parse_count(c == ARG_NTH     ? "--nth"
                                            : c == ARG_AFTER ? "--after"
                                                             : "--every",
                                            optarg, UINT32_MAX, &n);
                        if (r < 0)
                                return r;
                        when = c == ARG_NTH     ? TS_INJECT_NTH
                               : c == ARG_AFTER ? TS_INJECT_AFTER
                                                : TS_INJECT_EVERY;
                        whens++;
                        break;
                case ARG_PROBABILITY: {
                        char *end = NULL;
                        errno = 0;
                        probability = strtod(optarg, &end);
                        if (errno != 0 || !end || *end || end == optarg ||
                            !(probability >= 0 && probability <= 1)) {
                                _cleanup_(freep) char *shown = log_escape(optarg);
                                return log_error_errno(-EINVAL,
                                                       "--probability %s: not a number from 0 to 1.",
                                                       strempty(shown));
                        }
                        when = TS_INJECT_PROBABILITY;
                        whens++;
                        break;
                }
                case ARG_SEED:
                        if (ts_safe_atou64(optarg, &seed) < 0) {
                                _cleanup_(freep) char *shown = log_escape(optarg);
                                return log_error_errno(-EINVAL, "--seed %s: not a whole number.",
                                                       strempty(shown));
                        }
                        break;
                case ARG_ALWAYS:
                        when = TS_INJECT_ALWAYS;
                        whens++;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case '?':
                        return log_option_error("inject", argv, options);
                default:
                        return -EINVAL;
                }

        if (c < -1)
                return c; /* logged: an option given twice */
        if (whens > 1)
                return log_error_errno(-EINVAL,
                                       "Give one of --nth, --after, --every, --probability, --always.");
        /* Without --probability the seed drives nothing: the default, --always, would fail every call. */
        if (cli_option_seen(options, ARG_SEED, seen) && when != TS_INJECT_PROBABILITY)
                return log_error_errno(-EINVAL, "--seed needs --probability.");
        if (optind >= argc)
                return log_error_errno(-EINVAL,
                                       "No command given: taskstorm inject [OPTIONS] -- CMD [ARG...]");
        ts_inject_policy_init(&o.policy, when, n, probability, seed);

        int status;
        TsInjectStats st;
        r = ts_inject_run(&o, argv + optind, &status, &st);
        if (r == -ENOTSUP)
                return log_error_errno(-ENOPKG,
                                       "The kernel or libseccomp cannot do user notification here: only "
                                       "--always works.");
        if (r == -ENOENT) {
                log_error("%s: command not found.", argv[optind]);
                return TS_EXIT_NOT_FOUND;
        }
        if (r == -EACCES || r == -ENOEXEC) {
                log_error_errno(r, "Failed to execute %s: %m", argv[optind]);
                return TS_EXIT_CANNOT_EXEC;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to run %s under injection: %m", argv[optind]);
        if (json)
                (void)ts_json_write_and_put(stderr, ts_inject_summary_to_json(&o, &st), TS_JSON_PRETTY);
        else
                ts_inject_summary_print(stderr, &o, &st);
        return status;
}
