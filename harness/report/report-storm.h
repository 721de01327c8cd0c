/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One storm's report for people (text) and machines (JSON), shared by `taskstorm storm` and the
 * storm part of each scenario in a run's report; the JSON keys are documented in README.md. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "storm-unit.h"

/* The report as an indented block of lines: the storm, its limit, tasks, failures, timings. */
void ts_storm_report_print(FILE *out, const TsStormReport *r, const TsStormPlan *plan, const char *indent);
json_object *ts_storm_report_to_json(const TsStormReport *r, const TsStormPlan *plan);
