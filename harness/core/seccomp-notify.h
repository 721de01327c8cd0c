/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a seccomp notification fd's owner sets on it, shared by the harness's supervisor
 * (storm/inject.c) and the storm leader (task/task-filter.c), which loads its filter without
 * libseccomp. libc and the kernel's headers only. */
#pragma once

#include <linux/seccomp.h>
#include <sys/ioctl.h>

/* Linux 6.6; the headers of older releases lack them. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

/* The caller sleeps while the supervisor answers: have the kernel wake each on the other's CPU
 * (Linux 6.6) instead of across CPUs, which on a busy two-CPU machine took a round trip from 74 to
 * 9 us (median). Older kernels say EINVAL: no matter. */
static inline void ts_seccomp_notify_sync_wake_up(int notify_fd) {
        (void)ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
}
