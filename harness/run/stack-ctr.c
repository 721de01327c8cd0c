/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* containerd alone (containerd, runc) as the stack, driven through ctr as Kubernetes' CRI or a
 * script would drive it: containerd.service with the limit, containers run from a root file system
 * that is tstask alone (ctr run --rootfs), in a namespace of their own. */
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "fileio.h"
#include "macro.h"
#include "stack.h"

#define NAMESPACE "taskstorm"
/* Not under /run: a booted Debian mounts /run noexec, and runc could not exec tstask there
 * ("exec: permission denied", found in the VMs; the sandbox's /run allowed it). Removed after. */
#define ROOTFS "/var/lib/taskstorm-ctr-rootfs"

static const char *const ctr_programs[] = { "containerd", "ctr", "runc", NULL };
static const char *const ctr_units[] = { "containerd.service", NULL };

static int ctr_ready(TsStackContext *c) {
        char *const argv[] = { (char *)"ctr", (char *)"version", NULL };
        return ts_stack_wait_ok(c, argv);
}

static int ctr_install(TsStackContext *c) {
        char script[PATH_MAX * 2 + 64];
        int r = ts_stack_limit_dropin(c);
        if (r >= 0)
                r = ts_manager_reload(c->bus, c->timeout);
        if (r >= 0)
                r = ts_unit_job(c->bus, "StartUnit", "containerd.service", "replace", c->timeout);
        if (r >= 0)
                r = ctr_ready(c);
        if (r < 0)
                return r;
        snprintf(script, sizeof script, "mkdir -p " ROOTFS " && cp '%s' " ROOTFS "/tstask", c->image_path);
        r = ts_stack_sh(c, script, NULL, 0);
        return r > 0 ? -EIO : r;
}

static int ctr_ask(TsStackContext *c, uint64_t n, uint64_t *ret_started, uint64_t *ret_failed,
                   nsec_t *ret_first_failure) {
        static const char *const words[] = { "ctr",       "-n",       NAMESPACE, "run",         "-d",
                                             "--null-io", "--rootfs", ROOTFS,    TS_STACK_NAME, "/tstask",
                                             "threads",   "3",        NULL };
        return ts_stack_run_many(c, n, words, ret_started, ret_failed, ret_first_failure);
}

/* Where containerd's runc shim keeps the namespace's runc state. */
#define RUNC_ROOT "/run/containerd/runc/" NAMESPACE

/* Every container and task of the namespace, and the runc state a start refused at the limit can
 * leave behind (else the next run of that name fails: "container with given ID already exists"),
 * again with back-off until none is left. */
static int ctr_clear(TsStackContext *c) {
        return ts_stack_sh(c,
                           "for delay in 0 0.2 0.5 1 2; do sleep $delay; "
                           "for id in $(ctr -n " NAMESPACE " containers list -q); do "
                           "ctr -n " NAMESPACE " tasks rm -f \"$id\" >/dev/null 2>&1; "
                           "ctr -n " NAMESPACE " containers rm \"$id\" >/dev/null 2>&1; done; "
                           "for id in $(runc --root " RUNC_ROOT " list -q 2>/dev/null); do "
                           "runc --root " RUNC_ROOT " delete -f \"$id\" >/dev/null 2>&1; done; "
                           "[ -z \"$(ctr -n " NAMESPACE " containers list -q)"
                           "$(runc --root " RUNC_ROOT " list -q 2>/dev/null)\" ] && break; done",
                           NULL, 0);
}

static void ctr_remove(TsStackContext *c) {
        (void)ctr_clear(c);
        ts_stack_units_stop(c, ctr_units);
        ts_stack_limit_dropin_remove(c);
        (void)ts_stack_sh(c, "rm -rf " ROOTFS, NULL, 0);
}

const TsStack ts_stack_ctr = {
        .name = "ctr",
        .description = "containerd and runc from the distribution, through ctr",
        .programs = ctr_programs,
        .units = ctr_units,
        .install = ctr_install,
        .ask = ctr_ask,
        .clear = ctr_clear,
        .ready = ctr_ready,
        .remove = ctr_remove,
};
