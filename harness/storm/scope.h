/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Transient scopes with a task limit, created and stopped through sd-bus, waiting for each job's
 * JobRemoved (never a sleep). A scope adopts a PID as systemd's PID namespace numbers it. */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "sysinfo.h"
#include "tasks-limit.h"
#include "time-util.h"

/* The slice above every storm: its TasksMax is the guard (ts_host_capacity()'s available), so
 * that no storm, nor all of them together, can take the tasks the rest of the machine needs. */
#define TS_GUARD_SLICE "taskstorm.slice"

/* Starts scope `name` (must end in ".scope") holding pid, with TasksAccounting=yes and the limit,
 * in the guard slice, or with slice and slice_limit in `slice` ("taskstorm-x.slice", a child of
 * the guard slice) made in the same transaction with that limit. The guard slice is made too where
 * missing, and lowered where a taskstorm of earlier made it with more room than there is now; all
 * the slices stop by themselves once nothing runs in them. ret_guard (optional): the guard's
 * TasksMax. Returns 0 once the start job is "done". -ENOSPC: the host can give no task;
 * -ENOTUNIQ: a taskstorm.slice exists that taskstorm did not make. */
int ts_scope_start(sd_bus *bus, const char *name, pid_t pid, const TsTasksLimit *limit, const char *slice,
                   const TsTasksLimit *slice_limit, usec_t timeout, uint64_t *ret_guard);
/* Stops the unit (which kills every process in it) and waits for the stop job. */
int ts_unit_stop(sd_bus *bus, const char *name, usec_t timeout);

/* The pids probe's placer (sysinfo.h) through systemd: the probe's child goes into a transient
 * scope "taskstorm-probe-PID.scope" at TasksMax=limit in the guard slice, which is stopped after.
 * This is how the probe runs on cgroup v2, where no child cgroup of this process can get a
 * pids.max. bus must outlive the placer. */
typedef struct TsScopePlacer {
        sd_bus *bus;
        usec_t timeout;
        char name[64];
} TsScopePlacer;

void ts_scope_placer_init(TsScopePlacer *s, sd_bus *bus, usec_t timeout, TsPidsPlacer *ret);
/* ts_sysinfo_gather() for the verbs: where no child cgroup can get a pids.max (cgroup v2), the
 * pids probe runs in a transient scope through bus (NULL: systemd does not answer, not probed). */
int ts_scope_sysinfo_gather(sd_bus *bus, TsSysinfo *ret);
