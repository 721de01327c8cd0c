/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What one line of a pasted text says, for offline.c: each recogniser takes a line (a Span, not
 * NUL-terminated) and returns what it found there, or false. Pure functions, no allocation: the
 * reader keeps what it needs. Internal to remedy/. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "diagnosis.h"
#include "span.h"

/* ---- Versions: the best one seen is kept (a higher rank says more). ---- */
typedef struct TsFound {
        Span value;
        int rank;
} TsFound;

/* systemd --version, rpm -q, dpkg -l. */
void ts_line_systemd_version(Span l, TsFound *f);
/* uname -r, uname -a, the kernel's banner. */
void ts_line_kernel_release(Span l, TsFound *f);

/* ---- systemctl status blocks ---- */
/* "● docker.service - Docker Application Container Engine": the unit's name. */
bool ts_line_status_header(Span l, Span *ret_name);
/* "Tasks: 505 (Limit: 512)", "Tasks: 8 (limit: 4915)", "Tasks: 623" (limit UINT64_MAX). */
bool ts_line_tasks(Span t, uint64_t *ret_tasks, uint64_t *ret_limit);
/* A field label at the start of a status line: "TriggeredBy: ", "Loaded: ". */
bool ts_line_is_label(Span l);
/* The process name in a status block's "Main PID: 2770 (docker)" or a cgroup tree's "└─1237
 * /usr/bin/dockerd -H fd://" ("docker", "dockerd"). */
bool ts_line_process_name(Span t, Span *ret_name);

/* ---- Unit names ---- */
/* A unit name as systemd writes them (no template "foo@.service", no "user-.slice.d"). */
bool ts_line_unit_name(Span name);
/* The next unit name in l from *at on; *at moves past it. */
bool ts_line_next_unit(Span l, size_t *at, Span *ret_name);

/* ---- Commands that people paste with their output ---- */
typedef enum TsCommandKind {
        TS_COMMAND_STATUS,      /* systemctl status UNIT, service UNIT status */
        TS_COMMAND_SHOW,        /* systemctl show UNIT */
        TS_COMMAND_JOURNAL,     /* journalctl -u UNIT */
        TS_COMMAND_EXEC,        /* docker/podman/nerdctl/crictl/kubectl exec CONTAINER */
        TS_COMMAND_READ,        /* cat/more/head of files: their values follow */
        TS_COMMAND_NPROC,       /* ulimit -u: the number follows */
        TS_COMMAND_COUNT,       /* ... | wc -l over processes or threads: the count follows */
        TS_COMMAND_COUNT_USERS, /* ps ... -o user | sort | uniq -c: "N USER" lines follow */
        _TS_COMMAND_MAX,
        _TS_COMMAND_INVALID = -EINVAL,
} TsCommandKind;

#define TS_COMMAND_MAX_FILES 4

typedef struct TsCommand {
        TsCommandKind kind;
        Span target;                      /* the unit or container ("docker": the caller adds .service) */
        Span files[TS_COMMAND_MAX_FILES]; /* READ: the files, in order */
        size_t n_files;
} TsCommand;

/* A command in the line (after a prompt, or in prose: "the output of systemctl status docker"). */
bool ts_line_command(Span l, TsCommand *ret);

/* ---- Facts of the machine and of units ---- */
typedef enum TsLineFact {
        TS_FACT_PID_MAX,       /* kernel.pid_max = N, "pid_max: default: N" */
        TS_FACT_THREADS_MAX,   /* kernel.threads-max = N */
        TS_FACT_NPROC,         /* max user processes (-u) N, Max processes N, RLIMIT_NPROC N current,
                                * lxc.prlimit.nproc = N, LimitNPROCSoft=/LimitNPROC= */
        TS_FACT_MEMORY_SHORT,  /* vm.overcommit_memory = 2, Swap: with nothing free, the OOM killer */
        TS_FACT_TASKS_MAX,     /* TasksMax=N (systemctl show) */
        TS_FACT_TASKS_CURRENT, /* TasksCurrent=N */
        TS_FACT_EFFECTIVE_TASKS_MAX,
        TS_FACT_CONTROL_GROUP, /* ControlGroup=PATH (value in text) */
        TS_FACT_ID,            /* Id=UNIT (systemctl show), value in text */
        TS_FACT_PIDS_MAX,      /* PATH/pids.max VALUE, PATH/pids.max:VALUE (the path in text) */
        TS_FACT_PIDS_CURRENT,
        TS_FACT_PIDS_EVENTS, /* PATH/pids.events:max N, and "max N" after cat pids.events */
        TS_FACT_NPROC_NEXT,  /* "RLIMIT_NPROC" in runc's config: a "soft": N follows */
        TS_FACT_NPROC_SOFT,  /* "soft": N */
        _TS_LINE_FACT_MAX,
        _TS_LINE_FACT_INVALID = -EINVAL,
} TsLineFact;

typedef struct TsFact {
        TsLineFact fact;
        TsValue value;
        Span text; /* the path, unit or cgroup where the fact has one */
} TsFact;

/* The fact the line states, if any (one per line). */
bool ts_line_fact(Span l, TsFact *ret);
/* A line of `systemctl show`: "Key=value" with a key in CamelCase ("TasksMax=", "ExecStart="). */
bool ts_line_is_show(Span l);
/* A line that is only a value: "512", "max", "max 3" (pids.events), after a command that reads
 * files. */
bool ts_line_value(Span l, TsValue *ret);
/* A line of `uniq -c`: "   4090 elastic". */
bool ts_line_user_count(Span l, uint64_t *ret_count);
/* The line says the failure came from su (setuid()'s EAGAIN is RLIMIT_NPROC's). */
bool ts_line_su_refused(Span msg);
/* The message comes from a shell (bash, sh: a user's session, not a daemon). */
bool ts_line_from_shell(Span msg, Span ident);
