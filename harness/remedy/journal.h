/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Journal evidence with sd-journal: the unit's own messages and the kernel's, matched against the
 * pattern table. */
#pragma once

#include "diagnosis.h"
#include "scan.h"
#include "time-util.h"

/* Scans the local journal from `since` (CLOCK_REALTIME µs; 0: the unit's current run, by its
 * invocation ID, or everything there is without one) for lines of f->unit and of the kernel, counting each
 * pattern with its first and last time and a few samples in f->hits. A kernel "fork rejected by pids
 * controller in P" line sets f->kernel_for_unit when P ends with the unit's control group (in a sandbox the
 * kernel shows the host's longer path), f->kernel_slice when P ends with one of its slices', or
 * f->kernel_below_unit when P is below the unit's (ts_journal_kernel_about). */
int ts_journal_scan(usec_t since, TsCheckFacts *f);

/* What a kernel line's cgroup path (len bytes, not NUL-terminated) is to the unit of f, by
 * f->control_group: TS_KERNEL_ABOUT_UNIT, TS_KERNEL_ABOUT_BELOW (a cgroup inside the unit's: a
 * container's scope, a slice's unit), the index in f->slices of the slice it names (>= 0), or
 * TS_KERNEL_ABOUT_NONE. Paths match by their end, as a sandbox's kernel shows the host's longer
 * path; "below" by a whole component, so /machine.slice-x/... is not below /machine.slice. */
/* Whether the cgroup path (len bytes) is below the cgroup cg ("/machine.slice"), which it may follow a
 * host's prefix: "[/prefix]/machine.slice/libpod-1.scope". By whole components; cg "/" never. */
bool ts_kernel_path_below(const char *path, size_t len, const char *cg);
enum { TS_KERNEL_ABOUT_NONE = -1, TS_KERNEL_ABOUT_UNIT = -2, TS_KERNEL_ABOUT_BELOW = -3 };
int ts_journal_kernel_about(const TsCheckFacts *f, const char *path, size_t len);
/* Scans every unit's lines and the kernel's, from `since` (CLOCK_REALTIME µs; 0: this boot), into
 * f (ts_scan_add_line): each unit's EAGAIN lines, kept apart by run (invocation) where since is 0,
 * and the kernel's "fork rejected" lines. */
int ts_journal_scan_machine(usec_t since, TsScanFacts *f);
