/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm run [FILE...]: parse every scenario first (a bad file stops the run before anything
 * changes), then run each and report PASS, FAIL, SKIP or BROKEN with the timing of every phase. */
#include <dirent.h>
#include <getopt.h>
#include <limits.h>

#include <sys/stat.h>

#include "args.h"
#include "bus.h"
#include "exit-status.h"
#include "fileio.h"
#include "log.h"
#include "output.h"
#include "paths.h"
#include "progress.h"
#include "report-json.h"
#include "report-run.h"
#include "report-verdict.h"
#include "runner.h"
#include "scope.h"
#include "signals.h"
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
                return log_error_errno(negative_errno(), "Failed to open %s: %m (set TASKSTORM_DATADIR?)",
                                       dir);
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

/* --report-dir's files of the finished report, each logged where it could not be written. */
static int write_reports(const TsRunReport *report, const char *dir) {
        static const struct {
                const char *name;
                int (*write)(const TsRunReport *r, const char *path);
        } files[] = {
                { "report.json", ts_run_report_write_json },
                { "junit.xml", ts_run_report_write_junit },
                { "report.html", ts_run_report_write_html },
        };
        char path[PATH_MAX];
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                int r = path_printf(path, sizeof path, "%s/%s", dir, files[i].name);
                if (r >= 0)
                        r = files[i].write(report, path);
                if (r < 0)
                        return log_error_errno(r, "Failed to write %s: %m", path);
        }
        return 0;
}

static void free_scenarios(TsScenario **l, size_t n) {
        for (size_t i = 0; i < n; i++)
                ts_scenario_free(l[i]);
        free(l);
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
                r = ts_scope_sysinfo_gather(bus, &env);
        if (r < 0) {
                free_scenarios(scenarios, n);
                return log_error_errno(r, "Failed to set up the run: %m");
        }

        TsVerdict worst = TS_VERDICT_PASS;
        unsigned counts[_TS_VERDICT_MAX] = {};
        TsRunReport *report = ts_run_report_new(&env, cli_sandbox_verbs());
        TsProgress shared = {};
        TsRunContext ctx = { .bus = bus,
                             .env = &env,
                             .exec_path = exe,
                             .paths = { daemon, image },
                             .cancel_fd = sigfd,
                             .progress = &shared };
        Progress *progress = progress_start(&shared);
        int sig = 0, report_r = report ? 0 : log_error_errno(-ENOMEM, "Out of memory.");
        if (format == FORMAT_TAP)
                ts_tap_print_plan(stdout, n);
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
                if (report && ts_run_report_add(report, scenarios[i], &res) < 0)
                        report_r = log_error_errno(-ENOMEM, "Out of memory.");
                if (format == FORMAT_TEXT)
                        ts_run_print_result(stdout, scenarios[i], &res);
                else if (format == FORMAT_TAP)
                        ts_run_print_tap(stdout, i + 1, scenarios[i], &res);
                fflush(stdout);
                ts_scenario_result_done(&res);
                /* systemd re-executed (or restarted): the next scenario gets a new connection. */
                if (sig == 0 && sd_bus_is_open(bus) <= 0) {
                        sd_bus *fresh = NULL;
                        r = ts_bus_open_again(bus, 30 * USEC_PER_SEC, &fresh);
                        if (r < 0) {
                                log_error_errno(
                                        r,
                                        "Lost the connection to systemd, and could not connect again: %m");
                                break;
                        }
                        sd_bus_flush_close_unref(bus);
                        ctx.bus = bus = fresh;
                }
        }
        progress_stop(progress);

        if (report) {
                json_object *o = ts_run_report_finish(report, counts);
                if (report_dir && report_r >= 0)
                        report_r = write_reports(report, report_path);
                if (format == FORMAT_JSON)
                        (void)ts_json_write_and_put(stdout, json_object_get(o), TS_JSON_PRETTY);
                ts_run_report_free(report);
        }
        if (format == FORMAT_TEXT)
                ts_verdict_counts_print(stdout, counts);
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
