/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handle of a storm: its leader, tstask (harness/task/), exec'd with the memory it writes its
 * stats into, the pipes that start and end it, and the injection filter as a BPF program
 * (harness/storm/storm-protocol.h says what the two share). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "macro.h"
#include "process.h"
#include "storm.h"

struct TsStorm {
        pid_t leader;
        int pidfd;
        const TsInjectOptions *inject;
        int inject_sock; /* the leader sends its notification fd over this */
        int notify_fd;
        TsInjectPolicy policy;
        TsInjectStats inject_stats;
        int go_fd;   /* write end: the go message starts the storm, closing it ends the hold */
        int done_fd; /* read end: readable when the leader has finished */
        TsStormStats *stats;
};

/* The leader's ends: inherited across its exec and named on its command line; -EBADF: none. */
typedef struct LeaderFds {
        int stats, go, done, filter, sock;
} LeaderFds;

static void leader_fds_close(LeaderFds *f) {
        int *all[] = { &f->stats, &f->go, &f->done, &f->filter, &f->sock };
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                if (*all[i] >= 0)
                        close(TAKE_FD(*all[i]));
}

static void storm_freep(TsStorm **s) {
        ts_storm_free(*s);
}

/* In the forked child: the leader's fds kept across exec, then tstask in its storm mode. */
_noreturn_ static void exec_leader(const TsStormConfig *c, const LeaderFds *f, int error_fd) {
        char stop[24], hold[24], fds[5][16];
        const int values[] = { f->stats, f->go, f->done, f->filter, f->sock };
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                snprintf(fds[i], sizeof fds[i], "%d", values[i]);
                if (values[i] >= 0 && fcntl(values[i], F_SETFD, 0) < 0)
                        ts_child_report(error_fd, negative_errno(), 127);
        }
        snprintf(stop, sizeof stop, "%u", c->stop_after_failures);
        snprintf(hold, sizeof hold, "%" PRIu64, (uint64_t)c->hold);
        const char *argv[20] = { c->leader_path, "storm", "--kind",      ts_storm_kind_to_string(c->kind),
                                 "--stop-after", stop,    "--hold-usec", hold,
                                 "--stats-fd",   fds[0],  "--go-fd",     fds[1],
                                 "--done-fd",    fds[2] };
        size_t n = 14;
        if (f->filter >= 0) {
                argv[n++] = "--filter-fd";
                argv[n++] = fds[3];
        }
        if (f->sock >= 0) {
                argv[n++] = "--notify-sock";
                argv[n++] = fds[4];
        }
        execv(c->leader_path, (char *const *)argv);
        ts_child_report(error_fd, negative_errno(), 127);
}

/* The stats' shared memory, and the filter when the storm injects. */
static int make_shared(const TsStormConfig *c, TsStorm *s, LeaderFds *f) {
        f->stats = memfd_create("taskstorm-storm-stats", MFD_CLOEXEC);
        if (f->stats < 0 || ftruncate(f->stats, sizeof(TsStormStats)) < 0)
                return negative_errno();
        void *p = mmap(NULL, sizeof(TsStormStats), PROT_READ | PROT_WRITE, MAP_SHARED, f->stats, 0);
        if (p == MAP_FAILED)
                return negative_errno();
        s->stats = p;
        if (!c->inject)
                return 0;
        f->filter = memfd_create("taskstorm-storm-filter", MFD_CLOEXEC);
        if (f->filter < 0)
                return negative_errno();
        int r = ts_inject_export(c->inject, f->filter);
        if (r < 0)
                return r;
        if (ts_inject_plan(&c->inject->policy) != TS_INJECT_PLAN_SUPERVISE)
                return 0; /* a pure filter: nothing to supervise */
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return negative_errno();
        s->inject_sock = sv[0];
        f->sock = sv[1];
        return 0;
}

static int make_pipes(TsStorm *s, LeaderFds *f) {
        int go[2], done[2];
        if (pipe2(go, O_CLOEXEC) < 0)
                return negative_errno();
        s->go_fd = go[1];
        f->go = go[0];
        if (pipe2(done, O_CLOEXEC) < 0)
                return negative_errno();
        s->done_fd = done[0];
        f->done = done[1];
        return 0;
}

int ts_storm_spawn(const TsStormConfig *c, TsStorm **ret) {
        if (c->kind < 0 || c->kind >= _TS_STORM_KIND_MAX || c->stop_after_failures == 0 || !c->leader_path)
                return -EINVAL;
        _cleanup_(storm_freep) TsStorm *s = calloc(1, sizeof *s);
        ANALYZER_OWNED_BY_CLEANUP(s);
        if (!s)
                return -ENOMEM;
        *s = (TsStorm){ .pidfd = -EBADF,
                        .inject = c->inject,
                        .inject_sock = -EBADF,
                        .notify_fd = -EBADF,
                        .go_fd = -EBADF,
                        .done_fd = -EBADF };
        if (c->inject)
                s->policy = c->inject->policy;
        _cleanup_(leader_fds_close) LeaderFds f = { -EBADF, -EBADF, -EBADF, -EBADF, -EBADF };
        int r = make_shared(c, s, &f);
        if (r >= 0)
                r = make_pipes(s, &f);
        if (r < 0)
                return r;

        pid_t parent = getpid();
        int error_fd;
        pid_t pid = ts_fork_reporting(&error_fd);
        if (pid < 0)
                return pid;
        if (pid == 0) {
                ts_reset_signals();
                (void)setpgid(0, 0);
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) /* kept across the exec */
                        ts_child_report(error_fd, negative_errno(), 127);
                if (getppid() != parent) /* the harness died before the death signal was set up */
                        _exit(128 + SIGKILL);
                exec_leader(c, &f, error_fd);
        }
        s->leader = pid;
        (void)setpgid(pid, pid);
        r = ts_child_collect(error_fd);
        if (r < 0)
                return r; /* the leader could not be exec'd; freeing s reaps it */
        s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (s->pidfd < 0)
                return negative_errno();
        *ret = TAKE_PTR(s);
        return 0;
}

pid_t ts_storm_leader(const TsStorm *s) {
        return s->leader;
}

int ts_storm_pidfd(const TsStorm *s) {
        return s->pidfd;
}

int ts_storm_done_fd(const TsStorm *s) {
        return s->done_fd;
}

int ts_storm_go(TsStorm *s, uint64_t tasks, const char *pids_current) {
        char msg[TS_STORM_GO_MAX + 32];
        int n = snprintf(msg, sizeof msg, TS_STORM_GO_FORMAT, tasks, pids_current ? pids_current : "-");
        if (n < 0 || n >= TS_STORM_GO_MAX)
                n = snprintf(msg, sizeof msg, TS_STORM_GO_FORMAT, tasks, "-");
        if (write(s->go_fd, msg, (size_t)n) != n)
                return negative_errno();
        if (s->inject && ts_inject_plan(&s->inject->policy) == TS_INJECT_PLAN_SUPERVISE) {
                /* The leader loads its filter first thing: its first creation waits for us. */
                s->notify_fd = ts_inject_receive_fd(s->inject_sock);
                if (s->notify_fd < 0)
                        return s->notify_fd;
        }
        return 0;
}

int ts_storm_notify_fd(const TsStorm *s) {
        return s->notify_fd;
}

int ts_storm_answer(TsStorm *s) {
        return ts_inject_answer_one(s->notify_fd, s->inject, &s->policy, &s->inject_stats);
}

/* Ends the hold (closing the go pipe is the leader's signal). */
static void stop_holding(TsStorm *s) {
        if (s->go_fd >= 0)
                close(TAKE_FD(s->go_fd));
}

const TsStormStats *ts_storm_stats(const TsStorm *s) {
        return s->stats;
}

void ts_storm_free(TsStorm *s) {
        if (!s)
                return;
        if (s->leader > 0) {
                /* Its children lead no group of their own: they go with this one, and die with
                 * the leader anyway (PR_SET_PDEATHSIG). */
                (void)kill(-s->leader, SIGKILL);
                (void)waitpid(s->leader, NULL, 0);
        }
        if (s->pidfd >= 0)
                close(s->pidfd);
        if (s->notify_fd >= 0)
                close(s->notify_fd);
        if (s->inject_sock >= 0)
                close(s->inject_sock);
        stop_holding(s);
        if (s->done_fd >= 0)
                close(s->done_fd);
        if (s->stats)
                munmap(s->stats, sizeof *s->stats);
        free(s);
}
