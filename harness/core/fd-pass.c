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

/* One byte of data (a message must carry some) and room for one fd. */
typedef struct FdMessage {
        char data;
        struct iovec iov;
        struct msghdr header;
        FdControl control; /* last: struct cmsghdr ends in a flexible array */
} FdMessage;

static void message_init(FdMessage *m) {
        *m = (FdMessage){ .data = 'f' };
        m->iov = (struct iovec){ .iov_base = &m->data, .iov_len = 1 };
        m->header = (struct msghdr){ .msg_iov = &m->iov,
                                     .msg_iovlen = 1,
                                     .msg_control = m->control.buf,
                                     .msg_controllen = sizeof m->control.buf };
}

int ts_send_fd(int sock, int fd) {
        FdMessage m;
        message_init(&m);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m.header);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        return sendmsg(sock, &m.header, MSG_NOSIGNAL) < 0 ? negative_errno() : 0;
}

int ts_receive_fd(int sock) {
        FdMessage m;
        message_init(&m);
        if (recvmsg(sock, &m.header, MSG_CMSG_CLOEXEC) <= 0)
                return -EPIPE;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m.header);
        if (!c || c->cmsg_type != SCM_RIGHTS)
                return -EBADMSG;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}
