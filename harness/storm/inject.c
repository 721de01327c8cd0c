/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The injection policy (which matching call fails) and the supervisor: the command is forked with
 * the filter loaded (no_new_privs: no root needed), hands its notification fd to the supervisor
 * over a socket pair, and execs; the supervisor answers each clone/fork/vfork, letting it go on
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE) or failing it with the errno, until the last process under the
 * filter is gone. */
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "fd-pass.h"
#include "inject.h"
#include "macro.h"
#include "process.h"
#include "string-table.h"

static const char *const ts_inject_what_table[_TS_INJECT_WHAT_MAX] = {
        [TS_INJECT_THREADS] = "threads",
        [TS_INJECT_PROCESSES] = "processes",
        [TS_INJECT_ALL] = "all",
};

DEFINE_STRING_TABLE_LOOKUP(ts_inject_what, TsInjectWhat);

/* splitmix64: small, fast, and the same sequence for the same seed on every machine. */
static uint64_t next_random(uint64_t *state) {
        uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
        z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
        return z ^ (z >> 31);
}

/* Each policy twice: the decider answers for the next call, the planner says before the first one
 * whether every answer will be the same (then no call needs the supervisor). */
static bool decide_nth(TsInjectPolicy *p) {
        return p->seen == p->n;
}
static TsInjectPlan plan_nth(const TsInjectPolicy *p) {
        return p->n == 0 ? TS_INJECT_PLAN_PASS_ALL : TS_INJECT_PLAN_SUPERVISE; /* the count starts at 1 */
}
static bool decide_after(TsInjectPolicy *p) {
        return p->seen > p->n;
}
static TsInjectPlan plan_after(const TsInjectPolicy *p) {
        return p->n == 0 ? TS_INJECT_PLAN_FAIL_ALL : TS_INJECT_PLAN_SUPERVISE;
}
static bool decide_every(TsInjectPolicy *p) {
        return p->n > 0 && p->seen % p->n == 0;
}
static TsInjectPlan plan_every(const TsInjectPolicy *p) {
        return p->n == 0   ? TS_INJECT_PLAN_PASS_ALL
               : p->n == 1 ? TS_INJECT_PLAN_FAIL_ALL
                           : TS_INJECT_PLAN_SUPERVISE;
}
static bool decide_probability(TsInjectPolicy *p) {
        return (double)(next_random(&p->rng) >> 11) * 0x1.0p-53 < p->probability;
}
/* The draw is in [0, 1): below 1 always, below 0 never. */
static TsInjectPlan plan_probability(const TsInjectPolicy *p) {
        return !(p->probability > 0) ? TS_INJECT_PLAN_PASS_ALL
               : p->probability >= 1 ? TS_INJECT_PLAN_FAIL_ALL
                                     : TS_INJECT_PLAN_SUPERVISE;
}
static bool decide_always(TsInjectPolicy *p) {
        return true;
}
static TsInjectPlan plan_always(const TsInjectPolicy *p) {
        return TS_INJECT_PLAN_FAIL_ALL;
}

static const struct {
        bool (*decide)(TsInjectPolicy *p);
        TsInjectPlan (*plan)(const TsInjectPolicy *p);
} policies[_TS_INJECT_WHEN_MAX] = {
        [TS_INJECT_NTH] = { decide_nth, plan_nth },
        [TS_INJECT_AFTER] = { decide_after, plan_after },
        [TS_INJECT_EVERY] = { decide_every, plan_every },
        [TS_INJECT_PROBABILITY] = { decide_probability, plan_probability },
        [TS_INJECT_ALWAYS] = { decide_always, plan_always },
};

void ts_inject_policy_init(TsInjectPolicy *p, TsInjectWhen when, uint64_t n, double probability,
                           uint64_t seed) {
        *p = (TsInjectPolicy){ .when = when, .n = n, .probability = probability, .rng = seed };
}

bool ts_inject_decide(TsInjectPolicy *p) {
        p->seen++;
        return p->when >= 0 && p->when < _TS_INJECT_WHEN_MAX && policies[p->when].decide(p);
}

TsInjectPlan ts_inject_plan(const TsInjectPolicy *p) {
        if (p->when < 0 || p->when >= _TS_INJECT_WHEN_MAX)
                return _TS_INJECT_PLAN_INVALID;
        return policies[p->when].plan(p);
}

int ts_inject_notify_supported(void) {
        struct seccomp_notif_sizes sizes;
        return seccomp_api_get() >= 5 && syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0;
}

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

/* The filter: clone3 refused with ENOSYS (its flags sit behind a pointer), and the matching task
 * creations sent to the supervisor, failed on the spot, or (SCMP_ACT_ALLOW) let be. */
static int build_filter(const TsInjectOptions *o, uint32_t action, scmp_filter_ctx *ret) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        if (r >= 0 && action == SCMP_ACT_ALLOW) { /* nothing can fail: no rule for clone, fork, vfork */
                *ret = TAKE_PTR(ctx);
                return 0;
        }
        if (r >= 0 && o->what == TS_INJECT_THREADS)
                r = seccomp_rule_add(ctx, action, SCMP_SYS(clone), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
        else if (r >= 0 && o->what == TS_INJECT_PROCESSES)
                r = seccomp_rule_add(ctx, action, SCMP_SYS(clone), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
        else if (r >= 0)
                r = seccomp_rule_add(ctx, action, SCMP_SYS(clone), 0);
        if (r >= 0 && o->what != TS_INJECT_THREADS)
                r = seccomp_rule_add(ctx, action, SCMP_SYS(fork), 0);
        if (r >= 0 && o->what != TS_INJECT_THREADS)
                r = seccomp_rule_add(ctx, action, SCMP_SYS(vfork), 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ctx);
        return 0;
}

/* The filter the policy's plan calls for; *ret_notify: whether it needs a supervisor. */
static int build_planned_filter(const TsInjectOptions *o, scmp_filter_ctx *ret, bool *ret_notify) {
        TsInjectPlan plan = ts_inject_plan(&o->policy);
        if (plan < 0)
                return plan;
        bool notify = plan == TS_INJECT_PLAN_SUPERVISE;
        uint32_t action = notify                            ? SCMP_ACT_NOTIFY
                          : plan == TS_INJECT_PLAN_FAIL_ALL ? SCMP_ACT_ERRNO((uint32_t)o->error)
                                                            : SCMP_ACT_ALLOW;
        int r = build_filter(o, action, ret);
        if (r >= 0)
                *ret_notify = notify;
        return r;
}

int ts_inject_load(const TsInjectOptions *o, int sock) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        bool notify = false;
        int r = build_planned_filter(o, &ctx, &notify);
        if (r >= 0)
                r = seccomp_load(ctx);
        if (r >= 0 && notify) {
                /* Not SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6): waking the supervisor on the
                 * caller's CPU shortens a round trip alone (a getppid loop: 26 -> 15 us here), but
                 * on a loop creating threads each creation cost twice as much on a quiet two-CPU
                 * machine (2.21 against 1.10 times bare): the two processes then take turns on one
                 * CPU, switching address spaces, instead of each keeping its own. */
                int fd = seccomp_notify_fd(ctx);
                r = fd < 0 ? fd : ts_send_fd(sock, fd);
                if (fd >= 0)
                        close(fd);
        }
        return r;
}

int ts_inject_export(const TsInjectOptions *o, int fd) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        bool notify;
        int r = build_planned_filter(o, &ctx, &notify);
        return r < 0 ? r : seccomp_export_bpf(ctx, fd);
}

/* In the child: load the filter, hand the notification fd over, exec. */
_noreturn_ static void run_child(const TsInjectOptions *o, int sock, int error_fd, char *const argv[]) {
        (void)setpgid(0, 0);
        int r = ts_inject_load(o, sock);
        if (r < 0)
                ts_child_report(error_fd, r, 126);
        close(sock);
        execvp(argv[0], argv);
        ts_child_report(error_fd, negative_errno(), 127);
}

static void answer(int fd, struct seccomp_notif *req, struct seccomp_notif_resp *resp,
                   const TsInjectOptions *o, TsInjectPolicy *policy, TsInjectStats *st) {
        bool thread = req->data.nr == SCMP_SYS(clone) && (req->data.args[0] & CLONE_THREAD);
        bool fail = ts_inject_decide(policy);
        if (thread) {
                st->threads_seen++;
                st->threads_failed += fail;
        } else {
                st->processes_seen++;
                st->processes_failed += fail;
        }
        *resp = (struct seccomp_notif_resp){ .id = req->id };
        if (fail)
                resp->error = -o->error;
        else
                resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        (void)seccomp_notify_respond(fd, resp); /* ENOENT: the caller died meanwhile */
}

int ts_inject_answer_one(int notify_fd, const TsInjectOptions *o, TsInjectPolicy *policy,
                         TsInjectStats *st) {
        struct seccomp_notif *req = NULL;
        struct seccomp_notif_resp *resp = NULL;
        if (seccomp_notify_alloc(&req, &resp) < 0)
                return -ENOMEM;
        memset(req, 0, sizeof *req);
        int r = seccomp_notify_receive(notify_fd, req);
        if (r >= 0)
                answer(notify_fd, req, resp, o, policy, st);
        seccomp_notify_free(req, resp);
        return r < 0 ? r : 0;
}

int ts_inject_receive_fd(int sock) {
        return ts_receive_fd(sock);
}

/* A blocking SECCOMP_IOCTL_NOTIF_RECV returns (ENOENT) once no process is left under the filter
 * since Linux 6.11; before, only poll() says so (POLLHUP), and the receive would wait for ever. */
static bool recv_returns_when_unused(void) {
        struct utsname u;
        unsigned major, minor;
        return uname(&u) >= 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
               (major > 6 || (major == 6 && minor >= 11));
}

static bool filter_unused(int notify_fd) {
        struct pollfd p = { .fd = notify_fd };
        return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR));
}

static int exit_status(const siginfo_t *si) {
        return si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
}

/* One supervised command: its notification fd, the policy as it counts, and room for one request
 * and its answer, allocated once. */
typedef struct Supervisor {
        int notify_fd;
        pid_t pid;
        const TsInjectOptions *options;
        TsInjectPolicy policy;
        TsInjectStats *stats;
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        int status; /* the command's, once reaped */
} Supervisor;

static void supervisor_done(Supervisor *s) {
        seccomp_notify_free(s->req, s->resp);
}

/* The command's zombie keeps the filter in use: someone must reap it while the supervisor sleeps in
 * the receive. */
static void *reap(void *userdata) {
        Supervisor *s = userdata;
        siginfo_t si = {};
        int r;
        do
                r = waitid(P_PID, (id_t)s->pid, &si, WEXITED);
        while (r < 0 && errno == EINTR);
        if (r >= 0)
                s->status = exit_status(&si);
        return NULL;
}

/* The supervisor sleeps in the receive itself: each call costs two ioctls and no poll() besides.
 * A thread reaps the command; the receive ends once nothing is left under the filter. -EAGAIN
 * (the receive never says it) when the thread cannot be made, at a task limit say: poll() then. */
static int supervise_in_recv(Supervisor *s) {
        pthread_t reaper;
        int r = -pthread_create(&reaper, NULL, reap, s);
        if (r < 0)
                return r;
        for (;;) {
                memset(s->req, 0, sizeof *s->req);
                if (ioctl(s->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, s->req) >= 0) {
                        answer(s->notify_fd, s->req, s->resp, s->options, &s->policy, s->stats);
                        continue;
                }
                /* ENOENT also when a caller was killed between the wake-up and the receive */
                if (errno == EINTR || (errno == ENOENT && !filter_unused(s->notify_fd)))
                        continue;
                if (errno != ENOENT) {
                        r = negative_errno();
                        (void)kill(s->pid, SIGKILL); /* no one would answer it: it goes, and is reaped */
                }
                break;
        }
        (void)pthread_join(reaper, NULL);
        return r;
}

/* Before Linux 6.11: poll() for the calls, the command's exit and the filter's end (POLLHUP). */
static int supervise_in_poll(Supervisor *s) {
        _cleanup_(closep) int pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
        bool child_done = pidfd < 0;
        for (;;) {
                struct pollfd fds[] = { { .fd = s->notify_fd, .events = POLLIN },
                                        { .fd = child_done ? -1 : pidfd, .events = POLLIN } };
                if (poll(fds, ELEMENTSOF(fds), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (fds[0].revents & POLLIN) {
                        memset(s->req, 0, sizeof *s->req);
                        if (seccomp_notify_receive(s->notify_fd, s->req) >= 0)
                                answer(s->notify_fd, s->req, s->resp, s->options, &s->policy, s->stats);
                        continue;
                }
                if (fds[1].revents & POLLIN) {
                        siginfo_t si = {};
                        if (waitid(P_PID, (id_t)s->pid, &si, WEXITED) >= 0)
                                s->status = exit_status(&si);
                        child_done = true;
                }
                if (fds[0].revents & (POLLHUP | POLLERR) && child_done)
                        return 0;
        }
}

/* Answers until the direct child has exited and no process is left under the filter. */
static int supervise(int notify_fd, pid_t pid, const TsInjectOptions *o, int *ret_status,
                     TsInjectStats *st) {
        _cleanup_(supervisor_done) Supervisor s = {
                .notify_fd = notify_fd, .pid = pid, .options = o, .policy = o->policy, .stats = st
        };
        if (seccomp_notify_alloc(&s.req, &s.resp) < 0)
                return -ENOMEM;
        int r = recv_returns_when_unused() ? supervise_in_recv(&s) : -EAGAIN;
        if (r == -EAGAIN)
                r = supervise_in_poll(&s);
        *ret_status = s.status;
        return r;
}

int ts_inject_run(const TsInjectOptions *o, char *const argv[], int *ret_status, TsInjectStats *ret_stats) {
        TsInjectPlan plan = ts_inject_plan(&o->policy);
        if (plan < 0)
                return plan;
        bool notify = plan == TS_INJECT_PLAN_SUPERVISE;
        if (notify && !ts_inject_notify_supported())
                return -ENOTSUP;

        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return negative_errno();
        int error_fd;
        pid_t parent = getpid();
        pid_t pid = ts_fork_reporting(&error_fd);
        if (pid < 0) {
                close(sv[0]);
                close(sv[1]);
                return pid;
        }
        if (pid == 0) {
                close(sv[0]);
                ts_reset_signals();
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent) /* the supervisor died before the death signal was set up */
                        _exit(128 + SIGKILL);
                run_child(o, sv[1], error_fd, argv);
        }
        close(sv[1]);
        _cleanup_(closep) int sock = sv[0];

        TsInjectStats st = {};
        int status = 0, r = 0;
        _cleanup_(closep) int notify_fd = notify ? ts_receive_fd(sock) : -EBADF;
        if (notify && notify_fd < 0)
                r = notify_fd;
        int child_error = ts_child_collect(error_fd);
        if (r >= 0 && child_error < 0)
                r = child_error;
        if (r < 0) {
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                return r;
        }
        if (notify)
                r = supervise(notify_fd, pid, o, &status, &st);
        else {
                siginfo_t si = {};
                r = waitid(P_PID, (id_t)pid, &si, WEXITED) < 0 ? negative_errno() : 0;
                status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
        }
        if (r < 0)
                return r;
        *ret_status = status;
        if (ret_stats)
                *ret_stats = st;
        return 0;
}
