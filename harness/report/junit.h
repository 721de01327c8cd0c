/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JUnit XML for CI (GitLab, Jenkins, GitHub test reporters): one testsuite per scenario, one
 * testcase per phase and one for the verdict, written with libxml2's writer (it escapes). */
#pragma once

#include <stddef.h>

#include "time-util.h"
#include "verdict.h"

typedef struct TsJunitCase {
        const char *name;
        nsec_t duration;
        TsVerdict verdict;   /* PASS for a phase that ran; the scenario's own for its verdict case */
        const char *message; /* why, for SKIP, FAIL, BROKEN */
} TsJunitCase;

typedef struct TsJunitSuite {
        const char *name;
        nsec_t duration;
        const TsJunitCase *cases;
        size_t n_cases;
} TsJunitSuite;

/* Writes the whole report to path (a new file replacing any old one). */
int ts_junit_write(const char *path, const TsJunitSuite *suites, size_t n_suites);
