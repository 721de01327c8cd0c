/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the tests of harness/report/ share: a FILE that keeps what a printer writes, JSON read back
 * as a consumer reads it (the printed text parsed again, values picked by JSON pointer), and JUnit
 * read back with libxml2's XPath. */
#pragma once

#include <json-c/json.h>
#include <json-c/json_pointer.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdio.h>

#include "fixture.h"
#include "report-json.h"

typedef struct Capture {
        FILE *file;
        char *text;
        size_t size;
} Capture;

static inline FILE *capture_start(Capture *c) {
        *c = (Capture){};
        c->file = open_memstream(&c->text, &c->size);
        ck_assert_ptr_nonnull(c->file);
        return c->file;
}

/* What was written since capture_start(), to be freed. */
static inline char *capture_end(Capture *c) {
        ck_assert_int_eq(fclose(c->file), 0);
        return c->text;
}

/* o as ts_json_write_and_put() prints it (which takes o's reference), parsed back. */
static inline json_object *json_reparse(json_object *o) {
        Capture c;
        ck_assert_int_eq(ts_json_write_and_put(capture_start(&c), o, TS_JSON_PRETTY), 0);
        _cleanup_(freep) char *text = capture_end(&c);
        ck_assert_msg(text[strlen(text) - 1] == '\n', "no newline after the JSON");
        json_object *back = json_tokener_parse(text);
        ck_assert_msg(back, "not JSON: %s", text);
        return back;
}

/* The value at pointer ("/units/0/verdict"); NULL for a JSON null. Fails the test where there is none. */
static inline json_object *jget(json_object *o, const char *pointer) {
        json_object *v = NULL;
        ck_assert_msg(json_pointer_get(o, pointer, &v) == 0, "no %s in %s", pointer,
                      json_object_to_json_string(o));
        return v;
}

static inline bool jhas(json_object *o, const char *pointer) {
        json_object *v;
        return json_pointer_get(o, pointer, &v) == 0;
}

/* The value at pointer, which must be of that type. */
static inline json_object *jtyped(json_object *o, const char *pointer, json_type type) {
        json_object *v = jget(o, pointer);
        ck_assert_msg(json_object_is_type(v, type), "%s is not of type %s", pointer,
                      json_type_to_name(type));
        return v;
}

static inline const char *jstr(json_object *o, const char *pointer) {
        return json_object_get_string(jtyped(o, pointer, json_type_string));
}

static inline int64_t jint(json_object *o, const char *pointer) {
        return json_object_get_int64(jtyped(o, pointer, json_type_int));
}

static inline bool jbool(json_object *o, const char *pointer) {
        return json_object_get_boolean(jtyped(o, pointer, json_type_boolean));
}

static inline size_t jlen(json_object *o, const char *pointer) {
        return json_object_array_length(jtyped(o, pointer, json_type_array));
}

static inline void jnull(json_object *o, const char *pointer) {
        ck_assert_msg(!jget(o, pointer), "%s is not null", pointer);
}

/* A fresh path in /tmp for a report file; name is its last component. */
static inline void temp_path(char *buf, size_t size, const char *name) {
        char dir[] = "/tmp/test-report-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(buf, size, "%s/%s", dir, name);
}

/* Removes a file of temp_path() and its directory. */
static inline void temp_remove(const char *path) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", path);
        (void)unlink(path);
        *strrchr(dir, '/') = 0;
        (void)rmdir(dir);
}

/* A written XML file read back (it must be well-formed), and the file removed. */
static inline xmlDocPtr xml_read_and_remove(const char *path) {
        xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
        ck_assert_msg(doc, "%s is not well-formed XML", path);
        temp_remove(path);
        return doc;
}

/* The text of an XPath expression on a parsed document ("string(/testsuites/@tests)"), to be freed. */
static inline char *xpath_string(xmlDocPtr doc, const char *expr) {
        xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
        ck_assert_ptr_nonnull(ctx);
        xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, ctx);
        ck_assert_msg(r, "bad XPath %s", expr);
        char *s = (char *)xmlXPathCastToString(r);
        xmlXPathFreeObject(r);
        xmlXPathFreeContext(ctx);
        ck_assert_ptr_nonnull(s);
        return s;
}

static inline void assert_xpath(xmlDocPtr doc, const char *expr, const char *want) {
        char *got = xpath_string(doc, expr);
        ck_assert_msg(streq(got, want), "%s is '%s', wanted '%s'", expr, got, want);
        xmlFree(got);
}

/* The counts JUnit readers show, on the testsuites root: tests, failures, skipped, errors. */
static inline void assert_junit_counts(xmlDocPtr doc, const char *tests, const char *failures,
                                       const char *skipped, const char *errors) {
        assert_xpath(doc, "string(/testsuites/@tests)", tests);
        assert_xpath(doc, "string(/testsuites/@failures)", failures);
        assert_xpath(doc, "string(/testsuites/@skipped)", skipped);
        assert_xpath(doc, "string(/testsuites/@errors)", errors);
}
