/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text and JSON renderings of a TsStormReport: errno names for the failures, phases in ms (text) and
 * ns (JSON), and a pids file that could not be read shown as its error. */
#include <inttypes.h>
#include <string.h>

#include "macro.h"
#include "report-json.h"
#include "report-storm.h"

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
        snprintf(buf, size, "current %" PRIu64 ", max %s, events max %" PRIu64, s->current, max,
                 s->events_max);
}

void ts_storm_report_print(FILE *out, const TsStormReport *r, const TsStormPlan *plan, const char *indent) {
        const TsStormStats *st = &r->stats;
        char limit[32], buf[128];
        ts_tasks_limit_format(&plan->limit, limit, sizeof limit);

        fprintf(out, "%s%s storm in %s (TasksMax=%s", indent, ts_storm_kind_to_string(plan->storm.kind),
                strempty(r->unit), limit);
        if (plan->has_slice_limit) {
                ts_tasks_limit_format(&plan->slice_limit, buf, sizeof buf);
                fprintf(out, ", in %s with TasksMax=%s", strempty(r->slice), buf);
        }
        fprintf(out, ")\n");
        if (r->guard)
                fprintf(out,
                        "%s  guard:                taskstorm.slice, TasksMax=%" PRIu64
                        " (what the host can give)\n",
                        indent, r->guard);
        fprintf(out, "%s  tasks asked:          %" PRIu64 " (cap %" PRIu64 ")\n", indent, r->tasks_asked,
                plan->max_tasks);
        fprintf(out, "%s  tasks created:        %" PRIu64 " (and the leader)\n", indent, st->created);
        fprintf(out, "%s  failures:             %" PRIu64, indent, st->failures);
        for (size_t i = 0; i < TS_STORM_ERRNO_SLOTS && st->by_errno[i].error; i++)
                fprintf(out, "%s%s x%" PRIu64, i ? ", " : ": ", errno_name(st->by_errno[i].error),
                        st->by_errno[i].count);
        fprintf(out, "\n");
        if (r->has_first_failure) {
                fprintf(out,
                        "%s  first failure:        %s with %" PRIu64 " storm tasks, pids.current %" PRId64
                        "\n",
                        indent, errno_name(st->first_error), st->tasks_at_first_failure,
                        st->pids_current_at_first_failure);
                fprintf(out, "%s  time to first:        %.3f ms\n", indent,
                        (double)(st->first_failure_ns - st->start_ns) / 1e6);
        } else
                fprintf(out, "%s  first failure:        none\n", indent);
        fprintf(out, "%s  rate:                 %.0f tasks/s\n", indent, tasks_per_second(st));
        format_sample(&r->before, buf, sizeof buf);
        fprintf(out, "%s  pids before:          %s\n", indent, buf);
        format_sample(&r->after, buf, sizeof buf);
        fprintf(out, "%s  pids after:           %s\n", indent, buf);
        if (r->slice) {
                format_sample(&r->slice_after, buf, sizeof buf);
                fprintf(out, "%s  slice pids after:     %s\n", indent, buf);
        }
        fprintf(out, "%s  phases (ms):         ", indent);
        for (TsStormPhase p = 0; p < _TS_PHASE_MAX; p++)
                if (r->phases[p].done)
                        fprintf(out, " %s %.3f", ts_storm_phase_to_string(p),
                                (double)r->phases[p].duration / 1e6);
        fprintf(out, "\n");
}

static json_object *sample_to_json(const TsPidsSample *s) {
        json_object *o = json_object_new_object();
        if (s->error) {
                json_object_object_add(o, "error", json_object_new_string(strerror(-s->error)));
                return o;
        }
        json_object_object_add(o, "current", json_object_new_uint64(s->current));
        json_object_object_add(o, "max", ts_json_u64_or_max(s->max));
        json_object_object_add(o, "events_max", json_object_new_uint64(s->events_max));
        return o;
}

static json_object *first_failure_to_json(const TsStormReport *r) {
        const TsStormStats *st = &r->stats;
        if (!r->has_first_failure)
                return NULL;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "errno", json_object_new_string(errno_name(st->first_error)));
        json_object_object_add(o, "storm_tasks", json_object_new_uint64(st->tasks_at_first_failure));
        json_object_object_add(o, "pids_current", json_object_new_int64(st->pids_current_at_first_failure));
        json_object_object_add(o, "after_ns", json_object_new_uint64(st->first_failure_ns - st->start_ns));
        return o;
}

static json_object *phases_to_json(const TsStormReport *r) {
        json_object *a = json_object_new_array();
        for (TsStormPhase p = 0; p < _TS_PHASE_MAX; p++) {
                if (!r->phases[p].done)
                        continue;
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(ts_storm_phase_to_string(p)));
                json_object_object_add(o, "start_ns", json_object_new_uint64(r->phases[p].start));
                json_object_object_add(o, "duration_ns", json_object_new_uint64(r->phases[p].duration));
                json_object_array_add(a, o);
        }
        return a;
}

json_object *ts_storm_report_to_json(const TsStormReport *r, const TsStormPlan *plan) {
        const TsStormStats *st = &r->stats;
        char limit[32];
        json_object *o = json_object_new_object();

        json_object_object_add(o, "kind", json_object_new_string(ts_storm_kind_to_string(plan->storm.kind)));
        json_object_object_add(o, "unit", ts_json_string(r->unit));
        json_object_object_add(o, "control_group", ts_json_string(r->control_group));
        ts_tasks_limit_format(&plan->limit, limit, sizeof limit);
        json_object_object_add(o, "tasks_max", json_object_new_string(limit));
        json_object_object_add(o, "slice", ts_json_string(r->slice));
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
        json_object_object_add(o, "first_failure", first_failure_to_json(r));
        json_object_object_add(o, "tasks_per_second", json_object_new_double(tasks_per_second(st)));
        json_object_object_add(o, "pids_before", sample_to_json(&r->before));
        json_object_object_add(o, "pids_after", sample_to_json(&r->after));
        if (r->slice)
                json_object_object_add(o, "slice_pids_after", sample_to_json(&r->slice_after));
        json_object_object_add(o, "phases", phases_to_json(r));
        json_object_object_add(o, "first_eagain_ns",
                               r->has_first_failure && st->first_error == EAGAIN
                                       ? json_object_new_uint64(r->first_failure)
                                       : NULL);
        json_object_object_add(o, "cancelled", json_object_new_boolean(r->cancelled));
        json_object_object_add(o, "samples", ts_json_samples(&r->samples));
        return o;
}
