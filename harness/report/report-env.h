/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The machine's facts as `taskstorm env` shows them, for people (text) and as the JSON object that
 * `env --json` prints and every report file carries as its environment. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "sysinfo.h"

/* The facts as one JSON object; sandbox_verbs (NULL-terminated) are the verbs that need systemd, as
 * the command's verb table has them. NULL when out of memory. */
json_object *ts_env_to_json(const TsSysinfo *s, const char *const *sandbox_verbs);
/* The facts for people, section by section; no_sandbox: --no-sandbox was given. */
void ts_env_print(FILE *out, const TsSysinfo *s, const char *const *sandbox_verbs, bool no_sandbox);
/* One sentence on the pids probe, shared by the text and the JSON output. */
void ts_env_probe_reason(const TsPidsProbe *p, char *buf, size_t size);
/* Whether the verbs that need systemd boot a private sandbox here, as cli_systemd_or_sandbox()
 * decides (sd_booted()), with what PID 1 is in why: "PID 1 is process_api, not systemd". */
bool ts_env_sandbox_needed(const TsSysinfo *s, char *why, size_t size);
