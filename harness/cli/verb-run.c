/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm run [FILE...]: parse every scenario first (a bad file stops the run before anything
 * changes), then run each and report PASS, FAIL, SKIP or BROKEN with the timing of every phase. */
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>

#include <sys/stat.h>

#include "args.h"
#include "bus.h"
#include "fileio.h"
#include "exit-status.h"
#include "log.h"
#include "runner.h"
#include "signals.h"
#include "output.h"
#include "paths.h"
#include "progress.h"
#include "run-report.h"
#include "verbs.h"


static void help(void) {
        printf("Usage: taskstorm run [OPTIONS...] [FILE...]\n\n"
               "Run scenario files, or shipped scenarios by name (10-fork-64); default: every shipped one.\n\n"
               "  -h --help             show this help\n"
               "     --format FORMAT    text (default), json or tap on stdout\n"
               "     --json             the same as --format json\n"
               "     --report-dir DIR   also write DIR/report.json, DIR/junit.xml and DIR/report.html\n"
               "     --list             list the shipped scenarios and exit\n\n"
               "On a terminal, a progress line on stderr shows the scenario, its phase and its tasks.\n");
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

/* The shipped scenarios' directory (DATADIR/scenarios). */
static int scenario_dir(char *buf, size_t size) {
        const CliPaths *paths;
        int r = cli_paths(&paths);
        if (r < 0)
                return r;
        if ((size_t)snprintf(buf, size, "%s/scenarios", paths->datadir) >= size)
                return log_error_errno(-ENAMETOOLONG, "The scenario directory's path is too long.");
        return 0;
}

/* Every *.scenario of the shipped directory, sorted, as a NULL-terminated list. */
static int default_files(char ***ret) {
        char dir[PATH_MAX];
        int r = scenario_dir(dir, sizeof dir);
        if (r < 0)
                return r;
        DIR *d = opendir(dir);
        if (!d)
                return log_error_errno(negative_errno(), "Failed to open %s: %m (set TASKSTORM_DATADIR?)", dir);
        char **files = calloc(1, sizeof(char *));
        size_t n = 0;
        bool oom = !files;
        struct dirent *de;
        while (!oom && (de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (len <= STRLEN(".scenario") || !endswith(de->d_name, ".scenario"))
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

/* The loop told as it happened, one line a phase. */
static void print_loop_text(const TsScenario *s, const TsLoopReport *l) {
        if (l->unit_note[0])
                printf("       %s\n", l->unit_note);
        static const char *const what[_TS_LOOP_PHASE_MAX] = {
                [TS_LOOP_INSTALL] = "installed and started:",
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
                       p == TS_LOOP_SET_PROPERTY && l->remedy[0] ? l->remedy : what[p]);
                if (p == TS_LOOP_INSTALL)
                        printf(" %s as %s", l->stack, l->unit);
                else if (p == TS_LOOP_REPRODUCE)
                        printf(": %" PRIu64 " started, %" PRIu64 " failed", l->started, l->failed);
                else if (p == TS_LOOP_DETECT)
                        printf(": %s (%s)", ts_check_verdict_to_string(l->verdict), ts_cause_to_string(l->cause));
                else if (p == TS_LOOP_RERUN)
                        printf(": %" PRIu64 " started, %" PRIu64 " failed", l->started_again, l->failed_again);
                printf("\n");
                if (p == TS_LOOP_REPRODUCE && l->first_error[0])
                        printf("                                first failure: %s\n", l->first_error);
                if (p == TS_LOOP_REPRODUCE && l->unit_tasks[0])
                        printf("                                %s\n", l->unit_tasks);
                if (p == TS_LOOP_DETECT && l->why[0])
                        printf("                                %s\n", l->why);
                if (p == TS_LOOP_DETECT && l->machine.name[0])
                        printf("                                the whole machine: %s first (%s, %s): %s\n", l->machine.name,
                               ts_check_verdict_to_string(l->machine.verdict), ts_cause_to_string(l->machine.cause), l->machine.why);
                if (p == TS_LOOP_DETECT && l->logger_check[0])
                        printf("                                %s\n", l->logger_check);
        }
        (void)s;
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

/* A FILE argument: a path as given, or else the name of a shipped scenario ("10-fork-64", with or
 * without ".scenario"). Returns 1 with *ret set to the shipped one's path, 0 for a path as given. */
static int resolve_scenario(const char *arg, char **ret) {
        if (strchr(arg, '/') || access(arg, F_OK) == 0)
                return 0;
        char dir[PATH_MAX];
        int r = scenario_dir(dir, sizeof dir);
        if (r < 0)
                return r;
        if (asprintf(ret, "%s/%s%s", dir, arg, endswith(arg, ".scenario") ? "" : ".scenario") < 0)
                return log_error_errno(-ENOMEM, "Out of memory.");
        if (access(*ret, F_OK) == 0)
                return 1;
        free(*ret);
        *ret = NULL;
        log_error("%s: no such file, nor a shipped scenario of that name (see taskstorm run --list).", arg);
        return -ENOENT;
}

/* --list: each shipped scenario's name and description. */
static int list_scenarios(void) {
        _cleanup_(strv_freep) char **files = NULL;
        int r = default_files(&files);
        if (r < 0)
                return r;
        for (char **f = files; *f; f++) {
                _cleanup_(ts_scenario_error_done) TsScenarioError error = {};
                TsScenario *s = NULL;
                if (ts_scenario_parse_file(*f, &s, &error) < 0) {
                        _cleanup_(freep) char *msg = ts_scenario_error_format(&error);
                        log_error("%s", msg ? msg : *f);
                        return TS_EXIT_BAD_INPUT;
                }
                printf("%-28s %s\n", s->name, s->description);
                ts_scenario_free(s);
        }
        return 0;
}

int verb_run(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100, ARG_FORMAT, ARG_REPORT_DIR, ARG_LIST };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "report-dir", required_argument, NULL, ARG_REPORT_DIR },
                { "list", no_argument, NULL, ARG_LIST },
                {},
        };
        OutputFormat format = _FORMAT_INVALID;
        const char *report_dir = NULL;
        bool list = false;
        uint32_t seen = 0;
        int c, r;

        opterr = 0;
        while ((c = cli_getopt(argc, argv, "h", options, NULL, &seen)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
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
                case ARG_LIST:
                        list = true;
                        break;
                case '?':
                        return log_option_error("run", argv, options);
                default:
                        return -EINVAL;
                }
        if (c < -1)
                return c; /* logged: an option given twice */
        if (format < 0)
                format = FORMAT_TEXT;
        /* The command line before the files: checked, nothing made (see cli_systemd_or_sandbox()). */
        char report_path[PATH_MAX];
        if (report_dir && (r = report_dir_check(report_dir, report_path)) < 0)
                return r;

        if (list) {
                if (optind < argc)
                        return log_error_errno(-EINVAL, "--list takes no scenarios.");
                return list_scenarios();
        }

        /* The files as given, each a path or a shipped scenario's name; or every shipped one. */
        _cleanup_(strv_freep) char **files = NULL;
        if (optind >= argc) {
                r = default_files(&files);
                if (r < 0)
                        return r;
        } else {
                files = calloc(argc - optind + 1, sizeof(char *));
                if (!files)
                        return log_error_errno(-ENOMEM, "Out of memory.");
                for (int i = optind; i < argc; i++) {
                        char *shipped = NULL;
                        r = resolve_scenario(argv[i], &shipped);
                        if (r < 0)
                                return r == -ENOENT ? TS_EXIT_BAD_INPUT : r;
                        files[i - optind] = r > 0 ? shipped : strdup(argv[i]);
                        if (!files[i - optind])
                                return log_error_errno(-ENOMEM, "Out of memory.");
                }
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

        int status;
        r = cli_systemd_or_sandbox(&status);
        if (r == 0 && report_dir)
                r = report_dir_make(report_path);
        if (r != 0) {
                free_scenarios(scenarios, n);
                return r < 0 ? r : status;
        }

        char exe[PATH_MAX], daemon[PATH_MAX + 64], image[PATH_MAX + 64];
        r = cli_self_exe(exe, sizeof exe);
        if (r < 0) {
                free_scenarios(scenarios, n);
                return log_error_errno(r, "Failed to find my own executable: %m");
        }
        /* The fixture daemon and the real stacks' container process (a whole image by itself). */
        const CliPaths *paths;
        r = cli_paths(&paths);
        if (r < 0) {
                free_scenarios(scenarios, n);
                return r;
        }
        snprintf(daemon, sizeof daemon, "%s/tsdockerd", paths->libexecdir);
        snprintf(image, sizeof image, "%s/tscontainer", paths->libexecdir);
        _cleanup_(closep) int sigfd = cli_stop_signals_fd();
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        TsSysinfo env = {};
        r = sigfd < 0 ? sigfd : ts_bus_open_systemd(&bus);
        if (r >= 0)
                r = sysinfo_gather(bus, &env);
        if (r < 0) {
                free_scenarios(scenarios, n);
                return log_error_errno(r, "Failed to set up the run: %m");
        }

        TsVerdict worst = TS_VERDICT_PASS;
        unsigned counts[_TS_VERDICT_MAX] = {};
        RunReport *report = run_report_new(&env);
        TsProgress shared = {};
        TsRunContext ctx = { .bus = bus, .env = &env, .exec_path = exe, .paths = { daemon, image }, .cancel_fd = sigfd,
                             .progress = &shared };
        Progress *progress = progress_start(&shared);
        int sig = 0, report_r = report ? 0 : log_error_errno(-ENOMEM, "Out of memory.");
        if (format == FORMAT_TAP)
                printf("1..%zu\n", n);
        for (size_t i = 0; i < n && sig == 0; i++) {
                TsScenarioResult res;
                progress_scenario(progress, i + 1, n, scenarios[i]->name);
                /* res is filled on every path, and -ECANCELED means a stop signal, which is read below. */
                (void)ts_scenario_run(&ctx, scenarios[i], &res);
                progress_pause(progress);
                /* A stop signal that came after the scenario's last look at it still stops the run. */
                sig = cli_stop_signal_pending(sigfd);
                counts[res.verdict]++;
                worst = ts_verdict_worst(worst, res.verdict);
                if (report && run_report_add(report, scenarios[i], &res) < 0)
                        report_r = log_error_errno(-ENOMEM, "Out of memory.");
                if (format == FORMAT_TEXT)
                        print_result_text(scenarios[i], &res);
                else if (format == FORMAT_TAP)
                        print_tap(i + 1, scenarios[i], &res);
                fflush(stdout);
                ts_scenario_result_done(&res);
                /* systemd re-executed (or restarted): the next scenario gets a new connection. */
                if (sig == 0 && sd_bus_is_open(bus) <= 0) {
                        sd_bus *fresh = NULL;
                        r = ts_bus_open_again(bus, 30 * USEC_PER_SEC, &fresh);
                        if (r < 0) {
                                log_error_errno(r, "Lost the connection to systemd, and could not connect again: %m");
                                break;
                        }
                        sd_bus_flush_close_unref(bus);
                        ctx.bus = bus = fresh;
                }
        }
        progress_stop(progress);

        if (report) {
                json_object *o = run_report_finish(report, counts);
                if (report_dir && report_r >= 0)
                        report_r = run_report_write(report, report_path);
                if (format == FORMAT_JSON)
                        (void)json_print_and_put(json_object_get(o));
                run_report_free(report);
        }
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
