/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The facts of a check, from the live system: systemd over sd-bus, the unit and each parent slice
 * (bus and cgroup), the other task limits, and the journal. */
#pragma once

#include <systemd/sd-bus.h>

#include "diagnosis.h"
#include "time-util.h"

/* -ENOENT when systemd knows no such unit, -EINVAL for a name that is not a unit's. The journal
 * is read from `since` (CLOCK_REALTIME µs, 0: all of it). */
int ts_check_gather_live(sd_bus *bus, const char *unit, usec_t since, TsCheckFacts *ret);
