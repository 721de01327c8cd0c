/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The run report as one HTML page a person can open from a CI artifact: inline CSS and inline SVG only,
 * no script and no link, so it renders offline and safely. libxml2's writer does every bit of escaping;
 * report values (names, reasons, why) may hold any character. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "html.h"
#include "macro.h"
#include "xml-dlopen.h"

/* The timeline's drawing, in viewBox units: legend and region labels above the plot, tick labels and
 * axis titles below and to its left. The page scales the SVG to its width. */
#define CHART_W 860.0
#define CHART_H 300.0
#define PLOT_LEFT 64.0
#define PLOT_RIGHT 844.0
#define PLOT_TOP 36.0
#define PLOT_BOTTOM 256.0
#define PHASES_H 24.0
#define N_PHASE_COLOURS 8
#define PHASE_NS_MAX 1e18 /* 31 years: bounds a hostile duration so that the sum of all stays finite */

/* A raw-text element: entities are not decoded inside <style>, so the sheet is written as it is and
 * holds no '<', '&' or quote. */
static const char stylesheet[] =
        "body { font: 14px/1.45 system-ui, sans-serif; color: #1d2126; background: #fff; margin: 0 auto;"
        " max-width: 960px; padding: 16px 24px; }\n"
        "h1 { font-size: 1.6em; margin: 0.2em 0; }\n"
        "h2 { font-size: 1.3em; margin: 1.6em 0 0.4em; padding-bottom: 0.2em; border-bottom: 1px solid #d5d9de; }\n"
        "h3 { font-size: 1.1em; margin: 1.2em 0 0.4em; }\n"
        "h4 { font-size: 1em; margin: 1em 0 0.3em; color: #4a525c; }\n"
        "table { border-collapse: collapse; margin: 0.4em 0; }\n"
        "th, td { text-align: left; vertical-align: top; padding: 3px 12px 3px 0; border-bottom: 1px solid #eceef1; }\n"
        "th { font-weight: 600; color: #4a525c; }\n"
        ".num { text-align: right; font-variant-numeric: tabular-nums; }\n"
        ".meta, .description, .path, .note { color: #4a525c; }\n"
        ".verdict { display: inline-block; min-width: 4.5em; text-align: center; border-radius: 3px;"
        " padding: 0 6px; font-size: 0.85em; font-weight: 600; color: #fff; }\n"
        ".verdict-pass { background: #1a7f37; }\n"
        ".verdict-fail { background: #cf222e; }\n"
        ".verdict-skip { background: #6e7781; }\n"
        ".verdict-broken { background: #9a6700; }\n"
        ".verdict-unknown { background: #424a53; }\n"
        ".counts .verdict { margin-right: 6px; }\n"
        ".scenario { margin-top: 2.5em; }\n"
        ".tags { list-style: none; padding: 0; margin: 0.3em 0; }\n"
        ".tags li { display: inline-block; background: #eef1f4; border-radius: 3px; padding: 0 6px;"
        " margin: 0 4px 4px 0; font-size: 0.85em; }\n"
        ".reason { background: #fff8e5; border-left: 3px solid #d4a72c; padding: 4px 8px; white-space: pre-wrap; }\n"
        ".reason:empty { background: none; border: none; }\n"
        "svg { display: block; width: 100%; height: auto; margin: 0.4em 0; }\n"
        "svg text { font: 11px system-ui, sans-serif; fill: #4a525c; }\n"
        ".axis line { stroke: #8c959f; stroke-width: 1; }\n"
        ".axis line.grid { stroke: #eceef1; }\n"
        ".series, .key-series { fill: none; stroke: #0969da; stroke-width: 1.5; stroke-linejoin: round; }\n"
        ".limit, .key-limit { fill: none; stroke: #cf222e; stroke-width: 1.5; stroke-dasharray: 6 4; }\n"
        ".marker line { stroke: #8250df; stroke-width: 1; stroke-dasharray: 2 3; }\n"
        ".marker text { fill: #8250df; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; }\n"
        ".region-before { fill: #ffebe9; }\n"
        ".region-after { fill: #dafbe1; }\n"
        ".region-label { font-weight: 600; }\n"
        ".phase-0 { fill: #0969da; } .phase-1 { fill: #1a7f37; } .phase-2 { fill: #9a6700; }"
        " .phase-3 { fill: #8250df; } .phase-4 { fill: #cf222e; } .phase-5 { fill: #1b7c83; }"
        " .phase-6 { fill: #bf3989; } .phase-7 { fill: #57606a; }\n"
        "svg text.phase-label { fill: #fff; }\n"
        "dl.figures { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0.4em 0; }\n"
        "dl.figures dt { color: #4a525c; }\n"
        "dl.figures dd { margin: 0; }\n";

/* Errors are sticky, as with stdio: every writing helper keeps the first one and does nothing after it,
 * so the rendering code reads like the page it writes and the error is checked once at the end. */
typedef struct Page {
        xmlTextWriterPtr w;
        int error;
} Page;

static void fail(Page *p, int r) {
        if (p->error == 0)
                p->error = r;
}

static void check(Page *p, int xml_result) {
        if (xml_result < 0)
                fail(p, -EIO);
}

/* Length of the UTF-8 character at s when it is well formed and belongs in a page, else 0: no C0 or C1
 * control but tab, newline and carriage return, no surrogate, no U+FFFE/U+FFFF. */
static size_t char_length(const unsigned char *s) {
        static const uint32_t shortest[] = { 0, 0, 0x80, 0x800, 0x10000 };
        size_t n;
        uint32_t c;

        if (s[0] < 0x80)
                return s[0] >= 0x20 ? (s[0] != 0x7f) : (s[0] == '\t' || s[0] == '\n' || s[0] == '\r');
        if ((s[0] & 0xe0) == 0xc0)
                n = 2, c = s[0] & 0x1f;
        else if ((s[0] & 0xf0) == 0xe0)
                n = 3, c = s[0] & 0x0f;
        else if ((s[0] & 0xf8) == 0xf0)
                n = 4, c = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
                        return 0;
                c = c << 6 | (s[i] & 0x3f);
        }
        if (c < shortest[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff ||
            (c >= 0x80 && c < 0xa0))
                return 0;
        return n;
}

/* json-c keeps strings as they came, and libxml2 complains on stderr about bytes that are not UTF-8: text
 * that cannot go into a page as it is gets a copy with U+FFFD for every byte that does not belong. This
 * is not escaping (the writer does that), it makes the text representable at all. */
static const char *representable(Page *p, const char *s, char **ret_copy) {
        const unsigned char *u = (const unsigned char *)s;
        size_t i = 0, n;

        while (u[i] && (n = char_length(u + i)) > 0)
                i += n;
        if (!u[i])
                return s;

        size_t size = strlen(s);
        char *copy = malloc(size * 3 + 1);
        if (!copy) {
                fail(p, -ENOMEM);
                return NULL;
        }
        char *out = copy;
        for (i = 0; u[i];) {
                n = char_length(u + i);
                if (n > 0) {
                        memcpy(out, u + i, n);
                        out += n;
                        i += n;
                } else {
                        memcpy(out, "\xef\xbf\xbd", 3);
                        out += 3;
                        i++;
                }
        }
        *out = '\0';
        return *ret_copy = copy;
}

static void open_element(Page *p, const char *name) {
        if (p->error == 0)
                check(p, sym_xmlTextWriterStartElement(p->w, BAD_CAST name));
}

/* HTML elements always get an end tag: "<div/>" does not close itself in HTML, it opens a div. */
static void close_element(Page *p) {
        if (p->error == 0)
                check(p, sym_xmlTextWriterFullEndElement(p->w));
}

/* For void HTML elements (meta) and SVG shapes, where "<line/>" means what it says. */
static void close_empty(Page *p) {
        if (p->error == 0)
                check(p, sym_xmlTextWriterEndElement(p->w));
}

static void attribute(Page *p, const char *name, const char *value) {
        _cleanup_(freep) char *copy = NULL;

        if (p->error != 0 || !value)
                return;
        value = representable(p, value, &copy);
        if (value)
                check(p, sym_xmlTextWriterWriteAttribute(p->w, BAD_CAST name, BAD_CAST value));
}

_printf_(3, 4) static void attributef(Page *p, const char *name, const char *format, ...) {
        char buf[256];
        va_list ap;

        va_start(ap, format);
        (void)vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);
        attribute(p, name, buf);
}

static void text(Page *p, const char *s) {
        _cleanup_(freep) char *copy = NULL;

        if (p->error != 0 || !s)
                return;
        s = representable(p, s, &copy);
        if (s)
                check(p, sym_xmlTextWriterWriteString(p->w, BAD_CAST s));
}

_printf_(2, 3) static void textf(Page *p, const char *format, ...) {
        char buf[256];
        va_list ap;

        va_start(ap, format);
        (void)vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);
        text(p, buf);
}

/* <name class="class">s</name>, class optional. */
static void element_text(Page *p, const char *name, const char *class, const char *s) {
        open_element(p, name);
        attribute(p, "class", class);
        text(p, s);
        close_element(p);
}

/* An attribute value written in pieces, so the points of 100k samples never sit in memory at once. */
typedef struct Stream {
        char buf[8192];
        size_t length;
} Stream;

static void stream_flush(Page *p, Stream *s) {
        if (p->error == 0 && s->length > 0)
                check(p, sym_xmlTextWriterWriteString(p->w, BAD_CAST s->buf));
        s->length = 0;
        s->buf[0] = '\0';
}

_printf_(3, 4) static void stream_printf(Page *p, Stream *s, const char *format, ...) {
        char piece[128];
        va_list ap;

        va_start(ap, format);
        int n = vsnprintf(piece, sizeof piece, format, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof piece) {
                fail(p, -EINVAL);
                return;
        }
        if (s->length + (size_t)n >= sizeof s->buf)
                stream_flush(p, s);
        memcpy(s->buf + s->length, piece, (size_t)n + 1);
        s->length += (size_t)n;
}

/* Report access: every lookup tolerates a missing member and a wrong type by returning nothing. */

static json_object *member(json_object *o, const char *key) {
        json_object *v = NULL;

        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}

/* The member at a dotted path ("systemd.version"). */
static json_object *lookup(json_object *o, const char *path) {
        char key[64];

        for (;;) {
                size_t n = strcspn(path, ".");
                if (n >= sizeof key)
                        return NULL;
                memcpy(key, path, n);
                key[n] = '\0';
                o = member(o, key);
                if (!o || !path[n])
                        return o;
                path += n + 1;
        }
}

static const char *string_at(json_object *o, const char *path) {
        json_object *v = lookup(o, path);
        return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static json_object *array_at(json_object *o, const char *path) {
        json_object *v = lookup(o, path);
        return json_object_is_type(v, json_type_array) ? v : NULL;
}

/* json-c also parses NaN and Infinity, which no axis can hold. */
static bool number(json_object *v, double *ret) {
        if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
                return false;
        double d = json_object_get_double(v);
        if (!isfinite(d))
                return false;
        *ret = d;
        return true;
}

static bool number_at(json_object *o, const char *path, double *ret) {
        return number(lookup(o, path), ret);
}

static bool element_number(json_object *array, size_t i, double *ret) {
        return array && i < json_object_array_length(array) &&
               number(json_object_array_get_idx(array, i), ret);
}

/* Numbers past this many digits are nonsense in a report, shown short rather than cut off. */
#define PLAIN_MAX 1e12

static const char *ms_text(double ns, char *buf, size_t size) {
        double ms = ns / 1e6;

        if (ms >= PLAIN_MAX || ms <= -PLAIN_MAX)
                snprintf(buf, size, "%.6g", ms);
        else
                snprintf(buf, size, ms >= 10 || ms <= -10 ? "%.1f" : "%.3f", ms);
        return buf;
}

/* A value for a cell: strings as they are, integers exactly, other numbers rounded, booleans as yes/no;
 * NULL for null, objects and arrays. */
static const char *value_text(json_object *v, char *buf, size_t size) {
        double d;

        if (json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int))
                return json_object_get_string(v);
        if (json_object_is_type(v, json_type_boolean))
                return yes_no(json_object_get_boolean(v));
        if (!number(v, &d))
                return NULL;
        if (d >= PLAIN_MAX || d <= -PLAIN_MAX)
                snprintf(buf, size, "%.6g", d);
        else
                snprintf(buf, size, d >= 1 || d <= -1 ? "%.1f" : "%.3g", d);
        return buf;
}

_printf_(3, 4) static void appendf(char *buf, size_t size, const char *format, ...) {
        size_t used = strlen(buf);
        va_list ap;

        if (used + 1 >= size)
                return;
        va_start(ap, format);
        (void)vsnprintf(buf + used, size - used, format, ap);
        va_end(ap);
}

/* Figure formats: each takes the member and returns its text, or NULL to leave the figure out. */
typedef const char *(*FigureFormat)(json_object *v, char *buf, size_t size);

static const char *format_ms(json_object *v, char *buf, size_t size) {
        double ns;

        if (!number(v, &ns))
                return NULL;
        ms_text(ns, buf, size);
        appendf(buf, size, " ms");
        return buf;
}

/* {"current": 1, "max": 64, "events_max": 0} */
static const char *format_pids(json_object *v, char *buf, size_t size) {
        static const struct {
                const char *key, *label;
        } fields[] = {
                { "current", "current" },
                { "max", "max" },
                { "events_max", "events.max" },
        };
        char value[64];

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                const char *s = value_text(member(v, fields[i].key), value, sizeof value);
                if (s)
                        appendf(buf, size, "%s%s %s", buf[0] ? ", " : "", fields[i].label, s);
        }
        return buf[0] ? buf : NULL;
}

/* pids.current at the first failure is -1 when it could not be read. */
static const char *format_read(json_object *v, char *buf, size_t size) {
        double d;

        if (number(v, &d) && d < 0)
                return "could not be read";
        return value_text(v, buf, size);
}

/* {"EAGAIN": 9, "ENOMEM": 1} */
static const char *format_counts(json_object *v, char *buf, size_t size) {
        char value[64];

        if (!json_object_is_type(v, json_type_object))
                return NULL;
        buf[0] = '\0';
        json_object_object_foreach(v, errno_name, count) {
                const char *s = value_text(count, value, sizeof value);
                if (s)
                        appendf(buf, size, "%s%s %s", buf[0] ? ", " : "", errno_name, s);
        }
        return buf[0] ? buf : NULL;
}

typedef struct Figure {
        const char *label;
        const char *path;    /* in the storm or loop object */
        FigureFormat format; /* NULL: value_text() */
} Figure;

static const Figure storm_figures[] = {
        { "kind", "kind", NULL },
        { "TasksMax", "tasks_max", NULL },
        { "slice", "slice", NULL },
        { "slice TasksMax", "slice_tasks_max", NULL },
        { "tasks asked", "tasks_asked", NULL },
        { "tasks created", "tasks_created", NULL },
        { "attempts", "attempts", NULL },
        { "failures", "failures", NULL },
        { "failures by errno", "failures_by_errno", format_counts },
        { "first failure errno", "first_failure.errno", NULL },
        { "pids.current at first failure", "first_failure.pids_current", format_read },
        { "storm tasks at first failure", "first_failure.storm_tasks", NULL },
        { "first failure after", "first_failure.after_ns", format_ms },
        { "tasks per second", "tasks_per_second", NULL },
        { "pids before", "pids_before", format_pids },
        { "pids after", "pids_after", format_pids },
        { "cancelled", "cancelled", NULL },
        { "samples per second", "samples.per_second", NULL },
};

static const Figure loop_figures[] = {
        { "unit", "unit", NULL },
        { "TasksMax as installed", "tasks_max", NULL },
        { "containers asked", "containers_asked", NULL },
        { "containers started before the fix", "containers_started", NULL },
        { "containers failed before the fix", "containers_failed", NULL },
        { "first failure at", "first_failure_ns", format_ms },
        { "check verdict", "check_verdict", NULL },
        { "check cause", "check_cause", NULL },
        { "check says", "check_why", NULL },
        { "remedy TasksMax", "remedy.tasks_max", NULL },
        { "fixed", "fixed", NULL },
        { "fix verified", "fix_verified", NULL },
        { "check verdict after the fix", "check_verdict_after", NULL },
        { "containers started after the fix", "containers_started_again", NULL },
        { "containers failed after the fix", "containers_failed_again", NULL },
        { "samples per second", "samples.per_second", NULL },
};

/* The two things a scenario may have run; a scenario with neither (a SKIP) shows its header only. */
typedef struct Part {
        const char *key; /* member of the scenario */
        const char *title;
        const Figure *figures;
        size_t n_figures;
} Part;

static const Part parts[] = {
        { "storm", "Storm", storm_figures, ELEMENTSOF(storm_figures) },
        { "loop", "Container loop, before and after the fix", loop_figures, ELEMENTSOF(loop_figures) },
};

/* Vertical lines on the timeline. A marker is at a time member (ns since the scenario origin), or at
 * the start or end of a phase; "only_if_zero" names a member that must be 0 for it to be drawn. */
typedef struct Marker {
        const char *part;
        const char *id; /* data-marker */
        const char *label;
        const char *time;
        const char *phase;
        bool phase_end;
        const char *only_if_zero;
} Marker;

static const Marker markers[] = {
        { "storm", "first-eagain", "first EAGAIN", "first_eagain_ns", NULL, false, NULL },
        { "loop", "first-eagain", "first failure", "first_failure_ns", NULL, false, NULL },
        { "loop", "fix", "fix", NULL, "set-property", false, NULL },
        { "loop", "recovered", "recovered", NULL, "re-run", true, "containers_failed_again" },
};

/* Shaded phases: the loop's two runs share one chart, told apart by background. */
typedef struct Region {
        const char *part;
        const char *phase;
        const char *id; /* data-region */
        const char *class;
        const char *label;
} Region;

static const Region regions[] = {
        { "loop", "reproduce", "before-fix", "region region-before", "before fix" },
        { "loop", "re-run", "after-fix", "region region-after", "after fix" },
};

static const struct {
        const char *verdict;
        const char *class;
} verdict_classes[] = {
        { "PASS", "verdict verdict-pass" },
        { "FAIL", "verdict verdict-fail" },
        { "SKIP", "verdict verdict-skip" },
        { "BROKEN", "verdict verdict-broken" },
};

static const struct {
        const char *label;
        const char *path; /* in "environment" */
} environment_rows[] = {
        { "systemd", "systemd.version" }, { "DefaultTasksMax", "systemd.default_tasks_max" },
        { "kernel", "kernel.release" },   { "OS", "os.pretty_name" },
        { "cgroup mode", "cgroup.mode" }, { "PID 1", "pid1.comm" },
};

static const char *verdict_class(const char *verdict) {
        for (size_t i = 0; verdict && i < ELEMENTSOF(verdict_classes); i++)
                if (streq(verdict, verdict_classes[i].verdict))
                        return verdict_classes[i].class;
        return "verdict verdict-unknown";
}

static void verdict_badge(Page *p, const char *verdict) {
        element_text(p, "span", verdict_class(verdict), verdict ? verdict : "unknown");
}

/* The phase called name, with its start and (when ret_duration) its duration in ns. */
static bool find_phase(json_object *part, const char *name, double *ret_start, double *ret_duration) {
        json_object *phases = array_at(part, "phases");
        size_t n = phases ? json_object_array_length(phases) : 0;

        for (size_t i = 0; i < n; i++) {
                json_object *phase = json_object_array_get_idx(phases, i);
                const char *s = string_at(phase, "name");
                double start, duration = 0;

                if (!s || !streq(s, name) || !number_at(phase, "start_ns", &start))
                        continue;
                if (ret_duration && !number_at(phase, "duration_ns", &duration))
                        continue;
                *ret_start = start;
                if (ret_duration)
                        *ret_duration = duration;
                return true;
        }
        return false;
}

static bool marker_time(const Marker *m, json_object *part, double *ret_ns) {
        double v, start, duration = 0;

        if (m->only_if_zero && (!number_at(part, m->only_if_zero, &v) || v != 0))
                return false;
        if (m->time)
                return number_at(part, m->time, ret_ns);
        if (!find_phase(part, m->phase, &start, m->phase_end ? &duration : NULL))
                return false;
        *ret_ns = m->phase_end ? start + duration : start;
        return true;
}

/* The samples of one part and the scales of its chart. */
typedef struct Timeline {
        json_object *t, *current, *max; /* the sample arrays, NULL when not arrays */
        size_t length;                  /* samples with both a time and a pids.current entry */
        size_t n_points;                /* of those, the ones where both are numbers: the series */
        size_t n_limited, n_unlimited;  /* pids.max entries that are numbers, and "max" */
        double x_hi, x_step;            /* ms since the scenario origin: axis end and tick spacing */
        double y_hi, y_step;            /* tasks */
} Timeline;

static void extend(double *hi, double v) {
        if (v > *hi)
                *hi = v;
}

/* A round tick spacing (1, 2 or 5 times a power of ten) giving at most 6 intervals up to *hi, which is
 * then rounded up to a whole tick. No libm: the harness does not link it. */
static void axis_round(double *hi, double *ret_step) {
        static const double multiples[] = { 1, 2, 5, 10 };
        double raw, magnitude = 1, step = 1;

        if (*hi < 1)
                *hi = 1;
        if (*hi > 1e15)
                *hi = 1e15;
        raw = *hi / 6;
        while (magnitude * 10 <= raw)
                magnitude *= 10;
        while (magnitude > raw)
                magnitude /= 10;
        for (size_t i = 0; i < ELEMENTSOF(multiples); i++)
                if (multiples[i] * magnitude >= raw) {
                        step = multiples[i] * magnitude;
                        break;
                }
        double ticks = *hi / step;
        long whole = (long)ticks;
        if (whole < ticks)
                whole++;
        *hi = whole * step;
        *ret_step = step;
}

static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : v > hi ? hi : v;
}

static double px_x(const Timeline *tl, double ms) {
        return clamp(PLOT_LEFT + ms / tl->x_hi * (PLOT_RIGHT - PLOT_LEFT), PLOT_LEFT, PLOT_RIGHT);
}

static double px_y(const Timeline *tl, double tasks) {
        return clamp(PLOT_BOTTOM - tasks / tl->y_hi * (PLOT_BOTTOM - PLOT_TOP), PLOT_TOP, PLOT_BOTTOM);
}

/* Reads the samples and sizes both axes so every sample, limit, phase and marker of the part fits. */
static void timeline_load(const char *part_key, json_object *part, Timeline *tl) {
        json_object *samples = member(part, "samples"), *phases = array_at(part, "phases");
        double t, v;

        *tl = (Timeline){
                .t = array_at(samples, "t_ns"),
                .current = array_at(samples, "pids_current"),
                .max = array_at(samples, "pids_max"),
        };
        if (!tl->t || !tl->current)
                return;
        tl->length = json_object_array_length(tl->t);
        if (json_object_array_length(tl->current) < tl->length)
                tl->length = json_object_array_length(tl->current);

        for (size_t i = 0; i < tl->length; i++) {
                if (!element_number(tl->t, i, &t))
                        continue;
                extend(&tl->x_hi, t / 1e6);
                if (element_number(tl->current, i, &v)) {
                        tl->n_points++;
                        extend(&tl->y_hi, v);
                }
                json_object *limit = tl->max && i < json_object_array_length(tl->max)
                                             ? json_object_array_get_idx(tl->max, i)
                                             : NULL;
                if (number(limit, &v)) {
                        tl->n_limited++;
                        extend(&tl->y_hi, v);
                } else if (json_object_is_type(limit, json_type_string) &&
                           streq(json_object_get_string(limit), "max"))
                        tl->n_unlimited++;
        }

        size_t n_phases = phases ? json_object_array_length(phases) : 0;
        for (size_t i = 0; i < n_phases; i++) {
                json_object *phase = json_object_array_get_idx(phases, i);
                double start, duration = 0;
                if (number_at(phase, "start_ns", &start)) {
                        (void)number_at(phase, "duration_ns", &duration);
                        extend(&tl->x_hi, (start + duration) / 1e6);
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(markers); i++)
                if (streq(markers[i].part, part_key) && marker_time(&markers[i], part, &t))
                        extend(&tl->x_hi, t / 1e6);

        axis_round(&tl->x_hi, &tl->x_step);
        axis_round(&tl->y_hi, &tl->y_step);
}

static void svg_line(Page *p, const char *class, double x1, double y1, double x2, double y2) {
        open_element(p, "line");
        attribute(p, "class", class);
        attributef(p, "x1", "%.1f", x1);
        attributef(p, "y1", "%.1f", y1);
        attributef(p, "x2", "%.1f", x2);
        attributef(p, "y2", "%.1f", y2);
        close_empty(p);
}

static void svg_text(Page *p, const char *class, double x, double y, const char *anchor, const char *s) {
        open_element(p, "text");
        attribute(p, "class", class);
        attributef(p, "x", "%.1f", x);
        attributef(p, "y", "%.1f", y);
        attribute(p, "text-anchor", anchor);
        text(p, s);
        close_element(p);
}

static void svg_title(Page *p, const char *s) {
        element_text(p, "title", NULL, s);
}

static void write_regions(Page *p, const Timeline *tl, const char *part_key, json_object *part) {
        for (size_t i = 0; i < ELEMENTSOF(regions); i++) {
                const Region *r = &regions[i];
                double start, duration;

                if (!streq(r->part, part_key) || !find_phase(part, r->phase, &start, &duration))
                        continue;
                double x1 = px_x(tl, start / 1e6), x2 = px_x(tl, (start + duration) / 1e6);
                if (x2 < x1 + 1)
                        x2 = x1 + 1;

                open_element(p, "rect");
                attribute(p, "class", r->class);
                attribute(p, "data-region", r->id);
                attributef(p, "x", "%.1f", x1);
                attributef(p, "y", "%.1f", PLOT_TOP);
                attributef(p, "width", "%.1f", x2 - x1);
                attributef(p, "height", "%.1f", PLOT_BOTTOM - PLOT_TOP);
                svg_title(p, r->label);
                close_element(p);
                svg_text(p, "region-label", (x1 + x2) / 2, PLOT_TOP - 5, "middle", r->label);
        }
}

static void write_axes(Page *p, const Timeline *tl) {
        char label[32];

        open_element(p, "g");
        attribute(p, "class", "axis");
        for (long k = 0; k * tl->x_step <= tl->x_hi * (1 + 1e-9); k++) {
                double x = px_x(tl, k * tl->x_step);
                if (k > 0)
                        svg_line(p, "grid", x, PLOT_TOP, x, PLOT_BOTTOM);
                svg_line(p, "tick", x, PLOT_BOTTOM, x, PLOT_BOTTOM + 4);
                snprintf(label, sizeof label, "%g", k * tl->x_step);
                svg_text(p, "tick-label", x, PLOT_BOTTOM + 16, "middle", label);
        }
        for (long k = 0; k * tl->y_step <= tl->y_hi * (1 + 1e-9); k++) {
                double y = px_y(tl, k * tl->y_step);
                if (k > 0)
                        svg_line(p, "grid", PLOT_LEFT, y, PLOT_RIGHT, y);
                svg_line(p, "tick", PLOT_LEFT - 4, y, PLOT_LEFT, y);
                snprintf(label, sizeof label, "%g", k * tl->y_step);
                svg_text(p, "tick-label", PLOT_LEFT - 6, y + 4, "end", label);
        }
        svg_line(p, "x-axis", PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT, PLOT_BOTTOM);
        svg_line(p, "y-axis", PLOT_LEFT, PLOT_TOP, PLOT_LEFT, PLOT_BOTTOM);
        svg_text(p, "axis-title", (PLOT_LEFT + PLOT_RIGHT) / 2, CHART_H - 8, "middle",
                 "time since the scenario started (ms)");

        open_element(p, "text");
        attribute(p, "class", "axis-title");
        attributef(p, "x", "%.1f", -(PLOT_TOP + PLOT_BOTTOM) / 2);
        attribute(p, "y", "14");
        attribute(p, "transform", "rotate(-90)");
        attribute(p, "text-anchor", "middle");
        text(p, "tasks");
        close_element(p);
        close_element(p);
}

/* pids.max as a step line: a value holds until the next sample. "max" (no limit) leaves a gap. */
static void write_limit(Page *p, const Timeline *tl) {
        Stream s = {};
        bool drawing = false;
        double last = 0, last_x = 0, t, v;

        if (tl->n_limited == 0)
                return;
        open_element(p, "path");
        attribute(p, "class", "limit");
        if (p->error == 0)
                check(p, sym_xmlTextWriterStartAttribute(p->w, BAD_CAST "d"));
        for (size_t i = 0; i < tl->length && p->error == 0; i++) {
                if (!element_number(tl->t, i, &t))
                        continue;
                double x = px_x(tl, t / 1e6);
                if (element_number(tl->max, i, &v)) {
                        if (!drawing)
                                stream_printf(p, &s, "%sM%.1f,%.1f", s.length ? " " : "", x, px_y(tl, v));
                        else if (v != last)
                                stream_printf(p, &s, " H%.1f V%.1f", x, px_y(tl, v));
                        drawing = true;
                        last = v;
                        last_x = x;
                } else if (drawing) {
                        stream_printf(p, &s, " H%.1f", x);
                        drawing = false;
                }
        }
        if (drawing)
                stream_printf(p, &s, " H%.1f", last_x);
        stream_flush(p, &s);
        if (p->error == 0)
                check(p, sym_xmlTextWriterEndAttribute(p->w));
        close_empty(p);
}

/* pids.current, one point per sample: tests and readers count them against the report. */
static void write_series(Page *p, const Timeline *tl) {
        Stream s = {};
        double t, v;

        open_element(p, "polyline");
        attribute(p, "class", "series");
        attributef(p, "data-samples", "%zu", tl->n_points);
        if (p->error == 0)
                check(p, sym_xmlTextWriterStartAttribute(p->w, BAD_CAST "points"));
        for (size_t i = 0; i < tl->length && p->error == 0; i++)
                if (element_number(tl->t, i, &t) && element_number(tl->current, i, &v))
                        stream_printf(p, &s, "%s%.1f,%.1f", s.length ? " " : "", px_x(tl, t / 1e6),
                                      px_y(tl, v));
        stream_flush(p, &s);
        if (p->error == 0)
                check(p, sym_xmlTextWriterEndAttribute(p->w));
        close_empty(p);
}

static void write_markers(Page *p, const Timeline *tl, const char *part_key, json_object *part) {
        size_t drawn = 0;
        char title[128], ms[32];
        double ns;

        for (size_t i = 0; i < ELEMENTSOF(markers); i++) {
                const Marker *m = &markers[i];
                if (!streq(m->part, part_key) || !marker_time(m, part, &ns))
                        continue;
                double x = px_x(tl, ns / 1e6), y = PLOT_TOP + 12 + 13 * (double)drawn++;
                bool left = x > PLOT_RIGHT - 100; /* labels near the right edge go on the line's left */

                open_element(p, "g");
                attribute(p, "class", "marker");
                attribute(p, "data-marker", m->id);
                snprintf(title, sizeof title, "%s at %s ms", m->label, ms_text(ns, ms, sizeof ms));
                svg_title(p, title);
                svg_line(p, NULL, x, PLOT_TOP, x, PLOT_BOTTOM);
                svg_text(p, NULL, left ? x - 3 : x + 3, y, left ? "end" : "start", m->label);
                close_element(p);
        }
}

static void write_legend(Page *p, const Timeline *tl) {
        open_element(p, "g");
        attribute(p, "class", "legend");
        svg_line(p, "key-series", PLOT_LEFT, 12, PLOT_LEFT + 20, 12);
        svg_text(p, NULL, PLOT_LEFT + 26, 16, "start", "tasks (pids.current)");
        if (tl->n_limited > 0) {
                svg_line(p, "key-limit", PLOT_LEFT + 200, 12, PLOT_LEFT + 220, 12);
                svg_text(p, NULL, PLOT_LEFT + 226, 16, "start",
                         tl->n_unlimited > 0 ? "limit (pids.max), a gap where there is no limit"
                                             : "limit (pids.max)");
        } else if (tl->n_unlimited > 0)
                svg_text(p, NULL, PLOT_LEFT + 200, 16, "start", "no limit (pids.max is max)");
        close_element(p);
}

static void write_timeline(Page *p, const char *part_key, json_object *part, const char *scenario) {
        Timeline tl;

        timeline_load(part_key, part, &tl);
        if (tl.n_points == 0)
                return;

        open_element(p, "svg");
        attribute(p, "class", "timeline");
        attributef(p, "viewBox", "0 0 %.0f %.0f", CHART_W, CHART_H);
        attribute(p, "role", "img");
        open_element(p, "title");
        text(p, "Tasks of ");
        text(p, scenario);
        text(p, " over time: pids.current against the limit pids.max");
        close_element(p);
        write_regions(p, &tl, part_key, part);
        write_axes(p, &tl);
        write_limit(p, &tl);
        write_series(p, &tl);
        write_markers(p, &tl, part_key, part);
        write_legend(p, &tl);
        close_element(p);
}

/* A stacked bar, each phase as wide as its share of the time plus one unit so that none vanishes,
 * and below it the same as a table. */
static void write_phases(Page *p, json_object *part) {
        json_object *phases = array_at(part, "phases");
        size_t n = phases ? json_object_array_length(phases) : 0, valid = 0;
        double total = 0, d, start, x = 0;
        char a[32], b[32];

        for (size_t i = 0; i < n; i++)
                if (number_at(json_object_array_get_idx(phases, i), "duration_ns", &d)) {
                        valid++;
                        total += clamp(d, 0, PHASE_NS_MAX);
                }
        if (valid == 0)
                return;
        double spare = CHART_W > (double)valid ? CHART_W - (double)valid : 0;

        element_text(p, "h4", NULL, "Phases");
        open_element(p, "svg");
        attribute(p, "class", "phases");
        attributef(p, "viewBox", "0 0 %.0f %.0f", CHART_W, PHASES_H);
        attribute(p, "role", "img");
        svg_title(p, "How long each phase took");
        for (size_t i = 0, k = 0; i < n; i++) {
                json_object *phase = json_object_array_get_idx(phases, i);
                const char *name = string_at(phase, "name");
                if (!number_at(phase, "duration_ns", &d))
                        continue;
                d = clamp(d, 0, PHASE_NS_MAX);
                if (!name)
                        name = "(unnamed)";
                double width = spare > 0 ? 1 + (total > 0 ? d / total * spare : spare / (double)valid)
                                         : CHART_W / (double)valid;

                open_element(p, "rect");
                attributef(p, "class", "phase phase-%zu", k++ % N_PHASE_COLOURS);
                attribute(p, "data-phase", name);
                attributef(p, "x", "%.2f", x);
                attribute(p, "y", "0");
                attributef(p, "width", "%.2f", width);
                attributef(p, "height", "%.0f", PHASES_H);
                open_element(p, "title");
                text(p, name);
                textf(p, ": %s ms", ms_text(d, a, sizeof a));
                close_element(p);
                close_element(p);
                if (width >= 7.0 * (double)strlen(name) + 8)
                        svg_text(p, "phase-label", x + width / 2, 16, "middle", name);
                x += width;
        }
        close_element(p);

        open_element(p, "table");
        attribute(p, "class", "phase-table");
        open_element(p, "thead");
        open_element(p, "tr");
        element_text(p, "th", NULL, "phase");
        element_text(p, "th", "num", "start (ms)");
        element_text(p, "th", "num", "duration (ms)");
        close_element(p);
        close_element(p);
        open_element(p, "tbody");
        for (size_t i = 0; i < n; i++) {
                json_object *phase = json_object_array_get_idx(phases, i);
                const char *name = string_at(phase, "name");
                if (!number_at(phase, "duration_ns", &d))
                        continue;
                open_element(p, "tr");
                element_text(p, "td", NULL, name ? name : "(unnamed)");
                element_text(p, "td", "num",
                             number_at(phase, "start_ns", &start) ? ms_text(start, a, sizeof a) : "");
                element_text(p, "td", "num", ms_text(d, b, sizeof b));
                close_element(p);
        }
        close_element(p);
        close_element(p);
}

static void write_figures(Page *p, const Part *part, json_object *o) {
        char buf[512];
        bool any = false;

        for (size_t i = 0; i < part->n_figures; i++) {
                const Figure *f = &part->figures[i];
                json_object *v = lookup(o, f->path);
                const char *s = f->format ? f->format(v, buf, sizeof buf) : value_text(v, buf, sizeof buf);
                if (!s)
                        continue;
                if (!any) {
                        element_text(p, "h4", NULL, "Key figures");
                        open_element(p, "dl");
                        attribute(p, "class", "figures");
                        any = true;
                }
                element_text(p, "dt", NULL, f->label);
                element_text(p, "dd", NULL, s);
        }
        if (any)
                close_element(p);
}

static void write_part(Page *p, const Part *part, json_object *o, const char *scenario) {
        open_element(p, "div");
        attributef(p, "class", "part part-%s", part->key);
        element_text(p, "h3", NULL, part->title);
        write_timeline(p, part->key, o, scenario);
        write_phases(p, o);
        write_figures(p, part, o);
        close_element(p);
}

static const char *scenario_name(json_object *scenario) {
        const char *name = string_at(scenario, "name");
        return name ? name : "(unnamed scenario)";
}

static void write_scenario(Page *p, json_object *scenario, size_t index) {
        json_object *tags = array_at(scenario, "tags");
        const char *name = scenario_name(scenario), *s;
        size_t n_tags = tags ? json_object_array_length(tags) : 0;
        char buf[64];
        double ns;

        open_element(p, "section");
        attribute(p, "class", "scenario");
        attributef(p, "id", "scenario-%zu", index + 1);
        attribute(p, "data-verdict", string_at(scenario, "verdict"));
        open_element(p, "h2");
        text(p, name);
        text(p, " ");
        verdict_badge(p, string_at(scenario, "verdict"));
        close_element(p);

        if ((s = string_at(scenario, "description")))
                element_text(p, "p", "description", s);
        if ((s = string_at(scenario, "path")))
                element_text(p, "p", "path", s);
        bool any_tag = false;
        for (size_t i = 0; i < n_tags; i++) {
                json_object *tag = json_object_array_get_idx(tags, i);
                if (!json_object_is_type(tag, json_type_string))
                        continue;
                if (!any_tag) {
                        open_element(p, "ul");
                        attribute(p, "class", "tags");
                        any_tag = true;
                }
                element_text(p, "li", NULL, json_object_get_string(tag));
        }
        if (any_tag)
                close_element(p);
        if ((s = string_at(scenario, "reason")))
                element_text(p, "p", "reason", s);
        if (number_at(scenario, "duration_ns", &ns)) {
                open_element(p, "p");
                attribute(p, "class", "duration");
                textf(p, "Took %s ms.", ms_text(ns, buf, sizeof buf));
                close_element(p);
        }

        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                json_object *o = member(scenario, parts[i].key);
                if (json_object_is_type(o, json_type_object))
                        write_part(p, &parts[i], o, name);
        }
        close_element(p);
}

static void write_summary(Page *p, json_object *report) {
        json_object *scenarios = array_at(report, "scenarios");
        size_t n = scenarios ? json_object_array_length(scenarios) : 0;
        char buf[64];
        double v;

        open_element(p, "section");
        attribute(p, "id", "summary");
        element_text(p, "h2", NULL, "Summary");

        open_element(p, "p");
        attribute(p, "class", "counts");
        for (size_t i = 0; i < ELEMENTSOF(verdict_classes); i++) {
                if (!number_at(member(report, "summary"), verdict_classes[i].verdict, &v))
                        continue;
                snprintf(buf, sizeof buf, "%s %.0f", verdict_classes[i].verdict, v);
                element_text(p, "span", verdict_classes[i].class, buf);
        }
        textf(p, "%zu scenario%s", n, n == 1 ? "" : "s");
        close_element(p);

        open_element(p, "table");
        attribute(p, "class", "summary");
        open_element(p, "thead");
        open_element(p, "tr");
        element_text(p, "th", NULL, "scenario");
        element_text(p, "th", NULL, "verdict");
        element_text(p, "th", "num", "duration (ms)");
        element_text(p, "th", NULL, "reason");
        close_element(p);
        close_element(p);
        open_element(p, "tbody");
        for (size_t i = 0; i < n; i++) {
                json_object *scenario = json_object_array_get_idx(scenarios, i);
                if (!json_object_is_type(scenario, json_type_object))
                        continue;
                open_element(p, "tr");
                attribute(p, "data-verdict", string_at(scenario, "verdict"));
                open_element(p, "td");
                open_element(p, "a");
                attributef(p, "href", "#scenario-%zu", i + 1);
                text(p, scenario_name(scenario));
                close_element(p);
                close_element(p);
                open_element(p, "td");
                verdict_badge(p, string_at(scenario, "verdict"));
                close_element(p);
                element_text(p, "td", "num",
                             number_at(scenario, "duration_ns", &v) ? ms_text(v, buf, sizeof buf) : "");
                element_text(p, "td", "reason", strempty(string_at(scenario, "reason")));
                close_element(p);
        }
        close_element(p);
        close_element(p);
        close_element(p);
}

static void write_header(Page *p, json_object *report) {
        json_object *environment = member(report, "environment");
        const char *version = string_at(report, "taskstorm_version");
        const char *generated = string_at(report, "generated_at");
        char buf[64];
        double format_version;

        open_element(p, "header");
        element_text(p, "h1", NULL, "taskstorm run report");
        open_element(p, "p");
        attribute(p, "class", "meta");
        text(p, "taskstorm ");
        text(p, version ? version : "unknown");
        text(p, ", generated ");
        text(p, generated ? generated : "unknown");
        close_element(p);
        if (number_at(report, "version", &format_version) && format_version != 1) {
                open_element(p, "p");
                attribute(p, "class", "note");
                textf(p,
                      "This page knows report format version 1; this report says %.0f: some parts may be missing.",
                      format_version);
                close_element(p);
        }

        open_element(p, "table");
        attribute(p, "class", "environment");
        open_element(p, "tbody");
        for (size_t i = 0; i < ELEMENTSOF(environment_rows); i++) {
                const char *s = value_text(lookup(environment, environment_rows[i].path), buf, sizeof buf);
                open_element(p, "tr");
                element_text(p, "th", NULL, environment_rows[i].label);
                element_text(p, "td", NULL, s ? s : "unknown");
                close_element(p);
        }
        close_element(p);
        close_element(p);
        close_element(p);
}

static void write_document(Page *p, json_object *report) {
        json_object *scenarios = array_at(report, "scenarios");
        size_t n = scenarios ? json_object_array_length(scenarios) : 0;
        const char *generated = string_at(report, "generated_at");

        check(p, sym_xmlTextWriterWriteDTD(p->w, BAD_CAST "html", NULL, NULL, NULL));
        open_element(p, "html");
        attribute(p, "lang", "en");

        open_element(p, "head");
        open_element(p, "meta");
        attribute(p, "charset", "utf-8");
        close_empty(p);
        open_element(p, "meta");
        attribute(p, "name", "viewport");
        attribute(p, "content", "width=device-width, initial-scale=1");
        close_empty(p);
        open_element(p, "title");
        text(p, "taskstorm report");
        if (generated) {
                text(p, ", ");
                text(p, generated);
        }
        close_element(p);
        open_element(p, "style");
        if (p->error == 0)
                check(p, sym_xmlTextWriterWriteRaw(p->w, BAD_CAST stylesheet));
        close_element(p);
        close_element(p);

        open_element(p, "body");
        write_header(p, report);
        open_element(p, "main");
        write_summary(p, report);
        for (size_t i = 0; i < n; i++) {
                json_object *scenario = json_object_array_get_idx(scenarios, i);
                if (json_object_is_type(scenario, json_type_object))
                        write_scenario(p, scenario, i);
        }
        close_element(p);
        close_element(p);
        close_element(p);
        if (p->error == 0)
                check(p, sym_xmlTextWriterEndDocument(p->w));
}

static void writer_freep(xmlTextWriterPtr *w) {
        if (*w)
                sym_xmlFreeTextWriter(*w);
}

/* The temporary file, removed unless it was renamed into place. */
static void unlink_and_freep(char **path) {
        int saved = errno;
        if (*path) {
                (void)unlink(*path);
                free(*path);
        }
        errno = saved;
}

static int write_page(int fd, json_object *report) {
        xmlOutputBufferPtr out = sym_xmlOutputBufferCreateFd(fd, NULL); /* leaves fd open when freed */
        if (!out)
                return -ENOMEM;
        _cleanup_(writer_freep) xmlTextWriterPtr w = sym_xmlNewTextWriter(out);
        if (!w) {
                (void)sym_xmlOutputBufferClose(out);
                return -ENOMEM;
        }
        (void)sym_xmlTextWriterSetIndent(w, 1);

        Page p = { .w = w };
        write_document(&p, report);
        if (p.error == 0)
                check(&p, sym_xmlTextWriterFlush(w));
        return p.error;
}

int ts_html_write(const char *path, json_object *report) {
        _cleanup_(unlink_and_freep) char *temp = NULL;
        _cleanup_(closep) int fd = -EBADF;
        int r;

        if (!path || !json_object_is_type(report, json_type_object))
                return -EINVAL;
        r = ts_xml_dlopen();
        if (r < 0)
                return r;
        if (asprintf(&temp, "%s.XXXXXX", path) < 0) {
                temp = NULL;
                return -ENOMEM;
        }
        fd = mkostemp(temp, O_CLOEXEC);
        if (fd < 0) {
                r = negative_errno();
                free(TAKE_PTR(temp)); /* nothing was created */
                return r;
        }
        /* mkostemp() makes it 0600; a report is for everyone who can read the directory. */
        if (fchmod(fd, 0644) < 0)
                return negative_errno();

        r = write_page(fd, report);
        if (r < 0)
                return r;
        if (close(TAKE_FD(fd)) < 0)
                return -EIO;
        if (rename(temp, path) < 0)
                return negative_errno();
        free(TAKE_PTR(temp));
        return 0;
}
