/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The storm leader's injection filter, loaded without libseccomp: the harness built it with
 * libseccomp and exported the BPF program (ts_inject_export), so that the leader, and every task an
 * exec storm makes of it, loads no library for it. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd-pass.h"
#include "macro.h"
#include "task-storm.h"

/* BPF_MAXINSNS instructions at most, as the kernel takes. */
static int read_program(int fd, struct sock_filter **ret, size_t *ret_n) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        size_t size = (size_t)st.st_size;
        if (size == 0 || size % sizeof(struct sock_filter) != 0 ||
            size > BPF_MAXINSNS * sizeof(struct sock_filter))
                return -EINVAL;
        struct sock_filter *insns = malloc(size);
        if (!insns)
                return -ENOMEM;
        ssize_t k = pread(fd, insns, size, 0);
        if (k != (ssize_t)size) {
                free(insns);
                return k < 0 ? negative_errno() : -EIO;
        }
        *ret = insns;
        *ret_n = size / sizeof(struct sock_filter);
        return 0;
}

int ts_task_load_filter(int filter_fd, int notify_sock) {
        _cleanup_(freep) struct sock_filter *insns = NULL;
        size_t n;
        int r = read_program(filter_fd, &insns, &n);
        if (r < 0)
                return r;
        struct sock_fprog prog = { .len = (unsigned short)n, .filter = insns };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return negative_errno();
        unsigned flags = notify_sock >= 0 ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
        int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        if (fd < 0)
                return negative_errno();
        if (notify_sock < 0)
                return 0;
        /* No SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: it made the leader and its supervisor take turns on
         * one CPU (harness/storm/inject.c says what it cost). */
        r = ts_send_fd(notify_sock, fd);
        close(fd);
        return r;
}
