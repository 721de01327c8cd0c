/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm fix UNIT: the article's fix (set-property TasksMax=infinity, daemon-reload, restart)
 * through sd-bus, verified, each step timed; where a drop-in read after the fix's overrides it, the
 * file and line that win and what to do. --dry-run shows the systemctl commands, after warning of
 * the restart and of such a drop-in; --undo puts back what the unit had before the first fix. */
#include <getopt.h>
#include <inttypes.h>
#include <systemd/sd-daemon.h>

#include "args.h"
#include "bus.h"
#include "exit-status.h"
#include "fix.h"
#include "log.h"
#include "report-fix.h"
#include "report-json.h"
#include "unit.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: taskstorm fix [OPTIONS...] UNIT\n\n"
               "Lift the unit's task limit as the vendor article does, through sd-bus, and verify it.\n\n"
               "  -h --help            show this help\n"
               "     --tasks-max LIMIT the new TasksMax: infinity (default), N or P%%\n"
               "     --runtime         change /run only (until reboot), as systemctl set-property --runtime\n"
               "     --no-reload       skip the daemon-reload (TasksMax applies at once without it)\n"
               "     --no-restart      skip the restart (TasksMax applies to the running unit)\n"
               "     --dry-run         print the equivalent systemctl commands, change nothing; warn first\n"
               "                       of the restart and of a drop-in that would override the new limit\n"
               "     --undo            put back what the unit had before the first fix\n"
               "     --json            print the result as JSON\n");
}

/* What fix would do, before the commands: the restart it would make (MainPID, TasksCurrent), or why
 * none, and a drop-in that would win over the new value. Read from the bus only where PID 1 is
 * systemd: a sandbox's systemd does not run the unit asked about. */
static int dry_run_warnings(const char *unit, const TsFixOptions *o, bool undo) {
        if (sd_booted() <= 0) {
                log_warning(
                        "PID 1 is not systemd: whether %s runs (and would restart) and whether a drop-in "
                        "overrides the new limit cannot be read here.",
                        unit);
                return 0;
        }
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        TsFixPlan p;
        int r = ts_bus_open_systemd(&bus);
        if (r < 0) {
                log_warning_errno(r,
                                  "Cannot connect to systemd (%m): what the restart would stop is unknown.");
                return 0;
        }
        r = ts_fix_plan(bus, unit, o, undo, &p);
        if (r == -ENOENT) {
                log_error("Unit %s not found.", unit);
                return TS_EXIT_NO_SUCH_UNIT;
        }
        if (r < 0) {
                log_warning_errno(
                        r, "Cannot read %s from systemd (%m): what the restart would stop is unknown.",
                        unit);
                return 0;
        }

        char now[32], limit[32], value[32];
        ts_tasks_max_format(p.tasks_max, now, sizeof now);
        ts_tasks_limit_format(&o->limit, limit, sizeof limit);
        const TsTasksMaxOverride *ov = &p.override;
        bool stops = ov->found && o->reload && !p.nothing_to_do; /* fix stops before the restart then */
        if (p.nothing_to_do)
                log_info("%s has TasksMax=%s already: fix does nothing (no reload, no restart).", unit, now);
        else if (!p.active)
                log_info("%s is not running: fix restarts nothing.", unit);
        else if (o->restart && !stops) {
                char pid[32] = "unknown", tasks[32] = "unknown";
                if (p.main_pid > 0)
                        snprintf(pid, sizeof pid, "%" PRIu32, p.main_pid);
                if (p.has_tasks_current)
                        snprintf(tasks, sizeof tasks, "%" PRIu64, p.tasks_current);
                log_warning("The restart step stops %s (MainPID %s, %s tasks) and starts it again "
                            "(--no-restart: TasksMax applies to the running unit without it).",
                            unit, pid, tasks);
        }
        if (p.override_error < 0)
                log_warning_errno(p.override_error,
                                  "Cannot tell whether a drop-in overrides TasksMax=%s: the "
                                  "unit's files cannot be read: %m",
                                  limit);
        if (!ov->found)
                return 0;
        if (ov->limit.kind < 0)
                snprintf(value, sizeof value, "systemd's default");
        else
                ts_tasks_limit_format(&ov->limit, value, sizeof value);
        if (stops)
                log_warning(
                        "%s would have TasksMax=%s, not %s: a drop-in overrides it, %s; %s first (fix would "
                        "stop before the restart, not verified).",
                        unit, value, limit, ov->where, ov->advice);
        else
                log_warning("TasksMax=%s would hold until the next daemon-reload only, which applies the "
                            "TasksMax %s; %s first.",
                            limit, ov->where, ov->advice);
        return 0;
}

int verb_fix(int argc, char *argv[]) {
        enum {
                ARG_TASKS_MAX = 0x100,
                ARG_RUNTIME,
                ARG_NO_RELOAD,
                ARG_NO_RESTART,
                ARG_DRY_RUN,
                ARG_UNDO,
                ARG_JSON
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "tasks-max", required_argument, NULL, ARG_TASKS_MAX },
                { "runtime", no_argument, NULL, ARG_RUNTIME },
                { "no-reload", no_argument, NULL, ARG_NO_RELOAD },
                { "no-restart", no_argument, NULL, ARG_NO_RESTART },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                { "undo", no_argument, NULL, ARG_UNDO },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        TsFixOptions o = { .limit = { .kind = TS_TASKS_LIMIT_INFINITY, .value = UINT64_MAX },
                           .reload = true,
                           .restart = true,
                           .timeout = 90 * USEC_PER_SEC };
        bool dry_run = false, undo = false, json = false;
        uint32_t seen = 0;
        int c, r;

        opterr = 0;
        while ((c = cli_getopt(argc, argv, "h", options, NULL, &seen)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_TASKS_MAX:
                        r = cli_parse_tasks_limit("--tasks-max", optarg, &o.limit);
                        if (r < 0)
                                return r;
                        break;
                case ARG_RUNTIME:
                        o.runtime = true;
                        break;
                case ARG_NO_RELOAD:
                        o.reload = false;
                        break;
                case ARG_NO_RESTART:
                        o.restart = false;
                        break;
                case ARG_DRY_RUN:
                        dry_run = true;
                        break;
                case ARG_UNDO:
                        undo = true;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case '?':
                        return log_option_error("fix", argv, options);
                default:
                        return -EINVAL;
                }
        if (c < -1)
                return c; /* logged: an option given twice */
        /* Combinations that would silently drop one of their options. (--undo --runtime is fine: it
         * undoes the --runtime fix, whose record is under /run.) */
        if (undo && cli_option_seen(options, ARG_TASKS_MAX, seen))
                return log_error_errno(-EINVAL, "--undo puts back the TasksMax the unit had before the "
                                                "first fix: --tasks-max contradicts it.");
        if (undo && !o.reload)
                return log_error_errno(-EINVAL, "--undo always reloads (systemd reads the restored drop-in "
                                                "only then): --no-reload contradicts it.");
        if (dry_run && json)
                return log_error_errno(-EINVAL, "--dry-run prints systemctl commands, not JSON: give one of "
                                                "them.");

        if (optind != argc - 1)
                return log_error_errno(-EINVAL,
                                       "'taskstorm fix' takes exactly one unit, e.g. docker.service.");
        const char *unit = argv[optind];
        if (!ts_unit_name_valid(unit)) {
                _cleanup_(freep) char *shown = log_escape(unit);
                return log_error_errno(-EINVAL,
                                       "'%s' is not a unit name (letters, digits and :_.\\@-, ending in "
                                       ".service, .scope, .slice, ...).",
                                       strempty(shown));
        }
        if (dry_run) {
                r = dry_run_warnings(unit, &o, undo);
                if (r != 0)
                        return r;
                ts_fix_print_commands(stdout, unit, &o, undo);
                return 0;
        }

        int status;
        r = cli_systemd_or_sandbox(&status);
        if (r != 0)
                return r < 0 ? r : status;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        r = ts_bus_open_systemd(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to systemd: %m");

        TsFixReport rep;
        r = undo ? ts_fix_undo(bus, unit, &o, &rep) : ts_fix_apply(bus, unit, &o, &rep);
        if (r == -ENOENT) {
                log_error("Unit %s not found.", unit);
                return TS_EXIT_NO_SUCH_UNIT;
        }
        if (r == -ENODATA)
                return log_error_errno(r, "Nothing to undo for %s: taskstorm has not fixed it%s.", unit,
                                       o.runtime ? " with --runtime" : "");
        if (r < 0)
                return log_error_errno(r, "Failed to %s %s: %m", undo ? "undo the fix of" : "fix", unit);

        if (json)
                (void)ts_json_write_and_put(stdout, ts_fix_report_to_json(unit, &rep, undo), TS_JSON_PRETTY);
        else
                ts_fix_report_print(stdout, unit, &rep, undo);
        return rep.verified ? 0 : TS_EXIT_FAILURE;
}
