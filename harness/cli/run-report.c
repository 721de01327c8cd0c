/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Builds the run's JSON report as the scenarios end (every time in it is ns since the scenario's
 * own origin, so phases, samples and markers share one axis), and keeps what JUnit needs. */
#include <limits.h>

#include "html.h"
#include "junit.h"
#include "log.h"
#include "macro.h"
#include "output.h"
#include "run-report.h"

/* What the JUnit report keeps of each scenario once its result is gone. */
typedef struct JunitScenario {
        char *name;
        char *reason;
        nsec_t duration;
        TsJunitCase cases[_TS_LOOP_PHASE_MAX + _TS_PHASE_MAX + 1];
        size_t n_cases;
} JunitScenario;

struct RunReport {
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
                json_object_object_add(o, "start_ns", json_object_new_uint64(t->start > l->origin ? t->start - l->origin : 0));
                json_object_object_add(o, "duration_ns", json_object_new_uint64(t->duration));
                json_object_array_add(a, o);
        }
        return a;
}

static json_object *loop_to_json(const TsScenario *s, const TsLoopReport *l) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "unit", json_object_new_string(l->unit[0] ? l->unit : s->daemon_unit));
        json_object_object_add(o, "unit_note", l->unit_note[0] ? json_object_new_string(l->unit_note) : NULL);
        json_object_object_add(o, "stack", json_object_new_string(s->stack ? s->stack : "fixture"));
        json_object_object_add(o, "first_error", l->first_error[0] ? json_object_new_string(l->first_error) : NULL);
        json_object_object_add(o, "unit_tasks", l->unit_tasks[0] ? json_object_new_string(l->unit_tasks) : NULL);
        json_object *machine = NULL;
        if (l->machine.name[0]) {
                machine = json_object_new_object();
                json_object_object_add(machine, "first", json_object_new_string(l->machine.name));
                json_object_object_add(machine, "verdict", json_object_new_string(ts_check_verdict_to_string(l->machine.verdict)));
                json_object_object_add(machine, "cause", json_object_new_string(ts_cause_to_string(l->machine.cause)));
                json_object_object_add(machine, "why", json_object_new_string(l->machine.why));
        }
        json_object_object_add(o, "machine_check", machine);
        json_object_object_add(o, "logger_check", l->logger_check[0] ? json_object_new_string(l->logger_check) : NULL);
        json_object_object_add(o, "tasks_max", limit_to_json(&s->daemon_tasks_max));
        json_object_object_add(o, "containers_asked", json_object_new_uint64(s->containers));
        json_object_object_add(o, "containers_started", json_object_new_uint64(l->started));
        json_object_object_add(o, "containers_failed", json_object_new_uint64(l->failed));
        json_object_object_add(o, "first_failure_ns", l->first_failure ? json_object_new_uint64(l->first_failure) : NULL);
        json_object_object_add(o, "check_verdict", json_object_new_string(ts_check_verdict_to_string(l->verdict)));
        json_object_object_add(o, "check_cause", json_object_new_string(ts_cause_to_string(l->cause)));
        json_object_object_add(o, "check_why", json_object_new_string(l->why));
        json_object *remedy = NULL;
        if (s->has_remedy && s->remedy_of_runtime) {
                remedy = json_object_new_object();
                json_object_object_add(remedy, "container_pids_limit", limit_to_json(&s->remedy_container_pids_limit));
                json_object_object_add(remedy, "changed", json_object_new_string(l->remedy));
        } else if (s->has_remedy) {
                remedy = json_object_new_object();
                json_object_object_add(remedy, "tasks_max", limit_to_json(&s->remedy_tasks_max));
                json_object_object_add(remedy, "reload", json_object_new_boolean(s->remedy_reload));
                json_object_object_add(remedy, "restart", json_object_new_boolean(s->remedy_restart));
        }
        json_object_object_add(o, "remedy", remedy);
        json_object_object_add(o, "fixed", json_object_new_boolean(l->fixed));
        json_object_object_add(o, "fix_verified", json_object_new_boolean(l->fix_verified));
        json_object_object_add(o, "check_verdict_after",
                               l->phases[TS_LOOP_RERUN].done
                                       ? json_object_new_string(ts_check_verdict_to_string(l->verdict_after))
                                       : NULL);
        json_object_object_add(o, "containers_started_again", json_object_new_uint64(l->started_again));
        json_object_object_add(o, "containers_failed_again", json_object_new_uint64(l->failed_again));
        json_object_object_add(o, "phases", loop_phases_to_json(l));
        json_object_object_add(o, "samples", samples_to_json(&l->samples));
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
        json_object_object_add(o, "reason", res->reason[0] ? json_object_new_string(res->reason) : NULL);
        json_object_object_add(o, "duration_ns", json_object_new_uint64(res->duration));
        json_object_object_add(o, "storm", res->ran ? storm_report_to_json(&res->report, &res->plan) : NULL);
        json_object_object_add(o, "loop", res->looped ? loop_to_json(s, &res->loop) : NULL);
        return o;
}

static int junit_keep(JunitScenario *j, const TsScenario *s, const TsScenarioResult *res) {
        *j = (JunitScenario){ .name = strdup(s->name), .reason = res->reason[0] ? strdup(res->reason) : NULL,
                              .duration = res->duration };
        if (!j->name || (res->reason[0] && !j->reason))
                return -ENOMEM;
        if (res->ran)
                for (TsStormPhase p = 0; p < _TS_PHASE_MAX; p++)
                        if (res->report.phases[p].done)
                                j->cases[j->n_cases++] = (TsJunitCase){ .name = ts_storm_phase_to_string(p),
                                                                       .duration = res->report.phases[p].duration };
        if (res->looped)
                for (TsLoopPhase p = 0; p < _TS_LOOP_PHASE_MAX; p++)
                        if (res->loop.phases[p].done)
                                j->cases[j->n_cases++] = (TsJunitCase){ .name = ts_loop_phase_to_string(p),
                                                                       .duration = res->loop.phases[p].duration };
        j->cases[j->n_cases++] = (TsJunitCase){ .name = "verdict", .verdict = res->verdict, .message = j->reason };
        return 0;
}

RunReport *run_report_new(const TsSysinfo *env) {
        RunReport *r = calloc(1, sizeof *r);
        if (!r)
                return NULL;
        r->root = json_report_new(TS_REPORT_FORMAT, TS_REPORT_VERSION, env);
        r->scenarios = json_object_new_array();
        json_object_object_add(r->root, "scenarios", r->scenarios);
        return r;
}

int run_report_add(RunReport *r, const TsScenario *s, const TsScenarioResult *res) {
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

json_object *run_report_finish(RunReport *r, const unsigned counts[_TS_VERDICT_MAX]) {
        json_object_object_add(r->root, "summary", json_verdict_counts(counts));
        return r->root;
}

int run_report_write(RunReport *r, const char *dir) {
        char path[PATH_MAX];
        int k = path_printf(path, sizeof path, "%s/report.json", dir);
        if (k >= 0 && json_object_to_file_ext(path, r->root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) < 0)
                k = -EIO;
        if (k < 0)
                return log_error_errno(k, "Failed to write %s: %m", path);

        TsJunitSuite *suites = calloc(r->n_junit ? r->n_junit : 1, sizeof *suites);
        if (!suites)
                return log_error_errno(-ENOMEM, "Out of memory.");
        for (size_t i = 0; i < r->n_junit; i++)
                suites[i] = (TsJunitSuite){ .name = r->junit[i].name, .duration = r->junit[i].duration,
                                            .cases = r->junit[i].cases, .n_cases = r->junit[i].n_cases };
        k = path_printf(path, sizeof path, "%s/junit.xml", dir);
        if (k >= 0)
                k = ts_junit_write(path, suites, r->n_junit);
        free(suites);
        if (k < 0)
                return log_error_errno(k, "Failed to write %s: %m", path);

        k = path_printf(path, sizeof path, "%s/report.html", dir);
        if (k >= 0)
                k = ts_html_write(path, r->root);
        if (k < 0)
                return log_error_errno(k, "Failed to write %s: %m", path);
        return 0;
}

void run_report_free(RunReport *r) {
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
