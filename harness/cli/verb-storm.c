/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm storm --kind K --tasks-max N [--tasks M] [--hold S]: one ad-hoc storm in a transient
 * scope, with a summary for people or --json. */
#include <getopt.h>
#include <limits.h>

#include "args.h"
#include "bus.h"
#include "exit-status.h"
#include "fileio.h"
#include "log.h"
#include "report-json.h"
#include "report-storm.h"
#include "signals.h"
#include "verbs.h"

static void help(void) {
        printf("Usage: taskstorm storm --kind KIND --tasks-max LIMIT [OPTIONS...]\n\n"
               "Run one storm in a transient scope with a task limit, and report what happened.\n\n"
               "  -h --help                 show this help\n"
               "     --kind KIND            fork, thread, exec or mixed\n"
               "     --tasks-max LIMIT      the scope's TasksMax: N, P%% or infinity\n"
               "     --slice-tasks-max LIM  run the scope in a transient slice with this TasksMax\n"
               "     --tasks N              tasks to try for (default: the limit + %d, or %d)\n"
               "     --max-tasks N          cap the storm honours whatever the limit (default %d)\n"
               "     --hold SPAN            hold the tasks this long, at most 10min (\"500ms\", \"2s\",\n"
               "                            \"1min 30s\"; default 0)\n"
               "     --stop-after-failures N  stop creating after N failures (default 1)\n"
               "     --json                 print the report as JSON\n",
               TS_STORM_DEFAULT_OVERSHOOT, TS_STORM_DEFAULT_TASKS, TS_STORM_DEFAULT_MAX_TASKS);
}

/* The binary that exec storms run in its holding mode. */
int cli_self_exe(char *buf, size_t size) {
        ssize_t n = readlink("/proc/self/exe", buf, size - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = 0;
        return 0;
}

int cli_run_storm_plan(const TsStormPlan *plan, TsStormReport *report, int *ret_signal) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        *report = (TsStormReport){}; /* the caller reads and frees it even when no storm ran */
        *ret_signal = 0;
        int r = ts_bus_open_systemd(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to systemd: %m");
        r = ts_storm_in_scope(bus, plan, report);
        *ret_signal = r == -ECANCELED ? cli_stop_signal_pending(plan->cancel_fd) : 0;
        return r;
}

int verb_storm(int argc, char *argv[]) {
        enum {
                ARG_KIND = 0x100,
                ARG_TASKS_MAX,
                ARG_SLICE_TASKS_MAX,
                ARG_TASKS,
                ARG_MAX_TASKS,
                ARG_HOLD,
                ARG_STOP_AFTER,
                ARG_JSON
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "kind", required_argument, NULL, ARG_KIND },
                { "tasks-max", required_argument, NULL, ARG_TASKS_MAX },
                { "slice-tasks-max", required_argument, NULL, ARG_SLICE_TASKS_MAX },
                { "tasks", required_argument, NULL, ARG_TASKS },
                { "max-tasks", required_argument, NULL, ARG_MAX_TASKS },
                { "hold", required_argument, NULL, ARG_HOLD },
                { "stop-after-failures", required_argument, NULL, ARG_STOP_AFTER },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        TsStormPlan plan = {
                .label = NULL,
                .storm = { .kind = _TS_STORM_KIND_INVALID, .stop_after_failures = 1 },
                .limit = { .kind = _TS_TASKS_LIMIT_KIND_INVALID },
                .max_tasks = TS_STORM_DEFAULT_MAX_TASKS,
                .job_timeout = 60 * USEC_PER_SEC,
        };
        bool json = false;
        uint64_t u = 0;
        int c, r;

        opterr = 0;
        uint32_t seen = 0;
        while ((c = cli_getopt(argc, argv, "h", options, NULL, &seen)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_KIND:
                        plan.storm.kind = ts_storm_kind_from_string(optarg);
                        if (plan.storm.kind < 0)
                                return log_error_errno(-EINVAL,
                                                       "--kind %s: not a storm kind (fork, thread, exec, "
                                                       "mixed).",
                                                       optarg);
                        break;
                case ARG_TASKS_MAX:
                        r = cli_parse_tasks_limit("--tasks-max", optarg, &plan.limit);
                        if (r < 0)
                                return r;
                        break;
                case ARG_SLICE_TASKS_MAX:
                        r = cli_parse_tasks_limit("--slice-tasks-max", optarg, &plan.slice_limit);
                        if (r < 0)
                                return r;
                        plan.has_slice_limit = true;
                        break;
                case ARG_TASKS:
                        r = cli_parse_count("--tasks", optarg, 1000000, &plan.tasks);
                        if (r < 0)
                                return r;
                        break;
                case ARG_MAX_TASKS:
                        r = cli_parse_count("--max-tasks", optarg, 1000000, &plan.max_tasks);
                        if (r < 0)
                                return r;
                        break;
                case ARG_HOLD:
                        if (ts_parse_timespan(optarg, 600 * USEC_PER_SEC, &plan.storm.hold) < 0)
                                return log_error_errno(-EINVAL,
                                                       "--hold %s: not a time span up to 10min "
                                                       "(\"500ms\", \"2s\", \"1min 30s\").",
                                                       optarg);
                        break;
                case ARG_STOP_AFTER:
                        r = cli_parse_count("--stop-after-failures", optarg, 1000000, &u);
                        if (r < 0)
                                return r;
                        plan.storm.stop_after_failures = (unsigned)u;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case '?':
                        return log_option_error("storm", argv, options);
                default:
                        return -EINVAL;
                }
        if (c < -1)
                return c; /* logged: an option given twice */

        if (optind < argc)
                return log_error_errno(-EINVAL, "'taskstorm storm' takes no arguments, got '%s'.",
                                       argv[optind]);
        if (plan.storm.kind < 0)
                return log_error_errno(-EINVAL, "--kind is required (fork, thread, exec, mixed).");
        if (plan.limit.kind < 0)
                return log_error_errno(-EINVAL, "--tasks-max is required (N, P%%, or infinity).");
        if (plan.tasks > plan.max_tasks)
                return log_error_errno(-EINVAL,
                                       "--tasks %" PRIu64 " is above the cap --max-tasks %" PRIu64 ".",
                                       plan.tasks, plan.max_tasks);
        /* The guard: never more tasks than the host can give (the default cap shrinks to fit). */
        if (plan.tasks && (r = cli_check_host_room("--tasks", plan.tasks)) < 0)
                return r;
        if (cli_option_seen(options, ARG_MAX_TASKS, seen) &&
            (r = cli_check_host_room("--max-tasks", plan.max_tasks)) < 0)
                return r;
        if (!cli_option_seen(options, ARG_MAX_TASKS, seen)) {
                uint64_t room = cli_host_room();
                if (room == 0)
                        return log_error_errno(
                                -ENOSPC, "This host has no task to spare for a storm: see 'taskstorm env'.");
                if (room < plan.max_tasks)
                        plan.max_tasks = room;
        }

        int status;
        r = cli_systemd_or_sandbox(&status);
        if (r != 0)
                return r < 0 ? r : status;

        char exe[PATH_MAX];
        r = cli_self_exe(exe, sizeof exe);
        if (r < 0)
                return log_error_errno(r, "Failed to find my own executable: %m");
        plan.storm.exec_path = exe;
        plan.label = ts_storm_kind_to_string(plan.storm.kind);

        _cleanup_(closep) int sigfd = cli_stop_signals_fd();
        if (sigfd < 0)
                return log_error_errno(sigfd, "Failed to set up signal handling: %m");
        plan.cancel_fd = sigfd;

        TsStormReport report;
        int sig;
        r = cli_run_storm_plan(&plan, &report, &sig);
        if (r == -ECANCELED) {
                log_info("Got %s: the storm's unit was stopped.", strsignal(sig));
                ts_storm_report_done(&report);
                return 128 + sig;
        }
        if (r < 0) {
                log_error_errno(r, "The storm failed in %s: %m", strempty(report.unit));
                ts_storm_report_done(&report);
                return TS_EXIT_BROKEN;
        }

        if (json)
                (void)ts_json_write_and_put(stdout, ts_storm_report_to_json(&report, &plan), TS_JSON_PRETTY);
        else
                ts_storm_report_print(stdout, &report, &plan, "");
        ts_storm_report_done(&report);
        return 0;
}
