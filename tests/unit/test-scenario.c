/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scenario files: a full one and a minimal one read field by field, time spans and other value forms,
 * files on disk (name, size limit), and a table of broken files, each with the error it must give. */
#include <check.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "fixture.h"
#include "scenario.h"

static void scenario_freep(TsScenario **s) {
        ts_scenario_free(*s);
}

/* Parses text (NUL-terminated) named "scenarios/10-test.scenario", failing the test on an error. */
static TsScenario *parse_ok(const char *text) {
        _cleanup_(ts_scenario_error_done) TsScenarioError e = {};
        TsScenario *s = NULL;

        int r = ts_scenario_parse_string(text, strlen(text), "scenarios/10-test.scenario", &s, &e);
        if (r < 0) {
                _cleanup_(freep) char *msg = ts_scenario_error_format(&e);
                ck_abort_msg("parse failed (%s): %s\n%s", strerror(-r), strempty(msg), text);
        }
        ck_assert(s);
        return s;
}

/* The four required keys, in sections of two lines each (lines 1-2, 3-4, 5-6, 7-8). */
#define SCENARIO "[Scenario]\nDescription=d\n"
#define UNIT "[Unit]\nTasksMax=64\n"
#define STORM "[Storm]\nKind=fork\n"
#define EXPECT "[Expect]\nEAGAIN=yes\n"
#define MINIMAL SCENARIO UNIT STORM EXPECT
#define DAEMON "[Daemon]\nUnit=docker.service\nTasksMax=512\nContainers=200\n"
#define PODMAN                                                                                              \
        "[Daemon]\nStack=podman\nUnit=machine.slice\nTasksMax=infinity\nContainers=4\nContainerPidsLimit=16\n"

START_TEST(test_inject) {
        _cleanup_(ts_scenario_error_done) TsScenarioError error = {};
        TsScenario *s = NULL;
        const char *text = SCENARIO UNIT STORM "[Inject]\nWhat=threads\nNth=37\n" EXPECT;
        ck_assert_int_eq(ts_scenario_parse_string(text, strlen(text), "x.scenario", &s, &error), 0);
        ck_assert(s->has_inject);
        ck_assert_int_eq(s->inject.what, TS_INJECT_THREADS);
        ck_assert_int_eq(s->inject.policy.when, TS_INJECT_NTH);
        ck_assert_uint_eq(s->inject.policy.n, 37);
        ck_assert_int_eq(s->inject.error, EAGAIN);
        ck_assert(!s->expect_limit_hit); /* an injected EAGAIN is no limit's */
        ts_scenario_free(s);

        text = SCENARIO UNIT STORM "[Inject]\nProbability=0.25\nSeed=7\n" EXPECT "LimitHit=yes\n";
        ck_assert_int_eq(ts_scenario_parse_string(text, strlen(text), "x.scenario", &s, &error), 0);
        ck_assert_int_eq(s->inject.policy.when, TS_INJECT_PROBABILITY);
        ck_assert(s->inject.policy.probability == 0.25);
        ck_assert_uint_eq(s->inject.policy.rng, 7);
        ck_assert(s->expect_limit_hit);
        ts_scenario_free(s);

        text = MINIMAL;
        ck_assert_int_eq(ts_scenario_parse_string(text, strlen(text), "x.scenario", &s, &error), 0);
        ck_assert(!s->has_inject);
        ck_assert(s->expect_limit_hit);
        ts_scenario_free(s);
}
END_TEST

START_TEST(test_daemon) {
        _cleanup_(ts_scenario_error_done) TsScenarioError error = {};
        TsScenario *s = NULL;
        const char *text = SCENARIO DAEMON "[Remedy]\nRestart=no\n" EXPECT;
        ck_assert_int_eq(
                ts_scenario_parse_string(text, strlen(text), "scenarios/01-seed.scenario", &s, &error), 0);
        ck_assert(s->has_daemon);
        ck_assert(s->has_remedy);
        ck_assert_str_eq(s->daemon_unit, "docker.service");
        ck_assert_int_eq(s->daemon_tasks_max.kind, TS_TASKS_LIMIT_NUMBER);
        ck_assert_uint_eq(s->daemon_tasks_max.value, 512);
        ck_assert_uint_eq(s->containers, 200);
        ck_assert_int_eq(s->remedy_tasks_max.kind, TS_TASKS_LIMIT_INFINITY); /* the default */
        ck_assert(s->remedy_reload);
        ck_assert(!s->remedy_restart);
        ts_scenario_free(s);

        /* without [Remedy]: reproduce only */
        text = SCENARIO DAEMON EXPECT;
        ck_assert_int_eq(ts_scenario_parse_string(text, strlen(text), "x.scenario", &s, &error), 0);
        ck_assert(s->has_daemon);
        ck_assert(!s->has_remedy);
        ts_scenario_free(s);
}
END_TEST

START_TEST(test_full) {
        static const char text[] = "\xef\xbb\xbf# Every key, with comments, CRLF and odd spacing.\n"
                                   "[Scenario]\n"
                                   "Description=Fork storm — TasksMax=64 in a scope; spaces kept\n"
                                   "Tags=gh-1234   rh-5678\tart-1 ; an inline comment\n"
                                   "\n"
                                   "; a comment\n"
                                   "[Requires]\r\n"
                                   "Root = no\r\n"
                                   "SystemdVersion=219-78.el7_9.7\n"
                                   "CgroupMode=hybrid unified\n"
                                   "PidsController=any\n"
                                   "[Unit]\n"
                                   "TasksMax=15.5%\n"
                                   "SliceTasksMax=128\n"
                                   "[Storm]\n"
                                   "Kind=mixed\n"
                                   "Tasks=100\n"
                                   "MaxTasks=200\n"
                                   "Hold=1.5s\n"
                                   "StopAfterFailures=3\n"
                                   "   # an indented comment\n"
                                   "[Expect]\n"
                                   "EAGAIN=on\n"
                                   "TasksAtFirstEAGAIN=limit\n"
                                   "Tolerance=2";
        _cleanup_(scenario_freep) TsScenario *s = parse_ok(text);

        ck_assert_str_eq(s->path, "scenarios/10-test.scenario");
        ck_assert_str_eq(s->name, "10-test");
        ck_assert_str_eq(s->description, "Fork storm — TasksMax=64 in a scope; spaces kept");
        ck_assert(s->tags);
        ck_assert_str_eq(s->tags[0], "gh-1234");
        ck_assert_str_eq(s->tags[1], "rh-5678");
        ck_assert_str_eq(s->tags[2], "art-1");
        ck_assert(!s->tags[3]);

        ck_assert(!s->needs_root);
        ck_assert_str_eq(s->min_systemd, "219-78.el7_9.7");
        ck_assert_uint_eq(s->cgroup_modes, 1u << TS_CGROUP_HYBRID | 1u << TS_CGROUP_UNIFIED);
        ck_assert(!s->needs_pids_enforced);

        ck_assert_int_eq(s->tasks_max.kind, TS_TASKS_LIMIT_PERCENT);
        ck_assert_uint_eq(s->tasks_max.value, 1550);
        ck_assert(s->has_slice_tasks_max);
        ck_assert_int_eq(s->slice_tasks_max.kind, TS_TASKS_LIMIT_NUMBER);
        ck_assert_uint_eq(s->slice_tasks_max.value, 128);

        ck_assert_int_eq(s->kind, TS_STORM_MIXED);
        ck_assert_uint_eq(s->tasks, 100);
        ck_assert_uint_eq(s->max_tasks, 200);
        ck_assert_uint_eq(s->hold, 1500 * USEC_PER_MSEC);
        ck_assert_uint_eq(s->stop_after_failures, 3);

        ck_assert(s->expect_eagain);
        ck_assert_int_eq(s->expect_tasks, TS_EXPECT_TASKS_LIMIT);
        ck_assert_uint_eq(s->tolerance, 2);
}
END_TEST

START_TEST(test_required_only) {
        _cleanup_(scenario_freep) TsScenario *s = parse_ok(MINIMAL);

        ck_assert_str_eq(s->description, "d");
        ck_assert(!s->tags);
        ck_assert(s->needs_root);
        ck_assert(!s->min_systemd);
        ck_assert_uint_eq(s->cgroup_modes, 0);
        ck_assert(s->needs_pids_enforced);
        ck_assert_int_eq(s->tasks_max.kind, TS_TASKS_LIMIT_NUMBER);
        ck_assert_uint_eq(s->tasks_max.value, 64);
        ck_assert(!s->has_slice_tasks_max);
        ck_assert_int_eq(s->kind, TS_STORM_FORK);
        ck_assert_uint_eq(s->tasks, 0);
        ck_assert_uint_eq(s->max_tasks, 4096);
        ck_assert_uint_eq(s->hold, 0);
        ck_assert_uint_eq(s->stop_after_failures, 1);
        ck_assert(s->expect_eagain);
        ck_assert_int_eq(s->expect_tasks, TS_EXPECT_TASKS_ANY);
        ck_assert_uint_eq(s->expect_tasks_value, 0);
        ck_assert_uint_eq(s->tolerance, 0);
}
END_TEST

START_TEST(test_values) {
        static const struct {
                const char *hold;
                usec_t usec;
        } holds[] = {
                { "0", 0 },
                { "3", 3 * USEC_PER_SEC },
                { "250us", 250 },
                { "500ms", 500 * USEC_PER_MSEC },
                { "2s", 2 * USEC_PER_SEC },
                { "1.5s", 1500 * USEC_PER_MSEC },
                { "0.25 s", 250 * USEC_PER_MSEC },
                { "1.5min", 90 * USEC_PER_SEC },
                { "10min", 600 * USEC_PER_SEC },
                { "600", 600 * USEC_PER_SEC },
                { "1.0000001s", USEC_PER_SEC }, /* digits below a microsecond are dropped */
                { "1min 30s", 90 * USEC_PER_SEC },
                { "1min30s", 90 * USEC_PER_SEC },
                { "0.1h", 360 * USEC_PER_SEC },
        };
        for (size_t i = 0; i < ELEMENTSOF(holds); i++) {
                char text[256];
                snprintf(text, sizeof text, SCENARIO UNIT STORM "Hold=%s\n" EXPECT, holds[i].hold);
                _cleanup_(scenario_freep) TsScenario *s = parse_ok(text);
                ck_assert_msg(s->hold == holds[i].usec, "Hold=%s: %" PRIu64 "us", holds[i].hold, s->hold);
        }

        static const char *const yes[] = { "yes", "true", "1", "on", "YES", "On" };
        static const char *const no[] = { "no", "false", "0", "off", "No", "FALSE" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                char text[256];
                snprintf(text, sizeof text, SCENARIO UNIT STORM "[Expect]\nEAGAIN=%s\n", yes[i]);
                _cleanup_(scenario_freep) TsScenario *s = parse_ok(text);
                ck_assert_msg(s->expect_eagain, "EAGAIN=%s", yes[i]);
                snprintf(text, sizeof text, SCENARIO UNIT STORM "[Expect]\nEAGAIN=%s\n", no[i]);
                _cleanup_(scenario_freep) TsScenario *t = parse_ok(text);
                ck_assert_msg(!t->expect_eagain, "EAGAIN=%s", no[i]);
        }

        _cleanup_(scenario_freep) TsScenario *n =
                parse_ok(SCENARIO "[Unit]\nTasksMax=infinity\n" STORM EXPECT "TasksAtFirstEAGAIN=0064\n"
                                  "Tolerance=0\n");
        ck_assert_int_eq(n->tasks_max.kind, TS_TASKS_LIMIT_INFINITY);
        ck_assert_int_eq(n->expect_tasks, TS_EXPECT_TASKS_NUMBER);
        ck_assert_uint_eq(n->expect_tasks_value, 64);

        /* Sections in any order, each once; empty sections are ignored; Tasks may equal MaxTasks. */
        _cleanup_(scenario_freep) TsScenario *o =
                parse_ok(EXPECT "[Requires]\n" STORM "Tasks=4096\n" UNIT
                                "[Requires]\nCgroupMode=legacy legacy\n" SCENARIO);
        ck_assert_uint_eq(o->tasks, 4096);
        ck_assert_uint_eq(o->cgroup_modes, 1u << TS_CGROUP_LEGACY);

        /* The longest line inih reads whole: 197 bytes, with or without a CR before the newline. */
        for (int crlf = 0; crlf <= 1; crlf++) {
                char text[512], description[256];
                memset(description, 'x', 185);
                description[185] = 0;
                snprintf(text, sizeof text, "[Scenario]\nDescription=%s%s\n" UNIT STORM EXPECT, description,
                         crlf ? "\r" : "");
                _cleanup_(scenario_freep) TsScenario *s = parse_ok(text);
                ck_assert_uint_eq(strlen("Description=") + strlen(s->description), 197);
                ck_assert_str_eq(s->description, description);
        }

        /* Names: the directory and ".scenario" go, other suffixes stay. */
        static const struct {
                const char *path, *name;
        } names[] = {
                { "scenarios/20-thread.scenario", "20-thread" },
                { "/abs/dir/x.scenario", "x" },
                { "plain", "plain" },
                { "dir/a.ini", "a.ini" },
                { ".scenario", ".scenario" },
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_(scenario_freep) TsScenario *s = NULL;
                int r = ts_scenario_parse_string(MINIMAL, strlen(MINIMAL), names[i].path, &s, NULL);
                ck_assert_int_eq(r, 0);
                ck_assert_str_eq(s->path, names[i].path);
                ck_assert_str_eq(s->name, names[i].name);
        }
}
END_TEST

/* A broken file: text (size bytes, or up to its NUL when size is 0), then fill_count times fill, then
 * suffix; the formatted error must contain error, and the error must name line. */
static const struct BadCase {
        const char *text;
        size_t size;
        char fill;
        size_t fill_count;
        const char *suffix;
        const char *error;
        unsigned line;
} bad_cases[] = {
#define WITH_SIZE(s) .text = (s), .size = sizeof(s) - 1
        /* sections and keys */
        { SCENARIO "[Bogus]\nX=1\n" UNIT STORM EXPECT,
          .error =
                  ":3: [Bogus]: unknown section (expected [Scenario], [Requires], [Unit], [Storm], [Daemon], "
                  "[Remedy], [Inject] or [Expect])",
          .line = 3 },
        /* injection */
        { SCENARIO UNIT STORM "[Inject]\nNth=3\nEvery=2\n" EXPECT,
          .error = ":8: [Inject]: give one of Nth=, After=, Every=, Probability=, Always=", .line = 8 },
        { SCENARIO "[Inject]\nWhat=spoons\n" UNIT STORM EXPECT,
          .error = ":4: [Inject] What: expected threads, processes or all, got \"spoons\"", .line = 4 },
        { SCENARIO UNIT STORM "[Inject]\nProbability=1.5\n" EXPECT,
          .error = ":8: [Inject] Probability: expected a probability from 0 to 1, got \"1.5\"", .line = 8 },
        /* daemon scenarios */
        { SCENARIO "[Remedy]\nTasksMax=infinity\n" UNIT STORM EXPECT,
          .error = ":4: [Remedy]: only with a [Daemon] to fix", .line = 4 },
        { SCENARIO "[Daemon]\nUnit=docker.service\nTasksMax=512\nContainers=9\n" STORM EXPECT,
          .error = ":8: [Storm]: a scenario has either [Unit] and [Storm], or [Daemon]", .line = 8 },
        { SCENARIO "[Daemon]\nUnit=docker.service\nTasksMax=512\n" EXPECT,
          .error = ": [Daemon] Containers: required key is missing", .line = 0 },
        { SCENARIO "[Daemon]\nUnit=../docker\nTasksMax=512\nContainers=9\n" EXPECT,
          .error = ":4: [Daemon] Unit: expected a unit name such as docker.service, got \"../docker\"",
          .line = 4 },
        /* a container's own pids limit: the podman stack's, given either to the unit or to the runtime */
        { SCENARIO DAEMON "ContainerPidsLimit=16\n" EXPECT,
          .error =
                  ":7: [Daemon] ContainerPidsLimit: only with a stack whose containers take a pids limit of their "
                  "own (Stack=podman)",
          .line = 7 },
        { SCENARIO PODMAN "[Remedy]\nContainerPidsLimit=infinity\nRestart=no\n" EXPECT,
          .error =
                  ":11: [Remedy] Restart: the remedy is either the unit's (TasksMax=, Reload=, Restart=) or the "
                  "runtime's (ContainerPidsLimit=), not both",
          .line = 11 },
        { SCENARIO PODMAN "[Remedy]\nContainerPidsLimit=50%\n" EXPECT,
          .error =
                  ":10: [Remedy] ContainerPidsLimit: expected a number of tasks (N) or infinity: a runtime takes no "
                  "percentage",
          .line = 10 },
        { SCENARIO PODMAN EXPECT "Cause=fate\n",
          .error =
                  ":11: [Expect] Cause: not a cause of check (unit-tasksmax, slice-tasksmax, container-pids-limit, ...)",
          .line = 11 },
        { SCENARIO UNIT "TaskMax=3\n" STORM EXPECT,
          .error = ":5: [Unit] TaskMax: unknown key (expected TasksMax or SliceTasksMax)", .line = 5 },
        { SCENARIO UNIT STORM "Kind=thread\n" EXPECT,
          .error = ":7: [Storm] Kind: given twice (first at line 6)", .line = 7 },
        { SCENARIO UNIT STORM "[Unit]\nSliceTasksMax=5\n" EXPECT,
          .error = ":7: [Unit]: section given again (first at line 3): give each section once", .line = 7 },
        { MINIMAL "[Scenario]\nTags=x\n", .error = ":9: [Scenario]: section given again (first at line 1)",
          .line = 9 },
        { "Description=d\n" MINIMAL, .error = ":1: key before the first [Section]", .line = 1 },
        { "[]\nDescription=d\n" UNIT STORM EXPECT, .error = ":1: empty section name", .line = 1 },
        { SCENARIO UNIT "=5\n" STORM EXPECT, .error = ":5: [Unit]: no key name before '='", .line = 5 },
        /* required keys */
        { UNIT STORM EXPECT, .error = "10-test.scenario: [Scenario] Description: required key is missing" },
        { SCENARIO STORM EXPECT, .error = "10-test.scenario: [Unit] TasksMax: required key is missing" },
        { SCENARIO UNIT EXPECT, .error = "10-test.scenario: [Storm] Kind: required key is missing" },
        { SCENARIO UNIT STORM, .error = "10-test.scenario: [Expect] EAGAIN: required key is missing" },
        { "", .error = "10-test.scenario: [Scenario] Description: required key is missing" },
        { "# only a comment\n", .error = "[Scenario] Description: required key is missing" },
        /* limits */
        { SCENARIO "[Unit]\nTasksMax=0\n" STORM EXPECT,
          .error = ":4: [Unit] TasksMax: must be at least 1, got \"0\"", .line = 4 },
        { SCENARIO "[Unit]\nTasksMax=-1\n" STORM EXPECT,
          .error = ":4: [Unit] TasksMax: expected a number of tasks (N), a percentage (P%) or infinity, "
                   "got \"-1\"",
          .line = 4 },
        { SCENARIO "[Unit]\nTasksMax=abc\n" STORM EXPECT,
          .error = ":4: [Unit] TasksMax: expected a number of tasks (N), a percentage (P%) or infinity, "
                   "got \"abc\"",
          .line = 4 },
        { SCENARIO "[Unit]\nTasksMax=1e99\n" STORM EXPECT,
          .error = ":4: [Unit] TasksMax: expected a number of tasks (N), a percentage (P%) or infinity, "
                   "got \"1e99\"",
          .line = 4 },
        { SCENARIO "[Unit]\nTasksMax=123456789012345678901234567890\n" STORM EXPECT,
          .error = ":4: [Unit] TasksMax: out of range (use infinity for no limit), "
                   "got \"123456789012345678901234567890\"",
          .line = 4 },
        { SCENARIO "[Unit]\nTasksMax=101%\n" STORM EXPECT,
          .error = ":4: [Unit] TasksMax: a percentage must be more than 0% and at most 100%, got \"101%\"",
          .line = 4 },
        { SCENARIO "[Unit]\nTasksMax=\n" STORM EXPECT, .error = ":4: [Unit] TasksMax: empty value",
          .line = 4 },
        { SCENARIO "[Unit]\nTasksMax=64\nSliceTasksMax=0%\n" STORM EXPECT,
          .error = ":5: [Unit] SliceTasksMax: a percentage must be more than 0% and at most 100%, "
                   "got \"0%\"",
          .line = 5 },
        /* storm */
        { SCENARIO UNIT "[Storm]\nKind=spoon\n" EXPECT,
          .error = ":6: [Storm] Kind: unknown storm kind (expected fork, thread, exec or mixed), "
                   "got \"spoon\"",
          .line = 6 },
        { SCENARIO UNIT "[Storm]\nKind=sp\x1b[2Joon\n" EXPECT,
          .error = ":6: [Storm] Kind: unknown storm kind (expected fork, thread, exec or mixed), "
                   "got \"sp\\x1b[2Joon\"",
          .line = 6 },
        { SCENARIO UNIT STORM "Hold=-1s\n" EXPECT,
          .error = ":7: [Storm] Hold: expected a time span such as 500ms, 2s, 1.5s or 1min, got \"-1s\"",
          .line = 7 },
        { SCENARIO UNIT STORM "Hold=11min\n" EXPECT,
          .error = ":7: [Storm] Hold: must be at most 10min, got \"11min\"", .line = 7 },
        { SCENARIO UNIT STORM "Hold=600.001\n" EXPECT,
          .error = ":7: [Storm] Hold: must be at most 10min, got \"600.001\"", .line = 7 },
        { SCENARIO UNIT STORM "Hold=99999999999999999999999us\n" EXPECT,
          .error = ":7: [Storm] Hold: must be at most 10min", .line = 7 },
        { SCENARIO UNIT STORM "Hold=5 parsecs\n" EXPECT,
          .error = ":7: [Storm] Hold: unknown time unit (expected us, ms, s, min, h, d, w, M or y; a "
                   "number alone means s), got \"5 parsecs\"",
          .line = 7 },
        { SCENARIO UNIT STORM "Hold=1.s\n" EXPECT,
          .error = ":7: [Storm] Hold: expected a time span such as 500ms, 2s, 1.5s or 1min, got \"1.s\"",
          .line = 7 },
        { SCENARIO UNIT STORM "Hold=1min 30\n" EXPECT, .error = ":7: [Storm] Hold: unknown time unit",
          .line = 7 },
        { SCENARIO UNIT STORM "Tasks=100\nMaxTasks=50\n" EXPECT,
          .error = ":7: [Storm] Tasks: 100 is more than MaxTasks=50", .line = 7 },
        { SCENARIO UNIT STORM "Tasks=5000\n" EXPECT,
          .error = ":7: [Storm] Tasks: 5000 is more than MaxTasks=4096", .line = 7 },
        { SCENARIO UNIT STORM "Tasks=0\n" EXPECT,
          .error = ":7: [Storm] Tasks: must be at least 1, got \"0\"", .line = 7 },
        { SCENARIO UNIT STORM "MaxTasks=0\n" EXPECT,
          .error = ":7: [Storm] MaxTasks: must be at least 1, got \"0\"", .line = 7 },
        { SCENARIO UNIT STORM "StopAfterFailures=0\n" EXPECT,
          .error = ":7: [Storm] StopAfterFailures: must be at least 1, got \"0\"", .line = 7 },
        { SCENARIO UNIT STORM "StopAfterFailures=4294967296\n" EXPECT,
          .error = ":7: [Storm] StopAfterFailures: out of range (at most 4294967295), got \"4294967296\"",
          .line = 7 },
        /* requires */
        { SCENARIO "[Requires]\nCgroupMode=unified cgroup3\n" UNIT STORM EXPECT,
          .error = ":4: [Requires] CgroupMode: expected cgroup modes out of legacy, hybrid or unified, "
                   "separated by spaces, got \"unified cgroup3\"",
          .line = 4 },
        { SCENARIO "[Requires]\nSystemdVersion=v252\n" UNIT STORM EXPECT,
          .error = ":4: [Requires] SystemdVersion: must start with a digit (a version such as 227 or "
                   "252.38), got \"v252\"",
          .line = 4 },
        { SCENARIO "[Requires]\nPidsController=strict\n" UNIT STORM EXPECT,
          .error = ":4: [Requires] PidsController: expected enforced or any, got \"strict\"", .line = 4 },
        { SCENARIO "[Requires]\nRoot=perhaps\n" UNIT STORM EXPECT,
          .error = ":4: [Requires] Root: expected yes, no, true, false, 1, 0, on or off, got \"perhaps\"",
          .line = 4 },
        /* expect */
        { SCENARIO UNIT STORM "[Expect]\nEAGAIN=maybe\n",
          .error = ":8: [Expect] EAGAIN: expected yes, no, true, false, 1, 0, on or off, got \"maybe\"",
          .line = 8 },
        { SCENARIO UNIT STORM "[Expect]\nEAGAIN=no\nTasksAtFirstEAGAIN=64\n",
          .error = ":9: [Expect] TasksAtFirstEAGAIN: only meaningful with EAGAIN=yes", .line = 9 },
        { MINIMAL "TasksAtFirstEAGAIN=some\n",
          .error = ":9: [Expect] TasksAtFirstEAGAIN: expected a number of tasks or limit, got \"some\"",
          .line = 9 },
        { MINIMAL "Tolerance=abc\n",
          .error = ":9: [Expect] Tolerance: expected a decimal number, got \"abc\"", .line = 9 },
        /* lines inih cannot read, and the first error wins */
        { SCENARIO UNIT "just some words\n" STORM EXPECT,
          .error = ":5: expected Key=value, a [Section] or a comment", .line = 5 },
        { SCENARIO "no equals sign\n" UNIT "Bogus=1\n" STORM EXPECT,
          .error = ":3: expected Key=value, a [Section] or a comment", .line = 3 },
        { SCENARIO UNIT "[Storm\nKind=fork\n" EXPECT, .error = ":5: section header without a closing ']'",
          .line = 5 },
        { SCENARIO UNIT STORM "  Hold=1s\n" EXPECT,
          .error = ":7: line starts with blanks: keys and sections start in the first column (continuation "
                   "lines are not supported)",
          .line = 7 },
        /* files that are not scenario text */
        { SCENARIO UNIT "# ", .fill = 'x', .fill_count = 298, .suffix = "\n" STORM EXPECT,
          .error = ":5: line is 300 bytes long, more than the 197 allowed", .line = 5 },
        { WITH_SIZE("[Scenario]\nDescr\0iption=d\n"), .error = ":2: NUL byte in column 6: not a text file",
          .line = 2 },
        { "[Scenario]\nDescription=caf\xc3\x28\n", .error = ":2: invalid UTF-8 in column 16 (byte \\xc3)",
          .line = 2 },
        { "[Scenario]\nDescription=\xed\xa0\x80\n", /* a UTF-16 surrogate */
          .error = ":2: invalid UTF-8 in column 13 (byte \\xed)", .line = 2 },
        { MINIMAL, .fill = '\n', .fill_count = 100 * 1024, .suffix = "",
          .error = "10-test.scenario: file is 102482 bytes, larger than the 64 KiB allowed" },
#undef WITH_SIZE
};

START_TEST(test_bad_input) {
        const struct BadCase *c = &bad_cases[_i];
        size_t size = c->size > 0 ? c->size : strlen(c->text);
        size_t suffix = strlen(strempty(c->suffix));
        _cleanup_(freep) char *text = malloc(size + c->fill_count + suffix + 1);
        ck_assert(text);
        memcpy(text, c->text, size);
        memset(text + size, c->fill, c->fill_count);
        memcpy(text + size + c->fill_count, strempty(c->suffix), suffix + 1);
        size += c->fill_count + suffix;

        _cleanup_(ts_scenario_error_done) TsScenarioError e = {};
        TsScenario *s = (TsScenario *)&e; /* must stay untouched */
        int r = ts_scenario_parse_string(text, size, "scenarios/10-test.scenario", &s, &e);
        _cleanup_(freep) char *msg = ts_scenario_error_format(&e);

        ck_assert_msg(r == -EINVAL, "case %d: returned %d, error %s", _i, r, strempty(msg));
        ck_assert(s == (TsScenario *)&e);
        ck_assert_msg(msg && strstr(msg, c->error), "case %d: got '%s', want '%s'", _i, strempty(msg),
                      c->error);
        ck_assert_msg(e.line == c->line, "case %d: line %u, want %u (%s)", _i, e.line, c->line, msg);
        ck_assert_str_eq(e.path, "scenarios/10-test.scenario");
        ck_assert_msg(!strchr(msg, '\n'), "case %d: newline in '%s'", _i, msg);
}
END_TEST

START_TEST(test_error_format) {
        static const char text[] = SCENARIO "[Unit]\nTasksMax=0\n" STORM EXPECT;
        _cleanup_(ts_scenario_error_done) TsScenarioError e = {};
        TsScenario *s = NULL;

        int r = ts_scenario_parse_string(text, strlen(text), "scenarios/10-zero.scenario", &s, &e);
        ck_assert_int_eq(r, -EINVAL);
        ck_assert(!s);
        ck_assert_str_eq(e.path, "scenarios/10-zero.scenario");
        ck_assert_uint_eq(e.line, 4);
        ck_assert_str_eq(e.key, "[Unit] TasksMax");
        ck_assert_str_eq(e.message, "must be at least 1, got \"0\"");
        _cleanup_(freep) char *msg = ts_scenario_error_format(&e);
        ck_assert_str_eq(msg, "scenarios/10-zero.scenario:4: [Unit] TasksMax: must be at least 1, "
                              "got \"0\"");

        /* No line, no key; control characters in any part are escaped. */
        TsScenarioError bare = { .path = (char *)"odd\nname", .message = (char *)"broken\tbadly" };
        _cleanup_(freep) char *bare_msg = ts_scenario_error_format(&bare);
        ck_assert_str_eq(bare_msg, "odd\\x0aname: broken\\x09badly");
        TsScenarioError keyed = { .path = (char *)"f",
                                  .key = (char *)"[Storm] Kind",
                                  .message = (char *)"m" };
        _cleanup_(freep) char *keyed_msg = ts_scenario_error_format(&keyed);
        ck_assert_str_eq(keyed_msg, "f: [Storm] Kind: m");
}
END_TEST

/* Writes size bytes of text to dir/name and returns the path. */
static char *write_file(const char *dir, const char *name, const char *text, size_t size) {
        char *path = NULL;
        ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
        _cleanup_(fclosep) FILE *f = fopen(path, "we");
        ck_assert(f);
        ck_assert_uint_eq(fwrite(text, 1, size, f), size);
        return path;
}

START_TEST(test_files) {
        char dir[] = "/tmp/test-scenario-XXXXXX";
        ck_assert(mkdtemp(dir));

        _cleanup_(freep) char *good = write_file(dir, "10-fork-64.scenario", MINIMAL, strlen(MINIMAL));
        _cleanup_(scenario_freep) TsScenario *s = NULL;
        ck_assert_int_eq(ts_scenario_parse_file(good, &s, NULL), 0);
        ck_assert_str_eq(s->path, good);
        ck_assert_str_eq(s->name, "10-fork-64");
        ck_assert_int_eq(s->kind, TS_STORM_FORK);

        /* Exactly 64 KiB is allowed, one byte more is not. */
        size_t limit = 64 * 1024;
        _cleanup_(freep) char *big = malloc(limit + 1);
        ck_assert(big);
        memset(big, '\n', limit + 1);
        memcpy(big, MINIMAL, strlen(MINIMAL));
        _cleanup_(freep) char *at_limit = write_file(dir, "at-limit.scenario", big, limit);
        _cleanup_(scenario_freep) TsScenario *t = NULL;
        ck_assert_int_eq(ts_scenario_parse_file(at_limit, &t, NULL), 0);

        _cleanup_(freep) char *over = write_file(dir, "over.scenario", big, limit + 1);
        _cleanup_(ts_scenario_error_done) TsScenarioError e = {};
        TsScenario *u = NULL;
        ck_assert_int_eq(ts_scenario_parse_file(over, &u, &e), -EINVAL);
        ck_assert(!u);
        ck_assert_uint_eq(e.line, 0);
        ck_assert(!e.key);
        ck_assert_str_eq(e.message, "file is larger than the 64 KiB allowed");

        _cleanup_(freep) char *missing = NULL;
        ck_assert_int_ge(asprintf(&missing, "%s/missing.scenario", dir), 0);
        _cleanup_(ts_scenario_error_done) TsScenarioError m = {};
        ck_assert_int_eq(ts_scenario_parse_file(missing, &u, &m), -ENOENT);
        ck_assert_str_eq(m.path, missing);
        ck_assert_str_eq(m.message, "cannot read: No such file or directory");

        ck_assert_int_eq(unlink(good), 0);
        ck_assert_int_eq(unlink(at_limit), 0);
        ck_assert_int_eq(unlink(over), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* taskstorm.scenario(5) documents exactly the keys the parser takes, each under its section: every
 * "*Key=*" item below a "# [Section] SECTION" heading of the page. */
START_TEST(test_man_page_keys) {
        _cleanup_(freep) char *page = NULL;
        int r = ts_read_full_file(TS_SOURCE_ROOT "/docs/man/taskstorm.scenario.5.scd", 1 << 20, &page, NULL);
        ck_assert_msg(r >= 0, "reading the man page: %s", strerror(-r));

        char documented[64][64];
        size_t n_documented = 0;
        char section[32] = "";
        for (char *line = strtok(page, "\n"); line; line = strtok(NULL, "\n")) {
                char name[32];
                if (sscanf(line, "# [%31[A-Za-z]] SECTION", name) == 1)
                        strcpy(section, name);
                else if (line[0] == '#')
                        section[0] = 0;
                else if (section[0] && sscanf(line, "*%31[A-Za-z]=*", name) == 1 && endswith(line, "=*")) {
                        ck_assert_uint_lt(n_documented, ELEMENTSOF(documented));
                        snprintf(documented[n_documented++], sizeof documented[0], "[%s] %s", section, name);
                }
        }

        size_t n_keys = 0;
        const char *key, *key_section;
        for (; (key = ts_scenario_key_at(n_keys, &key_section)); n_keys++) {
                char want[64];
                snprintf(want, sizeof want, "[%s] %s", key_section, key);
                bool found = false;
                for (size_t i = 0; i < n_documented && !found; i++)
                        found = streq(documented[i], want);
                ck_assert_msg(found, "%s= is not in taskstorm.scenario(5)", want);
        }
        /* ... and nothing else: every documented key is one of them (no duplicates either). */
        ck_assert_msg(n_documented == n_keys, "the man page documents %zu keys, the parser takes %zu",
                      n_documented, n_keys);
}
END_TEST

static Suite *scenario_suite(void) {
        Suite *s = suite_create("scenario");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_full);
        tcase_add_test(tc, test_daemon);
        tcase_add_test(tc, test_inject);
        tcase_add_test(tc, test_required_only);
        tcase_add_test(tc, test_values);
        tcase_add_loop_test(tc, test_bad_input, 0, (int)ELEMENTSOF(bad_cases));
        tcase_add_test(tc, test_error_format);
        tcase_add_test(tc, test_files);
        tcase_add_test(tc, test_man_page_keys);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(scenario_suite());
}
