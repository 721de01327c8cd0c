/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Gathers the machine facts of sysinfo.h. Each fact is read on its own and keeps its own error, so
 * one missing source (no systemd, no pids controller, no root) never hides the others. */
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "bus.h"
#include "fileio.h"
#include "macro.h"
#include "string-table.h"
#include "sysinfo.h"
#include "time-util.h"

#define PROBE_LIMIT 2
#define PROBE_FORKS 3
#define PROBE_TIMEOUT_MSEC 10000
#define BUS_TIMEOUT_USEC (5 * USEC_PER_SEC)
#define SECCOMP_NOTIFY_API_LEVEL 6

static const char *const ts_pids_enforcement_table[_TS_PIDS_ENFORCEMENT_MAX] = {
        [TS_PIDS_ENFORCED] = "enforced",
        [TS_PIDS_NOT_ENFORCED] = "not-enforced",
        [TS_PIDS_NOT_PROBED] = "not-probed",
};

static const char *const ts_pids_reason_table[_TS_PIDS_REASON_MAX] = {
        [TS_PIDS_REASON_PROBED] = "probed",
        [TS_PIDS_REASON_READ_ONLY] = "hierarchy read-only",
        [TS_PIDS_REASON_LIMIT_IGNORED] = "limit ignored",
        [TS_PIDS_REASON_NO_CONTROLLER] = "no pids controller",
        [TS_PIDS_REASON_NEEDS_ROOT] = "needs root",
        [TS_PIDS_REASON_NO_LIMIT_FILE] = "no pids.max in a child cgroup",
        [TS_PIDS_REASON_PROBE_FAILED] = "probe failed",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(ts_pids_enforcement, TsPidsEnforcement);
DEFINE_STRING_TABLE_LOOKUP_TO_STRING(ts_pids_reason, TsPidsReason);

/* dir/name in a new string, or NULL. */
static char *path_join(const char *dir, const char *name) {
        char *p = NULL;
        return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* What the probe child tells its parent through a pipe. */
typedef struct ProbeReport {
        int setup_error; /* the child could not make its hold pipe */
        unsigned forked;
        int fork_error; /* the first failed fork, 0 if all succeeded */
} ProbeReport;

static void write_full(int fd, const void *buf, size_t n) {
        const char *p = buf;
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return;
                p += k;
                n -= (size_t)k;
        }
}

static int wait_child(pid_t pid, int *ret_status) {
        for (;;) {
                int status;
                if (waitpid(pid, &status, 0) >= 0) {
                        if (ret_status)
                                *ret_status = status;
                        return 0;
                }
                if (errno != EINTR)
                        return negative_errno();
        }
}

/* A grandchild only exists to be counted in the probe cgroup: it holds until the hold pipe closes
 * (or its parent dies). */
_noreturn_ static void probe_grandchild(int hold_fd) {
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        char c;
        while (read(hold_fd, &c, 1) < 0 && errno == EINTR)
                ;
        _exit(EXIT_SUCCESS);
}

/* Runs in the forked child: waits until its parent has put it under the probe's limit (a byte on
 * go_fd; EOF: the parent gave up), forks grandchildren until one fails, waits for all of them and
 * reports. Only async-signal-safe-enough calls, and _exit() on every path. */
_noreturn_ static void probe_child(int go_fd, int report_fd, pid_t parent) {
        ProbeReport report = {};

        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(EXIT_FAILURE);

        char go;
        ssize_t k;
        do
                k = read(go_fd, &go, 1);
        while (k < 0 && errno == EINTR);
        if (k != 1)
                _exit(EXIT_FAILURE);

        int hold[2];
        if (pipe2(hold, O_CLOEXEC) < 0) {
                report.setup_error = negative_errno();
                write_full(report_fd, &report, sizeof report);
                _exit(EXIT_FAILURE);
        }

        pid_t pids[PROBE_FORKS];
        for (unsigned i = 0; i < PROBE_FORKS; i++) {
                pid_t pid = fork();
                if (pid == 0) {
                        (void)close(report_fd);
                        (void)close(hold[1]);
                        probe_grandchild(hold[0]);
                }
                if (pid < 0) {
                        report.fork_error = negative_errno();
                        break;
                }
                pids[report.forked++] = pid;
        }

        (void)close(hold[1]); /* releases the grandchildren */
        for (unsigned i = 0; i < report.forked; i++)
                (void)wait_child(pids[i], NULL);

        write_full(report_fd, &report, sizeof report);
        _exit(EXIT_SUCCESS);
}

/* Reads the child's report, waiting at most PROBE_TIMEOUT_MSEC. */
static int read_report(int fd, ProbeReport *ret) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        for (;;) {
                int n = poll(&pfd, 1, PROBE_TIMEOUT_MSEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return -ETIMEDOUT;
                break;
        }

        ProbeReport report;
        ssize_t k;
        do
                k = read(fd, &report, sizeof report);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return negative_errno();
        if ((size_t)k != sizeof report)
                return -EPIPE; /* the child died before it could report */
        *ret = report;
        return 0;
}

/* Records a verdict in p. Returns 0, so that the probe can "return verdict(...)" in one step. */
static int probe_verdict(TsPidsProbe *p, TsPidsEnforcement e, TsPidsReason reason, const char *step,
                         int error) {
        p->enforcement = e;
        p->reason = reason;
        p->step = step;
        p->error = error;
        return 0;
}

static int probe_failed(TsPidsProbe *p, const char *step, int error) {
        return probe_verdict(p, TS_PIDS_NOT_PROBED, TS_PIDS_REASON_PROBE_FAILED, step, error);
}

static int probe_read_only(TsPidsProbe *p, const char *step, int error) {
        return probe_verdict(p, TS_PIDS_NOT_ENFORCED, TS_PIDS_REASON_READ_ONLY, step, error);
}

/* Puts the probe's child, pid, under a pids.max of PROBE_LIMIT. On error, step names what failed. */
typedef int (*ProbeAttach)(void *userdata, pid_t pid, const char **ret_step);

/* The probe proper: forks the child, has attach() put it under the limit, lets it fork and judges
 * what it reports. Always returns 0: every outcome is a verdict in p. */
static int probe_run(ProbeAttach attach, void *userdata, TsPidsProbe *p) {
        int fds[2], go[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return probe_failed(p, "pipe", negative_errno());
        _cleanup_(closep) int report_fd = fds[0];
        _cleanup_(closep) int child_fd = fds[1];
        if (pipe2(go, O_CLOEXEC) < 0)
                return probe_failed(p, "pipe", negative_errno());
        _cleanup_(closep) int go_read = go[0];
        _cleanup_(closep) int go_write = go[1];

        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0)
                return probe_failed(p, "fork", negative_errno());
        if (pid == 0) {
                (void)close(report_fd);
                (void)close(go_write);
                probe_child(go_read, child_fd, parent);
        }
        (void)close(TAKE_FD(child_fd)); /* so a child that dies unreported reads as EOF */
        (void)close(TAKE_FD(go_read));

        const char *step = NULL;
        int r = attach(userdata, pid, &step);
        if (r >= 0) {
                ssize_t k;
                do
                        k = write(go_write, "g", 1);
                while (k < 0 && errno == EINTR);
                if (k != 1) {
                        r = k < 0 ? negative_errno() : -EIO;
                        step = "go";
                }
        }
        (void)close(TAKE_FD(go_write)); /* a child left waiting reads EOF and exits */

        ProbeReport report = {};
        int rr = r >= 0 ? read_report(report_fd, &report) : 0;
        if (rr < 0)
                (void)kill(pid, SIGKILL);
        int status = 0;
        int w = wait_child(pid, &status);
        if (r == -EROFS)
                return probe_read_only(p, step, r);
        if (r < 0)
                return probe_failed(p, step, r);
        if (rr < 0)
                return probe_failed(p, "report", rr);
        if (w < 0)
                return probe_failed(p, "waitpid", w);

        p->forked = report.forked;
        if (report.setup_error < 0)
                return probe_failed(p, "pipe", report.setup_error);

        /* The child itself is one task under the limit. */
        unsigned tasks = 1 + report.forked;
        if (tasks > PROBE_LIMIT)
                return probe_verdict(p, TS_PIDS_NOT_ENFORCED, TS_PIDS_REASON_LIMIT_IGNORED, "fork",
                                     report.fork_error);
        if (report.fork_error == -EAGAIN)
                return probe_verdict(p, TS_PIDS_ENFORCED, TS_PIDS_REASON_PROBED, "fork", report.fork_error);
        return probe_failed(p, "fork", report.fork_error < 0 ? report.fork_error : -EIO);
}

/* The probe in a child cgroup dir of our own: pids.max is written there, the child moved in. */
static int attach_to_dir(void *userdata, pid_t pid, const char **ret_step) {
        const char *dir = userdata;
        _cleanup_(freep) char *procs_path = path_join(dir, "cgroup.procs");
        char number[32];

        *ret_step = "cgroup.procs";
        if (!procs_path)
                return -ENOMEM;
        (void)snprintf(number, sizeof number, "%d", (int)pid);
        return ts_write_string_file(procs_path, number);
}

static int probe_in_dir(const char *dir, TsPidsProbe *p) {
        _cleanup_(freep) char *max_path = path_join(dir, "pids.max");
        char limit[32];

        if (!max_path)
                return probe_failed(p, "path", -ENOMEM);
        (void)snprintf(limit, sizeof limit, "%d", PROBE_LIMIT);
        int r = ts_write_string_file(max_path, limit);
        if (r == -ENOENT)
                return probe_verdict(p, TS_PIDS_NOT_PROBED, TS_PIDS_REASON_NO_LIMIT_FILE, "pids.max", r);
        if (r == -EROFS)
                return probe_read_only(p, "pids.max", r);
        if (r < 0)
                return probe_failed(p, "pids.max", r);
        p->where = "a child cgroup";
        return probe_run(attach_to_dir, (void *)dir, p);
}

/* Kills whatever is left in the probe cgroup (only the probe's own processes can be there). */
static void probe_kill_leftovers(const char *dir) {
        _cleanup_(freep) char *path = path_join(dir, "cgroup.procs");
        _cleanup_(freep) char *procs = NULL;

        if (!path || ts_read_full_file(path, 1 << 16, &procs, NULL) < 0)
                return;
        for (char *line = strtok(procs, "\n"); line; line = strtok(NULL, "\n")) {
                uint64_t pid;
                if (ts_safe_atou64(line, &pid) >= 0 && pid > 1 && pid <= INT_MAX)
                        (void)kill((pid_t)pid, SIGKILL);
        }
}

/* rmdir with bounded exponential back-off: a cgroup is busy until its last task is gone. */
static int probe_remove(const char *dir) {
        usec_t delay = USEC_PER_MSEC;
        for (unsigned attempt = 0;; attempt++) {
                if (rmdir(dir) >= 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || attempt >= 10)
                        return negative_errno();
                probe_kill_leftovers(dir);
                ts_sleep_backoff(&delay, 256 * USEC_PER_MSEC);
        }
}

/* A directory of that name was left by an earlier process with the same PID that died mid-probe:
 * its tasks died with it, so it can go. */
static int probe_mkdir(const char *dir) {
        if (mkdir(dir, 0755) >= 0)
                return 0;
        if (errno != EEXIST)
                return negative_errno();
        int r = probe_remove(dir);
        if (r < 0)
                return r;
        if (mkdir(dir, 0755) < 0)
                return negative_errno();
        return 0;
}

int ts_pids_probe(const char *parent_dir, TsPidsProbe *ret) {
        if (!parent_dir || !ret)
                return -EINVAL;

        TsPidsProbe p = {
                .limit = PROBE_LIMIT,
                .forks = PROBE_FORKS,
        };
        _cleanup_(freep) char *dir = NULL;
        const char *parent = streq(parent_dir, "/") ? "" : parent_dir;
        if (asprintf(&dir, "%s/taskstorm-probe-%d", parent, (int)getpid()) < 0) {
                dir = NULL;
                (void)probe_failed(&p, "path", -ENOMEM);
                *ret = p;
                return 0;
        }

        int r = probe_mkdir(dir);
        if (r == -EROFS)
                (void)probe_read_only(&p, "mkdir", r);
        else if (r < 0)
                (void)probe_failed(&p, "mkdir", r);
        else {
                (void)probe_in_dir(dir, &p);
                r = probe_remove(dir);
                if (r < 0) {
                        p.cleanup_error = r;
                        p.cleanup_path = TAKE_PTR(dir);
                }
        }

        *ret = p;
        return 0;
}

typedef struct PlacedAttach {
        const TsPidsPlacer *placer;
        bool placed;
} PlacedAttach;

static int attach_placed(void *userdata, pid_t pid, const char **ret_step) {
        PlacedAttach *a = userdata;
        *ret_step = a->placer->where;
        int r = a->placer->place(a->placer->userdata, pid, PROBE_LIMIT);
        a->placed = r >= 0;
        return r;
}

int ts_pids_probe_placed(const TsPidsPlacer *placer, TsPidsProbe *ret) {
        if (!placer || !placer->place || !placer->unplace || !placer->where || !ret)
                return -EINVAL;

        TsPidsProbe p = {
                .limit = PROBE_LIMIT,
                .forks = PROBE_FORKS,
                .where = placer->where,
        };
        PlacedAttach a = { .placer = placer };
        (void)probe_run(attach_placed, &a, &p);
        if (a.placed) {
                int r = placer->unplace(placer->userdata);
                if (r < 0) {
                        p.cleanup_error = r;
                        p.cleanup_path = strdup(placer->where);
                }
        }
        *ret = p;
        return 0;
}

void ts_pids_probe_done(TsPidsProbe *p) {
        if (!p)
                return;
        free(p->cleanup_path);
        p->cleanup_path = NULL;
}

/* PID 1 is systemd when sd_booted() says so and PID 1 is called that: /run/systemd/system alone can
 * be bind-mounted from a host into a container whose PID 1 is something else. */
static void gather_pid1(TsSysinfo *s) {
        s->pid1.booted = sd_booted();
        s->pid1.comm_error = ts_read_one_line_file("/proc/1/comm", &s->pid1.comm);
        /* Where /proc/1 is hidden (hidepid=), sd_booted() is all there is to go by. */
        s->pid1.is_systemd = s->pid1.booted > 0 && (!s->pid1.comm || streq(s->pid1.comm, "systemd"));
}

static void gather_systemd(TsSysinfo *s) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;

        s->systemd.default_tasks_max_error = -ENOTCONN;
        int r = ts_bus_open_systemd(&bus);
        if (r < 0) {
                s->systemd.error = r;
                return;
        }
        (void)sd_bus_set_method_call_timeout(bus, BUS_TIMEOUT_USEC);

        r = ts_manager_get_string(bus, "Version", &s->systemd.version);
        if (r < 0) {
                s->systemd.error = r;
                return;
        }
        s->systemd.reachable = true;
        s->systemd.default_tasks_max_error =
                ts_manager_get_u64(bus, "DefaultTasksMax", &s->systemd.default_tasks_max);
}

static void gather_kernel(TsSysinfo *s) {
        struct utsname u;
        if (uname(&u) < 0)
                s->kernel.release_error = negative_errno();
        else if (!(s->kernel.release = strdup(u.release)))
                s->kernel.release_error = -ENOMEM;

        s->kernel.pid_max_error = ts_read_u64_or_max_file("/proc/sys/kernel/pid_max", &s->kernel.pid_max);
        s->kernel.threads_max_error =
                ts_read_u64_or_max_file("/proc/sys/kernel/threads-max", &s->kernel.threads_max);
}

/* The directory of cgroup path inside hierarchy h: the mount shows the hierarchy from h->root on, so
 * that prefix of the path is dropped (a container's view of a host's hierarchy). */
static int cgroup_dir(const TsCgroupHierarchy *h, const char *path, char **ret) {
        const char *rel = path;
        if (h->root && !streq(h->root, "/")) {
                size_t n = strlen(h->root);
                if (strneq(path, h->root, n) && (path[n] == '/' || path[n] == 0))
                        rel = path + n;
        }
        while (*rel == '/')
                rel++;

        char *dir = NULL;
        if (asprintf(&dir, "%s%s%s", h->mount_point, *rel ? "/" : "", rel) < 0)
                return -ENOMEM;
        *ret = dir;
        return 0;
}

static int gather_pids(TsSysinfo *s, const TsPidsPlacer *placer) {
        s->pids.probe = (TsPidsProbe){ .enforcement = TS_PIDS_NOT_PROBED };

        const TsCgroupHierarchy *h = NULL;
        if (s->cgroup.error >= 0)
                h = ts_cgroup_layout_find_pids(&s->cgroup.layout);
        if (!h) {
                s->pids.own_cgroup_error = -ENOMEDIUM;
                s->pids.probe.reason = TS_PIDS_REASON_NO_CONTROLLER;
                return 0;
        }
        s->pids.present = true;
        s->pids.read_only = h->read_only;
        if (!(s->pids.mount_point = strdup(h->mount_point)))
                return -ENOMEM;

        _cleanup_(freep) char *proc_cgroup = NULL;
        int r = ts_read_full_file("/proc/self/cgroup", 1 << 20, &proc_cgroup, NULL);
        if (r >= 0)
                r = ts_cgroup_path_of(proc_cgroup, h, &s->pids.own_cgroup);
        if (r == -ENOMEM)
                return r;
        s->pids.own_cgroup_error = r < 0 ? r : 0;

        if (h->read_only) {
                s->pids.probe.enforcement = TS_PIDS_NOT_ENFORCED;
                s->pids.probe.reason = TS_PIDS_REASON_READ_ONLY;
                return 0;
        }
        if (!s->root) {
                s->pids.probe.reason = TS_PIDS_REASON_NEEDS_ROOT;
                return 0;
        }
        if (r < 0) {
                s->pids.probe.reason = TS_PIDS_REASON_PROBE_FAILED;
                s->pids.probe.step = "/proc/self/cgroup";
                s->pids.probe.error = r;
                return 0;
        }

        _cleanup_(freep) char *dir = NULL;
        r = cgroup_dir(h, s->pids.own_cgroup, &dir);
        if (r < 0)
                return r;
        r = ts_pids_probe(dir, &s->pids.probe);
        if (r < 0 || s->pids.probe.reason != TS_PIDS_REASON_NO_LIMIT_FILE || !placer)
                return r;
        ts_pids_probe_done(&s->pids.probe);
        return ts_pids_probe_placed(placer, &s->pids.probe);
}

static void gather_nproc(TsSysinfo *s) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NPROC, &rl) < 0) {
                s->nproc.error = negative_errno();
                return;
        }
        s->nproc.soft = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
        s->nproc.hard = rl.rlim_max == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_max;
}

static void gather_seccomp(TsSysinfo *s) {
        struct seccomp_notif_sizes sizes;

        s->seccomp.api_level = seccomp_api_get();
        if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
                s->seccomp.kernel_notify_error = negative_errno();
        else
                s->seccomp.kernel_notify = true;
        s->seccomp.notify_usable =
                s->seccomp.api_level >= SECCOMP_NOTIFY_API_LEVEL && s->seccomp.kernel_notify;
}

int ts_sysinfo_gather(TsSysinfo *ret) {
        return ts_sysinfo_gather_with(NULL, ret);
}

int ts_sysinfo_gather_with(const TsPidsPlacer *placer, TsSysinfo *ret) {
        _cleanup_(ts_sysinfo_done) TsSysinfo s = { .root = geteuid() == 0 };

        gather_pid1(&s);
        gather_systemd(&s);
        gather_kernel(&s);
        s.os.error = ts_os_release_load(NULL, &s.os.release);
        s.cgroup.error = ts_cgroup_layout_load(&s.cgroup.layout);
        int r = gather_pids(&s, placer);
        ANALYZER_OWNED_BY_CLEANUP(&s); /* what was gathered: ts_sysinfo_done() frees it */
        if (r < 0)
                return r;
        gather_nproc(&s);
        gather_seccomp(&s);

        if (s.pid1.comm_error == -ENOMEM || s.systemd.error == -ENOMEM ||
            s.kernel.release_error == -ENOMEM || s.os.error == -ENOMEM || s.cgroup.error == -ENOMEM)
                return -ENOMEM;

        *ret = s;
        s = (TsSysinfo){};
        return 0;
}

void ts_sysinfo_done(TsSysinfo *s) {
        if (!s)
                return;
        free(s->pid1.comm);
        free(s->systemd.version);
        free(s->kernel.release);
        ts_os_release_done(&s->os.release);
        if (s->cgroup.error >= 0)
                ts_cgroup_layout_done(&s->cgroup.layout);
        free(s->pids.mount_point);
        free(s->pids.own_cgroup);
        ts_pids_probe_done(&s->pids.probe);
        *s = (TsSysinfo){};
}
