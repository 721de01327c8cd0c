/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads the cgroup mount layout from mountinfo text (so fixture tables can be tested) and a
 * process's place in each hierarchy from /proc/PID/cgroup text. */
#include <stdint.h>

#include "cgroup-layout.h"
#include "fileio.h"
#include "macro.h"
#include "string-table.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static const char *const ts_cgroup_mode_table[_TS_CGROUP_MODE_MAX] = {
        [TS_CGROUP_LEGACY] = "legacy",
        [TS_CGROUP_HYBRID] = "hybrid",
        [TS_CGROUP_UNIFIED] = "unified",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(ts_cgroup_mode, TsCgroupMode);

static void hierarchy_done(TsCgroupHierarchy *h) {
        free(h->mount_point);
        free(h->root);
        free(h->controllers);
}

void ts_cgroup_layout_done(TsCgroupLayout *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n_hierarchies; i++)
                hierarchy_done(&l->hierarchies[i]);
        free(l->hierarchies);
        *l = (TsCgroupLayout){ .mode = _TS_CGROUP_MODE_INVALID };
}

static bool has_option(const char *list, const char *option) {
        size_t n = strlen(option);
        for (const char *p = list; p && *p;) {
                size_t k = strcspn(p, ",");
                if (k == n && strneq(p, option, n))
                        return true;
                p += k;
                if (*p == ',')
                        p++;
        }
        return false;
}

/* Keeps only the controller words of a v1 super-option list ("rw,pids" -> "pids",
 * "rw,name=systemd" -> "name=systemd", "rw,cpu,cpuacct" -> "cpu,cpuacct"). */
static char *v1_controllers(const char *super_options) {
        static const char *const not_controllers[] = { "rw",         "ro",       "relatime",
                                                       "noatime",    "nosuid",   "nodev",
                                                       "noexec",     "xattr",    "clone_children",
                                                       "nsdelegate", "noprefix", "cpuset_v2_mode",
                                                       "seclabel" /* SELinux (RHEL, Fedora) */ };
        char *out = calloc(1, strlen(super_options) + 1);
        if (!out)
                return NULL;
        for (const char *p = super_options; *p;) {
                size_t k = strcspn(p, ",");
                bool skip = k == 0 || (memchr(p, '=', k) && !strneq(p, "name=", 5));
                for (size_t i = 0; !skip && i < ELEMENTSOF(not_controllers); i++)
                        skip = strlen(not_controllers[i]) == k && strneq(p, not_controllers[i], k);
                if (!skip) {
                        if (*out)
                                strcat(out, ",");
                        strncat(out, p, k);
                }
                p += k;
                if (*p == ',')
                        p++;
        }
        return out;
}

/* Undoes the octal escapes (\040 for a space) that the kernel puts in mountinfo paths. */
static void unescape_octal(char *s) {
        char *w = s;
        for (char *p = s; *p; p++) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                    p[3] >= '0' && p[3] <= '7') {
                        *w++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
                        p += 3;
                } else
                        *w++ = *p;
        }
        *w = 0;
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER".
 * Returns 1 and fills h for a cgroup mount under /sys/fs/cgroup, 0 for any other mount. */
static int parse_mountinfo_line(char *line, TsCgroupHierarchy *h) {
        char *fields[6], *save = NULL, *tok = strtok_r(line, " ", &save);
        size_t n = 0;
        for (; tok && n < ELEMENTSOF(fields); tok = strtok_r(NULL, " ", &save))
                fields[n++] = tok;
        if (n < 6)
                return -EINVAL;
        while (tok && !streq(tok, "-"))
                tok = strtok_r(NULL, " ", &save);
        char *fstype = tok ? strtok_r(NULL, " ", &save) : NULL;
        char *source = fstype ? strtok_r(NULL, " ", &save) : NULL;
        char *super = source ? strtok_r(NULL, " ", &save) : NULL;
        if (!super)
                return -EINVAL;

        bool unified = streq(fstype, "cgroup2");
        if (!unified && !streq(fstype, "cgroup"))
                return 0;
        unescape_octal(fields[4]);
        if (!streq(fields[4], CGROUP_ROOT) && !strneq(fields[4], CGROUP_ROOT "/", STRLEN(CGROUP_ROOT "/")))
                return 0;
        unescape_octal(fields[3]);

        *h = (TsCgroupHierarchy){
                .mount_point = strdup(fields[4]),
                .root = strdup(fields[3]),
                .unified = unified,
                .read_only = has_option(fields[5], "ro") || has_option(super, "ro"),
                .controllers = unified ? NULL : v1_controllers(super),
        };
        if (!h->mount_point || !h->root || (!unified && !h->controllers)) {
                hierarchy_done(h);
                return -ENOMEM;
        }
        return 1;
}

int ts_cgroup_layout_parse(const char *mountinfo, TsCgroupLayout *ret) {
        _cleanup_(freep) char *copy = strdup(mountinfo);
        if (!copy)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(copy);

        TsCgroupLayout l = { .mode = _TS_CGROUP_MODE_INVALID };
        char *save = NULL;
        int r = 0;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                TsCgroupHierarchy h;
                r = parse_mountinfo_line(line, &h);
                if (r < 0)
                        break;
                if (r == 0)
                        continue;
                TsCgroupHierarchy *n = realloc(l.hierarchies, (l.n_hierarchies + 1) * sizeof *n);
                if (!n) {
                        hierarchy_done(&h);
                        r = -ENOMEM;
                        break;
                }
                l.hierarchies = n;
                l.hierarchies[l.n_hierarchies++] = h;
                r = 0;
        }
        if (r >= 0 && l.n_hierarchies == 0)
                r = -ENOMEDIUM;
        if (r < 0) {
                ts_cgroup_layout_done(&l);
                return r;
        }

        l.mode = TS_CGROUP_LEGACY;
        for (size_t i = 0; i < l.n_hierarchies; i++)
                if (l.hierarchies[i].unified)
                        l.mode = streq(l.hierarchies[i].mount_point, CGROUP_ROOT) ? TS_CGROUP_UNIFIED
                                                                                  : TS_CGROUP_HYBRID;
        *ret = l;
        return 0;
}

int ts_cgroup_layout_load(TsCgroupLayout *ret) {
        _cleanup_(freep) char *text = NULL;
        int r = ts_read_full_file("/proc/self/mountinfo", 16 << 20, &text, NULL);
        if (r < 0)
                return r;

        TsCgroupLayout l;
        r = ts_cgroup_layout_parse(text, &l);
        if (r < 0)
                return r;

        for (size_t i = 0; i < l.n_hierarchies; i++) {
                TsCgroupHierarchy *h = &l.hierarchies[i];
                if (!h->unified)
                        continue;
                char path[4096];
                snprintf(path, sizeof path, "%s/cgroup.controllers", h->mount_point);
                (void)ts_read_one_line_file(path, &h->controllers); /* an unreadable list stays NULL */
        }
        *ret = l;
        return 0;
}

static bool has_word(const char *list, const char *word) {
        size_t n = strlen(word);
        for (const char *p = list; p && *p;) {
                size_t k = strcspn(p, " ,");
                if (k == n && strneq(p, word, n))
                        return true;
                p += k;
                p += strspn(p, " ,");
        }
        return false;
}

const TsCgroupHierarchy *ts_cgroup_layout_find_pids(const TsCgroupLayout *l) {
        for (size_t i = 0; i < l->n_hierarchies; i++)
                if (l->hierarchies[i].controllers && has_word(l->hierarchies[i].controllers, "pids"))
                        return &l->hierarchies[i];
        return NULL;
}

int ts_cgroup_path_of(const char *proc_cgroup, const TsCgroupHierarchy *h, char **ret) {
        for (const char *line = proc_cgroup; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *c1 = memchr(line, ':', (size_t)(end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
                if (c2) {
                        size_t klen = (size_t)(c2 - c1 - 1);
                        bool match = h->unified ? klen == 0 && strneq(line, "0:", 2)
                                                : klen == strlen(h->controllers) &&
                                                          strneq(c1 + 1, h->controllers, klen);
                        if (match) {
                                char *p = strndup(c2 + 1, (size_t)(end - c2 - 1));
                                if (!p)
                                        return -ENOMEM;
                                *ret = p;
                                return 0;
                        }
                }
                line = *end ? end + 1 : end;
        }
        return -ENOENT;
}
