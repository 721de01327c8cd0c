/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SCM_RIGHTS, one fd at a time. Used by the harness and by the storm leader (tstask): libc only. */
#include <string.h>
#include <sys/socket.h>

#include "fd-pass.h"
#include "macro.h"

typedef union FdControl {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
} FdControl;

int ts_send_fd(int sock, int fd) {
        char data = 'f';
        struct iovec iov = { .iov_base = &data, .iov_len = 1 };
        FdControl control = {};
        struct msghdr mh = { .msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = control.buf,
                             .msg_controllen = sizeof control.buf };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? negative_errno() : 0;
}

int ts_receive_fd(int sock) {
        char data;
        struct iovec iov = { .iov_base = &data, .iov_len = 1 };
        FdControl control = {};
        struct msghdr mh = { .msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = control.buf,
                             .msg_controllen = sizeof control.buf };
        if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) <= 0)
                return -EPIPE;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        if (!c || c->cmsg_type != SCM_RIGHTS)
                return -EBADMSG;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}
