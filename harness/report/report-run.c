/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Builds the run's JSON report as the scenarios end (every time in it is ns since the scenario's
 * own origin, so phases, samples and markers share one axis), keeps what JUnit needs, and prints
 * each result as text or TAP. */
#include <inttypes.h>
#include <string.h>

#include "html.h"
#include "junit.h"
#include "macro.h"
#include "report-json.h"
#include "report-run.h"
#include "report-storm.h"
#include "report-verdict.h"

/* What the JUnit report keeps of each scenario once its result is gone. */
typedef struct JunitScenario {
        char *name;
        char *reason;
        nsec_t duration;
        TsJunitCase cases[_TS_LOOP_PHASE_MAX + _TS_PHASE_MAX + 1];
        size_t n_cases;
} JunitScenario;

struct TsRunReport {
        json_object *root;
        json_object *scenarios;
        JunitScenario *junit;
        size_t n_junit, allocated;
};

static json_object *limit_to_json(const TsTasksLimit *l) {
        char buf[32];
        ts_tasks_limit_format(l, buf, sizeof buf);
        return json_object_new_string(buf);
}

static json_object *loop_phases_to_json(const TsLoopReport *l) {
        json_object *a = json_object_new_array();
        for (TsLoopPhase p = 0; p < _TS_LOOP_PHASE_MAX; p++) {
                const TsTiming *t = &l->phases[p];
                if (!t->done)
                        continue;
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(ts_loop_phase_to_string(p)));
                json_object_object_add(
                        o, "start_ns",
                        json_object_new_uint64(t->start > l->origin ? t->start - l->origin : 0));
                json_object_object_add(o, "duration_ns", json_object_new_uint64(t->duration));
                json_object_array_add(a, o);
        }
        return a;
}

/* Where the whole machine's check pointed first, or NULL. */
static json_object *machine_check_to_json(const TsLoopReport *l) {
        if (!l->machine.name[0])
                return NULL;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "first", json_object_new_string(l->machine.name));
        json_object_object_add(o, "verdict",
                               json_object_new_string(ts_check_verdict_to_string(l->machine.verdict)));
        json_object_object_add(o, "cause", json_object_new_string(ts_cause_to_string(l->machine.cause)));
        json_object_object_add(o, "why", json_object_new_string(l->machine.why));
        return o;
}

/* The scenario's remedy: the runtime's per-container limit, or the unit's TasksMax; NULL for none. */
static json_object *remedy_to_json(const TsScenario *s, const TsLoopReport *l) {
        json_object *o = NULL;
        if (s->has_remedy && s->remedy_of_runtime) {
                o = json_object_new_object();
                json_object_object_add(o, "container_pids_limit",
                                       limit_to_json(&s->remedy_container_pids_limit));
                json_object_object_add(o, "changed", json_object_new_string(l->remedy));
        } else if (s->has_remedy) {
                o = json_object_new_object();
                json_object_object_add(o, "tasks_max", limit_to_json(&s->remedy_tasks_max));
                json_object_object_add(o, "reload", json_object_new_boolean(s->remedy_reload));
                json_object_object_add(o, "restart", json_object_new_boolean(s->remedy_restart));
        }
        return o;
}

static json_object *loop_to_json(const TsScenario *s, const TsLoopReport *l) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "unit", json_object_new_string(l->unit[0] ? l->unit : s->daemon_unit));
        json_object_object_add(o, "unit_note", ts_json_string_or_null(l->unit_note));
        json_object_object_add(o, "stack", json_object_new_string(s->stack ? s->stack : "fixture"));
        json_object_object_add(o, "first_error", ts_json_string_or_null(l->first_error));
        json_object_object_add(o, "unit_tasks", ts_json_string_or_null(l->unit_tasks));
        json_object_object_add(o, "machine_check", machine_check_to_json(l));
        json_object_object_add(o, "logger_check", ts_json_string_or_null(l->logger_check));
        json_object_object_add(o, "tasks_max", limit_to_json(&s->daemon_tasks_max));
        json_object_object_add(o, "containers_asked", json_object_new_uint64(s->containers));
        json_object_object_add(o, "containers_started", json_object_new_uint64(l->started));
        json_object_object_add(o, "containers_failed", json_object_new_uint64(l->failed));
        json_object_object_add(o, "first_failure_ns",
                               l->first_failure ? json_object_new_uint64(l->first_failure) : NULL);
        json_object_object_add(o, "check_verdict",
                               json_object_new_string(ts_check_verdict_to_string(l->verdict)));
        json_object_object_add(o, "check_cause", json_object_new_string(ts_cause_to_string(l->cause)));
        json_object_object_add(o, "check_why", json_object_new_string(l->why));
        json_object_object_add(o, "remedy", remedy_to_json(s, l));
        json_object_object_add(o, "fixed", json_object_new_boolean(l->fixed));
        json_object_object_add(o, "fix_verified", json_object_new_boolean(l->fix_verified));
        json_object_object_add(o, "check_verdict_after",
                               l->phases[TS_LOOP_RERUN].done
                                       ? json_object_new_string(ts_check_verdict_to_string(l->verdict_after))
                                       : NULL);
        json_object_object_add(o, "containers_started_again", json_object_new_uint64(l->started_again));
        json_object_object_add(o, "containers_failed_again", json_object_new_uint64(l->failed_again));
        json_object_object_add(o, "phases", loop_phases_to_json(l));
        json_object_object_add(o, "samples", ts_json_samples(&l->samples));
        return o;
}

static json_object *result_to_json(const TsScenario *s, const TsScenarioResult *res) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(s->name));
        json_object_object_add(o, "path", json_object_new_string(s->path));
        json_object_object_add(o, "description", json_object_new_string(s->description));
        json_object *tags = json_object_new_array();
        for (char **t = s->tags; t && *t; t++)
                json_object_array_add(tags, json_object_new_string(*t));
        json_object_object_add(o, "tags", tags);
        json_object_object_add(o, "verdict", json_object_new_string(ts_verdict_to_string(res->verdict)));
        json_object_object_add(o, "reason", ts_json_string_or_null(res->reason));
        json_object_object_add(o, "duration_ns", json_object_new_uint64(res->duration));
        json_object_object_add(o, "storm",
                               res->ran ? ts_storm_report_to_json(&res->report, &res->plan) : NULL);
        json_object_object_add(o, "loop", res->looped ? loop_to_json(s, &res->loop) : NULL);
        return o;
}

static int junit_keep(JunitScenario *j, const TsScenario *s, const TsScenarioResult *res) {
        *j = (JunitScenario){ .name = strdup(s->name),
                              .reason = res->reason[0] ? strdup(res->reason) : NULL,
                              .duration = res->duration };
        if (!j->name || (res->reason[0] && !j->reason))
                return -ENOMEM;
        if (res->ran)
                for (TsStormPhase p = 0; p < _TS_PHASE_MAX; p++)
                        if (res->report.phases[p].done)
                                j->cases[j->n_cases++] =
                                        (TsJunitCase){ .name = ts_storm_phase_to_string(p),
                                                       .duration = res->report.phases[p].duration };
        if (res->looped)
                for (TsLoopPhase p = 0; p < _TS_LOOP_PHASE_MAX; p++)
                        if (res->loop.phases[p].done)
                                j->cases[j->n_cases++] =
                                        (TsJunitCase){ .name = ts_loop_phase_to_string(p),
                                                       .duration = res->loop.phases[p].duration };
        j->cases[j->n_cases++] =
                (TsJunitCase){ .name = "verdict", .verdict = res->verdict, .message = j->reason };
        return 0;
}

TsRunReport *ts_run_report_new(const TsSysinfo *env, const char *const *sandbox_verbs) {
        TsRunReport *r = calloc(1, sizeof *r);
        if (!r)
                return NULL;
        r->root = ts_json_report_new(TS_REPORT_FORMAT, TS_REPORT_VERSION, env, sandbox_verbs);
        r->scenarios = json_object_new_array();
        json_object_object_add(r->root, "scenarios", r->scenarios);
        return r;
}

int ts_run_report_add(TsRunReport *r, const TsScenario *s, const TsScenarioResult *res) {
        if (r->n_junit == r->allocated) {
                size_t n = r->allocated ? r->allocated * 2 : 16;
                JunitScenario *grown = realloc(r->junit, n * sizeof *grown);
                if (!grown)
                        return -ENOMEM;
                r->junit = grown;
                r->allocated = n;
        }
        int k = junit_keep(&r->junit[r->n_junit++], s, res);
        json_object_array_add(r->scenarios, result_to_json(s, res));
        return k;
}

json_object *ts_run_report_finish(TsRunReport *r, const unsigned counts[_TS_VERDICT_MAX]) {
        json_object_object_add(r->root, "summary", ts_verdict_counts_to_json(counts));
        return r->root;
}

int ts_run_report_write_json(const TsRunReport *r, const char *path) {
        return ts_json_write_file(path, r->root);
}

int ts_run_report_write_junit(const TsRunReport *r, const char *path) {
        _cleanup_(freep) TsJunitSuite *suites = calloc(r->n_junit ? r->n_junit : 1, sizeof *suites);
        if (!suites)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(suites);
        for (size_t i = 0; i < r->n_junit; i++)
                suites[i] = (TsJunitSuite){ .name = r->junit[i].name,
                                            .duration = r->junit[i].duration,
                                            .cases = r->junit[i].cases,
                                            .n_cases = r->junit[i].n_cases };
        return ts_junit_write(path, suites, r->n_junit);
}

int ts_run_report_write_html(const TsRunReport *r, const char *path) {
        return ts_html_write(path, r->root);
}

void ts_run_report_free(TsRunReport *r) {
        if (!r)
                return;
        for (size_t i = 0; i < r->n_junit; i++) {
                free(r->junit[i].name);
                free(r->junit[i].reason);
        }
        free(r->junit);
        json_object_put(r->root);
        free(r);
}

/* The loop told as it happened, one line a phase. */
static void print_loop(FILE *out, const TsLoopReport *l) {
        static const char *const what[_TS_LOOP_PHASE_MAX] = {
                [TS_LOOP_INSTALL] = "installed and started:",
                [TS_LOOP_REPRODUCE] = "containers asked for",
                [TS_LOOP_DETECT] = "taskstorm check",
                [TS_LOOP_SET_PROPERTY] = "set-property TasksMax",
                [TS_LOOP_RELOAD] = "daemon-reload",
                [TS_LOOP_RESTART] = "restart",
                [TS_LOOP_VERIFY] = "verified on the bus and in the cgroup",
                [TS_LOOP_RERUN] = "the same containers asked for again",
                [TS_LOOP_CLEANUP] = "removed again",
        };
        /* The lines under a phase line, in its text column. */
        const char *more = "                                ";
        if (l->unit_note[0])
                fprintf(out, "       %s\n", l->unit_note);
        for (TsLoopPhase p = 0; p < _TS_LOOP_PHASE_MAX; p++) {
                if (!l->phases[p].done)
                        continue;
                fprintf(out, "       %-13s %9.1f ms  %s", ts_loop_phase_to_string(p),
                        (double)l->phases[p].duration / 1e6,
                        p == TS_LOOP_SET_PROPERTY && l->remedy[0] ? l->remedy : what[p]);
                if (p == TS_LOOP_INSTALL)
                        fprintf(out, " %s as %s", l->stack, l->unit);
                else if (p == TS_LOOP_REPRODUCE)
                        fprintf(out, ": %" PRIu64 " started, %" PRIu64 " failed", l->started, l->failed);
                else if (p == TS_LOOP_DETECT)
                        fprintf(out, ": %s (%s)", ts_check_verdict_to_string(l->verdict),
                                ts_cause_to_string(l->cause));
                else if (p == TS_LOOP_RERUN)
                        fprintf(out, ": %" PRIu64 " started, %" PRIu64 " failed", l->started_again,
                                l->failed_again);
                fprintf(out, "\n");
                if (p == TS_LOOP_REPRODUCE && l->first_error[0])
                        fprintf(out, "%sfirst failure: %s\n", more, l->first_error);
                if (p == TS_LOOP_REPRODUCE && l->unit_tasks[0])
                        fprintf(out, "%s%s\n", more, l->unit_tasks);
                if (p == TS_LOOP_DETECT && l->why[0])
                        fprintf(out, "%s%s\n", more, l->why);
                if (p == TS_LOOP_DETECT && l->machine.name[0])
                        fprintf(out, "%sthe whole machine: %s first (%s, %s): %s\n", more, l->machine.name,
                                ts_check_verdict_to_string(l->machine.verdict),
                                ts_cause_to_string(l->machine.cause), l->machine.why);
                if (p == TS_LOOP_DETECT && l->logger_check[0])
                        fprintf(out, "%s%s\n", more, l->logger_check);
        }
}

void ts_run_print_result(FILE *out, const TsScenario *s, const TsScenarioResult *res) {
        fprintf(out, "%-6s %-28s", ts_verdict_to_string(res->verdict), s->name);
        if (res->ran) {
                for (TsStormPhase p = 0; p < _TS_PHASE_MAX; p++)
                        if (res->report.phases[p].done)
                                fprintf(out, " %s %.1fms", ts_storm_phase_to_string(p),
                                        (double)res->report.phases[p].duration / 1e6);
                if (res->report.has_first_failure)
                        fprintf(out, " first-%s %.1fms", strerrorname_np(res->report.stats.first_error),
                                (double)(res->report.stats.first_failure_ns - res->report.stats.start_ns) /
                                        1e6);
        }
        fprintf(out, "\n");
        if (res->looped)
                print_loop(out, &res->loop);
        if (res->reason[0])
                fprintf(out, "       %s\n", res->reason);
}

void ts_run_print_tap(FILE *out, size_t number, const TsScenario *s, const TsScenarioResult *res) {
        ts_tap_print_result(out, number, s->name, res->verdict, res->reason, NULL);
}
