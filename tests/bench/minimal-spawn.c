/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The baseline of the spawn-rate benchmark: the least a program can do to create tasks and hold
 * them, until a creation fails; then it holds until killed. No bookkeeping, no shared memory, no
 * reporting: the practical limit of the machine. Linked statically, as tstask is.
 *
 *   minimal-spawn fork    children that pause
 *   minimal-spawn thread  threads (64 KiB stacks, as taskstorm's thread storm) that pause
 *   minimal-spawn exec    children that exec this program's `hold`, each waited for until its exec
 *                         happened (a close-on-exec pipe), as Go's fork/exec and runc do
 *   minimal-spawn mixed   a thread, then a child, in turn
 *   minimal-spawn hold    pause (what exec runs) */
#include <fcntl.h>
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

static int spawn_fork(void) {
        pid_t pid = fork();
        if (pid == 0) {
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                hold(NULL);
        }
        return pid < 0 ? -1 : 0;
}

static int spawn_thread(void) {
        static pthread_attr_t attr;
        static int ready;
        if (!ready) {
                pthread_attr_init(&attr);
                pthread_attr_setstacksize(&attr, 64 * 1024);
                ready = 1;
        }
        pthread_t t;
        return pthread_create(&t, &attr, hold, NULL) != 0 ? -1 : 0;
}

static int spawn_exec(void) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                char *const argv[] = { "minimal-spawn", "hold", NULL };
                execv("/proc/self/exe", argv);
                (void)!write(p[1], "x", 1);
                _exit(127);
        }
        close(p[1]);
        char b;
        ssize_t k = pid < 0 ? 1 : read(p[0], &b, 1); /* nothing: the exec happened */
        close(p[0]);
        return k == 0 ? 0 : -1;
}

static int spawn_mixed(void) {
        static unsigned n;
        return n++ % 2 == 0 ? spawn_thread() : spawn_fork();
}

int main(int argc, char *argv[]) {
        static const struct {
                const char *name;
                int (*spawn)(void);
        } modes[] = {
                { "fork", spawn_fork },
                { "thread", spawn_thread },
                { "exec", spawn_exec },
                { "mixed", spawn_mixed },
        };
        if (argc == 2 && strcmp(argv[1], "hold") == 0)
                hold(NULL);
        for (size_t i = 0; argc == 2 && i < sizeof modes / sizeof modes[0]; i++)
                if (strcmp(argv[1], modes[i].name) == 0) {
                        while (modes[i].spawn() == 0)
                                ;
                        hold(NULL);
                }
        fprintf(stderr, "usage: minimal-spawn fork|thread|exec|mixed|hold\n");
        return 2;
}
