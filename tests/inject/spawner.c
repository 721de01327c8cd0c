/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The program the injection tests run under 'taskstorm inject':
 *   spawner threads N   create N threads one after another (each exits at once, and is joined);
 *                       print "failed I ERRNO" for each that failed and "created K" at the end
 *   spawner fork        fork once; print "fork ok" or "fork failed ERRNO"
 *   spawner raw-clone   the clone syscall itself, without glibc; "raw-clone ok" or
 *                       "raw-clone failed ERRNO" */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat.h" /* strerrorname_np where glibc lacks it */

static void *nothing(void *arg) {
        return arg;
}

static int report(const char *what, long r, int error) {
        if (r < 0) {
                printf("%s failed %s\n", what, strerrorname_np(error));
                return 1;
        }
        if (r == 0)
                _exit(0);
        (void)waitpid((pid_t)r, NULL, 0);
        printf("%s ok\n", what);
        return 0;
}

int main(int argc, char *argv[]) {
        if (argc == 3 && strcmp(argv[1], "threads") == 0) {
                int n = atoi(argv[2]), created = 0;
                for (int i = 1; i <= n; i++) {
                        pthread_t t;
                        int r = pthread_create(&t, NULL, nothing, NULL);
                        if (r != 0) {
                                printf("failed %d %s\n", i, strerrorname_np(r));
                                continue;
                        }
                        pthread_join(t, NULL);
                        created++;
                }
                printf("created %d\n", created);
                return 0;
        }
        if (argc == 2 && strcmp(argv[1], "fork") == 0) {
                pid_t pid = fork();
                return report("fork", pid, errno);
        }
        if (argc == 2 && strcmp(argv[1], "raw-clone") == 0) {
                long r = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
                return report("raw-clone", r, errno);
        }
        fprintf(stderr, "usage: spawner threads N | fork | raw-clone\n");
        return 2;
}
