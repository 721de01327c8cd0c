/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time spans as people write them on command lines and in scenario files. */
#include <string.h>

#include "macro.h"
#include "time-util.h"

int ts_parse_timespan(const char *s, usec_t *ret) {
        static const struct {
                const char *suffix;
                usec_t factor;
        } units[] = {
                { "us", 1 }, { "ms", USEC_PER_MSEC }, { "s", USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC }, { "", USEC_PER_SEC },
        };
        if (!s || *s < '0' || *s > '9')
                return -EINVAL;

        usec_t whole = 0, frac = 0, frac_scale = 1;
        const char *p = s;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (whole > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                whole = whole * 10 + (usec_t)(*p - '0');
        }
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++)
                        if (frac_scale < 1000000) {
                                frac = frac * 10 + (usec_t)(*p - '0');
                                frac_scale *= 10;
                        }
        }
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                if (!streq(p, units[i].suffix))
                        continue;
                usec_t f = units[i].factor;
                if (whole > UINT64_MAX / f / 2)
                        return -ERANGE;
                *ret = whole * f + frac * f / frac_scale;
                return 0;
        }
        return -EINVAL;
}
