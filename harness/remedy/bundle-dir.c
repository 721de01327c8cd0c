/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads an unpacked sosreport or supportconfig: one table per kind of bundle names the files that
 * hold what a check needs, in the order the text gets them. Nothing outside the bundle is read, no
 * FIFO is waited on, and the text stays within what the text reader takes: the logs come last and
 * share what the small files left. */
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdint.h>
#include <sys/stat.h>

#include "bundle-dir.h"
#include "macro.h"
#include "offline.h"

#define KIB(n) ((size_t)(n) << 10)
#define MIB(n) ((size_t)(n) << 20)

#define LOG_SHARE 0                           /* Spec.max of a log: a share of what the other files left */
#define FACT_BUDGET (TS_OFFLINE_MAX_TEXT / 2) /* the files before the logs, together */
#define MAX_DEPTH 8       /* directory levels a "**" descends (a pod's cgroup is 4 below a slice) */
#define MAX_MATCHES 512   /* files one pattern brings: the first in path order */
#define MAX_SCANNED 65536 /* directory entries one pattern looks at */
#define MAX_FILES 4096    /* files read or noted; and paths one pattern gathers */
#define MAX_LOGS 64
#define MAX_HOPS 16 /* symlinks followed for one path */
#define NOTE_MAX 96 /* a header's note: "(cut to its last N of M bytes)" */

/* What a bundle has twice, in another file: the first spec of a family that finds a file is read,
 * the later ones are not. */
typedef enum Family {
        FAMILY_NONE,
        FAMILY_UNAME,
        FAMILY_PACKAGES,
        FAMILY_PIDS,
        FAMILY_UNITS,
        FAMILY_SHOW,
        FAMILY_CGLS,
        FAMILY_PS,
        FAMILY_JOURNAL,
        FAMILY_SYSLOG,
        _FAMILY_MAX,
} Family;

/* Files of the bundle: a path relative to it, where a component may hold '*' (fnmatch(3), one
 * component) or be "**" (any number of directories, up to MAX_DEPTH). */
typedef struct Spec {
        const char *pattern;
        size_t max; /* bytes kept of each file, its end; LOG_SHARE for a log */
        Family family;
        const char *exclude; /* names the pattern matches that are not wanted */
} Spec;

/* clang-format 14 moves a macro body that is a braced initializer to a line of its own. */
/* clang-format off */
#define SPEC(path, bytes, ...) { .pattern = (path), .max = (bytes), __VA_ARGS__ }
/* clang-format on */

/* sos names a command's output after the command (sos/report/plugins/__init__.py _mangle_command:
 * "systemctl show *service --all" is systemctl_show_service_--all) and links a few at the top
 * (uname, installed-rpms, installed-debs); /etc/os-release is a relative link to ../usr/lib. */
static const Spec sosreport_specs[] = {
        /* What the machine is */
        SPEC("etc/os-release", KIB(64)),
        SPEC("sos_commands/kernel/uname_-a", KIB(64), .family = FAMILY_UNAME),
        SPEC("uname", KIB(64), .family = FAMILY_UNAME),
        SPEC("installed-rpms", MIB(1), .family = FAMILY_PACKAGES),
        SPEC("installed-debs", MIB(1), .family = FAMILY_PACKAGES),
        SPEC("sos_commands/rpm/package-data", MIB(1), .family = FAMILY_PACKAGES),
        SPEC("sos_commands/dpkg/dpkg_-l", MIB(1), .family = FAMILY_PACKAGES),
        /* Its limits and the settings behind them */
        SPEC("proc/sys/kernel/pid_max", KIB(4)),
        SPEC("proc/sys/kernel/threads-max", KIB(4)),
        SPEC("etc/systemd/system.conf", KIB(64)),
        SPEC("etc/systemd/system.conf.d/*.conf", KIB(64)),
        SPEC("etc/systemd/system/*.d/*.conf", KIB(64)),
        SPEC("etc/systemd/system.control/*.d/*.conf", KIB(64)),
        SPEC("run/systemd/system/*.d/*.conf", KIB(64)),
        SPEC("run/systemd/system.control/*.d/*.conf", KIB(64)),
        /* cgroup v1's pids hierarchy alone, else the unified one */
        SPEC("sys/fs/cgroup/pids/**/pids.*", KIB(4), .family = FAMILY_PIDS),
        SPEC("sys/fs/cgroup/**/pids.*", KIB(4), .family = FAMILY_PIDS),
        SPEC("sos_commands/kernel/sysctl_-a", KIB(512)),
        /* The units */
        SPEC("sos_commands/systemd/systemctl_list-units_--failed", KIB(64)),
        SPEC("sos_commands/systemd/systemctl_list-units_--all", KIB(512), .family = FAMILY_UNITS),
        SPEC("sos_commands/systemd/systemctl_list-units", KIB(512), .family = FAMILY_UNITS),
        SPEC("sos_commands/systemd/systemd-delta", KIB(128)),
        SPEC("sos_commands/systemd/systemctl_status_--all", MIB(3)),
        SPEC("sos_commands/systemd/systemctl_show_service_--all", MIB(2), .family = FAMILY_SHOW),
        SPEC("sos_commands/systemd/systemctl_show_--all", MIB(2), .family = FAMILY_SHOW),
        SPEC("sos_commands/cgroups/systemd-cgls", KIB(512), .family = FAMILY_CGLS),
        SPEC("sos_commands/systemd/systemd-cgls", KIB(512), .family = FAMILY_CGLS),
        /* The tasks */
        SPEC("sos_commands/process/ps_axo_pid_ppid_user_group_lwp_nlwp_start_time_comm_cgroup", KIB(512)),
        SPEC("sos_commands/process/ps_auxwwwm", KIB(512), .family = FAMILY_PS),
        SPEC("sos_commands/process/ps_auxwww", KIB(512), .family = FAMILY_PS),
        SPEC("sos_commands/process/ps_-elfL", KIB(512)),
        /* The logs. The full journal holds the per-boot ones (sos 3 collects only those, with
         * --catalog) and those hold the per-unit ones: one of them is read. */
        SPEC("sos_commands/kernel/dmesg", LOG_SHARE),
        SPEC("sos_commands/logs/journalctl_--no-pager", LOG_SHARE, .family = FAMILY_JOURNAL),
        SPEC("sos_commands/logs/journalctl_*--boot*", LOG_SHARE, .family = FAMILY_JOURNAL,
             .exclude = "*verbose*"),
        SPEC("sos_commands/logs/journalctl_--all_--this-boot_--no-pager", LOG_SHARE,
             .family = FAMILY_JOURNAL),
        SPEC("sos_commands/*/journalctl_--no-pager_--unit_*", LOG_SHARE, .family = FAMILY_JOURNAL),
        SPEC("var/log/messages", LOG_SHARE, .family = FAMILY_SYSLOG),
        SPEC("var/log/syslog", LOG_SHARE, .family = FAMILY_SYSLOG),
};

/* supportconfig writes one file per topic, each command's output after a "#==[ Command ]===#" line
 * (supportutils bin/supportconfig): systemd-status.txt has `systemctl status` of every service,
 * systemd.txt `systemctl show` of every unit and systemd-cgls, boot.txt uname, this boot's journal
 * and dmesg, messages.txt /var/log/messages or the journal. */
static const Spec supportconfig_specs[] = {
        SPEC("basic-environment.txt", KIB(256)),
        SPEC("basic-health-check.txt", KIB(512)),
        SPEC("rpm.txt", MIB(1)),
        SPEC("ulimits.txt", KIB(256)),
        SPEC("env.txt", MIB(1)),
        SPEC("proc.txt", MIB(1)),
        SPEC("systemd-status.txt", MIB(3)),
        SPEC("systemd.txt", MIB(2)),
        SPEC("boot.txt", LOG_SHARE),
        SPEC("docker.txt", LOG_SHARE),
        SPEC("messages.txt", LOG_SHARE),
};

/* What tells a kind of bundle: every mark is there, with its type. */
typedef struct Mark {
        const char *path;
        mode_t type;
} Mark;

typedef struct Kind {
        const char *name;
        Mark marks[2];
        const Spec *specs;
        size_t n_specs;
} Kind;

static const Kind kinds[] = {
        { "sosreport", { { "sos_commands", S_IFDIR } }, sosreport_specs, ELEMENTSOF(sosreport_specs) },
        /* the two files supportconfig never leaves out (MIN_OPTION_ENV, MIN_OPTION_HC) */
        { "supportconfig",
          { { "basic-environment.txt", S_IFREG }, { "basic-health-check.txt", S_IFREG } },
          supportconfig_specs,
          ELEMENTSOF(supportconfig_specs) },
};

/* Why a file that matched is not in the text, as its header says. Other errors: strerror(). */
static const struct {
        int error;
        const char *why;
} skip_reasons[] = {
        { EXDEV, "a symlink that leads out of the bundle" },
        { ELOOP, "a symlink loop" },
        { EMEDIUMTYPE, "not a regular file" },
        { EBADMSG, "not text" },
        { ENOBUFS, "no room left in the text" },
};

static const Kind *kind_at(int dirfd) {
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                bool all = true;
                for (size_t m = 0; all && m < ELEMENTSOF(kinds[k].marks) && kinds[k].marks[m].path; m++) {
                        struct stat st;
                        all = fstatat(dirfd, kinds[k].marks[m].path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                              (st.st_mode & S_IFMT) == kinds[k].marks[m].type;
                }
                if (all)
                        return &kinds[k];
        }
        return NULL;
}

/* ---- Paths inside the bundle ------------------------------------------------------------------- */

/* The next component of *p (slashes skipped), or false at the end. */
static bool next_component(const char **p, const char **ret, size_t *ret_len) {
        while (**p == '/')
                (*p)++;
        if (!**p)
                return false;
        *ret = *p;
        *ret_len = strcspn(*p, "/");
        *p += *ret_len;
        return true;
}

static bool more_components(const char *p) {
        return p[strspn(p, "/")] != 0;
}

/* Resolves path inside the bundle at rootfd: its symlinks are followed while they stay inside (a
 * relative target, no ".." above the top), into a path without symlinks, "." or "..". -EXDEV a
 * symlink that leads out, -ELOOP too many, -ENOENT, -ENOTDIR. ret_st: the file's lstat. */
static int resolve_in_bundle(int rootfd, const char *path, char ret[static PATH_MAX], struct stat *ret_st) {
        char todo[PATH_MAX], target[PATH_MAX], rest[PATH_MAX];
        size_t done = 0;
        unsigned hops = 0;
        struct stat st = {};

        if (strlen(path) >= sizeof todo)
                return -ENAMETOOLONG;
        strcpy(todo, path);
        ret[0] = 0;

        const char *p = todo, *c;
        size_t n;
        while (next_component(&p, &c, &n)) {
                if (n == 1 && c[0] == '.')
                        continue;
                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        if (done == 0)
                                return -EXDEV;
                        while (done > 0 && ret[done - 1] != '/')
                                done--;
                        done = done > 0 ? done - 1 : 0;
                        ret[done] = 0;
                        continue;
                }

                size_t before = done;
                if (done + (done > 0) + n >= PATH_MAX)
                        return -ENAMETOOLONG;
                if (done > 0)
                        ret[done++] = '/';
                memcpy(ret + done, c, n);
                done += n;
                ret[done] = 0;

                if (fstatat(rootfd, ret, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                if (S_ISLNK(st.st_mode)) {
                        if (++hops > MAX_HOPS)
                                return -ELOOP;
                        ssize_t k = readlinkat(rootfd, ret, target, sizeof target);
                        if (k < 0)
                                return negative_errno();
                        if ((size_t)k >= sizeof target)
                                return -ENAMETOOLONG;
                        target[k] = 0;
                        if (target[0] == '/')
                                return -EXDEV;
                        /* the target takes the link's place, relative to the link's directory */
                        done = before;
                        ret[done] = 0;
                        int r = path_printf(rest, sizeof rest, "%s/%s", target, p);
                        if (r < 0)
                                return r;
                        strcpy(todo, rest);
                        p = todo;
                        continue;
                }
                if (more_components(p) && !S_ISDIR(st.st_mode))
                        return -ENOTDIR;
        }
        if (done == 0)
                return -EMEDIUMTYPE; /* the bundle itself */
        /* what the path ends in: after "..", the last component looked at was another */
        if (fstatat(rootfd, ret, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (S_ISLNK(st.st_mode))
                return -ELOOP; /* one put there since */
        *ret_st = st;
        return 0;
}

/* Opens a resolved path one component at a time, none of them a symlink (O_NOFOLLOW: a link put
 * there since is refused, not followed). */
static int open_resolved(int rootfd, const char *resolved) {
        _cleanup_(closep) int dirfd = -EBADF;
        const char *p = resolved, *c;
        size_t n;
        char name[NAME_MAX + 1];

        while (next_component(&p, &c, &n)) {
                if (n > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(name, c, n);
                name[n] = 0;
                int at = dirfd >= 0 ? dirfd : rootfd;
                if (more_components(p)) {
                        int fd = openat(at, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd < 0)
                                return negative_errno();
                        safe_close(dirfd);
                        dirfd = fd;
                        continue;
                }
                /* O_NONBLOCK: a FIFO put there since the check does not wait for a writer */
                int fd = openat(at, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return errno == ENXIO ? -EMEDIUMTYPE : negative_errno();
                return fd;
        }
        return -ENOENT;
}

/* A regular file of the bundle, opened for reading; -EMEDIUMTYPE anything else, which is never
 * opened (a FIFO would wait, a device could act). */
static int open_in_bundle(int rootfd, const char *path, struct stat *ret_st) {
        char resolved[PATH_MAX];
        struct stat st = {};
        int r = resolve_in_bundle(rootfd, path, resolved, &st);
        if (r < 0)
                return r;
        if (!S_ISREG(st.st_mode))
                return -EMEDIUMTYPE;

        _cleanup_(closep) int fd = open_resolved(rootfd, resolved);
        if (fd < 0)
                return fd;
        if (fstat(fd, ret_st) < 0)
                return negative_errno();
        if (!S_ISREG(ret_st->st_mode))
                return -EMEDIUMTYPE;
        return TAKE_FD(fd);
}

/* ---- Patterns ---------------------------------------------------------------------------------- */

typedef struct Paths {
        char **v;
        size_t n, allocated;
} Paths;

static void paths_done(Paths *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->v[i]);
        free(p->v);
        *p = (Paths){};
}

static int paths_add(Paths *p, const char *prefix, const char *name) {
        if (p->n >= MAX_FILES)
                return 0;
        if (p->n == p->allocated) {
                size_t a = p->allocated ? p->allocated * 2 : 16;
                char **v = realloc(p->v, a * sizeof *v);
                if (!v)
                        return -ENOMEM;
                p->v = v;
                p->allocated = a;
        }
        char *s;
        if (asprintf(&s, "%s%s%s", prefix, *prefix ? "/" : "", name) < 0)
                return -ENOMEM;
        p->v[p->n++] = s;
        return 0;
}

static int compare_paths(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void closedirp(DIR **d) {
        int saved = errno;
        if (*d)
                (void)closedir(*d);
        errno = saved;
}

/* A walk of one pattern's components through the bundle. */
typedef struct Walk {
        char *comps[32];
        size_t n_comps;
        const char *exclude;
        size_t scanned; /* directory entries looked at */
        Paths *out;
} Walk;

static bool has_glob(const char *s) {
        return strpbrk(s, "*?[") != NULL;
}

/* A subdirectory of dirfd that is one (not a symlink to one), opened. */
static int open_subdir(int dirfd, const char *name) {
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

static int walk(Walk *w, int dirfd, const char *prefix, size_t i, unsigned depth);

/* Goes on with component `next` in every entry of dirfd that matches glob (NULL: in every
 * subdirectory, for "**"), or adds the entry when `next` is past the last component. depth: the
 * directory levels "**" went down so far. */
static int walk_entries(Walk *w, int dirfd, const char *prefix, const char *glob, size_t next,
                        unsigned depth) {
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        _cleanup_(closedirp) DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return 0;
        }

        /* readdir's order is the file system's: the matches are sorted once the walk is done */
        for (struct dirent *de; (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (++w->scanned > MAX_SCANNED || w->out->n >= MAX_FILES)
                        return 0;
                if (glob && fnmatch(glob, de->d_name, FNM_PERIOD) != 0)
                        continue;

                if (next == w->n_comps) {
                        if (w->exclude && fnmatch(w->exclude, de->d_name, 0) == 0)
                                continue;
                        int r = paths_add(w->out, prefix, de->d_name);
                        if (r < 0)
                                return r;
                        continue;
                }

                struct stat st;
                if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
                        continue;
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                char sub[PATH_MAX];
                if (path_printf(sub, sizeof sub, "%s%s%s", prefix, *prefix ? "/" : "", de->d_name) < 0)
                        continue;
                _cleanup_(closep) int subfd = open_subdir(dirfd, de->d_name);
                if (subfd < 0)
                        continue;
                int r = walk(w, subfd, sub, next, depth);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int walk(Walk *w, int dirfd, const char *prefix, size_t i, unsigned depth) {
        if (i == w->n_comps)
                return 0;
        const char *comp = w->comps[i];

        if (streq(comp, "**")) {
                /* no directory more, or one more and "**" again */
                int r = walk(w, dirfd, prefix, i + 1, depth);
                if (r < 0 || depth >= MAX_DEPTH)
                        return r;
                return walk_entries(w, dirfd, prefix, NULL, i, depth + 1);
        }
        if (has_glob(comp))
                return walk_entries(w, dirfd, prefix, comp, i + 1, depth);

        if (i + 1 == w->n_comps) {
                struct stat st;
                if (fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return 0;
                return paths_add(w->out, prefix, comp);
        }
        char sub[PATH_MAX];
        if (path_printf(sub, sizeof sub, "%s%s%s", prefix, *prefix ? "/" : "", comp) < 0)
                return 0;
        _cleanup_(closep) int subfd = open_subdir(dirfd, comp);
        if (subfd < 0)
                return 0;
        return walk(w, subfd, sub, i + 1, depth);
}

/* The paths the pattern names in the bundle, sorted, the first MAX_MATCHES of them. A pattern
 * without a glob names its path as it is: its symlinks are resolved when it is opened. */
static int expand(int rootfd, const Spec *spec, Paths *ret) {
        if (!has_glob(spec->pattern))
                return paths_add(ret, "", spec->pattern);

        _cleanup_(freep) char *copy = strdup(spec->pattern);
        if (!copy)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(copy);
        Walk w = { .exclude = spec->exclude, .out = ret };
        for (char *save = NULL, *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (w.n_comps == ELEMENTSOF(w.comps))
                        return -EINVAL;
                w.comps[w.n_comps++] = c;
        }
        int r = walk(&w, rootfd, "", 0, 0);
        if (r < 0)
                return r;
        if (ret->n > 0)
                qsort(ret->v, ret->n, sizeof ret->v[0], compare_paths);
        while (ret->n > MAX_MATCHES)
                free(ret->v[--ret->n]);
        return 0;
}

/* ---- The text ---------------------------------------------------------------------------------- */

typedef struct Text {
        char *data;
        size_t size, allocated;
} Text;

static int text_append(Text *t, const char *s, size_t n) {
        if (t->size + n + 1 > t->allocated) {
                size_t a = t->allocated ? t->allocated : 4096;
                while (a < t->size + n + 1)
                        a *= 2;
                char *d = realloc(t->data, a);
                if (!d)
                        return -ENOMEM;
                t->data = d;
                t->allocated = a;
        }
        if (n > 0)
                memcpy(t->data + t->size, s, n);
        t->size += n;
        t->data[t->size] = 0;
        return 0;
}

/* A file of the bundle whose reading waits for the logs' turn. */
typedef struct Pending {
        char *path;
        int fd; /* -errno: noted in its header */
        uint64_t size;
        size_t order;
} Pending;

typedef struct Collector {
        int rootfd;
        Text text;
        /* clang-format 14 takes the '*' after a struct's closing brace for a multiplication. */
        /* clang-format off */
        struct FileId {
                dev_t dev;
                ino_t ino;
        } *seen;
        /* clang-format on */
        size_t n_seen, n_files;
        Pending logs[MAX_LOGS];
        size_t n_logs;
} Collector;

static void collector_done(Collector *c) {
        free(c->text.data);
        free(c->seen);
        for (size_t i = 0; i < c->n_logs; i++) {
                free(c->logs[i].path);
                safe_close(c->logs[i].fd);
        }
}

/* The room a file's header takes in the text at most: the blank line before it, its note, its
 * newline, and the newline added to a file that does not end in one. */
static size_t header_room(const char *path) {
        return strlen(path) + STRLEN("\n==>  <== ()\n") + NOTE_MAX + 1;
}

static int header(Text *t, const char *path, const char *note) {
        /* a file name is any bytes: none of them may start a line of its own in the text */
        char name[PATH_MAX];
        size_t n = strnlen(path, sizeof name - 1);
        for (size_t i = 0; i < n; i++)
                name[i] = (unsigned char)path[i] < 0x20 || path[i] == 0x7f ? '?' : path[i];
        name[n] = 0;

        char line[PATH_MAX + NOTE_MAX + 32];
        int k = snprintf(line, sizeof line, "%s==> %s <==%s%s%s\n", t->size > 0 ? "\n" : "", name,
                         note ? " (" : "", strempty(note), note ? ")" : "");
        if (k < 0 || (size_t)k >= sizeof line)
                return -ENAMETOOLONG;
        return text_append(t, line, (size_t)k);
}

static int note_skip(Text *t, const char *path, int error) {
        const char *why = NULL;
        for (size_t i = 0; i < ELEMENTSOF(skip_reasons); i++)
                if (skip_reasons[i].error == -error)
                        why = skip_reasons[i].why;
        char buf[64], note[NOTE_MAX];
        snprintf(note, sizeof note, "skipped: %s", why ? why : strerror_r(-error, buf, sizeof buf));
        return header(t, path, note);
}

/* The last `room` bytes of a file of `size` bytes at most, from the start of a line. */
static int read_end(int fd, uint64_t size, size_t room, char **ret, size_t *ret_size) {
        size_t want = size > room ? room : (size_t)size;
        uint64_t offset = size - want;
        _cleanup_(freep) char *buf = malloc(want + 1);
        if (!buf)
                return -ENOMEM;

        size_t got = 0;
        while (got < want) {
                ssize_t k = pread(fd, buf + got, want - got, (off_t)(offset + got));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                got += (size_t)k;
        }

        /* a cut keeps whole lines: the first is a piece of one, unless the cut fell after a newline */
        size_t start = 0;
        char before;
        if (offset > 0 && (pread(fd, &before, 1, (off_t)offset - 1) != 1 || before != '\n')) {
                const char *nl = memchr(buf, '\n', got);
                start = nl ? (size_t)(nl - buf) + 1 : got;
        }
        memmove(buf, buf + start, got - start);
        buf[got - start] = 0;
        *ret_size = got - start;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* Takes the NUL bytes out of a log: a machine that lost power leaves runs of them where the blocks
 * of its last lines were never written, and the lines around them are the ones that matter. */
static size_t drop_nuls(char *s, size_t *n) {
        size_t kept = 0;
        for (size_t i = 0; i < *n; i++)
                if (s[i])
                        s[kept++] = s[i];
        size_t dropped = *n - kept;
        *n = kept;
        return dropped;
}

/* Adds the file: its header, and its end within room bytes. */
static int add_file(Collector *c, const char *path, int fd, uint64_t size, size_t room, bool log) {
        if (room == 0 && size > 0)
                return note_skip(&c->text, path, -ENOBUFS);

        _cleanup_(freep) char *content = NULL;
        size_t n = 0;
        int r = read_end(fd, size, room, &content, &n);
        ANALYZER_OWNED_BY_CLEANUP(content);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return note_skip(&c->text, path, r);
        size_t nuls = log ? drop_nuls(content, &n) : 0;
        if (ts_bundle_text_check(content, n) < 0)
                return note_skip(&c->text, path, -EBADMSG);

        char note[NOTE_MAX] = "";
        int k = 0;
        if (size > room)
                k = snprintf(note, sizeof note, "cut to its last %zu of %" PRIu64 " bytes", n + nuls, size);
        if (nuls > 0 && k >= 0 && (size_t)k < sizeof note)
                snprintf(note + k, sizeof note - (size_t)k, "%s%zu NUL bytes left out", k > 0 ? ", " : "",
                         nuls);
        r = header(&c->text, path, *note ? note : NULL);
        if (r < 0)
                return r;
        r = text_append(&c->text, content, n);
        if (r < 0 || n == 0 || content[n - 1] == '\n')
                return r;
        return text_append(&c->text, "\n", 1);
}

/* 1 when the file was taken already under another name (a top-level link of sos, a link to a
 * package list), else 0, and it is noted. */
static int seen_before(Collector *c, const struct stat *st) {
        for (size_t i = 0; i < c->n_seen; i++)
                if (c->seen[i].dev == st->st_dev && c->seen[i].ino == st->st_ino)
                        return 1;
        if (!c->seen) {
                c->seen = calloc(MAX_FILES, sizeof *c->seen);
                if (!c->seen)
                        return -ENOMEM;
        }
        c->seen[c->n_seen++] = (struct FileId){ st->st_dev, st->st_ino };
        return 0;
}

/* One path a spec matched: added now, or kept for the logs' turn. Returns 1 when it is a file the
 * text gets (its family is found). */
static int take(Collector *c, const Spec *spec, const char *path) {
        struct stat st;
        _cleanup_(closep) int fd = open_in_bundle(c->rootfd, path, &st);
        if (fd == -ENOENT || fd == -ENOTDIR)
                return 0; /* not in this bundle */
        if (fd == -ENOMEM)
                return fd;
        if (++c->n_files > MAX_FILES)
                return 0;
        if (fd >= 0) {
                int r = seen_before(c, &st);
                if (r != 0)
                        return r < 0 ? r : 0;
        }

        if (spec->max == LOG_SHARE) {
                if (c->n_logs == MAX_LOGS)
                        return 0;
                char *p = strdup(path);
                if (!p)
                        return -ENOMEM;
                bool readable = fd >= 0;
                c->logs[c->n_logs] = (Pending){
                        .path = p,
                        .fd = TAKE_FD(fd), /* or the error, for its header */
                        .size = readable ? (uint64_t)st.st_size : 0,
                        .order = c->n_logs,
                };
                c->n_logs++;
                return readable;
        }

        size_t need = header_room(path);
        if (c->text.size + need > FACT_BUDGET)
                return 0; /* not even its header fits: a bundle of thousands of files */
        if (fd < 0) {
                int r = note_skip(&c->text, path, fd);
                return r < 0 ? r : 0;
        }
        size_t room = FACT_BUDGET - c->text.size - need;
        int r = add_file(c, path, fd, (uint64_t)st.st_size, room < spec->max ? room : spec->max, false);
        return r < 0 ? r : 1;
}

static int compare_logs(const void *a, const void *b) {
        const Pending *x = a, *y = b;
        if (x->size != y->size)
                return x->size < y->size ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

/* The logs, smallest first, each with an equal share of the room left: what a small one does not
 * need goes to the larger ones after it. */
static int add_logs(Collector *c) {
        if (c->n_logs == 0)
                return 0;
        qsort(c->logs, c->n_logs, sizeof c->logs[0], compare_logs);

        size_t headers = 0;
        for (size_t i = 0; i < c->n_logs; i++)
                headers += header_room(c->logs[i].path);

        for (size_t i = 0; i < c->n_logs; i++) {
                Pending *l = &c->logs[i];
                headers -= header_room(l->path);
                size_t used = c->text.size + header_room(l->path) + headers + 1; /* +1: a last newline */
                size_t left = used < TS_OFFLINE_MAX_TEXT ? TS_OFFLINE_MAX_TEXT - used : 0;
                size_t room = left / (c->n_logs - i);
                int r = l->fd < 0 ? note_skip(&c->text, l->path, l->fd)
                                  : add_file(c, l->path, l->fd, l->size, room, true);
                if (r < 0)
                        return r;
                l->fd = safe_close(l->fd);
        }
        return 0;
}

static int collect(Collector *c, const Kind *kind) {
        bool found[_FAMILY_MAX] = {};

        for (size_t s = 0; s < kind->n_specs; s++) {
                const Spec *spec = &kind->specs[s];
                if (spec->family != FAMILY_NONE && found[spec->family])
                        continue;

                _cleanup_(paths_done) Paths paths = {};
                int r = expand(c->rootfd, spec, &paths);
                ANALYZER_OWNED_BY_CLEANUP(paths.v);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < paths.n; i++) {
                        r = take(c, spec, paths.v[i]);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                found[spec->family] = true;
                }
        }
        return add_logs(c);
}

const char *ts_bundle_dir_kind(const char *dir) {
        if (!dir)
                return NULL;
        _cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return NULL;
        const Kind *kind = kind_at(fd);
        return kind ? kind->name : NULL;
}

int ts_bundle_read_dir(const char *dir, char **ret, size_t *ret_size) {
        if (!dir || !ret)
                return -EINVAL;

        /* O_DIRECTORY refuses a file, and a FIFO before it is opened */
        _cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        const Kind *kind = kind_at(fd);
        if (!kind)
                return -ENOMEDIUM;

        _cleanup_(collector_done) Collector c = { .rootfd = fd };
        int r = collect(&c, kind);
        ANALYZER_OWNED_BY_CLEANUP(c.seen);
        if (r < 0)
                return r;
        r = text_append(&c.text, "", 0); /* an empty bundle is an empty text, NUL-terminated */
        if (r < 0)
                return r;

        if (ret_size)
                *ret_size = c.text.size;
        *ret = TAKE_PTR(c.text.data);
        return 0;
}
