/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm run [FILE...]: parse every scenario first (a bad file stops the run before anything
 * changes), then run each and report PASS, FAIL, SKIP or BROKEN with the timing of every phase. */
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>

#include <sys/stat.h>

#include "bus.h"
#include "fileio.h"
#include "junit.h"
#include "config.h"
#include "exit-status.h"
#include "log.h"
#include "runner.h"
#include "signals.h"
#include "output.h"
#include "verbs.h"

typedef enum OutputFormat { FORMAT_TEXT, FORMAT_JSON, FORMAT_TAP, _FORMAT_MAX } OutputFormat;
static const char *const format_names[_FORMAT_MAX] = { "text", "json", "tap" };

static void help(void) {
        printf("Usage: taskstorm run [OPTIONS...] [FILE...]\n\n"
               "Run scenario files (default: every *.scenario in ./scenarios, or in the source tree's).\n\n"
               "  -h --help             show this help\n"
               "     --format FORMAT    text (default), json or tap on stdout\n"
               "     --json             the same as --format json\n"
               "     --report-dir DIR   also write DIR/report.json and DIR/junit.xml\n");
}

/* What the JUnit report keeps of each scenario once its result is gone. */
typedef struct JunitScenario {
        char *name;
        char *reason;
        nsec_t duration;
        TsJunitCase cases[_TS_LOOP_PHASE_MAX + _TS_PHASE_MAX + 1];
        size_t n_cases;
} JunitScenario;

static void junit_keep(JunitScenario *j, const TsScenario *s, const TsScenarioResult *res) {
        *j = (JunitScenario){ .name = strdup(s->name), .reason = res->reason[0] ? strdup(res->reason) : NULL,
                              .duration = res->duration };
        if (res->ran)
                for (TsStormPhase p = 0; p < _TS_PHASE_MAX; p++)
                        if (res->report.phases[p].done)
                                j->cases[j->n_cases++] = (TsJunitCase){ .name = ts_storm_phase_to_string(p),
                                                                       .duration = res->report.phases[p].duration };
        if (res->looped)
                for (TsLoopPhase p = 0; p < _TS_LOOP_PHASE_MAX; p++)
                        if (res->loop.phases[p].done)
                                j->cases[j->n_cases++] = (TsJunitCase){ .name = ts_loop_phase_to_string(p),
                                                                       .duration = res->loop.phases[p].duration };
        j->cases[j->n_cases++] = (TsJunitCase){ .name = "verdict", .verdict = res->verdict, .message = j->reason };
}

static int write_reports(const char *dir, json_object *report, JunitScenario *kept, size_t n) {
        char path[PATH_MAX];
        int r = path_printf(path, sizeof path, "%s/report.json", dir);
        if (r >= 0 && json_object_to_file_ext(path, report, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) < 0)
                r = -EIO;
        if (r < 0)
                return log_error_errno(r, "Failed to write %s: %m", path);
        TsJunitSuite *suites = calloc(n ? n : 1, sizeof *suites);
        if (!suites)
                return log_error_errno(-ENOMEM, "Out of memory.");
        for (size_t i = 0; i < n; i++)
                suites[i] = (TsJunitSuite){ .name = kept[i].name, .duration = kept[i].duration,
                                            .cases = kept[i].cases, .n_cases = kept[i].n_cases };
        r = path_printf(path, sizeof path, "%s/junit.xml", dir);
        if (r >= 0)
                r = ts_junit_write(path, suites, n);
        free(suites);
        return r < 0 ? log_error_errno(r, "Failed to write %s/junit.xml: %m", dir) : 0;
}

static void print_tap(size_t number, const TsScenario *s, const TsScenarioResult *res) {
        printf("%s %zu - %s", ts_verdict_tap_ok(res->verdict) ? "ok" : "not ok", number, s->name);
        if (res->verdict == TS_VERDICT_SKIP)
                printf(" # SKIP %s", res->reason);
        printf("\n");
        if (!ts_verdict_tap_ok(res->verdict))
                printf("# %s: %s\n", ts_verdict_to_string(res->verdict), res->reason);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.scenario of the default directory, sorted, as a NULL-terminated list. */
static int default_files(char ***ret) {
        const char *dir = access("scenarios", F_OK) == 0 ? "scenarios" : TS_SOURCE_ROOT "/scenarios";
        DIR *d = opendir(dir);
        if (!d)
                return log_error_errno(negative_errno(), "Failed to open %s: %m", dir);
        char **files = calloc(1, sizeof(char *));
        size_t n = 0;
        bool oom = !files;
        struct dirent *de;
        while (!oom && (de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (len <= STRLEN(".scenario") || !streq(de->d_name + len - STRLEN(".scenario"), ".scenario"))
                        continue;
                char **grown = realloc(files, (n + 2) * sizeof(char *));
                oom = !grown || asprintf(&grown[n], "%s/%s", dir, de->d_name) < 0;
                if (grown)
                        files = grown;
                if (!oom)
                        files[++n] = NULL;
        }
        closedir(d);
        if (oom) {
                strv_free(files);
                return log_error_errno(-ENOMEM, "Out of memory.");
        }
        qsort(files, n, sizeof(char *), cmp_str);
        *ret = files;
        return 0;
}

static void free_scenarios(TsScenario **l, size_t n) {
        for (size_t i = 0; i < n; i++)
                ts_scenario_free(l[i]);
        free(l);
}

static const char *phase_name(size_t i) {
        return ts_loop_phase_to_string((TsLoopPhase)i);
}

static json_object *loop_to_json(const TsLoopReport *l) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "containers_started", json_object_new_uint64(l->started));
        json_object_object_add(o, "containers_failed", json_object_new_uint64(l->failed));
        json_object_object_add(o, "check_verdict", json_object_new_string(ts_check_verdict_to_string(l->verdict)));
        json_object_object_add(o, "check_cause", json_object_new_string(ts_cause_to_string(l->cause)));
        json_object_object_add(o, "check_why", json_object_new_string(l->why));
        json_object_object_add(o, "fixed", json_object_new_boolean(l->fixed));
        json_object_object_add(o, "fix_verified", json_object_new_boolean(l->fix_verified));
        json_object_object_add(o, "containers_started_again", json_object_new_uint64(l->started_again));
        json_object_object_add(o, "containers_failed_again", json_object_new_uint64(l->failed_again));
        json_object_object_add(o, "phases", json_timings(l->phases, _TS_LOOP_PHASE_MAX, phase_name));
        return o;
}

/* The loop told as it happened, one line a phase. */
static void print_loop_text(const TsScenario *s, const TsLoopReport *l) {
        static const char *const what[_TS_LOOP_PHASE_MAX] = {
                [TS_LOOP_INSTALL] = "the fixture daemon installed and started",
                [TS_LOOP_REPRODUCE] = "containers asked for",
                [TS_LOOP_DETECT] = "taskstorm check",
                [TS_LOOP_SET_PROPERTY] = "set-property TasksMax",
                [TS_LOOP_RELOAD] = "daemon-reload",
                [TS_LOOP_RESTART] = "restart",
                [TS_LOOP_VERIFY] = "verified on the bus and in the cgroup",
                [TS_LOOP_RERUN] = "the same containers asked for again",
                [TS_LOOP_CLEANUP] = "removed again",
        };
        for (TsLoopPhase p = 0; p < _TS_LOOP_PHASE_MAX; p++) {
                if (!l->phases[p].done)
                        continue;
                printf("       %-13s %9.1f ms  %s", ts_loop_phase_to_string(p), (double)l->phases[p].duration / 1e6,
                       what[p]);
                if (p == TS_LOOP_REPRODUCE)
                        printf(": %" PRIu64 " started, %" PRIu64 " failed", l->started, l->failed);
                else if (p == TS_LOOP_DETECT)
                        printf(": %s (%s)", ts_check_verdict_to_string(l->verdict), ts_cause_to_string(l->cause));
                else if (p == TS_LOOP_RERUN)
                        printf(": %" PRIu64 " started, %" PRIu64 " failed", l->started_again, l->failed_again);
                printf("\n");
                if (p == TS_LOOP_DETECT && l->why[0])
                        printf("                                %s\n", l->why);
        }
        (void)s;
}

static json_object *result_to_json(const TsScenario *s, const TsScenarioResult *res) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(s->name));
        json_object_object_add(o, "path", json_object_new_string(s->path));
        json_object_object_add(o, "description", json_object_new_string(s->description));
        json_object *tags = json_object_new_array();
        for (char **t = s->tags; t && *t; t++)
                json_object_array_add(tags, json_object_new_string(*t));
        json_object_object_add(o, "tags", tags);
        json_object_object_add(o, "verdict", json_object_new_string(ts_verdict_to_string(res->verdict)));
        json_object_object_add(o, "reason", res->reason[0] ? json_object_new_string(res->reason) : NULL);
        json_object_object_add(o, "duration_ns", json_object_new_uint64(res->duration));
        json_object_object_add(o, "storm", res->ran ? storm_report_to_json(&res->report, &res->plan) : NULL);
        json_object_object_add(o, "loop", res->looped ? loop_to_json(&res->loop) : NULL);
        return o;
}

static void print_result_text(const TsScenario *s, const TsScenarioResult *res) {
        printf("%-6s %-28s", ts_verdict_to_string(res->verdict), s->name);
        if (res->ran) {
                for (TsStormPhase p = 0; p < _TS_PHASE_MAX; p++)
                        if (res->report.phases[p].done)
                                printf(" %s %.1fms", ts_storm_phase_to_string(p),
                                       (double)res->report.phases[p].duration / 1e6);
                if (res->report.has_first_failure)
                        printf(" first-%s %.1fms", strerrorname_np(res->report.stats.first_error),
                               (double)(res->report.stats.first_failure_ns - res->report.stats.start_ns) / 1e6);
        }
        printf("\n");
        if (res->looped)
                print_loop_text(s, &res->loop);
        if (res->reason[0])
                printf("       %s\n", res->reason);
}

int verb_run(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100, ARG_FORMAT, ARG_REPORT_DIR };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "report-dir", required_argument, NULL, ARG_REPORT_DIR },
                {},
        };
        OutputFormat format = FORMAT_TEXT;
        const char *report_dir = NULL;
        int c, r;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_JSON:
                        format = FORMAT_JSON;
                        break;
                case ARG_FORMAT:
                        format = _FORMAT_MAX;
                        for (OutputFormat f = 0; f < _FORMAT_MAX; f++)
                                if (streq(format_names[f], optarg))
                                        format = f;
                        if (format == _FORMAT_MAX) {
                                _cleanup_(freep) char *shown = log_escape(optarg);
                                return log_error_errno(-EINVAL, "--format %s: expected text, json or tap.",
                                                       strempty(shown));
                        }
                        break;
                case ARG_REPORT_DIR:
                        report_dir = optarg;
                        break;
                case '?':
                        return log_option_error("run", argv, options);
                default:
                        return -EINVAL;
                }

        _cleanup_(strv_freep) char **defaults = NULL;
        char **files = argv + optind;
        if (optind >= argc) {
                r = default_files(&defaults);
                if (r < 0)
                        return r;
                files = defaults;
        }

        /* Every file is checked before anything runs. */
        size_t n = 0;
        while (files[n])
                n++;
        TsScenario **scenarios = calloc(n + 1, sizeof(TsScenario *));
        if (!scenarios)
                return log_error_errno(-ENOMEM, "Out of memory.");
        for (size_t i = 0; i < n; i++) {
                _cleanup_(ts_scenario_error_done) TsScenarioError error = {};
                r = ts_scenario_parse_file(files[i], &scenarios[i], &error);
                if (r < 0) {
                        _cleanup_(freep) char *msg = ts_scenario_error_format(&error);
                        log_error("%s", msg ? msg : files[i]);
                        free_scenarios(scenarios, i);
                        return TS_EXIT_BAD_INPUT;
                }
        }

        /* The report directory is made here, and bound into a sandbox, so the reports reach the host. */
        char report_path[PATH_MAX];
        char *binds[2] = {};
        if (report_dir) {
                if (mkdir(report_dir, 0755) < 0 && errno != EEXIST) {
                        r = negative_errno();
                        free_scenarios(scenarios, n);
                        return log_error_errno(r, "--report-dir %s: %m", report_dir);
                }
                if (!realpath(report_dir, report_path)) {
                        r = negative_errno();
                        free_scenarios(scenarios, n);
                        return log_error_errno(r, "--report-dir %s: %m", report_dir);
                }
                binds[0] = report_path;
                cli_sandbox_binds = binds;
        }

        int status;
        r = cli_systemd_or_sandbox(&status);
        if (r != 0) {
                free_scenarios(scenarios, n);
                return r < 0 ? r : status;
        }

        char exe[PATH_MAX], daemon[PATH_MAX + 64];
        r = cli_self_exe(exe, sizeof exe);
        if (r < 0) {
                free_scenarios(scenarios, n);
                return log_error_errno(r, "Failed to find my own executable: %m");
        }
        /* The fixture daemon, built beside taskstorm in the build tree. */
        snprintf(daemon, sizeof daemon, "%.*s/../fixtures/dockerd/tsdockerd", (int)(strrchr(exe, '/') - exe), exe);
        _cleanup_(closep) int sigfd = cli_stop_signals_fd();
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        TsSysinfo env = {};
        r = sigfd < 0 ? sigfd : ts_bus_open_systemd(&bus);
        if (r >= 0)
                r = ts_sysinfo_gather(&env);
        if (r < 0) {
                free_scenarios(scenarios, n);
                return log_error_errno(r, "Failed to set up the run: %m");
        }

        TsVerdict worst = TS_VERDICT_PASS;
        unsigned counts[_TS_VERDICT_MAX] = {};
        json_object *results = json_object_new_array();
        JunitScenario *kept = calloc(n ? n : 1, sizeof *kept);
        size_t n_kept = 0;
        int sig = 0;
        if (format == FORMAT_TAP)
                printf("1..%zu\n", n);
        for (size_t i = 0; i < n && sig == 0; i++) {
                TsScenarioResult res;
                r = ts_scenario_run(bus, scenarios[i], &env, exe, daemon, sigfd, &res);
                if (r == -ECANCELED)
                        sig = cli_stop_signal_pending(sigfd);
                counts[res.verdict]++;
                worst = ts_verdict_worst(worst, res.verdict);
                json_object_array_add(results, result_to_json(scenarios[i], &res));
                if (kept)
                        junit_keep(&kept[n_kept++], scenarios[i], &res);
                if (format == FORMAT_TEXT)
                        print_result_text(scenarios[i], &res);
                else if (format == FORMAT_TAP)
                        print_tap(i + 1, scenarios[i], &res);
                ts_scenario_result_done(&res);
        }

        json_object *o = json_object_new_object();
        json_object_object_add(o, "scenarios", results);
        json_object *summary = json_object_new_object();
        for (TsVerdict v = 0; v < _TS_VERDICT_MAX; v++)
                json_object_object_add(summary, ts_verdict_to_string(v), json_object_new_uint64(counts[v]));
        json_object_object_add(o, "summary", summary);
        int report_r = report_dir && kept ? write_reports(report_path, o, kept, n_kept) : 0;
        for (size_t i = 0; i < n_kept; i++) {
                free(kept[i].name);
                free(kept[i].reason);
        }
        free(kept);
        if (format == FORMAT_JSON)
                (void)json_print_and_put(o);
        else
                json_object_put(o);
        if (format == FORMAT_TEXT)
                printf("%u passed, %u failed, %u skipped, %u broken\n", counts[TS_VERDICT_PASS],
                       counts[TS_VERDICT_FAIL], counts[TS_VERDICT_SKIP], counts[TS_VERDICT_BROKEN]);
        ts_sysinfo_done(&env);
        free_scenarios(scenarios, n);
        if (sig > 0) {
                log_info("Got %s: stopped the running scenario's unit.", strsignal(sig));
                return 128 + sig;
        }
        if (report_r < 0)
                return TS_EXIT_FAILURE;
        return ts_verdict_exit_status(worst);
}
