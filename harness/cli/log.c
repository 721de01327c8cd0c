/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One-line diagnostics on stderr; %m in a format refers to the error passed in. */
#include <getopt.h>
#include <stdarg.h>

#include "log.h"

_printf_(3, 0) static void log_va(int error, const char *prefix, const char *format, va_list ap) {
        int saved = errno;
        if (error != 0)
                errno = error < 0 ? -error : error;
        fputs("taskstorm: ", stderr);
        fputs(prefix, stderr);
        vfprintf(stderr, format, ap);
        fputc('\n', stderr);
        errno = saved;
}

void log_error_errno_internal(int error, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        log_va(error, "", format, ap);
        va_end(ap);
}

void log_warning_errno_internal(int error, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        log_va(error, "warning: ", format, ap);
        va_end(ap);
}

void log_error(const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        log_va(0, "", format, ap);
        va_end(ap);
}

void log_warning(const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        log_va(0, "warning: ", format, ap);
        va_end(ap);
}

void log_info(const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        log_va(0, "", format, ap);
        va_end(ap);
}

int log_option_error(const char *verb, char *const argv[], const struct option *options) {
        _cleanup_(freep) char *escaped = log_escape(argv[optind - 1]);
        const char *arg = strempty(escaped);
        char see[64];
        snprintf(see, sizeof see, "see 'taskstorm%s%s --help'", verb ? " " : "", verb ? verb : "");

        for (const struct option *o = options; optopt != 0 && o->name; o++)
                if (o->val == optopt && o->has_arg == required_argument)
                        return log_error_errno(-EINVAL, "Option '%s' needs a value; %s.", arg, see);
        return log_error_errno(-EINVAL, "Unknown option '%s'; %s.", arg, see);
}

char *log_escape(const char *s) {
        size_t n = strlen(s), shown = n > 80 ? 80 : n;
        char *out = malloc(shown * 4 + 4), *w = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < shown; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c < 0x20 || c == 0x7f)
                        w += sprintf(w, "\\x%02x", c);
                else
                        *w++ = (char)c;
        }
        strcpy(w, shown < n ? "..." : "");
        return out;
}
