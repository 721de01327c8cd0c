/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Storms: a leader process, placed in a unit with a task limit, creates tasks of one kind (forked
 * children, threads, exec'd children, or a mix) until it has the number asked for or a creation
 * fails, holds them, and records what happened in memory its parent can read even if it dies.
 * The leader is tstask (harness/task/), exec'd by ts_storm_spawn(); this is its handle. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "inject.h"
#include "storm-protocol.h"
#include "time-util.h"

typedef struct TsStormConfig {
        TsStormKind kind;
        unsigned stop_after_failures;  /* stop creating after this many failures (>= 1) */
        usec_t hold;                   /* hold the tasks this long after creating them */
        const char *leader_path;       /* tstask, the leader's program (libexecdir/tstask) */
        const TsInjectOptions *inject; /* fail creations by seccomp too (the leader loads the filter);
                                        * NULL: no */
} TsStormConfig;

typedef struct TsStorm TsStorm;

/* Starts the storm's leader (execs leader_path): its own process group, killed with this process,
 * waiting for ts_storm_go() (put it in its unit first). -ENOENT, -EACCES: leader_path cannot be
 * executed. */
int ts_storm_spawn(const TsStormConfig *c, TsStorm **ret);
pid_t ts_storm_leader(const TsStorm *s);
int ts_storm_pidfd(const TsStorm *s);
/* Readable when the leader has finished creating and holding (its stats are complete). */
int ts_storm_done_fd(const TsStorm *s);
/* Starts the storm: create tasks (besides the leader) up to this number. pids_current: the
 * pids.current file of the leader's cgroup, which it reads at the first failure (NULL: unknown). */
int ts_storm_go(TsStorm *s, uint64_t tasks, const char *pids_current);
/* With injection that needs a supervisor: the notification fd to poll (-1 otherwise), and the
 * answer to one pending notification. */
int ts_storm_notify_fd(const TsStorm *s);
int ts_storm_answer(TsStorm *s);
const TsStormStats *ts_storm_stats(const TsStorm *s);
/* Kills the leader's process group (if the unit stop has not already), reaps it, frees. */
void ts_storm_free(TsStorm *s);
