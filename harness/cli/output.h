/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The options that choose where results go, which the verb skeleton parses for the verbs that take
 * them (verb.c): --format (--json) and --report-dir. What the results say is harness/report/'s. */
#pragma once

#include <errno.h>

/* What --format (run, qualify) or --json chooses; _FORMAT_INVALID until an option chose one. */
typedef enum OutputFormat {
        FORMAT_TEXT,
        FORMAT_JSON,
        FORMAT_TAP,
        _FORMAT_MAX,
        _FORMAT_INVALID = -EINVAL
} OutputFormat;
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
