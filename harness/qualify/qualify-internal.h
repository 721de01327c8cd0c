/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the checks share: transient forker services and slices, reading a unit back (bus and
 * cgroup), drop-in files, and filling a result. */
#pragma once

#include <stdbool.h>

#include "macro.h"
#include "pids.h"
#include "qualify.h"
#include "tasks-limit.h"
#include "unit.h"

/* "taskstorm-qualify-<check>-<pid>.<type>"; slices get underscores (a dash there means "child of"). */
void qualify_unit_name(const char *check, const char *type, char *buf, size_t size);

/* Starts a Type=notify service whose main process forks `tasks` children that hold, with the limit
 * (NULL: none set) and in slice (NULL: the default); returns once the forker said READY=1. */
int qualify_service_start(const TsQualifyContext *ctx, const char *name, uint64_t tasks,
                          const TsTasksLimit *limit, const char *slice);
/* The same forker as a unit file under /run/systemd/system (gone at reboot), loaded and started:
 * SetUnitProperties writes its drop-ins to system.control as systemctl(1) documents, where for a
 * transient unit they go to /run/systemd/transient. */
/* -EEXIST: systemd knows the name already (from any path): nothing was written. */
int qualify_service_install(const TsQualifyContext *ctx, const char *name, uint64_t tasks,
                            const TsTasksLimit *limit);
/* After qualify_service_install() failed with error: BROKEN with the reason, and what it made
 * removed again, unless the name was someone else's (-EEXIST), which is left as it is. */
void qualify_install_failed(const TsQualifyContext *ctx, const char *name, int error, TsQualifyResult *ret);
/* Stops it, removes its file and every drop-in SetUnitProperties wrote for it, and reloads. */
void qualify_service_uninstall(const TsQualifyContext *ctx, const char *name);
/* The TasksMax drop-in SetUnitProperties wrote under /run (runtime) or /etc system.control: its path
 * (50-TasksMax.conf, or 50-TasksMaxScale.conf for a percentage) and its TasksMax= line. -ENOENT when
 * there is none. */
int qualify_dropin(const char *unit, bool runtime, char *path, size_t path_size, char *line,
                   size_t line_size);

/* Starts a transient slice with the limit. */
int qualify_slice_start(const TsQualifyContext *ctx, const char *name, const TsTasksLimit *limit);
/* Stops the unit and forgets its failure, so nothing of the check is left; warnings only. */
void qualify_unit_stop(const TsQualifyContext *ctx, const char *name);

/* The unit's pids files as the cgroup has them now. */
int qualify_pids(const TsQualifyContext *ctx, const char *unit, TsPidsSample *ret);
/* A string property of a service (StatusText, ...); "" when it has none. */
int qualify_service_string(const TsQualifyContext *ctx, const char *unit, const char *property, char **ret);

/* The kernel's task limit as systemd computes it for percentages: the lowest of kernel.threads-max,
 * kernel.pid_max - 1 and 4194303 (its TASKS_MAX). */
int qualify_system_tasks_max(uint64_t *ret);

/* "64" or "max". */
const char *qualify_u64_text(uint64_t v, char *buf, size_t size);

void qualify_evidence(TsQualifyResult *r, const char *fmt, ...) _printf_(2, 3);
/* Sets the verdict (FAIL, SKIP, BROKEN) and its reason. */
void qualify_verdict(TsQualifyResult *r, TsVerdict v, const char *fmt, ...) _printf_(3, 4);
void qualify_pass(TsQualifyResult *r);
