/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `taskstorm check` says, in the article's terms ("Tasks: N (Limit: M)", the systemctl command
 * that fixes it): a unit's judgement (live or from a support bundle's text) and the whole machine's
 * ranked limits, for people (text) and as JSON; the keys are documented in README.md. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "diagnosis.h"
#include "scan.h"
#include "time-util.h"

/* One unit's verdict and cause, its limits, the journal's evidence, the likely causes and the fix. */
void ts_check_print(FILE *out, const TsCheckFacts *f, const TsCheckResult *res);
json_object *ts_check_to_json(const TsCheckFacts *f, const TsCheckResult *res);
/* The units of a text (check --log), in order (indices into facts and results, the most severe
 * first): where one is not healthy, the healthy ones share a closing line. */
void ts_check_print_all(FILE *out, const TsCheckFacts *facts, const TsCheckResult *results,
                        const size_t *order, size_t n);
/* The same as {"units": [...], "warnings": [warning]} (no warning: NULL or ""). */
json_object *ts_check_all_to_json(const TsCheckFacts *facts, const TsCheckResult *results,
                                  const size_t *order, size_t n, const char *warning);
/* {"units": units}, for the units checked live; takes the reference of units. */
json_object *ts_check_units_to_json(json_object *units);
/* The whole machine (check with no unit): its verdict, what was walked, and each limit that binds,
 * ranked; since: where the journal was read from (0: each unit's current run). */
void ts_scan_print(FILE *out, const TsScanFacts *f, const TsScanResult *res, usec_t since);
json_object *ts_scan_to_json(const TsScanFacts *f, const TsScanResult *res, usec_t since);
