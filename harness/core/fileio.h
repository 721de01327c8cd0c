/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading and writing small kernel and configuration files (sysctl, cgroup attributes). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file (at most max bytes, else -EFBIG) into a NUL-terminated buffer. */
int ts_read_full_file(const char *path, size_t max, char **ret, size_t *ret_size);
/* The same from an open fd, to its end (a pipe too); the fd stays open. */
int ts_read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);
/* The same for a file named by a user, which must be a regular file: -EISDIR for a directory,
 * -EMEDIUMTYPE for a FIFO, socket or device, refused before reading (and a FIFO without a writer
 * does not block the open). */
int ts_read_regular_file(const char *path, size_t max, char **ret, size_t *ret_size);
/* Reads the first line of a file, without its newline. */
int ts_read_one_line_file(const char *path, char **ret);
/* Writes a string to an existing file (O_WRONLY, no O_CREAT), as sysfs and cgroupfs want. */
int ts_write_string_file(const char *path, const char *s);
/* Creates path (mode 0644) with s; -EEXIST when it exists: a file someone else made is never replaced. */
int ts_write_new_file(const char *path, const char *s);
/* Parses a decimal unsigned 64-bit number, rejecting signs, junk and overflow. */
int ts_safe_atou64(const char *s, uint64_t *ret);
/* Reads a file holding one unsigned number, or "max" (returned as UINT64_MAX). */
int ts_read_u64_or_max_file(const char *path, uint64_t *ret);
