/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exit statuses of the taskstorm command: one table, documented in the README and --help. */
#pragma once

typedef enum TsExitStatus {
        TS_EXIT_SUCCESS = 0,      /* done, or the verdict was good */
        TS_EXIT_FAILURE = 1,      /* the operation ran and failed */
        TS_EXIT_USAGE = 2,        /* bad command line: unknown verb or flag, missing or bad argument */
        TS_EXIT_BAD_INPUT = 3,    /* an input file is invalid or unreadable: a scenario, a --log bundle */
        TS_EXIT_NOPERM = 4,       /* needs root (or another privilege) it does not have */
        TS_EXIT_UNAVAILABLE = 5,  /* what it needs is not there: no systemd, no pids controller, busy */
        TS_EXIT_BROKEN = 6,       /* set-up failed: the sandbox did not boot, the bus broke */
        TS_EXIT_NO_SUCH_UNIT = 8, /* check, fix: systemd knows no such unit */
        /* check's verdicts; fix --if-affected's too where the check called for no fix */
        TS_EXIT_AFFECTED = 10,       /* a task limit was hit (fix --if-affected: not the unit's TasksMax) */
        TS_EXIT_AT_RISK = 11,        /* usage near the limit, or a limit too low for the unit's kind */
        TS_EXIT_NOT_APPLICABLE = 12, /* prerequisites unmet, or nothing about tasks to judge */
        TS_EXIT_SUSPECTED = 13, /* check --log: tasks could not be created; what refused them is not shown */
        TS_EXIT_CANNOT_EXEC = 126,
        TS_EXIT_NOT_FOUND = 127,
} TsExitStatus;

/* Maps a negative errno from a verb to an exit status through one table. */
TsExitStatus ts_exit_status_from_errno(int error);
void ts_exit_status_print_table(void);
