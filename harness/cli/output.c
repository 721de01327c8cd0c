/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text and JSON renderings of a TsStormReport; the JSON keys are documented in README.md. */
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "verbs.h"

#include "macro.h"
#include "output.h"

json_object *json_u64_or_max(uint64_t v) {
        return v == UINT64_MAX ? json_object_new_string("max") : json_object_new_uint64(v);
}

static const char *errno_name(int e) {
        const char *n = strerrorname_np(e);
        return n ? n : "unknown";
}

static double tasks_per_second(const TsStormStats *st) {
        if (!st->creation_end_ns || st->creation_end_ns <= st->start_ns)
                return 0;
        return (double)st->created * 1e9 / (double)(st->creation_end_ns - st->start_ns);
}

static void format_sample(const TsPidsSample *s, char *buf, size_t size) {
        if (s->error) {
                snprintf(buf, size, "unreadable (%s)", strerror(-s->error));
                return;
        }
        char max[32];
        if (s->max == UINT64_MAX)
                snprintf(max, sizeof max, "max");
        else
                snprintf(max, sizeof max, "%" PRIu64, s->max);
        snprintf(buf, size, "current %" PRIu64 ", max %s, events max %" PRIu64, s->current, max, s->events_max);
}

void storm_report_print_text(const TsStormReport *r, const TsStormPlan *plan, const char *indent) {
        const TsStormStats *st = &r->stats;
        char limit[32], buf[128];
        ts_tasks_limit_format(&plan->limit, limit, sizeof limit);

        printf("%s%s storm in %s (TasksMax=%s", indent, ts_storm_kind_to_string(plan->storm.kind),
               strempty(r->unit), limit);
        if (plan->has_slice_limit) {
                ts_tasks_limit_format(&plan->slice_limit, buf, sizeof buf);
                printf(", in %s with TasksMax=%s", strempty(r->slice), buf);
        }
        printf(")\n");
        if (r->guard)
                printf("%s  guard:                taskstorm.slice, TasksMax=%" PRIu64 " (what the host can give)\n",
                       indent, r->guard);
        printf("%s  tasks asked:          %" PRIu64 " (cap %" PRIu64 ")\n", indent, r->tasks_asked, plan->max_tasks);
        printf("%s  tasks created:        %" PRIu64 " (and the leader)\n", indent, st->created);
        printf("%s  failures:             %" PRIu64, indent, st->failures);
        for (size_t i = 0; i < TS_STORM_ERRNO_SLOTS && st->by_errno[i].error; i++)
                printf("%s%s x%" PRIu64, i ? ", " : ": ", errno_name(st->by_errno[i].error), st->by_errno[i].count);
        printf("\n");
        if (r->has_first_failure) {
                printf("%s  first failure:        %s with %" PRIu64 " storm tasks, pids.current %" PRId64 "\n",
                       indent, errno_name(st->first_error), st->tasks_at_first_failure,
                       st->pids_current_at_first_failure);
                printf("%s  time to first:        %.3f ms\n", indent,
                       (double)(st->first_failure_ns - st->start_ns) / 1e6);
        } else
                printf("%s  first failure:        none\n", indent);
        printf("%s  rate:                 %.0f tasks/s\n", indent, tasks_per_second(st));
        format_sample(&r->before, buf, sizeof buf);
        printf("%s  pids before:          %s\n", indent, buf);
        format_sample(&r->after, buf, sizeof buf);
        printf("%s  pids after:           %s\n", indent, buf);
        if (r->slice) {
                format_sample(&r->slice_after, buf, sizeof buf);
                printf("%s  slice pids after:     %s\n", indent, buf);
        }
        printf("%s  phases (ms):         ", indent);
        for (TsStormPhase p = 0; p < _TS_PHASE_MAX; p++)
                if (r->phases[p].done)
                        printf(" %s %.3f", ts_storm_phase_to_string(p), (double)r->phases[p].duration / 1e6);
        printf("\n");
}

static json_object *sample_to_json(const TsPidsSample *s) {
        json_object *o = json_object_new_object();
        if (s->error) {
                json_object_object_add(o, "error", json_object_new_string(strerror(-s->error)));
                return o;
        }
        json_object_object_add(o, "current", json_object_new_uint64(s->current));
        json_object_object_add(o, "max", json_u64_or_max(s->max));
        json_object_object_add(o, "events_max", json_object_new_uint64(s->events_max));
        return o;
}

json_object *storm_report_to_json(const TsStormReport *r, const TsStormPlan *plan) {
        const TsStormStats *st = &r->stats;
        char limit[32];
        json_object *o = json_object_new_object();

        json_object_object_add(o, "kind", json_object_new_string(ts_storm_kind_to_string(plan->storm.kind)));
        json_object_object_add(o, "unit", r->unit ? json_object_new_string(r->unit) : NULL);
        json_object_object_add(o, "control_group", r->control_group ? json_object_new_string(r->control_group) : NULL);
        ts_tasks_limit_format(&plan->limit, limit, sizeof limit);
        json_object_object_add(o, "tasks_max", json_object_new_string(limit));
        json_object_object_add(o, "slice", r->slice ? json_object_new_string(r->slice) : NULL);
        if (plan->has_slice_limit) {
                ts_tasks_limit_format(&plan->slice_limit, limit, sizeof limit);
                json_object_object_add(o, "slice_tasks_max", json_object_new_string(limit));
        }
        json_object_object_add(o, "tasks_asked", json_object_new_uint64(r->tasks_asked));
        json_object_object_add(o, "max_tasks", json_object_new_uint64(plan->max_tasks));
        json_object_object_add(o, "guard", r->guard ? json_object_new_uint64(r->guard) : NULL);
        json_object_object_add(o, "tasks_created", json_object_new_uint64(st->created));
        json_object_object_add(o, "attempts", json_object_new_uint64(st->attempts));
        json_object_object_add(o, "failures", json_object_new_uint64(st->failures));
        json_object *by = json_object_new_object();
        for (size_t i = 0; i < TS_STORM_ERRNO_SLOTS && st->by_errno[i].error; i++)
                json_object_object_add(by, errno_name(st->by_errno[i].error),
                                       json_object_new_uint64(st->by_errno[i].count));
        json_object_object_add(o, "failures_by_errno", by);

        json_object *first = NULL;
        if (r->has_first_failure) {
                first = json_object_new_object();
                json_object_object_add(first, "errno", json_object_new_string(errno_name(st->first_error)));
                json_object_object_add(first, "storm_tasks", json_object_new_uint64(st->tasks_at_first_failure));
                json_object_object_add(first, "pids_current", json_object_new_int64(st->pids_current_at_first_failure));
                json_object_object_add(first, "after_ns", json_object_new_uint64(st->first_failure_ns - st->start_ns));
        }
        json_object_object_add(o, "first_failure", first);
        json_object_object_add(o, "tasks_per_second", json_object_new_double(tasks_per_second(st)));
        json_object_object_add(o, "pids_before", sample_to_json(&r->before));
        json_object_object_add(o, "pids_after", sample_to_json(&r->after));
        if (r->slice)
                json_object_object_add(o, "slice_pids_after", sample_to_json(&r->slice_after));

        json_object *phases = json_object_new_array();
        for (TsStormPhase p = 0; p < _TS_PHASE_MAX; p++) {
                if (!r->phases[p].done)
                        continue;
                json_object *ph = json_object_new_object();
                json_object_object_add(ph, "name", json_object_new_string(ts_storm_phase_to_string(p)));
                json_object_object_add(ph, "start_ns", json_object_new_uint64(r->phases[p].start));
                json_object_object_add(ph, "duration_ns", json_object_new_uint64(r->phases[p].duration));
                json_object_array_add(phases, ph);
        }
        json_object_object_add(o, "phases", phases);
        json_object_object_add(o, "first_eagain_ns",
                               r->has_first_failure && st->first_error == EAGAIN
                                       ? json_object_new_uint64(r->first_failure)
                                       : NULL);
        json_object_object_add(o, "cancelled", json_object_new_boolean(r->cancelled));
        json_object_object_add(o, "samples", samples_to_json(&r->samples));
        return o;
}

int json_print_and_put(json_object *o) {
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (text)
                puts(text);
        json_object_put(o);
        return text ? 0 : -ENOMEM;
}

json_object *json_timings(const TsTiming *t, size_t n, const char *(*name)(size_t i)) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                if (!t[i].done)
                        continue;
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(name(i)));
                json_object_object_add(o, "duration_ns", json_object_new_uint64(t[i].duration));
                json_object_array_add(a, o);
        }
        return a;
}

json_object *samples_to_json(const TsSamples *s) {
        if (s->n == 0)
                return NULL;
        json_object *o = json_object_new_object();
        json_object *t = json_object_new_array_ext((int)s->n), *current = json_object_new_array_ext((int)s->n),
                    *max = json_object_new_array_ext((int)s->n), *events = json_object_new_array_ext((int)s->n);
        for (size_t i = 0; i < s->n; i++) {
                const TsSample *x = &s->samples[i];
                json_object_array_add(t, json_object_new_uint64(x->t));
                json_object_array_add(current, json_object_new_uint64(x->current));
                json_object_array_add(max, json_u64_or_max(x->max));
                json_object_array_add(events, json_object_new_uint64(x->events_max));
        }
        json_object_object_add(o, "interval_ns", json_object_new_uint64(s->interval));
        json_object_object_add(o, "per_second", json_object_new_double(ts_samples_rate(s)));
        json_object_object_add(o, "missed", json_object_new_uint64(s->missed));
        json_object_object_add(o, "t_ns", t);
        json_object_object_add(o, "pids_current", current);
        json_object_object_add(o, "pids_max", max);
        json_object_object_add(o, "events_max", events);
        return o;
}

json_object *json_report_new(const char *format, int version, const TsSysinfo *env) {
        char now[64] = "";
        time_t t = time(NULL);
        struct tm tm;
        if (gmtime_r(&t, &tm))
                strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "format", json_object_new_string(format));
        json_object_object_add(o, "version", json_object_new_int(version));
        json_object_object_add(o, "taskstorm_version", json_object_new_string(TS_VERSION));
        json_object_object_add(o, "generated_at", json_object_new_string(now));
        json_object_object_add(o, "environment", sysinfo_to_json(env));
        return o;
}

json_object *json_verdict_counts(const unsigned counts[_TS_VERDICT_MAX]) {
        json_object *o = json_object_new_object();
        for (TsVerdict v = 0; v < _TS_VERDICT_MAX; v++)
                json_object_object_add(o, ts_verdict_to_string(v), json_object_new_uint64(counts[v]));
        return o;
}

/* --json and --format naming another format contradict each other, whichever came first. */
static int output_format_choose(OutputFormat f, OutputFormat *format) {
        static const char *const names[_FORMAT_MAX] = { "text", "json", "tap" };
        if (*format >= 0 && *format != f) {
                OutputFormat other = f == FORMAT_JSON ? *format : f;
                return log_error_errno(-EINVAL, "--json and --format %s contradict each other: give one.",
                                       names[other]);
        }
        *format = f;
        return 0;
}

int output_format_parse(const char *arg, OutputFormat *format) {
        static const char *const names[_FORMAT_MAX] = { "text", "json", "tap" };
        for (OutputFormat f = 0; f < _FORMAT_MAX; f++)
                if (streq(names[f], arg))
                        return output_format_choose(f, format);
        _cleanup_(freep) char *shown = log_escape(arg);
        return log_error_errno(-EINVAL, "--format %s: expected text, json or tap.", strempty(shown));
}

int output_format_json(OutputFormat *format) {
        return output_format_choose(FORMAT_JSON, format);
}

/* DIR's parent and last component, trailing slashes dropped: "a/b/" -> "a", "b"; "b" -> ".", "b";
 * "/b" -> "/", "b". Both buffers have size bytes. */
static int split_path(const char *dir, char *parent, char *base, size_t size) {
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                n--;
        if (n >= size)
                return -ENAMETOOLONG;
        memcpy(parent, dir, n);
        parent[n] = 0;
        char *slash = strrchr(parent, '/');
        snprintf(base, size, "%s", slash ? slash + 1 : parent);
        if (!slash)
                snprintf(parent, size, ".");
        else
                slash[slash == parent] = 0;
        return 0;
}

int report_dir_check(const char *dir, char *ret) {
        static char *binds[2];
        _cleanup_(freep) char *shown = log_escape(dir);
        char parent[PATH_MAX], base[PATH_MAX], path[PATH_MAX];
        struct stat st;

        if (!*dir)
                return log_error_errno(-EINVAL, "--report-dir needs a directory, not an empty string.");
        if (stat(dir, &st) >= 0) {
                if (!S_ISDIR(st.st_mode))
                        return log_error_errno(-EINVAL, "--report-dir %s: not a directory.",
                                               strempty(shown));
                if (access(dir, W_OK | X_OK) < 0)
                        return log_error_errno(-EINVAL, "--report-dir %s: not writable (%s).",
                                               strempty(shown), strerror(errno));
                if (!realpath(dir, path))
                        return log_error_errno(-EINVAL, "--report-dir %s: %s.", strempty(shown),
                                               strerror(errno));
        } else if (errno != ENOENT)
                return log_error_errno(-EINVAL, "--report-dir %s: %s.", strempty(shown), strerror(errno));
        else if (lstat(dir, &st) >= 0)
                return log_error_errno(-EINVAL, "--report-dir %s: a symbolic link to nothing.",
                                       strempty(shown));
        else {
                /* Missing: it will be made (one level, as mkdir does), so its parent must take it. */
                if (split_path(dir, parent, base, sizeof parent) < 0)
                        return log_error_errno(-EINVAL, "--report-dir %s: path too long.", strempty(shown));
                _cleanup_(freep) char *shown_parent = log_escape(parent);
                if (stat(parent, &st) < 0)
                        return log_error_errno(-EINVAL, "--report-dir %s: cannot be made: %s: %s.",
                                               strempty(shown), strempty(shown_parent), strerror(errno));
                if (access(parent, W_OK | X_OK) < 0)
                        return log_error_errno(-EINVAL,
                                               "--report-dir %s: cannot be made: %s is not writable (%s).",
                                               strempty(shown), strempty(shown_parent), strerror(errno));
                char real[PATH_MAX];
                if (!realpath(parent, real) || path_printf(path, sizeof path, "%s/%s",
                                                           streq(real, "/") ? "" : real, base) < 0)
                        return log_error_errno(-EINVAL, "--report-dir %s: path too long.", strempty(shown));
        }

        memcpy(ret, path, strlen(path) + 1);
        binds[0] = ret;
        cli_sandbox_binds = binds;
        return 0;
}

int report_dir_make(const char *path) {
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "Failed to make --report-dir %s: %m", path);
        return 0;
}
