/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `taskstorm fix` did (or with --dry-run would do) to a unit's task limit, for people and as
 * JSON; the keys are documented in README.md. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "fix.h"

/* The systemctl commands that do what fix would: set-property, daemon-reload, restart (undo: put
 * back the drop-in, reload). */
void ts_fix_print_commands(FILE *out, const char *unit, const TsFixOptions *o, bool undo);
/* TasksMax before and after, each step's time, what was verified, and a drop-in that overrides it. */
void ts_fix_report_print(FILE *out, const char *unit, const TsFixReport *rep, bool undo);
json_object *ts_fix_report_to_json(const char *unit, const TsFixReport *rep, bool undo);
