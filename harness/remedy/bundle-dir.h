/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A support bundle that is a directory, for `check --log DIR`: an unpacked sosreport (Red Hat's and
 * Ubuntu's `sos report`) or SUSE supportconfig, whose files that matter are put together into one
 * text for the text reader (offline.h). */
#pragma once

#include <stddef.h>

/* Reads the files of an unpacked sosreport or supportconfig at dir into one NUL-terminated text,
 * each file after a header line "==> RELATIVE/PATH <==" (as tail(1) prints it), in a fixed order:
 * what the machine is (os-release, uname, packages), its limits and their settings (pid_max,
 * system.conf, drop-ins, pids.* of the cgroups, sysctl), the units (systemctl status and show,
 * systemd-cgls), the tasks (ps), then the logs (dmesg, the journal, messages), smallest first.
 *
 * The text never exceeds TS_OFFLINE_MAX_TEXT: each file before the logs keeps at most a cap of its
 * own and all of them together half of the text; the logs share what is left. A file longer than
 * its share keeps its end (the newest lines, from a line start) and its header says so:
 * "==> PATH <== (cut to its last N of M bytes)". A file that matches but is not read gets a header
 * that says why: "(skipped: not text)" (ts_bundle_text_check()), "(skipped: not a regular file)"
 * (a FIFO, socket or device: never opened, never waited on), "(skipped: a symlink that leads out of
 * the bundle)": symlinks are followed only while they stay inside dir, no absolute target, no ".."
 * above it; directories are walked without following links, a bounded number of levels and files.
 * A log's NUL bytes (what a power loss leaves) are left out and counted in its header. Where a
 * bundle has the same facts twice, one is read (the full journal, else the per-boot ones, else the
 * per-unit ones; one package list; one file for two names); dmesg, the journal and
 * /var/log/messages still share some lines.
 *
 * -ENOTDIR dir is not a directory (nor a link to one); -ENOMEDIUM a directory that is neither kind
 * (the caller says "not a sosreport or supportconfig directory"); -ENOENT, -EACCES opening dir;
 * -EINVAL; -ENOMEM. A file that cannot be read is noted in its header, not an error: the text is
 * never refused for its size (no -EFBIG). ret (and ret_size) untouched on failure. */
int ts_bundle_read_dir(const char *dir, char **ret, size_t *ret_size);

/* "sosreport" (a directory sos_commands/), "supportconfig" (basic-environment.txt and
 * basic-health-check.txt), or NULL: which kind of bundle dir is. */
const char *ts_bundle_dir_kind(const char *dir);
