/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Forked children that report a failure before they exec (or exit) through a close-on-exec pipe:
 * the parent reads nothing when the exec happened, and the child's negative errno when not. */
#pragma once

#include <sys/types.h>

#include "time-util.h"

/* Returns the PID in the parent and 0 in the child, each with its end of the pipe in *ret_fd;
 * a negative errno when the fork failed. */
pid_t ts_fork_reporting(int *ret_fd);
/* In the child: sends error (a negative errno) to the parent and exits with status. */
_Noreturn void ts_child_report(int fd, int error, int status);
/* In the parent: the child's report (0 if it exec'd or exited without one); closes fd. */
int ts_child_collect(int fd);

/* In a child: no signal blocked, every disposition default (the parent may block signals to take
 * them from a signalfd, and that mask would survive exec). */
void ts_reset_signals(void);

/* Starts argv (searched on PATH) with stdin from /dev/null and stdout and stderr into one pipe, in a
 * process group of its own, killed when this process dies. Returns its PID and the pipe's read end
 * (close-on-exec); -errno when it could not be executed. */
int ts_spawn_piped(char *const argv[], pid_t *ret_pid, int *ret_fd);
/* Reads what a piped child writes until it closes the pipe or timeout passes (then kills it), and
 * reaps it. Returns its exit status (128+N when a signal N ended it), with up to size-1 bytes of
 * its output in output (may be NULL). -ETIMEDOUT when it was killed for the time. */
int ts_piped_finish(pid_t pid, int fd, usec_t timeout, char *output, size_t size);
/* Both: runs argv to its end. */
int ts_run_command(char *const argv[], usec_t timeout, char *output, size_t size);
