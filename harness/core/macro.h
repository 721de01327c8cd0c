/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cleanup attributes and small helpers shared by every room of the harness.
 * Destructors take NULL (or -1 for fds) and keep errno, so they are safe on every path. */
#pragma once

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define STRLEN(s) (sizeof(s) - 1)
/* A macro's value as a string literal, for text put together at compile time (a verb's --help). */
#define STRINGIFY(x) STRINGIFY_(x)
#define STRINGIFY_(x) #x
#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)

static inline void freep(void *p) {
        int saved = errno;
        free(*(void **)p);
        errno = saved;
}

/* Closes fd if open; returns -EBADF to store back: fd = safe_close(fd). */
static inline int safe_close(int fd) {
        if (fd >= 0)
                (void)close(fd);
        return -EBADF;
}

static inline void closep(const int *fd) {
        int saved = errno;
        if (*fd >= 0)
                (void)close(*fd);
        errno = saved;
}

static inline void fclosep(FILE **f) {
        int saved = errno;
        if (*f)
                (void)fclose(*f);
        errno = saved;
}

/* Frees a NULL-terminated array of strings and the array. */
static inline void strv_free(char **l) {
        if (!l)
                return;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
}
static inline void strv_freep(char ***l) {
        int saved = errno;
        strv_free(*l);
        errno = saved;
}

/* Hands a pointer over to a new owner, leaving NULL behind for the cleanup attribute. */
#define TAKE_PTR(p)                                                                                         \
        ({                                                                                                  \
                __typeof__(p) _p = (p);                                                                     \
                (p) = NULL;                                                                                 \
                _p;                                                                                         \
        })
#define TAKE_FD(fd)                                                                                         \
        ({                                                                                                  \
                int _fd = (fd);                                                                             \
                (fd) = -EBADF;                                                                              \
                _fd;                                                                                        \
        })
/* TAKE_PTR for a struct: its value, leaving the zero struct (which its cleanup ignores) behind. */
#define TAKE_STRUCT(s)                                                                                      \
        ({                                                                                                  \
                __typeof__(s) *_ps = &(s);                                                                  \
                __typeof__(s) _s = *_ps;                                                                    \
                *_ps = (__typeof__(s)){};                                                                   \
                _s;                                                                                         \
        })

/* clang's static analyzer (clang 14, as ci/analyze runs it) does not run __attribute__((cleanup))
 * functions, so memory that a _cleanup_ variable (or a struct's _done cleanup) releases looks leaked
 * on every return before the pointer is handed on. ANALYZER_OWNED_BY_CLEANUP(p, ...), put where the
 * pointers have been allocated, passes them to a function the analyzer cannot see, which ends its
 * tracking of them. Only the analyzer sees the call (the function is never defined); a build
 * compiles nothing. */
#ifdef __clang_analyzer__
void analyzer_owned_by_cleanup(void *p, ...);
#define ANALYZER_OWNED_BY_CLEANUP(...) analyzer_owned_by_cleanup(__VA_ARGS__)
#else
#define ANALYZER_OWNED_BY_CLEANUP(...) ((void)0)
#endif

/* errno of the last failed libc call as a negative value, never 0. (The assert shows clang's
 * analyzer, which cannot follow the negation, that the result is negative.) */
static inline int negative_errno(void) {
        int r = errno > 0 ? -errno : -EIO;
        assert(r < 0);
        return r;
}

static inline const char *strempty(const char *s) {
        return s ? s : "";
}

static inline const char *yes_no(int b) {
        return b ? "yes" : "no";
}

/* ASCII character classes, the same in every locale (isdigit() follows the locale): a log's bytes
 * are ASCII where it matters. */
static inline bool ascii_space(char c) {
        return c == ' ' || c == '\t';
}

static inline bool ascii_digit(char c) {
        return c >= '0' && c <= '9';
}

static inline bool ascii_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool ascii_hex(char c) {
        return ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline char ascii_lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether the len bytes at s end with the k bytes at suffix; endswith() for strings. */
static inline bool memendswith(const void *s, size_t len, const void *suffix, size_t k) {
        return len >= k && memcmp((const char *)s + len - k, suffix, k) == 0;
}
static inline bool endswith(const char *s, const char *suffix) {
        return memendswith(s, strlen(s), suffix, strlen(suffix));
}

#include <stdarg.h>

/* snprintf into a path buffer; -ENAMETOOLONG instead of a silently truncated path. */
_printf_(3, 4) static inline int path_printf(char *buf, size_t size, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        int n = vsnprintf(buf, size, format, ap);
        va_end(ap);
        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
