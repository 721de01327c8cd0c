/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error pipe between a forked child and its parent. */
#include <fcntl.h>
#include <signal.h>

#include "macro.h"
#include "process.h"

pid_t ts_fork_reporting(int *ret_fd) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        pid_t pid = fork();
        if (pid < 0) {
                int r = negative_errno();
                close(pipefd[0]);
                close(pipefd[1]);
                return r;
        }
        close(pipefd[pid == 0 ? 0 : 1]);
        *ret_fd = pipefd[pid == 0 ? 1 : 0];
        return pid;
}

_Noreturn void ts_child_report(int fd, int error, int status) {
        (void)!write(fd, &error, sizeof error);
        _exit(status);
}

int ts_child_collect(int fd) {
        int error = 0;
        ssize_t k;
        do
                k = read(fd, &error, sizeof error);
        while (k < 0 && errno == EINTR);
        close(fd);
        return k == (ssize_t)sizeof error ? error : 0;
}

void ts_reset_signals(void) {
        sigset_t none;
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
        for (int sig = 1; sig < _NSIG; sig++)
                (void)signal(sig, SIG_DFL);
}
