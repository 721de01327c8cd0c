/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The embedded default: a verb that needs systemd, started where PID 1 is not systemd, runs the
 * same command line again inside a private sandbox (one line on stderr says so). */
#include <limits.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "sandbox.h"
#include "verbs.h"

#define IN_SANDBOX_ENV "TASKSTORM_IN_SANDBOX"

char **cli_sandbox_binds = NULL;

/* A bind needs its directory to exist. The verb checked each (report_dir_check()) but made none, so
 * that bad input changes nothing: they are made here, once nothing can refuse the command. */
static int make_binds(bool *made) {
        for (size_t i = 0; cli_sandbox_binds && cli_sandbox_binds[i]; i++) {
                if (mkdir(cli_sandbox_binds[i], 0755) >= 0)
                        made[i] = true;
                else if (errno != EEXIST)
                        return log_error_errno(negative_errno(), "Failed to make %s: %m",
                                               cli_sandbox_binds[i]);
        }
        return 0;
}

/* A directory made for the sandbox and left empty (it did not boot, or wrote nothing) goes again. */
static void remove_empty_binds(const bool *made, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (made[i])
                        (void)rmdir(cli_sandbox_binds[i]);
}

int cli_systemd_or_sandbox(int *ret_status) {
        if (sd_booted() > 0)
                return 0;
        if (getenv(IN_SANDBOX_ENV))
                return log_error_errno(-EHOSTDOWN,
                                       "Inside the sandbox, yet systemd is not visible as PID 1.");
        if (arg_no_sandbox)
                return log_error_errno(-EHOSTDOWN,
                                       "PID 1 is not systemd and --no-sandbox was given: "
                                       "run on a host booted with systemd, or drop --no-sandbox.");
        if (geteuid() != 0)
                return log_error_errno(-EPERM, "PID 1 is not systemd: a private sandbox is needed, and "
                                               "booting one needs root.");

        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n < 0)
                return log_error_errno(negative_errno(), "Failed to find my own executable: %m");
        exe[n] = 0;

        _cleanup_(freep) char **cmd = calloc((size_t)saved_argc + 1, sizeof(char *));
        if (!cmd)
                return log_error_errno(-ENOMEM, "Out of memory.");
        ANALYZER_OWNED_BY_CLEANUP(cmd);
        cmd[0] = exe;
        for (int i = 1; i < saved_argc; i++)
                cmd[i] = saved_argv[i];
        if (setenv(IN_SANDBOX_ENV, "1", 1) < 0)
                return log_error_errno(negative_errno(), "Failed to set %s: %m", IN_SANDBOX_ENV);

        size_t n_binds = 0;
        while (cli_sandbox_binds && cli_sandbox_binds[n_binds])
                n_binds++;
        _cleanup_(freep) bool *made = calloc(n_binds + 1, sizeof(bool));
        if (!made)
                return log_error_errno(-ENOMEM, "Out of memory.");
        ANALYZER_OWNED_BY_CLEANUP(made);
        int r = make_binds(made);
        if (r < 0) {
                remove_empty_binds(made, n_binds);
                return r;
        }

        log_info("PID 1 is not systemd: running in a private sandbox (--no-sandbox to refuse).");
        TsSandboxOptions o = { .bind_cwd = true,
                               .binds = cli_sandbox_binds,
                               .boot_timeout = 60 * USEC_PER_SEC };
        r = ts_cli_sandbox_run(&o, cmd);
        remove_empty_binds(made, n_binds);
        if (r < 0)
                return r;
        *ret_status = r;
        return 1;
}
