/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing of option values that several verbs take. */
#include <getopt.h>
#include <inttypes.h>

#include "args.h"
#include "fileio.h"
#include "guard.h"
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
                return log_error_errno(-EINVAL,
                                       "%s %s: not a task limit (a number from 1, a percentage up to "
                                       "100%%, or infinity).",
                                       option, strempty(shown));
        }
        return 0;
}

int cli_log_bad_unit_name(const char *name) {
        _cleanup_(freep) char *shown = log_escape(name);
        return log_error_errno(-EINVAL,
                               "'%s' is not a unit name (letters, digits and :_.\\@-, ending in .service, "
                               ".scope, .slice, ...).",
                               strempty(shown));
}

uint64_t cli_host_room(void) {
        TsHostCapacity c;
        return ts_host_capacity(&c) < 0 ? 0 : c.available;
}

int cli_check_host_room(const char *option, uint64_t asked) {
        TsHostCapacity c;
        int r = ts_host_capacity(&c);
        if (r < 0)
                return log_error_errno(r, "Failed to read what this host can give a storm: %m");
        if (asked <= c.available)
                return 0;
        char why[512];
        if (c.available < c.kernel_room)
                snprintf(why, sizeof why, "pids.max %" PRIu64 " of %s, %" PRIu64 " tasks in it",
                         c.cgroup_max, c.cgroup_dir, c.cgroup_current);
        else
                snprintf(why, sizeof why,
                         "kernel.%s %" PRIu64 ", %" PRIu64 " tasks running, %" PRIu64 " kept in reserve",
                         c.pid_max <= c.threads_max ? "pid_max" : "threads-max",
                         c.pid_max <= c.threads_max ? c.pid_max : c.threads_max, c.running, c.reserve);
        return log_error_errno(-EINVAL,
                               "%s %" PRIu64 ": more than this host can give: at most %" PRIu64 " (%s).",
                               option, asked, c.available, why);
}

/* The index of the option whose val is val, or -1 (a flag-setting entry, or past the 32nd). */
static int option_index(const struct option *options, int val) {
        for (int i = 0; i < 32 && options[i].name; i++)
                if (!options[i].flag && options[i].val == val)
                        return i;
        return -1;
}

int cli_getopt(int argc, char *argv[], const char *shortopts, const struct option *options,
               const int *repeatable, uint32_t *seen) {
        int c = getopt_long(argc, argv, shortopts, options, NULL);
        int i = c < 0 || c == '?' ? -1 : option_index(options, c);
        if (i < 0)
                return c;
        bool may_repeat = options[i].has_arg == no_argument;
        for (const int *v = repeatable; v && *v && !may_repeat; v++)
                may_repeat = *v == c;
        if (!may_repeat && (*seen & (UINT32_C(1) << i)))
                return log_error_errno(-EINVAL, "--%s given twice.", options[i].name);
        *seen |= UINT32_C(1) << i;
        return c;
}
