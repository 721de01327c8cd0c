/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The summary `taskstorm inject` writes after the command (on stderr, so that the command's own
 * output passes through untouched): what failed with which errno, and how many creations it saw. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "inject.h"

/* One line: every creation failed, or none could (the filter alone counts nothing), or the counts of
 * a supervised run. */
void ts_inject_summary_print(FILE *out, const TsInjectOptions *o, const TsInjectStats *st);
json_object *ts_inject_summary_to_json(const TsInjectOptions *o, const TsInjectStats *st);
