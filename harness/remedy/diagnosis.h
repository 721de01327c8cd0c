/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The diagnosis half of the detection and remediation module: the facts about one unit (gathered
 * from the live system, or read from a log bundle), and the verdict and binding cause decided from
 * them. Deciding is a pure function of the facts, so it is tested on fixtures. Does not depend on
 * storm/ or run/. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "patterns.h"
#include "prereq.h"

typedef enum TsCheckVerdict {
        TS_CHECK_NOT_AFFECTED,   /* exit 0 */
        TS_CHECK_AFFECTED,       /* exit 10: a task limit was hit */
        TS_CHECK_AT_RISK,        /* exit 11: usage near the limit, or a limit below what the unit's kind
                                  * needs */
        TS_CHECK_NOT_APPLICABLE, /* exit 12: prerequisites unmet, or no limit on the unit at all */
        TS_CHECK_SUSPECTED,      /* exit 13: tasks could not be created, and what refused them is not shown
                                  * (a log without the limits): the likely causes, and how to decide */
        _TS_CHECK_VERDICT_MAX,
        _TS_CHECK_VERDICT_INVALID = -EINVAL,
} TsCheckVerdict;

/* "not-affected", "affected", "at-risk", "not-applicable", "suspected" */
const char *ts_check_verdict_to_string(TsCheckVerdict v);

typedef enum TsCause {
        TS_CAUSE_NONE,                 /* nothing limits the unit now */
        TS_CAUSE_UNIT_TASKSMAX,        /* the unit's own TasksMax */
        TS_CAUSE_SLICE_TASKSMAX,       /* a parent slice's TasksMax */
        TS_CAUSE_RLIMIT_NPROC,         /* RLIMIT_NPROC (LimitNPROC=, or the user's limit) */
        TS_CAUSE_PID_MAX,              /* kernel.pid_max */
        TS_CAUSE_THREADS_MAX,          /* kernel.threads-max */
        TS_CAUSE_EAGAIN_NO_LIMIT,      /* EAGAIN in the logs, but no task limit was hit (injected, say) */
        TS_CAUSE_OTHER_UNIT_TASKSMAX,  /* the unit logs the failures, another unit's limit refused the forks
                                        * (dockerd's lines, containerd.service's TasksMax: its shims run
                                        * runc) */
        TS_CAUSE_CONTAINER_PIDS_LIMIT, /* a container's own pids limit (docker --pids-limit), or one that no
                                        * unit's TasksMax sets: its runtime set it, not systemd */
        TS_CAUSE_MEMORY,               /* no memory for the new task (fork's ENOMEM without a pid shortage, a
                                        * thread's stack): free memory, swap, overcommit, a memory limit */
        TS_CAUSE_KEYRING_QUOTA,        /* EDQUOT from the kernel keyring: each container's runtime makes a
                                        * session keyring, and kernel.keys.maxkeys/maxbytes ran out */
        TS_CAUSE_UNKNOWN,              /* suspected: nothing in the evidence points at one limit */
        _TS_CAUSE_MAX,
        _TS_CAUSE_INVALID = -EINVAL,
} TsCause;

TsCause ts_cause_from_string(const char *s); /* _TS_CAUSE_INVALID when no cause has that name */
/* "none", "unit-tasksmax", "slice-tasksmax", "rlimit-nproc", "pid-max", "threads-max", "eagain-no-limit",
 * "other-unit-tasksmax", "container-pids-limit", "memory", "keyring-quota", "unknown" */
const char *ts_cause_to_string(TsCause c);

/* Orders verdicts for an exit status and a ranking: affected, suspected, at-risk, not-applicable,
 * not-affected (4 to 0); -1 for no verdict. */
int ts_check_verdict_severity(TsCheckVerdict v);

/* What to do for a cause, as one line around target (the unit, the slice, the container that holds
 * the limit): "systemctl set-property containerd.service TasksMax=infinity". "" where there is
 * nothing to do (none, other-unit-tasksmax: ask with the other unit's cause). */
void ts_cause_fix(TsCause c, const char *target, char *buf, size_t size);
/* The command that shows whether a cause is the one, around target as ts_cause_fix() takes it:
 * "systemctl show -p TasksMax,TasksCurrent docker.service". "" where there is none. */
void ts_cause_probe(TsCause c, const char *target, char *buf, size_t size);

/* The tasks that a daemon which runs thousands of them in normal operation needs ("docker.service",
 * "containerd": 4096), 0 for any other unit: a limit below it is a failure waiting for load. */
uint64_t ts_check_busy_daemon_needs(const char *unit);

#define TS_CHECK_MAX_SLICES 8
#define TS_CHECK_SAMPLES 3
#define TS_CHECK_DEFAULT_THRESHOLD 80 /* percent of the effective limit that makes a unit at-risk */

/* A number that may be unknown (offline) or infinite. */
typedef struct TsValue {
        bool known;
        uint64_t value; /* UINT64_MAX: infinity / "max" */
} TsValue;

typedef struct TsPatternHits {
        uint64_t count;
        uint64_t relayed;                /* of them, lines that report another process's failure
                                          * (ts_pattern_relayed(): the runtime's, relayed by dockerd) */
        uint64_t first_usec, last_usec;  /* CLOCK_REALTIME µs of the first and last line, 0 unknown */
        char *samples[TS_CHECK_SAMPLES]; /* a few lines as they were, NULL-padded */
} TsPatternHits;

/* Counts one line of a pattern (and whether it is relayed): first and last time, and the line as a
 * sample while there is room. */
void ts_pattern_hits_add(TsPatternHits *h, uint64_t usec, const char *ident, size_t ident_len,
                         const char *msg, size_t msg_len);
/* Adds the hits of lines that came after h's (another journal file's), taking its samples while
 * there is room. */
void ts_pattern_hits_merge(TsPatternHits *h, TsPatternHits *later);
/* Frees the samples of n patterns' hits. */
void ts_pattern_hits_done(TsPatternHits *hits, size_t n);

typedef struct TsSliceFacts {
        char *name;        /* "system.slice" */
        TsValue tasks_max; /* from the bus */
        TsValue pids_max;  /* from its cgroup */
        TsValue pids_current;
        TsValue events_max; /* pids.events "max" */
} TsSliceFacts;

typedef struct TsCheckFacts {
        /* Prerequisites. */
        char *systemd_version, *kernel_release, *os_id, *os_id_like;

        /* The unit. */
        char *unit;
        bool unit_known; /* live: the unit is loaded; offline: the bundle names it */
        char *control_group;
        uint64_t started_monotonic; /* CLOCK_MONOTONIC µs when the unit (and its cgroup) last started, 0
                                     * unknown */
        char *invocation_id;        /* of the unit's current run: the journal is read for it alone, unless
                                     * --since */
        TsValue tasks_current;      /* TasksCurrent / "Tasks: N" */
        TsValue tasks_max;          /* TasksMax as systemd shows it ("Limit: M"), infinity = no limit */
        TsValue pids_current, pids_max, events_max; /* the unit's cgroup files */
        TsValue effective_tasks_max;                /* EffectiveTasksMax where the bus has it */
        TsSliceFacts slices[TS_CHECK_MAX_SLICES];   /* its slice, that slice's slice, ... up to -.slice */
        unsigned n_slices;

        /* The other limits that give the same EAGAIN. */
        TsValue nproc_soft; /* the unit's RLIMIT_NPROC (LimitNPROCSoft) */
        TsValue user_tasks; /* tasks owned by the unit's user, system-wide (what RLIMIT_NPROC counts) */
        bool user_is_root;  /* root is exempt from RLIMIT_NPROC (CAP_SYS_RESOURCE) */
        TsValue pid_max, threads_max, system_tasks; /* kernel.pid_max, kernel.threads-max, tasks now */
        TsValue root_pids_max; /* pids.max at the root this machine shows (a sandbox, a container) */

        /* The journal (or the bundle's log lines), within the window. */
        TsPatternHits hits[_TS_PATTERN_MAX];
        bool kernel_for_unit;   /* a kernel "fork rejected" line names the unit's cgroup */
        int kernel_slice;       /* ... or names slice number N (index in slices[]); -1 none */
        bool kernel_below_unit; /* ... or a cgroup below the unit's (a container's scope, often gone) */

        bool offline;    /* read from text: some facts cannot be known */
        bool no_journal; /* offline: the text holds no journal lines at all: no evidence either way */

        /* What the text says around the failures (offline): the context that makes a cause likely. */
        bool container;       /* the unit is a container (its limit is its runtime's), or the failures
                               * are inside one (docker exec, kubectl exec, a pids.max at the root) */
        bool user_session;    /* a user's session or slice, or a shell's failures with no unit: logind's
                               * UserTasksMax and the user's RLIMIT_NPROC */
        bool service_log;     /* the failures were logged by a daemon (a journal or syslog line) */
        bool thread_failures; /* of them, threads (pthread_create, Java's native thread) */
        bool nproc_refused;   /* the text says RLIMIT_NPROC refused it: su's EAGAIN (setuid), OpenBLAS's
                               * "RLIMIT_NPROC N current" */
        bool memory_short;    /* memory was short: swap used up, strict overcommit, the OOM killer */
        bool kubernetes;      /* the text is about Kubernetes (kubelet, pods): a pod's pids limit may bind */
} TsCheckFacts;

void ts_check_facts_done(TsCheckFacts *f);

typedef struct TsCheckResult {
        TsCheckVerdict verdict;
        TsCause cause;
        TsPrereq prereq;
        char prereq_why[160];
        TsValue effective_limit; /* the lowest limit over the unit and its slices */
        int binding_slice;       /* index in slices[] when the cause is a slice, else -1 */
        char why[256];           /* the verdict in one sentence, in the article's terms */
        char warnings[2][200];   /* e.g. "TasksMax=512 on the bus but pids.max is max: not enforced" */
        unsigned n_warnings;
        char unknown[200]; /* offline: what the text could not tell ("pids.events", "journal") */
        char via[256];     /* other-unit-tasksmax: the unit (slice, container) whose limit refused the
                            * forks behind the unit's EAGAIN lines ("containerd.service"); "" none */
        TsCause via_cause; /* ... and that limit's cause there (unit-tasksmax for containerd.service) */
        TsCause likely[4]; /* suspected: the causes the text makes likely, most likely first */
        unsigned n_likely;
} TsCheckResult;

/* Decides. threshold: percent of the effective limit at which a unit is at-risk. */
void ts_check_judge(const TsCheckFacts *f, unsigned threshold, TsCheckResult *ret);

/* Whether `fix` on the unit is the remedy the judgement calls for: the unit was affected, and what
 * refused its tasks is its own TasksMax (unit-tasksmax, or for a slice checked itself its own
 * slice-tasksmax). Not at-risk (nothing refused yet), not another limit: a parent slice's, another
 * unit's, RLIMIT_NPROC, the kernel's. fix --if-affected fixes only where this is true. */
bool ts_check_fix_applies(const TsCheckResult *res);
