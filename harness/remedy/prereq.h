/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vendor article's prerequisites: systemd >= 227 and kernel >= 4.3, or on the RHEL family (ID or
 * ID_LIKE naming rhel, centos or fedora) systemd >= 219 and kernel >= 3.10. (Its third one, a Limit
 * on the unit, is the verdict's business.) */
#pragma once

#include <errno.h>

typedef enum TsPrereq {
        TS_PREREQ_MET,
        TS_PREREQ_UNMET,   /* a version is too old: the TasksMax problem cannot happen here */
        TS_PREREQ_UNKNOWN, /* a version is missing (a log bundle without it) */
        _TS_PREREQ_MAX,
        _TS_PREREQ_INVALID = -EINVAL,
} TsPrereq;

typedef struct TsPrereqInput {
        const char *systemd_version; /* "252.38-1~deb12u1", "219-78.el7_9.7", "229"; NULL unknown */
        const char *kernel_release;  /* "4.4.0-116-generic", "3.10.0-1160.el7.x86_64"; NULL unknown */
        const char *os_id;           /* os-release ID, NULL unknown */
        const char *os_id_like;      /* os-release ID_LIKE (space-separated), NULL */
} TsPrereqInput;

/* Decides, and says why in one phrase ("systemd 219 and kernel 3.10.0-1160.el7.x86_64 on the RHEL
 * family meet 219 and 3.10"; "kernel 4.2.0 is older than 4.3"; "systemd version unknown"). */
TsPrereq ts_prereq_check(const TsPrereqInput *in, char *why, size_t why_size);
/* true when ID or ID_LIKE names rhel, centos or fedora */
int ts_prereq_is_rhel_family(const char *os_id, const char *os_id_like);
