/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm env: what this machine offers the harness (systemd, kernel and distro, cgroups and the
 * pids controller, task limits, seccomp), for people or as one JSON object. Never needs root: a fact
 * it cannot get is printed with the reason. */
#include <getopt.h>

#include "bus.h"
#include "log.h"
#include "report-env.h"
#include "report-json.h"
#include "scope.h"
#include "verbs.h"

static bool arg_json = false;

static void help(void) {
        printf("Usage: taskstorm env [--json]\n\n"
               "Show what this machine offers the harness: PID 1 and systemd, kernel and distro, the\n"
               "cgroup layout and whether the pids controller really enforces a limit (probed when root\n"
               "with a short-lived child cgroup at pids.max=2, or on cgroup v2 a transient scope at\n"
               "TasksMax=2 in taskstorm.slice), the other limits that give the same EAGAIN, and\n"
               "seccomp user notification. Facts that cannot be read say why.\n\n"
               "Options:\n"
               "  -h --help   show this help\n"
               "     --json   print one JSON object instead of text\n");
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100 };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case '?':
                        return log_option_error("env", argv, options);
                default:
                        return -EINVAL;
                }

        if (optind < argc)
                return log_error_errno(-EINVAL, "'taskstorm env' takes no arguments, got '%s'.",
                                       argv[optind]);
        return 1;
}

int verb_env(int argc, char *argv[]) {
        _cleanup_(ts_sysinfo_done) TsSysinfo s = {};

        int r = parse_argv(argc, argv);
        if (r <= 0)
                return r;

        /* systemd, where it answers, gives the pids probe a scope on cgroup v2 (bus stays NULL
         * where it does not: sd-bus leaves it untouched on failure). */
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        (void)ts_bus_open_systemd(&bus);
        r = ts_scope_sysinfo_gather(bus, &s);
        if (r < 0)
                return log_error_errno(r, "Failed to gather system facts: %m");

        if (s.pids.probe.cleanup_error < 0)
                log_warning_errno(s.pids.probe.cleanup_error, "Failed to remove the probe cgroup %s: %m",
                                  strempty(s.pids.probe.cleanup_path));

        if (arg_json) {
                json_object *root = ts_env_to_json(&s, cli_sandbox_verbs());
                return root ? ts_json_write_and_put(stdout, root, TS_JSON_PRETTY) : -ENOMEM;
        }
        ts_env_print(stdout, &s, cli_sandbox_verbs(), arg_no_sandbox);
        return 0;
}
