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
#include "junit.h"
#include "log.h"
#include "output.h"
#include "qualify.h"
#include "sysinfo.h"
#include "verbs.h"
#include "version.h"

#define QUALIFY_FORMAT "taskstorm-qualify"
#define QUALIFY_VERSION 1
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

static json_object *result_to_json(const TsQualifyCheck *c, const TsQualifyResult *res) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(c->name));
        json_object_object_add(o, "summary", json_object_new_string(c->summary));
        json_object_object_add(o, "verdict", json_object_new_string(ts_verdict_to_string(res->verdict)));
        json_object_object_add(o, "reason", res->reason[0] ? json_object_new_string(res->reason) : NULL);
        json_object_object_add(o, "evidence", json_object_new_string(res->evidence));
        json_object_object_add(o, "duration_ns", json_object_new_uint64(res->duration));
        return o;
}

static void print_text(const TsQualifyCheck *c, const TsQualifyResult *res) {
        printf("%-6s %-18s %8.1f ms  %s\n", ts_verdict_to_string(res->verdict), c->name, (double)res->duration / 1e6,
               c->summary);
        if (res->reason[0])
                printf("       why: %s\n", res->reason);
        if (res->evidence[0])
                printf("       evidence: %s\n", res->evidence);
}

static void print_tap(size_t number, const TsQualifyCheck *c, const TsQualifyResult *res) {
        printf("%s %zu - %s", ts_verdict_tap_ok(res->verdict) ? "ok" : "not ok", number, c->name);
        if (res->verdict == TS_VERDICT_SKIP)
                printf(" # SKIP %s", res->reason);
        printf("\n# %s\n", res->evidence);
        if (!ts_verdict_tap_ok(res->verdict))
                printf("# %s: %s\n", ts_verdict_to_string(res->verdict), res->reason);
}

/* junit.xml: one testsuite, one testcase per check; a failure's message is its reason and evidence. */
static int write_junit(const char *path, const char *systemd, const TsQualifyCheck **run, const TsQualifyResult *res,
                       size_t n) {
        TsJunitCase *cases = calloc(n ? n : 1, sizeof *cases);
        char **messages = calloc(n ? n : 1, sizeof *messages);
        char suite_name[128];
        int r = cases && messages ? 0 : -ENOMEM;
        nsec_t total = 0;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (res[i].reason[0] && asprintf(&messages[i], "%s (evidence: %s)", res[i].reason, res[i].evidence) < 0) {
                        messages[i] = NULL;
                        r = -ENOMEM;
                }
                cases[i] = (TsJunitCase){ .name = run[i]->name, .duration = res[i].duration, .verdict = res[i].verdict,
                                          .message = messages[i] };
                total += res[i].duration;
        }
        snprintf(suite_name, sizeof suite_name, "qualify systemd %s", systemd);
        TsJunitSuite suite = { .name = suite_name, .duration = total, .cases = cases, .n_cases = n };
        if (r >= 0)
                r = ts_junit_write(path, &suite, 1);
        for (size_t i = 0; messages && i < n; i++)
                free(messages[i]);
        free(messages);
        free(cases);
        return r;
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
                                return log_error_errno(-EINVAL, "--check %s: no such check (see 'taskstorm qualify "
                                                                "--list').", strempty(shown));
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
                return log_error_errno(-EINVAL, "'taskstorm qualify' takes no arguments, got '%s'.", strempty(shown));
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
                r = sysinfo_gather(bus, &env);
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
                printf("systemd %s: %zu check%s of its TasksMax semantics\n", systemd, n, n == 1 ? "" : "s");
        else if (format == FORMAT_TAP)
                printf("1..%zu\n", n);
        json_object *root = json_report_new(QUALIFY_FORMAT, QUALIFY_VERSION, &env);
        json_object *list = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                ts_qualify_run(&ctx, run[i], &results[i]);
                counts[results[i].verdict]++;
                worst = ts_verdict_worst(worst, results[i].verdict);
                json_object_array_add(list, result_to_json(run[i], &results[i]));
                if (format == FORMAT_TEXT)
                        print_text(run[i], &results[i]);
                else if (format == FORMAT_TAP)
                        print_tap(i + 1, run[i], &results[i]);
                fflush(stdout);
        }
        json_object_object_add(root, "systemd", json_object_new_string(systemd));
        json_object_object_add(root, "checks", list);
        json_object_object_add(root, "summary", json_verdict_counts(counts));

        int report_r = 0;
        if (report_dir) {
                char path[PATH_MAX];
                report_r = path_printf(path, sizeof path, "%s/qualify.json", report_path);
                if (report_r >= 0 &&
                    json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) < 0)
                        report_r = -EIO;
                if (report_r >= 0)
                        report_r = path_printf(path, sizeof path, "%s/junit.xml", report_path);
                if (report_r >= 0)
                        report_r = write_junit(path, systemd, run, results, n);
                if (report_r < 0)
                        log_error_errno(report_r, "Failed to write %s: %m", path);
        }
        if (format == FORMAT_JSON)
                (void)json_print_and_put(root);
        else
                json_object_put(root);
        if (format == FORMAT_TEXT)
                printf("%u passed, %u failed, %u skipped, %u broken\n", counts[TS_VERDICT_PASS], counts[TS_VERDICT_FAIL],
                       counts[TS_VERDICT_SKIP], counts[TS_VERDICT_BROKEN]);
        return report_r < 0 ? TS_EXIT_FAILURE : ts_verdict_exit_status(worst);
}
