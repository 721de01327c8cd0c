/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads a support bundle: the text people paste into tickets (systemctl status, journalctl -u, dmesg,
 * uname, systemd --version, os-release). Two passes over the lines: the first finds the unit's status
 * block, its cgroup and the versions; the second matches every log line against the pattern table,
 * now that kernel lines can be told apart by cgroup. Any bytes are tolerated. */
#include <inttypes.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "offline.h"
#include "os-release.h"

#define MAX_VERSION 64  /* longer is not a version */
#define MAX_SAMPLE 512  /* bytes of a line kept as a sample */
#define MAX_CGROUP 4096

typedef struct Span {
        const char *s;
        size_t len;
} Span;

static const Span no_span = { NULL, 0 };

static bool is_space(char c) {
        return c == ' ' || c == '\t';
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static Span trim(Span l) {
        while (l.len > 0 && is_space(*l.s))
                l.s++, l.len--;
        while (l.len > 0 && is_space(l.s[l.len - 1]))
                l.len--;
        return l;
}

static Span skip(Span l, size_t n) {
        return (Span){ l.s + n, l.len - n };
}

static bool starts_with(Span l, const char *prefix) {
        size_t n = strlen(prefix);
        return l.len >= n && memcmp(l.s, prefix, n) == 0;
}

static bool starts_with_ci(Span l, const char *prefix) {
        size_t n = strlen(prefix);
        return l.len >= n && strncasecmp(l.s, prefix, n) == 0;
}

static bool span_eq(Span a, const char *s) {
        return s && a.len == strlen(s) && memcmp(a.s, s, a.len) == 0;
}

/* The next whitespace-separated word of l, and l after it. */
static Span word(Span *l) {
        Span t = trim(*l);
        size_t n = 0;
        while (n < t.len && !is_space(t.s[n]))
                n++;
        *l = skip(t, n);
        return (Span){ t.s, n };
}

static bool next_line(const char **p, const char *end, Span *ret) {
        if (*p >= end)
                return false;
        const char *nl = memchr(*p, '\n', (size_t)(end - *p));
        const char *e = nl ? nl : end;
        *ret = (Span){ *p, (size_t)(e - *p) };
        if (ret->len > 0 && ret->s[ret->len - 1] == '\r')
                ret->len--;
        *p = nl ? nl + 1 : end;
        return true;
}

static bool parse_u64(Span t, uint64_t *ret) {
        char buf[24];
        if (t.len == 0 || t.len >= sizeof buf)
                return false;
        memcpy(buf, t.s, t.len);
        buf[t.len] = 0;
        return ts_safe_atou64(buf, ret) >= 0;
}

static Span digits(Span l) {
        size_t n = 0;
        while (n < l.len && is_digit(l.s[n]))
                n++;
        return (Span){ l.s, n };
}

/* ---- Versions ---------------------------------------------------------------------------------- */

static bool is_version_char(char c) {
        return is_digit(c) || is_alpha(c) || (c && strchr("._+~^-", c));
}

static bool looks_like_version(Span t) {
        if (t.len == 0 || t.len > MAX_VERSION || !is_digit(t.s[0]))
                return false;
        for (size_t i = 0; i < t.len; i++)
                if (!is_version_char(t.s[i]))
                        return false;
        return true;
}

/* A kernel release as uname -r prints it: "4.4.0-116-generic", "3.10.0-1160.el7.x86_64". The kernel
 * always prints VERSION.PATCHLEVEL.SUBLEVEL, so three numbers lead; that keeps package versions
 * ("252.38-1~deb12u1") out. */
static bool looks_like_kernel(Span t) {
        if (!looks_like_version(t) || memchr(t.s, '^', t.len))
                return false;
        Span rest = t;
        for (int i = 0; i < 3; i++) {
                Span d = digits(rest);
                if (d.len == 0)
                        return false;
                rest = skip(rest, d.len);
                if (i < 2) {
                        if (rest.len == 0 || rest.s[0] != '.')
                                return false;
                        rest = skip(rest, 1);
                }
        }
        return true;
}

/* A version seen in the text, and how much it says: the best one is kept. */
typedef struct Found {
        Span value;
        int rank;
} Found;

static void found(Found *f, Span value, int rank) {
        if (rank > f->rank)
                *f = (Found){ value, rank };
}

static const char *const rpm_arches[] = { ".x86_64", ".aarch64", ".ppc64le", ".ppc64", ".s390x",
                                          ".i686",   ".i586",    ".noarch",  ".armv7hl" };

/* systemd --version ("systemd 229", "systemd 252 (252.38-1~deb12u1)"), rpm -q ("systemd-219-78.el7_9.7
 * .x86_64"), dpkg -l ("ii  systemd  252.38-1~deb12u1  amd64  ..."). */
static void find_systemd_version(Span l, Found *f) {
        Span t = trim(l);
        if (starts_with(t, "systemd ")) {
                Span rest = skip(t, STRLEN("systemd "));
                Span v = word(&rest);
                if (!looks_like_version(v))
                        return;
                rest = trim(rest);
                if (rest.len == 0) {
                        found(f, v, 1);
                        return;
                }
                if (rest.len > 2 && rest.s[0] == '(' && rest.s[rest.len - 1] == ')') {
                        Span full = { rest.s + 1, rest.len - 2 };
                        if (looks_like_version(full))
                                found(f, full, 3);
                }
                return;
        }
        if (starts_with(t, "systemd-") && t.len > STRLEN("systemd-") && is_digit(t.s[STRLEN("systemd-")])) {
                Span v = skip(t, STRLEN("systemd-"));
                for (size_t i = 0; i < ELEMENTSOF(rpm_arches); i++) {
                        size_t n = strlen(rpm_arches[i]);
                        if (v.len > n && memcmp(v.s + v.len - n, rpm_arches[i], n) == 0) {
                                v.len -= n;
                                if (looks_like_version(v))
                                        found(f, v, 2);
                                return;
                        }
                }
                return;
        }
        if (starts_with(t, "ii ")) {
                Span rest = skip(t, 2);
                Span name = word(&rest), v = word(&rest);
                if ((span_eq(name, "systemd") || span_eq(name, "systemd:amd64")) && looks_like_version(v))
                        found(f, v, 2);
        }
}

/* uname -r (a line of its own), uname -a ("Linux host 4.4.0-116-generic #140-Ubuntu SMP ..."), the
 * kernel's banner ("Linux version 4.4.0-116-generic (buildd@...) ..."). */
static void find_kernel_release(Span l, Found *f) {
        Span t = trim(l);
        if (looks_like_kernel(t)) {
                found(f, t, 3);
                return;
        }
        if (starts_with(t, "Linux ")) {
                Span rest = skip(t, STRLEN("Linux "));
                (void)word(&rest);
                Span release = word(&rest);
                if (looks_like_kernel(release))
                        found(f, release, 2);
        }
        static const char banner[] = "Linux version ";
        const char *q = memmem(t.s, t.len, banner, STRLEN(banner));
        if (q) {
                Span rest = { q + STRLEN(banner), (size_t)(t.s + t.len - q) - STRLEN(banner) };
                Span release = word(&rest);
                if (looks_like_kernel(release))
                        found(f, release, 1);
        }
}

/* ---- Journal lines ----------------------------------------------------------------------------- */

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static bool fixed_number(Span l, size_t at, size_t n, unsigned *ret) {
        unsigned v = 0;
        if (at + n > l.len)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!is_digit(l.s[at + i]))
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

/* "hh:mm:ss[.ffffff]" at l.s[at]: seconds of the day and microseconds; the index after it. */
static bool parse_clock(Span l, size_t at, uint64_t *ret_usec, size_t *ret_end) {
        unsigned h, m, s;
        if (!fixed_number(l, at, 2, &h) || at + 2 >= l.len || l.s[at + 2] != ':' ||
            !fixed_number(l, at + 3, 2, &m) || at + 5 >= l.len || l.s[at + 5] != ':' ||
            !fixed_number(l, at + 6, 2, &s) || h > 23 || m > 59 || s > 60)
                return false;
        size_t i = at + 8;
        uint64_t usec = ((uint64_t)h * 3600 + m * 60 + s) * 1000000;
        if (i < l.len && l.s[i] == '.') {
                uint64_t frac = 0, scale = 100000;
                for (i++; i < l.len && is_digit(l.s[i]); i++) {
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

/* The timestamp journalctl puts first, in its short, short-precise, short-iso, short-iso-precise
 * and short-full formats. *ret_usec is CLOCK_REALTIME, or 0 where the format has no year or zone. */
static bool parse_timestamp(Span l, uint64_t *ret_usec, size_t *ret_end) {
        uint64_t clock;
        int64_t days;
        size_t end;

        for (size_t i = 0; l.len >= 15 && l.s[3] == ' ' && is_alpha(l.s[0]) && i < ELEMENTSOF(months); i++) {
                /* short: "Mar 02 10:11:12", "Mar  2 10:11:12" (syslog pads the day with a blank) */
                if (memcmp(l.s, months[i], 3) != 0)
                        continue;
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
        if (l.len > 4 && is_alpha(l.s[0]) && is_alpha(l.s[1]) && is_alpha(l.s[2]) && l.s[3] == ' ')
                at = 4; /* short-full: "Fri 2018-03-02 10:11:12 UTC" */
        if (!parse_date(l, at, &days) || at + 10 >= l.len || (l.s[at + 10] != 'T' && l.s[at + 10] != ' ') ||
            !parse_clock(l, at + 11, &clock, &end))
                return false;

        int64_t offset = 0;
        bool zone_known = false;
        Span zone = skip(l, end);
        if (at > 0) {
                /* short-full names the zone: only UTC can be turned into a time without tz data */
                Span rest = zone;
                Span name = word(&rest);
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
        if (end < l.len && !is_space(l.s[end]))
                return false;

        int64_t seconds = days * 86400 - offset;
        *ret_usec = zone_known && seconds > 0 ? (uint64_t)seconds * 1000000 + clock : 0;
        *ret_end = end;
        return true;
}

/* A journal line: timestamp, host, identifier ("dockerd[1234]" -> "dockerd") and ": ". */
static bool parse_journal_line(Span l, uint64_t *ret_usec, Span *ret_ident) {
        uint64_t usec;
        size_t end;
        if (!parse_timestamp(l, &usec, &end))
                return false;
        Span rest = skip(l, end);
        Span host = word(&rest), ident = word(&rest);
        if (host.len == 0 || ident.len < 2 || ident.s[ident.len - 1] != ':')
                return false;
        ident.len--;
        const char *bracket = memchr(ident.s, '[', ident.len);
        if (bracket)
                ident.len = (size_t)(bracket - ident.s);
        *ret_usec = usec;
        *ret_ident = ident;
        return true;
}

/* journalctl's own lines: the journal was there, even when it had nothing to say. */
static bool is_journal_marker(Span l) {
        static const char *const markers[] = {
                "-- Logs begin at ", "-- Journal begins at ", "-- Journal starts at ",
                "-- No entries --",  "-- Boot ",              "-- Reboot --",
        };
        for (size_t i = 0; starts_with(l, "-- ") && i < ELEMENTSOF(markers); i++)
                if (starts_with(l, markers[i]))
                        return true;
        return false;
}

/* ---- systemctl status blocks ------------------------------------------------------------------- */

static const char *const bullets[] = { "\xe2\x97\x8f ", /* ● */
                                       "\xe2\x97\x8b ", /* ○ inactive, systemd 247+ */
                                       "\xc3\x97 ",     /* × failed */
                                       "* " };          /* no UTF-8 terminal */

static const char *const unit_suffixes[] = {
        ".service", ".scope", ".slice", ".socket", ".target", ".timer",
        ".mount",   ".path",  ".swap",  ".device", ".automount",
};

static bool is_unit_char(char c) {
        return is_digit(c) || is_alpha(c) || (c && strchr(":_.\\@-", c));
}

/* "● docker.service - Docker Application Container Engine": the unit's name. */
static bool parse_header(Span l, Span *ret_name) {
        Span t = l; /* at the start of the line: indented bullets are TriggeredBy: lists */
        if (t.len < 3 || (t.s[0] != '\xe2' && t.s[0] != '\xc3' && t.s[0] != '*'))
                return false;
        size_t b = 0;
        for (; b < ELEMENTSOF(bullets); b++)
                if (starts_with(t, bullets[b]))
                        break;
        if (b == ELEMENTSOF(bullets))
                return false;
        t = skip(t, strlen(bullets[b]));
        Span name = word(&t);
        if (name.len == 0 || name.len > 255)
                return false;
        for (size_t i = 0; i < name.len; i++)
                if (!is_unit_char(name.s[i]))
                        return false;
        t = trim(t);
        if (t.len > 0 && !starts_with(t, "- ") && !span_eq(t, "-"))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(unit_suffixes); i++) {
                size_t n = strlen(unit_suffixes[i]);
                if (name.len > n && memcmp(name.s + name.len - n, unit_suffixes[i], n) == 0) {
                        *ret_name = name;
                        return true;
                }
        }
        return false;
}

typedef enum LineKind {
        LINE_HEADER,    /* "● unit - description" */
        LINE_FIELD,     /* an indented line of a status block: "Tasks: ...", the cgroup tree */
        LINE_TAIL,      /* a journal line of the log tail that systemctl status prints after the block */
        LINE_OTHER,
} LineKind;

typedef enum Region {
        REGION_OUTSIDE,
        REGION_BLOCK,
        REGION_TAIL,
} Region;

typedef struct Reader {
        Region region;
        bool block_is_target;
        bool any_header;
        char *target;    /* the unit; NULL until the first header when not given */
} Reader;

/* "TriggeredBy: ● docker.socket": the longest labels of a status block start at the first column. */
static bool is_label(Span l) {
        size_t n = 0;
        while (n < l.len && is_alpha(l.s[n]))
                n++;
        return n > 0 && n + 1 < l.len && l.s[n] == ':' && l.s[n + 1] == ' ';
}

/* Which kind a line is, following the status blocks through the text. */
static int classify(Reader *r, Span l, LineKind *ret) {
        Span name;
        if (parse_header(l, &name)) {
                if (!r->target) {
                        r->target = strndup(name.s, name.len);
                        if (!r->target)
                                return -ENOMEM;
                }
                r->any_header = true;
                r->region = REGION_BLOCK;
                r->block_is_target = span_eq(name, r->target);
                *ret = LINE_HEADER;
                return 0;
        }

        Span t = trim(l);
        uint64_t usec;
        Span ident;
        if (r->region == REGION_BLOCK && t.len == 0) {
                r->region = REGION_TAIL; /* the log tail follows a blank line */
                *ret = LINE_OTHER;
                return 0;
        }
        if (r->region == REGION_BLOCK && (is_space(l.s[0]) || is_label(l))) {
                *ret = LINE_FIELD;
                return 0;
        }
        if (r->region == REGION_TAIL && t.len > 0 && parse_journal_line(l, &usec, &ident)) {
                *ret = LINE_TAIL;
                return 0;
        }
        r->region = REGION_OUTSIDE;
        *ret = LINE_OTHER;
        return 0;
}

/* ---- The facts --------------------------------------------------------------------------------- */

typedef struct StatusFacts {
        bool seen, not_found;
        bool has_tasks;
        uint64_t tasks, limit; /* limit UINT64_MAX: no "(Limit: N)" */
        Span cgroup;
} StatusFacts;

/* "Tasks: 505 (Limit: 512)", "Tasks: 8 (limit: 4915)", "Tasks: 623". */
static bool parse_tasks(Span t, uint64_t *ret_tasks, uint64_t *ret_limit) {
        if (!starts_with(t, "Tasks:"))
                return false;
        Span rest = trim(skip(t, STRLEN("Tasks:")));
        Span n = digits(rest);
        uint64_t tasks, limit = UINT64_MAX;
        if (!parse_u64(n, &tasks))
                return false;
        rest = trim(skip(rest, n.len));
        if (starts_with_ci(rest, "(limit:")) {
                rest = trim(skip(rest, STRLEN("(limit:")));
                Span m = digits(rest);
                if (!parse_u64(m, &limit))
                        return false;
        }
        *ret_tasks = tasks;
        *ret_limit = limit;
        return true;
}

static void parse_field(Span l, StatusFacts *s) {
        Span t = trim(l);
        uint64_t tasks, limit;
        if (parse_tasks(t, &tasks, &limit)) {
                s->has_tasks = true;
                s->tasks = tasks;
                s->limit = limit;
        } else if (starts_with(t, "CGroup:")) {
                Span rest = skip(t, STRLEN("CGroup:"));
                Span path = word(&rest);
                if (path.len > 0 && path.len <= MAX_CGROUP && path.s[0] == '/')
                        s->cgroup = path;
        } else if (starts_with(t, "Loaded:")) {
                Span rest = skip(t, STRLEN("Loaded:"));
                s->not_found = span_eq(word(&rest), "not-found");
        }
}

static int strdup_span(Span s, char **ret) {
        if (!s.s)
                return 0;
        *ret = strndup(s.s, s.len);
        return *ret ? 0 : -ENOMEM;
}

/* The slices a cgroup path runs through, innermost first: "/system.slice/system-x.slice/x.service"
 * -> system-x.slice, system.slice. The names are in the path; their limits are not in the text. */
static int add_slices(TsCheckFacts *f) {
        const char *cg = f->control_group;
        size_t end = cg ? strlen(cg) : 0;
        while (f->n_slices < TS_CHECK_MAX_SLICES) {
                while (end > 0 && cg[end - 1] != '/')
                        end--;
                if (end <= 1)
                        return 0;
                end--;
                size_t start = end;
                while (start > 0 && cg[start - 1] != '/')
                        start--;
                Span name = { cg + start, end - start };
                if (name.len <= STRLEN(".slice") || memcmp(name.s + name.len - 6, ".slice", 6) != 0)
                        return 0;
                int r = strdup_span(name, &f->slices[f->n_slices].name);
                if (r < 0)
                        return r;
                f->n_slices++;
        }
        return 0;
}

static bool ends_with(Span s, const char *suffix, size_t n) {
        return n > 0 && s.len >= n && memcmp(s.s + s.len - n, suffix, n) == 0;
}

/* Whom a kernel "fork rejected" line names: -2 the unit, N its slice N, -1 neither. The kernel may
 * show a longer path than the unit's view (inside a container or the sandbox): suffixes match. */
static int match_cgroup(const TsCheckFacts *f, Span path) {
        const char *cg = f->control_group;
        if (cg) {
                size_t end = strlen(cg);
                if (ends_with(path, cg, end))
                        return -2;
                for (unsigned i = 0; i < f->n_slices; i++) {
                        while (end > 0 && cg[end - 1] != '/')
                                end--;
                        if (end <= 1)
                                break;
                        end--;
                        if (ends_with(path, cg, end))
                                return (int)i;
                }
                return -1;
        }
        /* No cgroup in the text: the unit's name as the last component. */
        size_t n = strlen(f->unit);
        if (ends_with(path, f->unit, n) && (path.len == n || path.s[path.len - n - 1] == '/'))
                return -2;
        return -1;
}

/* The length of the UTF-8 sequence at p (n bytes left), or 0 where it is not one (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_length(const unsigned char *p, size_t n) {
        unsigned char c = p[0];
        size_t k = c < 0x80                 ? 1
                   : c >= 0xc2 && c <= 0xdf ? 2
                   : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4
                                            : 0;
        if (k > n)
                return 0;
        for (size_t j = 1; j < k; j++) {
                unsigned char lo = 0x80, hi = 0xbf;
                if (j == 1 && c == 0xe0)
                        lo = 0xa0;
                else if (j == 1 && c == 0xed)
                        hi = 0x9f;
                else if (j == 1 && c == 0xf0)
                        lo = 0x90;
                else if (j == 1 && c == 0xf4)
                        hi = 0x8f;
                if (p[j] < lo || p[j] > hi)
                        return 0;
        }
        return k;
}

/* The line as it was, cut to MAX_SAMPLE bytes, with control bytes and broken UTF-8 as '?'. */
static char *sample(Span l) {
        size_t n = l.len < MAX_SAMPLE ? l.len : MAX_SAMPLE;
        char *s = malloc(n + 1);
        if (!s)
                return NULL;
        const unsigned char *p = (const unsigned char *)l.s;
        for (size_t i = 0; i < n;) {
                unsigned char c = p[i];
                size_t k = utf8_length(p + i, n - i);
                if (k == 0 || (k == 1 && ((c < 0x20 && c != '\t') || c == 0x7f))) {
                        s[i++] = '?';
                        continue;
                }
                memcpy(s + i, p + i, k);
                i += k;
        }
        s[n] = 0;
        return s;
}

static int record(TsPatternHits *h, uint64_t usec, Span l) {
        if (usec) {
                if (!h->first_usec)
                        h->first_usec = usec;
                h->last_usec = usec;
        }
        if (h->count < TS_CHECK_SAMPLES) {
                h->samples[h->count] = sample(l);
                if (!h->samples[h->count])
                        return -ENOMEM;
        }
        h->count++;
        return 0;
}

/* Adds the hits of the status log tails, used when the text has no journalctl output of its own. */
static void merge_hits(TsPatternHits *into, TsPatternHits *from) {
        for (size_t i = 0; i < TS_CHECK_SAMPLES; i++) {
                if (!from->samples[i])
                        continue;
                size_t free_slot = 0;
                while (free_slot < TS_CHECK_SAMPLES && into->samples[free_slot])
                        free_slot++;
                if (free_slot < TS_CHECK_SAMPLES)
                        into->samples[free_slot] = TAKE_PTR(from->samples[i]);
        }
        if (from->first_usec && (!into->first_usec || from->first_usec < into->first_usec))
                into->first_usec = from->first_usec;
        if (from->last_usec > into->last_usec)
                into->last_usec = from->last_usec;
        into->count += from->count;
}

static void hits_done(TsPatternHits (*hits)[_TS_PATTERN_MAX]) {
        for (size_t p = 0; p < _TS_PATTERN_MAX; p++)
                for (size_t i = 0; i < TS_CHECK_SAMPLES; i++)
                        free((*hits)[p].samples[i]);
}

/* Pass 1: the unit's status block, versions, and the unit itself when not given. */
static int read_facts(const char *text, const char *end, Reader *rd, TsCheckFacts *f, StatusFacts *st) {
        Found systemd = {}, kernel = {};
        bool orphan_tasks = false;
        uint64_t orphan_current = 0, orphan_limit = 0;

        Span l;
        for (const char *p = text; next_line(&p, end, &l);) {
                LineKind kind;
                int r = classify(rd, l, &kind);
                if (r < 0)
                        return r;
                if (kind == LINE_HEADER && rd->block_is_target)
                        st->seen = true;
                else if (kind == LINE_FIELD && rd->block_is_target)
                        parse_field(l, st);
                else if (kind == LINE_OTHER && l.len > 0) {
                        uint64_t a, b;
                        /* `systemctl status docker | grep Tasks`, as the article asks for */
                        if (parse_tasks(trim(l), &a, &b)) {
                                orphan_tasks = true;
                                orphan_current = a;
                                orphan_limit = b;
                        }
                        find_systemd_version(l, &systemd);
                        find_kernel_release(l, &kernel);
                } else if (kind == LINE_TAIL)
                        find_kernel_release(l, &kernel);
        }

        if (!st->has_tasks && orphan_tasks && !rd->any_header) {
                st->has_tasks = true;
                st->tasks = orphan_current;
                st->limit = orphan_limit;
        }
        int r = strdup_span(systemd.value, &f->systemd_version);
        if (r >= 0)
                r = strdup_span(kernel.value, &f->kernel_release);
        return r;
}

/* Pass 2: every log line against the pattern table. */
static int read_hits(const char *text, const char *end, Reader *rd, TsCheckFacts *f) {
        _cleanup_(hits_done) TsPatternHits tail[_TS_PATTERN_MAX] = {};
        bool journal = false, any_journal = false;

        Span l;
        for (const char *p = text; next_line(&p, end, &l);) {
                LineKind kind;
                int r = classify(rd, l, &kind);
                if (r < 0)
                        return r;
                if (kind == LINE_HEADER || kind == LINE_FIELD || l.len == 0)
                        continue;

                uint64_t usec = 0;
                Span ident = no_span;
                bool journal_line = parse_journal_line(l, &usec, &ident);
                if (kind == LINE_OTHER &&
                    ((journal_line && !span_eq(ident, "kernel")) || is_journal_marker(l)))
                        journal = true;
                any_journal = any_journal || journal_line || is_journal_marker(l);

                const char *cg = NULL;
                size_t cg_len = 0;
                TsPattern pattern = ts_pattern_match(l.s, l.len, &cg, &cg_len);
                if (pattern < 0)
                        continue;
                if (pattern == TS_PATTERN_KERNEL_PIDS) {
                        /* The kernel speaks of every cgroup: only the unit's and its slices' count. */
                        int which = match_cgroup(f, (Span){ cg, cg_len });
                        if (which == -1)
                                continue;
                        if (which == -2)
                                f->kernel_for_unit = true;
                        else if (f->kernel_slice < 0)
                                f->kernel_slice = which;
                }
                r = record(kind == LINE_TAIL ? &tail[pattern] : &f->hits[pattern], usec, l);
                if (r < 0)
                        return r;
        }

        /* systemctl status repeats the last lines of the journal: count them only when the text has
         * no journalctl output that holds them already. */
        if (!journal)
                for (size_t p = 0; p < _TS_PATTERN_MAX; p++)
                        merge_hits(&f->hits[p], &tail[p]);

        bool any_hit = false;
        for (size_t p = 0; p < _TS_PATTERN_MAX; p++)
                any_hit = any_hit || f->hits[p].count > 0;
        f->no_journal = !any_journal && !any_hit;
        return 0;
}

static int read_os_release(const char *text, size_t size, TsCheckFacts *f) {
        /* ts_os_release_parse() reads a C string: NUL bytes in a bundle become line ends. */
        _cleanup_(freep) char *copy = malloc(size + 1);
        if (!copy)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(copy);
        for (size_t i = 0; i < size; i++)
                copy[i] = text[i] ? text[i] : '\n';
        copy[size] = 0;

        _cleanup_(ts_os_release_done) TsOsRelease os = {};
        int r = ts_os_release_parse(copy, &os);
        if (r < 0)
                return r;
        f->os_id = TAKE_PTR(os.id);
        f->os_id_like = TAKE_PTR(os.id_like);
        return 0;
}

static void reader_done(Reader *r) {
        free(r->target);
}

/* The facts of the text into f. On failure f keeps what was read, for the caller to free. */
static int read_text(const char *text, size_t size, const char *unit, TsCheckFacts *f) {
        _cleanup_(reader_done) Reader rd = {};
        int r;

        if (unit) {
                /* "docker" is docker.service, as systemctl has it */
                if (asprintf(&rd.target, "%s%s", unit, strchr(unit, '.') ? "" : ".service") < 0)
                        return -ENOMEM;
        }

        const char *end = text + size;
        StatusFacts st = {};
        r = read_facts(text, end, &rd, f, &st);
        ANALYZER_OWNED_BY_CLEANUP(rd.target); /* the unit, given or found in the text */
        if (r < 0)
                return r;

        f->unit = strdup(rd.target ? rd.target : "docker.service");
        if (!f->unit)
                return -ENOMEM;
        f->unit_known = st.seen && !st.not_found;
        if (st.has_tasks) {
                f->tasks_current = (TsValue){ true, st.tasks };
                f->tasks_max = (TsValue){ true, st.limit };
        }
        r = strdup_span(st.cgroup, &f->control_group);
        if (r < 0)
                return r;
        r = add_slices(f);
        if (r < 0)
                return r;

        Reader again = { .target = rd.target };
        r = read_hits(text, end, &again, f);
        if (r < 0)
                return r;
        return read_os_release(text, size, f);
}

int ts_check_facts_from_text(const char *text, size_t size, const char *unit, TsCheckFacts *ret) {
        if ((!text && size > 0) || !ret || (unit && !*unit))
                return -EINVAL;
        if (size > TS_OFFLINE_MAX_TEXT)
                return -EFBIG;
        if (!text)
                text = "";

        _cleanup_(ts_check_facts_done) TsCheckFacts f = { .kernel_slice = -1, .offline = true };
        int r = read_text(text, size, unit, &f);
        ANALYZER_OWNED_BY_CLEANUP(&f);
        if (r < 0)
                return r;

        *ret = f;
        f = (TsCheckFacts){ .kernel_slice = -1 };
        return 0;
}

/* ---- Is it text at all ------------------------------------------------------------------------- */

/* Control bytes a log may hold: tab, line ends (CRLF too), form feed, backspace (overstruck man
 * pages), and ESC, which starts the colour codes of a terminal's copy. */
static bool is_log_control(unsigned char c) {
        return c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\b' || c == 0x1b;
}

int ts_bundle_text_check(const char *text, size_t size) {
        if (size == 0)
                return 0;
        if (!text)
                return -EINVAL;
        /* No tool prints NUL in a log (journalctl shows "[N.NKB blob data]" instead), while
         * executables, archives and UTF-16 are full of them: the test of grep and git. */
        if (memchr(text, 0, size))
                return -EBADMSG;

        /* A stray Latin-1 byte, a cut sequence at the end, a colour code: a few odd bytes are a real
         * log's. Random bytes are more than half odd; a text log is far below a quarter. */
        const unsigned char *p = (const unsigned char *)text;
        size_t odd = 0;
        for (size_t i = 0; i < size;) {
                size_t k = utf8_length(p + i, size - i);
                if (k == 0 || (k == 1 && ((p[i] < 0x20 && !is_log_control(p[i])) || p[i] == 0x7f)))
                        odd++;
                i += k ? k : 1;
        }
        return odd > size / 4 ? -EBADMSG : 0;
}

int ts_bundle_read(const char *path, char **ret, size_t *ret_size) {
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        int r;

        if (path)
                r = ts_read_regular_file(path, TS_OFFLINE_MAX_TEXT, &text, &size);
        else {
                /* stdin may be a pipe or a terminal; only a directory cannot be read */
                struct stat st;
                if (fstat(STDIN_FILENO, &st) < 0)
                        return negative_errno();
                if (S_ISDIR(st.st_mode))
                        return -EISDIR;
                r = ts_read_full_fd(STDIN_FILENO, TS_OFFLINE_MAX_TEXT, &text, &size);
        }
        if (r < 0)
                return r;
        r = ts_bundle_text_check(text, size);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(text);
        if (ret_size)
                *ret_size = size;
        return 0;
}
