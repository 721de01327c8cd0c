/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The distribution a machine (or a root file system) runs, from os-release(5): which systemd
 * defaults and patches to expect, and which row of the distro matrix a result belongs to. */
#pragma once

#include <stdbool.h>

typedef struct TsOsRelease {
        char *id;               /* "debian", "rhel", "ubuntu" */
        char *version_id;       /* "12", "7.9", "16.04" */
        char *id_like;          /* space-separated list: "rhel fedora", "debian" */
        char *pretty_name;      /* "Debian GNU/Linux 12 (bookworm)" */
        char *version_codename; /* "bookworm"; NULL where the distro does not set it (RHEL) */
} TsOsRelease;

/* Parses os-release text: KEY=VALUE lines, values bare or in single or double quotes, backslash
 * escapes as in the shell, '#' comments, blank lines. Lines that do not follow the format (no '=',
 * a bad key, an unterminated quote, text after a closing quote) are ignored; a later assignment wins.
 * Keys it does not know are skipped; the fields for keys not present stay NULL. -ENOMEM only. */
int ts_os_release_parse(const char *text, TsOsRelease *ret);

/* Reads root/etc/os-release, or root/usr/lib/os-release where the first does not exist. root NULL
 * or "/" is this machine. -ENOENT if neither file exists. */
int ts_os_release_load(const char *root, TsOsRelease *ret);

void ts_os_release_done(TsOsRelease *o);

/* Whether the distribution is id or derives from it: ID equals id, or a word of ID_LIKE does. */
bool ts_os_release_is_like(const TsOsRelease *o, const char *id);
