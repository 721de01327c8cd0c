/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm check [UNIT...]: is the unit affected by the TasksMax problem, and what exactly limits
 * it? From the live system, or (--log) from a support bundle's text. With no unit, the whole
 * machine: every limit that refused forks or is near, ranked, with the units whose EAGAIN lines
 * each explains. Speaks the article's terms: "Tasks: N (Limit: M)", and the systemctl command that
 * fixes it. */
#include <getopt.h>
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

static void help(void) {
        printf("Usage: taskstorm check [OPTIONS...] [UNIT...]\n\n"
               "Is the unit affected by the TasksMax problem, and what limits it? With no unit, the whole\n"
               "machine: every cgroup whose limit refused forks or is near, ranked, with the units whose\n"
               "EAGAIN lines each explains (dockerd's failures, containerd.service's limit).\n\n"
               "  -h --help            show this help\n"
               "     --since TIME      read only the journal since TIME: a span ago (\"10min\", \"1h 30min\") or\n"
               "                       a timestamp (\"today\", \"2h ago\", \"2026-01-31 12:00\", \"@1767225600\");\n"
               "                       default: a unit's current run, or with no unit this boot\n"
               "     --threshold PCT   usage at which a unit is at-risk, in %% of its limit (default %d)\n"
               "     --log FILE        offline: read a log as pasted (journalctl in any format, systemctl\n"
               "                       status and show, dmesg, sysctl, ulimit, a program's own lines), a\n"
               "                       sosreport or supportconfig directory, or - for stdin; with no unit,\n"
               "                       every unit, slice and container it has evidence about\n"
               "     --json            print the result as JSON\n\n"
               "Exit status: 0 not-affected, %d affected, %d at-risk, %d not-applicable, %d suspected\n"
               "(--log: tasks refused, the text does not show by what), %d no such unit.\n",
               TS_CHECK_DEFAULT_THRESHOLD, TS_EXIT_AFFECTED, TS_EXIT_AT_RISK, TS_EXIT_NOT_APPLICABLE,
               TS_EXIT_SUSPECTED, TS_EXIT_NO_SUCH_UNIT);
}

static int exit_status_of(TsCheckVerdict v) {
        for (size_t i = 0; i < ELEMENTSOF(verdict_exits); i++)
                if (verdict_exits[i].verdict == v)
                        return verdict_exits[i].exit_status;
        return TS_EXIT_FAILURE;
}

/* check with no unit: the whole machine's limits, ranked. */
static int check_machine(sd_bus *bus, usec_t since, unsigned threshold, bool json) {
        _cleanup_(ts_scan_facts_done) TsScanFacts f = {};
        int r = ts_scan_gather_live(bus, since, &f);
        if (r == -ENOMEDIUM)
                return log_error_errno(r, "No pids controller is mounted here: no task limit to check.");
        if (r < 0)
                return log_error_errno(r, "Failed to gather the machine's cgroups and journal: %m");
        _cleanup_(ts_scan_result_done) TsScanResult res = {};
        r = ts_scan_judge(&f, threshold, &res);
        if (r < 0)
                return log_error_errno(r, "Failed to judge the machine's limits: %m");
        if (json)
                (void)ts_json_write_and_put(stdout, ts_scan_to_json(&f, &res, since), TS_JSON_PRETTY);
        else
                ts_scan_print(stdout, &f, &res, since);
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
static int check_log(const char *path, const char *unit, unsigned threshold, bool json) {
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
                ts_check_judge(&facts[i], threshold, &results[i]);
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
                                            TS_JSON_PRETTY);
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

int verb_check(int argc, char *argv[]) {
        enum { ARG_SINCE = 0x100, ARG_THRESHOLD, ARG_LOG, ARG_JSON };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "since", required_argument, NULL, ARG_SINCE },
                { "threshold", required_argument, NULL, ARG_THRESHOLD },
                { "log", required_argument, NULL, ARG_LOG },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        usec_t since = 0;
        uint64_t threshold = TS_CHECK_DEFAULT_THRESHOLD;
        const char *log_path = NULL;
        bool json = false;
        uint32_t seen = 0;
        int c, r;

        opterr = 0;
        while ((c = cli_getopt(argc, argv, "h", options, NULL, &seen)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_SINCE:
                        r = parse_since(optarg, ts_now(CLOCK_REALTIME), &since);
                        if (r < 0)
                                return r;
                        break;
                case ARG_THRESHOLD:
                        if (ts_safe_atou64(optarg, &threshold) < 0 || threshold == 0 || threshold > 100)
                                return log_error_errno(
                                        -EINVAL, "--threshold %s: not a percentage from 1 to 100.", optarg);
                        break;
                case ARG_LOG:
                        log_path = optarg;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case '?':
                        return log_option_error("check", argv, options);
                default:
                        return -EINVAL;
                }
        if (c < -1)
                return c; /* logged: an option given twice */
        if (log_path && cli_option_seen(options, ARG_SINCE, seen))
                return log_error_errno(-EINVAL, "--since reads the journal and --log reads a file: give one "
                                                "of them.");

        /* No unit, live: the whole machine. (A bundle with no unit is about the unit it shows.) */
        bool machine = !log_path && argc <= optind;
        size_t n = argc > optind ? (size_t)(argc - optind) : 1;
        _cleanup_(strv_freep) char **units = calloc(n + 1, sizeof(char *));
        if (!units)
                return log_error_errno(-ENOMEM, "Out of memory.");
        ANALYZER_OWNED_BY_CLEANUP(units);
        for (size_t i = 0; i < n && !machine; i++) {
                const char *arg = argc > optind ? argv[optind + (int)i] : "docker.service";
                r = unit_argument(arg, &units[i]);
                if (r < 0) {
                        _cleanup_(freep) char *shown = log_escape(arg);
                        return log_error_errno(
                                r == -ENOMEM ? r : -EINVAL,
                                "'%s' is not a unit name (letters, "
                                "digits and :_.\\@-, ending in .service, .scope, .slice, ...).",
                                strempty(shown));
                }
        }
        if (log_path && n > 1)
                return log_error_errno(-EINVAL, "--log reads one unit's bundle: give at most one unit.");
        if (log_path)
                return check_log(log_path, argc > optind ? units[0] : NULL, (unsigned)threshold, json);

        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        if (!log_path) {
                if (geteuid() != 0)
                        return log_error_errno(-EPERM,
                                               "'taskstorm check' needs root to read cgroups, /proc and "
                                               "the journal (or use --log FILE).");
                int status;
                r = cli_systemd_or_sandbox(&status);
                if (r != 0)
                        return r < 0 ? r : status;
                r = ts_bus_open_systemd(&bus);
                if (r < 0)
                        return log_error_errno(r, "Failed to connect to systemd: %m");
        }
        if (machine)
                return check_machine(bus, since, (unsigned)threshold, json);

        int worst = -1, exit_status = 0, missing = 0;
        _cleanup_(ts_scan_facts_done) TsScanFacts cgroups = {};
        bool walked = false;
        json_object *all = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                TsCheckFacts f = {};
                r = ts_check_gather_live(bus, units[i], since, &f);
                if (r == -ENOENT) {
                        log_error("Unit %s not found.", units[i]);
                        missing++;
                        continue;
                }
                if (r < 0) {
                        json_object_put(all);
                        return log_error_errno(r, "Failed to check %s: %m", units[i]);
                }

                TsCheckResult res;
                ts_check_judge(&f, (unsigned)threshold, &res);
                /* EAGAIN in the unit's log with no limit of its own behind it: the refusals may be in
                 * another unit's cgroup (dockerd logs what containerd.service's limit refused). The
                 * hierarchy is walked once, for the first unit that needs it. */
                if (res.cause == TS_CAUSE_EAGAIN_NO_LIMIT) {
                        if (!walked) {
                                walked = true;
                                r = ts_scan_gather_cgroups_live(&cgroups);
                                if (r < 0)
                                        log_warning_errno(
                                                r, "Could not walk the pids hierarchy for other units' "
                                                   "refusals: %m");
                        }
                        r = ts_scan_follow(&f, &cgroups, (unsigned)threshold, &res);
                        if (r < 0) {
                                ts_check_facts_done(&f);
                                json_object_put(all);
                                return log_error_errno(r, "Failed to follow %s's evidence: %m", units[i]);
                        }
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
                (void)ts_json_write_and_put(stdout, ts_check_units_to_json(all), TS_JSON_PRETTY);
        else
                json_object_put(all);
        return missing > 0 ? TS_EXIT_NO_SUCH_UNIT : exit_status;
}
