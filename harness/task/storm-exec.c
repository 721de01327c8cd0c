/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec storms: fork, then exec of /proc/self/exe (this small program) in its holding mode, waiting
 * for the exec as runc waits for its init ("fork/exec /proc/self/exe: resource temporarily
 * unavailable"). */
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "process.h"
#include "storm-kind.h"
#include "storm-protocol.h"

static int exec_create(TsStormLeader *l) {
        char parent[32];
        snprintf(parent, sizeof parent, "%d", (int)getpid());

        int fd;
        pid_t pid = ts_fork_reporting(&fd);
        if (pid < 0)
                return pid;
        if (pid == 0) {
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL); /* kept across exec */
                char *const argv[] = { "tstask", TS_STORM_TASK_VERB, parent, NULL };
                execv("/proc/self/exe", argv);
                ts_child_report(fd, negative_errno(), 127);
        }
        int r = ts_child_collect(fd);
        if (r < 0)
                (void)waitpid(pid, NULL, 0);
        return r;
}

const TsStormKindOps ts_storm_kind_exec = {
        .create = exec_create,
};
