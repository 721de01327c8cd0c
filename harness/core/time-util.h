/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Monotonic microsecond clock used for every timing and timeout in the harness, and the time spans
 * and timestamps people give it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef uint64_t usec_t;
#define USEC_PER_MSEC ((usec_t)1000)
#define USEC_PER_SEC ((usec_t)1000000)
#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)
#define USEC_PER_WEEK (7 * USEC_PER_DAY)
#define USEC_PER_MONTH (2629800 * USEC_PER_SEC) /* 30.44 days, as systemd.time(7) counts a month */
#define USEC_PER_YEAR (31557600 * USEC_PER_SEC) /* 365.25 days */
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

/* A time span as systemd.time(7) writes it: "0", "250us", "500ms", "1.5s", "1 min", "1min30s",
 * "2h 5min", "1.5h", "3 days"; units usec/us/µs, msec/ms, seconds/second/sec/s, minutes/minute/
 * min/m, hours/hour/hr/h, days/day/d, weeks/week/w, months/month/M, years/year/y. A number alone is
 * seconds, but only as the whole span: in "1min30" the 30 has no unit, as a typo would leave it.
 * -EINVAL: not a number; -ENOMSG: unknown or missing unit; -ERANGE: more than max, or overflow. */
int ts_parse_timespan(const char *s, usec_t max, usec_t *ret);

/* A timestamp as systemd.time(7) writes it, as CLOCK_REALTIME µs: "now", "today", "yesterday",
 * "tomorrow", "2026-01-31", "2026-01-31 12:00", "2026-01-31 12:00:05.25" (or with T for the blank),
 * "12:00[:05]" (today), each with an optional weekday first ("Sat 2026-01-31", which must be that
 * date's) and " UTC" last (else local time); "@1767225600" (the epoch); "-5min", "+5min",
 * "5min ago", "5min left". now is the present, passed in so the result depends on nothing else.
 * -EINVAL: not a timestamp (or the weekday does not match); -ENOMSG: unknown unit in a relative
 * time; -ERANGE: before 1970 or too far ahead. */
int ts_parse_timestamp(const char *s, usec_t now, usec_t *ret);

/* Where waiting for an event is not possible: sleeps *delay, then doubles it, up to max. */
void ts_sleep_backoff(usec_t *delay, usec_t max);
