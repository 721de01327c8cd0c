/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Option values shared by several verbs, each with its one-line error (and -EINVAL) when bad. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "tasks-limit.h"

/* A whole number from 1 to max. */
int cli_parse_count(const char *option, const char *value, uint64_t max, uint64_t *ret);
/* A task limit: N, P% or infinity. */
int cli_parse_tasks_limit(const char *option, const char *value, TsTasksLimit *ret);
/* The one-line error for a UNIT argument that is not a unit name; returns -EINVAL. */
int cli_log_bad_unit_name(const char *name);
/* A number of tasks asked for with option: refused (one line naming the host's numbers, -EINVAL)
 * when it is more than the guard lets storms take here (ts_host_capacity()). */
int cli_check_host_room(const char *option, uint64_t asked);
/* What storms may take here (the guard), or 0 when it cannot be read. */
uint64_t cli_host_room(void);

struct option;
/* getopt_long() that also refuses an option given twice whose second value would silently replace
 * the first: logs "--log given twice." and returns -EINVAL, which ends a `>= 0` loop as -1 does.
 * Flags may repeat, and so may the options whose val is in repeatable (0-terminated; NULL for
 * none). *seen (0 at first) gets a bit per entry of options, which has at most 32. */
int cli_getopt(int argc, char *argv[], const char *shortopts, const struct option *options,
               const int *repeatable, uint32_t *seen);
