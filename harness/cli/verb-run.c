/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm run [FILE...]: parse every scenario first (a bad file stops the run before anything
 * changes), then run each and report PASS, FAIL, SKIP or BROKEN with the timing of every phase. */
#include <dirent.h>
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

typedef struct RunArgs {
        VerbArgs common;
        bool list;
        char **files; /* as given: paths or shipped scenarios' names; none: every shipped one */
        int n_files;
} RunArgs;

enum {
        ARG_LIST = VERB_OPTION_OWN,
};

static const VerbOption options[] = {
        { .id = VERB_OPTION_FORMAT },
        { .id = VERB_OPTION_JSON, .help = "the same as --format json" },
        { .id = VERB_OPTION_REPORT_DIR,
          .help = "also write DIR/report.json, DIR/junit.xml and DIR/report.html" },
        { .id = ARG_LIST, .name = "list", .help = "list the shipped scenarios and exit" },
        {},
};

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
                if (r == -EOPNOTSUPP)
                        return log_error_errno(r, "Failed to write %s: " CLI_NO_LIBXML2, path);
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

static int run_option(void *userdata, int id, const char *value) {
        RunArgs *a = userdata;
        if (id != ARG_LIST)
                return -EINVAL;
        a->list = true;
        return 0;
}

static int run_arguments(void *userdata, int argc, char *argv[]) {
        RunArgs *a = userdata;
        if (a->list && argc > 0)
                return log_error_errno(-EINVAL, "--list takes no scenarios.");
        /* --list reads the shipped files only: neither root nor systemd. */
        a->common.needs_no_root = a->list;
        a->files = argv;
        a->n_files = argc;
        return 0;
}

/* What a run holds from set-up to the end, released by run_state_done(). */
typedef struct RunState {
        TsScenario **scenarios;
        size_t n;
        char daemon[PATH_MAX + 64], image[PATH_MAX];
        int sigfd;
        sd_bus *bus;
        TsSysinfo env;
} RunState;

static void run_state_done(RunState *s) {
        ts_sysinfo_done(&s->env);
        free_scenarios(s->scenarios, s->n);
        s->sigfd = safe_close(s->sigfd);
        s->bus = sd_bus_flush_close_unref(s->bus);
}

/* The files as given, each a path or a shipped scenario's name; or every shipped one. Returns 0,
 * TS_EXIT_BAD_INPUT for a name that is neither, or a negative errno; logged. */
static int scenario_files(const RunArgs *a, char ***ret) {
        if (a->n_files == 0)
                return default_files(ret);
        _cleanup_(strv_freep) char **files = calloc((size_t)a->n_files + 1, sizeof(char *));
        if (!files)
                return log_error_errno(-ENOMEM, "Out of memory.");
        ANALYZER_OWNED_BY_CLEANUP(files);
        for (int i = 0; i < a->n_files; i++) {
                char *shipped = NULL;
                int r = resolve_scenario(a->files[i], &shipped);
                if (r < 0)
                        return r == -ENOENT ? TS_EXIT_BAD_INPUT : r;
                files[i] = r > 0 ? shipped : strdup(a->files[i]);
                if (!files[i])
                        return log_error_errno(-ENOMEM, "Out of memory.");
        }
        *ret = TAKE_PTR(files);
        return 0;
}

/* Every scenario parsed before anything runs: a bad file stops the run (TS_EXIT_BAD_INPUT). */
static int load_scenarios(const RunArgs *a, RunState *s) {
        _cleanup_(strv_freep) char **files = NULL;
        int r = scenario_files(a, &files);
        if (r != 0)
                return r;
        size_t n = 0;
        while (files[n])
                n++;
        s->scenarios = calloc(n + 1, sizeof(TsScenario *));
        if (!s->scenarios)
                return log_error_errno(-ENOMEM, "Out of memory.");
        for (; s->n < n; s->n++) {
                _cleanup_(ts_scenario_error_done) TsScenarioError error = {};
                if (ts_scenario_parse_file(files[s->n], &s->scenarios[s->n], &error) < 0) {
                        _cleanup_(freep) char *msg = ts_scenario_error_format(&error);
                        log_error("%s", msg ? msg : files[s->n]);
                        return TS_EXIT_BAD_INPUT;
                }
        }
        return 0;
}

/* The fixture daemon and tstask (the storms' leader, and the real stacks' container process, a whole
 * image by itself), the stop signals, systemd and the machine's facts. */
static int set_up(RunState *s) {
        const CliPaths *paths;
        int r = cli_paths(&paths);
        if (r < 0)
                return r;
        snprintf(s->daemon, sizeof s->daemon, "%s/tsdockerd", paths->libexecdir);
        snprintf(s->image, sizeof s->image, "%s", paths->tstask);
        s->sigfd = cli_stop_signals_fd();
        r = s->sigfd < 0 ? s->sigfd : ts_bus_open_systemd(&s->bus);
        if (r >= 0)
                r = ts_scope_sysinfo_gather(s->bus, &s->env);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the run: %m");
        return 0;
}

/* systemd re-executed (or restarted) during a scenario: the next one gets a new connection. */
static int reconnect(RunState *s, TsRunContext *ctx) {
        if (sd_bus_is_open(s->bus) > 0)
                return 0;
        sd_bus *fresh = NULL;
        int r = ts_bus_open_again(s->bus, 30 * USEC_PER_SEC, &fresh);
        if (r < 0)
                return log_error_errno(r, "Lost the connection to systemd, and could not connect again: %m");
        sd_bus_flush_close_unref(s->bus);
        ctx->bus = s->bus = fresh;
        return 0;
}

/* --format json on stdout and --report-dir's files, of the finished report. */
static int finish_report(const RunArgs *a, TsRunReport *report, const unsigned counts[_TS_VERDICT_MAX],
                         int report_r) {
        json_object *o = ts_run_report_finish(report, counts);
        if (a->common.report_dir && report_r >= 0)
                report_r = write_reports(report, a->common.report_path);
        if (a->common.format == FORMAT_JSON)
                (void)ts_json_write_and_put(stdout, json_object_get(o), a->common.json_style);
        ts_run_report_free(report);
        return report_r;
}

/* Each scenario in turn, printed as it ends, until a stop signal; then the report and the exit
 * status of the worst verdict. */
static int run_scenarios(const RunArgs *a, RunState *s) {
        OutputFormat format = a->common.format;
        TsVerdict worst = TS_VERDICT_PASS;
        unsigned counts[_TS_VERDICT_MAX] = {};
        TsRunReport *report = ts_run_report_new(&s->env, cli_sandbox_verbs());
        TsProgress shared = {};
        TsRunContext ctx = { .bus = s->bus,
                             .env = &s->env,
                             .leader_path = s->image,
                             .paths = { s->daemon, s->image },
                             .cancel_fd = s->sigfd,
                             .progress = &shared };
        Progress *progress = progress_start(&shared);
        int sig = 0, report_r = report ? 0 : log_error_errno(-ENOMEM, "Out of memory.");
        if (format == FORMAT_TAP)
                ts_tap_print_plan(stdout, s->n);
        for (size_t i = 0; i < s->n && sig == 0; i++) {
                TsScenario *scenario = s->scenarios[i];
                TsScenarioResult res;
                progress_scenario(progress, i + 1, s->n, scenario->name);
                /* res is filled on every path, and -ECANCELED means a stop signal, which is read below. */
                (void)ts_scenario_run(&ctx, scenario, &res);
                progress_pause(progress);
                /* A stop signal that came after the scenario's last look at it still stops the run. */
                sig = cli_stop_signal_pending(s->sigfd);
                counts[res.verdict]++;
                worst = ts_verdict_worst(worst, res.verdict);
                if (report && ts_run_report_add(report, scenario, &res) < 0)
                        report_r = log_error_errno(-ENOMEM, "Out of memory.");
                if (format == FORMAT_TEXT)
                        ts_run_print_result(stdout, scenario, &res);
                else if (format == FORMAT_TAP)
                        ts_run_print_tap(stdout, i + 1, scenario, &res);
                fflush(stdout);
                ts_scenario_result_done(&res);
                if (sig == 0 && reconnect(s, &ctx) < 0)
                        break;
        }
        progress_stop(progress);

        if (report)
                report_r = finish_report(a, report, counts, report_r);
        if (format == FORMAT_TEXT)
                ts_verdict_counts_print(stdout, counts);
        if (sig > 0) {
                log_info("Got %s: stopped the running scenario's unit.", strsignal(sig));
                return 128 + sig;
        }
        return report_r < 0 ? TS_EXIT_FAILURE : ts_verdict_exit_status(worst);
}

static int run_run(void *userdata) {
        RunArgs *a = userdata;
        if (a->list)
                return list_scenarios();

        _cleanup_(run_state_done) RunState s = { .sigfd = -EBADF };
        int r = load_scenarios(a, &s);
        ANALYZER_OWNED_BY_CLEANUP(s.scenarios); /* run_state_done() frees them */
        if (r != 0)
                return r;
        int status;
        r = cli_systemd_or_sandbox(&status);
        if (r == 0 && a->common.report_dir)
                r = report_dir_make(a->common.report_path);
        if (r != 0)
                return r < 0 ? r : status;
        r = set_up(&s);
        if (r < 0)
                return r;
        return run_scenarios(a, &s);
}

const Verb verb_run = {
        .name = "run",
        .summary = "run scenario files and report PASS, FAIL, SKIP or BROKEN with phase timings",
        .flags = VERB_NEEDS_ROOT | VERB_NEEDS_SYSTEMD,
        .root_why = "to make and install units through systemd's private bus",
        .usage = "[OPTIONS...] [FILE...]",
        .description =
                "Run scenario files, or shipped scenarios by name (10-fork-64); default: every shipped one.\n",
        .options = options,
        .epilogue =
                "On a terminal, a progress line on stderr shows the scenario, its phase and its tasks.\n",
        .args_size = sizeof(RunArgs),
        .option = run_option,
        .arguments = run_arguments,
        .run = run_run,
};
