/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fix's steps and what it verified, as text and JSON; and --dry-run's systemctl commands, which
 * say the same change in the article's words. */
#include "report-fix.h"
#include "macro.h"
#include "report-json.h"

void ts_fix_print_commands(FILE *out, const char *unit, const TsFixOptions *o, bool undo) {
        char limit[32];
        ts_tasks_limit_format(&o->limit, limit, sizeof limit);
        char dropin[512];
        (void)ts_fix_dropin_path(unit, o->runtime, dropin, sizeof dropin);
        if (undo)
                fprintf(out, "# put back the drop-in %s as it was before the first fix\n", dropin);
        else
                fprintf(out, "systemctl set-property%s %s TasksMax=%s\n", o->runtime ? " --runtime" : "",
                        unit, limit);
        if (o->reload || undo)
                fprintf(out, "systemctl daemon-reload\n");
        if (o->restart)
                fprintf(out, "systemctl restart %s\n", unit);
}

void ts_fix_report_print(FILE *out, const char *unit, const TsFixReport *rep, bool undo) {
        char before[32], after[32], pids[32];
        ts_tasks_max_format(rep->tasks_max_before, before, sizeof before);
        ts_tasks_max_format(rep->tasks_max_after, after, sizeof after);
        ts_tasks_max_format(rep->pids_max_after, pids, sizeof pids);
        if (!rep->changed)
                fprintf(out, "%s: TasksMax is %s already: nothing to do (no reload, no restart)\n", unit,
                        before);
        else
                fprintf(out, "%s: TasksMax %s -> %s%s\n", unit, before, after, undo ? " (undone)" : "");
        for (TsFixStep s = 0; s < _TS_FIX_STEP_MAX; s++)
                if (rep->steps[s].done)
                        fprintf(out, "  %-13s %8.1f ms\n", ts_fix_step_to_string(s),
                                (double)rep->steps[s].duration / 1e6);
        fprintf(out, "  %s: bus TasksMax=%s, cgroup pids.max=%s%s%s\n",
                rep->verified ? "verified" : "NOT VERIFIED", after,
                rep->pids_max_after == UINT64_MAX ? "max" : pids, rep->verified ? "" : ": ",
                rep->verify_why);
        if (rep->stopped)
                fprintf(out, "  not restarted: the restart cannot change what the files say\n");
        if (rep->override_pending)
                fprintf(out, "  warning: %s\n", rep->explanation);
        if (rep->changed)
                fprintf(out, "  drop-in: %s\n", rep->dropin);
}

static const char *step_name(size_t i) {
        return ts_fix_step_to_string((TsFixStep)i);
}

/* The file that wins over the fix's drop-in, or null. */
static json_object *override_to_json(const TsFixReport *rep) {
        const TsTasksMaxOverride *ov = &rep->override;
        if (!ov->found)
                return NULL;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "path", json_object_new_string(ov->path));
        json_object_object_add(o, "line", json_object_new_int64(ov->line));
        json_object_object_add(o, "assignment", json_object_new_string(ov->assignment));
        json_object_object_add(o, "read_after", ov->after[0] ? json_object_new_string(ov->after) : NULL);
        json_object_object_add(o, "pending", json_object_new_boolean(rep->override_pending));
        json_object_object_add(o, "advice", json_object_new_string(ov->advice));
        return o;
}

json_object *ts_fix_report_to_json(const char *unit, const TsFixReport *rep, bool undo) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "unit", json_object_new_string(unit));
        json_object_object_add(o, "undo", json_object_new_boolean(undo));
        json_object_object_add(o, "changed", json_object_new_boolean(rep->changed));
        json_object_object_add(o, "tasks_max_before", ts_json_u64_or_max(rep->tasks_max_before));
        json_object_object_add(o, "tasks_max_after", ts_json_u64_or_max(rep->tasks_max_after));
        json_object_object_add(o, "pids_max_after", ts_json_u64_or_max(rep->pids_max_after));
        json_object_object_add(o, "restarted", json_object_new_boolean(rep->restarted));
        json_object_object_add(o, "verified", json_object_new_boolean(rep->verified));
        json_object_object_add(o, "verify_why",
                               rep->verify_why[0] ? json_object_new_string(rep->verify_why) : NULL);
        json_object_object_add(o, "dropin", json_object_new_string(rep->dropin));
        json_object_object_add(o, "steps", ts_json_timings(rep->steps, _TS_FIX_STEP_MAX, step_name));
        json_object_object_add(o, "stopped_before_restart", json_object_new_boolean(rep->stopped));
        json_object_object_add(o, "override", override_to_json(rep));
        json_object_object_add(o, "explanation",
                               rep->explanation[0] ? json_object_new_string(rep->explanation) : NULL);
        return o;
}
