/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Errors become exit statuses here and nowhere else. */
#include "exit-status.h"
#include "macro.h"

static const struct {
        TsExitStatus status;
        const char *meaning;
} exit_statuses[] = {
        { TS_EXIT_SUCCESS, "success" },
        { TS_EXIT_FAILURE, "the operation ran and failed (run: a scenario FAILed)" },
        { TS_EXIT_USAGE, "bad command line (unknown verb or flag, missing or bad argument)" },
        { TS_EXIT_BAD_INPUT,
          "an input file is invalid or unreadable (a scenario: nothing ran; a --log bundle)" },
        { TS_EXIT_NOPERM, "needs root" },
        { TS_EXIT_UNAVAILABLE, "what it needs is missing or busy (systemd, pids controller, sandbox lock)" },
        { TS_EXIT_BROKEN,
          "set-up failed (sandbox did not boot, D-Bus connection lost; run: a scenario is BROKEN)" },
        { TS_EXIT_NO_SUCH_UNIT, "check, fix: no such unit" },
        { TS_EXIT_AFFECTED,
          "check: affected (a task limit was hit); fix --if-affected: by another limit than the unit's "
          "TasksMax, not fixed" },
        { TS_EXIT_AT_RISK,
          "check: at-risk (usage near the limit, or a limit too low for the unit's kind); fix "
          "--if-affected: not fixed" },
        { TS_EXIT_NOT_APPLICABLE,
          "check: not-applicable (the article's prerequisites are unmet, or a log says "
          "nothing about tasks); fix --if-affected: not fixed" },
        { TS_EXIT_SUSPECTED,
          "check: suspected (a log shows tasks refused, not what refused them: the likely "
          "causes and the commands that decide)" },
        { TS_EXIT_CANNOT_EXEC, "sandbox: the command could not be executed" },
        { TS_EXIT_NOT_FOUND, "sandbox: the command was not found" },
};

static const struct {
        int error;
        TsExitStatus status;
} errno_map[] = {
        { EINVAL, TS_EXIT_USAGE },        { EPERM, TS_EXIT_NOPERM },
        { EACCES, TS_EXIT_NOPERM },       { ENOMEDIUM, TS_EXIT_UNAVAILABLE },
        { EBUSY, TS_EXIT_UNAVAILABLE },   { EHOSTDOWN, TS_EXIT_UNAVAILABLE },
        { ENOPKG, TS_EXIT_UNAVAILABLE },  { ENOTEMPTY, TS_EXIT_UNAVAILABLE },
        { ECHILD, TS_EXIT_BROKEN },       { ETIMEDOUT, TS_EXIT_BROKEN },
        { ECONNRESET, TS_EXIT_BROKEN },   { ENOTCONN, TS_EXIT_BROKEN },
        { ENOEXEC, TS_EXIT_CANNOT_EXEC },
};

TsExitStatus ts_exit_status_from_errno(int error) {
        if (error >= 0)
                return TS_EXIT_SUCCESS;
        for (size_t i = 0; i < ELEMENTSOF(errno_map); i++)
                if (errno_map[i].error == -error)
                        return errno_map[i].status;
        return TS_EXIT_FAILURE;
}

void ts_exit_status_print_table(void) {
        printf("Exit status:\n");
        for (size_t i = 0; i < ELEMENTSOF(exit_statuses); i++)
                printf("  %3d  %s\n", exit_statuses[i].status, exit_statuses[i].meaning);
}
