/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time spans and timestamps as people write them on command lines and in scenario files: the
 * grammar of systemd.time(7), so what systemctl and journalctl take is taken here too. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "time-util.h"

/* Spelled exactly, case included: "m" is a minute and "M" a month. */
static const struct {
        const char *name;
        usec_t factor;
} time_units[] = {
        { "usec", 1 },
        { "us", 1 },
        { "\xc2\xb5s", 1 }, /* µs with U+00B5 MICRO SIGN */
        { "\xce\xbcs", 1 }, /* μs with U+03BC GREEK SMALL LETTER MU, which looks the same */
        { "msec", USEC_PER_MSEC },
        { "ms", USEC_PER_MSEC },
        { "seconds", USEC_PER_SEC },
        { "second", USEC_PER_SEC },
        { "sec", USEC_PER_SEC },
        { "s", USEC_PER_SEC },
        { "minutes", USEC_PER_MINUTE },
        { "minute", USEC_PER_MINUTE },
        { "min", USEC_PER_MINUTE },
        { "m", USEC_PER_MINUTE },
        { "hours", USEC_PER_HOUR },
        { "hour", USEC_PER_HOUR },
        { "hr", USEC_PER_HOUR },
        { "h", USEC_PER_HOUR },
        { "days", USEC_PER_DAY },
        { "day", USEC_PER_DAY },
        { "d", USEC_PER_DAY },
        { "weeks", USEC_PER_WEEK },
        { "week", USEC_PER_WEEK },
        { "w", USEC_PER_WEEK },
        { "months", USEC_PER_MONTH },
        { "month", USEC_PER_MONTH },
        { "M", USEC_PER_MONTH },
        { "years", USEC_PER_YEAR },
        { "year", USEC_PER_YEAR },
        { "y", USEC_PER_YEAR },
};

/* Days named relative to today; the timestamp is that day's midnight. */
static const struct {
        const char *word;
        int days;
} day_words[] = {
        { "today", 0 },
        { "yesterday", -1 },
        { "tomorrow", 1 },
};

/* English, in any case, as systemd prints and reads them; tm_wday numbering. */
static const struct {
        const char *name;
        int wday;
} weekdays[] = {
        /* two days a line, each with its short and long name: clang-format would fill the lines */
        /* clang-format off */
        { "Sun", 0 }, { "Sunday", 0 }, { "Mon", 1 }, { "Monday", 1 },
        { "Tue", 2 }, { "Tuesday", 2 }, { "Wed", 3 }, { "Wednesday", 3 },
        { "Thu", 4 }, { "Thursday", 4 }, { "Fri", 5 }, { "Friday", 5 },
        { "Sat", 6 }, { "Saturday", 6 },
        /* clang-format on */
};

/* The absolute forms, each tried until one reads the whole text. Without a date it is today's;
 * after the seconds may come a fraction, which strptime() does not read. */
static const struct {
        const char *format;
        bool date, seconds;
} timestamp_formats[] = {
        { "%Y-%m-%d %H:%M:%S", true, true }, { "%Y-%m-%dT%H:%M:%S", true, true },
        { "%Y-%m-%d %H:%M", true, false },   { "%Y-%m-%dT%H:%M", true, false },
        { "%Y-%m-%d", true, false },         { "%H:%M:%S", false, true },
        { "%H:%M", false, false },
};

/* Letters, and the bytes of UTF-8 sequences for µ: what a unit is spelled with. */
static bool is_unit_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

static const char *skip_blanks(const char *p) {
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

/* The factor of the unit spelled by the n bytes at name, or 0 for none. */
static usec_t unit_factor(const char *name, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(time_units); i++)
                if (strlen(time_units[i].name) == n && strneq(name, time_units[i].name, n))
                        return time_units[i].factor;
        return 0;
}

/* The digits at p as that fraction of unit, in µs, digits below a microsecond dropped. Returns the
 * end of the digits. */
static const char *parse_fraction(const char *p, usec_t unit, usec_t *ret) {
        usec_t usec = 0, scale = unit;
        for (; ascii_digit(*p); p++)
                if (scale >= 10) {
                        scale /= 10;
                        usec += (usec_t)(*p - '0') * scale;
                }
        *ret = usec;
        return p;
}

int ts_parse_timespan(const char *s, usec_t max, usec_t *ret) {
        if (!s)
                return -EINVAL;
        const char *p = skip_blanks(s);
        if (!ascii_digit(*p))
                return -EINVAL;

        /* Too long is told only once all of it has been read: an unknown unit or a stray character
         * is the better answer for "99999999999999999999 parsecs". */
        usec_t total = 0;
        bool overflow = false, bare = false;
        unsigned components = 0;
        while (*p) {
                if (!ascii_digit(*p))
                        return -EINVAL;
                usec_t whole = 0;
                for (; ascii_digit(*p); p++)
                        overflow |= __builtin_mul_overflow(whole, 10, &whole) ||
                                    __builtin_add_overflow(whole, (usec_t)(*p - '0'), &whole);
                const char *fraction = NULL;
                if (*p == '.') {
                        fraction = ++p;
                        if (!ascii_digit(*p))
                                return -EINVAL;
                        while (ascii_digit(*p))
                                p++;
                }

                p = skip_blanks(p);
                const char *unit = p;
                while (is_unit_char(*p))
                        p++;
                usec_t factor = USEC_PER_SEC;
                if (p == unit)
                        bare = true;
                else if ((factor = unit_factor(unit, (size_t)(p - unit))) == 0)
                        return -ENOMSG;
                components++;
                if (bare && components > 1)
                        return -ENOMSG;

                usec_t usec, part = 0;
                overflow |= __builtin_mul_overflow(whole, factor, &usec);
                if (fraction)
                        (void)parse_fraction(fraction, factor, &part);
                overflow |= __builtin_add_overflow(usec, part, &usec) ||
                            __builtin_add_overflow(total, usec, &total);
                p = skip_blanks(p);
        }
        if (overflow || total > max)
                return -ERANGE;
        *ret = total;
        return 0;
}

/* Cuts suffix off the end of s if it is there. */
static bool strip_suffix(char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        if (n < k || !streq(s + n - k, suffix))
                return false;
        s[n - k] = 0;
        return true;
}

/* now moved by the span at s, back (sign < 0) or ahead; -ERANGE before 1970 or past the clock. */
static int move_by_span(const char *s, usec_t now, int sign, usec_t *ret) {
        usec_t span;
        int r = ts_parse_timespan(s, sign < 0 ? now : USEC_INFINITY - 1 - now, &span);
        if (r < 0)
                return r;
        *ret = sign < 0 ? now - span : now + span;
        return 0;
}

/* The weekday named by the first word of *p, stepping past it; -1 if it names none. A weekday alone
 * is no timestamp, so a word that ends the text is not one. */
static int parse_weekday(const char **p) {
        size_t n = strcspn(*p, " \t");
        if ((*p)[n] == 0)
                return -1;
        for (size_t i = 0; i < ELEMENTSOF(weekdays); i++)
                if (strlen(weekdays[i].name) == n && strncasecmp(*p, weekdays[i].name, n) == 0) {
                        *p = skip_blanks(*p + n);
                        return weekdays[i].wday;
                }
        return -1;
}

/* The calendar time at p, in the fields of tm; today gives the date where p has none. Returns 1
 * where the fields are as written, 0 where they are today's moved by days, which mktime() is to
 * carry over. */
static int parse_calendar(const char *p, const struct tm *today, struct tm *ret, usec_t *ret_fraction) {
        for (size_t i = 0; i < ELEMENTSOF(day_words); i++)
                if (streq(p, day_words[i].word)) {
                        *ret = *today;
                        ret->tm_mday += day_words[i].days; /* mktime() carries it into the month */
                        *ret_fraction = 0;
                        return 0;
                }

        for (size_t i = 0; i < ELEMENTSOF(timestamp_formats); i++) {
                struct tm tm = {};
                usec_t fraction = 0;
                const char *e = strptime(p, timestamp_formats[i].format, &tm);
                if (!e)
                        continue;
                if (timestamp_formats[i].seconds && *e == '.' && ascii_digit(e[1]))
                        e = parse_fraction(e + 1, USEC_PER_SEC, &fraction);
                if (*e != 0)
                        continue;
                if (!timestamp_formats[i].date) {
                        tm.tm_year = today->tm_year;
                        tm.tm_mon = today->tm_mon;
                        tm.tm_mday = today->tm_mday;
                }
                *ret = tm;
                *ret_fraction = fraction;
                return 1;
        }
        return -EINVAL;
}

int ts_parse_timestamp(const char *s, usec_t now, usec_t *ret) {
        if (!s)
                return -EINVAL;
        _cleanup_(freep) char *buf = strdup(s);
        if (!buf)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(buf);

        /* Trailing blanks, then " UTC", come off first: they may end any form. */
        for (size_t n = strlen(buf); n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'); n--)
                buf[n - 1] = 0;
        bool utc = strip_suffix(buf, " UTC");
        char *p = buf + strspn(buf, " \t");

        if (streq(p, "now")) {
                *ret = now;
                return 0;
        }
        if (*p == '@') {
                /* Seconds since the epoch, with a fraction perhaps, but no unit: "@5min" is a mistake. */
                if (p[1 + strspn(p + 1, "0123456789.")] != 0)
                        return -EINVAL;
                return ts_parse_timespan(p + 1, USEC_INFINITY - 1, ret);
        }
        if (*p == '-' || *p == '+')
                return move_by_span(p + 1, now, *p == '-' ? -1 : 1, ret);
        if (strip_suffix(p, " ago"))
                return move_by_span(p, now, -1, ret);
        if (strip_suffix(p, " left"))
                return move_by_span(p, now, 1, ret);

        const char *q = p;
        int wday = parse_weekday(&q);

        time_t now_sec = (time_t)(now / USEC_PER_SEC);
        struct tm today;
        if (!(utc ? gmtime_r(&now_sec, &today) : localtime_r(&now_sec, &today)))
                return -ERANGE;
        today.tm_hour = today.tm_min = today.tm_sec = 0;

        struct tm tm;
        usec_t fraction;
        int r = parse_calendar(q, &today, &tm, &fraction);
        if (r < 0)
                return r;
        bool as_written = r > 0;

        struct tm written = tm;
        tm.tm_isdst = -1;
        time_t t = utc ? timegm(&tm) : mktime(&tm);
        if (t < 0)
                return -ERANGE;
        /* mktime() makes February 30 March 2 and 23:59:60 tomorrow; as written, neither is a time.
         * The hour may move, where a summer-time change skips it. */
        if (as_written &&
            (tm.tm_year != written.tm_year || tm.tm_mon != written.tm_mon || tm.tm_mday != written.tm_mday))
                return -EINVAL;
        if (wday >= 0 && tm.tm_wday != wday)
                return -EINVAL;
        *ret = (usec_t)t * USEC_PER_SEC + fraction;
        return 0;
}

void ts_sleep_backoff(usec_t *delay, usec_t max) {
        struct timespec ts = { .tv_sec = (time_t)(*delay / USEC_PER_SEC),
                               .tv_nsec = (long)(*delay % USEC_PER_SEC) * 1000 };
        nanosleep(&ts, NULL);
        *delay = *delay * 2 > max ? max : *delay * 2;
}
