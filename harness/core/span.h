/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A piece of text that is not NUL-terminated (a line of a log, a word of it), and the character
 * helpers the text readers share (the character classes are macro.h's). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "macro.h"

typedef struct Span {
        const char *s;
        size_t len;
} Span;

static inline Span span_of(const char *s) {
        return (Span){ s, s ? strlen(s) : 0 };
}

/* Without blanks at either end. */
static inline Span span_trim(Span l) {
        while (l.len > 0 && ascii_space(*l.s))
                l.s++, l.len--;
        while (l.len > 0 && ascii_space(l.s[l.len - 1]))
                l.len--;
        return l;
}

/* l without its first n bytes (n <= l.len). */
static inline Span span_skip(Span l, size_t n) {
        return (Span){ l.s + n, l.len - n };
}

static inline bool span_starts_with(Span l, const char *prefix) {
        size_t n = strlen(prefix);
        return l.len >= n && memcmp(l.s, prefix, n) == 0;
}

static inline bool span_starts_with_ci(Span l, const char *prefix) {
        size_t n = strlen(prefix);
        return l.len >= n && strncasecmp(l.s, prefix, n) == 0;
}

static inline bool span_ends_with(Span l, const char *suffix) {
        return memendswith(l.s, l.len, suffix, strlen(suffix));
}

static inline bool span_eq(Span a, const char *s) {
        return s && a.len == strlen(s) && memcmp(a.s, s, a.len) == 0;
}

/* The leading digits of l (maybe none). */
static inline Span span_digits(Span l) {
        size_t n = 0;
        while (n < l.len && ascii_digit(l.s[n]))
                n++;
        return (Span){ l.s, n };
}

/* The next blank-separated word of l, and l after it. */
static inline Span span_word(Span *l) {
        Span t = span_trim(*l);
        size_t n = 0;
        while (n < t.len && !ascii_space(t.s[n]))
                n++;
        *l = span_skip(t, n);
        return (Span){ t.s, n };
}

/* Where needle starts in l, case-insensitively, or NULL. */
static inline const char *span_find_ci(Span l, const char *needle) {
        size_t n = strlen(needle);
        if (n == 0)
                return NULL;
        char first = ascii_lower(needle[0]);
        for (size_t i = 0; i + n <= l.len; i++)
                if (ascii_lower(l.s[i]) == first && strncasecmp(l.s + i, needle, n) == 0)
                        return l.s + i;
        return NULL;
}
