/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared JSON helpers of the reports; every object here is built from results alone, so the tests
 * read it back from fixture data. */
#include <time.h>

#include "config.h"
#include "macro.h"
#include "report-env.h"
#include "report-json.h"

/* Each style's name (--json=NAME) and json-c's flags for it; slashes stay as they are in both
 * (paths, cgroups, units). */
static const struct {
        const char *name;
        int flags;
} json_styles[_TS_JSON_STYLE_MAX] = {
        [TS_JSON_PRETTY] = { "pretty", JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE },
        [TS_JSON_SHORT] = { "short", JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE },
};

TsJsonStyle ts_json_style_from_string(const char *s) {
        for (TsJsonStyle i = 0; s && i < _TS_JSON_STYLE_MAX; i++)
                if (streq(json_styles[i].name, s))
                        return i;
        return _TS_JSON_STYLE_INVALID;
}

json_object *ts_json_u64_or_max(uint64_t v) {
        return v == UINT64_MAX ? json_object_new_string("max") : json_object_new_uint64(v);
}

json_object *ts_json_string(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

json_object *ts_json_string_or_null(const char *s) {
        return s && *s ? json_object_new_string(s) : NULL;
}

json_object *ts_json_timings(const TsTiming *t, size_t n, const char *(*name)(size_t i)) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                if (!t[i].done)
                        continue;
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(name(i)));
                json_object_object_add(o, "duration_ns", json_object_new_uint64(t[i].duration));
                json_object_array_add(a, o);
        }
        return a;
}

json_object *ts_json_samples(const TsSamples *s) {
        if (s->n == 0)
                return NULL;
        json_object *o = json_object_new_object();
        json_object *t = json_object_new_array_ext((int)s->n),
                    *current = json_object_new_array_ext((int)s->n),
                    *max = json_object_new_array_ext((int)s->n),
                    *events = json_object_new_array_ext((int)s->n);
        for (size_t i = 0; i < s->n; i++) {
                const TsSample *x = &s->samples[i];
                json_object_array_add(t, json_object_new_uint64(x->t));
                json_object_array_add(current, json_object_new_uint64(x->current));
                json_object_array_add(max, ts_json_u64_or_max(x->max));
                json_object_array_add(events, json_object_new_uint64(x->events_max));
        }
        json_object_object_add(o, "interval_ns", json_object_new_uint64(s->interval));
        json_object_object_add(o, "per_second", json_object_new_double(ts_samples_rate(s)));
        json_object_object_add(o, "missed", json_object_new_uint64(s->missed));
        json_object_object_add(o, "t_ns", t);
        json_object_object_add(o, "pids_current", current);
        json_object_object_add(o, "pids_max", max);
        json_object_object_add(o, "events_max", events);
        return o;
}

json_object *ts_json_report_new(const char *format, int version, const TsSysinfo *env,
                                const char *const *sandbox_verbs) {
        char now[64] = "";
        time_t t = time(NULL);
        struct tm tm;
        if (gmtime_r(&t, &tm))
                strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "format", json_object_new_string(format));
        json_object_object_add(o, "version", json_object_new_int(version));
        json_object_object_add(o, "taskstorm_version", json_object_new_string(TS_VERSION));
        json_object_object_add(o, "generated_at", json_object_new_string(now));
        json_object_object_add(o, "environment", ts_env_to_json(env, sandbox_verbs));
        return o;
}

int ts_json_write_and_put(FILE *out, json_object *o, TsJsonStyle style) {
        assert(style >= 0 && style < _TS_JSON_STYLE_MAX);
        const char *text = json_object_to_json_string_ext(o, json_styles[style].flags);
        if (text) {
                fputs(text, out);
                fputc('\n', out);
        }
        json_object_put(o);
        return text ? 0 : -ENOMEM;
}

int ts_json_write_file(const char *path, json_object *o) {
        return json_object_to_file_ext(path, o, json_styles[TS_JSON_PRETTY].flags) < 0 ? -EIO : 0;
}
