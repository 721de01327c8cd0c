/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The driver of the verb skeleton (verb.h): getopt_long over a verb's option table, the shared
 * options, --help written from the same table, and root and --no-sandbox checked only once the whole
 * command line is valid. */
#include <getopt.h>

#include "args.h"
#include "log.h"
#include "verb.h"
#include "verbs.h"

#define MAX_OPTIONS 32 /* cli_getopt() keeps a bit per option */

/* An entry of a verb's table as the driver uses it: a shared option's name, value's name and flags
 * filled in, and its note, a line --help always adds under its words. */
typedef struct Option {
        VerbOption o;
        const char *note;
} Option;

/* The options several verbs take, parsed here: a verb lists the ones it takes by id, with its own
 * words for them where it has some. */
static const Option shared_options[] = {
        { { VERB_OPTION_JSON, "json", "STYLE", "print the result as JSON",
            VERB_OPTION_REPEATABLE | VERB_OPTION_VALUE_OPTIONAL },
          "(STYLE: pretty, the default, or short: one line)" },
        { { VERB_OPTION_FORMAT, "format", "FORMAT", "text (default), json or tap on stdout", 0 }, NULL },
        { { VERB_OPTION_REPORT_DIR, "report-dir", "DIR", "also write the reports into DIR", 0 }, NULL },
};

static Option option_resolve(const VerbOption *o) {
        for (size_t i = 0; i < ELEMENTSOF(shared_options); i++)
                if (shared_options[i].o.id == o->id) {
                        Option s = shared_options[i];
                        if (o->help)
                                s.o.help = o->help;
                        return s;
                }
        return (Option){ *o, NULL };
}

static size_t options_count(const Verb *verb) {
        size_t n = 0;
        while (verb->options && verb->options[n].id)
                n++;
        assert(n < MAX_OPTIONS); /* -h takes a bit too */
        return n;
}

/* "     --name METAVAR", "     --name[=METAVAR]" or "     --name" into buf. */
static void option_label(const VerbOption *o, char *buf, size_t size) {
        if (!o->metavar)
                snprintf(buf, size, "     --%s", o->name);
        else
                snprintf(buf, size,
                         (o->flags & VERB_OPTION_VALUE_OPTIONAL) ? "     --%s[=%s]" : "     --%s %s",
                         o->name, o->metavar);
}

/* label, padded to column, then text's lines and the note, each further line indented to column. */
static void print_option(const char *label, const char *text, const char *note, int column) {
        printf("%-*s", column, label);
        const char *line = text, *end;
        for (; (end = strchr(line, '\n')); line = end + 1)
                printf("%.*s\n%*s", (int)(end - line), line, column, "");
        printf("%s\n", line);
        if (note)
                printf("%*s%s\n", column, "", note);
}

static void help(const Verb *verb) {
        size_t n = options_count(verb);
        int column = (int)STRLEN("  -h --help");
        char label[128];
        for (size_t i = 0; i < n; i++) {
                Option o = option_resolve(&verb->options[i]);
                option_label(&o.o, label, sizeof label);
                if ((int)strlen(label) > column)
                        column = (int)strlen(label);
        }
        column += 2;

        printf("Usage: taskstorm %s %s\n\n%s\n", verb->name, verb->usage, verb->description);
        print_option("  -h --help", "show this help", NULL, column);
        for (size_t i = 0; i < n; i++) {
                Option o = option_resolve(&verb->options[i]);
                option_label(&o.o, label, sizeof label);
                print_option(label, o.o.help, o.note, column);
        }
        if (verb->epilogue || verb->print_epilogue)
                putchar('\n');
        if (verb->epilogue)
                fputs(verb->epilogue, stdout);
        if (verb->print_epilogue)
                verb->print_epilogue();
}

/* --json, --json=STYLE: json on stdout (or where the verb writes it), and how it looks. */
static int parse_json(VerbArgs *a, const char *value) {
        if (value) {
                TsJsonStyle style = ts_json_style_from_string(value);
                if (style < 0) {
                        _cleanup_(freep) char *shown = log_escape(value);
                        return log_error_errno(-EINVAL, "--json=%s: expected pretty or short.",
                                               strempty(shown));
                }
                if (a->json_style >= 0 && a->json_style != style)
                        return log_error_errno(-EINVAL, "--json given twice.");
                a->json_style = style;
        }
        return output_format_json(&a->format);
}

static int parse_shared(VerbArgs *a, int id, const char *value) {
        switch (id) {
        case VERB_OPTION_JSON:
                return parse_json(a, value);
        case VERB_OPTION_FORMAT:
                return output_format_parse(value, &a->format);
        case VERB_OPTION_REPORT_DIR:
                a->report_dir = value;
                return 0;
        default:
                return -EINVAL;
        }
}

/* The options and arguments into a: 1 to go on, 0 when --help was shown, or a negative errno. */
static int parse(const Verb *verb, VerbArgs *a, int argc, char *argv[]) {
        size_t n = options_count(verb);
        struct option options[MAX_OPTIONS + 1] = { { "help", no_argument, NULL, 'h' } };
        int repeatable[MAX_OPTIONS + 1] = {}, n_repeatable = 0;
        for (size_t i = 0; i < n; i++) {
                Option o = option_resolve(&verb->options[i]);
                int has_arg = !o.o.metavar                               ? no_argument
                              : (o.o.flags & VERB_OPTION_VALUE_OPTIONAL) ? optional_argument
                                                                         : required_argument;
                options[i + 1] = (struct option){ o.o.name, has_arg, NULL, o.o.id };
                if (o.o.flags & VERB_OPTION_REPEATABLE)
                        repeatable[n_repeatable++] = o.o.id;
        }

        const char *shortopts = (verb->flags & VERB_RUNS_COMMAND) ? "+h" : "h";
        uint32_t seen = 0;
        int c, r;
        opterr = 0;
        while ((c = cli_getopt(argc, argv, shortopts, options, repeatable, &seen)) >= 0) {
                if (c == 'h') {
                        help(verb);
                        return 0;
                }
                if (c == '?')
                        return log_option_error(verb->name, argv, options);
                r = c >= VERB_OPTION_OWN ? verb->option(a, c, optarg) : parse_shared(a, c, optarg);
                if (r < 0)
                        return r;
        }
        if (c < -1)
                return c; /* logged: an option given twice */

        if ((verb->flags & VERB_NO_ARGUMENTS) && optind < argc) {
                _cleanup_(freep) char *shown = log_escape(argv[optind]);
                return log_error_errno(-EINVAL, "'taskstorm %s' takes no arguments, got '%s'.", verb->name,
                                       strempty(shown));
        }
        if (verb->arguments && (r = verb->arguments(a, argc - optind, argv + optind)) < 0)
                return r;
        /* Last: the only check of the file system, once nothing else can refuse the command line. */
        if (a->report_dir && (r = report_dir_check(a->report_dir, a->report_path)) < 0)
                return r;
        if (a->format < 0)
                a->format = FORMAT_TEXT;
        if (a->json_style < 0)
                a->json_style = TS_JSON_PRETTY;
        return 1;
}

/* What the parsed command needs that this process may not have; nothing has been done yet. */
static int check_privileges(const Verb *verb, const VerbArgs *a) {
        if ((verb->flags & VERB_BOOTS_SANDBOX) && arg_no_sandbox)
                return log_error_errno(-EINVAL,
                                       "--no-sandbox contradicts 'taskstorm %s', which boots one: give one "
                                       "of them.",
                                       verb->name);
        if ((verb->flags & VERB_NEEDS_ROOT) && !a->needs_no_root && geteuid() != 0)
                return log_error_errno(-EPERM, "'taskstorm %s' needs root, %s; nothing was done.",
                                       verb->name, verb->root_why);
        return 0;
}

int verb_main(const Verb *verb, int argc, char *argv[]) {
        assert(verb->args_size >= sizeof(VerbArgs));
        VerbArgs *a = calloc(1, verb->args_size);
        if (!a)
                return log_error_errno(-ENOMEM, "Out of memory.");
        a->format = _FORMAT_INVALID;
        a->json_style = _TS_JSON_STYLE_INVALID;
        if (verb->init)
                verb->init(a);

        int r = parse(verb, a, argc, argv);
        if (r > 0) {
                r = check_privileges(verb, a);
                if (r >= 0)
                        r = verb->run(a);
        }
        if (verb->done)
                verb->done(a);
        free(a);
        return r;
}
