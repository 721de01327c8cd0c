/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What older Debian releases lack, in one place: each fallback is chosen by a check in the
 * top-level meson.build (a -DHAVE_... project argument) and says which release needs it.
 * macro.h includes it, so every file of the harness sees it. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <string.h>

#if !HAVE_STRERRORNAME_NP
/* bullseye (glibc 2.31; strerrorname_np is 2.32): the names of the errors that task creation,
 * exec and the harness's own calls report. Like glibc's, NULL for any other value. */
static inline const char *strerrorname_np(int e) {
#define TS_ERRNO_NAME(x) [x] = #x
        static const char *const names[] = {
                TS_ERRNO_NAME(EPERM),      TS_ERRNO_NAME(ENOENT),       TS_ERRNO_NAME(ESRCH),
                TS_ERRNO_NAME(EINTR),      TS_ERRNO_NAME(EIO),          TS_ERRNO_NAME(E2BIG),
                TS_ERRNO_NAME(ENOEXEC),    TS_ERRNO_NAME(EBADF),        TS_ERRNO_NAME(ECHILD),
                TS_ERRNO_NAME(EAGAIN),     TS_ERRNO_NAME(ENOMEM),       TS_ERRNO_NAME(EACCES),
                TS_ERRNO_NAME(EFAULT),     TS_ERRNO_NAME(EBUSY),        TS_ERRNO_NAME(EEXIST),
                TS_ERRNO_NAME(ENOTDIR),    TS_ERRNO_NAME(EISDIR),       TS_ERRNO_NAME(EINVAL),
                TS_ERRNO_NAME(ENFILE),     TS_ERRNO_NAME(EMFILE),       TS_ERRNO_NAME(ETXTBSY),
                TS_ERRNO_NAME(ENOSPC),     TS_ERRNO_NAME(EROFS),        TS_ERRNO_NAME(EPIPE),
                TS_ERRNO_NAME(ENOSYS),     TS_ERRNO_NAME(ENAMETOOLONG), TS_ERRNO_NAME(ELOOP),
                TS_ERRNO_NAME(EOPNOTSUPP), TS_ERRNO_NAME(ETIMEDOUT),    TS_ERRNO_NAME(ECANCELED),
        };
#undef TS_ERRNO_NAME
        return e > 0 && (size_t)e < sizeof names / sizeof names[0] ? names[e] : NULL;
}
#endif
