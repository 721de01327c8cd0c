/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixture files for the unit tests: read from $TS_FIXTURES (set by meson) or, when a test program is
 * run by hand, from the source tree the build was configured with. */
#pragma once

#include <check.h>
#include <limits.h>

#include "../check-tap.h"
#include "config.h"
#include "fileio.h"
#include "macro.h"

/* The text of fixtures/<name>; fails the test when it cannot be read. */
static inline char *fixture_read(const char *name) {
        const char *dir = getenv("TS_FIXTURES");
        char path[PATH_MAX];
        char *text = NULL;

        snprintf(path, sizeof path, "%s/%s", dir ? dir : TS_SOURCE_ROOT "/fixtures", name);
        int r = ts_read_full_file(path, 1 << 20, &text, NULL);
        ck_assert_msg(r >= 0, "cannot read fixture %s: %s", path, strerror(-r));
        return text;
}
