/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm check [UNIT...]: is the unit affected by the TasksMax problem, and what exactly limits
 * it? From the live system, or (--log) from a support bundle's text. With no unit, the whole
 * machine: every limit that refused forks or is near, ranked, with the units whose EAGAIN lines
 * each explains. Speaks the article's terms: "Tasks: N (Limit: M)", and the systemctl command that
 * fixes it. */
#include <time.h>

#include "args.h"
#include "bundle-dir.h"
#include "bus.h"
#include "check-live.h"
#include "exit-status.h"
#include "fileio.h"
#include "log.h"
#include "offline.h"
#include "report-check.h"
#include "report-json.h"
#include "scan.h"
#include "unit.h"
#include "verbs.h"

static const struct {
        TsCheckVerdict verdict;
        int exit_status;
} verdict_exits[] = {
        { TS_CHECK_NOT_AFFECTED, TS_EXIT_SUCCESS }, { TS_CHECK_NOT_APPLICABLE, TS_EXIT_NOT_APPLICABLE },
        { TS_CHECK_AT_RISK, TS_EXIT_AT_RISK },      { TS_CHECK_AFFECTED, TS_EXIT_AFFECTED },
        { TS_CHECK_SUSPECTED, TS_EXIT_SUSPECTED },
};

typedef struct CheckArgs {
        VerbArgs common;
        usec_t since;
        bool since_given;
        uint64_t threshold;
        const char *log_path;
        char **units; /* NULL: the whole machine (or, with --log, whatever the text is about) */
        size_t n_units;
} CheckArgs;

enum {
        ARG_SINCE = VERB_OPTION_OWN,
        ARG_THRESHOLD,
        ARG_LOG,
};

static const VerbOption options[] = {
        { .id = ARG_SINCE,
          .name = "since",
          .metavar = "TIME",
          .help = "read only the journal since TIME: a span ago (\"10min\", \"1h 30min\") or\n"
                  "a timestamp (\"today\", \"2h ago\", \"2026-01-31 12:00\", \"@1767225600\");\n"
                  "default: a unit's current run, or with no unit this boot" },
        { .id = ARG_THRESHOLD,
          .name = "threshold",
          .metavar = "PCT",
          .help = "usage at which a unit is at-risk, in % of its limit (default " STRINGIFY(
                  TS_CHECK_DEFAULT_THRESHOLD) ")" },
        { .id = ARG_LOG,
          .name = "log",
          .metavar = "FILE",
          .help = "offline: read a log as pasted (journalctl in any format, systemctl\n"
                  "status and show, dmesg, sysctl, ulimit, a program's own lines), a\n"
                  "sosreport or supportconfig directory, or - for stdin; with no unit,\n"
                  "every unit, slice and container it has evidence about" },
        { .id = VERB_OPTION_JSON, .help = "print the result as JSON" },
        {},
};

static void print_epilogue(void) {
        printf("Exit status: 0 not-affected, %d affected, %d at-risk, %d not-applicable, %d suspected\n"
               "(--log: tasks refused, the text does not show by what), %d no such unit.\n",
               TS_EXIT_AFFECTED, TS_EXIT_AT_RISK, TS_EXIT_NOT_APPLICABLE, TS_EXIT_SUSPECTED,
               TS_EXIT_NO_SUCH_UNIT);
}

static int exit_status_of(TsCheckVerdict v) {
        for (size_t i = 0; i < ELEMENTSOF(verdict_exits); i++)
                if (verdict_exits[i].verdict == v)
                        return verdict_exits[i].exit_status;
        return TS_EXIT_FAILURE;
}

int cli_check_exit_status(const TsCheckResult *res) {
        return exit_status_of(res->verdict);
}

/* check with no unit: the whole machine's limits, ranked. */
static int check_machine(const CheckArgs *a, sd_bus *bus) {
        _cleanup_(ts_scan_facts_done) TsScanFacts f = {};
        int r = ts_scan_gather_live(bus, a->since, &f);
        if (r == -ENOMEDIUM)
                return log_error_errno(r, "No pids controller is mounted here: no task limit to check.");
        if (r < 0)
                return log_error_errno(r, "Failed to gather the machine's cgroups and journal: %m");
        _cleanup_(ts_scan_result_done) TsScanResult res = {};
        r = ts_scan_judge(&f, (unsigned)a->threshold, &res);
        if (r < 0)
                return log_error_errno(r, "Failed to judge the machine's limits: %m");
        if (a->common.format == FORMAT_JSON)
                (void)ts_json_write_and_put(stdout, ts_scan_to_json(&f, &res, a->since),
                                            a->common.json_style);
        else
                ts_scan_print(stdout, &f, &res, a->since);
        return exit_status_of(res.verdict);
}

/* --since: a span, meaning that long ago, or a timestamp of systemd.time(7); not in the future. */
static int parse_since(const char *arg, usec_t now, usec_t *ret) {
        usec_t span = 0, since = 0;
        int r = ts_parse_timespan(arg, now, &span);
        if (r == 0)
                since = now - span;
        else if (r == -EINVAL) /* not a span: a timestamp then, which explains itself better */
                r = ts_parse_timestamp(arg, now, &since);
        if (r == -ENOMSG)
                return log_error_errno(
                        -EINVAL, "--since %s: unknown time unit (us, ms, s, min, h, d, w, M, y).", arg);
        if (r == -ERANGE)
                return log_error_errno(-EINVAL, "--since %s: out of range.", arg);
        if (r < 0)
                return log_error_errno(-EINVAL,
                                       "--since %s: not a time span or timestamp (\"10min\", "
                                       "\"yesterday\", \"2026-01-31 12:00\").",
                                       arg);
        if (since > now)
                return log_error_errno(-EINVAL, "--since %s: is in the future.", arg);
        *ret = since;
        return 0;
}

/* Why a --log bundle was refused, by the error ts_bundle_read() gave; others say strerror(). */
static const struct {
        int error;
        const char *why;
} bundle_errors[] = {
        { EFBIG, "larger than 16 MiB" },
        { EISDIR, "not a regular file (a directory)" },
        { EMEDIUMTYPE, "not a regular file (a FIFO, socket or device)" },
        { EBADMSG, "not a text log (NUL bytes / binary data)" },
        { ENOMEDIUM, "a directory, but not an unpacked sosreport or supportconfig" },
};

static int log_bundle_error(const char *path, int error) {
        const char *why = strerror(-error);
        for (size_t i = 0; i < ELEMENTSOF(bundle_errors); i++)
                if (bundle_errors[i].error == -error)
                        why = bundle_errors[i].why;
        _cleanup_(freep) char *shown = log_escape(path);
        log_error("--log %s: %s.", strempty(shown), why);
        return TS_EXIT_BAD_INPUT;
}

/* The text of --log: a file, stdin ("-"), or a sosreport or supportconfig directory. */
static int read_log(const char *path, char **ret, size_t *ret_size) {
        int r = ts_bundle_read(streq(path, "-") ? NULL : path, ret, ret_size);
        if (r == -EISDIR && !streq(path, "-"))
                r = ts_bundle_read_dir(path, ret, ret_size);
        return r;
}

/* check --log: every unit, slice or container the text has evidence about (or the one asked for),
 * each judged by the live check's judge, the most severe first. */
static int check_log(const CheckArgs *a) {
        const char *path = a->log_path, *unit = a->units ? a->units[0] : NULL;
        bool json = a->common.format == FORMAT_JSON;
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        int r = read_log(path, &text, &size);
        if (r < 0)
                return log_bundle_error(path, r);

        TsCheckFacts *facts = NULL;
        size_t n = 0;
        bool named = true;
        r = ts_check_text(text, size, unit, &facts, &n, &named);
        if (r < 0)
                return log_error_errno(r, "Failed to read --log %s: %m", path);
        _cleanup_(freep) TsCheckResult *results = calloc(n, sizeof *results);
        _cleanup_(freep) size_t *order = calloc(n, sizeof *order);
        ANALYZER_OWNED_BY_CLEANUP(results, order);
        if (!results || !order) {
                ts_check_text_free(facts, n);
                return log_error_errno(-ENOMEM, "Out of memory.");
        }
        for (size_t i = 0; i < n; i++) {
                ts_check_judge(&facts[i], (unsigned)a->threshold, &results[i]);
                /* the most severe first; the text's order among equals */
                size_t k = i;
                int sev = ts_check_verdict_severity(results[i].verdict);
                for (; k > 0 && ts_check_verdict_severity(results[order[k - 1]].verdict) < sev; k--)
                        order[k] = order[k - 1];
                order[k] = i;
        }

        char warning[512] = "";
        if (!named)
                snprintf(warning, sizeof warning,
                         "the text never names %s: the verdict is about what it shows of it, "
                         "which is nothing",
                         unit);
        if (warning[0] && !json)
                log_warning("--log %s: %s.", path, warning);
        int exit_status = n > 0 ? exit_status_of(results[order[0]].verdict) : TS_EXIT_SUCCESS;
        if (json)
                (void)ts_json_write_and_put(stdout, ts_check_all_to_json(facts, results, order, n, warning),
                                            a->common.json_style);
        else
                ts_check_print_all(stdout, facts, results, order, n);
        ts_check_text_free(facts, n);
        return exit_status;
}

/* "docker" means docker.service, as systemctl has it. */
static int unit_argument(const char *arg, char **ret) {
        char *name = NULL;
        if (!ts_unit_type_interface(arg) && !strchr(arg, '.')) {
                if (asprintf(&name, "%s.service", arg) < 0)
                        return -ENOMEM;
        } else if (!(name = strdup(arg)))
                return -ENOMEM;
        if (!ts_unit_name_valid(name)) {
                free(name);
                return -EINVAL;
        }
        *ret = name;
        return 0;
}

static void check_init(void *userdata) {
        CheckArgs *a = userdata;
        a->threshold = TS_CHECK_DEFAULT_THRESHOLD;
}

static int check_option(void *userdata, int id, const char *value) {
        CheckArgs *a = userdata;
        switch (id) {
        case ARG_SINCE:
                a->since_given = true;
                return parse_since(value, ts_now(CLOCK_REALTIME), &a->since);
        case ARG_THRESHOLD:
                if (ts_safe_atou64(value, &a->threshold) < 0 || a->threshold == 0 || a->threshold > 100)
                        return log_error_errno(-EINVAL, "--threshold %s: not a percentage from 1 to 100.",
                                               value);
                return 0;
        case ARG_LOG:
                a->log_path = value;
                return 0;
        default:
                return -EINVAL;
        }
}

static int check_arguments(void *userdata, int argc, char *argv[]) {
        CheckArgs *a = userdata;
        if (a->log_path && a->since_given)
                return log_error_errno(-EINVAL, "--since reads the journal and --log reads a file: give one "
                                                "of them.");
        if (argc == 0)
                return 0;
        a->units = calloc((size_t)argc + 1, sizeof(char *));
        if (!a->units)
                return log_error_errno(-ENOMEM, "Out of memory.");
        for (int i = 0; i < argc; i++, a->n_units++) {
                int r = unit_argument(argv[i], &a->units[i]);
                if (r == -ENOMEM)
                        return log_error_errno(r, "Out of memory.");
                if (r < 0)
                        return cli_log_bad_unit_name(argv[i]);
        }
        if (a->log_path && argc > 1)
                return log_error_errno(-EINVAL, "--log reads one unit's bundle: give at most one unit.");
        return 0;
}

static void check_done(void *userdata) {
        CheckArgs *a = userdata;
        strv_free(a->units);
}

/* One unit, live (verbs.h): here and for fix --if-affected, which checks the same way. */
int cli_check_unit(sd_bus *bus, const char *unit, usec_t since, unsigned threshold, TsScanFacts *cgroups,
                   bool *walked, TsCheckFacts *f, TsCheckResult *res) {
        int r = ts_check_gather_live(bus, unit, since, f);
        if (r == -ENOENT)
                return r;
        if (r < 0)
                return log_error_errno(r, "Failed to check %s: %m", unit);
        ts_check_judge(f, threshold, res);
        /* EAGAIN in the unit's log with no limit of its own behind it: the refusals may be in another
         * unit's cgroup (dockerd logs what containerd.service's limit refused). */
        if (res->cause != TS_CAUSE_EAGAIN_NO_LIMIT)
                return 0;
        if (!*walked) {
                *walked = true;
                r = ts_scan_gather_cgroups_live(cgroups);
                if (r < 0)
                        log_warning_errno(r,
                                          "Could not walk the pids hierarchy for other units' refusals: %m");
        }
        r = ts_scan_follow(f, cgroups, threshold, res);
        if (r < 0) {
                ts_check_facts_done(f);
                return log_error_errno(r, "Failed to follow %s's evidence: %m", unit);
        }
        return 0;
}

/* check UNIT...: each unit's verdict; the exit status of the most severe, or of a missing unit. */
static int check_units(const CheckArgs *a, sd_bus *bus) {
        bool json = a->common.format == FORMAT_JSON, walked = false;
        int worst = -1, exit_status = 0, missing = 0;
        _cleanup_(ts_scan_facts_done) TsScanFacts cgroups = {};
        json_object *all = json_object_new_array();
        for (size_t i = 0; i < a->n_units; i++) {
                TsCheckFacts f = {};
                TsCheckResult res;
                int r = cli_check_unit(bus, a->units[i], a->since, (unsigned)a->threshold, &cgroups, &walked,
                                       &f, &res);
                if (r == -ENOENT) {
                        log_error("Unit %s not found.", a->units[i]);
                        missing++;
                        continue;
                }
                if (r < 0) {
                        json_object_put(all);
                        return r;
                }
                int sev = ts_check_verdict_severity(res.verdict);
                if (sev > worst) {
                        worst = sev;
                        exit_status = exit_status_of(res.verdict);
                }
                if (json)
                        json_object_array_add(all, ts_check_to_json(&f, &res));
                else
                        ts_check_print(stdout, &f, &res);
                ts_check_facts_done(&f);
        }

        if (json)
                (void)ts_json_write_and_put(stdout, ts_check_units_to_json(all), a->common.json_style);
        else
                json_object_put(all);
        return missing > 0 ? TS_EXIT_NO_SUCH_UNIT : exit_status;
}

static int check_run(void *userdata) {
        CheckArgs *a = userdata;
        if (a->log_path)
                return check_log(a);

        if (geteuid() != 0)
                return log_error_errno(-EPERM, "'taskstorm check' needs root to read cgroups, /proc and "
                                               "the journal (or use --log FILE).");
        int status;
        int r = cli_systemd_or_sandbox(&status);
        if (r != 0)
                return r < 0 ? r : status;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        r = ts_bus_open_systemd(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to systemd: %m");
        /* No unit, live: the whole machine. (A bundle with no unit is about the unit it shows.) */
        return a->units ? check_units(a, bus) : check_machine(a, bus);
}

const Verb verb_check = {
        .name = "check",
        .summary =
                "which task limits bind on this machine, or is a unit affected by them (live, or --log FILE)",
        .flags = VERB_NEEDS_SYSTEMD,
        .usage = "[OPTIONS...] [UNIT...]",
        .description =
                "Is the unit affected by the TasksMax problem, and what limits it? With no unit, the whole\n"
                "machine: every cgroup whose limit refused forks or is near, ranked, with the units whose\n"
                "EAGAIN lines each explains (dockerd's failures, containerd.service's limit).\n",
        .options = options,
        .print_epilogue = print_epilogue,
        .args_size = sizeof(CheckArgs),
        .init = check_init,
        .option = check_option,
        .arguments = check_arguments,
        .done = check_done,
        .run = check_run,
};
