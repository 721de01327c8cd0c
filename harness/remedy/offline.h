/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The facts of a check read from a support bundle's text (systemctl status, journalctl -u, kernel
 * lines, uname -r, systemd --version, os-release), for `taskstorm check --log FILE`: what the text
 * does not say stays unknown. */
#pragma once

#include <stddef.h>

#include "diagnosis.h"

#define TS_OFFLINE_MAX_TEXT (16u << 20) /* a bundle larger than this is refused with -EFBIG */

/* Reads the facts about `unit` ("docker.service"; "docker" means docker.service) from text, which
 * need not be NUL-terminated and may hold any bytes. unit NULL: the first unit a `systemctl status`
 * block shows, else docker.service. Sets ret->offline. -EINVAL, -EFBIG, -ENOMEM; ret untouched on
 * failure. */
int ts_check_facts_from_text(const char *text, size_t size, const char *unit, TsCheckFacts *ret);
