/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --format and --json, which must not contradict each other, and --report-dir, checked before anything
 * boots or changes. */
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "macro.h"
#include "output.h"
#include "verbs.h"

/* --json and --format naming another format contradict each other, whichever came first. */
static int output_format_choose(OutputFormat f, OutputFormat *format) {
        static const char *const names[_FORMAT_MAX] = { "text", "json", "tap" };
        if (*format >= 0 && *format != f) {
                OutputFormat other = f == FORMAT_JSON ? *format : f;
                return log_error_errno(-EINVAL, "--json and --format %s contradict each other: give one.",
                                       names[other]);
        }
        *format = f;
        return 0;
}

int output_format_parse(const char *arg, OutputFormat *format) {
        static const char *const names[_FORMAT_MAX] = { "text", "json", "tap" };
        for (OutputFormat f = 0; f < _FORMAT_MAX; f++)
                if (streq(names[f], arg))
                        return output_format_choose(f, format);
        _cleanup_(freep) char *shown = log_escape(arg);
        return log_error_errno(-EINVAL, "--format %s: expected text, json or tap.", strempty(shown));
}

int output_format_json(OutputFormat *format) {
        return output_format_choose(FORMAT_JSON, format);
}

/* DIR's parent and last component, trailing slashes dropped: "a/b/" -> "a", "b"; "b" -> ".", "b";
 * "/b" -> "/", "b". Both buffers have size bytes. */
static int split_path(const char *dir, char *parent, char *base, size_t size) {
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                n--;
        if (n >= size)
                return -ENAMETOOLONG;
        memcpy(parent, dir, n);
        parent[n] = 0;
        char *slash = strrchr(parent, '/');
        snprintf(base, size, "%s", slash ? slash + 1 : parent);
        if (!slash)
                snprintf(parent, size, ".");
        else
                slash[slash == parent] = 0;
        return 0;
}

int report_dir_check(const char *dir, char *ret) {
        static char *binds[2];
        _cleanup_(freep) char *shown = log_escape(dir);
        char parent[PATH_MAX], base[PATH_MAX], path[PATH_MAX];
        struct stat st;

        if (!*dir)
                return log_error_errno(-EINVAL, "--report-dir needs a directory, not an empty string.");
        if (stat(dir, &st) >= 0) {
                if (!S_ISDIR(st.st_mode))
                        return log_error_errno(-EINVAL, "--report-dir %s: not a directory.",
                                               strempty(shown));
                if (access(dir, W_OK | X_OK) < 0)
                        return log_error_errno(-EINVAL, "--report-dir %s: not writable (%s).",
                                               strempty(shown), strerror(errno));
                if (!realpath(dir, path))
                        return log_error_errno(-EINVAL, "--report-dir %s: %s.", strempty(shown),
                                               strerror(errno));
        } else if (errno != ENOENT)
                return log_error_errno(-EINVAL, "--report-dir %s: %s.", strempty(shown), strerror(errno));
        else if (lstat(dir, &st) >= 0)
                return log_error_errno(-EINVAL, "--report-dir %s: a symbolic link to nothing.",
                                       strempty(shown));
        else {
                /* Missing: it will be made (one level, as mkdir does), so its parent must take it. */
                if (split_path(dir, parent, base, sizeof parent) < 0)
                        return log_error_errno(-EINVAL, "--report-dir %s: path too long.", strempty(shown));
                _cleanup_(freep) char *shown_parent = log_escape(parent);
                if (stat(parent, &st) < 0)
                        return log_error_errno(-EINVAL, "--report-dir %s: cannot be made: %s: %s.",
                                               strempty(shown), strempty(shown_parent), strerror(errno));
                if (access(parent, W_OK | X_OK) < 0)
                        return log_error_errno(-EINVAL,
                                               "--report-dir %s: cannot be made: %s is not writable (%s).",
                                               strempty(shown), strempty(shown_parent), strerror(errno));
                char real[PATH_MAX];
                if (!realpath(parent, real) ||
                    path_printf(path, sizeof path, "%s/%s", streq(real, "/") ? "" : real, base) < 0)
                        return log_error_errno(-EINVAL, "--report-dir %s: path too long.", strempty(shown));
        }

        memcpy(ret, path, strlen(path) + 1);
        binds[0] = ret;
        cli_sandbox_binds = binds;
        return 0;
}

int report_dir_make(const char *path) {
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return log_error_errno(negative_errno(), "Failed to make --report-dir %s: %m", path);
        return 0;
}
