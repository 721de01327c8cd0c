/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm check [UNIT...]: is the unit affected by the TasksMax problem, and what exactly limits
 * it? From the live system, or (--log) from a support bundle's text. Speaks the article's terms:
 * "Tasks: N (Limit: M)", and the systemctl command that fixes it. */
#include <getopt.h>
#include <inttypes.h>
#include <time.h>

#include "args.h"
#include "bus.h"
#include "check-live.h"
#include "exit-status.h"
#include "fileio.h"
#include "log.h"
#include "offline.h"
#include "output.h"
#include "unit.h"
#include "verbs.h"

static const struct {
        TsCheckVerdict verdict;
        int exit_status;
        int severity; /* the worst verdict of several units decides the exit status */
} verdict_exits[] = {
        { TS_CHECK_NOT_AFFECTED, TS_EXIT_SUCCESS, 0 },
        { TS_CHECK_NOT_APPLICABLE, TS_EXIT_NOT_APPLICABLE, 1 },
        { TS_CHECK_AT_RISK, TS_EXIT_AT_RISK, 2 },
        { TS_CHECK_AFFECTED, TS_EXIT_AFFECTED, 3 },
};

/* What to do for each cause, around the unit (or slice) name: the article's fix, or what helps
 * where TasksMax is not the cause. */
static const struct {
        const char *before, *after;
} cause_fixes[_TS_CAUSE_MAX] = {
        [TS_CAUSE_UNIT_TASKSMAX] = { "systemctl set-property ", " TasksMax=infinity" },
        [TS_CAUSE_SLICE_TASKSMAX] = { "systemctl set-property ", " TasksMax=infinity" },
        [TS_CAUSE_RLIMIT_NPROC] = { "raise LimitNPROC= of ", " (a drop-in, then restart it); TasksMax is not the cause" },
        [TS_CAUSE_PID_MAX] = { "raise kernel.pid_max (sysctl); TasksMax of ", " is not the cause" },
        [TS_CAUSE_THREADS_MAX] = { "raise kernel.threads-max (sysctl); TasksMax of ", " is not the cause" },
        [TS_CAUSE_EAGAIN_NO_LIMIT] = { "no task limit was hit by ", ": look for injected faults or another cause" },
};

static void help(void) {
        printf("Usage: taskstorm check [OPTIONS...] [UNIT...]\n\n"
               "Is the unit (default docker.service) affected by the TasksMax problem, and what limits it?\n\n"
               "  -h --help            show this help\n"
               "     --since TIME      read only the journal since TIME: a span ago (\"10min\", \"1h 30min\") or\n"
               "                       a timestamp (\"today\", \"2h ago\", \"2026-01-31 12:00\", \"@1767225600\");\n"
               "                       default all\n"
               "     --threshold PCT   usage at which a unit is at-risk, in %% of its limit (default %d)\n"
               "     --log FILE        offline: read a support bundle (journalctl -u, systemctl status,\n"
               "                       uname -r, systemd --version, os-release), - for stdin\n"
               "     --json            print the result as JSON\n\n"
               "Exit status: 0 not-affected, %d affected, %d at-risk, %d not-applicable, %d no such unit.\n",
               TS_CHECK_DEFAULT_THRESHOLD, TS_EXIT_AFFECTED, TS_EXIT_AT_RISK, TS_EXIT_NOT_APPLICABLE,
               TS_EXIT_NO_SUCH_UNIT);
}

static int severity_of(TsCheckVerdict v, int *ret_exit) {
        for (size_t i = 0; i < ELEMENTSOF(verdict_exits); i++)
                if (verdict_exits[i].verdict == v) {
                        *ret_exit = verdict_exits[i].exit_status;
                        return verdict_exits[i].severity;
                }
        *ret_exit = TS_EXIT_FAILURE;
        return 0;
}

static void format_value(TsValue v, char *buf, size_t size) {
        if (!v.known)
                snprintf(buf, size, "unknown");
        else if (v.value == UINT64_MAX)
                snprintf(buf, size, "infinity");
        else
                snprintf(buf, size, "%" PRIu64, v.value);
}

static json_object *json_value(TsValue v) {
        return v.known ? json_u64_or_max(v.value) : NULL;
}

static void format_time(uint64_t usec, char *buf, size_t size) {
        time_t t = (time_t)(usec / USEC_PER_SEC);
        struct tm tm;
        if (usec == 0 || !localtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
                snprintf(buf, size, "unknown");
}

/* "Tasks: 64 (Limit: 64)" as systemctl status shows it. */
static void format_tasks_line(const TsCheckFacts *f, char *buf, size_t size) {
        char cur[32];
        format_value(f->tasks_current, cur, sizeof cur);
        TsValue limit = f->effective_tasks_max.known ? f->effective_tasks_max : f->tasks_max;
        if (limit.known && limit.value != UINT64_MAX)
                snprintf(buf, size, "Tasks: %s (Limit: %" PRIu64 ")", cur, limit.value);
        else
                snprintf(buf, size, "Tasks: %s", cur);
}

static void format_fix(const TsCheckFacts *f, const TsCheckResult *res, char *buf, size_t size) {
        bool has = res->cause >= 0 && res->cause < _TS_CAUSE_MAX && cause_fixes[res->cause].before;
        const char *target = res->cause == TS_CAUSE_SLICE_TASKSMAX && res->binding_slice >= 0
                                     ? f->slices[res->binding_slice].name
                                     : f->unit;
        if (has)
                snprintf(buf, size, "%s%s%s", cause_fixes[res->cause].before, target, cause_fixes[res->cause].after);
        else
                buf[0] = 0;
}

static void print_text(const TsCheckFacts *f, const TsCheckResult *res) {
        char buf[256], a[32], b[32], c[32];
        printf("%s: %s (cause: %s)\n", f->unit, ts_check_verdict_to_string(res->verdict), ts_cause_to_string(res->cause));
        format_tasks_line(f, buf, sizeof buf);
        printf("  %s\n  %s\n", buf, res->why);
        printf("  prerequisites: %s\n", res->prereq_why);
        format_value(f->tasks_max, a, sizeof a);
        format_value(f->pids_max, b, sizeof b);
        format_value(f->events_max, c, sizeof c);
        printf("  limits: %s TasksMax=%s, pids.max %s, refused forks (pids.events) %s", f->unit, a, b, c);
        for (unsigned i = 0; i < f->n_slices; i++) {
                format_value(f->slices[i].tasks_max, a, sizeof a);
                format_value(f->slices[i].events_max, c, sizeof c);
                printf("; %s TasksMax=%s, refused %s", f->slices[i].name, a, c);
        }
        printf("\n");
        format_value(f->nproc_soft, a, sizeof a);
        format_value(f->pid_max, b, sizeof b);
        format_value(f->threads_max, c, sizeof c);
        printf("  other limits: RLIMIT_NPROC %s%s, kernel.pid_max %s, kernel.threads-max %s\n", a,
               f->user_is_root ? " (root: exempt)" : "", b, c);
        for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++) {
                const TsPatternHits *h = &f->hits[p];
                if (h->count == 0)
                        continue;
                format_time(h->first_usec, a, sizeof a);
                format_time(h->last_usec, b, sizeof b);
                printf("  journal: %s x%" PRIu64 " (first %s, last %s)\n", ts_pattern_to_string(p), h->count, a, b);
                for (int i = 0; i < TS_CHECK_SAMPLES && h->samples[i]; i++)
                        printf("    %s\n", h->samples[i]);
        }
        for (unsigned i = 0; i < res->n_warnings; i++)
                printf("  warning: %s\n", res->warnings[i]);
        if (res->unknown[0])
                printf("  could not know: %s\n", res->unknown);
        format_fix(f, res, buf, sizeof buf);
        if (buf[0] && res->verdict != TS_CHECK_NOT_AFFECTED && res->verdict != TS_CHECK_NOT_APPLICABLE)
                printf("  fix: %s\n", buf);
}

static json_object *to_json(const TsCheckFacts *f, const TsCheckResult *res) {
        char buf[256];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "unit", json_object_new_string(f->unit));
        json_object_object_add(o, "verdict", json_object_new_string(ts_check_verdict_to_string(res->verdict)));
        json_object_object_add(o, "cause", json_object_new_string(ts_cause_to_string(res->cause)));
        json_object_object_add(o, "why", json_object_new_string(res->why));
        format_tasks_line(f, buf, sizeof buf);
        json_object_object_add(o, "status_line", json_object_new_string(buf));
        json_object *pre = json_object_new_object();
        static const char *const prereq_names[] = { "met", "unmet", "unknown" };
        json_object_object_add(pre, "status", json_object_new_string(prereq_names[res->prereq]));
        json_object_object_add(pre, "why", json_object_new_string(res->prereq_why));
        json_object_object_add(pre, "systemd", f->systemd_version ? json_object_new_string(f->systemd_version) : NULL);
        json_object_object_add(pre, "kernel", f->kernel_release ? json_object_new_string(f->kernel_release) : NULL);
        json_object_object_add(pre, "os_id", f->os_id ? json_object_new_string(f->os_id) : NULL);
        json_object_object_add(o, "prerequisites", pre);

        json_object *unit = json_object_new_object();
        json_object_object_add(unit, "control_group", f->control_group ? json_object_new_string(f->control_group) : NULL);
        json_object_object_add(unit, "tasks_current", json_value(f->tasks_current));
        json_object_object_add(unit, "tasks_max", json_value(f->tasks_max));
        json_object_object_add(unit, "effective_tasks_max", json_value(f->effective_tasks_max));
        json_object_object_add(unit, "pids_current", json_value(f->pids_current));
        json_object_object_add(unit, "pids_max", json_value(f->pids_max));
        json_object_object_add(unit, "pids_events_max", json_value(f->events_max));
        json_object_object_add(o, "limits", unit);
        json_object_object_add(o, "effective_limit", json_value(res->effective_limit));

        json_object *slices = json_object_new_array();
        for (unsigned i = 0; i < f->n_slices; i++) {
                json_object *s = json_object_new_object();
                json_object_object_add(s, "name", json_object_new_string(f->slices[i].name));
                json_object_object_add(s, "tasks_max", json_value(f->slices[i].tasks_max));
                json_object_object_add(s, "pids_current", json_value(f->slices[i].pids_current));
                json_object_object_add(s, "pids_max", json_value(f->slices[i].pids_max));
                json_object_object_add(s, "pids_events_max", json_value(f->slices[i].events_max));
                json_object_array_add(slices, s);
        }
        json_object_object_add(o, "slices", slices);

        json_object *other = json_object_new_object();
        json_object_object_add(other, "rlimit_nproc", json_value(f->nproc_soft));
        json_object_object_add(other, "user_tasks", json_value(f->user_tasks));
        json_object_object_add(other, "user_is_root", json_object_new_boolean(f->user_is_root));
        json_object_object_add(other, "pid_max", json_value(f->pid_max));
        json_object_object_add(other, "threads_max", json_value(f->threads_max));
        json_object_object_add(other, "system_tasks", json_value(f->system_tasks));
        json_object_object_add(o, "other_limits", other);

        json_object *journal = json_object_new_object();
        for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++) {
                const TsPatternHits *h = &f->hits[p];
                json_object *e = json_object_new_object();
                json_object_object_add(e, "count", json_object_new_uint64(h->count));
                json_object_object_add(e, "first_usec", h->first_usec ? json_object_new_uint64(h->first_usec) : NULL);
                json_object_object_add(e, "last_usec", h->last_usec ? json_object_new_uint64(h->last_usec) : NULL);
                json_object *samples = json_object_new_array();
                for (int i = 0; i < TS_CHECK_SAMPLES && h->samples[i]; i++)
                        json_object_array_add(samples, json_object_new_string(h->samples[i]));
                json_object_object_add(e, "samples", samples);
                json_object_object_add(journal, ts_pattern_to_string(p), e);
        }
        json_object_object_add(o, "journal", journal);
        json_object_object_add(o, "kernel_rejected_unit", json_object_new_boolean(f->kernel_for_unit));

        json_object *warnings = json_object_new_array();
        for (unsigned i = 0; i < res->n_warnings; i++)
                json_object_array_add(warnings, json_object_new_string(res->warnings[i]));
        json_object_object_add(o, "warnings", warnings);
        json_object_object_add(o, "unknown", res->unknown[0] ? json_object_new_string(res->unknown) : NULL);
        format_fix(f, res, buf, sizeof buf);
        json_object_object_add(o, "fix", buf[0] ? json_object_new_string(buf) : NULL);
        json_object_object_add(o, "offline", json_object_new_boolean(f->offline));
        return o;
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
                return log_error_errno(-EINVAL, "--since %s: unknown time unit (us, ms, s, min, h, d, w, M, y).",
                                       arg);
        if (r == -ERANGE)
                return log_error_errno(-EINVAL, "--since %s: out of range.", arg);
        if (r < 0)
                return log_error_errno(-EINVAL, "--since %s: not a time span or timestamp (\"10min\", "
                                                "\"yesterday\", \"2026-01-31 12:00\").", arg);
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
                                return log_error_errno(-EINVAL, "--threshold %s: not a percentage from 1 to 100.",
                                                       optarg);
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

        size_t n = argc > optind ? (size_t)(argc - optind) : 1;
        _cleanup_(strv_freep) char **units = calloc(n + 1, sizeof(char *));
        if (!units)
                return log_error_errno(-ENOMEM, "Out of memory.");
        ANALYZER_OWNED_BY_CLEANUP(units);
        for (size_t i = 0; i < n; i++) {
                const char *arg = argc > optind ? argv[optind + (int)i] : "docker.service";
                r = unit_argument(arg, &units[i]);
                if (r < 0) {
                        _cleanup_(freep) char *shown = log_escape(arg);
                        return log_error_errno(r == -ENOMEM ? r : -EINVAL, "'%s' is not a unit name (letters, "
                                               "digits and :_.\\@-, ending in .service, .scope, .slice, ...).",
                                               strempty(shown));
                }
        }
        if (log_path && n > 1)
                return log_error_errno(-EINVAL, "--log reads one unit's bundle: give at most one unit.");

        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        if (!log_path) {
                if (geteuid() != 0)
                        return log_error_errno(-EPERM, "'taskstorm check' needs root to read cgroups, /proc and "
                                                       "the journal (or use --log FILE).");
                int status;
                r = cli_systemd_or_sandbox(&status);
                if (r != 0)
                        return r < 0 ? r : status;
                r = ts_bus_open_systemd(&bus);
                if (r < 0)
                        return log_error_errno(r, "Failed to connect to systemd: %m");
        }

        int worst = -1, exit_status = 0, missing = 0;
        json_object *all = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                TsCheckFacts f = {};
                if (log_path) {
                        _cleanup_(freep) char *text = NULL;
                        size_t size = 0;
                        r = ts_bundle_read(streq(log_path, "-") ? NULL : log_path, &text, &size);
                        if (r < 0) {
                                json_object_put(all);
                                return log_bundle_error(log_path, r);
                        }
                        r = ts_check_facts_from_text(text, size, argc > optind ? units[i] : NULL, &f);
                } else
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
                int status, sev = severity_of(res.verdict, &status);
                if (sev > worst) {
                        worst = sev;
                        exit_status = status;
                }
                if (json)
                        json_object_array_add(all, to_json(&f, &res));
                else
                        print_text(&f, &res);
                ts_check_facts_done(&f);
        }

        if (json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "units", all);
                (void)json_print_and_put(o);
        } else
                json_object_put(all);
        return missing > 0 ? TS_EXIT_NO_SUCH_UNIT : exit_status;
}
