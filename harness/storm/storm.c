/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The storm leader and its handle: the table of kinds, the leader's loop (create until the target
 * or enough failures, note the first failure, hold), and the shared stats it leaves behind. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup-layout.h"
#include "fileio.h"
#include "macro.h"
#include "process.h"
#include "storm-kind.h"

static const TsStormKindOps *const storm_kinds[_TS_STORM_KIND_MAX] = {
        [TS_STORM_FORK] = &ts_storm_kind_fork,
        [TS_STORM_THREAD] = &ts_storm_kind_thread,
        [TS_STORM_EXEC] = &ts_storm_kind_exec,
        [TS_STORM_MIXED] = &ts_storm_kind_mixed,
};

const char *ts_storm_kind_to_string(TsStormKind k) {
        if (k < 0 || k >= _TS_STORM_KIND_MAX)
                return NULL;
        return storm_kinds[k]->name;
}

TsStormKind ts_storm_kind_from_string(const char *s) {
        for (TsStormKind k = 0; s && k < _TS_STORM_KIND_MAX; k++)
                if (streq(storm_kinds[k]->name, s))
                        return k;
        return _TS_STORM_KIND_INVALID;
}

_Noreturn void ts_storm_hold(void) {
        ts_storm_child_hold();
}

struct TsStorm {
        pid_t leader;
        int pidfd;
        const TsInjectOptions *inject;
        int inject_sock; /* the leader sends its notification fd over this */
        int notify_fd;
        TsInjectPolicy policy;
        TsInjectStats inject_stats;
        int go_fd;   /* write end: one byte says go, closing it ends the hold */
        int done_fd; /* read end: readable when the leader has finished */
        TsStormStats *stats;
};

static void record_failure(TsStormStats *st, int error) {
        st->failures++;
        for (size_t i = 0; i < TS_STORM_ERRNO_SLOTS; i++)
                if (st->by_errno[i].error == error || st->by_errno[i].error == 0) {
                        st->by_errno[i].error = error;
                        st->by_errno[i].count++;
                        return;
                }
}

/* The pids.current of the cgroup this process is in, found before the storm (reading it at the
 * first failure must cost one read). */
static int open_own_pids_current(void) {
        _cleanup_(ts_cgroup_layout_done) TsCgroupLayout layout = { .mode = _TS_CGROUP_MODE_INVALID };
        if (ts_cgroup_layout_load(&layout) < 0)
                return -1;
        const TsCgroupHierarchy *h = ts_cgroup_layout_find_pids(&layout);
        _cleanup_(freep) char *self = NULL, *path = NULL;
        if (!h || ts_read_full_file("/proc/self/cgroup", 1 << 20, &self, NULL) < 0 ||
            ts_cgroup_path_of(self, h, &path) < 0)
                return -1;
        char file[4096];
        if (path_printf(file, sizeof file, "%s%s/pids.current", h->mount_point,
                        streq(path, "/") ? "" : path) < 0)
                return -1;
        return open(file, O_RDONLY | O_CLOEXEC);
}

static int64_t read_counter(int fd) {
        char buf[32];
        ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
        if (fd < 0 || k <= 0)
                return -1;
        buf[k] = 0;
        return strtoll(buf, NULL, 10);
}

_noreturn_ static void leader_main(const TsStormConfig *c, TsStormStats *st, int go_fd, int done_fd,
                                   int inject_sock) {
        char byte;
        if (read(go_fd, &byte, 1) != 1)
                _exit(EXIT_FAILURE); /* the harness went away before the storm began */
        if (c->inject) {
                int r = ts_inject_load(c->inject, inject_sock);
                if (r < 0) {
                        st->setup_error = r;
                        __atomic_store_n(&st->finished, 1, __ATOMIC_RELEASE);
                        (void)!write(done_fd, "d", 1);
                        _exit(EXIT_FAILURE);
                }
                close(inject_sock);
        }

        _cleanup_(closep) int current_fd = open_own_pids_current();
        TsStormLeader l = { .config = c };
        st->pids_current_at_first_failure = -1;
        st->start_ns = ts_now_ns();
        while (st->created < st->target && st->failures < c->stop_after_failures) {
                l.attempt = st->attempts++;
                int r = storm_kinds[c->kind]->create(&l);
                if (r >= 0) {
                        st->created++;
                        continue;
                }
                if (st->failures == 0) {
                        st->first_failure_ns = ts_now_ns();
                        st->pids_current_at_first_failure = read_counter(current_fd);
                        st->first_error = -r;
                        st->tasks_at_first_failure = st->created + 1;
                }
                record_failure(st, -r);
        }
        st->creation_end_ns = ts_now_ns();

        /* Hold: until the hold time is over, or the harness closes the go pipe. */
        struct pollfd pfd = { .fd = go_fd, .events = POLLIN };
        nsec_t end = st->creation_end_ns + c->hold * NSEC_PER_USEC;
        for (nsec_t now = ts_now_ns(); now < end; now = ts_now_ns()) {
                int ms = (int)((end - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
                int n = poll(&pfd, 1, ms);
                if (n > 0 || (n < 0 && errno != EINTR))
                        break;
        }
        st->hold_end_ns = ts_now_ns();
        __atomic_store_n(&st->finished, 1, __ATOMIC_RELEASE);
        (void)!write(done_fd, "d", 1);

        /* The tasks stay until the unit is stopped (or the harness dies). */
        for (;;)
                pause();
}

int ts_storm_spawn(const TsStormConfig *c, TsStorm **ret) {
        if (c->kind < 0 || c->kind >= _TS_STORM_KIND_MAX || c->stop_after_failures == 0 ||
            (c->kind == TS_STORM_EXEC && !c->exec_path))
                return -EINVAL;

        TsStormStats *stats =
                mmap(NULL, sizeof(TsStormStats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (stats == MAP_FAILED)
                return negative_errno();
        int go[2], done[2], sock[2] = { -EBADF, -EBADF };
        if (c->inject && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0) {
                int r = negative_errno();
                munmap(stats, sizeof *stats);
                return r;
        }
        if (pipe2(go, O_CLOEXEC) < 0) {
                int r = negative_errno();
                munmap(stats, sizeof *stats);
                return r;
        }
        if (pipe2(done, O_CLOEXEC) < 0) {
                int r = negative_errno();
                close(go[0]);
                close(go[1]);
                munmap(stats, sizeof *stats);
                return r;
        }

        pid_t pid = fork();
        if (pid == 0) {
                close(go[1]);
                close(done[0]);
                ts_reset_signals();
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                (void)setpgid(0, 0);
                if (sock[0] >= 0)
                        close(sock[0]);
                leader_main(c, stats, go[0], done[1], sock[1]);
        }
        int r = pid < 0 ? negative_errno() : 0;
        close(go[0]);
        close(done[1]);
        if (sock[1] >= 0)
                close(sock[1]);
        TsStorm *s = r < 0 ? NULL : calloc(1, sizeof *s);
        if (!s) {
                r = r < 0 ? r : -ENOMEM;
                if (pid > 0) {
                        (void)kill(pid, SIGKILL);
                        (void)waitpid(pid, NULL, 0);
                }
                close(go[1]);
                close(done[0]);
                if (sock[0] >= 0)
                        close(sock[0]);
                munmap(stats, sizeof *stats);
                return r;
        }
        (void)setpgid(pid, pid);
        *s = (TsStorm){ .leader = pid,
                        .go_fd = go[1],
                        .done_fd = done[0],
                        .stats = stats,
                        .inject = c->inject,
                        .inject_sock = sock[0],
                        .notify_fd = -EBADF };
        if (c->inject)
                s->policy = c->inject->policy;
        s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (s->pidfd < 0) {
                r = negative_errno();
                ts_storm_free(s);
                return r;
        }
        *ret = s;
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

int ts_storm_go(TsStorm *s, uint64_t tasks) {
        s->stats->target = tasks; /* before the byte: the pipe orders the two */
        if (write(s->go_fd, "g", 1) != 1)
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
        munmap(s->stats, sizeof *s->stats);
        free(s);
}
