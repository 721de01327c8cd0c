/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A task limit as systemd takes it: a number, a percentage of the kernel's limit, or infinity;
 * parsed from text, and written into a D-Bus message as TasksMax or TasksMaxScale. */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

typedef enum TsTasksLimitKind {
        TS_TASKS_LIMIT_NUMBER,   /* TasksMax=N */
        TS_TASKS_LIMIT_PERCENT,  /* TasksMax=P%, sent as TasksMaxScale */
        TS_TASKS_LIMIT_INFINITY, /* TasksMax=infinity */
        _TS_TASKS_LIMIT_KIND_MAX,
        _TS_TASKS_LIMIT_KIND_INVALID = -EINVAL,
} TsTasksLimitKind;

typedef struct TsTasksLimit {
        TsTasksLimitKind kind;
        uint64_t value; /* NUMBER: tasks; PERCENT: hundredths of a percent (1550 = 15.5%) */
} TsTasksLimit;

/* Parses "512", "15%", "15.5%" or "infinity" as systemd does; 0 and out-of-range values are -ERANGE,
 * anything else -EINVAL. */
int ts_tasks_limit_parse(const char *s, TsTasksLimit *ret);

/* Appends the limit as one (sv) property: TasksMax (t) or TasksMaxScale (u). */
int ts_tasks_limit_append(sd_bus_message *m, const TsTasksLimit *limit);

/* As systemd writes it: "64", "15%", "15.50%", "infinity". */
void ts_tasks_limit_format(const TsTasksLimit *l, char *buf, size_t size);
/* A TasksMax as the bus gives it (UINT64_MAX: "infinity"). */
void ts_tasks_max_format(uint64_t tasks_max, char *buf, size_t size);
