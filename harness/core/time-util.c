/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time spans as people write them on command lines and in scenario files. */
#include <stdbool.h>
#include <string.h>

#include "macro.h"
#include "time-util.h"

static const struct {
        const char *suffix;
        usec_t factor;
} time_units[] = {
        { "us", 1 }, { "ms", USEC_PER_MSEC }, { "s", USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC },
        { "", USEC_PER_SEC }, /* no unit: seconds */
};

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

int ts_parse_timespan(const char *s, usec_t max, usec_t *ret) {
        if (!s || !is_digit(*s))
                return -EINVAL;

        /* Anything above max in any unit is too long: clamping keeps the products below in range. */
        usec_t whole = 0;
        bool too_long = false;
        const char *p = s;
        for (; is_digit(*p); p++) {
                whole = whole * 10 + (usec_t)(*p - '0');
                if (whole > max) {
                        too_long = true;
                        whole = max;
                }
        }
        const char *fraction = NULL;
        if (*p == '.') {
                fraction = ++p;
                if (!is_digit(*p))
                        return -EINVAL;
                while (is_digit(*p))
                        p++;
        }
        while (*p == ' ' || *p == '\t')
                p++;

        usec_t unit = 0;
        for (size_t i = 0; i < ELEMENTSOF(time_units); i++)
                if (streq(p, time_units[i].suffix))
                        unit = time_units[i].factor;
        if (unit == 0)
                return -ENOMSG;

        usec_t usec = whole * unit, scale = unit;
        for (const char *f = fraction; f && is_digit(*f) && scale >= 10; f++) {
                scale /= 10;
                usec += (usec_t)(*f - '0') * scale;
        }
        if (too_long || usec > max)
                return -ERANGE;
        *ret = usec;
        return 0;
}

void ts_sleep_backoff(usec_t *delay, usec_t max) {
        struct timespec ts = { .tv_sec = (time_t)(*delay / USEC_PER_SEC),
                               .tv_nsec = (long)(*delay % USEC_PER_SEC) * 1000 };
        nanosleep(&ts, NULL);
        *delay = *delay * 2 > max ? max : *delay * 2;
}
