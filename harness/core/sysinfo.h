/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a machine offers the harness, read from the real sources: PID 1 and systemd over sd-bus,
 * kernel and distro, the cgroup layout and whether the pids controller really enforces a limit,
 * the other limits that give the same EAGAIN, and seccomp user notification. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "cgroup-layout.h"
#include "os-release.h"

typedef enum TsPidsEnforcement {
        TS_PIDS_ENFORCED,     /* probed: a fork past pids.max failed with EAGAIN */
        TS_PIDS_NOT_ENFORCED, /* the hierarchy is read-only, or forks succeeded past pids.max */
        TS_PIDS_NOT_PROBED,   /* no pids controller, not root, or the probe could not run */
        _TS_PIDS_ENFORCEMENT_MAX,
        _TS_PIDS_ENFORCEMENT_INVALID = -EINVAL,
} TsPidsEnforcement;

/* "enforced", "not-enforced", "not-probed" */
const char *ts_pids_enforcement_to_string(TsPidsEnforcement e);

typedef enum TsPidsReason {
        TS_PIDS_REASON_PROBED,        /* enforced: the probe saw EAGAIN within pids.max */
        TS_PIDS_REASON_READ_ONLY,     /* not enforced: nobody here can write pids.max */
        TS_PIDS_REASON_LIMIT_IGNORED, /* not enforced: more tasks than pids.max were forked */
        TS_PIDS_REASON_NO_CONTROLLER, /* not probed */
        TS_PIDS_REASON_NEEDS_ROOT,    /* not probed */
        TS_PIDS_REASON_NO_LIMIT_FILE, /* not probed: the probe cgroup has no pids.max (v2: pids is not
                                       * enabled in the parent's cgroup.subtree_control) */
        TS_PIDS_REASON_PROBE_FAILED,  /* not probed: a step of the probe failed (step, error) */
        _TS_PIDS_REASON_MAX,
        _TS_PIDS_REASON_INVALID = -EINVAL,
} TsPidsReason;

/* A short phrase: "probed", "hierarchy read-only", "limit ignored", "no pids controller", … */
const char *ts_pids_reason_to_string(TsPidsReason r);

typedef struct TsPidsProbe {
        TsPidsEnforcement enforcement;
        TsPidsReason reason;
        const char *step;  /* where the verdict came from: "mkdir", "pids.max", "cgroup.procs", "fork" */
        int error;         /* that step's error: why it failed, or the refused fork's -EAGAIN */
        uint64_t limit;    /* the pids.max the probe wrote */
        unsigned forks;    /* grandchildren the probe tried to fork */
        unsigned forked;   /* of which succeeded */
        const char *where; /* the cgroup it ran in: "a child cgroup", or the placer's (below) */
        int cleanup_error; /* the probe cgroup could not be removed (it is named in cleanup_path) */
        char *cleanup_path;
} TsPidsProbe;

/* Checks that the pids controller enforces a limit: creates parent_dir/taskstorm-probe-<pid>, writes
 * pids.max=2 there, and forks a child that moves itself into it and tries to fork 3 grandchildren.
 * Every child is waited for and the probe cgroup is removed on every path. Needs root. The verdict is
 * in ret (a probe that could not run is TS_PIDS_NOT_PROBED with step and error); -EINVAL only. */
int ts_pids_probe(const char *parent_dir, TsPidsProbe *ret);
void ts_pids_probe_done(TsPidsProbe *p);

/* Where the probe runs when this process cannot make a child cgroup with a pids.max (cgroup v2: a
 * process's own cgroup passes no controller on to a child, "no internal processes"): place() puts
 * pid into a new cgroup of its own whose pids.max is limit (a transient scope of systemd's), and
 * unplace() removes that cgroup and whatever is left in it. */
typedef struct TsPidsPlacer {
        const char *where; /* "a transient scope" */
        int (*place)(void *userdata, pid_t pid, uint64_t limit);
        int (*unplace)(void *userdata);
        void *userdata;
} TsPidsPlacer;

/* The same probe as ts_pids_probe(), in the placer's cgroup; unplace() runs on every path once
 * place() succeeded (its failure is cleanup_error, with the placer's where in cleanup_path). */
int ts_pids_probe_placed(const TsPidsPlacer *placer, TsPidsProbe *ret);

typedef struct TsSysinfo {
        bool root; /* this process runs as root (euid 0): the pids probe and a sandbox need it */
        struct {
                bool is_systemd; /* sd_booted() and /proc/1/comm both say so */
                int booted;      /* sd_booted(): > 0 yes, 0 no, < 0 error */
                char *comm;      /* /proc/1/comm */
                int comm_error;
        } pid1;

        struct {
                bool reachable;
                int error;                  /* why not: connecting, or reading Version, failed */
                char *version;              /* Manager.Version: "252.38-1~deb12u1" */
                uint64_t default_tasks_max; /* UINT64_MAX: infinity */
                int default_tasks_max_error;
        } systemd;

        struct {
                char *release; /* uname -r */
                int release_error;
                uint64_t pid_max; /* /proc/sys/kernel/pid_max */
                int pid_max_error;
                uint64_t threads_max; /* /proc/sys/kernel/threads-max */
                int threads_max_error;
        } kernel;

        struct {
                TsOsRelease release;
                int error;
        } os;

        struct {
                TsCgroupLayout layout; /* valid only where error is 0 */
                int error;
        } cgroup;

        struct {
                bool present;
                char *mount_point;
                bool read_only;
                char *own_cgroup; /* this process's path in the pids hierarchy */
                int own_cgroup_error;
                TsPidsProbe probe;
        } pids;

        struct {
                uint64_t soft, hard; /* UINT64_MAX: infinity */
                int error;
        } nproc;

        struct {
                unsigned api_level;      /* seccomp_api_get(); 0 where unknown */
                bool kernel_notify;      /* seccomp(SECCOMP_GET_NOTIF_SIZES) succeeds */
                int kernel_notify_error; /* why it does not */
                bool notify_usable;      /* api_level >= 6 && kernel_notify */
        } seccomp;
} TsSysinfo;

/* Gathers every fact. A fact that cannot be read keeps its negative errno in the matching *_error
 * field; the call itself fails only with -ENOMEM (ret untouched). Probes the pids controller when
 * root (see ts_pids_probe()), and where no child cgroup can have a pids.max, in placer's cgroup
 * (optional: without one, the pids controller is "not-probed" there). */
int ts_sysinfo_gather_with(const TsPidsPlacer *placer, TsSysinfo *ret);
int ts_sysinfo_gather(TsSysinfo *ret);
void ts_sysinfo_done(TsSysinfo *s);
