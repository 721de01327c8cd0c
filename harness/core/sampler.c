/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sampling thread: absolute-time ticks on CLOCK_MONOTONIC, the three pids files kept open and
 * re-read with pread (a kept fd costs a few microseconds a tick), reopened when the cgroup is
 * removed and made again (a restart). */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "sampler.h"

enum { FILE_CURRENT, FILE_MAX, FILE_EVENTS, _FILE_MAX };
static const char *const file_names[_FILE_MAX] = {
        [FILE_CURRENT] = "pids.current",
        [FILE_MAX] = "pids.max",
        [FILE_EVENTS] = "pids.events",
};

struct TsSampler {
        pthread_t thread;
        atomic_bool stop;
        char *dir;
        nsec_t origin;
        TsProgress *progress;
        int fds[_FILE_MAX];
        TsSamples out;
        size_t capacity;
};

static void close_files(TsSampler *s) {
        for (size_t i = 0; i < _FILE_MAX; i++)
                s->fds[i] = safe_close(s->fds[i]);
}

static int open_files(TsSampler *s) {
        for (size_t i = 0; i < _FILE_MAX; i++) {
                char path[PATH_MAX];
                int r = path_printf(path, sizeof path, "%s/%s", s->dir, file_names[i]);
                if (r < 0)
                        return r;
                s->fds[i] = open(path, O_RDONLY | O_CLOEXEC);
                if (s->fds[i] < 0) {
                        r = negative_errno();
                        close_files(s);
                        return r;
                }
        }
        return 0;
}

/* One file's number: "12", "max", or pids.events' "max N". */
static int read_number(int fd, bool events, uint64_t *ret) {
        char buf[64];
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n <= 0)
                return n < 0 ? negative_errno() : -ENODATA;
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        const char *p = buf;
        if (events) {
                if (!strneq(buf, "max ", 4))
                        return -EBADMSG;
                p += 4;
        } else if (streq(buf, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        return ts_safe_atou64(p, ret);
}

static int read_sample(TsSampler *s, TsSample *ret) {
        if (s->fds[0] < 0) {
                int r = open_files(s);
                if (r < 0)
                        return r;
        }
        int r = read_number(s->fds[FILE_CURRENT], false, &ret->current);
        if (r >= 0)
                r = read_number(s->fds[FILE_MAX], false, &ret->max);
        if (r >= 0)
                r = read_number(s->fds[FILE_EVENTS], true, &ret->events_max);
        if (r < 0)
                close_files(s); /* a removed cgroup: open the new one next tick */
        return r;
}

/* Full: keep every other sample, so the series spans the whole run at half the resolution. */
static void thin(TsSamples *o) {
        for (size_t i = 0; i < o->n / 2; i++)
                o->samples[i] = o->samples[2 * i];
        o->n /= 2;
        o->interval *= 2;
}

static void store(TsSampler *s, const TsSample *x) {
        TsSamples *o = &s->out;
        if (o->n == s->capacity && s->capacity < TS_SAMPLES_MAX) {
                size_t c = s->capacity ? s->capacity * 2 : 1024;
                TsSample *grown = realloc(o->samples, c * sizeof *grown);
                if (grown) {
                        o->samples = grown;
                        s->capacity = c;
                }
        }
        if (o->n == s->capacity) {
                if (s->capacity < 2)
                        return;
                thin(o); /* and the thread now ticks at the doubled interval */
        }
        o->samples[o->n++] = *x;
}

static void *sampler_main(void *userdata) {
        TsSampler *s = userdata;
        struct timespec next;
        (void)prctl(PR_SET_TIMERSLACK, 1000UL); /* ticks on time, not up to 50 us late */
        clock_gettime(CLOCK_MONOTONIC, &next);
        while (!atomic_load(&s->stop)) {
                TsSample x = {};
                nsec_t now = ts_now_ns();
                if (read_sample(s, &x) >= 0) {
                        x.t = now > s->origin ? now - s->origin : 0;
                        store(s, &x);
                        if (s->progress)
                                atomic_store(&s->progress->tasks, x.current);
                } else
                        s->out.missed++;

                nsec_t at = (nsec_t)next.tv_sec * NSEC_PER_SEC + (nsec_t)next.tv_nsec + s->out.interval;
                now = ts_now_ns();
                if (at < now)
                        at = now; /* late (a busy machine): go on from now, no burst to catch up */
                next = (struct timespec){ .tv_sec = (time_t)(at / NSEC_PER_SEC),
                                          .tv_nsec = (long)(at % NSEC_PER_SEC) };
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
                        ;
        }
        return NULL;
}

int ts_sampler_start(const char *dir, nsec_t origin, nsec_t interval, TsProgress *progress,
                     TsSampler **ret) {
        if (!dir || interval == 0)
                return -EINVAL;
        TsSampler *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        *s = (TsSampler){ .dir = strdup(dir),
                          .origin = origin,
                          .progress = progress,
                          .fds = { -EBADF, -EBADF, -EBADF },
                          .out.interval = interval };
        if (!s->dir) {
                free(s);
                return -ENOMEM;
        }
        int r = -pthread_create(&s->thread, NULL, sampler_main, s);
        if (r < 0) {
                free(s->dir);
                free(s);
                return r;
        }
        *ret = s;
        return 0;
}

void ts_sampler_stop(TsSampler *s, TsSamples *ret) {
        if (!s)
                return;
        atomic_store(&s->stop, true);
        (void)pthread_join(s->thread, NULL);
        close_files(s);
        free(s->dir);
        if (ret)
                *ret = s->out;
        else
                free(s->out.samples);
        free(s);
}

double ts_samples_rate(const TsSamples *s) {
        if (s->n < 2 || s->samples[s->n - 1].t <= s->samples[0].t)
                return 0;
        return (double)(s->n - 1) * 1e9 / (double)(s->samples[s->n - 1].t - s->samples[0].t);
}

void ts_samples_done(TsSamples *s) {
        free(s->samples);
        *s = (TsSamples){};
}
