/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The log lines that say a task could not be created, as daemons and the kernel write them: one
 * table, used on the live journal and on log bundles alike. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

/* Each with a line it matches. The first six keep their order and ids (JSON output uses the ids as
 * keys). A line holds one pattern at most: ENOMEM and EDQUOT go before every EAGAIN pattern, so a
 * line that says why is never taken for a task limit, and the six go before the general ones. */
typedef enum TsPattern {
        TS_PATTERN_FORK_EXEC,     /* fork/exec /proc/self/exe: resource temporarily unavailable (dockerd,
                                   * runc) */
        TS_PATTERN_CGO_PTHREAD,   /* runtime/cgo: pthread_create failed: Resource temporarily unavailable */
        TS_PATTERN_GO_NEW_THREAD, /* runtime: failed to create new OS thread (have N already; errno=11) */
        TS_PATTERN_FORK_FAILED,   /* fork failed: Resource temporarily unavailable (also shells' "fork:
                                   * retry: ...") */
        TS_PATTERN_APR_THREAD,    /* Resource temporarily unavailable: apr_thread_create: unable to
                                   * create worker thread */
        TS_PATTERN_KERNEL_PIDS,   /* cgroup: fork rejected by pids controller in <cgroup> (kernel, once
                                   * per cgroup) */
        /* ENOMEM: -bash: fork: Cannot allocate memory; fork/exec ...: cannot allocate memory; runtime:
         * failed to create new OS thread (have 9 already; errno=12). Memory or a memory limit, a pid
         * namespace whose init is gone, or pid_max on kernels before 4.1 (later ones say EAGAIN): never
         * TasksMax. */
        TS_PATTERN_FORK_ENOMEM,
        /* EDQUOT from the kernel keyring, which a container runtime fills with a session keyring per
         * container: unable to join session keyring: unable to create session key: disk quota exceeded */
        TS_PATTERN_KEYRING_QUOTA,
        TS_PATTERN_JAVA_THREAD, /* java.lang.OutOfMemoryError: unable to create new native thread */
        /* Any other thread: Thread::try_create(): pthread_create failed with error 11; Can't create
         * thread to handle new connection(errno= 11); failed to spawn thread: Os { code: 11, kind:
         * WouldBlock, .. }; RuntimeError: can't start new thread */
        TS_PATTERN_THREAD_CREATE,
        /* Any other process: Function call 'fork' failed with error code 11, 'Resource temporarily
         * unavailable'; /bin/sh: 1: Cannot fork; Error: spawn /bin/sh EAGAIN; clone: Resource temporarily
         * unavailable */
        TS_PATTERN_FORK_GENERIC,
        _TS_PATTERN_MAX,
        _TS_PATTERN_INVALID = -EINVAL,
} TsPattern;

typedef struct TsPatternInfo {
        const char *id;      /* "fork-exec", "cgo-pthread", "go-new-thread", "fork-failed", "apr-thread",
                              * "kernel-pids", "fork-enomem", "keyring-quota", "java-thread",
                              * "thread-create", "fork-generic" */
        const char *example; /* a line as the article, the program or the kernel writes it */
        bool kernel;         /* written by the kernel, not by the unit */
        const char *summary; /* quoted in a verdict: "fork/exec ... resource temporarily unavailable" */
        int error;           /* the errno the line reports: EAGAIN (a task limit among the causes),
                              * ENOMEM, EDQUOT */
} TsPatternInfo;

const TsPatternInfo *ts_pattern_info(TsPattern p);
const char *ts_pattern_to_string(TsPattern p);

/* Which pattern a log line (its message, without journal prefixes, or a whole line of text) is,
 * or _TS_PATTERN_INVALID. Case-insensitive; the backslashes of escaped text (JSON, klog, markdown)
 * are skipped, and an escaped line break ("\n") ends one message and starts the next. For
 * TS_PATTERN_KERNEL_PIDS, *ret_cgroup and *ret_cgroup_len (when not NULL) give the cgroup path in
 * the line (empty when the line ends before it). */
TsPattern ts_pattern_match(const char *line, size_t len, const char **ret_cgroup, size_t *ret_cgroup_len);

/* Whether a line that matched reports a task that another process could not create, relayed by the
 * one that logs it: dockerd's "OCI runtime create failed: runc create failed: ... pthread_create
 * failed". Where the process that logs it refused nothing, the refusal may be in another unit's
 * cgroup (containerd.service's, whose shims run runc); a plain "fork failed" is the logger's own. */
bool ts_pattern_relayed(const char *line, size_t len);
