/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The baseline of the spawn-rate benchmark: the least a program can do to create tasks and hold
 * them. `minimal-spawn fork` forks children that pause, `minimal-spawn thread` creates threads
 * (64 KiB stacks, as taskstorm's thread storm) that pause, until a creation fails; then it holds
 * until killed. No bookkeeping, no shared memory, no reporting: the practical limit of the machine. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void *hold(void *unused) {
        (void)unused;
        for (;;)
                pause();
        return NULL;
}

int main(int argc, char *argv[]) {
        if (argc != 2 || (strcmp(argv[1], "fork") != 0 && strcmp(argv[1], "thread") != 0)) {
                fprintf(stderr, "usage: minimal-spawn fork|thread\n");
                return 2;
        }
        if (strcmp(argv[1], "fork") == 0)
                for (;;) {
                        pid_t pid = fork();
                        if (pid < 0)
                                break;
                        if (pid == 0) {
                                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                                hold(NULL);
                        }
                }
        else {
                pthread_attr_t attr;
                pthread_attr_init(&attr);
                pthread_attr_setstacksize(&attr, 64 * 1024);
                for (;;) {
                        pthread_t t;
                        if (pthread_create(&t, &attr, hold, NULL) != 0)
                                break;
                }
        }
        hold(NULL);
}
