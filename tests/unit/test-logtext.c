/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The line reader of pasted logs (logtext.c): every format people paste comes apart into its
 * message, identifier, unit and time: journalctl's short formats and its json, json-pretty, export
 * and verbose entries, syslog, dmesg plain and -T, in another locale; with CRLF, markdown quotes,
 * escapes and fences; a kernel line wrapped by a terminal. */
#include <check.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../check-tap.h"
#include "logtext.h"
#include "macro.h"

/* What the reader made of one line (or entry). */
typedef struct Got {
        char raw[512], msg[512], ident[64], unit[128];
        uint64_t usec;
        bool journal, kernel, fence;
        unsigned number;
} Got;

static void copy_span(char *buf, size_t size, Span s) {
        snprintf(buf, size, "%.*s", (int)s.len, s.s ? s.s : "");
}

/* Reads text; the lines into got (at most n); their number. */
static size_t read_all(const char *text, Got *got, size_t n) {
        TsLogReader r;
        ts_log_reader_init(&r, text, strlen(text));
        TsLogLine l;
        size_t k = 0;
        int ret;
        while ((ret = ts_log_reader_next(&r, &l)) > 0) {
                ck_assert_uint_lt(k, n);
                Got *g = &got[k++];
                copy_span(g->raw, sizeof g->raw, l.raw);
                copy_span(g->msg, sizeof g->msg, l.msg);
                copy_span(g->ident, sizeof g->ident, l.ident);
                copy_span(g->unit, sizeof g->unit, l.unit);
                g->usec = l.usec;
                g->journal = l.journal;
                g->kernel = l.kernel;
                g->fence = l.fence;
                g->number = l.number;
        }
        ck_assert_int_eq(ret, 0);
        ts_log_reader_done(&r);
        return k;
}

/* One line of text: its message and identifier, and whether it is a journal line. */
static Got one(const char *text) {
        Got g[4] = {};
        ck_assert_uint_eq(read_all(text, g, ELEMENTSOF(g)), 1);
        return g[0];
}

START_TEST(test_prefixes) {
        static const struct {
                const char *line, *msg, *ident;
                uint64_t usec;
                bool journal, kernel;
        } cases[] = {
                /* journalctl short (no year: no time), short-precise, short-iso, short-full, RFC 3339 */
                { "Jan 29 22:38:32 host dockerd[7024]: runtime/cgo: pthread_create failed",
                  "runtime/cgo: pthread_create failed", "dockerd", 0, true, false },
                { "Mar  2 10:11:12 host sshd: x", "x", "sshd", 0, true, false },
                { "Jan 29 22:38:32.123456 host dockerd[7024]: m", "m", "dockerd", 0, true, false },
                { "2025-05-15T10:04:51+00:00 batch-02 worker[1312]: spawn job", "spawn job", "worker",
                  UINT64_C(1747303491) * 1000000, true, false },
                { "2017-01-12T11:55:40.742685+01:00 mgtmon035 kernel: [65567.582895] cgroup: fork rejected",
                  "cgroup: fork rejected", "kernel", UINT64_C(1484218540) * 1000000 + 742685, true, true },
                { "Fri 2018-03-02 10:11:12 UTC host app[1]: m", "m", "app", UINT64_C(1519985472) * 1000000,
                  true, false },
                /* another locale's month names */
                { "1\xe6\x9c\x88 29 11:35:36 localhost.localdomain dockerd[7024]: API listen", "API listen",
                  "dockerd", 0, true, false },
                { "M\xc3\xa4r 02 10:11:12 host app[1]: m", "m", "app", 0, true, false },
                /* dmesg, dmesg -T */
                { "[  814.796021] cgroup: fork rejected by pids controller in /system.slice/x.service",
                  "cgroup: fork rejected by pids controller in /system.slice/x.service", "kernel", 0, false,
                  true },
                { "[Wed Sep 30 03:58:46 2020] cgroup: fork rejected", "cgroup: fork rejected", "kernel", 0,
                  false, true },
                /* no prefix: the line itself */
                { "fork failed: Resource temporarily unavailable",
                  "fork failed: Resource temporarily unavailable", "", 0, false, false },
                { "  Tasks: 505 (Limit: 512)", "Tasks: 505 (Limit: 512)", "", 0, false, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Got g = one(cases[i].line);
                ck_assert_msg(streq(g.msg, cases[i].msg), "%zu: msg '%s'", i, g.msg);
                ck_assert_msg(streq(g.ident, cases[i].ident), "%zu: ident '%s'", i, g.ident);
                ck_assert_msg(g.usec == cases[i].usec, "%zu: usec %" PRIu64, i, g.usec);
                ck_assert_msg(g.journal == cases[i].journal && g.kernel == cases[i].kernel,
                              "%zu: journal %d kernel %d", i, g.journal, g.kernel);
        }
}
END_TEST

START_TEST(test_markdown_and_crlf) {
        Got g[8] = {};
        /* CRLF, quote marks (nested), escapes, fences, inline code */
        size_t n = read_all("> Jan 01 08:36:36 host systemd\\[1\\]: a.service: x\r\n"
                            "> > nested\r\n"
                            "```text\n"
                            "\\`\\`\\`\n"
                            "```fork: retry: resource temporarily unavailable```\n",
                            g, ELEMENTSOF(g));
        ck_assert_uint_eq(n, 5);
        ck_assert_str_eq(g[0].ident, "systemd");
        ck_assert_str_eq(g[0].msg, "a.service: x");
        ck_assert_str_eq(g[1].raw, "nested");
        ck_assert(g[2].fence);
        ck_assert(g[3].fence); /* an escaped fence is a fence */
        ck_assert(!g[4].fence);
        ck_assert_str_eq(g[4].msg, "fork: retry: resource temporarily unavailable");
        ck_assert_uint_eq(g[4].number, 5);
}
END_TEST

START_TEST(test_wrapped_kernel_line) {
        Got g[4] = {};
        size_t n = read_all("   [ 814.796021] cgroup: fork rejected by pids controller in\n"
                            "   /system.slice/chef-automate.service\n"
                            "next\n",
                            g, ELEMENTSOF(g));
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(g[0].msg,
                         "cgroup: fork rejected by pids controller in /system.slice/chef-automate.service");
        ck_assert(g[0].kernel);
        ck_assert_str_eq(g[1].raw, "next");
        ck_assert_uint_eq(g[1].number, 3);
}
END_TEST

START_TEST(test_entries) {
        Got g[8] = {};
        /* -o json: one line, MESSAGE as a string or as bytes */
        size_t n = read_all(
                "{\"__REALTIME_TIMESTAMP\":\"1700000000000001\",\"_SYSTEMD_UNIT\":\"docker.service\","
                "\"SYSLOG_IDENTIFIER\":\"dockerd\",\"MESSAGE\":\"fork/exec /proc/self/exe: resource "
                "temporarily unavailable\"}\n"
                "{\"_TRANSPORT\":\"kernel\",\"MESSAGE\":[99,103,114,111,117,112]}\n"
                "{\"level\":\"error\",\"msg\":\"pthread_create failed\"}\n",
                g, ELEMENTSOF(g));
        ck_assert_uint_eq(n, 3);
        ck_assert_str_eq(g[0].unit, "docker.service");
        ck_assert_str_eq(g[0].ident, "dockerd");
        ck_assert_uint_eq(g[0].usec, UINT64_C(1700000000000001));
        ck_assert_str_eq(g[0].msg, "fork/exec /proc/self/exe: resource temporarily unavailable");
        ck_assert(g[1].kernel);
        ck_assert_str_eq(g[1].msg, "cgroup");
        /* an application's own JSON is a line like any other */
        ck_assert(!g[2].journal);
        ck_assert_str_eq(g[2].raw, "{\"level\":\"error\",\"msg\":\"pthread_create failed\"}");

        /* -o json-pretty, with a field that a terminal cut */
        n = read_all("{\n"
                     "        \"_SYSTEMD_UNIT\" : \"init.scope\",\n"
                     "        \"__CURSOR\" : \"s=9dc0d5781e81;i=93384>\n"
                     "        \"MESSAGE\" : \"Cannot find unit for notify message\",\n"
                     "        \"SYSLOG_IDENTIFIER\" : \"systemd\"\n"
                     "}\n"
                     "after\n",
                     g, ELEMENTSOF(g));
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(g[0].unit, "init.scope");
        ck_assert_str_eq(g[0].msg, "Cannot find unit for notify message");
        ck_assert_str_eq(g[1].raw, "after");

        /* runc's config is JSON over lines, but no journal entry: its lines stay lines */
        n = read_all("{\n\"type\": \"RLIMIT_NPROC\",\n\"soft\": 192\n}\n", g, ELEMENTSOF(g));
        ck_assert_uint_ge(n, 2);
        ck_assert_str_eq(g[0].raw, "\"type\": \"RLIMIT_NPROC\",");

        /* -o export: fields to a blank line; -o verbose: indented fields after a header */
        n = read_all("__CURSOR=s=1\n__REALTIME_TIMESTAMP=1700000000000002\n_SYSTEMD_UNIT=x.service\n"
                     "MESSAGE=fork failed: Resource temporarily unavailable\n\n"
                     "Tue 2017-01-10 11:13:12.345678 UTC [s=a;i=b;b=c;m=d;t=e;x=f]\n"
                     "    _SYSTEMD_UNIT=y.service\n    SYSLOG_IDENTIFIER=y\n    MESSAGE=hello\n"
                     "plain\n",
                     g, ELEMENTSOF(g));
        ck_assert_uint_eq(n, 3);
        ck_assert_str_eq(g[0].unit, "x.service");
        ck_assert_uint_eq(g[0].usec, UINT64_C(1700000000000002));
        ck_assert_str_eq(g[0].msg, "fork failed: Resource temporarily unavailable");
        ck_assert_str_eq(g[1].unit, "y.service");
        ck_assert_str_eq(g[1].ident, "y");
        ck_assert_str_eq(g[1].msg, "hello");
        ck_assert_str_eq(g[2].raw, "plain");
}
END_TEST

START_TEST(test_any_bytes) {
        /* random bytes, NUL-free: no crash, every line read */
        char text[4096];
        unsigned seed = 7;
        for (size_t i = 0; i < sizeof text - 1; i++) {
                seed = seed * 1103515245 + 12345;
                text[i] = (char)((seed >> 16) % 255 + 1);
        }
        text[sizeof text - 1] = 0;
        TsLogReader r;
        ts_log_reader_init(&r, text, strlen(text));
        TsLogLine l;
        int ret;
        while ((ret = ts_log_reader_next(&r, &l)) > 0)
                ck_assert(l.raw.len <= sizeof text);
        ck_assert_int_eq(ret, 0);
        ts_log_reader_done(&r);

        Got g[2];
        ck_assert_uint_eq(read_all("", g, ELEMENTSOF(g)), 0);
}
END_TEST

static Suite *logtext_suite(void) {
        Suite *s = suite_create("logtext");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_prefixes);
        tcase_add_test(tc, test_markdown_and_crlf);
        tcase_add_test(tc, test_wrapped_kernel_line);
        tcase_add_test(tc, test_entries);
        tcase_add_test(tc, test_any_bytes);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(logtext_suite());
}
