/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The text and JSON of check's judgements: each value that could not be read says "unknown" (text)
 * or null (JSON), and the fix is shown only where the verdict calls for one. */
#include <inttypes.h>
#include <time.h>

#include "macro.h"
#include "report-check.h"
#include "report-json.h"

static void format_value(TsValue v, char *buf, size_t size) {
        if (!v.known)
                snprintf(buf, size, "unknown");
        else if (v.value == UINT64_MAX)
                snprintf(buf, size, "infinity");
        else
                snprintf(buf, size, "%" PRIu64, v.value);
}

static json_object *json_value(TsValue v) {
        return v.known ? ts_json_u64_or_max(v.value) : NULL;
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
static void print_sample(FILE *out, const char *line) {
        const char *escaped = strstr(line, "\\n");
        size_t n = strcspn(line, "\n");
        if (escaped && (size_t)(escaped - line) < n)
                n = (size_t)(escaped - line);
        bool cut = line[n] != 0 || n > 300;
        fprintf(out, "    %.*s%s\n", (int)(n > 300 ? 300 : n), line, cut ? " [...]" : "");
}

void ts_check_print(FILE *out, const TsCheckFacts *f, const TsCheckResult *res) {
        char buf[512], a[32], b[32], c[32];
        fprintf(out, "%s: %s (cause: %s%s%s)\n", f->unit ? f->unit : "the text (no unit named)",
                ts_check_verdict_to_string(res->verdict), ts_cause_to_string(res->cause),
                res->via[0] ? ", via " : "", res->via);
        format_tasks_line(f, buf, sizeof buf);
        fprintf(out, "  %s\n  %s\n", buf, res->why);
        fprintf(out, "  prerequisites: %s\n", res->prereq_why);
        format_value(f->tasks_max, a, sizeof a);
        format_value(f->pids_max, b, sizeof b);
        format_value(f->events_max, c, sizeof c);
        fprintf(out, "  limits: %s TasksMax=%s, pids.max %s, refused forks (pids.events) %s",
                unit_or_text(f), a, b, c);
        for (unsigned i = 0; i < f->n_slices; i++) {
                format_value(f->slices[i].tasks_max, a, sizeof a);
                format_value(f->slices[i].events_max, c, sizeof c);
                fprintf(out, "; %s TasksMax=%s, refused %s", f->slices[i].name, a, c);
        }
        fprintf(out, "\n");
        format_value(f->nproc_soft, a, sizeof a);
        format_value(f->pid_max, b, sizeof b);
        format_value(f->threads_max, c, sizeof c);
        fprintf(out, "  other limits: RLIMIT_NPROC %s%s, kernel.pid_max %s, kernel.threads-max %s\n", a,
                f->user_is_root ? " (root: exempt)" : "", b, c);
        for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++) {
                const TsPatternHits *h = &f->hits[p];
                if (h->count == 0)
                        continue;
                format_time(h->first_usec, a, sizeof a);
                format_time(h->last_usec, b, sizeof b);
                fprintf(out, "  journal: %s x%" PRIu64 " (first %s, last %s)\n", ts_pattern_to_string(p),
                        h->count, a, b);
                for (int i = 0; i < TS_CHECK_SAMPLES && h->samples[i]; i++)
                        print_sample(out, h->samples[i]);
        }
        for (unsigned i = 0; i < res->n_warnings; i++)
                fprintf(out, "  warning: %s\n", res->warnings[i]);
        if (res->unknown[0])
                fprintf(out, "  could not know: %s\n", res->unknown);
        for (unsigned i = 0; i < res->n_likely; i++) {
                ts_cause_probe(res->likely[i], unit_or_text(f), buf, sizeof buf);
                fprintf(out, "  %s %s%s%s\n",
                        i == 0 ? "likely:" : "    or:", ts_cause_to_string(res->likely[i]),
                        buf[0] ? "; to decide: " : "", buf);
        }
        format_fix(f, res, buf, sizeof buf);
        if (buf[0] && fix_is_shown(res->verdict))
                fprintf(out, "  fix: %s\n", buf);
}

static json_object *prerequisites_to_json(TsPrereq prereq, const char *why, const char *systemd,
                                          const char *kernel, const char *os_id) {
        static const char *const prereq_names[_TS_PREREQ_MAX] = { "met", "unmet", "unknown" };
        json_object *pre = json_object_new_object();
        json_object_object_add(pre, "status", json_object_new_string(prereq_names[prereq]));
        json_object_object_add(pre, "why", json_object_new_string(why));
        json_object_object_add(pre, "systemd", ts_json_string_or_null(systemd));
        json_object_object_add(pre, "kernel", ts_json_string_or_null(kernel));
        json_object_object_add(pre, "os_id", ts_json_string_or_null(os_id));
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

json_object *ts_check_to_json(const TsCheckFacts *f, const TsCheckResult *res) {
        char buf[512];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "unit", ts_json_string_or_null(f->unit));
        format_tasks_line(f, buf, sizeof buf);
        json_add_judgement(o, res->verdict, res->cause, res->why, buf);
        json_object_object_add(o, "via", ts_json_string_or_null(res->via));
        json_object_object_add(o, "via_cause",
                               res->via[0] ? json_object_new_string(ts_cause_to_string(res->via_cause))
                                           : NULL);
        json_object_object_add(o, "prerequisites",
                               prerequisites_to_json(res->prereq, res->prereq_why, f->systemd_version,
                                                     f->kernel_release, f->os_id));

        json_object *unit = json_object_new_object();
        json_object_object_add(unit, "control_group",
                               f->control_group ? json_object_new_string(f->control_group) : NULL);
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
                json_object_object_add(e, "first_usec",
                                       h->first_usec ? json_object_new_uint64(h->first_usec) : NULL);
                json_object_object_add(e, "last_usec",
                                       h->last_usec ? json_object_new_uint64(h->last_usec) : NULL);
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
                json_object_object_add(l, "cause",
                                       json_object_new_string(ts_cause_to_string(res->likely[i])));
                json_object_object_add(l, "to_decide", ts_json_string_or_null(buf));
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

void ts_scan_print(FILE *out, const TsScanFacts *f, const TsScanResult *res, usec_t since) {
        char buf[64];
        fprintf(out, "machine: %s\n  %s\n", ts_check_verdict_to_string(res->verdict), res->why);
        fprintf(out, "  prerequisites: %s\n", res->prereq_why);
        if (since)
                format_time(since, buf, sizeof buf);
        fprintf(out,
                "  walked: %" PRIu64
                " cgroups under %s (cgroup %s), %zu with a limit or refusals; journal: %s%s\n",
                f->n_walked, strempty(f->root), f->unified ? "v2" : "v1", f->n_cgroups,
                since ? "since " : "",
                since ? buf : "each unit's current run, the kernel's lines of this boot");
        for (size_t i = 0; i < res->n_entries; i++) {
                const TsScanEntry *e = &res->entries[i];
                fprintf(out, "%zu. %s: %s (cause: %s)\n  %s\n", i + 1, e->owner.name,
                        ts_check_verdict_to_string(e->verdict), ts_cause_to_string(e->cause), e->why);
                for (size_t k = 0; k < e->n_loggers; k++)
                        if (e->loggers[k].sentence)
                                fprintf(out, "  %s\n", e->loggers[k].sentence);
                if (e->owner.control_group[0])
                        fprintf(out, "  cgroup: %s%s%s\n", e->owner.control_group,
                                e->owner.parent ? ", in " : "", strempty(e->owner.parent));
                if (e->fix[0] && fix_is_shown(e->verdict))
                        fprintf(out, "  fix: %s%s%s%s\n", e->fix, e->taskstorm_fix[0] ? " (or: " : "",
                                e->taskstorm_fix, e->taskstorm_fix[0] ? ")" : "");
        }
}

static json_object *entry_to_json(const TsScanEntry *e, size_t rank) {
        char buf[96];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "rank", json_object_new_uint64(rank));
        json_object_object_add(o, "name", json_object_new_string(e->owner.name));
        json_object_object_add(o, "kind", json_object_new_string(ts_scan_kind_to_string(e->owner.kind)));
        json_object_object_add(o, "parent", ts_json_string_or_null(e->owner.parent));
        json_object_object_add(o, "control_group", ts_json_string_or_null(e->owner.control_group));
        json_object_object_add(o, "limit_cgroup", ts_json_string_or_null(e->limit_cgroup));
        format_entry_tasks(e, buf, sizeof buf);
        json_add_judgement(o, e->verdict, e->cause, e->why, buf);
        json_object_object_add(o, "pids_current", json_value(e->current));
        json_object_object_add(o, "pids_max", json_value(e->max));
        json_object_object_add(o, "refused", json_object_new_uint64(e->refused));
        json_object_object_add(
                o, "refused_file",
                e->refused == 0
                        ? NULL
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
                json_object_object_add(j, "pattern",
                                       l->top >= 0 ? json_object_new_string(ts_pattern_to_string(l->top))
                                                   : NULL);
                json_object_object_add(j, "sentence", ts_json_string_or_null(l->sentence));
                json_object_array_add(loggers, j);
        }
        json_object_object_add(o, "logged_by", loggers);
        json_object_object_add(o, "fix", ts_json_string_or_null(e->fix));
        json_object_object_add(o, "taskstorm_fix", ts_json_string_or_null(e->taskstorm_fix));
        return o;
}

json_object *ts_scan_to_json(const TsScanFacts *f, const TsScanResult *res, usec_t since) {
        json_object *m = json_object_new_object();
        json_object_object_add(m, "verdict",
                               json_object_new_string(ts_check_verdict_to_string(res->verdict)));
        json_object_object_add(m, "why", json_object_new_string(res->why));
        json_object_object_add(m, "prerequisites",
                               prerequisites_to_json(res->prereq, res->prereq_why, f->systemd_version,
                                                     f->kernel_release, f->os_id));
        json_object_object_add(m, "cgroup_root", ts_json_string_or_null(f->root));
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

void ts_check_print_all(FILE *out, const TsCheckFacts *facts, const TsCheckResult *results,
                        const size_t *order, size_t n) {
        /* In text, the units shown healthy beside one that is not (a sosreport's hundreds) take a
         * line together; JSON has them all. */
        bool worse = n > 0 && results[order[0]].verdict != TS_CHECK_NOT_AFFECTED;
        size_t healthy = 0;
        for (size_t i = 0; i < n; i++) {
                const TsCheckFacts *f = &facts[order[i]];
                const TsCheckResult *res = &results[order[i]];
                if (worse && res->verdict == TS_CHECK_NOT_AFFECTED) {
                        char tasks[128];
                        format_tasks_line(f, tasks, sizeof tasks);
                        fprintf(out, "%s%s (%s)", healthy++ == 0 ? "\nnot affected: " : ", ",
                                unit_or_text(f), tasks);
                } else {
                        if (i > 0)
                                fprintf(out, "\n");
                        ts_check_print(out, f, res);
                }
        }
        if (healthy > 0)
                fprintf(out, "\n");
}

json_object *ts_check_all_to_json(const TsCheckFacts *facts, const TsCheckResult *results,
                                  const size_t *order, size_t n, const char *warning) {
        json_object *all = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(all, ts_check_to_json(&facts[order[i]], &results[order[i]]));
        json_object *o = ts_check_units_to_json(all);
        json_object *warnings = json_object_new_array();
        if (warning && warning[0])
                json_object_array_add(warnings, json_object_new_string(warning));
        json_object_object_add(o, "warnings", warnings);
        return o;
}

json_object *ts_check_units_to_json(json_object *units) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "units", units);
        return o;
}
