/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm fix UNIT: the article's fix (set-property TasksMax=infinity, daemon-reload, restart)
 * through sd-bus, verified, each step timed; where a drop-in read after the fix's overrides it, the
 * file and line that win and what to do. --dry-run shows the systemctl commands, after warning of
 * the restart and of such a drop-in; --undo puts back what the unit had before the first fix;
 * --if-affected checks the unit first, in the same process and on the same connection, and fixes
 * it only where its own TasksMax refused its tasks. */
#include <inttypes.h>
#include <systemd/sd-daemon.h>

#include "args.h"
#include "bus.h"
#include "diagnosis.h"
#include "exit-status.h"
#include "fix.h"
#include "log.h"
#include "report-check.h"
#include "report-fix.h"
#include "report-json.h"
#include "scan.h"
#include "unit.h"
#include "verbs.h"

typedef struct FixArgs {
        VerbArgs common;
        TsFixOptions o;
        bool tasks_max_given, dry_run, undo, if_affected;
        const char *unit;
} FixArgs;

enum {
        ARG_TASKS_MAX = VERB_OPTION_OWN,
        ARG_RUNTIME,
        ARG_NO_RELOAD,
        ARG_NO_RESTART,
        ARG_DRY_RUN,
        ARG_UNDO,
        ARG_IF_AFFECTED,
};

static const VerbOption options[] = {
        { .id = ARG_TASKS_MAX,
          .name = "tasks-max",
          .metavar = "LIMIT",
          .help = "the new TasksMax: infinity (default), N or P%" },
        { .id = ARG_RUNTIME,
          .name = "runtime",
          .help = "change /run only (until reboot), as systemctl set-property --runtime" },
        { .id = ARG_NO_RELOAD,
          .name = "no-reload",
          .help = "skip the daemon-reload (TasksMax applies at once without it)" },
        { .id = ARG_NO_RESTART,
          .name = "no-restart",
          .help = "skip the restart (TasksMax applies to the running unit)" },
        { .id = ARG_DRY_RUN,
          .name = "dry-run",
          .help = "print the equivalent systemctl commands, change nothing; warn first\n"
                  "of the restart and of a drop-in that would override the new limit" },
        { .id = ARG_UNDO, .name = "undo", .help = "put back what the unit had before the first fix" },
        { .id = ARG_IF_AFFECTED,
          .name = "if-affected",
          .help = "check the unit first (as taskstorm check UNIT) and fix it only where its\n"
                  "own TasksMax refused its tasks; else change nothing, exit as check" },
        { .id = VERB_OPTION_JSON, .help = "print the result as JSON" },
        {},
};

static void print_epilogue(void) {
        printf("Exit status: 0 fixed and verified (or nothing to do), %d not verified (or nothing to undo),\n"
               "%d no such unit. --if-affected, where the check called for no fix: check's, 0 not-affected,\n"
               "%d affected by another limit than the unit's TasksMax, %d at-risk, %d not-applicable.\n",
               TS_EXIT_FAILURE, TS_EXIT_NO_SUCH_UNIT, TS_EXIT_AFFECTED, TS_EXIT_AT_RISK,
               TS_EXIT_NOT_APPLICABLE);
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

/* --if-affected: check's live diagnosis of the unit (its current run), then the fix where it calls
 * for one (ts_check_fix_applies()). The fix's exit status where it ran, else the check's. */
static int fix_if_affected(const FixArgs *a, sd_bus *bus) {
        _cleanup_(ts_scan_facts_done) TsScanFacts cgroups = {};
        _cleanup_(ts_check_facts_done) TsCheckFacts f = {};
        TsCheckResult res;
        bool walked = false;
        int r = cli_check_unit(bus, a->unit, 0, TS_CHECK_DEFAULT_THRESHOLD, &cgroups, &walked, &f, &res);
        if (r == -ENOENT) {
                log_error("Unit %s not found.", a->unit);
                return TS_EXIT_NO_SUCH_UNIT;
        }
        if (r < 0)
                return r; /* logged */

        TsFixReport rep;
        bool applies = ts_check_fix_applies(&res);
        if (applies) {
                r = ts_fix_apply(bus, a->unit, &a->o, &rep);
                if (r == -ENOENT) {
                        log_error("Unit %s not found.", a->unit);
                        return TS_EXIT_NO_SUCH_UNIT;
                }
                if (r < 0) {
                        if (a->common.format != FORMAT_JSON) /* what the check found, still */
                                ts_check_print(stdout, &f, &res);
                        return log_error_errno(r, "Failed to fix %s: %m", a->unit);
                }
        }
        if (a->common.format == FORMAT_JSON)
                (void)ts_json_write_and_put(stdout, ts_fix_checked_to_json(&f, &res, applies ? &rep : NULL),
                                            a->common.json_style);
        else
                ts_fix_checked_print(stdout, &f, &res, applies ? &rep : NULL);
        if (!applies)
                return cli_check_exit_status(&res);
        return rep.verified ? 0 : TS_EXIT_FAILURE;
}

static void fix_init(void *userdata) {
        FixArgs *a = userdata;
        a->o = (TsFixOptions){ .limit = { .kind = TS_TASKS_LIMIT_INFINITY, .value = UINT64_MAX },
                               .reload = true,
                               .restart = true,
                               .timeout = 90 * USEC_PER_SEC };
}

static int fix_option(void *userdata, int id, const char *value) {
        FixArgs *a = userdata;
        switch (id) {
        case ARG_TASKS_MAX:
                a->tasks_max_given = true;
                return cli_parse_tasks_limit("--tasks-max", value, &a->o.limit);
        case ARG_RUNTIME:
                a->o.runtime = true;
                return 0;
        case ARG_NO_RELOAD:
                a->o.reload = false;
                return 0;
        case ARG_NO_RESTART:
                a->o.restart = false;
                return 0;
        case ARG_DRY_RUN:
                a->dry_run = true;
                return 0;
        case ARG_UNDO:
                a->undo = true;
                return 0;
        case ARG_IF_AFFECTED:
                a->if_affected = true;
                return 0;
        default:
                return -EINVAL;
        }
}

static int fix_arguments(void *userdata, int argc, char *argv[]) {
        FixArgs *a = userdata;
        /* Combinations that would silently drop one of their options. (--undo --runtime is fine: it
         * undoes the --runtime fix, whose record is under /run.) */
        if (a->undo && a->tasks_max_given)
                return log_error_errno(-EINVAL, "--undo puts back the TasksMax the unit had before the "
                                                "first fix: --tasks-max contradicts it.");
        if (a->undo && !a->o.reload)
                return log_error_errno(-EINVAL, "--undo always reloads (systemd reads the restored drop-in "
                                                "only then): --no-reload contradicts it.");
        if (a->if_affected && a->undo)
                return log_error_errno(-EINVAL,
                                       "--if-affected fixes what the check finds: --undo contradicts "
                                       "it.");
        if (a->if_affected && a->dry_run)
                return log_error_errno(-EINVAL,
                                       "--dry-run changes nothing: --if-affected contradicts it "
                                       "('taskstorm check UNIT' says whether the unit is affected).");
        if (a->dry_run && a->common.format == FORMAT_JSON)
                return log_error_errno(-EINVAL, "--dry-run prints systemctl commands, not JSON: give one of "
                                                "them.");

        if (argc != 1)
                return log_error_errno(-EINVAL,
                                       "'taskstorm fix' takes exactly one unit, e.g. docker.service.");
        if (!ts_unit_name_valid(argv[0]))
                return cli_log_bad_unit_name(argv[0]);
        a->unit = argv[0];
        return 0;
}

static int fix_run(void *userdata) {
        FixArgs *a = userdata;
        const char *unit = a->unit;
        int r;

        if (a->dry_run) {
                r = dry_run_warnings(unit, &a->o, a->undo);
                if (r != 0)
                        return r;
                ts_fix_print_commands(stdout, unit, &a->o, a->undo);
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

        if (a->if_affected)
                return fix_if_affected(a, bus);

        TsFixReport rep;
        r = a->undo ? ts_fix_undo(bus, unit, &a->o, &rep) : ts_fix_apply(bus, unit, &a->o, &rep);
        if (r == -ENOENT) {
                log_error("Unit %s not found.", unit);
                return TS_EXIT_NO_SUCH_UNIT;
        }
        if (r == -ENODATA)
                return log_error_errno(r, "Nothing to undo for %s: taskstorm has not fixed it%s.", unit,
                                       a->o.runtime ? " with --runtime" : "");
        if (r < 0)
                return log_error_errno(r, "Failed to %s %s: %m", a->undo ? "undo the fix of" : "fix", unit);

        if (a->common.format == FORMAT_JSON)
                (void)ts_json_write_and_put(stdout, ts_fix_report_to_json(unit, &rep, a->undo),
                                            a->common.json_style);
        else
                ts_fix_report_print(stdout, unit, &rep, a->undo);
        return rep.verified ? 0 : TS_EXIT_FAILURE;
}

const Verb verb_fix = {
        .name = "fix",
        .summary =
                "lift a unit's task limit as the article does (set-property, daemon-reload, restart), verified",
        .flags = VERB_NEEDS_ROOT | VERB_NEEDS_SYSTEMD,
        .root_why = "to change the unit's properties and write its drop-in and undo record",
        .usage = "[OPTIONS...] UNIT",
        .description =
                "Lift the unit's task limit as the vendor article does, through sd-bus, and verify it.\n",
        .options = options,
        .print_epilogue = print_epilogue,
        .args_size = sizeof(FixArgs),
        .init = fix_init,
        .option = fix_option,
        .arguments = fix_arguments,
        .run = fix_run,
};
