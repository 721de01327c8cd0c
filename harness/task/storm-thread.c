/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* thread storms: each task is a thread of the leader that holds, as a Go runtime's or a JVM's
 * threads do; pthread_create() fails with EAGAIN at the limit ("runtime/cgo: pthread_create failed"). */
#include <pthread.h>
#include <unistd.h>

#include "macro.h"
#include "storm-kind.h"

/* Small stacks: the storm is about the task limit, not memory. */
#define HOLDER_STACK_SIZE (64 * 1024)

static void *thread_hold(void *arg) {
        for (;;)
                pause();
        return NULL;
}

static int thread_create(TsStormLeader *l) {
        pthread_attr_t attr;
        int r = pthread_attr_init(&attr);
        if (r != 0)
                return -r;
        (void)pthread_attr_setstacksize(&attr, HOLDER_STACK_SIZE);
        (void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_t t;
        r = pthread_create(&t, &attr, thread_hold, NULL);
        pthread_attr_destroy(&attr);
        return -r;
}

const TsStormKindOps ts_storm_kind_thread = {
        .create = thread_create,
};
