/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JUnit XML through xmlTextWriter: counts on every testsuite and on the testsuites root, times in
 * seconds, and skipped/failure/error elements from the one verdict table. */
#include <errno.h>
#include <stdio.h>

#include "junit.h"
#include "macro.h"
#include "xml-dlopen.h"

static void writer_freep(xmlTextWriterPtr *w) {
        if (*w)
                sym_xmlFreeTextWriter(*w);
}

static int attr(xmlTextWriterPtr w, const char *name, const char *value) {
        return sym_xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value) < 0 ? -EIO : 0;
}

static int attr_u(xmlTextWriterPtr w, const char *name, size_t value) {
        char buf[32];
        snprintf(buf, sizeof buf, "%zu", value);
        return attr(w, name, buf);
}

static int attr_seconds(xmlTextWriterPtr w, const char *name, nsec_t ns) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.6f", (double)ns / 1e9);
        return attr(w, name, buf);
}

static void count(const TsJunitSuite *s, size_t counts[_TS_VERDICT_MAX]) {
        for (size_t i = 0; i < s->n_cases; i++)
                if (s->cases[i].verdict >= 0 && s->cases[i].verdict < _TS_VERDICT_MAX)
                        counts[s->cases[i].verdict]++;
}

static int write_counts(xmlTextWriterPtr w, size_t tests, const size_t counts[_TS_VERDICT_MAX]) {
        int r = attr_u(w, "tests", tests);
        if (r >= 0)
                r = attr_u(w, "failures", counts[TS_VERDICT_FAIL]);
        if (r >= 0)
                r = attr_u(w, "errors", counts[TS_VERDICT_BROKEN]);
        if (r >= 0)
                r = attr_u(w, "skipped", counts[TS_VERDICT_SKIP]);
        return r;
}

static int write_case(xmlTextWriterPtr w, const char *suite, const TsJunitCase *c) {
        if (sym_xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0)
                return -EIO;
        int r = attr(w, "name", c->name);
        if (r >= 0)
                r = attr(w, "classname", suite);
        if (r >= 0)
                r = attr_seconds(w, "time", c->duration);
        const char *element = ts_verdict_junit_element(c->verdict);
        if (r >= 0 && element) {
                if (sym_xmlTextWriterStartElement(w, BAD_CAST element) < 0)
                        return -EIO;
                r = attr(w, "message", c->message ? c->message : ts_verdict_to_string(c->verdict));
                if (r >= 0 && sym_xmlTextWriterEndElement(w) < 0)
                        r = -EIO;
        }
        if (r >= 0 && sym_xmlTextWriterEndElement(w) < 0)
                r = -EIO;
        return r;
}

int ts_junit_write(const char *path, const TsJunitSuite *suites, size_t n_suites) {
        int r = ts_xml_dlopen();
        if (r < 0)
                return r;
        _cleanup_(writer_freep) xmlTextWriterPtr w = sym_xmlNewTextWriterFilename(path, 0);
        if (!w)
                return -EIO;
        (void)sym_xmlTextWriterSetIndent(w, 1);
        if (sym_xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
            sym_xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0)
                return -EIO;

        size_t all[_TS_VERDICT_MAX] = {}, tests = 0;
        nsec_t total = 0;
        for (size_t i = 0; i < n_suites; i++) {
                count(&suites[i], all);
                tests += suites[i].n_cases;
                total += suites[i].duration;
        }
        r = attr(w, "name", "taskstorm");
        if (r >= 0)
                r = write_counts(w, tests, all);
        if (r >= 0)
                r = attr_seconds(w, "time", total);

        for (size_t i = 0; r >= 0 && i < n_suites; i++) {
                const TsJunitSuite *s = &suites[i];
                size_t counts[_TS_VERDICT_MAX] = {};
                count(s, counts);
                if (sym_xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0)
                        return -EIO;
                r = attr(w, "name", s->name);
                if (r >= 0)
                        r = write_counts(w, s->n_cases, counts);
                if (r >= 0)
                        r = attr_seconds(w, "time", s->duration);
                for (size_t k = 0; r >= 0 && k < s->n_cases; k++)
                        r = write_case(w, s->name, &s->cases[k]);
                if (r >= 0 && sym_xmlTextWriterEndElement(w) < 0)
                        r = -EIO;
        }
        if (r >= 0 && sym_xmlTextWriterEndDocument(w) < 0)
                r = -EIO;
        return r;
}
