/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm qualify [--check NAME]...: the checks of harness/qualify/ against the running systemd,
 * each PASS, FAIL, SKIP or BROKEN with its evidence, as text, JSON or TAP, and with --report-dir as
 * qualify.json and junit.xml. */
#include <getopt.h>
#include <limits.h>
#include <sys/stat.h>

#include "args.h"
#include "bus.h"
#include "exit-status.h"
#include "log.h"
#include "output.h"
#include "qualify.h"
#include "report-json.h"
#include "report-qualify.h"
#include "report-verdict.h"
#include "scope.h"
#include "verbs.h"
#include "version.h"

#define JOB_TIMEOUT (60 * USEC_PER_SEC)

static void help(void) {
        size_t n;
        const TsQualifyCheck *checks = ts_qualify_checks(&n);
        printf("Usage: taskstorm qualify [OPTIONS...]\n\n"
               "Check the running systemd's TasksMax semantics, each check PASS, FAIL, SKIP or BROKEN with\n"
               "what it measured. Each check makes its own transient units and stops them.\n\n"
               "  -h --help             show this help\n"
               "     --check NAME       run this check only (repeatable; default: all)\n"
               "     --list             list the checks and exit\n"
               "     --format FORMAT    text (default), json or tap on stdout\n"
               "     --json             the same as --format json\n"
               "     --report-dir DIR   also write DIR/qualify.json and DIR/junit.xml\n\n"
               "Checks:\n");
        for (size_t i = 0; i < n; i++)
                printf("  %-18s %s\n", checks[i].name, checks[i].summary);
}

int verb_qualify(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100, ARG_FORMAT, ARG_REPORT_DIR, ARG_CHECK, ARG_LIST };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "report-dir", required_argument, NULL, ARG_REPORT_DIR },
                { "check", required_argument, NULL, ARG_CHECK },
                { "list", no_argument, NULL, ARG_LIST },
                {},
        };
        size_t n_all, n = 0;
        const TsQualifyCheck *all = ts_qualify_checks(&n_all);
        _cleanup_(freep) const TsQualifyCheck **run = calloc(n_all * 2 + (size_t)argc, sizeof *run);
        OutputFormat format = _FORMAT_INVALID;
        const char *report_dir = NULL;
        bool list_only = false;
        uint32_t seen = 0;
        int c, r;

        if (!run)
                return log_error_errno(-ENOMEM, "Out of memory.");
        ANALYZER_OWNED_BY_CLEANUP(run);
        opterr = 0;
        while ((c = cli_getopt(argc, argv, "h", options, (const int[]){ ARG_CHECK, 0 }, &seen)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_LIST:
                        list_only = true;
                        break;
                case ARG_JSON:
                        r = output_format_json(&format);
                        if (r < 0)
                                return r;
                        break;
                case ARG_FORMAT:
                        r = output_format_parse(optarg, &format);
                        if (r < 0)
                                return r;
                        break;
                case ARG_REPORT_DIR:
                        report_dir = optarg;
                        break;
                case ARG_CHECK: {
                        const TsQualifyCheck *k = ts_qualify_check_find(optarg);
                        if (!k) {
                                _cleanup_(freep) char *shown = log_escape(optarg);
                                return log_error_errno(-EINVAL,
                                                       "--check %s: no such check (see 'taskstorm qualify "
                                                       "--list').",
                                                       strempty(shown));
                        }
                        for (size_t i = 0; i < n; i++)
                                if (run[i] == k)
                                        return log_error_errno(-EINVAL, "--check %s given twice.", k->name);
                        run[n++] = k;
                        break;
                }
                case '?':
                        return log_option_error("qualify", argv, options);
                default:
                        return -EINVAL;
                }
        if (c < -1)
                return c; /* logged: an option given twice */
        if (optind < argc) {
                _cleanup_(freep) char *shown = log_escape(argv[optind]);
                return log_error_errno(-EINVAL, "'taskstorm qualify' takes no arguments, got '%s'.",
                                       strempty(shown));
        }
        if (list_only) {
                /* --list runs nothing: a check, a format or a report directory would be silently ignored. */
                if (n > 0 || format >= 0 || report_dir)
                        return log_error_errno(-EINVAL, "--list only lists the checks: give it alone.");
                for (size_t i = 0; i < n_all; i++)
                        printf("%s\n", all[i].name);
                return 0;
        }
        if (format < 0)
                format = FORMAT_TEXT;
        if (n == 0)
                for (size_t i = 0; i < n_all; i++)
                        run[n++] = &all[i];

        char report_path[PATH_MAX];
        if (report_dir && (r = report_dir_check(report_dir, report_path)) < 0)
                return r;
        int status;
        r = cli_systemd_or_sandbox(&status);
        if (r == 0 && report_dir)
                r = report_dir_make(report_path);
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
        const char *systemd = strempty(env.systemd.version);
        TsQualifyContext ctx = { .bus = bus, .exec_path = exe, .timeout = JOB_TIMEOUT };
        if (env.systemd.version && ts_version_major(env.systemd.version, &ctx.systemd_major) < 0)
                ctx.systemd_major = 0;

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
        json_object *root = ts_qualify_report_new(&env, cli_sandbox_verbs());
        json_object *list = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                ts_qualify_run(&ctx, run[i], &results[i]);
                counts[results[i].verdict]++;
                worst = ts_verdict_worst(worst, results[i].verdict);
                json_object_array_add(list, ts_qualify_result_to_json(run[i], &results[i]));
                if (format == FORMAT_TEXT)
                        ts_qualify_print_result(stdout, run[i], &results[i]);
                else if (format == FORMAT_TAP)
                        ts_qualify_print_tap(stdout, i + 1, run[i], &results[i]);
                fflush(stdout);
        }
        ts_qualify_report_finish(root, systemd, list, counts);

        int report_r = 0;
        if (report_dir) {
                char path[PATH_MAX];
                report_r = path_printf(path, sizeof path, "%s/qualify.json", report_path);
                if (report_r >= 0)
                        report_r = ts_json_write_file(path, root);
                if (report_r >= 0)
                        report_r = path_printf(path, sizeof path, "%s/junit.xml", report_path);
                if (report_r >= 0)
                        report_r = ts_qualify_junit_write(path, systemd, run, results, n);
                if (report_r < 0)
                        log_error_errno(report_r, "Failed to write %s: %m", path);
        }
        if (format == FORMAT_JSON)
                (void)ts_json_write_and_put(stdout, root, TS_JSON_PRETTY);
        else
                json_object_put(root);
        if (format == FORMAT_TEXT)
                ts_verdict_counts_print(stdout, counts);
        return report_r < 0 ? TS_EXIT_FAILURE : ts_verdict_exit_status(worst);
}
