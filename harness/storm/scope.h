/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Transient scopes with a task limit, created and stopped through sd-bus, waiting for each job's
 * JobRemoved (never a sleep). A scope adopts a PID as systemd's PID namespace numbers it. */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "tasks-limit.h"
#include "time-util.h"

/* Starts scope `name` (must end in ".scope") holding pid, with TasksAccounting=yes and the limit,
 * in `slice` when not NULL. With slice_limit, the slice is created in the same transaction as a
 * transient slice with that limit (and its parent "a.slice" of "a-b.slice", where missing); both
 * stop by themselves once nothing runs in them. Returns 0 once the start job is "done". */
int ts_scope_start(sd_bus *bus, const char *name, pid_t pid, const TsTasksLimit *limit, const char *slice,
                   const TsTasksLimit *slice_limit, usec_t timeout);
/* Stops the unit (which kills every process in it) and waits for the stop job. */
int ts_unit_stop(sd_bus *bus, const char *name, usec_t timeout);

