/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The progress thread draws under a mutex the main thread takes to clear the line, so a result
 * line printed between scenarios never lands in the middle of a progress line. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "macro.h"
#include "progress.h"

#define REDRAW_INTERVAL (100 * NSEC_PER_MSEC)

struct Progress {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t wake;
        bool stop, shown, paused;
        size_t k, n;
        const char *name;
        TsProgress *shared;
};

static void clear_line(Progress *p) {
        if (p->shown)
                fputs("\r\033[K", stderr);
        p->shown = false;
}

static void draw(Progress *p) {
        const char *phase = atomic_load(&p->shared->phase);
        uint64_t tasks = atomic_load(&p->shared->tasks);
        fprintf(stderr, "\r\033[K[%zu/%zu] %s: %s, %llu tasks in the unit", p->k, p->n, strempty(p->name),
                phase ? phase : "starting", (unsigned long long)tasks);
        fflush(stderr);
        p->shown = true;
}

static void *progress_main(void *userdata) {
        Progress *p = userdata;
        pthread_mutex_lock(&p->lock);
        while (!p->stop) {
                if (!p->paused && p->name)
                        draw(p);
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                nsec_t at = (nsec_t)until.tv_nsec + REDRAW_INTERVAL;
                until.tv_sec += (time_t)(at / NSEC_PER_SEC);
                until.tv_nsec = (long)(at % NSEC_PER_SEC);
                (void)pthread_cond_timedwait(&p->wake, &p->lock, &until);
        }
        clear_line(p);
        pthread_mutex_unlock(&p->lock);
        return NULL;
}

Progress *progress_start(TsProgress *shared) {
        if (!isatty(STDERR_FILENO))
                return NULL;
        Progress *p = calloc(1, sizeof *p);
        if (!p)
                return NULL;
        *p = (Progress){ .shared = shared, .paused = true };
        pthread_mutex_init(&p->lock, NULL);
        pthread_cond_init(&p->wake, NULL);
        if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
                free(p);
                return NULL; /* no progress line: nothing else depends on it */
        }
        return p;
}

void progress_scenario(Progress *p, size_t k, size_t n, const char *name) {
        if (!p)
                return;
        pthread_mutex_lock(&p->lock);
        p->k = k;
        p->n = n;
        p->name = name;
        p->paused = false;
        atomic_store(&p->shared->phase, NULL);
        atomic_store(&p->shared->tasks, 0);
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
}

void progress_pause(Progress *p) {
        if (!p)
                return;
        pthread_mutex_lock(&p->lock);
        p->paused = true;
        clear_line(p);
        fflush(stderr);
        pthread_mutex_unlock(&p->lock);
}

void progress_stop(Progress *p) {
        if (!p)
                return;
        pthread_mutex_lock(&p->lock);
        p->stop = true;
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
        (void)pthread_join(p->thread, NULL);
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->wake);
        free(p);
}
