/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm storm --kind K --tasks-max N [--tasks M] [--hold S]: one ad-hoc storm in a transient
 * scope, with a summary for people or --json. */
#include <limits.h>

#include "args.h"
#include "bus.h"
#include "exit-status.h"
#include "fileio.h"
#include "log.h"
#include "paths.h"
#include "report-json.h"
#include "report-storm.h"
#include "signals.h"
#include "verbs.h"

/* This executable: the qualify checks' forker services run it, and the build tree's paths are
 * found beside it. */
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

typedef struct StormArgs {
        VerbArgs common;
        TsStormPlan plan;
        bool max_tasks_given;
} StormArgs;

enum {
        ARG_KIND = VERB_OPTION_OWN,
        ARG_TASKS_MAX,
        ARG_SLICE_TASKS_MAX,
        ARG_TASKS,
        ARG_MAX_TASKS,
        ARG_HOLD,
        ARG_STOP_AFTER,
};

static const VerbOption options[] = {
        { .id = ARG_KIND, .name = "kind", .metavar = "KIND", .help = "fork, thread, exec or mixed" },
        { .id = ARG_TASKS_MAX,
          .name = "tasks-max",
          .metavar = "LIMIT",
          .help = "the scope's TasksMax: N, P% or infinity" },
        { .id = ARG_SLICE_TASKS_MAX,
          .name = "slice-tasks-max",
          .metavar = "LIM",
          .help = "run the scope in a transient slice with this TasksMax" },
        { .id = ARG_TASKS,
          .name = "tasks",
          .metavar = "N",
          .help = "tasks to try for (default: the limit + " STRINGIFY(
                  TS_STORM_DEFAULT_OVERSHOOT) ", or " STRINGIFY(TS_STORM_DEFAULT_TASKS) ")" },
        { .id = ARG_MAX_TASKS,
          .name = "max-tasks",
          .metavar = "N",
          .help = "cap the storm honours whatever the limit (default " STRINGIFY(
                  TS_STORM_DEFAULT_MAX_TASKS) ")" },
        { .id = ARG_HOLD,
          .name = "hold",
          .metavar = "SPAN",
          .help = "hold the tasks this long, at most 10min (\"500ms\", \"2s\",\n\"1min 30s\"; default 0)" },
        { .id = ARG_STOP_AFTER,
          .name = "stop-after-failures",
          .metavar = "N",
          .help = "stop creating after N failures (default 1)" },
        { .id = VERB_OPTION_JSON, .help = "print the report as JSON" },
        {},
};

static void storm_init(void *userdata) {
        StormArgs *a = userdata;
        a->plan = (TsStormPlan){
                .storm = { .kind = _TS_STORM_KIND_INVALID, .stop_after_failures = 1 },
                .limit = { .kind = _TS_TASKS_LIMIT_KIND_INVALID },
                .max_tasks = TS_STORM_DEFAULT_MAX_TASKS,
                .job_timeout = 60 * USEC_PER_SEC,
        };
}

static int storm_option(void *userdata, int id, const char *value) {
        StormArgs *a = userdata;
        TsStormPlan *plan = &a->plan;
        uint64_t u;
        int r;

        switch (id) {
        case ARG_KIND:
                plan->storm.kind = ts_storm_kind_from_string(value);
                if (plan->storm.kind < 0)
                        return log_error_errno(
                                -EINVAL, "--kind %s: not a storm kind (fork, thread, exec, mixed).", value);
                return 0;
        case ARG_TASKS_MAX:
                return cli_parse_tasks_limit("--tasks-max", value, &plan->limit);
        case ARG_SLICE_TASKS_MAX:
                plan->has_slice_limit = true;
                return cli_parse_tasks_limit("--slice-tasks-max", value, &plan->slice_limit);
        case ARG_TASKS:
                return cli_parse_count("--tasks", value, 1000000, &plan->tasks);
        case ARG_MAX_TASKS:
                a->max_tasks_given = true;
                return cli_parse_count("--max-tasks", value, 1000000, &plan->max_tasks);
        case ARG_HOLD:
                if (ts_parse_timespan(value, 600 * USEC_PER_SEC, &plan->storm.hold) < 0)
                        return log_error_errno(-EINVAL,
                                               "--hold %s: not a time span up to 10min "
                                               "(\"500ms\", \"2s\", \"1min 30s\").",
                                               value);
                return 0;
        case ARG_STOP_AFTER:
                r = cli_parse_count("--stop-after-failures", value, 1000000, &u);
                if (r < 0)
                        return r;
                plan->storm.stop_after_failures = (unsigned)u;
                return 0;
        default:
                return -EINVAL;
        }
}

static int storm_arguments(void *userdata, int argc, char *argv[]) {
        StormArgs *a = userdata;
        TsStormPlan *plan = &a->plan;
        int r;

        if (plan->storm.kind < 0)
                return log_error_errno(-EINVAL, "--kind is required (fork, thread, exec, mixed).");
        if (plan->limit.kind < 0)
                return log_error_errno(-EINVAL, "--tasks-max is required (N, P%%, or infinity).");
        if (plan->tasks > plan->max_tasks)
                return log_error_errno(-EINVAL,
                                       "--tasks %" PRIu64 " is above the cap --max-tasks %" PRIu64 ".",
                                       plan->tasks, plan->max_tasks);
        /* The guard: never more tasks than the host can give (the default cap shrinks to fit). */
        if (plan->tasks && (r = cli_check_host_room("--tasks", plan->tasks)) < 0)
                return r;
        if (a->max_tasks_given)
                return cli_check_host_room("--max-tasks", plan->max_tasks);
        uint64_t room = cli_host_room();
        if (room == 0)
                return log_error_errno(-ENOSPC,
                                       "This host has no task to spare for a storm: see 'taskstorm env'.");
        if (room < plan->max_tasks)
                plan->max_tasks = room;
        return 0;
}

static int storm_run(void *userdata) {
        StormArgs *a = userdata;
        TsStormPlan *plan = &a->plan;
        int status;
        int r = cli_systemd_or_sandbox(&status);
        if (r != 0)
                return r < 0 ? r : status;

        const CliPaths *paths;
        r = cli_paths(&paths);
        if (r < 0)
                return r;
        plan->storm.leader_path = paths->tstask;
        plan->label = ts_storm_kind_to_string(plan->storm.kind);

        _cleanup_(closep) int sigfd = cli_stop_signals_fd();
        if (sigfd < 0)
                return log_error_errno(sigfd, "Failed to set up signal handling: %m");
        plan->cancel_fd = sigfd;

        TsStormReport report;
        int sig;
        r = cli_run_storm_plan(plan, &report, &sig);
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

        if (a->common.format == FORMAT_JSON)
                (void)ts_json_write_and_put(stdout, ts_storm_report_to_json(&report, plan),
                                            a->common.json_style);
        else
                ts_storm_report_print(stdout, &report, plan, "");
        ts_storm_report_done(&report);
        return 0;
}

const Verb verb_storm = {
        .name = "storm",
        .summary = "run one fork, thread, exec or mixed storm in a transient scope with a task limit",
        .flags = VERB_NEEDS_ROOT | VERB_NEEDS_SYSTEMD | VERB_NO_ARGUMENTS,
        .root_why = "to make units through systemd's private bus and read their cgroups",
        .usage = "--kind KIND --tasks-max LIMIT [OPTIONS...]",
        .description = "Run one storm in a transient scope with a task limit, and report what happened.\n",
        .options = options,
        .args_size = sizeof(StormArgs),
        .init = storm_init,
        .option = storm_option,
        .arguments = storm_arguments,
        .run = storm_run,
};
