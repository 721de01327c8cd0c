/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The report of `taskstorm qualify`: its lines on stdout (text or TAP), the JSON object in the
 * versioned schema of harness/report/qualify.schema.json (--format json, qualify.json), and junit.xml. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "qualify.h"
#include "sysinfo.h"

#define TS_QUALIFY_FORMAT "taskstorm-qualify"
#define TS_QUALIFY_VERSION 1

/* The text's first line: "systemd 252: 9 checks of its TasksMax semantics". */
void ts_qualify_print_head(FILE *out, const char *systemd, size_t n);
/* A check's result as text: "VERDICT name  time  summary", then its why and evidence. */
void ts_qualify_print_result(FILE *out, const TsQualifyCheck *c, const TsQualifyResult *res);
/* A check's result as TAP, number counting from 1, with the evidence as a comment. */
void ts_qualify_print_tap(FILE *out, size_t number, const TsQualifyCheck *c, const TsQualifyResult *res);
json_object *ts_qualify_result_to_json(const TsQualifyCheck *c, const TsQualifyResult *res);
/* The report's head (see ts_json_report_new()); the checks come with ts_qualify_report_finish(). */
json_object *ts_qualify_report_new(const TsSysinfo *env, const char *const *sandbox_verbs);
/* Adds the systemd version, the checks (an array of ts_qualify_result_to_json(), whose reference
 * goes to the report) and the verdict counts. */
void ts_qualify_report_finish(json_object *report, const char *systemd, json_object *checks,
                              const unsigned counts[_TS_VERDICT_MAX]);
/* junit.xml to path: one testsuite "qualify systemd V", one testcase per check; a failure's message
 * is its reason and evidence. -ENOMEM, -EIO */
int ts_qualify_junit_write(const char *path, const char *systemd, const TsQualifyCheck *const *checks,
                           const TsQualifyResult *results, size_t n);
