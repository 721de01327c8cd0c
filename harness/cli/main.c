/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entry point of the taskstorm command: global options, the verb table, and the embedded default
 * (verbs that need systemd run in a private sandbox where PID 1 is not systemd). */
#include <getopt.h>

#include "config.h"
#include "exit-status.h"
#include "fileio.h"
#include "log.h"
#include "qualify.h"
#include "storm.h"
#include "verbs.h"

bool arg_no_sandbox = false;
int saved_argc;
char **saved_argv;

/* The verbs in the order `taskstorm --help` lists them; each is one file, verb-NAME.c. */
static const Verb *const verbs[] = {
        &verb_env, &verb_sandbox, &verb_storm,   &verb_run, &verb_check,
        &verb_fix, &verb_inject,  &verb_qualify, &verb_vm,
};

static void help(void) {
        printf("Usage: taskstorm [--no-sandbox] VERB [OPTIONS...]\n\n"
               "Fault-injection harness for systemd's TasksMax failures.\n\n"
               "Verbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %-10s %s\n", verbs[i]->name, verbs[i]->summary);
        printf("\nGlobal options:\n"
               "  -h --help        show this help\n"
               "     --version     show the version\n"
               "     --no-sandbox  where PID 1 is not systemd, fail instead of booting a private sandbox\n\n"
               "Run 'taskstorm VERB --help' for the options of a verb.\n\n");
        ts_exit_status_print_table();
}

const char *const *cli_sandbox_verbs(void) {
        static const char *names[ELEMENTSOF(verbs) + 1];
        size_t n = 0;
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (verbs[i]->flags & VERB_NEEDS_SYSTEMD)
                        names[n++] = verbs[i]->name;
        names[n] = NULL;
        return names;
}

static const Verb *find_verb(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i]->name, name))
                        return verbs[i];
        return NULL;
}

static int parse_global(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_NO_SANDBOX };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "no-sandbox", no_argument, NULL, ARG_NO_SANDBOX },
                {},
        };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("taskstorm %s\n", TS_VERSION);
                        return 0;
                case ARG_NO_SANDBOX:
                        arg_no_sandbox = true;
                        break;
                case '?':
                        return log_option_error(NULL, argv, options);
                default:
                        return -EINVAL;
                }
        return 1;
}

static int run(int argc, char *argv[]) {
        int r = parse_global(argc, argv);
        if (r <= 0)
                return r;

        if (optind >= argc)
                return log_error_errno(-EINVAL, "No verb given; see 'taskstorm --help'.");

        const Verb *verb = find_verb(argv[optind]);
        if (!verb) {
                _cleanup_(freep) char *shown = log_escape(argv[optind]);
                return log_error_errno(-EINVAL, "Unknown verb '%s'; see 'taskstorm --help'.",
                                       strempty(shown));
        }

        int first = optind;
        optind = 0; /* the verb parses its own options from scratch */
        return verb_main(verb, argc - first, argv + first);
}

int main(int argc, char *argv[]) {
        /* The main process of a qualify check's service: forks, tells systemd, holds until stopped. */
        if (argc == 3 && streq(argv[1], TS_QUALIFY_FORKER_VERB)) {
                uint64_t tasks;
                if (ts_safe_atou64(argv[2], &tasks) < 0)
                        return TS_EXIT_BAD_INPUT;
                ts_qualify_forker_main(tasks);
        }

        saved_argc = argc;
        saved_argv = argv;
        int r = run(argc, argv);
        fflush(stdout);
        if (r < 0)
                return ts_exit_status_from_errno(r);
        return r;
}
