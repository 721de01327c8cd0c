/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm fix UNIT: the article's fix (set-property TasksMax=infinity, daemon-reload, restart)
 * through sd-bus, verified, each step timed; --dry-run shows the systemctl commands; --undo puts
 * back what the unit had before the first fix. */
#include <getopt.h>
#include <inttypes.h>

#include "args.h"
#include "bus.h"
#include "exit-status.h"
#include "fix.h"
#include "log.h"
#include "output.h"
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
               "     --dry-run         print the equivalent systemctl commands, change nothing\n"
               "     --undo            put back what the unit had before the first fix\n"
               "     --json            print the result as JSON\n");
}

static void format_u64(uint64_t v, char *buf, size_t size) {
        if (v == UINT64_MAX)
                snprintf(buf, size, "infinity");
        else
                snprintf(buf, size, "%" PRIu64, v);
}

static void print_dry_run(const char *unit, const TsFixOptions *o, bool undo) {
        char limit[32];
        ts_tasks_limit_format(&o->limit, limit, sizeof limit);
        char dropin[512];
        (void)ts_fix_dropin_path(unit, o->runtime, dropin, sizeof dropin);
        if (undo)
                printf("# put back the drop-in %s as it was before the first fix\n", dropin);
        else
                printf("systemctl set-property%s %s TasksMax=%s\n", o->runtime ? " --runtime" : "", unit, limit);
        if (o->reload || undo)
                printf("systemctl daemon-reload\n");
        if (o->restart)
                printf("systemctl restart %s\n", unit);
}

static void print_text(const char *unit, const TsFixReport *rep, bool undo) {
        char before[32], after[32], pids[32];
        format_u64(rep->tasks_max_before, before, sizeof before);
        format_u64(rep->tasks_max_after, after, sizeof after);
        format_u64(rep->pids_max_after, pids, sizeof pids);
        if (!rep->changed)
                printf("%s: TasksMax is %s already: nothing to do (no reload, no restart)\n", unit, before);
        else
                printf("%s: TasksMax %s -> %s%s\n", unit, before, after, undo ? " (undone)" : "");
        for (TsFixStep s = 0; s < _TS_FIX_STEP_MAX; s++)
                if (rep->steps[s].done)
                        printf("  %-13s %8.1f ms\n", ts_fix_step_to_string(s), (double)rep->steps[s].duration / 1e6);
        printf("  %s: bus TasksMax=%s, cgroup pids.max=%s%s%s\n", rep->verified ? "verified" : "NOT VERIFIED", after,
               rep->pids_max_after == UINT64_MAX ? "max" : pids, rep->verified ? "" : ": ", rep->verify_why);
        if (rep->changed)
                printf("  drop-in: %s\n", rep->dropin);
}

static const char *step_name(size_t i) {
        return ts_fix_step_to_string((TsFixStep)i);
}

static json_object *to_json(const char *unit, const TsFixReport *rep, bool undo) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "unit", json_object_new_string(unit));
        json_object_object_add(o, "undo", json_object_new_boolean(undo));
        json_object_object_add(o, "changed", json_object_new_boolean(rep->changed));
        json_object_object_add(o, "tasks_max_before", json_u64_or_max(rep->tasks_max_before));
        json_object_object_add(o, "tasks_max_after", json_u64_or_max(rep->tasks_max_after));
        json_object_object_add(o, "pids_max_after", json_u64_or_max(rep->pids_max_after));
        json_object_object_add(o, "restarted", json_object_new_boolean(rep->restarted));
        json_object_object_add(o, "verified", json_object_new_boolean(rep->verified));
        json_object_object_add(o, "verify_why", rep->verify_why[0] ? json_object_new_string(rep->verify_why) : NULL);
        json_object_object_add(o, "dropin", json_object_new_string(rep->dropin));
        json_object_object_add(o, "steps", json_timings(rep->steps, _TS_FIX_STEP_MAX, step_name));
        return o;
}

int verb_fix(int argc, char *argv[]) {
        enum { ARG_TASKS_MAX = 0x100, ARG_RUNTIME, ARG_NO_RELOAD, ARG_NO_RESTART, ARG_DRY_RUN, ARG_UNDO, ARG_JSON };
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
                return log_error_errno(-EINVAL, "'taskstorm fix' takes exactly one unit, e.g. docker.service.");
        const char *unit = argv[optind];
        if (!ts_unit_name_valid(unit)) {
                _cleanup_(freep) char *shown = log_escape(unit);
                return log_error_errno(-EINVAL, "'%s' is not a unit name (letters, digits and :_.\\@-, ending in "
                                                ".service, .scope, .slice, ...).", strempty(shown));
        }
        if (dry_run) {
                print_dry_run(unit, &o, undo);
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
                (void)json_print_and_put(to_json(unit, &rep, undo));
        else
                print_text(unit, &rep, undo);
        return rep.verified ? 0 : TS_EXIT_FAILURE;
}
