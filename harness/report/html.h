/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The run report (report.json) as one self-contained HTML page for people: a summary, and per scenario
 * a timeline of pids.current against the limit, the phases and the key figures. No script, no network. */
#pragma once

#include <json-c/json.h>

/* Writes the self-contained HTML page of a run report (the report.json object) to path. Missing keys and
 * wrong types are skipped, never fatal. The page goes to a temporary file next to path that is renamed
 * over it at the end, so a failed write leaves no half page. -EINVAL: no path, or the report is not a JSON
 * object; -EIO: writing failed; -ENOMEM; or the errno of creating or renaming the file. */
int ts_html_write(const char *path, json_object *report);
