/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ordering of version strings as distros write them (systemd "252.38-1~deb12u1", "219-78.el7_9.7",
 * kernels "4.4.0-116-generic"), so scenario needs such as "systemd >= 227" or "kernel >= 4.3" can be
 * checked against what a machine reports. */
#pragma once

/* Compares two version strings the way systemd's strverscmp_improved() and rpmvercmp() do: digit runs
 * compare as numbers, letters as strings, a numeric segment is newer than an alphabetic one, '~' sorts
 * before anything (even the end: "252~rc1" < "252"), then the end of the string, then '-', '^', '.'
 * ("219" < "219-78" < "219.1"); other characters ('_', '+', ...) only separate segments. A leading "v"
 * before a digit is dropped ("v256" == "256"). NULL sorts before everything. Returns -1, 0 or 1. */
int ts_version_compare(const char *a, const char *b);

/* 1 if have >= want by ts_version_compare(), else 0: "219-78.el7_9.7" is at least "219",
 * "3.10.0-1160.el7.x86_64" is at least "3.10", "4.2.9" is not at least "4.3". */
int ts_version_at_least(const char *have, const char *want);

/* The leading number of a version ("252.38-1~deb12u1" -> 252, "v256" -> 256). -EINVAL if the string
 * (after an optional "v") does not start with a digit, -ERANGE if the number does not fit. */
int ts_version_major(const char *v, unsigned *ret);
