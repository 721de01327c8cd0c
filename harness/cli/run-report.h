/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The report of a whole `taskstorm run`: one JSON object in the versioned schema of
 * harness/report/report.schema.json (printed by --format json, written as report.json), and the
 * files --report-dir writes from it: report.json, junit.xml and report.html. */
#pragma once

#include <json-c/json.h>

#include "runner.h"

#define TS_REPORT_FORMAT "taskstorm-report"
#define TS_REPORT_VERSION 1

typedef struct RunReport RunReport;

/* A report of the run on the machine env describes; NULL when out of memory. */
RunReport *run_report_new(const TsSysinfo *env);
/* Adds one scenario's result; what the report keeps is copied. */
int run_report_add(RunReport *r, const TsScenario *s, const TsScenarioResult *res);
/* Adds the summary (verdict counts) and returns the JSON object (owned by the report). */
json_object *run_report_finish(RunReport *r, const unsigned counts[_TS_VERDICT_MAX]);
/* Writes DIR/report.json, DIR/junit.xml and DIR/report.html of a finished report. */
int run_report_write(RunReport *r, const char *dir);
void run_report_free(RunReport *r);
