/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* os-release(5) reader: shell-style assignments without a shell, lenient with what it does not
 * understand (such lines are skipped, as the specification asks), strict about never crashing. */
#include <limits.h>
#include <stddef.h>

#include "fileio.h"
#include "macro.h"
#include "os-release.h"

#define WHITESPACE " \t\r"

static const struct {
        const char *key;
        size_t offset;
} os_release_keys[] = {
        { "ID", offsetof(TsOsRelease, id) },
        { "VERSION_ID", offsetof(TsOsRelease, version_id) },
        { "ID_LIKE", offsetof(TsOsRelease, id_like) },
        { "PRETTY_NAME", offsetof(TsOsRelease, pretty_name) },
        { "VERSION_CODENAME", offsetof(TsOsRelease, version_codename) },
};

static bool is_key_start(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_key_char(char c) {
        return is_key_start(c) || (c >= '0' && c <= '9');
}

/* The characters a backslash escapes inside double quotes, as in the shell; before any other
 * character the backslash stays. */
static bool is_double_quote_escape(char c) {
        return c && strchr("$\"\\`", c);
}

/* Parses the value of one line, [p, end), into a new string. Returns 0 and the value, -EBADMSG if
 * the line is malformed, -ENOMEM. */
static int parse_value(const char *p, const char *end, char **ret) {
        _cleanup_(freep) char *value = malloc((size_t)(end - p) + 1);
        if (!value)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(value);
        size_t n = 0;

        while (p < end && strchr(WHITESPACE, *p))
                p++;

        if (p < end && (*p == '"' || *p == '\'')) {
                char quote = *p++;
                for (;;) {
                        if (p >= end)
                                return -EBADMSG; /* unterminated quote */
                        if (*p == quote) {
                                p++;
                                break;
                        }
                        if (quote == '"' && *p == '\\' && p + 1 < end && is_double_quote_escape(p[1]))
                                p++;
                        value[n++] = *p++;
                }
                /* Concatenated quoted strings are not supported: only blanks may follow. */
                while (p < end && strchr(WHITESPACE, *p))
                        p++;
                if (p < end)
                        return -EBADMSG;
        } else {
                size_t last_kept = 0;
                while (p < end) {
                        if (*p == '\\') {
                                if (p + 1 >= end)
                                        break; /* a trailing backslash escapes nothing */
                                p++;
                                value[n++] = *p++;
                                last_kept = n;
                                continue;
                        }
                        if (!strchr(WHITESPACE, *p))
                                last_kept = n + 1;
                        value[n++] = *p++;
                }
                n = last_kept; /* trailing blanks are not part of the value */
        }

        value[n] = 0;
        *ret = TAKE_PTR(value);
        return 0;
}

/* Applies one line [p, end) to o. Malformed lines and unknown keys are skipped. -ENOMEM only. */
static int parse_line(const char *p, const char *end, TsOsRelease *o) {
        while (p < end && strchr(WHITESPACE, *p))
                p++;
        if (p >= end || *p == '#')
                return 0;

        const char *key = p;
        if (!is_key_start(*p))
                return 0;
        while (p < end && is_key_char(*p))
                p++;
        size_t key_len = (size_t)(p - key);
        while (p < end && strchr(WHITESPACE, *p))
                p++;
        if (p >= end || *p != '=')
                return 0;
        p++;

        for (size_t i = 0; i < ELEMENTSOF(os_release_keys); i++) {
                const char *k = os_release_keys[i].key;
                if (strlen(k) != key_len || !strneq(k, key, key_len))
                        continue;

                char *value = NULL;
                int r = parse_value(p, end, &value);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return 0;

                char **field = (char **)((char *)o + os_release_keys[i].offset);
                free(*field);
                *field = value;
                return 0;
        }
        return 0;
}

int ts_os_release_parse(const char *text, TsOsRelease *ret) {
        _cleanup_(ts_os_release_done) TsOsRelease o = {};

        if (!text)
                return -EINVAL;

        for (const char *p = text; *p;) {
                const char *end = strchrnul(p, '\n');
                int r = parse_line(p, end, &o);
                if (r < 0)
                        return r;
                p = *end ? end + 1 : end;
        }

        *ret = o;
        o = (TsOsRelease){};
        return 0;
}

static int load_one(const char *root, const char *path, TsOsRelease *ret) {
        char full[PATH_MAX];
        int n = snprintf(full, sizeof full, "%s%s", root, path);
        if (n < 0 || (size_t)n >= sizeof full)
                return -ENAMETOOLONG;

        _cleanup_(freep) char *text = NULL;
        int r = ts_read_full_file(full, 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        return ts_os_release_parse(text, ret);
}

int ts_os_release_load(const char *root, TsOsRelease *ret) {
        if (!root || streq(root, "/"))
                root = "";

        int r = load_one(root, "/etc/os-release", ret);
        if (r != -ENOENT)
                return r;
        return load_one(root, "/usr/lib/os-release", ret);
}

void ts_os_release_done(TsOsRelease *o) {
        if (!o)
                return;
        free(o->id);
        free(o->version_id);
        free(o->id_like);
        free(o->pretty_name);
        free(o->version_codename);
        *o = (TsOsRelease){};
}

bool ts_os_release_is_like(const TsOsRelease *o, const char *id) {
        if (!o || !id || !*id)
                return false;
        if (o->id && streq(o->id, id))
                return true;
        if (!o->id_like)
                return false;

        size_t n = strlen(id);
        for (const char *p = o->id_like; *p;) {
                p += strspn(p, " \t");
                size_t w = strcspn(p, " \t");
                if (w == n && strneq(p, id, n))
                        return true;
                p += w;
        }
        return false;
}
