/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tstask's storm mode: the leader of one storm, exec'd by the harness into its unit
 * (harness/storm/storm-protocol.h has the command line and what the two share). */
#pragma once

/* argv[0] is "storm". Returns an exit status; once the storm ran, it holds until killed. */
int ts_task_storm_main(int argc, char *argv[]);

/* Loads the seccomp BPF program read from filter_fd into this process (no_new_privs first) and,
 * when notify_sock >= 0, sends the filter's notification fd over it. 0 or a negative errno. */
int ts_task_load_filter(int filter_fd, int notify_sock);
