/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Forked children that report a failure before they exec (or exit) through a close-on-exec pipe:
 * the parent reads nothing when the exec happened, and the child's negative errno when not. */
#pragma once

#include <sys/types.h>

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
