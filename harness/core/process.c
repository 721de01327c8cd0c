/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error pipe between a forked child and its parent. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

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

int ts_spawn_piped(char *const argv[], pid_t *ret_pid, int *ret_fd) {
        int out[2];
        if (pipe2(out, O_CLOEXEC) < 0)
                return negative_errno();
        int err_fd;
        pid_t parent = getpid();
        pid_t pid = ts_fork_reporting(&err_fd);
        if (pid < 0) {
                close(out[0]);
                close(out[1]);
                return pid;
        }
        if (pid == 0) {
                ts_reset_signals();
                (void)setpgid(0, 0);
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                        ts_child_report(err_fd, negative_errno(), 127);
                if (getppid() != parent) /* this process died before the death signal was set up */
                        _exit(128 + SIGKILL);
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 ||
                    dup2(out[1], STDERR_FILENO) < 0)
                        ts_child_report(err_fd, negative_errno(), 127);
                execvp(argv[0], argv);
                ts_child_report(err_fd, negative_errno(), 127);
        }
        close(out[1]);
        int r = ts_child_collect(err_fd);
        if (r < 0) {
                close(out[0]);
                (void)waitpid(pid, NULL, 0);
                return r;
        }
        *ret_pid = pid;
        *ret_fd = out[0];
        return 0;
}

int ts_piped_finish(pid_t pid, int fd, usec_t timeout, char *output, size_t size) {
        size_t got = 0;
        bool timed_out = false;
        usec_t deadline = ts_now(CLOCK_MONOTONIC) + timeout;
        for (;;) {
                usec_t now = ts_now(CLOCK_MONOTONIC);
                if (now >= deadline) {
                        timed_out = true;
                        (void)kill(-pid, SIGKILL);
                        break;
                }
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int n = poll(&p, 1, (int)((deadline - now) / USEC_PER_MSEC) + 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        continue;
                char buf[4096];
                ssize_t k = read(fd, buf, sizeof buf);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                /* Keep the start: the first lines say what went wrong. */
                if (output && got + 1 < size) {
                        size_t take = (size_t)k < size - 1 - got ? (size_t)k : size - 1 - got;
                        memcpy(output + got, buf, take);
                        got += take;
                }
        }
        if (output && size > 0)
                output[got] = 0;
        close(fd);
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (timed_out)
                return -ETIMEDOUT;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int ts_run_command(char *const argv[], usec_t timeout, char *output, size_t size) {
        pid_t pid;
        int fd;
        int r = ts_spawn_piped(argv, &pid, &fd);
        return r < 0 ? r : ts_piped_finish(pid, fd, timeout, output, size);
}
