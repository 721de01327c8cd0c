/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verdict table: names and exit statuses in one place. */
#include "macro.h"
#include "verdict.h"

static const struct {
        const char *name;
        int exit_status;
        int severity;
} verdicts[_TS_VERDICT_MAX] = {
        [TS_VERDICT_PASS] = { "PASS", 0, 0 },
        [TS_VERDICT_SKIP] = { "SKIP", 0, 1 },
        [TS_VERDICT_FAIL] = { "FAIL", 1, 2 },
        [TS_VERDICT_BROKEN] = { "BROKEN", 6, 3 },
};

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
