/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `taskstorm fix` did (or with --dry-run would do) to a unit's task limit, and with --if-affected
 * what the check before it found, for people and as JSON; the keys are documented in docs/fix.md. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "diagnosis.h"
#include "fix.h"

/* The systemctl commands that do what fix would: set-property, daemon-reload, restart (undo: put
 * back the drop-in, reload). */
void ts_fix_print_commands(FILE *out, const char *unit, const TsFixOptions *o, bool undo);
/* TasksMax before and after, each step's time, what was verified, and a drop-in that overrides it. */
void ts_fix_report_print(FILE *out, const char *unit, const TsFixReport *rep, bool undo);
json_object *ts_fix_report_to_json(const char *unit, const TsFixReport *rep, bool undo);

/* fix --if-affected: what the check found, as `taskstorm check UNIT` prints it, then what the fix
 * did, or (rep NULL: it did not run) why the unit was left alone. */
void ts_fix_checked_print(FILE *out, const TsCheckFacts *f, const TsCheckResult *res,
                          const TsFixReport *rep);
/* The same as {"unit", "check": check's object for the unit, "fix_applies", "fix": fix's object or
 * null, "skipped": why the fix did not run, or null}. */
json_object *ts_fix_checked_to_json(const TsCheckFacts *f, const TsCheckResult *res, const TsFixReport *rep);
