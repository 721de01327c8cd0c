/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a Check suite with TAP on stdout, for meson's protocol : 'tap' (unit and live tests). */
#pragma once

#include <check.h>
#include <stdlib.h>

static inline int ts_test_run_suite(Suite *s) {
        SRunner *sr = srunner_create(s);
        srunner_set_tap(sr, "-");
        srunner_run_all(sr, CK_SILENT);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
