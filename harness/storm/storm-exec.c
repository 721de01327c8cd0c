/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec storms: fork, then exec of /proc/self/exe in its holding mode, waiting for the exec as
 * runc waits for its init ("fork/exec /proc/self/exe: resource temporarily unavailable"). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "storm-kind.h"

static int exec_create(TsStormLeader *l) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        char parent[32];
        snprintf(parent, sizeof parent, "%d", (int)getpid());

        pid_t pid = fork();
        if (pid < 0) {
                int r = negative_errno();
                close(pipefd[0]);
                close(pipefd[1]);
                return r;
        }
        if (pid == 0) {
                close(pipefd[0]);
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL); /* kept across exec */
                char *const argv[] = { (char *)l->config->exec_path, TS_STORM_HOLD_VERB, parent, NULL };
                execv(l->config->exec_path, argv);
                int e = errno;
                (void)!write(pipefd[1], &e, sizeof e);
                _exit(127);
        }
        close(pipefd[1]);
        int e = 0;
        ssize_t k;
        do
                k = read(pipefd[0], &e, sizeof e);
        while (k < 0 && errno == EINTR);
        close(pipefd[0]);
        if (k == (ssize_t)sizeof e) {
                (void)waitpid(pid, NULL, 0);
                return -e;
        }
        return 0;
}

const TsStormKindOps ts_storm_kind_exec = {
        .name = "exec",
        .create = exec_create,
};
