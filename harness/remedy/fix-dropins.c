/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads unit files as systemd's config parser does, for one key: TasksMax. inih (which scenario files
 * use) does not fit this syntax: it takes an indented line for the continuation of the key before it
 * (systemd: a key of its own), knows no backslash continuation, cuts ';' comments off values and ':'
 * as a separator, and cuts lines at 200 bytes. So the lines are read here, with systemd's rules
 * (conf-parser.c: config_parse() and parse_line()). */
#include <stdio.h>

#include "fileio.h"
#include "fix-dropins.h"
#include "macro.h"
#include "unit.h"

#define UNIT_FILE_MAX ((size_t)1 << 20)
/* The directory systemd prefers for drop-ins: a drop-in there masks those of the same name elsewhere. */
#define PERSISTENT_CONTROL "/etc/systemd/system.control/"

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char *strip(char *s) {
        while (is_blank(*s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && is_blank(s[n - 1]))
                s[--n] = 0;
        return s;
}

static const char *base_name(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

static bool startswith(const char *s, const char *prefix) {
        return strneq(s, prefix, strlen(prefix));
}

/* Reads text one logical line at a time, as systemd does: a comment line (# or ; first after blanks)
 * is dropped, even inside a continuation; a line whose last backslash is not escaped continues on
 * the next, the backslash becoming a blank. */
typedef struct LineReader {
        const char *next, *end;
        unsigned line; /* physical lines read */
        char *buf;     /* the logical line; as long as the whole text at most */
} LineReader;

static bool ends_in_continuation(const char *s) {
        bool escaped = false;
        for (; *s; s++)
                escaped = !escaped && *s == '\\';
        return escaped;
}

/* The next logical line, stripped, into r->buf, and the line it starts on (systemd reports the line
 * it ends on; the key is on the first). false at the end of the text. */
static bool next_logical_line(LineReader *r, unsigned *ret_start) {
        size_t used = 0;
        bool continued = false;
        while (r->next < r->end) {
                const char *eol = memchr(r->next, '\n', (size_t)(r->end - r->next));
                const char *line = r->next, *stop = eol ? eol : r->end;
                r->next = eol ? eol + 1 : r->end;
                r->line++;
                if (stop > line && stop[-1] == '\r')
                        stop--;
                const char *first = line;
                while (first < stop && is_blank(*first))
                        first++;
                if (first < stop && (*first == '#' || *first == ';'))
                        continue;
                if (!continued)
                        *ret_start = r->line;
                memcpy(r->buf + used, line, (size_t)(stop - line));
                used += (size_t)(stop - line);
                r->buf[used] = 0;
                continued = ends_in_continuation(r->buf);
                if (!continued)
                        return true;
                r->buf[used - 1] = ' ';
        }
        return continued; /* a continuation at the end of the file ends there */
}

int ts_tasks_max_origin_find(const char *unit, const TsUnitFile *files, size_t n, TsTasksMaxOrigin *ret) {
        const char *section = unit ? ts_unit_type_section(unit) : NULL;
        if (!section || (n > 0 && !files))
                return -EINVAL;

        TsTasksMaxOrigin o = { .file = -1, .limit.kind = _TS_TASKS_LIMIT_KIND_INVALID };
        for (size_t i = 0; i < n; i++) {
                const char *text = strempty(files[i].text);
                size_t size = strlen(text);
                _cleanup_(freep) char *buf = malloc(size + 1);
                if (!buf)
                        return -ENOMEM;
                ANALYZER_OWNED_BY_CLEANUP(buf);
                LineReader r = { .next = text, .end = text + size, .buf = buf };
                bool in_section = false; /* keys before the first header belong to none */
                unsigned start = 0;
                while (next_logical_line(&r, &start)) {
                        char *l = strip(r.buf);
                        size_t len = strlen(l);
                        if (len == 0)
                                continue;
                        if (l[0] == '[') {
                                /* A header without its ']' makes systemd refuse the file; here it
                                 * only ends the section before it. */
                                in_section = len >= 2 && l[len - 1] == ']' && len - 2 == strlen(section) &&
                                             strneq(l + 1, section, len - 2);
                                continue;
                        }
                        char *eq = strchr(l, '=');
                        if (!in_section || !eq)
                                continue; /* another section's key, or a line systemd ignores */
                        *eq = 0;
                        if (!streq(strip(l), "TasksMax"))
                                continue;
                        const char *value = strip(eq + 1);
                        TsTasksLimit limit = { .kind = _TS_TASKS_LIMIT_KIND_INVALID };
                        if (*value && ts_tasks_limit_parse(value, &limit) < 0)
                                continue; /* invalid: systemd keeps the value before */
                        o.file = (ssize_t)i;
                        o.line = start;
                        o.limit = limit;
                        snprintf(o.assignment, sizeof o.assignment, "TasksMax=%s", value);
                }
        }
        *ret = o;
        return 0;
}

/* By file name only: systemd sorts drop-ins of every directory together. */
static int compare_base_names(const void *a, const void *b) {
        return strcmp(base_name(*(char *const *)a), base_name(*(char *const *)b));
}

int ts_dropins_order(char *const *dropins, const char *planned, char ***ret, ssize_t *ret_planned,
                     ssize_t *ret_masker) {
        size_t n = 0;
        while (dropins && dropins[n])
                n++;
        _cleanup_(strv_freep) char **l = calloc(n + 2, sizeof(char *));
        if (!l)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(l);

        /* Of the same name as planned: the drop-in it replaces (which set-property writes over, or
         * which is in a directory systemd reads after its own), or the one that masks it. */
        const char *masker = NULL;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                if (planned && streq(base_name(dropins[i]), base_name(planned))) {
                        if (!startswith(dropins[i], PERSISTENT_CONTROL) ||
                            startswith(planned, PERSISTENT_CONTROL) || streq(dropins[i], planned))
                                continue;
                        masker = dropins[i];
                }
                if (!(l[k++] = strdup(dropins[i])))
                        return -ENOMEM;
        }
        if (planned && !masker && !(l[k++] = strdup(planned)))
                return -ENOMEM;
        /* qsort is not stable, but no two names are equal now: the one of each name systemd reads
         * is the only one left. */
        qsort(l, k, sizeof(char *), compare_base_names);

        ssize_t planned_index = -1, masker_index = -1;
        for (size_t i = 0; i < k; i++) {
                if (planned && !masker && streq(l[i], planned))
                        planned_index = (ssize_t)i;
                if (masker && streq(l[i], masker))
                        masker_index = (ssize_t)i;
        }
        *ret = TAKE_PTR(l);
        *ret_planned = planned_index;
        *ret_masker = masker_index;
        return 0;
}

/* A name for the winning drop-in that sorts before the fix's: its own with the leading "NN-" made
 * "49-" (or "00-"), "50-seed.conf" -> "49-seed.conf". */
static void earlier_name(const char *name, const char *before, char *buf, size_t size) {
        const char *rest = name;
        while (*rest >= '0' && *rest <= '9')
                rest++;
        if (rest > name && *rest == '-')
                rest++;
        else
                rest = name;
        snprintf(buf, size, "49-%s", rest);
        if (strcmp(buf, before) >= 0)
                snprintf(buf, size, "00-%s", rest);
}

int ts_tasks_max_override_from(const TsUnitFiles *f, const TsTasksMaxOrigin *origin,
                               TsTasksMaxOverride *ret) {
        *ret = (TsTasksMaxOverride){};
        if (origin->file < 0 || origin->file == f->planned || (size_t)origin->file >= f->n)
                return 0;

        TsTasksMaxOverride o = { .found = true, .line = origin->line, .limit = origin->limit };
        const char *path = f->files[origin->file].path;
        snprintf(o.path, sizeof o.path, "%s", path);
        snprintf(o.assignment, sizeof o.assignment, "%s", origin->assignment);
        const char *verb = origin->limit.kind < 0 ? "reset to systemd's default by" : "set by";
        const char *planned = f->planned >= 0 ? f->files[f->planned].path : NULL;
        const char *masker = f->masker >= 0 ? f->files[f->masker].path : NULL;
        if (planned) {
                snprintf(o.after, sizeof o.after, "%s", planned);
                snprintf(o.where, sizeof o.where, "%s %s:%u (%s), which systemd reads after %s", verb, path,
                         o.line, o.assignment, planned);
        } else if (masker && f->masker != origin->file)
                snprintf(o.where, sizeof o.where,
                         "%s %s:%u (%s), which systemd reads after %s (read instead of "
                         "the fix's drop-in of the same name)",
                         verb, path, o.line, o.assignment, masker);
        else
                snprintf(o.where, sizeof o.where, "%s %s:%u (%s)%s", verb, path, o.line, o.assignment,
                         masker ? ", a drop-in of the same name as the fix's, which systemd reads instead"
                                : "");

        /* Renaming helps a drop-in that sorts after the fix's; a masker goes away with a fix made
         * where it is (without --runtime). */
        ssize_t ours = f->planned >= 0 ? f->planned : f->masker;
        char name[256] = "";
        if (ours >= 0 && origin->file > ours)
                earlier_name(base_name(path), base_name(f->files[ours].path), name, sizeof name);
        if (*name)
                snprintf(o.advice, sizeof o.advice,
                         "remove that line or rename the drop-in to sort before %s "
                         "(as %s)%s",
                         base_name(f->files[ours].path), name, masker ? ", and fix without --runtime" : "");
        else
                snprintf(o.advice, sizeof o.advice, "remove that line%s",
                         masker ? " or fix without --runtime" : "");
        *ret = o;
        return 1;
}

void ts_unit_files_done(TsUnitFiles *f) {
        for (size_t i = 0; f && i < f->n; i++) {
                free(f->files[i].path);
                free(f->files[i].text);
        }
        if (f) {
                free(f->files);
                *f = (TsUnitFiles){ .planned = -1, .masker = -1 };
        }
}

/* Appends one file to f, its text read from disk unless given; *ret_index -1 for a file that is gone. */
static int add_file(TsUnitFiles *f, const char *path, const char *text, ssize_t *ret_index) {
        _cleanup_(freep) char *t = NULL;
        int r = text ? ((t = strdup(text)) ? 0 : -ENOMEM) : ts_read_full_file(path, UNIT_FILE_MAX, &t, NULL);
        ANALYZER_OWNED_BY_CLEANUP(t);
        if (r == -ENOENT) {
                *ret_index = -1;
                return 0;
        }
        if (r < 0)
                return r;
        TsUnitFile *file = &f->files[f->n];
        file->path = strdup(path);
        if (!file->path)
                return -ENOMEM;
        file->text = TAKE_PTR(t);
        *ret_index = (ssize_t)f->n++;
        return 0;
}

int ts_unit_files_load(sd_bus *bus, const char *unit, const char *planned, const char *planned_text,
                       TsUnitFiles *ret) {
        _cleanup_(freep) char *fragment = NULL;
        _cleanup_(strv_freep) char **dropins = NULL, **ordered = NULL;
        int r = ts_unit_config_paths(bus, unit, &fragment, &dropins);
        if (r < 0)
                return r;
        ANALYZER_OWNED_BY_CLEANUP(fragment, dropins);
        ssize_t planned_at, masker_at;
        r = ts_dropins_order(dropins, planned, &ordered, &planned_at, &masker_at);
        if (r < 0)
                return r;
        ANALYZER_OWNED_BY_CLEANUP(ordered);

        size_t n = 1;
        for (char **d = ordered; *d; d++)
                n++;
        _cleanup_(ts_unit_files_done) TsUnitFiles f = { .planned = -1, .masker = -1 };
        f.files = calloc(n, sizeof(TsUnitFile));
        if (!f.files)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(f.files);
        ssize_t at;
        if (*fragment && (r = add_file(&f, fragment, NULL, &at)) < 0)
                return r;
        for (ssize_t i = 0; ordered[i]; i++) {
                r = add_file(&f, ordered[i], i == planned_at ? planned_text : NULL, &at);
                if (r < 0)
                        return r;
                if (i == planned_at)
                        f.planned = at;
                if (i == masker_at)
                        f.masker = at;
        }
        *ret = TAKE_STRUCT(f);
        return 0;
}

int ts_tasks_max_override_find(sd_bus *bus, const char *unit, const char *planned, const char *planned_text,
                               TsTasksMaxOverride *ret) {
        _cleanup_(ts_unit_files_done) TsUnitFiles f = { .planned = -1, .masker = -1 };
        int r = ts_unit_files_load(bus, unit, planned, planned_text, &f);
        if (r < 0)
                return r;
        ANALYZER_OWNED_BY_CLEANUP(f.files);
        TsTasksMaxOrigin origin;
        r = ts_tasks_max_origin_find(unit, f.files, f.n, &origin);
        if (r < 0)
                return r;
        return ts_tasks_max_override_from(&f, &origin, ret);
}
