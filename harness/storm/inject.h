/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Syscall-level fault injection with libseccomp: a command runs under a filter that sends its task
 * creations (clone, fork, vfork; clone3 gets ENOSYS so glibc falls back to clone, whose flags can be
 * seen) to a supervisor, which fails exactly the ones the policy picks. Where the policy fails every
 * matching call, or none, the filter does it alone (ts_inject_plan()). */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum TsInjectWhen {
        TS_INJECT_NTH,         /* only the Nth matching call (1-based) */
        TS_INJECT_AFTER,       /* every call after the Nth */
        TS_INJECT_EVERY,       /* every Kth call */
        TS_INJECT_PROBABILITY, /* each call with probability P, from a seeded generator (reproducible) */
        TS_INJECT_ALWAYS,      /* every call: a pure filter, no supervisor */
        _TS_INJECT_WHEN_MAX,
        _TS_INJECT_WHEN_INVALID = -EINVAL,
} TsInjectWhen;

typedef enum TsInjectWhat {
        TS_INJECT_THREADS,   /* clone with CLONE_THREAD */
        TS_INJECT_PROCESSES, /* clone without it, fork, vfork */
        TS_INJECT_ALL,
        _TS_INJECT_WHAT_MAX,
        _TS_INJECT_WHAT_INVALID = -EINVAL,
} TsInjectWhat;

const char *ts_inject_what_to_string(TsInjectWhat w);
TsInjectWhat ts_inject_what_from_string(const char *s);

typedef struct TsInjectPolicy {
        TsInjectWhen when;
        uint64_t n;         /* NTH, AFTER: N; EVERY: K */
        double probability; /* PROBABILITY */
        uint64_t rng;       /* PROBABILITY: the generator's state, from the seed */
        uint64_t seen;      /* matching calls decided so far */
} TsInjectPolicy;

void ts_inject_policy_init(TsInjectPolicy *p, TsInjectWhen when, uint64_t n, double probability,
                           uint64_t seed);
/* Decides the next matching call: true to fail it. */
bool ts_inject_decide(TsInjectPolicy *p);

/* What a policy makes of the matching calls where that is known before the first one (--always,
 * --every 1, --probability 1 fail them all; --probability 0 none): then no call needs a round trip
 * to a supervisor, and nothing is counted. */
typedef enum TsInjectPlan {
        TS_INJECT_PLAN_SUPERVISE, /* the count or the generator picks: each call goes to the supervisor */
        TS_INJECT_PLAN_FAIL_ALL,  /* every one fails: a pure filter */
        TS_INJECT_PLAN_PASS_ALL,  /* none fails: the filter only refuses clone3, as in every run */
        _TS_INJECT_PLAN_MAX,
        _TS_INJECT_PLAN_INVALID = -EINVAL,
} TsInjectPlan;

TsInjectPlan ts_inject_plan(const TsInjectPolicy *p);

typedef struct TsInjectStats {
        uint64_t threads_seen, threads_failed;
        uint64_t processes_seen, processes_failed;
} TsInjectStats;

typedef struct TsInjectOptions {
        TsInjectWhat what;
        TsInjectPolicy policy;
        int error; /* positive errno to inject, default EAGAIN */
} TsInjectOptions;

/* 1 when the kernel and libseccomp can do user notification (API level >= 5, the kernel answers). */
int ts_inject_notify_supported(void);

/* Runs argv under the filter and, where the plan is to supervise, answers its calls until it and
 * every process it made have exited. Returns its wait status in *ret_status. -ENOTSUP when notification is
 * needed but unsupported; -ENOENT/-EACCES when argv cannot be executed. */
int ts_inject_run(const TsInjectOptions *o, char *const argv[], int *ret_status, TsInjectStats *ret_stats);

/* For a process that injects into itself (a storm's leader): loads the filter into the calling
 * process and, where the plan is to supervise, sends the notification fd over sock. */
int ts_inject_load(const TsInjectOptions *o, int sock);
/* The same filter as a BPF program (struct sock_filter[]) written to fd, for a process that loads it
 * without libseccomp (the storm leader, tstask). */
int ts_inject_export(const TsInjectOptions *o, int fd);
/* For its supervisor: receives that fd, and answers one pending notification by the policy. */
int ts_inject_receive_fd(int sock);
int ts_inject_answer_one(int notify_fd, const TsInjectOptions *o, TsInjectPolicy *policy, TsInjectStats *st);
