/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* peak-rss COMMAND [ARG...]: runs the command and prints the kernel's peak RSS of it (wait4's
 * ru_maxrss, KiB), with its exit status on stderr when not 0. The kernel keeps the peak across exec,
 * so the count includes the forked copy of whoever starts the command: measured from Python, a run
 * is charged Python's own 9 MiB. This launcher is static and tiny, so that the figure is the
 * command's. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        if (argc < 2) {
                fprintf(stderr, "usage: peak-rss COMMAND [ARG...]\n");
                return 2;
        }
        pid_t pid = fork();
        if (pid < 0) {
                perror("peak-rss: fork");
                return 1;
        }
        if (pid == 0) {
                execvp(argv[1], argv + 1);
                perror("peak-rss: exec");
                _exit(127);
        }
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) < 0) {
                perror("peak-rss: wait4");
                return 1;
        }
        printf("%ld\n", ru.ru_maxrss);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "peak-rss: %s exited with status %d\n", argv[1],
                        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
                return 1;
        }
        return 0;
}
