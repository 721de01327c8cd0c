/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How results reach people (text) and machines (json-c objects): a storm's report, shared by the
 * storm and run verbs, and the one way every verb prints JSON. */
#pragma once

#include <json-c/json.h>

#include "sampler.h"
#include "storm-unit.h"
#include "sysinfo.h"
#include "verdict.h"

void storm_report_print_text(const TsStormReport *r, const TsStormPlan *plan, const char *indent);
json_object *storm_report_to_json(const TsStormReport *r, const TsStormPlan *plan);
/* The limit's number (pids.max as a JSON number, or the string "max"). */
json_object *json_u64_or_max(uint64_t v);
/* Prints o as pretty JSON on stdout and drops the reference; -ENOMEM if it could not be written. */
int json_print_and_put(json_object *o);
/* [{"name", "duration_ns"}] for the steps that ran; name(i) names step i. */
json_object *json_timings(const TsTiming *t, size_t n, const char *(*name)(size_t i));
/* {"interval_ns", "per_second", "t_ns": [], "pids_current": [], "pids_max": [], "events_max": []},
 * or NULL when there is no sample. */
json_object *samples_to_json(const TsSamples *s);
/* The machine's facts, as `taskstorm env --json` prints them; NULL when out of memory. */
json_object *sysinfo_to_json(const TsSysinfo *s);
/* One sentence on the pids probe, shared by the text and the JSON output. */
void sysinfo_probe_reason(const TsPidsProbe *p, char *buf, size_t size);
/* The head every report file shares: format, version, taskstorm_version, generated_at (UTC) and
 * the environment (as `taskstorm env --json`). */
json_object *json_report_new(const char *format, int version, const TsSysinfo *env);
/* {"PASS": n, "FAIL": n, "SKIP": n, "BROKEN": n} */
json_object *json_verdict_counts(const unsigned counts[_TS_VERDICT_MAX]);

/* What --format chooses for run and qualify. */
typedef enum OutputFormat { FORMAT_TEXT, FORMAT_JSON, FORMAT_TAP, _FORMAT_MAX, _FORMAT_INVALID = -EINVAL } OutputFormat;
/* "text", "json" or "tap"; logs and returns -EINVAL for anything else. */
int output_format_parse(const char *arg, OutputFormat *ret);
/* --report-dir DIR: made if missing, its absolute path in ret (PATH_MAX bytes), and bound into a
 * sandbox should the verb re-run itself in one, so the reports reach the host. Logs on failure. */
int report_dir_prepare(const char *dir, char *ret);
