/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The report of a whole `taskstorm run`: its lines on stdout (text or TAP), and one JSON object in the
 * versioned schema of harness/report/report.schema.json (printed by --format json, written as
 * report.json), from which --report-dir's files are written: report.json, junit.xml and report.html. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "runner.h"

#define TS_REPORT_FORMAT "taskstorm-report"
#define TS_REPORT_VERSION 1

typedef struct TsRunReport TsRunReport;

/* A report of the run on the machine env describes (sandbox_verbs: see ts_env_to_json()); NULL when
 * out of memory. */
TsRunReport *ts_run_report_new(const TsSysinfo *env, const char *const *sandbox_verbs);
/* Adds one scenario's result; what the report keeps is copied. -ENOMEM */
int ts_run_report_add(TsRunReport *r, const TsScenario *s, const TsScenarioResult *res);
/* Adds the summary (verdict counts) and returns the JSON object (owned by the report). */
json_object *ts_run_report_finish(TsRunReport *r, const unsigned counts[_TS_VERDICT_MAX]);
/* The files of a finished report, each to path: report.json (-EIO), junit.xml (one testsuite per
 * scenario: a testcase per phase and one for the verdict) and report.html (see ts_html_write()). */
int ts_run_report_write_json(const TsRunReport *r, const char *path);
int ts_run_report_write_junit(const TsRunReport *r, const char *path);
int ts_run_report_write_html(const TsRunReport *r, const char *path);
void ts_run_report_free(TsRunReport *r);

/* A scenario's result as text: "VERDICT name" with its phase timings, the loop told phase by phase
 * and the reason. */
void ts_run_print_result(FILE *out, const TsScenario *s, const TsScenarioResult *res);
/* A scenario's result as TAP, number counting from 1. */
void ts_run_print_tap(FILE *out, size_t number, const TsScenario *s, const TsScenarioResult *res);
