/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Gathers the machine's evidence: a walk of the pids hierarchy that reads two or three small files
 * per cgroup (a machine can have thousands), the journal's lines one at a time, and the mapping of
 * a cgroup path to the unit, scope, slice or container that holds it. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "macro.h"
#include "pids.h"
#include "scan.h"
#include "string-table.h"
#include "unit.h"

/* Deeper than any real hierarchy (systemd's slices nest a few levels, pods a few more): a bound on
 * the recursion, not a limit anyone meets. */
#define MAX_DEPTH 64

static const char *const ts_scan_kind_table[_TS_SCAN_KIND_MAX] = {
        [TS_SCAN_SERVICE] = "service", [TS_SCAN_SCOPE] = "scope",         [TS_SCAN_SLICE] = "slice",
        [TS_SCAN_UNIT] = "unit",       [TS_SCAN_CONTAINER] = "container", [TS_SCAN_CGROUP] = "cgroup",
};

/* A unit's kind by its type suffix; other types are TS_SCAN_UNIT. */
static const struct {
        const char *suffix;
        TsScanKind kind;
} unit_kinds[] = {
        { ".service", TS_SCAN_SERVICE },
        { ".scope", TS_SCAN_SCOPE },
        { ".slice", TS_SCAN_SLICE },
};

/* A container's own cgroup, as the runtimes name it: a prefix, the 64 hex digits of its ID, a
 * suffix. With the cgroupfs driver the bare ID is the name (/docker/<id>, /k8s.io/<id>). */
static const struct {
        const char *prefix, *suffix;
} container_names[] = {
        { "docker-", ".scope" },         /* docker with the systemd cgroup driver */
        { "cri-containerd-", ".scope" }, /* containerd's CRI plugin (Kubernetes) */
        { "crio-", ".scope" },           /* CRI-O */
        { "libpod-", ".scope" },         /* podman */
        { "libpod-", "" },               /* podman with cgroupfs (/libpod_parent/libpod-<id>) */
        { "", "" },                      /* cgroupfs: /docker/<id> */
};

#define CONTAINER_ID_LEN 64

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(ts_scan_kind, TsScanKind);

void ts_scan_owner_done(TsScanOwner *o) {
        if (!o)
                return;
        free(o->name);
        free(o->control_group);
        free(o->parent);
        *o = (TsScanOwner){ .kind = _TS_SCAN_KIND_INVALID };
}

void ts_scan_facts_done(TsScanFacts *f) {
        if (!f)
                return;
        free(f->root);
        for (size_t i = 0; i < f->n_cgroups; i++)
                free(f->cgroups[i].path);
        free(f->cgroups);
        for (size_t i = 0; i < f->n_logs; i++) {
                free(f->logs[i].unit);
                free(f->logs[i].invocation);
                free(f->logs[i].control_group);
                ts_pattern_hits_done(f->logs[i].hits, ELEMENTSOF(f->logs[i].hits));
                ts_check_facts_done(f->logs[i].facts);
                free(f->logs[i].facts);
        }
        free(f->logs);
        for (size_t i = 0; i < f->n_kernel; i++) {
                free(f->kernel[i].path);
                free(f->kernel[i].cgroup);
                free(f->kernel[i].ancestor);
        }
        free(f->kernel);
        free(f->systemd_version);
        free(f->kernel_release);
        free(f->os_id);
        free(f->os_id_like);
        *f = (TsScanFacts){};
}

/* The arrays of the facts grow by doubling. Their capacity is not kept: it is the smallest power of
 * two, at least 8, that holds n elements, so an array is full exactly when n is 0 or such a power. */
static int grow(void **array, size_t n, size_t size) {
        bool full = n == 0 || (n >= 8 && (n & (n - 1)) == 0);
        if (!full)
                return 0;
        void *p = reallocarray(*array, n == 0 ? 8 : n * 2, size);
        if (!p)
                return -ENOMEM;
        *array = p;
        return 0;
}

/* A walk's state: the facts it fills, and the path of the cgroup it is in. */
typedef struct Walk {
        TsScanFacts *f;
        bool unified; /* v2: pids.events.local may be there (v1 never has it: not looked for) */
        char path[PATH_MAX];
        size_t len; /* "" for the root, "/system.slice", ... */
} Walk;

/* Reads the cgroup at dirfd and keeps it when it has a limit or counted refusals. Files that cannot
 * be read are no evidence: the root cgroup has none, and a cgroup may go away while it is read. */
static int visit(Walk *w, int dirfd) {
        uint64_t max = UINT64_MAX, refused = 0, current = 0;
        bool local = false;
        w->f->n_walked++;
        if (ts_pids_read_at(dirfd, "pids.max", &max) < 0)
                max = UINT64_MAX;
        int r = w->unified ? ts_pids_refused_at(dirfd, &refused, &local)
                           : ts_pids_read_at(dirfd, "pids.events", &refused);
        if (r < 0)
                refused = 0;
        if (max == UINT64_MAX && refused == 0)
                return 0;

        r = grow((void **)&w->f->cgroups, w->f->n_cgroups, sizeof *w->f->cgroups);
        char *path = r < 0 ? NULL : strdup(w->len > 0 ? w->path : "/");
        if (!path)
                return -ENOMEM;
        bool has_current = ts_pids_read_at(dirfd, "pids.current", &current) >= 0;
        w->f->cgroups[w->f->n_cgroups++] = (TsScanCgroup){
                .path = path,
                .current = { .known = has_current, .value = current },
                .max = max,
                .refused = refused,
                .refused_local = local,
        };
        return 0;
}

static bool is_directory(int dirfd, const struct dirent *de) {
        if (de->d_type != DT_UNKNOWN)
                return de->d_type == DT_DIR;
        struct stat st;
        return fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISDIR(st.st_mode);
}

static void closedirp(DIR **d) {
        if (*d)
                (void)closedir(*d);
}

static int walk(Walk *w, int dirfd, unsigned depth) {
        int r = visit(w, dirfd);
        if (r < 0 || depth >= MAX_DEPTH)
                return r;

        /* fdopendir() takes the fd it is given: a fresh one, so that dirfd stays the caller's. */
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_(closedirp) DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                (void)safe_close(fd);
                return 0; /* gone while walked */
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, "..") || !is_directory(dirfd, de))
                        continue;
                size_t len = w->len;
                if (path_printf(w->path + len, sizeof w->path - len, "/%s", de->d_name) < 0) {
                        w->path[len] = 0;
                        continue; /* a path longer than PATH_MAX names no unit */
                }
                w->len += strlen(w->path + len);
                _cleanup_(closep) int child =
                        openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                r = child >= 0 ? walk(w, child, depth + 1) : 0;
                w->len = len;
                w->path[len] = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int compare_cgroups(const void *a, const void *b) {
        return strcmp(((const TsScanCgroup *)a)->path, ((const TsScanCgroup *)b)->path);
}

int ts_scan_cgroups(const char *root, TsScanFacts *f) {
        if (!root || !f)
                return -EINVAL;
        _cleanup_(closep) int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (!f->root && !(f->root = strdup(root)))
                return -ENOMEM;

        _cleanup_(freep) Walk *w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(w);
        w->f = f;
        /* The root of a v2 hierarchy (or of a delegated subtree of one) lists its controllers. */
        w->unified = f->unified = faccessat(fd, "cgroup.controllers", F_OK, 0) >= 0;
        int r = walk(w, fd, 0);
        if (f->n_cgroups > 1)
                qsort(f->cgroups, f->n_cgroups, sizeof *f->cgroups, compare_cgroups);
        return r;
}

static TsScanLog *log_of(TsScanFacts *f, const char *unit, const char *invocation) {
        for (size_t i = 0; i < f->n_logs; i++)
                if (streq(f->logs[i].unit, unit) &&
                    streq(strempty(f->logs[i].invocation), strempty(invocation)))
                        return &f->logs[i];
        if (grow((void **)&f->logs, f->n_logs, sizeof *f->logs) < 0)
                return NULL;
        TsScanLog *l = &f->logs[f->n_logs];
        *l = (TsScanLog){ .unit = strdup(unit),
                          .invocation = invocation && *invocation ? strdup(invocation) : NULL };
        if (!l->unit || (invocation && *invocation && !l->invocation)) {
                free(l->unit);
                free(l->invocation);
                return NULL;
        }
        f->n_logs++;
        return l;
}

static int add_kernel_line(TsScanFacts *f, const char *path, size_t len, uint64_t usec) {
        if (grow((void **)&f->kernel, f->n_kernel, sizeof *f->kernel) < 0)
                return -ENOMEM;
        char *p = strndup(path, len);
        if (!p)
                return -ENOMEM;
        f->kernel[f->n_kernel++] = (TsScanKernelLine){ .path = p, .usec = usec };
        return 0;
}

int ts_scan_add_line(TsScanFacts *f, const TsScanLine *line) {
        if (!f || !line || !line->message)
                return -EINVAL;
        const char *cgroup = NULL;
        size_t cgroup_len = 0;
        TsPattern p = ts_pattern_match(line->message, line->length, &cgroup, &cgroup_len);
        if (p < 0)
                return 0;
        if (ts_pattern_info(p)->kernel) {
                /* A unit that quotes the kernel's words (a log shipper, a test) is not the kernel. */
                if (!line->kernel || cgroup_len == 0 || cgroup[0] != '/')
                        return 0;
                return add_kernel_line(f, cgroup, cgroup_len, line->usec);
        }
        if (!line->unit || !*line->unit)
                return 0; /* no unit's line: nothing to put it on */

        TsScanLog *l = log_of(f, line->unit, line->invocation);
        if (!l)
                return -ENOMEM;
        if (!l->control_group && line->control_group && line->control_group[0] == '/' &&
            !(l->control_group = strdup(line->control_group)))
                return -ENOMEM;
        const char *ident = line->identifier ? line->identifier : "?";
        ts_pattern_hits_add(&l->hits[p], line->usec, ident, strlen(ident), line->message, line->length);
        return 0;
}

/* Whether path (absolute, as a cgroup is named) is a cgroup under the root that dirfd is. */
static bool is_cgroup_dir(int root, const char *path) {
        const char *relative = path + strspn(path, "/");
        struct stat st;
        return !*relative || (fstatat(root, relative, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISDIR(st.st_mode));
}

/* The nearest cgroup here above the one that path names, which is gone, with the ends of path
 * tried longest first as for one that lives; never the root, which is above everything. 1 and
 * *ret, 0 none, -ENOMEM. */
static int living_ancestor(int root, const char *path, char **ret) {
        for (const char *s = path; s; s = strchr(s + 1, '/')) {
                /* freed by hand: scan-build does not follow a cleanup attribute round a loop */
                char *p = strdup(s);
                if (!p)
                        return -ENOMEM;
                for (char *slash = strrchr(p, '/'); slash && slash > p; slash = strrchr(p, '/')) {
                        *slash = 0;
                        if (is_cgroup_dir(root, p)) {
                                *ret = p;
                                return 1;
                        }
                }
                free(p);
        }
        return 0;
}

int ts_scan_resolve_kernel_lines(TsScanFacts *f) {
        if (!f || !f->root)
                return -EINVAL;
        _cleanup_(closep) int root = open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return negative_errno();
        for (size_t i = 0; i < f->n_kernel; i++) {
                TsScanKernelLine *k = &f->kernel[i];
                free(k->cgroup);
                free(k->ancestor);
                k->cgroup = k->ancestor = NULL;
                /* The longest end of the path, from a '/', that is a cgroup here: the whole path on a
                 * host, the part below the sandbox's own subtree inside one. */
                for (const char *s = k->path; s; s = strchr(s + 1, '/'))
                        if (is_cgroup_dir(root, s)) {
                                k->cgroup = strdup(s);
                                if (!k->cgroup)
                                        return -ENOMEM;
                                break;
                        }
                int r = k->cgroup ? 0 : living_ancestor(root, k->path, &k->ancestor);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool is_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

static bool is_container(const char *name, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(container_names); i++) {
                size_t p = strlen(container_names[i].prefix), s = strlen(container_names[i].suffix);
                if (n == p + CONTAINER_ID_LEN + s && strneq(name, container_names[i].prefix, p) &&
                    strneq(name + p + CONTAINER_ID_LEN, container_names[i].suffix, s) &&
                    is_hex(name + p, CONTAINER_ID_LEN))
                        return true;
        }
        return false;
}

static TsScanKind unit_kind(const char *name, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(unit_kinds); i++) {
                size_t s = strlen(unit_kinds[i].suffix);
                if (n > s && strneq(name + n - s, unit_kinds[i].suffix, s))
                        return unit_kinds[i].kind;
        }
        return TS_SCAN_UNIT;
}

TsScanKind ts_scan_unit_kind(const char *name) {
        size_t n = name ? strlen(name) : 0;
        return is_container(name, n) ? TS_SCAN_CONTAINER : unit_kind(name, n);
}

static bool is_unit_name(const char *name, size_t n) {
        char buf[256];
        if (n >= sizeof buf)
                return false;
        memcpy(buf, name, n);
        buf[n] = 0;
        return ts_unit_name_valid(buf);
}

int ts_scan_owner(const char *path, TsScanOwner *ret) {
        if (!path || path[0] != '/' || !ret)
                return -EINVAL;

        /* The components that name the owner, and a container's parent: the last unit above it. */
        const char *owner = NULL, *parent = NULL;
        size_t owner_len = 0, parent_len = 0;
        TsScanKind kind = TS_SCAN_CGROUP;
        for (const char *c = path + strspn(path, "/"); *c; c += strspn(c, "/")) {
                size_t n = strcspn(c, "/");
                if (is_container(c, n)) {
                        parent = owner;
                        parent_len = owner_len;
                        owner = c;
                        owner_len = n;
                        kind = TS_SCAN_CONTAINER;
                        break; /* what is below a container's cgroup is the container's */
                }
                if (is_unit_name(c, n)) {
                        owner = c;
                        owner_len = n;
                        kind = unit_kind(c, n);
                }
                c += n;
        }

        TsScanOwner o = { .kind = kind };
        if (!owner) {
                /* No unit's: the root is -.slice, anything else goes by its path. */
                bool root = path[strspn(path, "/")] == 0;
                o.kind = root ? TS_SCAN_SLICE : TS_SCAN_CGROUP;
                o.name = strdup(root ? "-.slice" : path);
                o.control_group = strdup(root ? "/" : path);
        } else {
                size_t end = (size_t)(owner - path) + owner_len;
                /* A container with a unit's name (docker-<id>.scope) goes by it, a bare ID by its path. */
                bool by_path = kind == TS_SCAN_CONTAINER && !is_unit_name(owner, owner_len);
                o.name = by_path ? strndup(path, end) : strndup(owner, owner_len);
                o.control_group = strndup(path, end);
                if (kind == TS_SCAN_CONTAINER)
                        o.parent = parent ? strndup(parent, parent_len) : strdup("-.slice");
        }
        if (!o.name || !o.control_group || (o.kind == TS_SCAN_CONTAINER && !o.parent)) {
                ts_scan_owner_done(&o);
                return -ENOMEM;
        }
        *ret = o;
        return 0;
}
