/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Monotonic microsecond clock used for every timing and timeout in the harness. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef uint64_t usec_t;
#define USEC_PER_MSEC ((usec_t)1000)
#define USEC_PER_SEC ((usec_t)1000000)
#define USEC_INFINITY ((usec_t)UINT64_MAX)

static inline usec_t ts_now(clockid_t clock) {
        struct timespec t;
        clock_gettime(clock, &t);
        return (usec_t)t.tv_sec * USEC_PER_SEC + (usec_t)t.tv_nsec / 1000;
}

typedef uint64_t nsec_t;

/* How long one step took, if it ran. */
typedef struct TsTiming {
        bool done;
        nsec_t start;    /* CLOCK_MONOTONIC ns */
        nsec_t duration; /* ns */
} TsTiming;
#define NSEC_PER_USEC ((nsec_t)1000)
#define NSEC_PER_MSEC ((nsec_t)1000000)
#define NSEC_PER_SEC ((nsec_t)1000000000)

/* Monotonic nanoseconds: the unit of every phase timing. */
static inline nsec_t ts_now_ns(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (nsec_t)t.tv_sec * NSEC_PER_SEC + (nsec_t)t.tv_nsec;
}

/* Marks a step that began at start (ts_now_ns()) as done now. */
static inline void ts_timing_end(TsTiming *t, nsec_t start) {
        nsec_t now = ts_now_ns();
        *t = (TsTiming){ .done = true, .start = start, .duration = now > start ? now - start : 0 };
}

/* "0", "250us", "500ms", "2", "1.5s", "1 min" (no unit: seconds; blanks before the unit allowed).
 * -EINVAL: not a number; -ENOMSG: unknown unit; -ERANGE: more than max. */
int ts_parse_timespan(const char *s, usec_t max, usec_t *ret);

/* Where waiting for an event is not possible: sleeps *delay, then doubles it, up to max. */
void ts_sleep_backoff(usec_t *delay, usec_t max);
