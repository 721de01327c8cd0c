/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm qualify [--check NAME]...: the checks of harness/qualify/ against the running systemd,
 * each PASS, FAIL, SKIP or BROKEN with its evidence, as text, JSON or TAP, and with --report-dir as
 * qualify.json and junit.xml. */
#include <limits.h>
#include <sys/stat.h>

#include "args.h"
#include "bus.h"
#include "exit-status.h"
#include "log.h"
#include "output.h"
#include "paths.h"
#include "qualify.h"
#include "report-json.h"
#include "report-qualify.h"
#include "report-verdict.h"
#include "scope.h"
#include "verbs.h"
#include "version.h"

#define JOB_TIMEOUT (60 * USEC_PER_SEC)

typedef struct QualifyArgs {
        VerbArgs common;
        const TsQualifyCheck **checks; /* --check's, in their order; all of them where none */
        size_t n_checks;
        bool list;
} QualifyArgs;

enum {
        ARG_CHECK = VERB_OPTION_OWN,
        ARG_LIST,
};

static const VerbOption options[] = {
        { .id = ARG_CHECK,
          .name = "check",
          .metavar = "NAME",
          .help = "run this check only (repeatable; default: all)",
          .flags = VERB_OPTION_REPEATABLE },
        { .id = ARG_LIST, .name = "list", .help = "list the checks and exit" },
        { .id = VERB_OPTION_FORMAT },
        { .id = VERB_OPTION_JSON, .help = "the same as --format json" },
        { .id = VERB_OPTION_REPORT_DIR, .help = "also write DIR/qualify.json and DIR/junit.xml" },
        {},
};

static void print_checks(void) {
        size_t n;
        const TsQualifyCheck *checks = ts_qualify_checks(&n);
        printf("Checks:\n");
        for (size_t i = 0; i < n; i++)
                printf("  %-18s %s\n", checks[i].name, checks[i].summary);
}

static int add_check(QualifyArgs *a, const char *name) {
        size_t n_all;
        (void)ts_qualify_checks(&n_all);
        const TsQualifyCheck *k = ts_qualify_check_find(name);
        if (!k) {
                _cleanup_(freep) char *shown = log_escape(name);
                return log_error_errno(-EINVAL,
                                       "--check %s: no such check (see 'taskstorm qualify --list').",
                                       strempty(shown));
        }
        for (size_t i = 0; i < a->n_checks; i++)
                if (a->checks[i] == k)
                        return log_error_errno(-EINVAL, "--check %s given twice.", k->name);
        /* Room for every check: none is taken twice. */
        if (!a->checks && !(a->checks = calloc(n_all, sizeof *a->checks)))
                return log_error_errno(-ENOMEM, "Out of memory.");
        a->checks[a->n_checks++] = k;
        return 0;
}

static int qualify_option(void *userdata, int id, const char *value) {
        QualifyArgs *a = userdata;
        switch (id) {
        case ARG_CHECK:
                return add_check(a, value);
        case ARG_LIST:
                a->list = true;
                return 0;
        default:
                return -EINVAL;
        }
}

static int qualify_arguments(void *userdata, int argc, char *argv[]) {
        QualifyArgs *a = userdata;
        if (!a->list)
                return 0;
        /* --list runs nothing: a check, a format or a report directory would be silently ignored. */
        if (a->n_checks > 0 || a->common.format >= 0 || a->common.report_dir)
                return log_error_errno(-EINVAL, "--list only lists the checks: give it alone.");
        a->common.needs_no_root = true;
        return 0;
}

static void qualify_done(void *userdata) {
        QualifyArgs *a = userdata;
        free(a->checks);
}

/* --report-dir's files: qualify.json and junit.xml; logged where one could not be written. */
static int write_reports(const QualifyArgs *a, json_object *root, const char *systemd,
                         const TsQualifyResult *results) {
        char path[PATH_MAX];
        int r = path_printf(path, sizeof path, "%s/qualify.json", a->common.report_path);
        if (r >= 0)
                r = ts_json_write_file(path, root);
        if (r >= 0)
                r = path_printf(path, sizeof path, "%s/junit.xml", a->common.report_path);
        if (r >= 0)
                r = ts_qualify_junit_write(path, systemd, a->checks, results, a->n_checks);
        if (r == -EOPNOTSUPP)
                return log_error_errno(r, "Failed to write %s: " CLI_NO_LIBXML2, path);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", path);
        return 0;
}

/* Each check in turn, printed as it ends; the report of them all, the worst verdict's exit status. */
static int run_checks(const QualifyArgs *a, const TsQualifyContext *ctx, const TsSysinfo *env) {
        const char *systemd = strempty(env->systemd.version);
        OutputFormat format = a->common.format;
        size_t n = a->n_checks;
        _cleanup_(freep) TsQualifyResult *results = calloc(n, sizeof *results);
        if (!results)
                return log_error_errno(-ENOMEM, "Out of memory.");
        ANALYZER_OWNED_BY_CLEANUP(results);
        unsigned counts[_TS_VERDICT_MAX] = {};
        TsVerdict worst = TS_VERDICT_PASS;
        if (format == FORMAT_TEXT)
                ts_qualify_print_head(stdout, systemd, n);
        else if (format == FORMAT_TAP)
                ts_tap_print_plan(stdout, n);
        json_object *root = ts_qualify_report_new(env, cli_sandbox_verbs());
        json_object *list = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                ts_qualify_run(ctx, a->checks[i], &results[i]);
                counts[results[i].verdict]++;
                worst = ts_verdict_worst(worst, results[i].verdict);
                json_object_array_add(list, ts_qualify_result_to_json(a->checks[i], &results[i]));
                if (format == FORMAT_TEXT)
                        ts_qualify_print_result(stdout, a->checks[i], &results[i]);
                else if (format == FORMAT_TAP)
                        ts_qualify_print_tap(stdout, i + 1, a->checks[i], &results[i]);
                fflush(stdout);
        }
        ts_qualify_report_finish(root, systemd, list, counts);

        int report_r = a->common.report_dir ? write_reports(a, root, systemd, results) : 0;
        if (format == FORMAT_JSON)
                (void)ts_json_write_and_put(stdout, root, a->common.json_style);
        else
                json_object_put(root);
        if (format == FORMAT_TEXT)
                ts_verdict_counts_print(stdout, counts);
        return report_r < 0 ? TS_EXIT_FAILURE : ts_verdict_exit_status(worst);
}

static int qualify_run(void *userdata) {
        QualifyArgs *a = userdata;
        size_t n_all;
        const TsQualifyCheck *all = ts_qualify_checks(&n_all);
        if (a->list) {
                for (size_t i = 0; i < n_all; i++)
                        printf("%s\n", all[i].name);
                return 0;
        }
        if (a->n_checks == 0) {
                if (!(a->checks = calloc(n_all, sizeof *a->checks)))
                        return log_error_errno(-ENOMEM, "Out of memory.");
                for (size_t i = 0; i < n_all; i++)
                        a->checks[a->n_checks++] = &all[i];
        }

        int status;
        int r = cli_systemd_or_sandbox(&status);
        if (r == 0 && a->common.report_dir)
                r = report_dir_make(a->common.report_path);
        if (r != 0)
                return r < 0 ? r : status;

        char exe[PATH_MAX];
        r = cli_self_exe(exe, sizeof exe);
        if (r < 0)
                return log_error_errno(r, "Failed to find my own executable: %m");
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(ts_sysinfo_done) TsSysinfo env = {};
        r = ts_bus_open_systemd(&bus);
        if (r >= 0)
                r = ts_scope_sysinfo_gather(bus, &env);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the checks: %m");
        const CliPaths *paths;
        r = cli_paths(&paths);
        if (r < 0)
                return r;
        TsQualifyContext ctx = {
                .bus = bus, .exec_path = exe, .leader_path = paths->tstask, .timeout = JOB_TIMEOUT
        };
        if (env.systemd.version && ts_version_major(env.systemd.version, &ctx.systemd_major) < 0)
                ctx.systemd_major = 0;
        return run_checks(a, &ctx, &env);
}

const Verb verb_qualify = {
        .name = "qualify",
        .summary =
                "check the running systemd's TasksMax semantics, each check PASS, FAIL or SKIP with evidence",
        .flags = VERB_NEEDS_ROOT | VERB_NEEDS_SYSTEMD | VERB_NO_ARGUMENTS,
        .root_why = "to make units and set their properties through systemd's private bus",
        .usage = "[OPTIONS...]",
        .description =
                "Check the running systemd's TasksMax semantics, each check PASS, FAIL, SKIP or BROKEN with\n"
                "what it measured. Each check makes its own transient units and stops them.\n",
        .options = options,
        .print_epilogue = print_checks,
        .args_size = sizeof(QualifyArgs),
        .option = qualify_option,
        .arguments = qualify_arguments,
        .done = qualify_done,
        .run = qualify_run,
};
