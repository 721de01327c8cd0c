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
/* ts_sysinfo_gather() for the verbs: where no child cgroup can get a pids.max (cgroup v2), the
 * pids probe runs in a transient scope through bus (NULL: systemd does not answer, not probed). */
int sysinfo_gather(sd_bus *bus, TsSysinfo *ret);
/* One sentence on the pids probe, shared by the text and the JSON output. */
void sysinfo_probe_reason(const TsPidsProbe *p, char *buf, size_t size);
/* Whether the verbs that need systemd boot a private sandbox here, as cli_systemd_or_sandbox()
 * decides (sd_booted()), with what PID 1 is in why: "PID 1 is process_api, not systemd". */
bool sysinfo_sandbox_needed(const TsSysinfo *s, char *why, size_t size);
/* Those verbs as people read them: "storm, run, check, fix and qualify". */
void sysinfo_sandbox_verbs(char *buf, size_t size);
/* The head every report file shares: format, version, taskstorm_version, generated_at (UTC) and
 * the environment (as `taskstorm env --json`). */
json_object *json_report_new(const char *format, int version, const TsSysinfo *env);
/* {"PASS": n, "FAIL": n, "SKIP": n, "BROKEN": n} */
json_object *json_verdict_counts(const unsigned counts[_TS_VERDICT_MAX]);

/* What --format chooses for run and qualify; _FORMAT_INVALID until an option chose one. */
typedef enum OutputFormat { FORMAT_TEXT, FORMAT_JSON, FORMAT_TAP, _FORMAT_MAX, _FORMAT_INVALID = -EINVAL } OutputFormat;
/* --format "text", "json" or "tap" into *format; logs and returns -EINVAL for anything else, and
 * when --json chose another format already. */
int output_format_parse(const char *arg, OutputFormat *format);
/* --json: FORMAT_JSON into *format; logs and returns -EINVAL when --format chose another. */
int output_format_json(OutputFormat *format);
/* --report-dir DIR, checked before anything boots or changes: a writable directory, or missing with
 * a writable directory as its parent. Nothing is made yet. Its absolute path goes into ret (PATH_MAX
 * bytes) and onto the sandbox's binds, should the verb re-run itself in one (which makes it then,
 * so that the reports reach the host). Logs and returns -EINVAL when it cannot be used. */
int report_dir_check(const char *dir, char *ret);
/* Makes the checked directory where it is missing, once the verb runs here. Logs on failure. */
int report_dir_make(const char *path);
