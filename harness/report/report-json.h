/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON pieces every report shares (limits, timings, samples, the head of a report file) and the
 * one way reports are written: pretty, with slashes as they are. */
#pragma once

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
/* Writes o to out as pretty JSON and a newline, and drops the reference; -ENOMEM when it could not be
 * made into text. */
int ts_json_write_and_put(FILE *out, json_object *o);
/* Writes o as pretty JSON to path (a new file replacing any old one); -EIO when that failed. */
int ts_json_write_file(const char *path, json_object *o);
