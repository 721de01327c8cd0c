/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing of option values that several verbs take. */
#include <inttypes.h>

#include "args.h"
#include "fileio.h"
#include "log.h"

int cli_parse_count(const char *option, const char *value, uint64_t max, uint64_t *ret) {
        uint64_t v;
        if (ts_safe_atou64(value, &v) < 0 || v == 0 || v > max) {
                _cleanup_(freep) char *shown = log_escape(value);
                return log_error_errno(-EINVAL, "%s %s: not a whole number from 1 to %" PRIu64 ".", option,
                                       strempty(shown), max);
        }
        *ret = v;
        return 0;
}

int cli_parse_tasks_limit(const char *option, const char *value, TsTasksLimit *ret) {
        if (ts_tasks_limit_parse(value, ret) < 0) {
                _cleanup_(freep) char *shown = log_escape(value);
                return log_error_errno(-EINVAL, "%s %s: not a task limit (a number from 1, a percentage up to "
                                                "100%%, or infinity).", option, strempty(shown));
        }
        return 0;
}
