/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Storms: a leader process, placed in a unit with a task limit, creates tasks of one kind (forked
 * children, threads, exec'd children, or a mix) until it has the number asked for or a creation
 * fails, holds them, and records what happened in memory its parent can read even if it dies.
 * One file per kind (storm-<kind>.c), one table (storm.c). */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "inject.h"
#include "time-util.h"

typedef enum TsStormKind {
        TS_STORM_FORK,   /* children that hold */
        TS_STORM_THREAD, /* pthreads that hold */
        TS_STORM_EXEC,   /* fork, then exec of /proc/self/exe in its holding mode, as runc and dockerd do */
        TS_STORM_MIXED,  /* threads and children, alternately, like a daemon with workers */
        _TS_STORM_KIND_MAX,
        _TS_STORM_KIND_INVALID = -EINVAL,
} TsStormKind;

const char *ts_storm_kind_to_string(TsStormKind k);
TsStormKind ts_storm_kind_from_string(const char *s);

/* The command-line word that makes the taskstorm binary a holding task of an exec storm. */
#define TS_STORM_HOLD_VERB "__storm-hold"
/* What an exec'd holder does: dies with its parent, waits to be killed. */
_Noreturn void ts_storm_hold(void);

/* What a storm did, written by its leader into memory shared with the harness, so that it can be
 * read while the storm runs and after the leader was killed. Times are CLOCK_MONOTONIC ns. */
#define TS_STORM_ERRNO_SLOTS 8
typedef struct TsStormStats {
        uint64_t target;  /* tasks the leader tries to create, besides itself */
        uint64_t created; /* tasks created (children or threads), besides the leader */
        uint64_t attempts;
        uint64_t failures;
        struct {
                int error; /* positive errno */
                uint64_t count;
        } by_errno[TS_STORM_ERRNO_SLOTS];
        int first_error;                       /* positive errno of the first failure, 0 if none */
        uint64_t tasks_at_first_failure;       /* tasks of the storm then: the leader plus those created */
        int64_t pids_current_at_first_failure; /* pids.current of the leader's cgroup then, -1 unknown */
        nsec_t start_ns;                       /* the leader was told to go */
        nsec_t first_failure_ns;               /* 0 if none */
        nsec_t creation_end_ns;                /* stopped creating: target reached or failures enough */
        nsec_t hold_end_ns;                    /* stopped holding; the tasks stay until the unit stops */
        int setup_error;                       /* the leader could not start its storm (negative errno) */
        int finished;                          /* the leader has filled everything above */
} TsStormStats;

typedef struct TsStormConfig {
        TsStormKind kind;
        unsigned stop_after_failures;  /* stop creating after this many failures (>= 1) */
        usec_t hold;                   /* hold the tasks this long after creating them */
        const char *exec_path;         /* exec storms: the taskstorm binary (its TS_STORM_HOLD_VERB mode) */
        const TsInjectOptions *inject; /* fail creations by seccomp too (the leader loads the filter);
                                        * NULL: no */
} TsStormConfig;

typedef struct TsStorm TsStorm;

/* Forks the storm's leader: its own process group, killed with this process, waiting for
 * ts_storm_go() (put it in its unit first). */
int ts_storm_spawn(const TsStormConfig *c, TsStorm **ret);
pid_t ts_storm_leader(const TsStorm *s);
int ts_storm_pidfd(const TsStorm *s);
/* Readable when the leader has finished creating and holding (its stats are complete). */
int ts_storm_done_fd(const TsStorm *s);
/* Starts the storm: create tasks (besides the leader) up to this number. */
int ts_storm_go(TsStorm *s, uint64_t tasks);
/* With injection that needs a supervisor: the notification fd to poll (-1 otherwise), and the
 * answer to one pending notification. */
int ts_storm_notify_fd(const TsStorm *s);
int ts_storm_answer(TsStorm *s);
const TsStormStats *ts_storm_stats(const TsStorm *s);
/* Kills the leader's process group (if the unit stop has not already), reaps it, frees. */
void ts_storm_free(TsStorm *s);
