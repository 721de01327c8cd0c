/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Task limits: parsing as systemd does, and their form on the bus. */
#include <inttypes.h>
#include <stdio.h>

#include "fileio.h"
#include "macro.h"
#include "tasks-limit.h"

int ts_tasks_limit_parse(const char *s, TsTasksLimit *ret) {
        if (!s || !*s)
                return -EINVAL;
        if (streq(s, "infinity")) {
                *ret = (TsTasksLimit){ .kind = TS_TASKS_LIMIT_INFINITY, .value = UINT64_MAX };
                return 0;
        }

        size_t n = strlen(s);
        if (s[n - 1] == '%') {
                /* Up to two decimals, as systemd's parse_permyriad() accepts. */
                char buf[32];
                if (n - 1 >= sizeof buf)
                        return -ERANGE;
                memcpy(buf, s, n - 1);
                buf[n - 1] = 0;
                char *dot = strchr(buf, '.');
                uint64_t whole, frac = 0;
                if (dot) {
                        *dot = 0;
                        size_t digits = strlen(dot + 1);
                        if (digits == 0 || digits > 2 || ts_safe_atou64(dot + 1, &frac) < 0)
                                return -EINVAL;
                        if (digits == 1)
                                frac *= 10;
                }
                int r = ts_safe_atou64(buf, &whole);
                if (r < 0)
                        return r;
                uint64_t v = whole * 100 + frac;
                if (whole > 100 || v > 10000 || v == 0)
                        return -ERANGE;
                *ret = (TsTasksLimit){ .kind = TS_TASKS_LIMIT_PERCENT, .value = v };
                return 0;
        }

        uint64_t v;
        int r = ts_safe_atou64(s, &v);
        if (r < 0)
                return r;
        if (v == 0 || v == UINT64_MAX)
                return -ERANGE;
        *ret = (TsTasksLimit){ .kind = TS_TASKS_LIMIT_NUMBER, .value = v };
        return 0;
}

int ts_tasks_limit_append(sd_bus_message *m, const TsTasksLimit *limit) {
        switch (limit->kind) {
        case TS_TASKS_LIMIT_NUMBER:
                return sd_bus_message_append(m, "(sv)", "TasksMax", "t", limit->value);
        case TS_TASKS_LIMIT_INFINITY:
                return sd_bus_message_append(m, "(sv)", "TasksMax", "t", UINT64_MAX);
        case TS_TASKS_LIMIT_PERCENT:
                /* A fraction of UINT32_MAX, rounded as systemd's UINT32_SCALE_FROM_PERMYRIAD does. */
                return sd_bus_message_append(
                        m, "(sv)", "TasksMaxScale", "u",
                        (uint32_t)(((uint64_t)UINT32_MAX * limit->value + 5000) / 10000));
        default:
                return -EINVAL;
        }
}

void ts_tasks_limit_format(const TsTasksLimit *l, char *buf, size_t size) {
        switch (l->kind) {
        case TS_TASKS_LIMIT_INFINITY:
                snprintf(buf, size, "infinity");
                break;
        case TS_TASKS_LIMIT_PERCENT:
                if (l->value % 100 == 0)
                        snprintf(buf, size, "%" PRIu64 "%%", l->value / 100);
                else
                        snprintf(buf, size, "%" PRIu64 ".%02" PRIu64 "%%", l->value / 100, l->value % 100);
                break;
        default:
                snprintf(buf, size, "%" PRIu64, l->value);
        }
}

void ts_tasks_max_format(uint64_t tasks_max, char *buf, size_t size) {
        TsTasksLimit l = { tasks_max == UINT64_MAX ? TS_TASKS_LIMIT_INFINITY : TS_TASKS_LIMIT_NUMBER,
                           tasks_max };
        ts_tasks_limit_format(&l, buf, size);
}
