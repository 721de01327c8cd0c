/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The installed tool's directories, and the two ways to point it elsewhere: the environment, or the
 * file meson writes beside the build tree's binary so that it runs from there as it is. */
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "paths.h"
#include "verbs.h"

#define BUILD_TREE_FILE "taskstorm-paths.ini"

static int set_dir(char *dst, const char *value, const char *where) {
        if (value[0] != '/')
                return log_error_errno(-EINVAL, "%s: %s is not an absolute path.", where, value);
        if (strlen(value) >= PATH_MAX)
                return log_error_errno(-ENAMETOOLONG, "%s: the path is too long.", where);
        strcpy(dst, value);
        return 0;
}

typedef struct BuildTree {
        CliPaths *paths;
        const char *file;
        int r;
} BuildTree;

static int build_tree_key(void *user, const char *section, const char *name, const char *value) {
        BuildTree *b = user;
        if (b->r < 0 || !streq(section, "paths"))
                return 1;
        if (streq(name, "datadir"))
                b->r = set_dir(b->paths->datadir, value, b->file);
        else if (streq(name, "libexecdir"))
                b->r = set_dir(b->paths->libexecdir, value, b->file);
        return 1;
}

/* The build tree's file beside the executable, when there is one. */
static int read_build_tree(CliPaths *p) {
        char exe[PATH_MAX], file[PATH_MAX + STRLEN(BUILD_TREE_FILE)];
        if (cli_self_exe(exe, sizeof exe) < 0 || !strrchr(exe, '/'))
                return 0; /* without /proc: the configured paths */
        snprintf(file, sizeof file, "%.*s/" BUILD_TREE_FILE, (int)(strrchr(exe, '/') - exe), exe);
        if (access(file, F_OK) < 0)
                return 0;
        BuildTree b = { .paths = p, .file = file };
        int k = ini_parse(file, build_tree_key, &b);
        if (k != 0)
                return log_error_errno(k < 0 ? -EIO : -EINVAL, "Failed to read %s (line %d).", file, k);
        return b.r;
}

static int from_env(char *dst, const char *name) {
        const char *v = getenv(name);
        return v && v[0] ? set_dir(dst, v, name) : 0;
}

int cli_paths(const CliPaths **ret) {
        static CliPaths paths;
        static int state = 1; /* 1: not read yet; then 0 or the negative errno */
        if (state == 1) {
                strcpy(paths.datadir, TS_PKGDATADIR);
                strcpy(paths.libexecdir, TS_PKGLIBEXECDIR);
                state = read_build_tree(&paths);
                if (state == 0)
                        state = from_env(paths.datadir, "TASKSTORM_DATADIR");
                if (state == 0)
                        state = from_env(paths.libexecdir, "TASKSTORM_LIBEXECDIR");
                if (state == 0 &&
                    path_printf(paths.tstask, sizeof paths.tstask, "%s/tstask", paths.libexecdir) < 0)
                        state = log_error_errno(-ENAMETOOLONG, "The libexec directory '%s' is too long.",
                                                paths.libexecdir);
        }
        *ret = &paths;
        return state;
}
