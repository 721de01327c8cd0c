/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time spans and timestamps as systemd.time(7) writes them: every unit and form, the errors told
 * apart, against a fixed present (Saturday 2026-01-31 12:34:56.789 UTC) and a fixed time zone. */
#include <check.h>
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include "../check-tap.h"
#include "macro.h"
#include "time-util.h"

#define SEC(n) ((usec_t)(n)*USEC_PER_SEC)
#define MIN(n) SEC((n)*60)
#define HOUR(n) MIN((n)*60)
#define DAY(n) HOUR((n)*24)

/* The present of every timestamp test, and the midnight that began its day (UTC). */
#define MIDNIGHT SEC(1769817600)
#define NOW (MIDNIGHT + HOUR(12) + MIN(34) + SEC(56) + 789 * USEC_PER_MSEC)

/* Local time from now on is tz's. A test that sets it sets UTC back: with CK_FORK=no the tests share
 * one process. */
static void set_tz(const char *tz) {
        (void)setenv("TZ", tz, 1);
        tzset();
}

static const struct {
        const char *text;
        usec_t usec;
} good_spans[] = {
        { "0", 0 },
        { "3", SEC(3) }, /* a number alone is seconds, as Hold= and --since have always taken it */
        { "1.5", 1500 * USEC_PER_MSEC },
        { "250us", 250 },
        { "250usec", 250 },
        { "250\xc2\xb5s", 250 }, /* MICRO SIGN */
        { "250\xce\xbcs", 250 }, /* GREEK SMALL LETTER MU */
        { "500ms", 500 * USEC_PER_MSEC },
        { "500msec", 500 * USEC_PER_MSEC },
        { "2s", SEC(2) },
        { "2sec", SEC(2) },
        { "1second", SEC(1) },
        { "2seconds", SEC(2) },
        { "1.5s", 1500 * USEC_PER_MSEC },
        { "0.25 s", 250 * USEC_PER_MSEC },
        { "1min", MIN(1) },
        { "2m", MIN(2) },
        { "1minute", MIN(1) },
        { "3minutes", MIN(3) },
        { "1.5min", SEC(90) },
        { "1h", HOUR(1) },
        { "1hr", HOUR(1) },
        { "1hour", HOUR(1) },
        { "2hours", HOUR(2) },
        { "1.5h", MIN(90) },
        { "1d", DAY(1) },
        { "1day", DAY(1) },
        { "2days", DAY(2) },
        { "1w", DAY(7) },
        { "1week", DAY(7) },
        { "2weeks", DAY(14) },
        { "1M", SEC(2629800) }, /* 30.44 days */
        { "1month", SEC(2629800) },
        { "2months", SEC(2 * 2629800) },
        { "0.5M", SEC(1314900) },
        { "1y", DAY(365) + HOUR(6) }, /* 365.25 days */
        { "1year", DAY(365) + HOUR(6) },
        { "2years", DAY(730) + HOUR(12) },
        { "1min30s", SEC(90) },
        { "1min 30s", SEC(90) },
        { "2h 5min", MIN(125) },
        { "1h30m", MIN(90) },
        { "1d 2h 3min 4s 5ms 6us", DAY(1) + HOUR(2) + MIN(3) + SEC(4) + 5 * USEC_PER_MSEC + 6 },
        { "1y 1M 1w", DAY(365) + HOUR(6) + SEC(2629800) + DAY(7) },
        { "  5s  ", SEC(5) },
        { "5 s 3 ms", SEC(5) + 3 * USEC_PER_MSEC },
        { "1.0000001s", SEC(1) }, /* digits below a microsecond are dropped */
        { "1.9us", 1 },
        { "18446744073709us", 18446744073709 },
};

START_TEST(test_span_forms) {
        for (size_t i = 0; i < ELEMENTSOF(good_spans); i++) {
                usec_t u = 12345;
                int r = ts_parse_timespan(good_spans[i].text, USEC_INFINITY, &u);
                ck_assert_msg(r == 0, "'%s': %s", good_spans[i].text, strerror(-r));
                ck_assert_msg(u == good_spans[i].usec, "'%s': %" PRIu64 "us, want %" PRIu64 "us",
                              good_spans[i].text, u, good_spans[i].usec);
        }
}
END_TEST

static const struct {
        const char *text;
        int error;
} bad_spans[] = {
        /* not a number */
        { "", -EINVAL },
        { "   ", -EINVAL },
        { "-", -EINVAL },
        { "-1s", -EINVAL },
        { "+1s", -EINVAL },
        { "abc", -EINVAL },
        { "s", -EINVAL },
        { ".5s", -EINVAL },
        { "1.s", -EINVAL },
        { "1s!", -EINVAL },
        { "1s,2s", -EINVAL },
        { "12.34.56", -EINVAL },
        { "1s -2s", -EINVAL },
        { "infinity", -EINVAL },
        { "2026-01-31", -EINVAL },
        { "12:00", -EINVAL },
        { "5min ago", -EINVAL }, /* a word without its number: a caller may try a timestamp then */
        { "1h parsec", -EINVAL },
        /* unknown or missing unit */
        { "5 parsecs", -ENOMSG },
        { "1year2", -ENOMSG },
        { "1min 30", -ENOMSG },
        { "2 1s", -ENOMSG },
        { "5 Min", -ENOMSG },
        { "5mins", -ENOMSG },
        { "5S", -ENOMSG },
        { "99999999999999999999 parsecs", -ENOMSG },
        /* overflow */
        { "99999999999999999999s", -ERANGE },
        { "99999999999999999999", -ERANGE },
        { "18446744073709551616us", -ERANGE },
        { "584543y", -ERANGE },
        { "300000y 300000y", -ERANGE },
        { "18446744073709551615us 1us", -ERANGE },
};

START_TEST(test_span_errors) {
        for (size_t i = 0; i < ELEMENTSOF(bad_spans); i++) {
                usec_t u = 12345;
                int r = ts_parse_timespan(bad_spans[i].text, USEC_INFINITY, &u);
                ck_assert_msg(r == bad_spans[i].error, "'%s': got %d (%s), want %s", bad_spans[i].text, r,
                              r < 0 ? strerror(-r) : "ok", strerror(-bad_spans[i].error));
                ck_assert_msg(u == 12345, "'%s': ret was written on failure", bad_spans[i].text);
        }
        usec_t u = 12345;
        ck_assert_int_eq(ts_parse_timespan(NULL, USEC_INFINITY, &u), -EINVAL);
        ck_assert_uint_eq(u, 12345);
}
END_TEST

START_TEST(test_span_max) {
        usec_t u = 0;
        const usec_t max = MIN(10);
        ck_assert_int_eq(ts_parse_timespan("10min", max, &u), 0);
        ck_assert_uint_eq(u, max);
        ck_assert_int_eq(ts_parse_timespan("9min 60s", max, &u), 0);
        ck_assert_uint_eq(u, max);
        ck_assert_int_eq(ts_parse_timespan("600", max, &u), 0);
        ck_assert_int_eq(ts_parse_timespan("10min 1us", max, &u), -ERANGE);
        ck_assert_int_eq(ts_parse_timespan("600.000001", max, &u), -ERANGE);
        ck_assert_int_eq(ts_parse_timespan("1h", max, &u), -ERANGE);
        ck_assert_int_eq(ts_parse_timespan("1year", max, &u), -ERANGE);
        ck_assert_int_eq(ts_parse_timespan("1us", 0, &u), -ERANGE);
        ck_assert_int_eq(ts_parse_timespan("0", 0, &u), 0);
        ck_assert_uint_eq(u, 0);
        /* A malformed or unknown span is that, however long. */
        ck_assert_int_eq(ts_parse_timespan("1h 2parsec", max, &u), -ENOMSG);
        ck_assert_int_eq(ts_parse_timespan("1h!", max, &u), -EINVAL);
}
END_TEST

static const struct {
        const char *text;
        usec_t usec;
} good_timestamps[] = {
        { "now", NOW },
        { " now ", NOW },
        { "today", MIDNIGHT },
        { "yesterday", MIDNIGHT - DAY(1) },
        { "tomorrow", MIDNIGHT + DAY(1) },
        { "2026-01-31", MIDNIGHT },
        { "2026-01-01", SEC(1767225600) },
        { "2024-02-29", SEC(1709164800) },
        { "2026-01-31 12:00", MIDNIGHT + HOUR(12) },
        { "2026-01-31T12:00", MIDNIGHT + HOUR(12) },
        { "2026-01-31 12:00:05", MIDNIGHT + HOUR(12) + SEC(5) },
        { "2026-01-31T12:00:05", MIDNIGHT + HOUR(12) + SEC(5) },
        { "2026-01-31 12:00:05.25", MIDNIGHT + HOUR(12) + SEC(5) + 250 * USEC_PER_MSEC },
        { "2026-01-31T12:00:05.123456789", MIDNIGHT + HOUR(12) + SEC(5) + 123456 },
        { "12:00", MIDNIGHT + HOUR(12) },
        { "12:00:05", MIDNIGHT + HOUR(12) + SEC(5) },
        { "00:00:00.5", MIDNIGHT + 500 * USEC_PER_MSEC },
        { "23:59", MIDNIGHT + HOUR(23) + MIN(59) },
        { "Sat 2026-01-31", MIDNIGHT },
        { "Saturday 2026-01-31 12:00", MIDNIGHT + HOUR(12) },
        { "saturday 2026-01-31T12:00:05", MIDNIGHT + HOUR(12) + SEC(5) },
        { "SAT 12:00", MIDNIGHT + HOUR(12) },
        { "Sat today", MIDNIGHT },
        { "Fri yesterday", MIDNIGHT - DAY(1) },
        { "Thu 2024-02-29", SEC(1709164800) },
        { "2026-01-31 12:00 UTC", MIDNIGHT + HOUR(12) },
        { "Sat 2026-01-31 12:00:05.5 UTC", MIDNIGHT + HOUR(12) + SEC(5) + 500 * USEC_PER_MSEC },
        { "today UTC", MIDNIGHT },
        { "@1767225600", SEC(1767225600) },
        { "@1767225600.25", SEC(1767225600) + 250 * USEC_PER_MSEC },
        { "@0", 0 },
        { "-5min", NOW - MIN(5) },
        { "+5min", NOW + MIN(5) },
        { "-1h 30min", NOW - MIN(90) },
        { "-0", NOW },
        { "5min ago", NOW - MIN(5) },
        { "1h 30min ago", NOW - MIN(90) },
        { "2 days ago", NOW - DAY(2) },
        { "5min left", NOW + MIN(5) },
        { "-5min UTC", NOW - MIN(5) },
};

START_TEST(test_timestamp_forms) {
        for (size_t i = 0; i < ELEMENTSOF(good_timestamps); i++) {
                usec_t u = 12345;
                int r = ts_parse_timestamp(good_timestamps[i].text, NOW, &u);
                ck_assert_msg(r == 0, "'%s': %s", good_timestamps[i].text, strerror(-r));
                ck_assert_msg(u == good_timestamps[i].usec, "'%s': %" PRIu64 ", want %" PRIu64,
                              good_timestamps[i].text, u, good_timestamps[i].usec);
        }
}
END_TEST

static const struct {
        const char *text;
        int error;
} bad_timestamps[] = {
        { "", -EINVAL },
        { "  ", -EINVAL },
        { "-", -EINVAL },
        { "+", -EINVAL },
        { "ago", -EINVAL },
        { " ago", -EINVAL },
        { "abc", -EINVAL },
        { "Now", -EINVAL },
        { "10min", -EINVAL }, /* a span is no time: ago or left says which way */
        { "2026-13-01", -EINVAL },
        { "2026-00-10", -EINVAL },
        { "2026-02-30", -EINVAL },
        { "2026-02-29", -EINVAL }, /* not a leap year */
        { "2026-01-32", -EINVAL },
        { "2026-01-31 24:00", -EINVAL },
        { "2026-01-31 12:60", -EINVAL },
        { "23:59:60", -EINVAL },
        { "2026-01-31 12", -EINVAL },
        { "2026-01-31 12:00:05.", -EINVAL },
        { "2026-01-31 12:00.5", -EINVAL },
        { "2026-01-31x", -EINVAL },
        { "2026-01-31 12:00 GMT", -EINVAL },
        { "2026-01-31 12:00UTC", -EINVAL },
        { "12", -EINVAL },
        { "Fri 2026-01-31", -EINVAL }, /* the weekday must be the date's */
        { "Sun 12:00", -EINVAL },
        { "Sat", -EINVAL },
        { "Caturday 2026-01-31", -EINVAL },
        { "Sat now", -EINVAL },
        { "@", -EINVAL },
        { "@abc", -EINVAL },
        { "@-1", -EINVAL },
        { "@5min", -EINVAL },
        { "@1.2.3", -EINVAL },
        { "-5 parsecs", -ENOMSG },
        { "5 parsecs ago", -ENOMSG },
        { "1year2 ago", -ENOMSG },
        { "1969-12-31", -ERANGE },
        { "-100y", -ERANGE }, /* before 1970 */
        { "+600000y", -ERANGE },
        { "-99999999999999999999s", -ERANGE },
        { "@99999999999999999999", -ERANGE },
};

START_TEST(test_timestamp_errors) {
        for (size_t i = 0; i < ELEMENTSOF(bad_timestamps); i++) {
                usec_t u = 12345;
                int r = ts_parse_timestamp(bad_timestamps[i].text, NOW, &u);
                ck_assert_msg(r == bad_timestamps[i].error, "'%s': got %d (%s), want %s",
                              bad_timestamps[i].text, r, r < 0 ? strerror(-r) : "ok",
                              strerror(-bad_timestamps[i].error));
                ck_assert_msg(u == 12345, "'%s': ret was written on failure", bad_timestamps[i].text);
        }
        usec_t u = 12345;
        ck_assert_int_eq(ts_parse_timestamp(NULL, NOW, &u), -EINVAL);
        ck_assert_uint_eq(u, 12345);
}
END_TEST

/* Local time is the zone's; " UTC" overrides it. EST5 is five hours behind UTC all year, and needs
 * no time zone database. */
START_TEST(test_timestamp_local) {
        set_tz("EST5");
        usec_t u = 0;
        ck_assert_int_eq(ts_parse_timestamp("2026-01-31 12:00", NOW, &u), 0);
        ck_assert_uint_eq(u, MIDNIGHT + HOUR(17));
        ck_assert_int_eq(ts_parse_timestamp("2026-01-31 12:00 UTC", NOW, &u), 0);
        ck_assert_uint_eq(u, MIDNIGHT + HOUR(12));
        /* 12:34 UTC is 07:34 in EST5: still January 31 there. */
        ck_assert_int_eq(ts_parse_timestamp("today", NOW, &u), 0);
        ck_assert_uint_eq(u, MIDNIGHT + HOUR(5));
        ck_assert_int_eq(ts_parse_timestamp("today UTC", NOW, &u), 0);
        ck_assert_uint_eq(u, MIDNIGHT);
        ck_assert_int_eq(ts_parse_timestamp("08:00", NOW, &u), 0);
        ck_assert_uint_eq(u, MIDNIGHT + HOUR(13));
        ck_assert_int_eq(ts_parse_timestamp("@1767225600", NOW, &u), 0);
        ck_assert_uint_eq(u, SEC(1767225600));
        ck_assert_int_eq(ts_parse_timestamp("-5min", NOW, &u), 0);
        ck_assert_uint_eq(u, NOW - MIN(5));
        /* 02:00 UTC on the 31st is still the 30th, a Friday, in EST5. */
        ck_assert_int_eq(ts_parse_timestamp("Fri 21:00", MIDNIGHT + HOUR(2), &u), 0);
        ck_assert_uint_eq(u, MIDNIGHT + HOUR(2));
        ck_assert_int_eq(ts_parse_timestamp("Sat 21:00", MIDNIGHT + HOUR(2), &u), -EINVAL);

        /* In the hour skipped when summer time begins, a time of that date is still taken. */
        set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
        ck_assert_int_eq(ts_parse_timestamp("2026-03-29 02:30", NOW, &u), 0);
        ck_assert_int_eq(ts_parse_timestamp("2026-07-01 12:00", NOW, &u), 0);
        ck_assert_uint_eq(u, SEC(1782900000)); /* 10:00 UTC, in summer time */
        set_tz("UTC");
}
END_TEST

static Suite *time_util_suite(void) {
        Suite *s = suite_create("time-util");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_span_forms);
        tcase_add_test(tc, test_span_errors);
        tcase_add_test(tc, test_span_max);
        tcase_add_test(tc, test_timestamp_forms);
        tcase_add_test(tc, test_timestamp_errors);
        tcase_add_test(tc, test_timestamp_local);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        /* Without a date, and without " UTC", a timestamp is local time: fix the zone. */
        set_tz("UTC");
        return ts_test_run_suite(time_util_suite());
}
