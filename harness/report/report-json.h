/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON pieces every report shares (limits, timings, samples, the head of a report file) and the
 * ways reports are written: pretty or on one line (--json=short), with slashes as they are. */
#pragma once

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>

#include "sampler.h"
#include "sysinfo.h"
#include "time-util.h"

/* The limit's number (pids.max as a JSON number), or the string "max" for UINT64_MAX. */
json_object *ts_json_u64_or_max(uint64_t v);
/* A string, or null where there is none. */
json_object *ts_json_string(const char *s);
/* A string, or null where there is none or it is empty. */
json_object *ts_json_string_or_null(const char *s);
/* [{"name", "duration_ns"}] for the steps that ran; name(i) names step i. */
json_object *ts_json_timings(const TsTiming *t, size_t n, const char *(*name)(size_t i));
/* {"interval_ns", "per_second", "missed", "t_ns": [], "pids_current": [], "pids_max": [], "events_max": []},
 * or NULL when there is no sample. */
json_object *ts_json_samples(const TsSamples *s);
/* The head every report file shares: format, version, taskstorm_version, generated_at (UTC) and the
 * environment (as `taskstorm env --json` prints it, with the verbs that need systemd). */
json_object *ts_json_report_new(const char *format, int version, const TsSysinfo *env,
                                const char *const *sandbox_verbs);
/* How JSON is laid out where a verb prints it (--json=STYLE, as systemd's tools take it): indented,
 * or one line for a pipe that reads a line at a time. Files are always pretty. */
typedef enum TsJsonStyle {
        TS_JSON_PRETTY,
        TS_JSON_SHORT,
        _TS_JSON_STYLE_MAX,
        _TS_JSON_STYLE_INVALID = -EINVAL,
} TsJsonStyle;
TsJsonStyle ts_json_style_from_string(const char *s);
/* Writes o to out in style and a newline, and drops the reference; -ENOMEM when it could not be
 * made into text. */
int ts_json_write_and_put(FILE *out, json_object *o, TsJsonStyle style);
/* Writes o as pretty JSON to path (a new file replacing any old one); -EIO when that failed. */
int ts_json_write_file(const char *path, json_object *o);
