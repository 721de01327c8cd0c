/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The workload bench-inject times, bare and under injection: task creations one after another and
 * nothing else, so that the cost of each creation dominates.
 *   loop threads N   create and join N threads (pthread_create: clone3, or clone after ENOSYS)
 *   loop forks N     fork N children, each _exit(0)s at once and is waited for
 * It prints nothing on success; it exits 1 when a creation fails, 2 on bad usage. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *nothing(void *arg) {
        return arg;
}

static int loop_threads(long n) {
        for (long i = 0; i < n; i++) {
                pthread_t t;
                if (pthread_create(&t, NULL, nothing, NULL) != 0)
                        return 1;
                (void)pthread_join(t, NULL);
        }
        return 0;
}

static int loop_forks(long n) {
        for (long i = 0; i < n; i++) {
                pid_t pid = fork();
                if (pid < 0)
                        return 1;
                if (pid == 0)
                        _exit(0);
                if (waitpid(pid, NULL, 0) != pid)
                        return 1;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        char *end = NULL;
        long n = argc == 3 ? strtol(argv[2], &end, 10) : -1;
        if (argc != 3 || !end || *end || end == argv[2] || n < 0) {
                fprintf(stderr, "usage: bench-loop threads|forks N\n");
                return 2;
        }
        if (strcmp(argv[1], "threads") == 0)
                return loop_threads(n);
        if (strcmp(argv[1], "forks") == 0)
                return loop_forks(n);
        fprintf(stderr, "usage: bench-loop threads|forks N\n");
        return 2;
}
