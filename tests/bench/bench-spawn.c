/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark: spawn rate to the limit. Each contender runs in a transient scope with TasksMax=512
 * made through sd-bus, and one observer measures them all the same way: it polls the scope's
 * pids.current and pids.events without pause, from when a tenth of the limit is reached (start-up
 * costs are not the rate) to the first refused fork (pids.events counts it), and the rate is the
 * tasks created in between over that time. Contenders: each taskstorm storm kind (the real storm
 * code: libtaskstorm's handle and its leader, tstask), stress-ng's fork and pthread stressors, and
 * a minimal loop of each kind (minimal-spawn.c). Runs alternate (A, B, C, A, B, C, ...); each figure is the
 * median. One JSON object per line, as ci/bench reads them. Needs root and systemd (run it in the sandbox).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus.h"
#include "macro.h"
#include "pids.h"
#include "scope.h"
#include "storm.h"
#include "unit.h"

#define LIMIT 512
#define TIMEOUT_NS (20 * NSEC_PER_SEC)

typedef struct Contender {
        const char *name;
        bool taskstorm; /* the storm code itself, else argv is exec'd */
        TsStormKind kind;
        const char *argv[8];
} Contender;

static const char *arg_tstask = "build/fixtures/tstask";
static const char *arg_minimal = "build/tests/bench/minimal-spawn";
static unsigned arg_runs = 5;

static int64_t read_fd(int fd, bool events) {
        char buf[64];
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n <= 0)
                return -1;
        buf[n] = 0;
        return strtoll(events ? buf + 4 : buf, NULL, 10); /* "max N" */
}

/* Polls until the first refused fork; the rate from a tenth of the limit to it (tasks/s), or -1. */
static double observe(const char *dir) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/pids.current", dir);
        _cleanup_(closep) int cur = open(path, O_RDONLY | O_CLOEXEC);
        snprintf(path, sizeof path, "%s/pids.events", dir);
        _cleanup_(closep) int ev = open(path, O_RDONLY | O_CLOEXEC);
        if (cur < 0 || ev < 0)
                return -1;
        nsec_t start = ts_now_ns(), t10 = 0;
        int64_t n10 = 0;
        for (;;) {
                int64_t n = read_fd(cur, false);
                nsec_t now = ts_now_ns();
                if (!t10 && n >= LIMIT / 10) {
                        t10 = now;
                        n10 = n;
                }
                if (read_fd(ev, true) > 0) {
                        n = read_fd(cur, false);
                        now = ts_now_ns();
                        return t10 && now > t10 ? (double)(n - n10) * 1e9 / (double)(now - t10) : -1;
                }
                if (now - start > TIMEOUT_NS)
                        return -1;
        }
}

static int scope_dir(sd_bus *bus, const char *unit, char **ret) {
        _cleanup_(freep) char *cg = NULL;
        int r = ts_unit_get_control_group(bus, unit, &cg);
        return r < 0 ? r : ts_pids_cgroup_dir(cg, ret);
}

static double run_one(sd_bus *bus, const Contender *c, unsigned n) {
        static const TsTasksLimit limit = { .kind = TS_TASKS_LIMIT_NUMBER, .value = LIMIT };
        char unit[64];
        snprintf(unit, sizeof unit, "taskstorm-bench-%d-%u.scope", (int)getpid(), n);
        _cleanup_(freep) char *dir = NULL;
        double rate = -1;

        if (c->taskstorm) {
                TsStormConfig config = { .kind = c->kind,
                                         .stop_after_failures = 1,
                                         .hold = 5 * USEC_PER_SEC,
                                         .leader_path = arg_tstask };
                TsStorm *storm = NULL;
                if (ts_storm_spawn(&config, &storm) < 0)
                        return -1;
                if (ts_scope_start(bus, unit, ts_storm_leader(storm), &limit, NULL, NULL, 30 * USEC_PER_SEC,
                                   NULL) >= 0 &&
                    scope_dir(bus, unit, &dir) >= 0 && ts_storm_go(storm, 2 * LIMIT, NULL) >= 0)
                        rate = observe(dir);
                (void)ts_unit_stop(bus, unit, 30 * USEC_PER_SEC);
                ts_storm_free(storm);
                return rate;
        }

        int go[2];
        if (pipe2(go, O_CLOEXEC) < 0)
                return -1;
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                char b;
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                close(go[1]);
                if (read(go[0], &b, 1) != 1)
                        _exit(1);
                execvp(c->argv[0], (char *const *)c->argv);
                _exit(127);
        }
        close(go[0]);
        if (ts_scope_start(bus, unit, pid, &limit, NULL, NULL, 30 * USEC_PER_SEC, NULL) >= 0 &&
            scope_dir(bus, unit, &dir) >= 0 && write(go[1], "g", 1) == 1)
                rate = observe(dir);
        close(go[1]);
        (void)ts_unit_stop(bus, unit, 30 * USEC_PER_SEC);
        (void)kill(pid, SIGKILL);
        (void)waitpid(pid, NULL, 0);
        return rate;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n) {
        qsort(v, n, sizeof *v, cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void print_row(const char *name, double value, const char *baseline_name, double baseline,
                      const char *goal, int met) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_object_add(o, "value", json_object_new_double(value));
        json_object_object_add(o, "unit", json_object_new_string("tasks/s"));
        json_object_object_add(o, "baseline_name", json_object_new_string(baseline_name));
        json_object_object_add(o, "baseline", json_object_new_double(baseline));
        json_object_object_add(o, "ratio", json_object_new_double(baseline > 0 ? value / baseline : 0));
        json_object_object_add(o, "goal", goal ? json_object_new_string(goal) : NULL);
        json_object_object_add(o, "met", met < 0 ? NULL : json_object_new_boolean(met));
        json_object_object_add(o, "runs", json_object_new_int((int)arg_runs));
        printf("%s\n",
               json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        fflush(stdout);
        json_object_put(o);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "runs", required_argument, NULL, 'r' },
                { "tstask", required_argument, NULL, 't' },
                { "minimal", required_argument, NULL, 'm' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'r':
                        arg_runs = (unsigned)atoi(optarg);
                        break;
                case 't':
                        arg_tstask = optarg;
                        break;
                case 'm':
                        arg_minimal = optarg;
                        break;
                default:
                        fprintf(stderr, "usage: bench-spawn [--runs N] [--tstask PATH] [--minimal PATH]\n");
                        return 2;
                }
        if (arg_runs < 1 || arg_runs > 100) {
                fprintf(stderr, "bench-spawn: --runs must be 1 to 100\n");
                return 2;
        }
        const Contender contenders[] = {
                { "taskstorm fork", true, TS_STORM_FORK, {} },
                { "taskstorm thread", true, TS_STORM_THREAD, {} },
                { "taskstorm exec", true, TS_STORM_EXEC, {} },
                { "taskstorm mixed", true, TS_STORM_MIXED, {} },
                { "stress-ng --fork",
                  false,
                  0,
                  { "stress-ng", "--fork", "1", "--fork-max", "2048", "--quiet", NULL } },
                { "stress-ng --pthread",
                  false,
                  0,
                  { "stress-ng", "--pthread", "1", "--pthread-max", "2048", "--quiet", NULL } },
                { "minimal fork", false, 0, { arg_minimal, "fork", NULL } },
                { "minimal thread", false, 0, { arg_minimal, "thread", NULL } },
                { "minimal exec", false, 0, { arg_minimal, "exec", NULL } },
                { "minimal mixed", false, 0, { arg_minimal, "mixed", NULL } },
        };
        enum {
                TS_FORK,
                TS_THREAD,
                TS_EXEC,
                TS_MIXED,
                SNG_FORK,
                SNG_PTHREAD,
                MIN_FORK,
                MIN_THREAD,
                MIN_EXEC,
                MIN_MIXED,
                N
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r = ts_bus_open_systemd(&bus);
        if (r < 0) {
                fprintf(stderr, "bench-spawn: cannot reach systemd: %s\n", strerror(-r));
                return 1;
        }
        double *rates = calloc(N * arg_runs, sizeof *rates);
        if (!rates)
                return 1;
        unsigned k = 0;
        for (unsigned i = 0; i < arg_runs; i++)
                for (unsigned j = 0; j < N; j++) {
                        rates[j * arg_runs + i] = run_one(bus, &contenders[j], k++);
                        if (rates[j * arg_runs + i] < 0) {
                                fprintf(stderr, "bench-spawn: %s: no refused fork measured\n",
                                        contenders[j].name);
                                return 1;
                        }
                }
        double m[N];
        for (unsigned j = 0; j < N; j++)
                m[j] = median(rates + j * arg_runs, arg_runs);

        static const struct {
                unsigned ts, baseline;
                const char *goal;
                double at_least;
        } rows[] = {
                { TS_FORK, SNG_FORK, ">= 1.0", 1.0 },      { TS_FORK, MIN_FORK, ">= 0.9", 0.9 },
                { TS_THREAD, SNG_PTHREAD, ">= 1.0", 1.0 }, { TS_THREAD, MIN_THREAD, ">= 0.9", 0.9 },
                { TS_EXEC, MIN_EXEC, ">= 0.9", 0.9 },      { TS_MIXED, MIN_MIXED, ">= 0.9", 0.9 },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                char name[128];
                snprintf(name, sizeof name, "spawn rate, %s", contenders[rows[i].ts].name);
                double ratio = m[rows[i].ts] / m[rows[i].baseline];
                print_row(name, m[rows[i].ts], contenders[rows[i].baseline].name, m[rows[i].baseline],
                          rows[i].goal, ratio >= rows[i].at_least);
        }
        free(rates);
        return 0;
}
