/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Option values shared by several verbs, each with its one-line error (and -EINVAL) when bad. */
#pragma once

#include <stdint.h>

#include "tasks-limit.h"

/* A whole number from 1 to max. */
int cli_parse_count(const char *option, const char *value, uint64_t max, uint64_t *ret);
/* A task limit: N, P% or infinity. */
int cli_parse_tasks_limit(const char *option, const char *value, TsTasksLimit *ret);
