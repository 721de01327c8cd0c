/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm env: what this machine offers the harness (systemd, kernel and distro, cgroups and the
 * pids controller, task limits, seccomp), for people or as one JSON object. Never needs root: a fact
 * it cannot get is printed with the reason. */
#include "bus.h"
#include "log.h"
#include "report-env.h"
#include "report-json.h"
#include "scope.h"
#include "verbs.h"

typedef struct EnvArgs {
        VerbArgs common;
} EnvArgs;

static const VerbOption options[] = {
        { .id = VERB_OPTION_JSON, .help = "print one JSON object instead of text" },
        {},
};

static int env_run(void *userdata) {
        EnvArgs *a = userdata;
        _cleanup_(ts_sysinfo_done) TsSysinfo s = {};

        /* systemd, where it answers, gives the pids probe a scope on cgroup v2 (bus stays NULL
         * where it does not: sd-bus leaves it untouched on failure). */
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        (void)ts_bus_open_systemd(&bus);
        int r = ts_scope_sysinfo_gather(bus, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to gather system facts: %m");

        if (s.pids.probe.cleanup_error < 0)
                log_warning_errno(s.pids.probe.cleanup_error, "Failed to remove the probe cgroup %s: %m",
                                  strempty(s.pids.probe.cleanup_path));

        if (a->common.format == FORMAT_JSON) {
                json_object *root = ts_env_to_json(&s, cli_sandbox_verbs());
                return root ? ts_json_write_and_put(stdout, root, a->common.json_style) : -ENOMEM;
        }
        ts_env_print(stdout, &s, cli_sandbox_verbs(), arg_no_sandbox);
        return 0;
}

const Verb verb_env = {
        .name = "env",
        .summary = "show what this machine offers: systemd, cgroups, pids controller, limits, seccomp",
        .flags = VERB_NO_ARGUMENTS,
        .usage = "[--json]",
        .description =
                "Show what this machine offers the harness: PID 1 and systemd, kernel and distro, the\n"
                "cgroup layout and whether the pids controller really enforces a limit (probed when root\n"
                "with a short-lived child cgroup at pids.max=2, or on cgroup v2 a transient scope at\n"
                "TasksMax=2 in taskstorm.slice), the other limits that give the same EAGAIN, and\n"
                "seccomp user notification. Facts that cannot be read say why.\n",
        .options = options,
        .args_size = sizeof(EnvArgs),
        .run = env_run,
};
