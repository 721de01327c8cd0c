/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sandbox's cgroup subtree: one directory, taskstorm-sandbox-<pid>, below the caller's own
 * cgroup in every hierarchy. systemd inside treats it as its root; on teardown only these
 * directories (and what systemd made inside them) are removed, never anything else. On cgroup v2
 * the caller's cgroup must hand its controllers down, which a cgroup with processes cannot: its
 * processes wait in a leaf beside the sandbox, taskstorm-caller-<pid>, and go back on teardown. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup-layout.h"
#include "fileio.h"
#include "macro.h"
#include "sandbox.h"
#include "time-util.h"

struct TsSandboxCgroups {
        size_t n;
        char **dirs;      /* the subtree in each hierarchy, as a host path */
        char **names;     /* where it appears under the sandbox's /sys/fs/cgroup ("pids", "unified") */
        bool unified;     /* cgroup2 only: the single subtree becomes /sys/fs/cgroup itself */
        size_t read_only; /* the index of a subtree bound read-only, or SIZE_MAX */
        size_t pids;      /* the index of the subtree in the pids hierarchy, or SIZE_MAX */
        /* cgroup v2 (hand_down_controllers): */
        char *parent;      /* the caller's cgroup, which hands controllers down to the sandbox's */
        char *caller;      /* the leaf its processes moved to, or NULL */
        char enabled[256]; /* the controllers this enabled in parent's cgroup.subtree_control, to undo:
                            * "pids memory ..." */
};

void ts_sandbox_cgroups_free(TsSandboxCgroups *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->n; i++) {
                free(c->dirs[i]);
                free(c->names[i]);
        }
        free(c->dirs);
        free(c->names);
        free(c->parent);
        free(c->caller);
        free(c);
}

static int pids_in_subtree(const char *dir, pid_t *pids, size_t max, size_t *n);

static int pids_in_dir(const char *dir, pid_t *pids, size_t max, size_t *n) {
        char path[PATH_MAX];
        if (path_printf(path, sizeof path, "%s/cgroup.procs", dir) < 0)
                return -ENAMETOOLONG;
        _cleanup_(fclosep) FILE *f = fopen(path, "re");
        if (!f)
                return errno == ENOENT ? 0 : negative_errno();
        long p;
        while (fscanf(f, "%ld", &p) == 1)
                if (*n < max && p > 0)
                        pids[(*n)++] = (pid_t)p;
        return 0;
}

static int pids_in_subtree(const char *dir, pid_t *pids, size_t max, size_t *n) {
        int r = pids_in_dir(dir, pids, max, n);
        if (r < 0)
                return r;
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : negative_errno();
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                char sub[PATH_MAX];
                if (snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name) >= (int)sizeof sub)
                        continue;
                (void)pids_in_subtree(sub, pids, max, n);
        }
        closedir(d);
        return 0;
}

/* A frozen task cannot die, and PID 1 of a namespace waits for every task of it: a cgroup that
 * runc froze while creating a container and left frozen when that failed (seen with podman's
 * refused containers) would keep the sandbox from ever ending. Thawed before the killing. */
static int thaw_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        if (type != FTW_D)
                return 0;
        char file[PATH_MAX];
        _cleanup_(freep) char *state = NULL;
        if (path_printf(file, sizeof file, "%s/freezer.state", path) >= 0 &&
            ts_read_one_line_file(file, &state) >= 0 && !streq(state, "THAWED"))
                (void)ts_write_string_file(file, "THAWED");
        if (path_printf(file, sizeof file, "%s/cgroup.freeze", path) >= 0 && access(file, F_OK) == 0)
                (void)ts_write_string_file(file, "0"); /* cgroup v2 */
        return 0;
}

static void thaw_subtree(const char *dir) {
        (void)nftw(dir, thaw_one, 16, FTW_PHYS | FTW_MOUNT);
}

void ts_sandbox_cgroups_thaw(const TsSandboxCgroups *c) {
        for (size_t i = 0; c && i < c->n; i++)
                if (c->dirs[i])
                        thaw_subtree(c->dirs[i]);
}

static int rmdir_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        if (type == FTW_DP)
                (void)rmdir(path); /* failures show up as the top directory remaining */
        return 0;
}

/* Kills every process left in dir and its children (by PID, with bounded back-off while they
 * die), then removes the directories bottom-up. Returns 1 if dir is gone, 0 if it stayed. */
static int remove_subtree(const char *dir) {
        usec_t delay = USEC_PER_MSEC, deadline = ts_now(CLOCK_MONOTONIC) + 10 * USEC_PER_SEC;
        for (;;) {
                pid_t pids[512];
                size_t n = 0;
                (void)pids_in_subtree(dir, pids, ELEMENTSOF(pids), &n);
                if (n == 0)
                        break;
                for (size_t i = 0; i < n; i++)
                        (void)kill(pids[i], SIGKILL);
                thaw_subtree(dir); /* after the signal: a task thawed then dies at once */
                if (ts_now(CLOCK_MONOTONIC) > deadline)
                        break;
                ts_sleep_backoff(&delay, 100 * USEC_PER_MSEC);
        }
        (void)nftw(dir, rmdir_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        return access(dir, F_OK) < 0 && errno == ENOENT;
}

/* With the sandbox lock held, any taskstorm-sandbox-* directory beside ours is left over from a
 * sandbox that was killed before it could clean up. */
static void remove_stale_siblings(const char *parent) {
        DIR *d = opendir(parent);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR ||
                    !strneq(de->d_name, TS_SANDBOX_CGROUP_PREFIX, STRLEN(TS_SANDBOX_CGROUP_PREFIX)))
                        continue;
                char path[PATH_MAX];
                if (snprintf(path, sizeof path, "%s/%s", parent, de->d_name) < (int)sizeof path)
                        (void)remove_subtree(path);
        }
        closedir(d);
}

/* A new v1 cpuset cgroup starts with no CPUs and no memory nodes, and refuses tasks (ENOSPC)
 * until it gets some: give it its parent's. */
static int inherit_cpuset(const char *parent, const char *dir) {
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char from[PATH_MAX], to[PATH_MAX];
                if (path_printf(from, sizeof from, "%s/%s", parent, files[i]) < 0)
                        return -ENAMETOOLONG;
                if (path_printf(to, sizeof to, "%s/%s", dir, files[i]) < 0)
                        return -ENAMETOOLONG;
                if (access(to, F_OK) < 0)
                        return 0; /* not a cpuset hierarchy */
                _cleanup_(freep) char *value = NULL;
                int r = ts_read_one_line_file(from, &value);
                if (r >= 0)
                        r = ts_write_string_file(to, value);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Moves every process of from into to, again while forks add more (bounded). -ENOTEMPTY when some
 * stay. */
static int move_processes(const char *from, const char *to) {
        char path[PATH_MAX];
        if (path_printf(path, sizeof path, "%s/cgroup.procs", to) < 0)
                return -ENAMETOOLONG;
        for (int round = 0; round < 16; round++) {
                pid_t pids[512];
                size_t n = 0;
                int r = pids_in_dir(from, pids, ELEMENTSOF(pids), &n);
                if (r < 0 || n == 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        char pid[16];
                        snprintf(pid, sizeof pid, "%d", (int)pids[i]);
                        r = ts_write_string_file(path, pid);
                        if (r < 0 && r != -ESRCH) /* one that exited meanwhile */
                                return r;
                }
        }
        return -ENOTEMPTY;
}

/* Whether the space-separated list holds word. */
static bool word_in(const char *list, const char *word) {
        size_t n = strlen(word);
        for (const char *p = list; (p = strstr(p, word)); p += n)
                if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
                        return true;
        return false;
}

/* Enables in parent's cgroup.subtree_control each controller of its cgroup.controllers that is not
 * enabled yet, and records it in c->enabled; pids is required, the others are what the systemd
 * inside may use. -EBUSY when parent has processes. */
static int enable_controllers(TsSandboxCgroups *c) {
        char path[PATH_MAX], control[PATH_MAX];
        if (path_printf(path, sizeof path, "%s/cgroup.controllers", c->parent) < 0 ||
            path_printf(control, sizeof control, "%s/cgroup.subtree_control", c->parent) < 0)
                return -ENAMETOOLONG;
        _cleanup_(freep) char *available = NULL, *already = NULL;
        int r = ts_read_one_line_file(path, &available);
        if (r >= 0)
                r = ts_read_one_line_file(control, &already);
        if (r < 0)
                return r;
        if (!word_in(available, "pids"))
                return -ENOMEDIUM;
        char *save = NULL;
        for (char *w = strtok_r(available, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                if (word_in(already, w) || word_in(c->enabled, w))
                        continue;
                char plus[64];
                snprintf(plus, sizeof plus, "+%s", w);
                r = ts_write_string_file(control, plus);
                if (r == -EBUSY || (r < 0 && streq(w, "pids")))
                        return r; /* EBUSY: processes came back into parent */
                size_t len = strlen(c->enabled);
                if (r >= 0 && len + strlen(w) + 2 <= sizeof c->enabled)
                        snprintf(c->enabled + len, sizeof c->enabled - len, "%s%s", len ? " " : "", w);
        }
        return 0;
}

/* cgroup v2 hands a controller to a child only from a cgroup without processes (the kernel's
 * no-internal-process rule; the root is exempt), and the sandbox's root needs pids for the guard
 * and the controllers the systemd inside enables. Where the caller's cgroup has processes (the
 * caller's, and its shell's), they move first to a leaf beside the sandbox, taskstorm-caller-<owner>,
 * as docker:dind's entrypoint moves a container's; ts_sandbox_cgroups_release() moves them back.
 * First, not on EBUSY: the kernel lets a cgroup with processes enable the threaded controllers
 * (pids among them), which makes it a thread root, and a domain child of it then refuses every
 * process with EOPNOTSUPP (seen in sid's VM: "+memory" EBUSY, "+pids" accepted). */
static int hand_down_controllers(TsSandboxCgroups *c, const char *parent, pid_t owner) {
        c->parent = strdup(parent);
        if (!c->parent)
                return -ENOMEM;
        char path[PATH_MAX];
        if (path_printf(path, sizeof path, "%s/cgroup.type", parent) < 0)
                return -ENAMETOOLONG;
        bool is_root = access(path, F_OK) < 0; /* the real root has no cgroup.type */
        pid_t first[1];
        size_t n = 0;
        int r = pids_in_dir(parent, first, ELEMENTSOF(first), &n);
        if (r < 0)
                return r;
        if (n > 0 && !is_root) {
                if (snprintf(path, sizeof path, "%s/%s%d", parent, TS_SANDBOX_CALLER_PREFIX, (int)owner) >=
                    (int)sizeof path)
                        return -ENAMETOOLONG;
                if (mkdir(path, 0755) < 0)
                        return negative_errno();
                c->caller = strdup(path);
                if (!c->caller)
                        return -ENOMEM;
                r = move_processes(parent, path);
                if (r < 0)
                        return r;
        }
        r = enable_controllers(c);
        return r == -EBUSY ? -ENOTEMPTY : r;
}

void ts_sandbox_cgroups_release(TsSandboxCgroups *c) {
        if (!c || !c->parent)
                return;
        char control[PATH_MAX];
        char enabled[sizeof c->enabled], *save = NULL;
        memcpy(enabled, c->enabled, sizeof enabled);
        if (path_printf(control, sizeof control, "%s/cgroup.subtree_control", c->parent) >= 0)
                for (char *w = strtok_r(enabled, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                        char minus[64];
                        snprintf(minus, sizeof minus, "-%s", w);
                        (void)ts_write_string_file(control, minus);
                }
        if (c->caller && move_processes(c->caller, c->parent) >= 0)
                (void)rmdir(c->caller);
}

static const char *mount_basename(const TsCgroupHierarchy *h) {
        const char *slash = strrchr(h->mount_point, '/');
        return slash ? slash + 1 : h->mount_point;
}

int ts_sandbox_cgroups_create(pid_t owner, bool pids_read_only, TsSandboxCgroups **ret) {
        _cleanup_(ts_cgroup_layout_done) TsCgroupLayout layout = { .mode = _TS_CGROUP_MODE_INVALID };
        int r = ts_cgroup_layout_load(&layout);
        if (r < 0)
                return r;
        _cleanup_(freep) char *self = NULL;
        r = ts_read_full_file("/proc/self/cgroup", 1 << 20, &self, NULL);
        if (r < 0)
                return r;

        TsSandboxCgroups *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->unified = layout.mode == TS_CGROUP_UNIFIED;
        c->read_only = c->pids = SIZE_MAX;
        c->dirs = calloc(layout.n_hierarchies, sizeof(char *));
        c->names = calloc(layout.n_hierarchies, sizeof(char *));
        if (!c->dirs || !c->names) {
                ts_sandbox_cgroups_free(c);
                return -ENOMEM;
        }

        for (size_t i = 0; i < layout.n_hierarchies; i++) {
                const TsCgroupHierarchy *h = &layout.hierarchies[i];
                if (h->read_only)
                        continue; /* nothing can be created there; the sandbox goes without it */
                _cleanup_(freep) char *own = NULL;
                if (ts_cgroup_path_of(self, h, &own) < 0)
                        continue;
                /* A mount of a sub-tree (inside a container) shows paths relative to its root. */
                const char *rel = own;
                size_t rootlen = strlen(h->root);
                if (!streq(h->root, "/") && strneq(own, h->root, rootlen))
                        rel = own + rootlen;

                char parent[PATH_MAX], dir[PATH_MAX];
                if (path_printf(parent, sizeof parent, "%s%s", h->mount_point, streq(rel, "/") ? "" : rel) <
                    0) {
                        r = -ENAMETOOLONG;
                        break;
                }
                if (snprintf(dir, sizeof dir, "%s/%s%d", parent, TS_SANDBOX_CGROUP_PREFIX, (int)owner) >=
                    (int)sizeof dir) {
                        r = -ENAMETOOLONG;
                        break;
                }
                remove_stale_siblings(parent);
                if (c->unified) {
                        r = hand_down_controllers(c, parent, owner);
                        if (r < 0)
                                break;
                }
                if (mkdir(dir, 0755) < 0) {
                        r = negative_errno();
                        break;
                }
                if (!h->unified)
                        r = inherit_cpuset(parent, dir);
                if (h == ts_cgroup_layout_find_pids(&layout))
                        c->pids = c->n;
                if (pids_read_only && !c->unified && c->pids == c->n)
                        c->read_only = c->n;
                c->dirs[c->n] = strdup(dir);
                c->names[c->n] = strdup(mount_basename(h));
                if (r < 0 || !c->dirs[c->n] || !c->names[c->n]) {
                        free(c->dirs[c->n]);
                        free(c->names[c->n]);
                        (void)rmdir(dir);
                        r = r < 0 ? r : -ENOMEM;
                        break;
                }
                c->n++;
        }
        if (r >= 0 && c->n == 0)
                r = -ENOMEDIUM;
        if (r < 0) {
                (void)ts_sandbox_cgroups_remove(c);
                ts_sandbox_cgroups_release(c);
                ts_sandbox_cgroups_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

/* On cgroup v2 a child has pids.max only when its parent hands the controller down. */
static int enable_pids_controller(const char *dir) {
        char path[PATH_MAX];
        const char *slash = strrchr(dir, '/');
        if (!slash ||
            path_printf(path, sizeof path, "%.*s/cgroup.subtree_control", (int)(slash - dir), dir) < 0)
                return -ENAMETOOLONG;
        return ts_write_string_file(path, "+pids");
}

int ts_sandbox_cgroups_guard(const TsSandboxCgroups *c, uint64_t max) {
        if (c->pids == SIZE_MAX)
                return -ENOMEDIUM;
        char path[PATH_MAX], value[32];
        if (path_printf(path, sizeof path, "%s/pids.max", c->dirs[c->pids]) < 0)
                return -ENAMETOOLONG;
        if (c->unified && access(path, F_OK) < 0) {
                int r = enable_pids_controller(c->dirs[c->pids]);
                if (r < 0)
                        return r;
        }
        snprintf(value, sizeof value, "%" PRIu64, max);
        return ts_write_string_file(path, value);
}

int ts_sandbox_cgroups_join(const TsSandboxCgroups *c, bool command) {
        for (size_t i = 0; i < c->n; i++) {
                char dir[PATH_MAX], path[PATH_MAX];
                /* On v2 the root's systemd hands controllers down from it, so no process may
                 * stay there (EBUSY): a command waits in a leaf of its own, /taskstorm-command
                 * inside, as a v1 command stays in the root. */
                bool leaf = command && c->unified;
                const char *sub = leaf ? "/" TS_SANDBOX_COMMAND_CGROUP : "";
                if (path_printf(dir, sizeof dir, "%s%s", c->dirs[i], sub) < 0 ||
                    path_printf(path, sizeof path, "%s/cgroup.procs", dir) < 0)
                        return -ENAMETOOLONG;
                if (leaf && mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                int r = ts_write_string_file(path, "0");
                if (r < 0)
                        return r;
        }
        return 0;
}

int ts_sandbox_cgroups_bind(const TsSandboxCgroups *c, const char *root) {
        char target[PATH_MAX];
        if (path_printf(target, sizeof target, "%s/sys/fs/cgroup", root) < 0)
                return -ENAMETOOLONG;

        if (c->unified)
                return mount(c->dirs[0], target, NULL, MS_BIND, NULL) < 0 ? negative_errno() : 0;

        /* A fresh tmpfs, never the host's: systemd creates entries in it and remounts it read-only,
         * which on a shared superblock would change the host's /sys/fs/cgroup. */
        if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0)
                return negative_errno();
        for (size_t i = 0; i < c->n; i++) {
                char sub[PATH_MAX];
                if (path_printf(sub, sizeof sub, "%s/%s", target, c->names[i]) < 0)
                        return -ENAMETOOLONG;
                if (mkdir(sub, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                if (mount(c->dirs[i], sub, NULL, MS_BIND, NULL) < 0)
                        return negative_errno();
                /* As systemd-nspawn leaves v1 controllers: systemd inside cannot make cgroups there. */
                if (i == c->read_only && mount(NULL, sub, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
                        return negative_errno();
        }
        return 0;
}

int ts_sandbox_cgroups_remove(TsSandboxCgroups *c) {
        int left = 0;
        for (size_t i = 0; c && i < c->n; i++)
                if (c->dirs[i] && !remove_subtree(c->dirs[i]))
                        left++;
        return left;
}
