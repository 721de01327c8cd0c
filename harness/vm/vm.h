/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A disposable virtual machine for what the sandbox cannot give: a kernel of its own, cgroup v2,
 * a systemd that no longer runs on cgroup v1 (258+). qemu boots an image of ci/vmimage (a Debian
 * release's kernel, initrd and root) with the root in snapshot mode, so the image is never
 * written to; a control directory shared over virtio 9p hands the command in and takes its
 * output and exit status back; host directories are shared at their own paths. KVM where
 * /dev/kvm is usable, TCG otherwise (or when KVM fails the guest before the command starts). Nothing is left
 * running, whatever happens: qemu dies with this process. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "time-util.h"

#define TS_VM_MAX_SHARES 8

typedef struct TsVmOptions {
        const char *image;                    /* directory: vmlinuz, initrd.img, root.img (ci/vmimage) */
        const char *kernel;                   /* another image directory whose vmlinuz and initrd.img boot
                                               * image's root (its initrd must load 9p); NULL: image's own */
        bool cgroup_v1;                       /* boot with the legacy hierarchy (systemd before 258 only) */
        const char *shares[TS_VM_MAX_SHARES]; /* host directories, shared read-write at their paths */
        size_t n_shares;
        const char *cwd;           /* where the command starts in the guest */
        char *const *argv;         /* the command */
        usec_t boot_timeout;       /* from qemu's start to the command's; 0: 300 s */
        usec_t timeout;            /* the command's; 0: none */
        unsigned memory_mib, cpus; /* 0: 2048, 2 */
        bool keep;                 /* keep the control directory (console log, output) */
        int output_fd;             /* the command's output goes there as it comes; -1: nowhere */
        int cancel_fd;             /* readable: stop the machine now; -1: none */
} TsVmOptions;

typedef struct TsVmResult {
        int status;              /* the command's exit status; -1 when it did not end */
        bool kvm;                /* accelerated, else emulated (TCG) */
        bool kvm_failed;         /* KVM stopped the guest ("KVM internal error"): with kvm false,
                                  * booted again emulated; with kvm true, after the command started */
        usec_t boot_usec;        /* qemu's start to the command's */
        usec_t run_usec;         /* the command's */
        char console_tail[2048]; /* the console's last lines, when the machine failed */
        char control_dir[256];   /* with keep: where the console log and the output are */
} TsVmResult;

/* Boots the machine, runs the command, waits for it and for qemu to end. 0 with ret->status set;
 * -ENOENT the image is incomplete; -ENOEXEC qemu-system-x86_64 is not installed; -ETIMEDOUT the machine did
 * not start the command in time (console_tail says what it did); -ETIME the command ran out of time; -ECHILD
 * qemu ended without a status (console_tail); -ECANCELED cancel_fd; other negative errnos. ret is filled
 * also on failure (what is known). */
int ts_vm_run(const TsVmOptions *o, TsVmResult *ret);

/* 1 when the image directory has a root, and kernel (or image where NULL) a kernel and an initrd. */
int ts_vm_image_complete(const char *image, const char *kernel);
/* 1 when dir has a kernel and an initrd. */
int ts_vm_kernel_complete(const char *dir);
