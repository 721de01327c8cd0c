/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Monotonic microsecond clock used for every timing and timeout in the harness. */
#pragma once

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
