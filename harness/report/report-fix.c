/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fix's steps and what it verified, as text and JSON; and --dry-run's systemctl commands, which
 * say the same change in the article's words. */
#include "report-fix.h"
#include "macro.h"
#include "report-check.h"
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

/* Why fix --if-affected left the unit alone, by the check's verdict; an affected unit's cause is
 * added: it is not the unit's own TasksMax. */
static const char *const skipped_table[_TS_CHECK_VERDICT_MAX] = {
        [TS_CHECK_NOT_AFFECTED] = "not affected: no task limit refused its tasks",
        [TS_CHECK_AFFECTED] = "not by its own TasksMax: lifting that would not help (the check's fix "
                              "says what would)",
        [TS_CHECK_AT_RISK] = "at-risk, not affected: no task was refused yet (fix without --if-affected "
                             "lifts the limit)",
        [TS_CHECK_NOT_APPLICABLE] = "not-applicable: the check found nothing to fix",
        [TS_CHECK_SUSPECTED] = "suspected: what refused its tasks is not known",
};

static void skipped_why(const TsCheckResult *res, char *buf, size_t size) {
        const char *why = res->verdict >= 0 && res->verdict < _TS_CHECK_VERDICT_MAX
                                  ? skipped_table[res->verdict]
                                  : "no verdict";
        if (res->verdict == TS_CHECK_AFFECTED)
                snprintf(buf, size, "affected by %s%s%s%s, %s", ts_cause_to_string(res->cause),
                         res->via[0] ? " (" : "", res->via, res->via[0] ? ")" : "", why);
        else
                snprintf(buf, size, "%s", why);
}

void ts_fix_checked_print(FILE *out, const TsCheckFacts *f, const TsCheckResult *res,
                          const TsFixReport *rep) {
        ts_check_print(out, f, res);
        if (rep) {
                ts_fix_report_print(out, f->unit, rep, false);
                return;
        }
        char why[512];
        skipped_why(res, why, sizeof why);
        fprintf(out, "%s: not fixed: %s\n", f->unit, why);
}

json_object *ts_fix_checked_to_json(const TsCheckFacts *f, const TsCheckResult *res,
                                    const TsFixReport *rep) {
        char why[512] = "";
        if (!rep)
                skipped_why(res, why, sizeof why);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "unit", ts_json_string_or_null(f->unit));
        json_object_object_add(o, "check", ts_check_to_json(f, res));
        json_object_object_add(o, "fix_applies", json_object_new_boolean(ts_check_fix_applies(res)));
        json_object_object_add(o, "fix", rep ? ts_fix_report_to_json(f->unit, rep, false) : NULL);
        json_object_object_add(o, "skipped", why[0] ? json_object_new_string(why) : NULL);
        return o;
}
