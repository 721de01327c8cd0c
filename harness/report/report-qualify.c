/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Each check's verdict, time, reason and evidence in the four forms qualify gives them: text, TAP,
 * JSON and JUnit. */
#include "report-qualify.h"
#include "junit.h"
#include "report-json.h"
#include "report-verdict.h"

void ts_qualify_print_head(FILE *out, const char *systemd, size_t n) {
        fprintf(out, "systemd %s: %zu check%s of its TasksMax semantics\n", systemd, n, n == 1 ? "" : "s");
}

void ts_qualify_print_result(FILE *out, const TsQualifyCheck *c, const TsQualifyResult *res) {
        fprintf(out, "%-6s %-18s %8.1f ms  %s\n", ts_verdict_to_string(res->verdict), c->name,
                (double)res->duration / 1e6, c->summary);
        if (res->reason[0])
                fprintf(out, "       why: %s\n", res->reason);
        if (res->evidence[0])
                fprintf(out, "       evidence: %s\n", res->evidence);
}

void ts_qualify_print_tap(FILE *out, size_t number, const TsQualifyCheck *c, const TsQualifyResult *res) {
        ts_tap_print_result(out, number, c->name, res->verdict, res->reason, res->evidence);
}

json_object *ts_qualify_result_to_json(const TsQualifyCheck *c, const TsQualifyResult *res) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(c->name));
        json_object_object_add(o, "summary", json_object_new_string(c->summary));
        json_object_object_add(o, "verdict", json_object_new_string(ts_verdict_to_string(res->verdict)));
        json_object_object_add(o, "reason", ts_json_string_or_null(res->reason));
        json_object_object_add(o, "evidence", json_object_new_string(res->evidence));
        json_object_object_add(o, "duration_ns", json_object_new_uint64(res->duration));
        return o;
}

json_object *ts_qualify_report_new(const TsSysinfo *env, const char *const *sandbox_verbs) {
        return ts_json_report_new(TS_QUALIFY_FORMAT, TS_QUALIFY_VERSION, env, sandbox_verbs);
}

void ts_qualify_report_finish(json_object *report, const char *systemd, json_object *checks,
                              const unsigned counts[_TS_VERDICT_MAX]) {
        json_object_object_add(report, "systemd", json_object_new_string(systemd));
        json_object_object_add(report, "checks", checks);
        json_object_object_add(report, "summary", ts_verdict_counts_to_json(counts));
}

int ts_qualify_junit_write(const char *path, const char *systemd, const TsQualifyCheck *const *checks,
                           const TsQualifyResult *results, size_t n) {
        TsJunitCase *cases = calloc(n ? n : 1, sizeof *cases);
        char **messages = calloc(n ? n : 1, sizeof *messages);
        char suite_name[128];
        int r = cases && messages ? 0 : -ENOMEM;
        nsec_t total = 0;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const TsQualifyResult *res = &results[i];
                if (res->reason[0] &&
                    asprintf(&messages[i], "%s (evidence: %s)", res->reason, res->evidence) < 0) {
                        messages[i] = NULL;
                        r = -ENOMEM;
                }
                cases[i] = (TsJunitCase){ .name = checks[i]->name,
                                          .duration = res->duration,
                                          .verdict = res->verdict,
                                          .message = messages[i] };
                total += res->duration;
        }
        snprintf(suite_name, sizeof suite_name, "qualify systemd %s", systemd);
        TsJunitSuite suite = { .name = suite_name, .duration = total, .cases = cases, .n_cases = n };
        if (r >= 0)
                r = ts_junit_write(path, &suite, 1);
        for (size_t i = 0; messages && i < n; i++)
                free(messages[i]);
        free(messages);
        free(cases);
        return r;
}
