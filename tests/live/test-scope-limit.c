/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Live: a transient scope created through sd-bus with TasksMax=10 refuses the fork that would make
 * an 11th task with EAGAIN, and the same storm without a limit is not refused. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "../check-tap.h"
#include "bus.h"
#include "live.h"
#include "macro.h"
#include "scope.h"

#define WANTED_CHILDREN 40

typedef struct StormResult {
        int forked; /* children alive when the storm stopped */
        int error;  /* errno of the refused fork, 0 if none was refused */
} StormResult;

/* The storm process: waits until it is in the scope, then forks children that hold until it dies. */
_noreturn_ static void storm(int go_fd, int result_fd) {
        /* Check's SIGTERM handler (inherited through fork) would signal the whole process group
         * when the scope is stopped: storm processes die of the default action instead. */
        (void)signal(SIGTERM, SIG_DFL);
        char c;
        if (read(go_fd, &c, 1) != 1)
                _exit(EXIT_FAILURE);
        StormResult res = {};
        while (res.forked < WANTED_CHILDREN) {
                pid_t pid = fork();
                if (pid < 0) {
                        res.error = errno;
                        break;
                }
                if (pid == 0) {
                        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                        pause();
                        _exit(EXIT_SUCCESS);
                }
                res.forked++;
        }
        (void)!write(result_fd, &res, sizeof res);
        pause(); /* hold everything until the scope is stopped */
        _exit(EXIT_SUCCESS);
}

static StormResult run_storm_in_scope(const char *limit_text) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        ck_assert_int_ge(ts_bus_open_systemd(&bus), 0);

        TsTasksLimit limit;
        ck_assert_int_eq(ts_tasks_limit_parse(limit_text, &limit), 0);

        int go[2], result[2];
        ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(result, O_CLOEXEC), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                storm(go[0], result[1]);
        }
        close(go[0]);
        close(result[1]);

        char name[128];
        snprintf(name, sizeof name, "taskstorm-test-%d-%d.scope", (int)getpid(), (int)pid);
        int r = ts_scope_start(bus, name, pid, &limit, NULL, NULL, 30 * USEC_PER_SEC, NULL);
        StormResult res = { .forked = -1 };
        if (r >= 0) {
                ck_assert_int_eq(write(go[1], "g", 1), 1);
                ck_assert_int_eq(read(result[0], &res, sizeof res), (ssize_t)sizeof res);
                ck_assert_int_ge(ts_unit_stop(bus, name, 30 * USEC_PER_SEC), 0);
        }
        (void)kill(pid, SIGKILL);
        (void)waitpid(pid, NULL, 0);
        close(go[1]);
        close(result[0]);
        ck_assert_msg(r >= 0, "StartTransientUnit %s failed: %s", name, strerror(-r));
        return res;
}

START_TEST(test_tasks_max_10_refuses_the_11th_task) {
        StormResult res = run_storm_in_scope("10");
        /* The storm process is one task of the ten: at most nine children fit. */
        ck_assert_int_le(res.forked, 9);
        ck_assert_int_ge(res.forked, 1);
        ck_assert_int_eq(res.error, EAGAIN);
}
END_TEST

START_TEST(test_no_limit_refuses_nothing) {
        StormResult res = run_storm_in_scope("infinity");
        ck_assert_int_eq(res.forked, WANTED_CHILDREN);
        ck_assert_int_eq(res.error, 0);
}
END_TEST

int main(void) {
        live_require_systemd();
        Suite *s = suite_create("scope-limit");
        TCase *tc = tcase_create("scope");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_tasks_max_10_refuses_the_11th_task);
        tcase_add_test(tc, test_no_limit_refuses_nothing);
        suite_add_tcase(s, tc);
        return ts_test_run_suite(s);
}
