/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TAP and count lines from the one verdict table (core/verdict.c), so that run and qualify cannot
 * say a verdict two ways. */
#include "report-verdict.h"

void ts_tap_print_plan(FILE *out, size_t n) {
        fprintf(out, "1..%zu\n", n);
}

void ts_tap_print_result(FILE *out, size_t number, const char *name, TsVerdict verdict, const char *reason,
                         const char *comment) {
        bool ok = ts_verdict_tap_ok(verdict);
        fprintf(out, "%s %zu - %s", ok ? "ok" : "not ok", number, name);
        if (verdict == TS_VERDICT_SKIP)
                fprintf(out, " # SKIP %s", reason);
        fprintf(out, "\n");
        if (comment)
                fprintf(out, "# %s\n", comment);
        if (!ok)
                fprintf(out, "# %s: %s\n", ts_verdict_to_string(verdict), reason);
}

void ts_verdict_counts_print(FILE *out, const unsigned counts[_TS_VERDICT_MAX]) {
        fprintf(out, "%u passed, %u failed, %u skipped, %u broken\n", counts[TS_VERDICT_PASS],
                counts[TS_VERDICT_FAIL], counts[TS_VERDICT_SKIP], counts[TS_VERDICT_BROKEN]);
}

json_object *ts_verdict_counts_to_json(const unsigned counts[_TS_VERDICT_MAX]) {
        json_object *o = json_object_new_object();
        for (TsVerdict v = 0; v < _TS_VERDICT_MAX; v++)
                json_object_object_add(o, ts_verdict_to_string(v), json_object_new_uint64(counts[v]));
        return o;
}
