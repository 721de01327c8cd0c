/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The skeleton every verb is written on: its options in one table, from which the driver both parses
 * the command line and writes --help (so that the two cannot drift), the options several verbs share
 * parsed once, and the checks of privilege made only once the whole command line is valid. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "output.h"
#include "report-json.h"

typedef enum VerbFlags {
        VERB_NEEDS_ROOT = 1 << 0,
        /* Verbs that need systemd call cli_systemd_or_sandbox() once their arguments are checked (bad
         * input never boots a sandbox); the flag tells `env` and --no-sandbox which they are. */
        VERB_NEEDS_SYSTEMD = 1 << 1,
        VERB_BOOTS_SANDBOX = 1 << 2, /* boots one whatever PID 1 is: --no-sandbox contradicts it */
        VERB_NO_ARGUMENTS = 1 << 3,  /* options only: the driver refuses any other argument */
        /* -- CMD [ARG...]: options end at the first other argument, where CMD's own begin. */
        VERB_RUNS_COMMAND = 1 << 4,
} VerbFlags;

/* The ids of the options several verbs share, which the driver parses (a verb lists the ones it
 * takes in its table); then the first id of a verb's own. */
enum {
        VERB_OPTION_JSON = 0x80, /* --json[=pretty|short] */
        VERB_OPTION_FORMAT,      /* --format text|json|tap, of which --json is the json */
        VERB_OPTION_REPORT_DIR,  /* --report-dir DIR, checked after everything else */
        VERB_OPTION_OWN = 0x100,
};

typedef enum VerbOptionFlags {
        VERB_OPTION_REPEATABLE = 1 << 0,     /* may be given again: each value goes to the verb */
        VERB_OPTION_VALUE_OPTIONAL = 1 << 1, /* --name or --name=VALUE */
} VerbOptionFlags;

/* One line of a verb's option table; a shared option needs only its id, and help where the verb has
 * words of its own for it. */
typedef struct VerbOption {
        int id;
        const char *name;    /* the long name, without "--" */
        const char *metavar; /* the value's name in --help; NULL for a flag */
        const char *help;    /* --help's words: lines separated by '\n', each under the first */
        VerbOptionFlags flags;
} VerbOption;

/* The first member of every verb's arguments: what the shared options chose, and what the driver
 * must know of the parsed command line. */
typedef struct VerbArgs {
        /* --format, or --json: _FORMAT_INVALID while the verb parses, FORMAT_TEXT where neither was
         * given by the time it runs. */
        OutputFormat format;
        /* --json=STYLE: _TS_JSON_STYLE_INVALID while the verb parses, then pretty where none. */
        TsJsonStyle json_style;
        const char *report_dir;     /* --report-dir as given, or NULL */
        char report_path[PATH_MAX]; /* its absolute path, checked (report_dir_check()) */
        bool needs_no_root;         /* VERB_NEEDS_ROOT, but not for this command line (--list) */
} VerbArgs;

typedef struct Verb {
        const char *name;
        const char *summary; /* one line of `taskstorm --help` */
        VerbFlags flags;
        const char *root_why; /* with VERB_NEEDS_ROOT: what root is needed for, as a user reads it */

        /* --help: "Usage: taskstorm NAME usage", the description (lines ending in '\n'), the options
         * of the table, then the epilogue and what print_epilogue() prints (each may be NULL). */
        const char *usage;
        const char *description;
        const VerbOption *options; /* ends with {} */
        const char *epilogue;
        void (*print_epilogue)(void);

        /* The verb's arguments: args_size bytes, VerbArgs first, zeroed, then init() (may be NULL);
         * option() gets each of the verb's own options (value NULL for a flag); arguments() (may be
         * NULL) the other arguments, and makes every check that needs the whole command line. Each
         * returns 0, or logs and returns a negative errno. done() (may be NULL) frees what they
         * allocated. */
        size_t args_size;
        void (*init)(void *args);
        int (*option)(void *args, int id, const char *value);
        int (*arguments)(void *args, int argc, char *argv[]);
        void (*done)(void *args);
        /* Runs the parsed command: an exit status (>= 0) or a negative errno, logged. */
        int (*run)(void *args);
} Verb;

/* Parses argv (argv[0] is the verb) by verb's table, and runs it where the whole command line is
 * valid and the privileges are there. An exit status, or a negative errno, logged. */
int verb_main(const Verb *verb, int argc, char *argv[]);
