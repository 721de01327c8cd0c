/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads a pasted log line by line: see logtext.h. Each line is copied into the reader's buffer,
 * where it is normalised (CR, quote marks, markdown escapes); the prefix is then taken apart on the
 * copy. Entries of journalctl's json, export and verbose formats are read field by field (json-c
 * for JSON) and given as one line whose text is their MESSAGE. */
#include <errno.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "fileio.h"
#include "logtext.h"
#include "macro.h"

#define MAX_FIELD 65536 /* an entry's field longer than this is cut */

typedef struct TsLogEntry {
        char *message, *unit, *ident, *cgroup;
        uint64_t usec;
        bool kernel;
        bool open;       /* fields are being read (export, verbose, json-pretty) */
        bool verbose;    /* -o verbose: its fields are indented */
        bool pretty;     /* -o json-pretty: "KEY" : "value", lines up to "}" */
        unsigned number; /* its first line */
} TsLogEntry;

static void entry_clear(TsLogEntry *e) {
        char **fields[] = { &e->message, &e->unit, &e->ident, &e->cgroup };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                free(*fields[i]);
                *fields[i] = NULL;
        }
        *e = (TsLogEntry){};
}

void ts_log_reader_init(TsLogReader *r, const char *text, size_t size) {
        *r = (TsLogReader){ .p = text, .end = text + size };
}

void ts_log_reader_done(TsLogReader *r) {
        free(r->line);
        free(r->next_line);
        if (r->entry)
                entry_clear(r->entry);
        free(r->entry);
        *r = (TsLogReader){};
}

bool ts_log_is_journal_marker(Span l) {
        static const char *const markers[] = {
                "-- Logs begin at ", "-- Journal begins at ", "-- Journal starts at ", "-- No entries --",
                "-- Boot ",          "-- Reboot --",
        };
        l = span_trim(l);
        for (size_t i = 0; span_starts_with(l, "-- ") && i < ELEMENTSOF(markers); i++)
                if (span_starts_with(l, markers[i]))
                        return true;
        return false;
}

/* ---- Timestamps -------------------------------------------------------------------------------- */

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static bool fixed_number(Span l, size_t at, size_t n, unsigned *ret) {
        unsigned v = 0;
        if (at + n > l.len)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!ascii_digit(l.s[at + i]))
                        return false;
                v = v * 10 + (unsigned)(l.s[at + i] - '0');
        }
        *ret = v;
        return true;
}

/* Days since 1970-01-01 of a date in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned)(y - era * 400);
        unsigned mp = m > 2 ? m - 3 : m + 9; /* months since March */
        unsigned doy = (153 * mp + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t)doe - 719468;
}

/* "hh:mm:ss[.ffffff]" at l.s[at]: microseconds of the day, and the index after it. */
static bool parse_clock(Span l, size_t at, uint64_t *ret_usec, size_t *ret_end) {
        unsigned h, m, s;
        if (!fixed_number(l, at, 2, &h) || at + 2 >= l.len || l.s[at + 2] != ':' ||
            !fixed_number(l, at + 3, 2, &m) || at + 5 >= l.len || l.s[at + 5] != ':' ||
            !fixed_number(l, at + 6, 2, &s) || h > 23 || m > 59 || s > 60)
                return false;
        size_t i = at + 8;
        uint64_t usec = ((uint64_t)h * 3600 + m * 60 + s) * 1000000;
        if (i < l.len && (l.s[i] == '.' || l.s[i] == ',')) {
                uint64_t frac = 0, scale = 100000;
                for (i++; i < l.len && ascii_digit(l.s[i]); i++) {
                        frac += (uint64_t)(l.s[i] - '0') * scale;
                        scale /= 10;
                }
                usec += frac;
        }
        *ret_usec = usec;
        *ret_end = i;
        return true;
}

/* "YYYY-MM-DD" at l.s[at]: days since the epoch. */
static bool parse_date(Span l, size_t at, int64_t *ret_days) {
        unsigned y, m, d;
        if (!fixed_number(l, at, 4, &y) || at + 4 >= l.len || l.s[at + 4] != '-' ||
            !fixed_number(l, at + 5, 2, &m) || at + 7 >= l.len || l.s[at + 7] != '-' ||
            !fixed_number(l, at + 8, 2, &d) || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
                return false;
        *ret_days = days_from_civil(y, m, d);
        return true;
}

static int month_of(Span l) {
        for (size_t i = 0; l.len >= 3 && i < ELEMENTSOF(months); i++)
                if (memcmp(l.s, months[i], 3) == 0)
                        return (int)i;
        return -1;
}

bool ts_log_parse_timestamp(Span l, uint64_t *ret_usec, size_t *ret_end) {
        uint64_t clock;
        int64_t days;
        size_t end;

        if (l.len >= 15 && l.s[3] == ' ' && month_of(l) >= 0) {
                /* short: "Mar 02 10:11:12", "Mar  2 10:11:12" (syslog pads the day with a blank) */
                unsigned day;
                size_t at = l.s[4] == ' ' ? 5 : 4;
                if (!fixed_number(l, at, at == 5 ? 1 : 2, &day) || day < 1 || day > 31 || l.s[6] != ' ' ||
                    !parse_clock(l, 7, &clock, &end))
                        return false;
                *ret_usec = 0;
                *ret_end = end;
                return true;
        }

        size_t at = 0;
        if (l.len > 4 && ascii_alpha(l.s[0]) && ascii_alpha(l.s[1]) && ascii_alpha(l.s[2]) && l.s[3] == ' ')
                at = 4; /* short-full: "Fri 2018-03-02 10:11:12 UTC" */
        if (!parse_date(l, at, &days) || at + 10 >= l.len || (l.s[at + 10] != 'T' && l.s[at + 10] != ' ') ||
            !parse_clock(l, at + 11, &clock, &end))
                return false;

        int64_t offset = 0;
        bool zone_known = false;
        Span zone = span_skip(l, end);
        if (at > 0) {
                /* short-full names the zone: only UTC can be turned into a time without tz data */
                Span rest = zone;
                Span name = span_word(&rest);
                zone_known = span_eq(name, "UTC") || span_eq(name, "GMT");
                end = (size_t)(rest.s - l.s);
        } else if (zone.len > 0 && zone.s[0] == 'Z') {
                zone_known = true;
                end++;
        } else if (zone.len >= 5 && (zone.s[0] == '+' || zone.s[0] == '-')) {
                unsigned hh, mm;
                size_t colon = zone.s[3] == ':';
                if (fixed_number(zone, 1, 2, &hh) && fixed_number(zone, 3 + colon, 2, &mm)) {
                        offset = (int64_t)(hh * 3600 + mm * 60) * (zone.s[0] == '-' ? -1 : 1);
                        zone_known = true;
                        end += 5 + colon;
                }
        }
        if (end < l.len && !ascii_space(l.s[end]))
                return false;

        int64_t seconds = days * 86400 - offset;
        *ret_usec = zone_known && seconds > 0 ? (uint64_t)seconds * 1000000 + clock : 0;
        *ret_end = end;
        return true;
}

/* ---- Normalising a line ------------------------------------------------------------------------ */

/* Grows *buf to hold n bytes and a NUL. */
static int reserve(char **buf, size_t *size, size_t n) {
        if (n + 1 <= *size)
                return 0;
        size_t want = n + 1 < 256 ? 256 : n + 1;
        char *b = realloc(*buf, want);
        if (!b)
                return -ENOMEM;
        *buf = b;
        *size = want;
        return 0;
}

/* The characters markdown escapes with a backslash in pasted logs ("systemd\[1\]:"). */
static bool markdown_escaped(char c) {
        return c && strchr("[]_*`#", c);
}

/* Copies the raw line s (n bytes) into *buf: without CRs at its end, without quote marks ("> ",
 * "> > ") before it, with markdown's escapes undone. The line's length. */
static ssize_t normalise(const char *s, size_t n, char **buf, size_t *size) {
        while (n > 0 && s[n - 1] == '\r')
                n--;
        /* Quote marks: up to three blanks, '>', an optional blank; repeated for nested quotes. */
        for (;;) {
                size_t i = 0;
                while (i < n && i < 3 && s[i] == ' ')
                        i++;
                if (i >= n || s[i] != '>')
                        break;
                i++;
                if (i < n && s[i] == ' ')
                        i++;
                s += i;
                n -= i;
        }
        if (reserve(buf, size, n) < 0)
                return -ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 1 < n && markdown_escaped(s[i + 1]))
                        i++;
                (*buf)[k++] = s[i];
        }
        (*buf)[k] = 0;
        return (ssize_t)k;
}

/* The next raw line of the text, and where the one after starts. */
static bool raw_line(const char *p, const char *end, Span *ret, const char **ret_next) {
        if (p >= end)
                return false;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        *ret = (Span){ p, (size_t)(e - p) };
        *ret_next = nl ? nl + 1 : end;
        return true;
}

/* ---- Prefixes ---------------------------------------------------------------------------------- */

/* dmesg's "[ 814.796021] " or dmesg -T's "[Wed Sep 30 03:58:46 2020] ": the message after it. */
static bool strip_dmesg_stamp(Span l, Span *ret_msg) {
        if (l.len < 3 || l.s[0] != '[')
                return false;
        const char *close = memchr(l.s, ']', l.len < 40 ? l.len : 40);
        if (!close)
                return false;
        Span inside = span_trim((Span){ l.s + 1, (size_t)(close - l.s - 1) });
        bool seconds = inside.len > 0;
        for (size_t i = 0; i < inside.len; i++)
                seconds = seconds && (ascii_digit(inside.s[i]) || inside.s[i] == '.');
        /* -T: "Www Mmm dd hh:mm:ss yyyy" */
        bool human = inside.len >= 20 && ascii_alpha(inside.s[0]) && inside.s[3] == ' ' &&
                     month_of(span_skip(inside, 4)) >= 0;
        if (!seconds && !human)
                return false;
        *ret_msg = span_trim(span_skip(l, (size_t)(close - l.s) + 1));
        return true;
}

/* journalctl's short format in another locale: a month name of its own ("1月", "Mär", "janv.")
 * before the day and the time, "1月 29 22:38:32". */
static bool parse_localised_timestamp(Span l, size_t *ret_end) {
        Span rest = l;
        Span month = span_word(&rest), day = span_word(&rest);
        Span clock = span_word(&rest);
        uint64_t usec;
        size_t end;
        if (month.len == 0 || month.len > 16 || span_digits(month).len == month.len || day.len == 0 ||
            day.len > 2 || span_digits(day).len != day.len || clock.len < 8 ||
            !parse_clock(clock, 0, &usec, &end) || end != clock.len)
                return false;
        *ret_end = (size_t)(clock.s + clock.len - l.s);
        return true;
}

/* "TIMESTAMP HOST IDENT[PID]: MESSAGE", as journalctl and syslog write it. */
static bool parse_prefix(Span l, TsLogLine *ret) {
        uint64_t usec = 0;
        size_t end;
        if (!ts_log_parse_timestamp(l, &usec, &end) && !parse_localised_timestamp(l, &end))
                return false;
        Span rest = span_skip(l, end);
        Span host = span_word(&rest), ident = span_word(&rest);
        if (host.len == 0 || ident.len < 2 || ident.s[ident.len - 1] != ':')
                return false;
        ident.len--;
        const char *bracket = memchr(ident.s, '[', ident.len);
        if (bracket)
                ident.len = (size_t)(bracket - ident.s);
        ret->usec = usec;
        ret->ident = ident;
        ret->journal = true;
        ret->kernel = span_eq(ident, "kernel");
        ret->msg = span_trim(rest);
        Span inner;
        if (ret->kernel && strip_dmesg_stamp(ret->msg, &inner))
                ret->msg = inner;
        return true;
}

/* A markdown code fence: "```", "```text", "~~~"; not a line in inline code ("```fork: retry```"). */
static bool is_fence(Span t, Span *ret_inline) {
        if (!span_starts_with(t, "```") && !span_starts_with(t, "~~~"))
                return false;
        Span rest = span_skip(t, 3);
        for (size_t i = 0; i < rest.len; i++)
                if (ascii_space(rest.s[i]) || rest.s[i] == ':' || rest.s[i] == '/') {
                        /* text follows: inline code, its backquotes taken off */
                        while (rest.len > 0 && (rest.s[rest.len - 1] == '`' || rest.s[rest.len - 1] == '~'))
                                rest.len--;
                        *ret_inline = rest;
                        return false;
                }
        return true;
}

/* "sshd[1234]: error: fork: ..." without a timestamp, as people paste a journal's lines: the
 * identifier before "[PID]: ". */
static bool parse_bare_ident(Span l, TsLogLine *ret) {
        size_t i = 0;
        while (i < l.len && i < 64 && (ascii_alpha(l.s[i]) || ascii_digit(l.s[i]) || strchr("_.-/", l.s[i])))
                i++;
        if (i == 0 || i >= l.len || l.s[i] != '[')
                return false;
        Span pid = span_digits(span_skip(l, i + 1));
        size_t end = i + 1 + pid.len;
        if (pid.len == 0 || end + 1 >= l.len || l.s[end] != ']' || l.s[end + 1] != ':')
                return false;
        ret->ident = (Span){ l.s, i };
        ret->msg = span_trim(span_skip(l, end + 2));
        ret->journal = true;
        ret->kernel = span_eq(ret->ident, "kernel");
        return true;
}

static void take_apart(TsLogLine *l) {
        Span t = span_trim(l->raw), code = {};
        if (is_fence(t, &code)) {
                l->fence = true;
                return;
        }
        if (code.s)
                t = l->raw = code;
        l->msg = t;
        Span msg;
        if (strip_dmesg_stamp(t, &msg)) {
                l->msg = msg;
                l->kernel = true;
                l->ident = (Span){ "kernel", STRLEN("kernel") };
                return;
        }
        if (!parse_prefix(t, l))
                (void)parse_bare_ident(t, l);
}

/* ---- Entries: journalctl -o json, export, verbose ---------------------------------------------- */

static int set_field(char **field, const char *s, size_t n) {
        if (n > MAX_FIELD)
                n = MAX_FIELD;
        char *v = strndup(s, n);
        if (!v)
                return -ENOMEM;
        free(*field);
        *field = v;
        return 0;
}

/* One "KEY=value" field of an entry; 1 when it was one the reader keeps or knows, 0 when the line
 * is no field. */
static int entry_field(TsLogEntry *e, Span l) {
        const char *eq = memchr(l.s, '=', l.len);
        if (!eq || eq == l.s)
                return 0;
        Span key = { l.s, (size_t)(eq - l.s) };
        for (size_t i = 0; i < key.len; i++)
                if (!((key.s[i] >= 'A' && key.s[i] <= 'Z') || ascii_digit(key.s[i]) || key.s[i] == '_'))
                        return 0; /* journal fields are upper case; systemctl show's are not */
        Span value = span_skip(l, key.len + 1);
        if (span_eq(key, "MESSAGE"))
                return set_field(&e->message, value.s, value.len) < 0 ? -ENOMEM : 1;
        if (span_eq(key, "_SYSTEMD_UNIT") || (span_eq(key, "UNIT") && !e->unit))
                return set_field(&e->unit, value.s, value.len) < 0 ? -ENOMEM : 1;
        if (span_eq(key, "SYSLOG_IDENTIFIER") || (span_eq(key, "_COMM") && !e->ident))
                return set_field(&e->ident, value.s, value.len) < 0 ? -ENOMEM : 1;
        if (span_eq(key, "_SYSTEMD_CGROUP"))
                return set_field(&e->cgroup, value.s, value.len) < 0 ? -ENOMEM : 1;
        if (span_eq(key, "_TRANSPORT")) {
                e->kernel = span_eq(value, "kernel");
                return 1;
        }
        if (span_eq(key, "__REALTIME_TIMESTAMP")) {
                char buf[24];
                if (value.len < sizeof buf) {
                        memcpy(buf, value.s, value.len);
                        buf[value.len] = 0;
                        (void)ts_safe_atou64(buf, &e->usec);
                }
                return 1;
        }
        return 1;
}

/* A string field of a JSON entry; MESSAGE may also be an array of bytes (not UTF-8). */
static int json_field(json_object *o, const char *key, char **ret) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v))
                return 0;
        if (json_object_is_type(v, json_type_string))
                return set_field(ret, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        if (!json_object_is_type(v, json_type_array))
                return 0;
        size_t n = json_object_array_length(v);
        if (n > MAX_FIELD)
                n = MAX_FIELD;
        char *s = malloc(n + 1);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                int c = json_object_get_int(json_object_array_get_idx(v, i));
                s[i] = c > 0 && c < 256 ? (char)c : '?';
        }
        s[n] = 0;
        free(*ret);
        *ret = s;
        return 0;
}

/* A JSON object in text, or NULL (not JSON, or no memory). */
static json_object *parse_object(const char *s, size_t n) {
        json_tokener *tok = json_tokener_new();
        if (!tok)
                return NULL;
        json_object *o = json_tokener_parse_ex(tok, s, (int)(n < INT32_MAX ? n : INT32_MAX));
        json_tokener_free(tok);
        if (o && !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

/* The fields of a journal entry that the reader keeps, from a JSON object. */
static int json_fields(json_object *o, TsLogEntry *e) {
        int r = json_field(o, "MESSAGE", &e->message);
        if (r >= 0)
                r = json_field(o, "_SYSTEMD_UNIT", &e->unit);
        if (r >= 0 && !e->unit)
                r = json_field(o, "UNIT", &e->unit);
        if (r >= 0)
                r = json_field(o, "SYSLOG_IDENTIFIER", &e->ident);
        if (r >= 0 && !e->ident)
                r = json_field(o, "_COMM", &e->ident);
        if (r >= 0)
                r = json_field(o, "_SYSTEMD_CGROUP", &e->cgroup);
        json_object *v;
        if (json_object_object_get_ex(o, "_TRANSPORT", &v))
                e->kernel = streq(json_object_get_string(v), "kernel");
        if (json_object_object_get_ex(o, "__REALTIME_TIMESTAMP", &v))
                (void)ts_safe_atou64(json_object_get_string(v), &e->usec);
        return r;
}

/* A line of `journalctl -o json`: 1 when it was one (its fields in e), 0 when not. */
static int json_entry(Span t, TsLogEntry *e) {
        if (t.len < 2 || t.s[0] != '{' || t.s[t.len - 1] != '}' || !span_find_ci(t, "\"MESSAGE\""))
                return 0;
        json_object *o = parse_object(t.s, t.len);
        if (!o)
                return 0;
        int r = json_fields(o, e);
        json_object_put(o);
        if (r < 0 || !e->message) {
                entry_clear(e); /* no entry after all: nothing of it kept */
                return r < 0 ? r : 0;
        }
        return 1;
}

/* A field line of `journalctl -o json-pretty`: "\t"MESSAGE" : "text","; 1 when it was one. */
static int pretty_field(Span t, TsLogEntry *e) {
        if (t.len < 5 || t.s[0] != '"')
                return 0;
        /* journal fields are upper case: "type": "RLIMIT_NPROC" of runc's config is no entry's */
        for (size_t i = 1; i < t.len && t.s[i] != '"'; i++)
                if (!((t.s[i] >= 'A' && t.s[i] <= 'Z') || ascii_digit(t.s[i]) || t.s[i] == '_'))
                        return 0;
        if (t.s[t.len - 1] == ',')
                t.len--;
        if (t.len > MAX_FIELD)
                return 1; /* a field too long to keep: skipped, the entry goes on */
        _cleanup_(freep) char *buf = malloc(t.len + 2);
        if (!buf)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(buf);
        buf[0] = '{';
        memcpy(buf + 1, t.s, t.len);
        buf[t.len + 1] = '}';
        json_object *o = parse_object(buf, t.len + 2);
        if (!o)
                return 1; /* a line cut by a terminal ("...>"): skipped */
        int r = json_fields(o, e);
        json_object_put(o);
        return r < 0 ? r : 1;
}

/* -o verbose's header: "Tue 2017-01-10 11:13:12.345678 UTC [s=...;i=...]". */
static bool verbose_header(Span t) {
        uint64_t usec;
        size_t end;
        return ts_log_parse_timestamp(t, &usec, &end) &&
               span_starts_with(span_trim(span_skip(t, end)), "[s=");
}

static void entry_line(const TsLogEntry *e, TsLogLine *ret) {
        *ret = (TsLogLine){
                .raw = span_of(e->message),
                .msg = span_of(e->message),
                .ident = span_of(e->ident),
                .unit = span_of(e->unit),
                .cgroup = span_of(e->cgroup),
                .usec = e->usec,
                .number = e->number,
                .journal = true,
                .kernel = e->kernel || span_eq(span_of(e->ident), "kernel"),
        };
        Span inner;
        if (ret->kernel && strip_dmesg_stamp(ret->msg, &inner))
                ret->msg = inner;
}

/* ---- The reader -------------------------------------------------------------------------------- */

/* The open entry ended at the line just read, which starts at line_start: given when it has a
 * message, and that line read again next time when again. 1: *ret is the entry; 0: nothing. */
static int end_entry(TsLogReader *r, TsLogEntry *e, TsLogLine *ret, const char *line_start,
                     unsigned line_number, bool again) {
        e->open = false;
        if (again) {
                r->p = line_start;
                r->number = line_number;
        }
        if (!e->message)
                return 0;
        entry_line(e, ret);
        return 1;
}

/* The next normalised line into r->line and its length: 1, or 0 at the end, -ENOMEM. */
static int read_line(TsLogReader *r, size_t *ret_len) {
        Span raw;
        const char *next;
        if (!raw_line(r->p, r->end, &raw, &next))
                return 0;
        r->p = next;
        r->number++;
        ssize_t n = normalise(raw.s, raw.len, &r->line, &r->line_size);
        if (n < 0)
                return -ENOMEM;
        *ret_len = (size_t)n;
        return 1;
}

/* A kernel line that ends at "pids controller in" had its path wrapped onto the next line: joined
 * when that line starts with '/'. */
static int join_wrapped_path(TsLogReader *r, size_t *len) {
        Span t = span_trim((Span){ r->line, *len });
        if (!span_ends_with(t, "pids controller in"))
                return 0;
        Span raw;
        const char *next;
        if (!raw_line(r->p, r->end, &raw, &next))
                return 0;
        ssize_t n = normalise(raw.s, raw.len, &r->next_line, &r->next_size);
        if (n < 0)
                return -ENOMEM;
        Span path = span_trim((Span){ r->next_line, (size_t)n });
        if (path.len == 0 || path.s[0] != '/')
                return 0;
        path = span_word(&path);
        if (reserve(&r->line, &r->line_size, *len + 1 + path.len) < 0)
                return -ENOMEM;
        r->line[(*len)++] = ' ';
        memcpy(r->line + *len, path.s, path.len);
        *len += path.len;
        r->line[*len] = 0;
        r->p = next;
        r->number++;
        return 0;
}

int ts_log_reader_next(TsLogReader *r, TsLogLine *ret) {
        if (!r->entry && !(r->entry = calloc(1, sizeof *r->entry)))
                return -ENOMEM;
        TsLogEntry *e = r->entry;
        for (;;) {
                const char *before = r->p;
                unsigned number_before = r->number;
                size_t n = 0;
                int k = read_line(r, &n);
                if (k < 0)
                        return k;
                if (k == 0) {
                        if (e->open && e->message) {
                                /* the last entry, at the end of the text */
                                e->open = false;
                                entry_line(e, ret);
                                return 1;
                        }
                        return 0;
                }
                Span l = { r->line, n }, t = span_trim(l);

                if (e->open && e->pretty) {
                        bool closing = span_eq(t, "}") || span_eq(t, "},");
                        k = closing ? 0 : pretty_field(t, e);
                        if (k < 0)
                                return k;
                        if (k > 0)
                                continue;
                        /* "}" ends it; another line means it was no json-pretty entry after all */
                        if (end_entry(r, e, ret, before, number_before, !closing))
                                return 1;
                        continue;
                }
                if (e->open) {
                        /* export: fields until a blank line; verbose: indented fields */
                        bool field_line = t.len > 0 && (!e->verbose || ascii_space(l.s[0]));
                        k = field_line ? entry_field(e, t) : 0;
                        if (k < 0)
                                return k;
                        if (k > 0)
                                continue;
                        if (end_entry(r, e, ret, before, number_before, t.len > 0))
                                return 1;
                        continue;
                }

                entry_clear(e);
                k = json_entry(t, e);
                if (k < 0)
                        return k;
                if (k > 0) {
                        e->number = r->number;
                        entry_line(e, ret);
                        return 1;
                }
                if (span_eq(t, "{")) {
                        e->open = e->pretty = true;
                        e->number = r->number;
                        continue;
                }
                if (span_starts_with(t, "__CURSOR=") || span_starts_with(t, "__REALTIME_TIMESTAMP=") ||
                    verbose_header(t)) {
                        e->open = true;
                        e->verbose = verbose_header(t);
                        e->number = r->number;
                        if (!e->verbose && entry_field(e, t) < 0)
                                return -ENOMEM;
                        continue;
                }

                size_t len = n;
                if (join_wrapped_path(r, &len) < 0)
                        return -ENOMEM;
                *ret = (TsLogLine){ .raw = { r->line, len }, .number = number_before + 1 };
                take_apart(ret);
                return 1;
        }
}
