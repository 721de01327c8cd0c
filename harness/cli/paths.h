/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where taskstorm finds its shipped files: the scenarios (datadir) and the programs it installs into
 * units and containers (libexecdir, tsdockerd and tstask). */
#pragma once

#include <limits.h>

typedef struct CliPaths {
        char datadir[PATH_MAX];    /* scenarios/ and schemas/ are in it */
        char libexecdir[PATH_MAX]; /* tsdockerd, tstask */
        char tstask[PATH_MAX];     /* libexecdir/tstask: storms' leaders, containers' process */
} CliPaths;

/* Each directory from, in order: $TASKSTORM_DATADIR or $TASKSTORM_LIBEXECDIR; the build tree's
 * taskstorm-paths.ini beside this executable (never installed); the directories meson was
 * configured with. Read once; logs and returns a negative errno when a setting is unusable. */
int cli_paths(const CliPaths **ret);
