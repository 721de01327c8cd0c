/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One result vocabulary for scenarios and checks, with one mapping to exit statuses (and later to
 * TAP and JUnit). */
#pragma once

#include <errno.h>
#include <stdbool.h>

typedef enum TsVerdict {
        TS_VERDICT_PASS,   /* ran, and what was expected happened */
        TS_VERDICT_SKIP,   /* a need is unmet here (with the reason) */
        TS_VERDICT_FAIL,   /* ran, and something else happened */
        TS_VERDICT_BROKEN, /* could not run: set-up failed */
        _TS_VERDICT_MAX,
        _TS_VERDICT_INVALID = -EINVAL,
} TsVerdict;

const char *ts_verdict_to_string(TsVerdict v);
/* The exit status of a run whose worst verdict is v: 0 PASS/SKIP, 1 FAIL, 6 BROKEN. */
int ts_verdict_exit_status(TsVerdict v);
/* The worse of two verdicts: BROKEN > FAIL > SKIP > PASS for a whole run. */
TsVerdict ts_verdict_worst(TsVerdict a, TsVerdict b);
/* TAP: whether the test line says "ok" (a SKIP does, with "# SKIP reason"). */
bool ts_verdict_tap_ok(TsVerdict v);
/* JUnit: "skipped", "failure", "error", or NULL for a pass. */
const char *ts_verdict_junit_element(TsVerdict v);
