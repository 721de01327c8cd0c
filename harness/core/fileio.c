/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small-file I/O for procfs, sysfs and cgroupfs: bounded reads, single writes, strict numbers. */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

int ts_read_full_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        size_t size = 0, allocated = 4096;
        _cleanup_(freep) char *buf = malloc(allocated + 1);
        if (!buf)
                return -ENOMEM;

        for (;;) {
                if (size == allocated) {
                        if (allocated >= max)
                                return -EFBIG;
                        allocated = allocated * 2 > max ? max : allocated * 2;
                        char *n = realloc(buf, allocated + 1);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                }
                ssize_t k = read(fd, buf + size, allocated - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                size += (size_t)k;
        }

        buf[size] = 0;
        if (ret_size)
                *ret_size = size;
        *ret = TAKE_PTR(buf);
        return 0;
}

int ts_read_full_file(const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        return ts_read_full_fd(fd, max, ret, ret_size);
}

int ts_read_regular_file(const char *path, size_t max, char **ret, size_t *ret_size) {
        /* O_NONBLOCK: opening a FIFO that has no writer would wait for one. A socket cannot be opened
         * at all (ENXIO, as a device without its driver): neither is a regular file. */
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENXIO ? -EMEDIUMTYPE : negative_errno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EMEDIUMTYPE;
        return ts_read_full_fd(fd, max, ret, ret_size);
}

int ts_read_one_line_file(const char *path, char **ret) {
        _cleanup_(freep) char *buf = NULL;
        int r = ts_read_full_file(path, 1 << 20, &buf, NULL);
        if (r < 0)
                return r;
        buf[strcspn(buf, "\n")] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int write_fd(int fd, const char *s) {
        size_t n = strlen(s);
        ssize_t k = write(fd, s, n);
        if (k < 0)
                return negative_errno();
        if ((size_t)k != n)
                return -EIO;
        return 0;
}

int ts_write_string_file(const char *path, const char *s) {
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? negative_errno() : write_fd(fd, s);
}

int ts_write_new_file(const char *path, const char *s) {
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
        return fd < 0 ? negative_errno() : write_fd(fd, s);
}

int ts_safe_atou64(const char *s, uint64_t *ret) {
        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        char *end = NULL;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0 || !end || *end != 0)
                return -EINVAL;
        *ret = (uint64_t)v;
        return 0;
}

int ts_read_u64_or_max_file(const char *path, uint64_t *ret) {
        _cleanup_(freep) char *line = NULL;
        int r = ts_read_one_line_file(path, &line);
        if (r < 0)
                return r;
        if (streq(line, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        return ts_safe_atou64(line, ret);
}
