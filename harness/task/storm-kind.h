/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The interface of one storm kind: create one more task, from inside the leader (tstask). Adding a
 * kind is one file (storm-<kind>.c), one line in the leader's table (task-storm.c) and one name
 * (harness/storm/storm-kind.c). */
#pragma once

#include <stdint.h>

typedef struct TsStormLeader {
        uint64_t attempt; /* 0 for the first task */
} TsStormLeader;

typedef struct TsStormKindOps {
        /* Creates one task that holds until it is killed; 0 or a negative errno (-EAGAIN at the limit). */
        int (*create)(TsStormLeader *l);
} TsStormKindOps;

extern const TsStormKindOps ts_storm_kind_fork, ts_storm_kind_thread, ts_storm_kind_exec,
        ts_storm_kind_mixed;

/* Shared by the kinds that fork, and by an exec storm's task: holds until killed, and dies with
 * the leader. */
_Noreturn void ts_storm_child_hold(void);
