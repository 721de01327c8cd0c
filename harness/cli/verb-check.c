/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm check [UNIT...]: is the unit affected by the TasksMax problem, and what exactly limits
 * it? From the live system, or (--log) from a support bundle's text. With no unit, the whole
 * machine: every limit that refused forks or is near, ranked, with the units whose EAGAIN lines
 * each explains. Speaks the article's terms: "Tasks: N (Limit: M)", and the systemctl command that
 * fixes it. */
#include <getopt.h>
#include <inttypes.h>
#include <time.h>

#include "args.h"
#include "bus.h"
#include "check-live.h"
#include "exit-status.h"
#include "fileio.h"
#include "log.h"
#include "bundle-dir.h"
#include "offline.h"
#include "output.h"
#include "scan.h"
#include "unit.h"
#include "verbs.h"

static const struct {
        TsCheckVerdict verdict;
        int exit_status;
} verdict_exits[] = {
        { TS_CHECK_NOT_AFFECTED, TS_EXIT_SUCCESS },
        { TS_CHECK_NOT_APPLICABLE, TS_EXIT_NOT_APPLICABLE },
        { TS_CHECK_AT_RISK, TS_EXIT_AT_RISK },
        { TS_CHECK_AFFECTED, TS_EXIT_AFFECTED },
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
        TsValue limit = f->effective_tasks_max.known ? f->effective_tasks_max
                        : f->tasks_max.known         ? f->tasks_max
                                                     : f->pids_max;
        if (limit.known && limit.value != UINT64_MAX)
                snprintf(buf, size, "Tasks: %s (Limit: %" PRIu64 ")", cur, limit.value);
        else
                snprintf(buf, size, "Tasks: %s", cur);
}

/* What a log's verdict is about; where it names no unit, a placeholder for the commands. */
static const char *unit_or_text(const TsCheckFacts *f) {
        return f->unit ? f->unit : f->container ? "CONTAINER" : "UNIT";
}

/* The fix of the cause, on what holds the limit: the unit, its slice, or (other-unit-tasksmax) the
 * other unit. */
static void format_fix(const TsCheckFacts *f, const TsCheckResult *res, char *buf, size_t size) {
        if (res->cause == TS_CAUSE_OTHER_UNIT_TASKSMAX)
                ts_cause_fix(res->via_cause, res->via, buf, size);
        else
                ts_cause_fix(res->cause,
                             res->cause == TS_CAUSE_SLICE_TASKSMAX && res->binding_slice >= 0
                                     ? f->slices[res->binding_slice].name
                                     : unit_or_text(f),
                             buf, size);
}

static bool fix_is_shown(TsCheckVerdict v) {
        return v == TS_CHECK_AFFECTED || v == TS_CHECK_AT_RISK;
}

/* One log line as an example: up to its first line break, escaped ("\\n", as logrus writes a
 * multi-line message such as a Go runtime's dump) or not, and at most 300 characters. */
static void print_sample(const char *line) {
        const char *escaped = strstr(line, "\\n");
        size_t n = strcspn(line, "\n");
        if (escaped && (size_t)(escaped - line) < n)
                n = (size_t)(escaped - line);
        bool cut = line[n] != 0 || n > 300;
        printf("    %.*s%s\n", (int)(n > 300 ? 300 : n), line, cut ? " [...]" : "");
}

static void print_text(const TsCheckFacts *f, const TsCheckResult *res) {
        char buf[512], a[32], b[32], c[32];
        printf("%s: %s (cause: %s%s%s)\n", f->unit ? f->unit : "the text (no unit named)",
               ts_check_verdict_to_string(res->verdict), ts_cause_to_string(res->cause), res->via[0] ? ", via " : "",
               res->via);
        format_tasks_line(f, buf, sizeof buf);
        printf("  %s\n  %s\n", buf, res->why);
        printf("  prerequisites: %s\n", res->prereq_why);
        format_value(f->tasks_max, a, sizeof a);
        format_value(f->pids_max, b, sizeof b);
        format_value(f->events_max, c, sizeof c);
        printf("  limits: %s TasksMax=%s, pids.max %s, refused forks (pids.events) %s", unit_or_text(f), a, b, c);
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
                        print_sample(h->samples[i]);
        }
        for (unsigned i = 0; i < res->n_warnings; i++)
                printf("  warning: %s\n", res->warnings[i]);
        if (res->unknown[0])
                printf("  could not know: %s\n", res->unknown);
        for (unsigned i = 0; i < res->n_likely; i++) {
                ts_cause_probe(res->likely[i], unit_or_text(f), buf, sizeof buf);
                printf("  %s %s%s%s\n", i == 0 ? "likely:" : "    or:", ts_cause_to_string(res->likely[i]),
                       buf[0] ? "; to decide: " : "", buf);
        }
        format_fix(f, res, buf, sizeof buf);
        if (buf[0] && fix_is_shown(res->verdict))
                printf("  fix: %s\n", buf);
}

/* A string, or null where there is none ("" too). */
static json_object *json_string_or_null(const char *s) {
        return s && *s ? json_object_new_string(s) : NULL;
}

static json_object *prerequisites_to_json(TsPrereq prereq, const char *why, const char *systemd, const char *kernel,
                                          const char *os_id) {
        static const char *const prereq_names[_TS_PREREQ_MAX] = { "met", "unmet", "unknown" };
        json_object *pre = json_object_new_object();
        json_object_object_add(pre, "status", json_object_new_string(prereq_names[prereq]));
        json_object_object_add(pre, "why", json_object_new_string(why));
        json_object_object_add(pre, "systemd", json_string_or_null(systemd));
        json_object_object_add(pre, "kernel", json_string_or_null(kernel));
        json_object_object_add(pre, "os_id", json_string_or_null(os_id));
        return pre;
}

/* The fields every judgement shares: verdict, cause, why, and the systemctl status line. */
static void json_add_judgement(json_object *o, TsCheckVerdict verdict, TsCause cause, const char *why,
                               const char *status_line) {
        json_object_object_add(o, "verdict", json_object_new_string(ts_check_verdict_to_string(verdict)));
        json_object_object_add(o, "cause", json_object_new_string(ts_cause_to_string(cause)));
        json_object_object_add(o, "why", json_object_new_string(why));
        json_object_object_add(o, "status_line", json_object_new_string(status_line));
}

static json_object *to_json(const TsCheckFacts *f, const TsCheckResult *res) {
        char buf[512];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "unit", json_string_or_null(f->unit));
        format_tasks_line(f, buf, sizeof buf);
        json_add_judgement(o, res->verdict, res->cause, res->why, buf);
        json_object_object_add(o, "via", json_string_or_null(res->via));
        json_object_object_add(o, "via_cause", res->via[0] ? json_object_new_string(ts_cause_to_string(res->via_cause)) : NULL);
        json_object_object_add(o, "prerequisites", prerequisites_to_json(res->prereq, res->prereq_why, f->systemd_version,
                                                                        f->kernel_release, f->os_id));

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
                json_object_object_add(e, "relayed", json_object_new_uint64(h->relayed));
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
        json_object *likely = json_object_new_array();
        for (unsigned i = 0; i < res->n_likely; i++) {
                json_object *l = json_object_new_object();
                ts_cause_probe(res->likely[i], unit_or_text(f), buf, sizeof buf);
                json_object_object_add(l, "cause", json_object_new_string(ts_cause_to_string(res->likely[i])));
                json_object_object_add(l, "to_decide", json_string_or_null(buf));
                json_object_array_add(likely, l);
        }
        json_object_object_add(o, "likely", likely);
        json_object_object_add(o, "container", json_object_new_boolean(f->container));
        json_object_object_add(o, "offline", json_object_new_boolean(f->offline));
        return o;
}

/* "Tasks: 100 (Limit: 100)" of the cgroup whose limit an entry is. */
static void format_entry_tasks(const TsScanEntry *e, char *buf, size_t size) {
        char cur[32];
        format_value(e->current, cur, sizeof cur);
        if (e->max.known && e->max.value != UINT64_MAX)
                snprintf(buf, size, "Tasks: %s (Limit: %" PRIu64 ")", cur, e->max.value);
        else
                snprintf(buf, size, "Tasks: %s", cur);
}

static void print_machine_text(const TsScanFacts *f, const TsScanResult *res, usec_t since) {
        char buf[64];
        printf("machine: %s\n  %s\n", ts_check_verdict_to_string(res->verdict), res->why);
        printf("  prerequisites: %s\n", res->prereq_why);
        if (since)
                format_time(since, buf, sizeof buf);
        printf("  walked: %" PRIu64 " cgroups under %s (cgroup %s), %zu with a limit or refusals; journal: %s%s\n",
               f->n_walked, strempty(f->root), f->unified ? "v2" : "v1", f->n_cgroups, since ? "since " : "",
               since ? buf : "each unit's current run, the kernel's lines of this boot");
        for (size_t i = 0; i < res->n_entries; i++) {
                const TsScanEntry *e = &res->entries[i];
                printf("%zu. %s: %s (cause: %s)\n  %s\n", i + 1, e->owner.name, ts_check_verdict_to_string(e->verdict),
                       ts_cause_to_string(e->cause), e->why);
                for (size_t k = 0; k < e->n_loggers; k++)
                        if (e->loggers[k].sentence)
                                printf("  %s\n", e->loggers[k].sentence);
                if (e->owner.control_group[0])
                        printf("  cgroup: %s%s%s\n", e->owner.control_group, e->owner.parent ? ", in " : "",
                               strempty(e->owner.parent));
                if (e->fix[0] && fix_is_shown(e->verdict))
                        printf("  fix: %s%s%s%s\n", e->fix, e->taskstorm_fix[0] ? " (or: " : "", e->taskstorm_fix,
                               e->taskstorm_fix[0] ? ")" : "");
        }
}

static json_object *entry_to_json(const TsScanEntry *e, size_t rank) {
        char buf[96];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "rank", json_object_new_uint64(rank));
        json_object_object_add(o, "name", json_object_new_string(e->owner.name));
        json_object_object_add(o, "kind", json_object_new_string(ts_scan_kind_to_string(e->owner.kind)));
        json_object_object_add(o, "parent", json_string_or_null(e->owner.parent));
        json_object_object_add(o, "control_group", json_string_or_null(e->owner.control_group));
        json_object_object_add(o, "limit_cgroup", json_string_or_null(e->limit_cgroup));
        format_entry_tasks(e, buf, sizeof buf);
        json_add_judgement(o, e->verdict, e->cause, e->why, buf);
        json_object_object_add(o, "pids_current", json_value(e->current));
        json_object_object_add(o, "pids_max", json_value(e->max));
        json_object_object_add(o, "refused", json_object_new_uint64(e->refused));
        json_object_object_add(o, "refused_file", e->refused == 0 ? NULL
                               : json_object_new_string(e->refused_local ? "pids.events.local" : "pids.events"));
        json_object *in = json_object_new_array();
        for (size_t i = 0; e->refused_in && e->refused_in[i]; i++)
                json_object_array_add(in, json_object_new_string(e->refused_in[i]));
        json_object_object_add(o, "refused_in", in);
        json_object_object_add(o, "kernel_lines", json_object_new_uint64(e->kernel_lines));
        json_object *loggers = json_object_new_array();
        for (size_t i = 0; i < e->n_loggers; i++) {
                const TsScanLogger *l = &e->loggers[i];
                json_object *j = json_object_new_object();
                json_object_object_add(j, "unit", json_object_new_string(l->unit));
                json_object_object_add(j, "lines", json_object_new_uint64(l->lines));
                json_object_object_add(j, "pattern", l->top >= 0 ? json_object_new_string(ts_pattern_to_string(l->top)) : NULL);
                json_object_object_add(j, "sentence", json_string_or_null(l->sentence));
                json_object_array_add(loggers, j);
        }
        json_object_object_add(o, "logged_by", loggers);
        json_object_object_add(o, "fix", json_string_or_null(e->fix));
        json_object_object_add(o, "taskstorm_fix", json_string_or_null(e->taskstorm_fix));
        return o;
}

static json_object *machine_to_json(const TsScanFacts *f, const TsScanResult *res, usec_t since) {
        json_object *m = json_object_new_object();
        json_object_object_add(m, "verdict", json_object_new_string(ts_check_verdict_to_string(res->verdict)));
        json_object_object_add(m, "why", json_object_new_string(res->why));
        json_object_object_add(m, "prerequisites", prerequisites_to_json(res->prereq, res->prereq_why, f->systemd_version,
                                                                        f->kernel_release, f->os_id));
        json_object_object_add(m, "cgroup_root", json_string_or_null(f->root));
        json_object_object_add(m, "cgroup_version", json_object_new_int(f->unified ? 2 : 1));
        json_object_object_add(m, "cgroups_walked", json_object_new_uint64(f->n_walked));
        json_object_object_add(m, "cgroups_kept", json_object_new_uint64(f->n_cgroups));
        json_object_object_add(m, "journal_since_usec", since ? json_object_new_uint64(since) : NULL);
        json_object *binds = json_object_new_array();
        for (size_t i = 0; i < res->n_entries; i++)
                json_object_array_add(binds, entry_to_json(&res->entries[i], i + 1));
        json_object *o = json_object_new_object();
        json_object_object_add(o, "machine", m);
        json_object_object_add(o, "binds", binds);
        return o;
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
                (void)json_print_and_put(machine_to_json(&f, &res, since));
        else
                print_machine_text(&f, &res, since);
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
                snprintf(warning, sizeof warning, "the text never names %s: the verdict is about what it shows of it, "
                         "which is nothing", unit);
        if (warning[0] && !json)
                log_warning("--log %s: %s.", path, warning);
        json_object *all = json_object_new_array();
        /* In text, the units shown healthy beside one that is not (a sosreport's hundreds) take a
         * line together; JSON has them all. */
        bool worse = n > 0 && results[order[0]].verdict != TS_CHECK_NOT_AFFECTED;
        size_t healthy = 0;
        for (size_t i = 0; i < n; i++) {
                const TsCheckFacts *f = &facts[order[i]];
                const TsCheckResult *res = &results[order[i]];
                if (json)
                        json_object_array_add(all, to_json(f, res));
                else if (worse && res->verdict == TS_CHECK_NOT_AFFECTED) {
                        char tasks[128];
                        format_tasks_line(f, tasks, sizeof tasks);
                        printf("%s%s (%s)", healthy++ == 0 ? "\nnot affected: " : ", ", unit_or_text(f), tasks);
                } else {
                        if (i > 0)
                                printf("\n");
                        print_text(f, res);
                }
        }
        if (healthy > 0)
                printf("\n");
        int exit_status = n > 0 ? exit_status_of(results[order[0]].verdict) : TS_EXIT_SUCCESS;
        ts_check_text_free(facts, n);
        if (json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "units", all);
                json_object *warnings = json_object_new_array();
                if (warning[0])
                        json_object_array_add(warnings, json_object_new_string(warning));
                json_object_object_add(o, "warnings", warnings);
                (void)json_print_and_put(o);
        } else
                json_object_put(all);
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
                        return log_error_errno(r == -ENOMEM ? r : -EINVAL, "'%s' is not a unit name (letters, "
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
                                        log_warning_errno(r, "Could not walk the pids hierarchy for other units' "
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
