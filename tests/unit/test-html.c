/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The HTML page of a run report: self-contained (no URL, no script, no link), well formed enough for an
 * XML parser to read back, one series point per sample, report text escaped, and no crash on reports
 * with wrong types, missing keys or 100k samples. */
#include <check.h>
#include <dirent.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "fixture.h"
#include "html.h"

static json_object *fixture_json(const char *name) {
        _cleanup_(freep) char *text = fixture_read(name);
        json_object *o = json_tokener_parse(text);
        ck_assert_msg(o, "fixture %s is not JSON", name);
        return o;
}

static char *make_temp_dir(void) {
        char *dir = strdup("/tmp/test-html-XXXXXX");
        ck_assert_ptr_nonnull(dir);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        return dir;
}

/* The names in dir, to find temporary files left behind. */
static size_t count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;

        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static void remove_dir(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        char path[PATH_MAX];

        if (!d)
                return;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
                        (void)unlink(path);
                }
        closedir(d);
        (void)rmdir(dir);
}

/* Renders report into a fresh directory and returns the page; the directory must hold the page only. */
static char *render(json_object *report) {
        _cleanup_(freep) char *dir = make_temp_dir();
        char path[PATH_MAX];
        char *page = NULL;

        snprintf(path, sizeof path, "%s/report.html", dir);
        int r = ts_html_write(path, report);
        ck_assert_msg(r == 0, "ts_html_write: %s", strerror(-r));
        ck_assert_uint_eq(count_entries(dir), 1);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_uint_eq(st.st_mode & 0777, 0644);
        ck_assert_int_ge(ts_read_full_file(path, 64 << 20, &page, NULL), 0);
        remove_dir(dir);
        return page;
}

static size_t count(const char *haystack, const char *needle) {
        size_t n = 0;
        for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

static void assert_self_contained(const char *page) {
        static const char *const forbidden[] = {
                "http://", "https://", "src=", "<script", "<link", "<iframe", "<img", "@import", "url(",
        };

        ck_assert_msg(strneq(page, "<!DOCTYPE html>", STRLEN("<!DOCTYPE html>")), "starts with %.20s", page);
        for (size_t i = 0; i < ELEMENTSOF(forbidden); i++)
                ck_assert_msg(!strcasestr(page, forbidden[i]), "page contains %s", forbidden[i]);
        ck_assert_msg(!strstr(page, "<svg xmlns"), "inline SVG needs no namespace");
}

/* HTML elements must not self-close ("<div/>" opens a div in HTML); void and SVG elements may. The
 * writer escapes '<' and '>' in attribute values, so "/>" always ends a tag. */
static void assert_no_self_closed_html(const char *page) {
        static const char *const may_self_close[] = { "meta", "line", "polyline", "path" };

        for (const char *end = page; (end = strstr(end, "/>")); end += 2) {
                const char *start = end;
                while (start > page && *start != '<')
                        start--;
                size_t n = strcspn(start + 1, " \t\n/>");
                bool ok = false;
                for (size_t i = 0; i < ELEMENTSOF(may_self_close); i++)
                        ok = ok ||
                             (strlen(may_self_close[i]) == n && strneq(start + 1, may_self_close[i], n));
                ck_assert_msg(ok, "self-closed element: %.*s", (int)(end - start + 2), start);
        }
}

/* The page read back as XML: it is written as well-formed XHTML syntax, which makes the structure
 * checkable. */
static xmlDocPtr parse(const char *page) {
        xmlDocPtr doc =
                xmlReadMemory(page, (int)strlen(page), "report.html", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
        ck_assert_msg(doc, "the page is not well formed");
        return doc;
}

static xmlXPathObjectPtr query(xmlDocPtr doc, const char *expression) {
        xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
        ck_assert_ptr_nonnull(ctx);
        xmlXPathObjectPtr result = xmlXPathEvalExpression(BAD_CAST expression, ctx);
        xmlXPathFreeContext(ctx);
        ck_assert_msg(result, "bad XPath %s", expression);
        return result;
}

static int query_count(xmlDocPtr doc, const char *expression) {
        xmlXPathObjectPtr result = query(doc, expression);
        int n = result->nodesetval ? result->nodesetval->nodeNr : 0;
        xmlXPathFreeObject(result);
        return n;
}

/* The text of the first node the expression finds, or NULL. */
static char *query_text(xmlDocPtr doc, const char *expression) {
        xmlXPathObjectPtr result = query(doc, expression);
        char *s = NULL;
        if (result->nodesetval && result->nodesetval->nodeNr > 0)
                s = (char *)xmlNodeGetContent(result->nodesetval->nodeTab[0]);
        xmlXPathFreeObject(result);
        return s;
}

/* Counts the "x,y" points of a points attribute, asserting each lies in the chart and, for reports whose
 * times only grow, that x never goes back. */
static size_t count_points(const char *points, bool growing) {
        size_t n = 0;
        double last_x = -1;

        for (const char *p = points; *p;) {
                char *end;
                double x = strtod(p, &end);
                ck_assert_msg(end != p && *end == ',', "bad point at '%.20s'", p);
                p = end + 1;
                double y = strtod(p, &end);
                ck_assert_msg(end != p && (*end == ' ' || *end == '\0'), "bad point at '%.20s'", p);
                p = *end ? end + 1 : end;
                ck_assert_msg(x >= 0 && x <= 860 && y >= 0 && y <= 300, "point %g,%g outside the chart", x,
                              y);
                ck_assert_msg(!growing || x >= last_x, "x goes back: %g after %g", x, last_x);
                last_x = x;
                n++;
        }
        return n;
}

/* Every series holds exactly data-samples points; returns the point counts in page order. */
static size_t series_points(xmlDocPtr doc, bool growing, size_t *ret, size_t max) {
        xmlXPathObjectPtr result = query(doc, "//polyline[@class='series']");
        size_t n = result->nodesetval ? (size_t)result->nodesetval->nodeNr : 0;

        ck_assert_uint_le(n, max);
        for (size_t i = 0; i < n; i++) {
                xmlNodePtr node = result->nodesetval->nodeTab[i];
                xmlChar *points = xmlGetProp(node, BAD_CAST "points");
                xmlChar *samples = xmlGetProp(node, BAD_CAST "data-samples");
                ck_assert_ptr_nonnull(points);
                ck_assert_ptr_nonnull(samples);
                ret[i] = count_points((const char *)points, growing);
                ck_assert_uint_eq(ret[i], strtoul((const char *)samples, NULL, 10));
                xmlFree(points);
                xmlFree(samples);
        }
        xmlXPathFreeObject(result);
        return n;
}

static size_t samples_in(json_object *report, size_t scenario, const char *part) {
        json_object *s = json_object_array_get_idx(json_object_object_get(report, "scenarios"), scenario);
        json_object *samples = json_object_object_get(json_object_object_get(s, part), "samples");
        return json_object_array_length(json_object_object_get(samples, "pids_current"));
}

START_TEST(test_small_self_contained) {
        json_object *report = fixture_json("reports/small.json");
        _cleanup_(freep) char *page = render(report);

        assert_self_contained(page);
        assert_no_self_closed_html(page);
        ck_assert_uint_eq(count(page, "<svg class=\"timeline\""), 2);
        ck_assert_uint_eq(count(page, "<svg class=\"phases\""), 2);
        ck_assert_uint_eq(count(page, "<style>"), 1);
        ck_assert_ptr_nonnull(strstr(page, "<meta charset=\"utf-8\"/>"));

        xmlDocPtr doc = parse(page);
        ck_assert_int_eq(query_count(doc, "//section[@class='scenario']"), 3);
        ck_assert_int_eq(query_count(doc, "//table[@class='summary']/tbody/tr"), 3);
        ck_assert_int_eq(query_count(doc, "//svg[@class='timeline']/title"), 2);
        ck_assert_int_eq(query_count(doc, "//svg[@class='timeline']//g[@class='legend']"), 2);
        /* Verdict badges: a class per verdict, in the summary and in each section's header. */
        ck_assert_int_eq(query_count(doc, "//span[@class='verdict verdict-pass']"), 2 + 2 + 1);
        ck_assert_int_eq(query_count(doc, "//span[@class='verdict verdict-skip']"), 1 + 1 + 1);
        /* The environment, and the links from the summary to the sections. */
        _cleanup_(freep) char *systemd =
                query_text(doc, "//table[@class='environment']//tr[th='systemd']/td");
        ck_assert_str_eq(systemd, "252.36-1~deb12u1");
        _cleanup_(freep) char *tasks_max =
                query_text(doc, "//table[@class='environment']//tr[th='DefaultTasksMax']/td");
        ck_assert_str_eq(tasks_max, "4915");
        ck_assert_int_eq(query_count(doc, "//a[@href='#scenario-2']"), 1);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-2']"), 1);
        xmlFreeDoc(doc);
        json_object_put(report);
}
END_TEST

START_TEST(test_small_one_point_per_sample) {
        json_object *report = fixture_json("reports/small.json");
        _cleanup_(freep) char *page = render(report);
        xmlDocPtr doc = parse(page);
        size_t points[4];

        ck_assert_uint_eq(series_points(doc, true, points, ELEMENTSOF(points)), 2);
        ck_assert_uint_eq(points[0], samples_in(report, 0, "storm"));
        ck_assert_uint_eq(points[1], samples_in(report, 1, "loop"));
        ck_assert_uint_eq(points[0], 50);
        ck_assert_uint_eq(points[1], 200);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-1']//polyline[@data-samples='50']"), 1);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-2']//polyline[@data-samples='200']"), 1);

        /* The storm's limit is one unbroken line; the loop's stops where pids.max becomes "max". */
        _cleanup_(freep) char *storm_limit =
                query_text(doc, "//section[@id='scenario-1']//path[@class='limit']/@d");
        _cleanup_(freep) char *loop_limit =
                query_text(doc, "//section[@id='scenario-2']//path[@class='limit']/@d");
        ck_assert_ptr_nonnull(storm_limit);
        ck_assert_ptr_nonnull(loop_limit);
        ck_assert_uint_eq(count(storm_limit, "M"), 1);
        ck_assert_uint_eq(count(loop_limit, "M"), 1);
        ck_assert_uint_eq(count(loop_limit, "V"), 0);
        ck_assert_int_eq(
                query_count(doc, "//section[@id='scenario-2']//g[@class='legend']/text[contains(., 'gap')]"),
                1);
        xmlFreeDoc(doc);
        json_object_put(report);
}
END_TEST

START_TEST(test_small_markers_and_regions) {
        json_object *report = fixture_json("reports/small.json");
        _cleanup_(freep) char *page = render(report);
        xmlDocPtr doc = parse(page);

        ck_assert_uint_ge(count(page, "class=\"marker\" data-marker=\"first-eagain\""), 2);
        ck_assert_uint_eq(count(page, "class=\"marker\" data-marker=\"fix\""), 1);
        ck_assert_uint_eq(count(page, "class=\"marker\" data-marker=\"recovered\""), 1);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-1']//g[@class='marker']"), 1);
        ck_assert_int_eq(
                query_count(doc, "//section[@id='scenario-1']//g[@data-marker='first-eagain']/line"), 1);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-2']//g[@class='marker']"), 3);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-2']//rect[@data-region='before-fix']"),
                         1);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-2']//rect[@data-region='after-fix']"), 1);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-2']//text[.='before fix']"), 1);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-2']//text[.='after fix']"), 1);

        /* The fix marker sits where set-property starts: 520 ms of a 1200 ms axis. */
        _cleanup_(freep) char *x = query_text(doc, "//g[@data-marker='fix']/line/@x1");
        ck_assert_ptr_nonnull(x);
        ck_assert_double_eq_tol(strtod(x, NULL), 64 + 520.0 / 1200 * 780, 0.1);

        /* The SKIP: header and reason, nothing drawn. */
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-3']//svg"), 0);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-3']//dl"), 0);
        xmlFreeDoc(doc);
        json_object_put(report);
}
END_TEST

START_TEST(test_small_phases) {
        json_object *report = fixture_json("reports/small.json");
        _cleanup_(freep) char *page = render(report);
        xmlDocPtr doc = parse(page);

        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-1']//svg[@class='phases']/rect"), 4);
        ck_assert_int_eq(query_count(doc, "//section[@id='scenario-2']//svg[@class='phases']/rect"), 9);
        ck_assert_int_eq(
                query_count(doc, "//section[@id='scenario-2']//table[@class='phase-table']/tbody/tr"), 9);
        _cleanup_(freep) char *title =
                query_text(doc, "//svg[@class='phases']/rect[@data-phase='storm']/title");
        ck_assert_str_eq(title, "storm: 30.2 ms");

        /* The bar fills the width and each phase is visible. */
        xmlXPathObjectPtr rects = query(doc, "//section[@id='scenario-2']//svg[@class='phases']/rect");
        double total = 0;
        for (int i = 0; i < rects->nodesetval->nodeNr; i++) {
                xmlChar *width = xmlGetProp(rects->nodesetval->nodeTab[i], BAD_CAST "width");
                double w = strtod((const char *)width, NULL);
                ck_assert_double_ge(w, 1);
                total += w;
                xmlFree(width);
        }
        ck_assert_double_eq_tol(total, 860, 0.1);
        xmlXPathFreeObject(rects);

        /* Key figures. */
        _cleanup_(freep) char *errno_name = query_text(
                doc, "//dl[@class='figures']/dt[.='first failure errno']/following-sibling::dd[1]");
        ck_assert_str_eq(errno_name, "EAGAIN");
        _cleanup_(freep) char *remedy =
                query_text(doc, "//dl[@class='figures']/dt[.='remedy TasksMax']/following-sibling::dd[1]");
        ck_assert_str_eq(remedy, "infinity");
        xmlFreeDoc(doc);
        json_object_put(report);
}
END_TEST

START_TEST(test_small_escaping) {
        json_object *report = fixture_json("reports/small.json");
        _cleanup_(freep) char *page = render(report);
        json_object *skip = json_object_array_get_idx(json_object_object_get(report, "scenarios"), 2);

        ck_assert_ptr_nonnull(strstr(page, "&lt;script&gt;alert("));
        ck_assert_ptr_null(strstr(page, "<script"));
        ck_assert_ptr_null(strstr(page, "<needs>"));
        ck_assert_ptr_null(strstr(page, "<b>bold"));

        /* What the page says is exactly what the report says, whatever the characters. */
        xmlDocPtr doc = parse(page);
        _cleanup_(freep) char *reason = query_text(doc, "//section[@id='scenario-3']/p[@class='reason']");
        ck_assert_str_eq(reason, json_object_get_string(json_object_object_get(skip, "reason")));
        _cleanup_(freep) char *summary_reason =
                query_text(doc, "//table[@class='summary']/tbody/tr[3]/td[@class='reason']");
        ck_assert_str_eq(summary_reason, reason);
        _cleanup_(freep) char *description =
                query_text(doc, "//section[@id='scenario-3']/p[@class='description']");
        ck_assert_str_eq(description, json_object_get_string(json_object_object_get(skip, "description")));
        _cleanup_(freep) char *name = query_text(doc, "//table[@class='summary']/tbody/tr[3]/td[1]/a");
        ck_assert_str_eq(name, json_object_get_string(json_object_object_get(skip, "name")));
        xmlFreeDoc(doc);
        json_object_put(report);
}
END_TEST

START_TEST(test_broken_types) {
        json_object *report = fixture_json("reports/broken-types.json");
        _cleanup_(freep) char *page = render(report);
        size_t points[16];

        assert_self_contained(page);
        assert_no_self_closed_html(page);
        for (const char *p = page; *p; p++)
                ck_assert_msg((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t' || *p == '\r',
                              "control character 0x%02x in the page", (unsigned)*p);
        ck_assert_ptr_nonnull(strstr(page, "controls \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd[31m"));
        ck_assert_ptr_nonnull(strstr(page, "unknown"));

        xmlDocPtr doc = parse(page);
        ck_assert_int_eq(query_count(doc, "//section[@class='scenario']"), 7);
        /* Each series holds data-samples points (checked in series_points()): the samples whose time
         * and pids.current are both numbers. */
        ck_assert_uint_eq(series_points(doc, false, points, ELEMENTSOF(points)), 6);
        ck_assert_uint_eq(points[0], 4);
        ck_assert_uint_eq(points[1], 1);
        ck_assert_uint_eq(points[2], 3);
        ck_assert_uint_eq(points[3], 2);
        ck_assert_uint_eq(points[4], 3);
        ck_assert_uint_eq(points[5], 4);
        ck_assert_int_eq(query_count(doc, "//g[@class='legend']/text[.='no limit (pids.max is max)']"), 1);
        /* Failed again: no "recovered"; a set-property phase without a duration still marks the fix. */
        ck_assert_int_eq(query_count(doc, "//g[@data-marker='recovered']"), 0);
        ck_assert_int_eq(query_count(doc, "//g[@data-marker='fix']"), 1);
        _cleanup_(freep) char *kernel = query_text(doc, "//table[@class='environment']//tr[th='kernel']/td");
        ck_assert_str_eq(kernel, "unknown");
        _cleanup_(freep) char *systemd =
                query_text(doc, "//table[@class='environment']//tr[th='systemd']/td");
        ck_assert_str_eq(systemd, "252");
        xmlFreeDoc(doc);
        json_object_put(report);
}
END_TEST

START_TEST(test_empty_and_odd_reports) {
        static const char *const reports[] = {
                "{}",
                "{\"scenarios\": {}}",
                "{\"scenarios\": [{\"storm\": {\"samples\": {}}, \"loop\": {\"samples\": null}}]}",
                "{\"scenarios\": [{\"storm\": {\"samples\": "
                "{\"t_ns\": [1], \"pids_current\": [NaN], \"pids_max\": [Infinity]}}}]}",
        };

        for (size_t i = 0; i < ELEMENTSOF(reports); i++) {
                json_object *report = json_tokener_parse(reports[i]);
                ck_assert_msg(report, "%s", reports[i]);
                _cleanup_(freep) char *page = render(report);
                assert_self_contained(page);
                xmlFreeDoc(parse(page));
                ck_assert_uint_eq(count(page, "class=\"series\""), 0);
                json_object_put(report);
        }
}
END_TEST

START_TEST(test_huge) {
        const size_t n = 100000;
        json_object *t = json_object_new_array_ext((int)n), *current = json_object_new_array_ext((int)n);
        json_object *max = json_object_new_array_ext((int)n);

        for (size_t i = 0; i < n; i++) {
                json_object_array_add(t, json_object_new_int64((int64_t)i * 10000));
                json_object_array_add(current, json_object_new_int64((int64_t)(i % 5000)));
                json_object_array_add(max, i % 20000 < 10000 ? json_object_new_int64(4096)
                                                             : json_object_new_string("max"));
        }
        json_object *samples = json_object_new_object(), *storm = json_object_new_object();
        json_object *scenario = json_object_new_object(), *scenarios = json_object_new_array();
        json_object *report = json_object_new_object();
        json_object_object_add(samples, "t_ns", t);
        json_object_object_add(samples, "pids_current", current);
        json_object_object_add(samples, "pids_max", max);
        json_object_object_add(storm, "samples", samples);
        json_object_object_add(scenario, "name", json_object_new_string("huge"));
        json_object_object_add(scenario, "storm", storm);
        json_object_array_add(scenarios, scenario);
        json_object_object_add(report, "scenarios", scenarios);

        _cleanup_(freep) char *page = render(report);
        xmlDocPtr doc = parse(page);
        size_t points[1];
        ck_assert_uint_eq(series_points(doc, true, points, 1), 1);
        ck_assert_uint_eq(points[0], n);
        /* Five stretches with a limit of 4096, each followed by a gap. */
        _cleanup_(freep) char *limit = query_text(doc, "//path[@class='limit']/@d");
        ck_assert_uint_eq(count(limit, "M"), 5);
        xmlFreeDoc(doc);
        json_object_put(report);
}
END_TEST

START_TEST(test_errors_leave_no_file) {
        _cleanup_(freep) char *dir = make_temp_dir();
        json_object *report = json_tokener_parse("{\"scenarios\": []}");
        json_object *array = json_object_new_array();
        char path[PATH_MAX];

        ck_assert_int_eq(ts_html_write(NULL, report), -EINVAL);
        snprintf(path, sizeof path, "%s/report.html", dir);
        ck_assert_int_eq(ts_html_write(path, NULL), -EINVAL);
        ck_assert_int_eq(ts_html_write(path, array), -EINVAL);
        snprintf(path, sizeof path, "%s/missing/report.html", dir);
        ck_assert_int_eq(ts_html_write(path, report), -ENOENT);
        ck_assert_uint_eq(count_entries(dir), 0);

        /* Renaming over a directory fails after the page was written: the temporary file goes. */
        snprintf(path, sizeof path, "%s/report.html", dir);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        ck_assert_int_lt(ts_html_write(path, report), 0);
        ck_assert_uint_eq(count_entries(dir), 1);
        ck_assert_int_eq(rmdir(path), 0);

        /* An old page is replaced whole. */
        FILE *f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs("old page", f);
        fclose(f);
        ck_assert_int_eq(ts_html_write(path, report), 0);
        _cleanup_(freep) char *page = NULL;
        ck_assert_int_ge(ts_read_full_file(path, 1 << 20, &page, NULL), 0);
        ck_assert(strneq(page, "<!DOCTYPE html>", STRLEN("<!DOCTYPE html>")));
        ck_assert_uint_eq(count_entries(dir), 1);

        remove_dir(dir);
        json_object_put(array);
        json_object_put(report);
}
END_TEST

static Suite *html_suite(void) {
        Suite *s = suite_create("html");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_small_self_contained);
        tcase_add_test(tc, test_small_one_point_per_sample);
        tcase_add_test(tc, test_small_markers_and_regions);
        tcase_add_test(tc, test_small_phases);
        tcase_add_test(tc, test_small_escaping);
        tcase_add_test(tc, test_broken_types);
        tcase_add_test(tc, test_empty_and_odd_reports);
        tcase_add_test(tc, test_huge);
        tcase_add_test(tc, test_errors_leave_no_file);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(html_suite());
}
