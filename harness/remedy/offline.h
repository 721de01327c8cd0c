/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The facts of a check read from a support bundle's text (systemctl status, journalctl -u, kernel
 * lines, uname -r, systemd --version, os-release), for `taskstorm check --log FILE`: what the text
 * does not say stays unknown. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diagnosis.h"

#define TS_OFFLINE_MAX_TEXT (16u << 20) /* a bundle larger than this is refused with -EFBIG */

/* Reads from text (not NUL-terminated, any bytes) the facts of each unit, scope, slice or container
 * it has evidence about: its failure lines, its limits and usage, the kernel's lines about its
 * cgroup, and the machine's facts (versions, sysctl, ulimit) that every one gets. With unit
 * ("docker.service"; "docker" means docker.service), that one alone; *ret_named says whether the
 * text names it at all. Where nothing has evidence, one entry for the text itself (unit NULL)
 * holds the machine's facts. Each has offline set. *ret is an array of *ret_n (at least one), freed
 * with ts_check_text_free(). -EINVAL, -EFBIG, -ENOMEM; untouched on failure. */
int ts_check_text(const char *text, size_t size, const char *unit, TsCheckFacts **ret, size_t *ret_n,
                  bool *ret_named);
void ts_check_text_free(TsCheckFacts *facts, size_t n);

/* The same for one: unit's, or with unit NULL the one whose verdict is the most severe. */
int ts_check_facts_from_text(const char *text, size_t size, const char *unit, TsCheckFacts *ret);

/* Reads a support bundle as `check --log` takes it: the file at path, or stdin where path is NULL
 * (a pipe or a terminal too). A path must name a regular file, refused before reading: -EISDIR a
 * directory, -EMEDIUMTYPE a FIFO, socket or device (a FIFO without a writer does not block). -EFBIG
 * above TS_OFFLINE_MAX_TEXT; -EBADMSG when it is not text (ts_bundle_text_check()). The text is
 * NUL-terminated. */
int ts_bundle_read(const char *path, char **ret, size_t *ret_size);
/* 0 when text reads as a log, -EBADMSG when it is binary: a NUL byte anywhere, or more than a
 * quarter of its bytes neither UTF-8 nor a log's whitespace (random bytes, an executable). A real
 * log's odd bytes pass: colour codes, CRLF, a UTF-8 BOM, a stray Latin-1 byte. */
int ts_bundle_text_check(const char *text, size_t size);
