/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The storm leader: told its kind and its file descriptors on the command line, it waits for the
 * go message, loads the injection filter if it has one, creates tasks until the target or enough
 * failures, notes the first failure, holds, and leaves its stats in the memory it shares with the
 * harness. It is exec'd rather than forked from the harness: its forks then copy a static
 * program's page tables, not those of libsystemd, libxml2 and ICU. */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "storm-kind.h"
#include "storm-protocol.h"
#include "task-storm.h"
#include "time-util.h"

static const TsStormKindOps *const storm_kinds[_TS_STORM_KIND_MAX] = {
        [TS_STORM_FORK] = &ts_storm_kind_fork,
        [TS_STORM_THREAD] = &ts_storm_kind_thread,
        [TS_STORM_EXEC] = &ts_storm_kind_exec,
        [TS_STORM_MIXED] = &ts_storm_kind_mixed,
};

typedef struct LeaderArgs {
        TsStormKind kind;
        uint64_t stop_after_failures;
        uint64_t hold_usec;
        int stats_fd, go_fd, done_fd, filter_fd, notify_sock;
} LeaderArgs;

static int parse_fd(const char *s, int *ret) {
        uint64_t v;
        if (ts_safe_atou64(s, &v) < 0 || v > INT32_MAX)
                return -EINVAL;
        *ret = (int)v;
        return 0;
}

static int parse_args(int argc, char *argv[], LeaderArgs *a) {
        static const struct option options[] = {
                { "kind", required_argument, NULL, 'k' },
                { "stop-after", required_argument, NULL, 's' },
                { "hold-usec", required_argument, NULL, 'h' },
                { "stats-fd", required_argument, NULL, 'S' },
                { "go-fd", required_argument, NULL, 'g' },
                { "done-fd", required_argument, NULL, 'd' },
                { "filter-fd", required_argument, NULL, 'f' },
                { "notify-sock", required_argument, NULL, 'n' },
                {},
        };
        *a = (LeaderArgs){ .kind = _TS_STORM_KIND_INVALID,
                           .stats_fd = -1,
                           .go_fd = -1,
                           .done_fd = -1,
                           .filter_fd = -1,
                           .notify_sock = -1 };
        int c, r = 0;
        while (r >= 0 && (c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'k':
                        a->kind = ts_storm_kind_from_string(optarg);
                        break;
                case 's':
                        r = ts_safe_atou64(optarg, &a->stop_after_failures);
                        break;
                case 'h':
                        r = ts_safe_atou64(optarg, &a->hold_usec);
                        break;
                case 'S':
                        r = parse_fd(optarg, &a->stats_fd);
                        break;
                case 'g':
                        r = parse_fd(optarg, &a->go_fd);
                        break;
                case 'd':
                        r = parse_fd(optarg, &a->done_fd);
                        break;
                case 'f':
                        r = parse_fd(optarg, &a->filter_fd);
                        break;
                case 'n':
                        r = parse_fd(optarg, &a->notify_sock);
                        break;
                default:
                        r = -EINVAL;
                }
        if (r < 0 || optind != argc || a->kind < 0 || a->stop_after_failures == 0 || a->stats_fd < 0 ||
            a->go_fd < 0 || a->done_fd < 0)
                return -EINVAL;
        return 0;
}

/* The go message, read whole (it is one write of at most PIPE_BUF bytes): -EPIPE when the harness
 * closed the pipe first. ret_path is "" when the harness does not know the cgroup. */
static int read_go(int fd, uint64_t *ret_tasks, char ret_path[static TS_STORM_GO_MAX]) {
        char buf[TS_STORM_GO_MAX + 1];
        ssize_t k;
        do
                k = read(fd, buf, sizeof buf - 1);
        while (k < 0 && errno == EINTR);
        if (k <= 0)
                return -EPIPE;
        buf[k] = 0;
        char *space = strchr(buf, ' '), *nl = strchr(buf, '\n');
        if (!space || !nl || nl < space)
                return -EBADMSG;
        *space = *nl = 0;
        if (ts_safe_atou64(buf, ret_tasks) < 0)
                return -EBADMSG;
        strcpy(ret_path, streq(space + 1, "-") ? "" : space + 1);
        return 0;
}

static int64_t read_counter(int fd) {
        char buf[32];
        ssize_t k = fd < 0 ? -1 : pread(fd, buf, sizeof buf - 1, 0);
        if (k <= 0)
                return -1;
        buf[k] = 0;
        return strtoll(buf, NULL, 10);
}

static void record_failure(TsStormStats *st, int error) {
        st->failures++;
        for (size_t i = 0; i < TS_STORM_ERRNO_SLOTS; i++)
                if (st->by_errno[i].error == error || st->by_errno[i].error == 0) {
                        st->by_errno[i].error = error;
                        st->by_errno[i].count++;
                        return;
                }
}

static void finish(TsStormStats *st, int done_fd) {
        __atomic_store_n(&st->finished, 1, __ATOMIC_RELEASE);
        (void)!write(done_fd, "d", 1);
}

/* Until the target or enough failures; the first failure with the cgroup's count then. */
static void create_tasks(const LeaderArgs *a, TsStormStats *st, int current_fd) {
        TsStormLeader l = {};
        st->pids_current_at_first_failure = -1;
        st->start_ns = ts_now_ns();
        while (st->created < st->target && st->failures < a->stop_after_failures) {
                l.attempt = st->attempts++;
                int r = storm_kinds[a->kind]->create(&l);
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
}

/* Until the hold time is over, or the harness closes the go pipe. */
static void hold(const LeaderArgs *a, TsStormStats *st) {
        struct pollfd pfd = { .fd = a->go_fd, .events = POLLIN };
        nsec_t end = st->creation_end_ns + a->hold_usec * NSEC_PER_USEC;
        for (nsec_t now = ts_now_ns(); now < end; now = ts_now_ns()) {
                int ms = (int)((end - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
                int n = poll(&pfd, 1, ms);
                if (n > 0 || (n < 0 && errno != EINTR))
                        break;
        }
        st->hold_end_ns = ts_now_ns();
}

int ts_task_storm_main(int argc, char *argv[]) {
        LeaderArgs a;
        if (parse_args(argc, argv, &a) < 0) {
                fprintf(stderr, "tstask storm: bad arguments; this mode is started by taskstorm, see "
                                "harness/storm/storm-protocol.h\n");
                return 2;
        }
        TsStormStats *st = mmap(NULL, sizeof *st, PROT_READ | PROT_WRITE, MAP_SHARED, a.stats_fd, 0);
        if (st == MAP_FAILED) {
                perror("tstask storm: cannot map the stats");
                return 1;
        }
        close(a.stats_fd);

        uint64_t tasks;
        char path[TS_STORM_GO_MAX];
        if (read_go(a.go_fd, &tasks, path) < 0)
                return 1; /* the harness went away before the storm began */
        st->target = tasks;
        if (a.filter_fd >= 0) {
                int r = ts_task_load_filter(a.filter_fd, a.notify_sock);
                if (r < 0) {
                        st->setup_error = r;
                        finish(st, a.done_fd);
                        return 1;
                }
                close(a.filter_fd);
                if (a.notify_sock >= 0)
                        close(a.notify_sock);
        }

        _cleanup_(closep) int current_fd = path[0] ? open(path, O_RDONLY | O_CLOEXEC) : -EBADF;
        create_tasks(&a, st, current_fd);
        hold(&a, st);
        finish(st, a.done_fd);

        /* The tasks stay until the unit is stopped (or the harness dies). */
        for (;;)
                pause();
}
