/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verdict table: names and exit statuses in one place. */
#include "verdict.h"
#include "macro.h"

static const struct {
        const char *name;
        int exit_status;
        int severity;
        bool tap_ok;       /* TAP: "ok" (with "# SKIP" for a skip) or "not ok" */
        const char *junit; /* JUnit: the element a testcase carries, NULL for none */
} verdicts[_TS_VERDICT_MAX] = {
        [TS_VERDICT_PASS] = { "PASS", 0, 0, true, NULL },
        [TS_VERDICT_SKIP] = { "SKIP", 0, 1, true, "skipped" },
        [TS_VERDICT_FAIL] = { "FAIL", 1, 2, false, "failure" },
        [TS_VERDICT_BROKEN] = { "BROKEN", 6, 3, false, "error" },
};

bool ts_verdict_tap_ok(TsVerdict v) {
        return v >= 0 && v < _TS_VERDICT_MAX && verdicts[v].tap_ok;
}

const char *ts_verdict_junit_element(TsVerdict v) {
        return v >= 0 && v < _TS_VERDICT_MAX ? verdicts[v].junit : NULL;
}

const char *ts_verdict_to_string(TsVerdict v) {
        if (v < 0 || v >= _TS_VERDICT_MAX)
                return NULL;
        return verdicts[v].name;
}

int ts_verdict_exit_status(TsVerdict v) {
        if (v < 0 || v >= _TS_VERDICT_MAX)
                return 1;
        return verdicts[v].exit_status;
}

TsVerdict ts_verdict_worst(TsVerdict a, TsVerdict b) {
        return verdicts[a].severity >= verdicts[b].severity ? a : b;
}
