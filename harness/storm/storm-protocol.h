/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the harness and a storm's leader share. The leader is its own small program (tstask, libc
 * only, linked statically: harness/task/), exec'd into the scope so that its forks copy none of the
 * harness's libraries; this header is all it knows of the harness, and uses nothing but libc.
 *
 *   tstask storm --kind KIND --stop-after N --hold-usec USEC --stats-fd FD --go-fd FD --done-fd FD
 *                [--filter-fd FD --notify-sock FD]
 *
 * stats-fd: a memfd of one TsStormStats, mapped shared by both. go-fd: the harness writes one go
 * message (below) when the leader is in its unit, and closes the pipe to end the hold. done-fd: the
 * leader writes one byte when the stats are complete. filter-fd: a seccomp BPF program (struct
 * sock_filter[]) to load before the storm; notify-sock: where to send its notification fd (not
 * given for a filter that needs no supervisor). */
#pragma once

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>

typedef uint64_t nsec_t; /* as time-util.h, which the leader does not need */

typedef enum TsStormKind {
        TS_STORM_FORK,   /* children that hold */
        TS_STORM_THREAD, /* pthreads that hold */
        TS_STORM_EXEC,   /* fork, then exec of /proc/self/exe (tstask) that holds, as runc and dockerd do */
        TS_STORM_MIXED,  /* threads and children, alternately, like a daemon with workers */
        _TS_STORM_KIND_MAX,
        _TS_STORM_KIND_INVALID = -EINVAL,
} TsStormKind;

const char *ts_storm_kind_to_string(TsStormKind k);
TsStormKind ts_storm_kind_from_string(const char *s);

/* The go message: the number of tasks to create besides the leader, and the pids.current file of
 * its cgroup ("-" when unknown), which it reads at the first failure. */
#define TS_STORM_GO_FORMAT "%" PRIu64 " %s\n"
/* One write of at most PIPE_BUF bytes, so that the leader reads it whole: a longer path goes as "-". */
#define TS_STORM_GO_MAX 4096

/* The word that makes tstask an exec storm's task: `tstask storm-task PARENT_PID`. */
#define TS_STORM_TASK_VERB "storm-task"

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
