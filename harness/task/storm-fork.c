/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fork storms: each task is a child of the leader that holds, as a pre-forking server's workers do. */
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "macro.h"
#include "storm-kind.h"

_Noreturn void ts_storm_child_hold(void) {
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;)
                pause();
}

static int fork_create(TsStormLeader *l) {
        pid_t pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                ts_storm_child_hold();
        return 0;
}

const TsStormKindOps ts_storm_kind_fork = {
        .create = fork_create,
};
