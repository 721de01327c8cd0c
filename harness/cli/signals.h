/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The signals that stop taskstorm (SIGINT, SIGTERM, SIGHUP), taken as events from a signalfd so
 * that each verb can clean up (stop its unit, tear down its sandbox) before exiting 128+signal. */
#pragma once

/* Blocks the stop signals and returns a signalfd for them (or a negative errno). */
int cli_stop_signals_fd(void);
/* The signal waiting on fd, or 0 if none has arrived. */
int cli_stop_signal_pending(int fd);
