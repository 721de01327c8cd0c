/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How verdicts read wherever run and qualify report them: TAP lines, the closing count line of the
 * text output, and the summary counts of a JSON report (JUnit's are in junit.c). */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "verdict.h"

/* "1..n" */
void ts_tap_print_plan(FILE *out, size_t n);
/* "ok N - name" ("# SKIP reason" for a skip, "not ok" for FAIL and BROKEN), then "# comment" where
 * there is one (NULL: none), then "# VERDICT: reason" after a "not ok". */
void ts_tap_print_result(FILE *out, size_t number, const char *name, TsVerdict verdict, const char *reason,
                         const char *comment);
/* "P passed, F failed, S skipped, B broken" */
void ts_verdict_counts_print(FILE *out, const unsigned counts[_TS_VERDICT_MAX]);
/* {"PASS": n, "SKIP": n, "FAIL": n, "BROKEN": n} */
json_object *ts_verdict_counts_to_json(const unsigned counts[_TS_VERDICT_MAX]);
