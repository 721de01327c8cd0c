/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One file descriptor over a Unix socket (SCM_RIGHTS): how a process under a seccomp filter hands
 * its notification fd to the supervisor that answers for it. */
#pragma once

/* 0 or a negative errno. */
int ts_send_fd(int sock, int fd);
/* The fd received (close-on-exec), or a negative errno: -EPIPE when the peer closed the socket. */
int ts_receive_fd(int sock);
