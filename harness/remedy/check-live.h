/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The facts of a check, from the live system: systemd over sd-bus, the unit and each parent slice
 * (bus and cgroup), the other task limits, and the journal. */
#pragma once

#include <systemd/sd-bus.h>

#include "diagnosis.h"
#include "scan.h"
#include "time-util.h"

/* -ENOENT when systemd knows no such unit, -EINVAL for a name that is not a unit's. The journal
 * is read from `since` (CLOCK_REALTIME µs, 0: all of it). */
int ts_check_gather_live(sd_bus *bus, const char *unit, usec_t since, TsCheckFacts *ret);

/* At most this many of the units that log EAGAIN are asked about over the bus by ts_scan_gather_live();
 * the lines of any others count as they are. */
#define TS_SCAN_MAX_UNITS_ASKED 32

/* The cgroups of the pids hierarchy as this process sees it (ts_scan_cgroups() at its mount
 * point): no bus, no journal. -ENOMEDIUM without a pids controller. */
int ts_scan_gather_cgroups_live(TsScanFacts *ret);
/* The whole machine's facts: the cgroups, the journal's EAGAIN and kernel lines from `since`
 * (CLOCK_REALTIME µs; 0: each unit's current run, and the kernel's lines of this boot), the
 * prerequisites, and for the units that log EAGAIN their own facts (ts_check_gather_live). */
int ts_scan_gather_live(sd_bus *bus, usec_t since, TsScanFacts *ret);
