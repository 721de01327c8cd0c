/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the two judges (one unit's in diagnosis.c, the whole machine's in scan-judge.c) share: the
 * sentence that says why, built in pieces into a fixed buffer, and the arithmetic of usage against
 * a limit, done without overflow. */
#pragma once

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diagnosis.h"
#include "macro.h"

/* A sentence built in pieces; a piece that does not fit is cut, never overflows. */
typedef struct Sentence {
        char *buf;
        size_t size, len;
} Sentence;

/* A sentence that goes on after what buf holds already. */
static inline Sentence sentence_at_end(char *buf, size_t size) {
        return (Sentence){ buf, size, strnlen(buf, size > 0 ? size - 1 : 0) };
}

_printf_(2, 3) static inline void add(Sentence *s, const char *format, ...) {
        if (s->len + 1 >= s->size)
                return;
        va_list ap;
        va_start(ap, format);
        int n = vsnprintf(s->buf + s->len, s->size - s->len, format, ap);
        va_end(ap);
        if (n > 0)
                s->len = s->len + (size_t)n < s->size ? s->len + (size_t)n : s->size - 1;
}

static inline const char *plural(uint64_t n) {
        return n == 1 ? "" : "s";
}

/* a * 100 >= b * percent, without overflow. */
static inline bool at_least_percent(uint64_t a, uint64_t b, unsigned percent) {
        return (unsigned __int128)a * 100 >= (unsigned __int128)b * percent;
}

/* a as a percentage of b, at most 999 (rounded to the nearest when round, else down). */
static inline unsigned percent_of(uint64_t a, uint64_t b, bool round) {
        if (b == 0)
                return 100;
        unsigned __int128 p = ((unsigned __int128)a * 100 + (round ? b / 2 : 0)) / b;
        return p > 999 ? 999 : (unsigned)p;
}

static inline bool is_finite(TsValue v) {
        return v.known && v.value != UINT64_MAX;
}

/* "Tasks: 450 (Limit: 512): ", as systemctl status shows it, or less where less is known. */
static inline void add_tasks(Sentence *s, TsValue current, TsValue limit) {
        if (is_finite(current)) {
                add(s, "Tasks: %" PRIu64, current.value);
                if (is_finite(limit))
                        add(s, " (Limit: %" PRIu64 ")", limit.value);
                add(s, ": ");
        } else if (is_finite(limit))
                add(s, "Limit: %" PRIu64 ": ", limit.value);
}

/* The EAGAIN pattern seen most often (every pattern but the kernel's and those of other errnos:
 * ENOMEM, EDQUOT), or -1. */
static inline int top_eagain_pattern(const TsPatternHits hits[_TS_PATTERN_MAX]) {
        int top = -1;
        for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++) {
                if (ts_pattern_info(p)->kernel || ts_pattern_info(p)->error != EAGAIN || hits[p].count == 0)
                        continue;
                if (top < 0 || hits[p].count > hits[top].count)
                        top = (int)p;
        }
        return top;
}

/* "its log shows 3 lines of 'fork/exec ... resource temporarily unavailable'" */
static inline void add_pattern_lines(Sentence *s, uint64_t count, TsPattern p) {
        add(s, "its log shows %" PRIu64 " line%s of '%s'", count, plural(count),
            ts_pattern_info(p)->summary);
}

/* The same for the pattern seen most (top_eagain_pattern()), if any. */
static inline void add_log_lines(Sentence *s, const TsPatternHits hits[_TS_PATTERN_MAX], int top) {
        if (top >= 0)
                add_pattern_lines(s, hits[top].count, (TsPattern)top);
}

/* "85% of the limit, at or above 80%" */
static inline void add_near_limit(Sentence *s, uint64_t current, uint64_t limit, unsigned threshold) {
        add(s, "%u%% of the limit, at or above %u%%", percent_of(current, limit, true), threshold);
}

/* "containerd.service usually needs thousands of tasks; Limit: 100 is below 4096" */
static inline void add_busy_daemon(Sentence *s, const char *unit, uint64_t limit, uint64_t needs) {
        add(s, "%s usually needs thousands of tasks; Limit: %" PRIu64 " is below %" PRIu64, unit, limit,
            needs);
}
