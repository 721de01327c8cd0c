/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The storm kinds' names, shared by the harness (scenario files, reports, the leader's command line)
 * and the leader (tstask), which looks its kind up by the same name. */
#include "macro.h"
#include "storm-protocol.h"
#include "string-table.h"

static const char *const ts_storm_kind_table[_TS_STORM_KIND_MAX] = {
        [TS_STORM_FORK] = "fork",
        [TS_STORM_THREAD] = "thread",
        [TS_STORM_EXEC] = "exec",
        [TS_STORM_MIXED] = "mixed",
};

DEFINE_STRING_TABLE_LOOKUP(ts_storm_kind, TsStormKind);
