/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The whole machine's evidence, for `taskstorm check` with no unit: every cgroup of the pids
 * hierarchy that has a limit or counted a refused fork, every unit's EAGAIN lines and the kernel's
 * "fork rejected" lines; and the judge that ranks the limits that bind, each with its verdict,
 * cause and fix, and puts each unit's EAGAIN lines on the limit that caused them, in whichever unit
 * it was (dockerd logs what containerd.service's TasksMax refused). The walk takes the hierarchy's
 * root as a parameter and lines come one at a time, so tests feed a tree made in a temporary
 * directory and lines of their own; the judge is a pure function of the facts. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "diagnosis.h"

/* One cgroup worth keeping: it has a limit, or it counted refused forks. The others (most of a
 * machine's, with pids.max "max" and nothing refused) are walked and forgotten. */
typedef struct TsScanCgroup {
        char *path;         /* in the hierarchy, as systemd's ControlGroup names it:
                             * "/system.slice/x.service", "/" */
        TsValue current;    /* pids.current */
        uint64_t max;       /* pids.max, UINT64_MAX for "max" */
        uint64_t refused;   /* "max N" of pids.events.local where it exists, else of pids.events */
        bool refused_local; /* ... counted at this cgroup's own limit (v2's pids.events.local), not for its
                             * own tasks, at its limit or an ancestor's (pids.events on v1 and older v2) */
} TsScanCgroup;

/* The EAGAIN lines (every pattern but the kernel's) of one unit. */
typedef struct TsScanLog {
        char *unit;                          /* _SYSTEMD_UNIT */
        char *invocation;                    /* _SYSTEMD_INVOCATION_ID: lines of one run of the unit; NULL:
                                              * of every run (a --since window) */
        char *control_group;                 /* _SYSTEMD_CGROUP of its first line; NULL unknown */
        TsPatternHits hits[_TS_PATTERN_MAX]; /* the kernel's pattern stays empty */
        TsCheckFacts *facts;                 /* live: the unit's own facts, for the limits besides
                                              * TasksMax (RLIMIT_NPROC, kernel.pid_max); NULL none */
} TsScanLog;

/* A kernel line "cgroup: fork rejected by pids controller in PATH": once per cgroup, naming the
 * cgroup of the task whose fork was refused. */
typedef struct TsScanKernelLine {
        char *path;     /* as the kernel wrote it: in a sandbox, the host's longer path */
        char *cgroup;   /* the cgroup of this hierarchy whose path ends it (ts_scan_resolve_kernel_lines),
                         * or NULL */
        char *ancestor; /* where cgroup is NULL, the cgroup being gone (its pids.events with it, before Linux
                         * 6.10): the nearest living one above it, never the root; else NULL */
        uint64_t usec;
} TsScanKernelLine;

typedef struct TsScanFacts {
        char *systemd_version, *kernel_release, *os_id, *os_id_like; /* the article's prerequisites */
        char *root;            /* the directory of the pids hierarchy's root that was walked */
        bool unified;          /* cgroup v2: its root has cgroup.controllers */
        uint64_t n_walked;     /* cgroups walked */
        TsScanCgroup *cgroups; /* the ones kept, sorted by path */
        size_t n_cgroups;
        TsScanLog *logs;
        size_t n_logs;
        TsScanKernelLine *kernel;
        size_t n_kernel;
} TsScanFacts;

void ts_scan_facts_done(TsScanFacts *f);

/* Walks the pids hierarchy whose root directory is root ("/sys/fs/cgroup/pids" on v1,
 * "/sys/fs/cgroup" on v2: its cgroup.controllers says which), reading only pids.max, pids.events
 * (on v2 pids.events.local where the kernel has it) and, where either says something,
 * pids.current, and keeps in f the cgroups that have a limit or counted refusals. A
 * cgroup that goes away during the walk is skipped. -ENOENT (or another errno) when root cannot be
 * opened, -ENOMEM. */
int ts_scan_cgroups(const char *root, TsScanFacts *f);

/* One journal entry (the live journal's, or a test's). */
typedef struct TsScanLine {
        const char *message;
        size_t length;
        const char *unit;          /* _SYSTEMD_UNIT, NULL none: the line is then no unit's */
        const char *invocation;    /* _SYSTEMD_INVOCATION_ID, to keep each run's lines apart; NULL: don't */
        const char *control_group; /* _SYSTEMD_CGROUP, NULL unknown */
        const char *identifier;    /* SYSLOG_IDENTIFIER, NULL unknown */
        uint64_t usec;             /* CLOCK_REALTIME */
        bool kernel;               /* _TRANSPORT=kernel: only the kernel's own "fork rejected" line counts */
} TsScanLine;

/* Matches the line against the pattern table and keeps it when it is an EAGAIN line of a unit (in
 * the log of its unit and run) or the kernel's "fork rejected" line. 0 (kept or not), -ENOMEM. */
int ts_scan_add_line(TsScanFacts *f, const TsScanLine *line);

/* Finds for each kernel line the cgroup under f->root whose path ends the line's (the kernel
 * writes the path from its own root: in a sandbox, a cgroup namespace, that is longer); where none
 * does, the nearest living cgroup above it, found the same way. */
int ts_scan_resolve_kernel_lines(TsScanFacts *f);

/* What holds a cgroup: the unit, scope or slice that is the deepest component of its path that is
 * a unit name, or the container whose own cgroup it is (or is under). */
typedef enum TsScanKind {
        TS_SCAN_SERVICE,
        TS_SCAN_SCOPE,
        TS_SCAN_SLICE,
        TS_SCAN_UNIT,      /* a unit of another type (.socket, .mount, .swap: they run commands) */
        TS_SCAN_CONTAINER, /* docker-<id>.scope, cri-containerd-<id>.scope, /docker/<id>, ... */
        TS_SCAN_CGROUP,    /* no unit's: a cgroup some other manager made */
        _TS_SCAN_KIND_MAX,
        _TS_SCAN_KIND_INVALID = -EINVAL,
} TsScanKind;

/* "service", "scope", "slice", "unit", "container", "cgroup" */
const char *ts_scan_kind_to_string(TsScanKind k);

typedef struct TsScanOwner {
        char *name; /* "containerd.service", "docker-<id>.scope", "/docker/<id>", "-.slice" for "/" */
        char *control_group; /* the owner's own cgroup: the path up to its component */
        char *parent;        /* a container's: the unit above it ("system.slice"; "-.slice" when none);
                              * else NULL */
        TsScanKind kind;
} TsScanOwner;

/* The kind of a unit by its name: a container's scope by the runtime's name for it, else by its type. */
TsScanKind ts_scan_unit_kind(const char *name);

/* The owner of a cgroup path ("/system.slice/containerd.service/sub" -> containerd.service). -EINVAL
 * for a path that does not start with '/', -ENOMEM. */
int ts_scan_owner(const char *path, TsScanOwner *ret);
void ts_scan_owner_done(TsScanOwner *o);

/* A unit whose EAGAIN lines an entry's limit explains. */
typedef struct TsScanLogger {
        char *unit;
        uint64_t lines; /* its EAGAIN lines in the window */
        TsPattern top;  /* the pattern seen most */
        char *sentence; /* another unit's lines: "docker.service logs 23 failures; the refusals were in
                         * containerd.service, TasksMax=100, 560 refused"; NULL for the owner's own */
} TsScanLogger;

/* One limit that binds (or bound, or may): a line of the ranked list. */
typedef struct TsScanEntry {
        TsScanOwner owner;
        TsCheckVerdict verdict;
        TsCause cause;
        char *limit_cgroup;    /* the cgroup whose pids.max binds (the owner's own, or one below it) */
        TsValue current;       /* of that cgroup */
        TsValue max;           /* of that cgroup, UINT64_MAX: no limit now */
        uint64_t refused;      /* forks refused, over the cgroups whose refusals bind here */
        bool refused_local;    /* counted by pids.events.local */
        char **refused_in;     /* units (other than the owner) whose tasks were refused; NULL-terminated or
                                * NULL */
        uint64_t kernel_lines; /* kernel "fork rejected" lines of the cgroups that bind here */
        uint64_t kernel_lines_gone; /* ... of them, lines of cgroups that are gone, charged here from the
                                     * nearest living cgroup above them: no count says they were refused
                                     * here */
        TsScanLogger *loggers; /* units whose EAGAIN lines this limit explains, the owner first if it logs */
        size_t n_loggers;
        char why[320];           /* one sentence, in the article's terms */
        char fix[320];           /* the command that lifts it; "" when nothing is to be done */
        char taskstorm_fix[300]; /* "taskstorm fix containerd.service"; "" where fix cannot do it */
} TsScanEntry;

typedef struct TsScanResult {
        TsCheckVerdict verdict; /* the worst over the entries; not-affected with none */
        TsPrereq prereq;
        char prereq_why[160];
        char why[256];
        TsScanEntry *entries; /* ranked: affected with the most refusals first, then at-risk by usage */
        size_t n_entries;
} TsScanResult;

/* Decides: every limit that counted refusals (affected, or not-affected where there is no limit
 * now), every cgroup at or above threshold percent of its limit (at-risk, as are busy daemons under
 * a low limit), and every unit's EAGAIN lines, put on the limit that caused them: the unit's own,
 * or another unit's (its partner first: docker.service's on containerd.service's); RLIMIT_NPROC and
 * the kernel's limits where the unit's facts show them; eagain-no-limit where nothing does. -ENOMEM;
 * ret untouched on failure. */
int ts_scan_judge(const TsScanFacts *f, unsigned threshold, TsScanResult *ret);
void ts_scan_result_done(TsScanResult *r);

/* check UNIT: where the unit's judgement found EAGAIN lines but no limit of its own behind them
 * (eagain-no-limit), and machine's cgroups show another unit's refusals, says so: affected,
 * other-unit-tasksmax, via that unit, with the sentence that names both (or, where that limit has
 * since been lifted, not-affected). threshold as for ts_scan_judge(). Leaves every other judgement
 * as it is. 0, or -ENOMEM. */
int ts_scan_follow(const TsCheckFacts *f, const TsScanFacts *machine, unsigned threshold, TsCheckResult *r);
