/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vendor article's prerequisites as a table of two rules (everyone, and the RHEL family whose
 * systemd 219 and kernel 3.10 carry the pids controller as backports), decided with the project's
 * version ordering on the strings distros really ship. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "prereq.h"
#include "version.h"

typedef struct Rule {
        const char *systemd; /* the lowest systemd with the pids controller and TasksMax= */
        const char *kernel;  /* the lowest kernel with the pids cgroup controller */
        const char *suffix;  /* said after the versions */
} Rule;

enum { RULE_UPSTREAM, RULE_RHEL, _RULE_MAX };

static const Rule rules[_RULE_MAX] = {
        [RULE_UPSTREAM] = { "227", "4.3", "" },
        [RULE_RHEL] = { "219", "3.10", " (RHEL family)" },
};

static const char *const rhel_family[] = { "rhel", "centos", "fedora" };

static bool word_in(const char *list, const char *word) {
        size_t n = strlen(word);
        for (const char *p = list; p && *p;) {
                p += strspn(p, " \t");
                size_t w = strcspn(p, " \t");
                if (w == n && strneq(p, word, n))
                        return true;
                p += w;
        }
        return false;
}

int ts_prereq_is_rhel_family(const char *os_id, const char *os_id_like) {
        for (size_t i = 0; i < ELEMENTSOF(rhel_family); i++)
                if ((os_id && streq(os_id, rhel_family[i])) || word_in(os_id_like, rhel_family[i]))
                        return 1;
        return 0;
}

_printf_(3, 4) static void say(char *why, size_t size, const char *format, ...) {
        if (!why || size == 0)
                return;
        va_list ap;
        va_start(ap, format);
        (void)vsnprintf(why, size, format, ap);
        va_end(ap);
}

/* 1 met, 0 too old, -1 unknown. */
static int meets(const char *have, const char *want) {
        return have ? ts_version_at_least(have, want) : -1;
}

static const char *nonempty(const char *s) {
        return s && *s ? s : NULL;
}

TsPrereq ts_prereq_check(const TsPrereqInput *in, char *why, size_t why_size) {
        if (!in) {
                say(why, why_size, "no input");
                return _TS_PREREQ_INVALID;
        }

        const char *systemd = nonempty(in->systemd_version), *kernel = nonempty(in->kernel_release);
        bool rhel = ts_prereq_is_rhel_family(in->os_id, in->os_id_like);
        const Rule *rule = &rules[rhel ? RULE_RHEL : RULE_UPSTREAM];
        int systemd_ok = meets(systemd, rule->systemd), kernel_ok = meets(kernel, rule->kernel);

        if (systemd_ok == 0 || kernel_ok == 0) {
                /* Without os-release, versions that only the RHEL rule accepts ("219-78.el7_9.7") cannot
                 * be called too old: the distribution decides. */
                const Rule *r = &rules[RULE_RHEL];
                bool undecided = !rhel && !nonempty(in->os_id) && !nonempty(in->os_id_like) &&
                                 meets(systemd, r->systemd) != 0 && meets(kernel, r->kernel) != 0;
                char older[2][120] = {};
                if (systemd_ok == 0)
                        snprintf(older[0], sizeof older[0], "systemd %s is older than %s", systemd,
                                 rule->systemd);
                if (kernel_ok == 0)
                        snprintf(older[1], sizeof older[1], "kernel %s is older than %s", kernel,
                                 rule->kernel);
                const char *both = older[0][0] && older[1][0] ? " and " : "";
                if (undecided) {
                        say(why, why_size,
                            "distribution unknown: %s%s%s (the RHEL family needs only %s and %s)", older[0],
                            both, older[1], r->systemd, r->kernel);
                        return TS_PREREQ_UNKNOWN;
                }
                say(why, why_size, "%s%s%s%s", older[0], both, older[1], rule->suffix);
                return TS_PREREQ_UNMET;
        }

        if (systemd_ok < 0 && kernel_ok < 0)
                say(why, why_size, "systemd and kernel versions unknown");
        else if (systemd_ok < 0)
                say(why, why_size, "systemd version unknown (kernel %s >= %s%s)", kernel, rule->kernel,
                    rule->suffix);
        else if (kernel_ok < 0)
                say(why, why_size, "kernel version unknown (systemd %s >= %s%s)", systemd, rule->systemd,
                    rule->suffix);
        else {
                say(why, why_size, "systemd %s >= %s and kernel %s >= %s%s", systemd, rule->systemd, kernel,
                    rule->kernel, rule->suffix);
                return TS_PREREQ_MET;
        }
        return TS_PREREQ_UNKNOWN;
}
