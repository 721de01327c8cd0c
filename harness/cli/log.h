/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The only place taskstorm talks to people about errors: one line on stderr, prefixed with the
 * program name. log_*_errno() prints and returns the error in one step, so callers can write
 * `return log_error_errno(r, "Failed to …: %m");` where %m stands for strerror(-r). */
#pragma once

#include "macro.h"

void log_error_errno_internal(int error, const char *format, ...) _printf_(2, 3);
void log_warning_errno_internal(int error, const char *format, ...) _printf_(2, 3);
/* Macros, so that the caller's compiler and static analyzer see the result: the error, negative. */
#define log_error_errno(error, ...) log_errno_result(log_error_errno_internal, error, __VA_ARGS__)
#define log_warning_errno(error, ...) log_errno_result(log_warning_errno_internal, error, __VA_ARGS__)
#define log_errno_result(func, error, ...)                                                                  \
        ({                                                                                                  \
                int _error = (error);                                                                       \
                func(_error, __VA_ARGS__);                                                                  \
                _error < 0 ? _error : -_error;                                                              \
        })
void log_error(const char *format, ...) _printf_(1, 2);
void log_warning(const char *format, ...) _printf_(1, 2);
void log_info(const char *format, ...) _printf_(1, 2);

struct option;
/* The one-line error for an option getopt_long() rejected ('?'): unknown, or missing its value.
 * verb is NULL for the global options. Returns -EINVAL. */
int log_option_error(const char *verb, char *const argv[], const struct option *options);

/* User text made safe for a one-line message: control bytes become \xNN, and more than 80 bytes are
 * cut with "...". A new string (NULL without memory). */
char *log_escape(const char *s);
