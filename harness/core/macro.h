/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cleanup attributes and small helpers shared by every room of the harness.
 * Destructors take NULL (or -1 for fds) and keep errno, so they are safe on every path. */
#pragma once

#include <errno.h>
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

/* errno of the last failed libc call as a negative value, never 0. */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

static inline const char *strempty(const char *s) {
        return s ? s : "";
}

static inline const char *yes_no(int b) {
        return b ? "yes" : "no";
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
