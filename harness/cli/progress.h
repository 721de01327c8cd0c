/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A progress line on stderr while a run works (scenario k of n, its phase, the tasks in its unit),
 * redrawn ten times a second by a thread, and only when stderr is a terminal. */
#pragma once

#include <stddef.h>

#include "sampler.h"

typedef struct Progress Progress;

/* NULL, and nothing shown ever, when stderr is not a terminal. shared: what the harness updates. */
Progress *progress_start(TsProgress *shared);
/* Scenario k (from 1) of n begins. */
void progress_scenario(Progress *p, size_t k, size_t n, const char *name);
/* Clears the line and keeps it clear until the next scenario: call before printing a result. */
void progress_pause(Progress *p);
void progress_stop(Progress *p);
