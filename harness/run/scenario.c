/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scenario files: the text is checked first (size, NUL bytes, UTF-8, line length, indentation), then
 * inih splits it into sections and keys, and one table says what each key means. Every failure becomes
 * one TsScenarioError naming the file, the line and the key. */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <strings.h>

#include <ini.h>

#include "diagnosis.h"
#include "fileio.h"
#include "macro.h"
#include "scenario.h"
#include "stack.h"
#include "unit.h"

#define SCENARIO_SIZE_MAX ((size_t)64 * 1024)
/* inih reads lines into a buffer of INI_MAX_LINE bytes, which must also hold "\r\n" and the NUL. A longer
 * line is cut and its rest dropped without an error, so such lines are refused before inih sees them. */
#define SCENARIO_LINE_MAX (INI_MAX_LINE - 3)
#define SCENARIO_SUFFIX ".scenario"
#define HOLD_MAX (10 * 60 * USEC_PER_SEC)
#define MAX_TASKS_DEFAULT 4096
/* inih treats a line starting with one of these (after blanks) as a comment. */
#define COMMENT_PREFIXES ";#"

/* inih's isspace() for the start of a line, in the C locale. */
static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_control(char c) {
        return (unsigned char)c < 0x20 || c == 0x7f;
}

/* A copy of s with control characters written as \xNN, so text from a file cannot break an error
 * message onto two lines or into terminal escapes. */
static char *escape_control(const char *s) {
        size_t n = 0;
        for (const char *p = s; *p; p++)
                n += is_control(*p) ? 4 : 1;

        char *e = malloc(n + 1), *q = e;
        if (!e)
                return NULL;
        for (const char *p = s; *p; p++) {
                if (is_control(*p)) {
                        snprintf(q, 5, "\\x%02x", (unsigned)(unsigned char)*p);
                        q += 4;
                } else
                        *q++ = *p;
        }
        *q = 0;
        return e;
}

/* "a, b or c" into buf, each word in brackets when bracket is set ("[Unit]"). */
static void join_words(char *buf, size_t size, const char *const *words, size_t n, bool bracket) {
        size_t used = 0;
        buf[0] = 0;
        for (size_t i = 0; i < n && used < size; i++) {
                const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
                int k = snprintf(buf + used, size - used, bracket ? "%s[%s]" : "%s%s", sep, words[i]);
                if (k < 0)
                        return;
                used += (size_t)k;
        }
}

/* Parsers for the values of keys. Each fills its field, or says in why what is wrong (the caller
 * adds the value itself), and returns a negative errno. */
typedef int (*ValueParser)(const char *value, void *field, char *why, size_t why_size);

static int parse_number(const char *value, uint64_t min, uint64_t max, uint64_t *ret, char *why,
                        size_t why_size) {
        uint64_t v;
        int r = ts_safe_atou64(value, &v);
        if (r == -ERANGE || (r >= 0 && v > max)) {
                snprintf(why, why_size, "out of range (at most %" PRIu64 ")", max);
                return -ERANGE;
        }
        if (r < 0) {
                snprintf(why, why_size, "expected a decimal number");
                return -EINVAL;
        }
        if (v < min) {
                snprintf(why, why_size, "must be at least %" PRIu64, min);
                return -ERANGE;
        }
        *ret = v;
        return 0;
}

static int parse_u64(const char *value, void *field, char *why, size_t why_size) {
        return parse_number(value, 0, UINT64_MAX, field, why, why_size);
}

static int parse_u64_positive(const char *value, void *field, char *why, size_t why_size) {
        return parse_number(value, 1, UINT64_MAX, field, why, why_size);
}

static int parse_unsigned_positive(const char *value, void *field, char *why, size_t why_size) {
        uint64_t v;
        int r = parse_number(value, 1, UINT_MAX, &v, why, why_size);
        if (r < 0)
                return r;
        *(unsigned *)field = (unsigned)v;
        return 0;
}

static const struct {
        const char *word;
        bool value;
} booleans[] = {
        { "yes", true }, { "no", false }, { "true", true }, { "false", false },
        { "1", true },   { "0", false },  { "on", true },   { "off", false },
};

static int parse_bool(const char *value, void *field, char *why, size_t why_size) {
        for (size_t i = 0; i < ELEMENTSOF(booleans); i++)
                if (strcasecmp(value, booleans[i].word) == 0) {
                        *(bool *)field = booleans[i].value;
                        return 0;
                }
        snprintf(why, why_size, "expected yes, no, true, false, 1, 0, on or off");
        return -EINVAL;
}

static int parse_string(const char *value, void *field, char *why, size_t why_size) {
        char *s = strdup(value);
        if (!s)
                return -ENOMEM;
        *(char **)field = s;
        return 0;
}

/* Whitespace-separated words, as a NULL-terminated array. */
static int parse_words(const char *value, void *field, char *why, size_t why_size) {
        static const char blanks[] = " \t";
        size_t n = 0;
        for (const char *p = value + strspn(value, blanks); *p; p += strspn(p, blanks)) {
                n++;
                p += strcspn(p, blanks);
        }

        _cleanup_(strv_freep) char **words = calloc(n + 1, sizeof(char *));
        if (!words)
                return -ENOMEM;
        size_t i = 0;
        for (const char *p = value + strspn(value, blanks); *p; p += strspn(p, blanks)) {
                size_t k = strcspn(p, blanks);
                words[i] = strndup(p, k);
                if (!words[i])
                        return -ENOMEM;
                i++;
                p += k;
        }
        *(char ***)field = TAKE_PTR(words);
        return 0;
}

static int parse_version(const char *value, void *field, char *why, size_t why_size) {
        if (!ascii_digit(value[0])) {
                snprintf(why, why_size, "must start with a digit (a version such as 227 or 252.38)");
                return -EINVAL;
        }
        return parse_string(value, field, why, why_size);
}

static int parse_cgroup_modes(const char *value, void *field, char *why, size_t why_size) {
        static const char blanks[] = " \t";
        unsigned mask = 0;

        for (const char *p = value + strspn(value, blanks); *p; p += strspn(p, blanks)) {
                size_t k = strcspn(p, blanks);
                TsCgroupMode m = _TS_CGROUP_MODE_INVALID;
                for (TsCgroupMode i = 0; i < _TS_CGROUP_MODE_MAX; i++) {
                        const char *name = ts_cgroup_mode_to_string(i);
                        if (strlen(name) == k && strneq(p, name, k))
                                m = i;
                }
                if (m < 0) {
                        const char *names[_TS_CGROUP_MODE_MAX];
                        for (TsCgroupMode i = 0; i < _TS_CGROUP_MODE_MAX; i++)
                                names[i] = ts_cgroup_mode_to_string(i);
                        char list[128];
                        join_words(list, sizeof list, names, ELEMENTSOF(names), false);
                        snprintf(why, why_size, "expected cgroup modes out of %s, separated by spaces",
                                 list);
                        return -EINVAL;
                }
                mask |= 1u << m;
                p += k;
        }
        *(unsigned *)field = mask;
        return 0;
}

static int parse_pids_controller(const char *value, void *field, char *why, size_t why_size) {
        if (streq(value, "enforced"))
                *(bool *)field = true;
        else if (streq(value, "any"))
                *(bool *)field = false;
        else {
                snprintf(why, why_size, "expected enforced or any");
                return -EINVAL;
        }
        return 0;
}

static int parse_tasks_limit(const char *value, void *field, char *why, size_t why_size) {
        TsTasksLimit limit;
        int r = ts_tasks_limit_parse(value, &limit);
        if (r == -ERANGE) {
                uint64_t v;
                if (endswith(value, "%"))
                        snprintf(why, why_size, "a percentage must be more than 0%% and at most 100%%");
                else if (ts_safe_atou64(value, &v) >= 0 && v == 0)
                        snprintf(why, why_size, "must be at least 1");
                else
                        snprintf(why, why_size, "out of range (use infinity for no limit)");
                return r;
        }
        if (r < 0) {
                snprintf(why, why_size, "expected a number of tasks (N), a percentage (P%%) or infinity");
                return -EINVAL;
        }
        *(TsTasksLimit *)field = limit;
        return 0;
}

static int parse_storm_kind(const char *value, void *field, char *why, size_t why_size) {
        TsStormKind k = ts_storm_kind_from_string(value);
        if (k < 0) {
                const char *names[_TS_STORM_KIND_MAX];
                for (TsStormKind i = 0; i < _TS_STORM_KIND_MAX; i++)
                        names[i] = strempty(ts_storm_kind_to_string(i));
                char list[128];
                join_words(list, sizeof list, names, ELEMENTSOF(names), false);
                snprintf(why, why_size, "unknown storm kind (expected %s)", list);
                return -EINVAL;
        }
        *(TsStormKind *)field = k;
        return 0;
}

static int parse_hold(const char *value, void *field, char *why, size_t why_size) {
        int r = ts_parse_timespan(value, HOLD_MAX, field);
        if (r == -ENOMSG)
                snprintf(why, why_size,
                         "unknown time unit (expected us, ms, s, min, h, d, w, M or y; "
                         "a number alone means s)");
        else if (r == -ERANGE)
                snprintf(why, why_size, "must be at most 10min");
        else if (r < 0)
                snprintf(why, why_size, "expected a time span such as 500ms, 2s, 1.5s or 1min");
        return r;
}

/* Keys whose value fills more than one field. */
typedef int (*ValueSetter)(TsScenario *s, const char *value, char *why, size_t why_size);

static int set_slice_tasks_max(TsScenario *s, const char *value, char *why, size_t why_size) {
        int r = parse_tasks_limit(value, &s->slice_tasks_max, why, why_size);
        if (r < 0)
                return r;
        s->has_slice_tasks_max = true;
        return 0;
}

static int set_expect_tasks(TsScenario *s, const char *value, char *why, size_t why_size) {
        if (streq(value, "limit")) {
                s->expect_tasks = TS_EXPECT_TASKS_LIMIT;
                return 0;
        }
        int r = parse_u64(value, &s->expect_tasks_value, why, why_size);
        if (r == -EINVAL)
                snprintf(why, why_size, "expected a number of tasks or limit");
        if (r < 0)
                return r;
        s->expect_tasks = TS_EXPECT_TASKS_NUMBER;
        return 0;
}

static const char *const sections[] = { "Scenario", "Requires", "Unit",   "Storm",
                                        "Daemon",   "Remedy",   "Inject", "Expect" };

static int set_inject_what(TsScenario *s, const char *value, char *why, size_t why_size) {
        s->inject.what = ts_inject_what_from_string(value);
        if (s->inject.what < 0) {
                snprintf(why, why_size, "expected threads, processes or all");
                return -EINVAL;
        }
        return 0;
}

/* Nth=, After=, Every=: the policy and its number. */
static int set_inject_count(TsScenario *s, const char *value, TsInjectWhen when, char *why,
                            size_t why_size) {
        uint64_t n;
        int r = parse_u64_positive(value, &n, why, why_size);
        if (r < 0)
                return r;
        s->inject.policy.when = when;
        s->inject.policy.n = n;
        return 0;
}
static int set_inject_nth(TsScenario *s, const char *value, char *why, size_t why_size) {
        return set_inject_count(s, value, TS_INJECT_NTH, why, why_size);
}
static int set_inject_after(TsScenario *s, const char *value, char *why, size_t why_size) {
        return set_inject_count(s, value, TS_INJECT_AFTER, why, why_size);
}
static int set_inject_every(TsScenario *s, const char *value, char *why, size_t why_size) {
        return set_inject_count(s, value, TS_INJECT_EVERY, why, why_size);
}
static int set_inject_probability(TsScenario *s, const char *value, char *why, size_t why_size) {
        char *end = NULL;
        errno = 0;
        double p = strtod(value, &end);
        if (errno != 0 || !end || *end || end == value || !(p >= 0 && p <= 1)) {
                snprintf(why, why_size, "expected a probability from 0 to 1");
                return -EINVAL;
        }
        s->inject.policy.when = TS_INJECT_PROBABILITY;
        s->inject.policy.probability = p;
        return 0;
}
static int set_inject_seed(TsScenario *s, const char *value, char *why, size_t why_size) {
        return parse_u64(value, &s->inject.policy.rng, why, why_size);
}
static int set_inject_always(TsScenario *s, const char *value, char *why, size_t why_size) {
        bool b = false;
        int r = parse_bool(value, &b, why, why_size);
        if (r >= 0 && b)
                s->inject.policy.when = TS_INJECT_ALWAYS;
        return r;
}

static int parse_unit_name(const char *value, void *field, char *why, size_t why_size) {
        if (!ts_unit_name_valid(value)) {
                snprintf(why, why_size, "expected a unit name such as docker.service");
                return -EINVAL;
        }
        return parse_string(value, field, why, why_size);
}

static int parse_stack(const char *value, void *field, char *why, size_t why_size) {
        if (!ts_stack_find(value)) {
                snprintf(why, why_size, "unknown stack (%s)", ts_stack_names());
                return -EINVAL;
        }
        return parse_string(value, field, why, why_size);
}

/* A container's pids limit: a number of tasks or infinity (no percentage: a runtime takes none). */
static int set_remedy_container_pids_limit(TsScenario *s, const char *value, char *why, size_t why_size) {
        int r = parse_tasks_limit(value, &s->remedy_container_pids_limit, why, why_size);
        if (r >= 0 && s->remedy_container_pids_limit.kind == TS_TASKS_LIMIT_PERCENT) {
                snprintf(why, why_size,
                         "expected a number of tasks (N) or infinity: a runtime takes no percentage");
                return -EINVAL;
        }
        s->remedy_of_runtime = r >= 0;
        return r;
}

static int set_expect_cause(TsScenario *s, const char *value, char *why, size_t why_size) {
        TsCause c = ts_cause_from_string(value);
        if (c < 0) {
                snprintf(why, why_size,
                         "not a cause of check (unit-tasksmax, slice-tasksmax, container-pids-limit, ...)");
                return -EINVAL;
        }
        s->expect_cause = (int)c;
        return 0;
}

/* When a key must be given: always, in storm scenarios, or in daemon scenarios. */
enum { OPTIONAL, REQUIRED, REQUIRED_FOR_STORM, REQUIRED_FOR_DAEMON };

/* Every key a scenario may give: which section, how its value is read, and into which field. */
static const struct ScenarioKey {
        const char *section;
        const char *name;
        ValueParser parse; /* into the field at offset, */
        size_t offset;
        ValueSetter set; /* or, when parse is NULL, into the scenario */
        int required;    /* OPTIONAL, REQUIRED, REQUIRED_FOR_STORM or REQUIRED_FOR_DAEMON */
} scenario_keys[] = {
#define FIELD(f) .offset = offsetof(TsScenario, f)
        { "Scenario", "Description", parse_string, FIELD(description), .required = REQUIRED },
        { "Scenario", "Tags", parse_words, FIELD(tags) },
        { "Requires", "Root", parse_bool, FIELD(needs_root) },
        { "Requires", "SystemdVersion", parse_version, FIELD(min_systemd) },
        { "Requires", "CgroupMode", parse_cgroup_modes, FIELD(cgroup_modes) },
        { "Requires", "PidsController", parse_pids_controller, FIELD(needs_pids_enforced) },
        { "Unit", "TasksMax", parse_tasks_limit, FIELD(tasks_max), .required = REQUIRED_FOR_STORM },
        { "Unit", "SliceTasksMax", .set = set_slice_tasks_max },
        { "Storm", "Kind", parse_storm_kind, FIELD(kind), .required = REQUIRED_FOR_STORM },
        { "Storm", "Tasks", parse_u64_positive, FIELD(tasks) },
        { "Storm", "MaxTasks", parse_u64_positive, FIELD(max_tasks) },
        { "Storm", "Hold", parse_hold, FIELD(hold) },
        { "Storm", "StopAfterFailures", parse_unsigned_positive, FIELD(stop_after_failures) },
        { "Daemon", "Stack", parse_stack, FIELD(stack) },
        { "Daemon", "Unit", parse_unit_name, FIELD(daemon_unit), .required = REQUIRED_FOR_DAEMON },
        { "Daemon", "TasksMax", parse_tasks_limit, FIELD(daemon_tasks_max),
          .required = REQUIRED_FOR_DAEMON },
        { "Daemon", "Containers", parse_u64_positive, FIELD(containers), .required = REQUIRED_FOR_DAEMON },
        { "Daemon", "ContainerPidsLimit", parse_u64_positive, FIELD(container_pids_limit) },
        { "Daemon", "ContainerTasks", parse_u64_positive, FIELD(container_tasks) },
        { "Remedy", "TasksMax", parse_tasks_limit, FIELD(remedy_tasks_max) },
        { "Remedy", "Reload", parse_bool, FIELD(remedy_reload) },
        { "Remedy", "Restart", parse_bool, FIELD(remedy_restart) },
        { "Remedy", "ContainerPidsLimit", .set = set_remedy_container_pids_limit },
        { "Expect", "EAGAIN", parse_bool, FIELD(expect_eagain), .required = REQUIRED },
        { "Expect", "TasksAtFirstEAGAIN", .set = set_expect_tasks },
        { "Expect", "Tolerance", parse_u64, FIELD(tolerance) },
        { "Expect", "LimitHit", parse_bool, FIELD(expect_limit_hit) },
        { "Expect", "Cause", .set = set_expect_cause },
        { "Inject", "What", .set = set_inject_what },
        { "Inject", "Nth", .set = set_inject_nth },
        { "Inject", "After", .set = set_inject_after },
        { "Inject", "Every", .set = set_inject_every },
        { "Inject", "Probability", .set = set_inject_probability },
        { "Inject", "Seed", .set = set_inject_seed },
        { "Inject", "Always", .set = set_inject_always },
#undef FIELD
};

const char *ts_scenario_key_at(size_t i, const char **ret_section) {
        if (i >= ELEMENTSOF(scenario_keys))
                return NULL;
        *ret_section = scenario_keys[i].section;
        return scenario_keys[i].name;
}

static ssize_t section_index(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(sections); i++)
                if (streq(sections[i], name))
                        return (ssize_t)i;
        return -1;
}

static ssize_t key_index(const char *section, const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(scenario_keys); i++)
                if (streq(scenario_keys[i].section, section) && streq(scenario_keys[i].name, name))
                        return (ssize_t)i;
        return -1;
}

typedef struct ParseContext {
        const char *path;

        /* The text inih reads, line by line through read_line(), and the number of the line it read last,
         * which is the line of the key the handler is called for. */
        const char *next, *end;
        unsigned line;
        unsigned header_line; /* the last line opening a section */

        TsScenario *scenario;
        ssize_t section;                               /* the section of the keys seen last, -1 before */
        unsigned section_lines[ELEMENTSOF(sections)];  /* where each section was opened, 0: not yet */
        unsigned key_lines[ELEMENTSOF(scenario_keys)]; /* where each key was given, 0: not given */

        /* The first error: failed_line is the line of the handler call that failed, to tell it from a
         * syntax error inih found on an earlier line. r is set on errors other than the format's. */
        int r;
        unsigned failed_line;
        TsScenarioError error;
} ParseContext;

/* Records the first error and returns -EINVAL (or -ENOMEM). section and key may be NULL. */
_printf_(5, 6) static int context_fail(ParseContext *c, unsigned line, const char *section, const char *key,
                                       const char *format, ...) {
        _cleanup_(ts_scenario_error_done) TsScenarioError e = { .line = line };

        e.path = strdup(c->path);
        if (!e.path)
                return c->r = -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(e.path);
        if (section || key) {
                _cleanup_(freep) char *s = escape_control(strempty(section));
                _cleanup_(freep) char *k = escape_control(strempty(key));
                if (!s || !k)
                        return c->r = -ENOMEM; /* cppcheck-suppress memleak ; e's cleanup frees e.path */
                int n = !key                    ? asprintf(&e.key, "[%s]", s)
                        : !section || !*section ? asprintf(&e.key, "%s", k)
                                                : asprintf(&e.key, "[%s] %s", s, k);
                if (n < 0) {
                        e.key = NULL;
                        return c->r = -ENOMEM;
                }
        }

        va_list ap;
        va_start(ap, format);
        int n = vasprintf(&e.message, format, ap);
        va_end(ap);
        if (n < 0) {
                e.message = NULL;
                return c->r = -ENOMEM;
        }

        ts_scenario_error_done(&c->error);
        c->error = TAKE_STRUCT(e);
        return -EINVAL;
}

/* inih's reader: one line of the text per call (lines are short enough, see check_text()). */
static char *read_line(char *str, int num, void *stream) {
        ParseContext *c = stream;
        size_t n = 0;

        if (c->next >= c->end || num < 2)
                return NULL;
        while (c->next < c->end && n + 1 < (size_t)num) {
                char ch = *c->next++;
                str[n++] = ch;
                if (ch == '\n')
                        break;
        }
        str[n] = 0;
        c->line++;
        if (str[0] == '[')
                c->header_line = c->line;
        return str;
}

/* Called when the keys move to another section: refuses unknown ones and sections given twice. inih
 * does not report sections, so a header is only seen with its first key; empty sections pass. */
static int enter_section(ParseContext *c, const char *section) {
        if (!*section) {
                if (c->header_line > 0)
                        return context_fail(c, c->header_line, NULL, NULL, "empty section name");
                return context_fail(c, c->line, NULL, NULL, "key before the first [Section]");
        }

        ssize_t i = section_index(section);
        if (i < 0) {
                char list[128];
                join_words(list, sizeof list, sections, ELEMENTSOF(sections), true);
                return context_fail(c, c->header_line, section, NULL, "unknown section (expected %s)", list);
        }
        if (c->section_lines[i] > 0)
                return context_fail(c, c->header_line, section, NULL,
                                    "section given again (first at line %u): give each section once",
                                    c->section_lines[i]);
        c->section_lines[i] = c->header_line;
        c->section = i;
        return 0;
}

static int handle_key(ParseContext *c, const char *section, const char *name, const char *value) {
        if (c->section < 0 || !streq(sections[c->section], section)) {
                int r = enter_section(c, section);
                if (r < 0)
                        return r;
        }

        if (!*name)
                return context_fail(c, c->line, section, NULL, "no key name before '='");
        ssize_t i = key_index(section, name);
        if (i < 0) {
                const char *names[ELEMENTSOF(scenario_keys)];
                size_t n = 0;
                for (size_t j = 0; j < ELEMENTSOF(scenario_keys); j++)
                        if (streq(scenario_keys[j].section, section))
                                names[n++] = scenario_keys[j].name;
                char list[256];
                join_words(list, sizeof list, names, n, false);
                return context_fail(c, c->line, section, name, "unknown key (expected %s)", list);
        }
        const struct ScenarioKey *k = &scenario_keys[i];
        if (c->key_lines[i] > 0)
                return context_fail(c, c->line, section, name, "given twice (first at line %u)",
                                    c->key_lines[i]);
        c->key_lines[i] = c->line;

        if (!*value)
                return context_fail(c, c->line, section, name, "empty value");

        char why[256] = "";
        int r = k->parse ? k->parse(value, (uint8_t *)c->scenario + k->offset, why, sizeof why)
                         : k->set(c->scenario, value, why, sizeof why);
        if (r == -ENOMEM)
                return c->r = r;
        if (r < 0) {
                _cleanup_(freep) char *v = escape_control(value);
                if (!v)
                        return c->r = -ENOMEM;
                return context_fail(c, c->line, section, name, "%s, got \"%s\"", why, v);
        }
        return 0;
}

/* inih's handler: nonzero to go on. After the first error it only lets inih finish. */
static int ini_handler_cb(void *user, const char *section, const char *name, const char *value) {
        ParseContext *c = user;

        if (c->failed_line > 0 || c->r < 0)
                return 1;
        if (handle_key(c, section, name, value) < 0) {
                c->failed_line = c->line;
                return 0;
        }
        return 1;
}

/* Returns the offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
 * surrogates and code points above U+10FFFF are invalid), or size. */
static size_t utf8_invalid_offset(const char *text, size_t size) {
        const unsigned char *s = (const unsigned char *)text;

        for (size_t i = 0; i < size;) {
                unsigned char b = s[i];
                size_t len;
                uint32_t cp, min;

                if (b < 0x80) {
                        i++;
                        continue;
                }
                if ((b & 0xe0) == 0xc0)
                        len = 2, cp = b & 0x1f, min = 0x80;
                else if ((b & 0xf0) == 0xe0)
                        len = 3, cp = b & 0x0f, min = 0x800;
                else if ((b & 0xf8) == 0xf0)
                        len = 4, cp = b & 0x07, min = 0x10000;
                else
                        return i;
                if (len > size - i)
                        return i;
                for (size_t k = 1; k < len; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return i;
                        cp = cp << 6 | (s[i + k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return i;
                i += len;
        }
        return size;
}

/* The 1-based line and column of offset in text. */
static void position_of(const char *text, size_t offset, unsigned *ret_line, size_t *ret_column) {
        unsigned line = 1;
        size_t start = 0;
        for (size_t i = 0; i < offset; i++)
                if (text[i] == '\n') {
                        line++;
                        start = i + 1;
                }
        *ret_line = line;
        *ret_column = offset - start + 1;
}

/* What inih cannot be trusted with: big files, binary files, invalid UTF-8, lines longer than its
 * buffer, and indented lines, which it would read as a continuation of the previous value. */
static int check_text(ParseContext *c, const char *text, size_t size) {
        unsigned line;
        size_t column;

        if (size > SCENARIO_SIZE_MAX)
                return context_fail(c, 0, NULL, NULL, "file is %zu bytes, larger than the %zu KiB allowed",
                                    size, SCENARIO_SIZE_MAX / 1024);

        const char *nul = memchr(text, 0, size);
        if (nul) {
                position_of(text, (size_t)(nul - text), &line, &column);
                return context_fail(c, line, NULL, NULL, "NUL byte in column %zu: not a text file", column);
        }

        size_t bad = utf8_invalid_offset(text, size);
        if (bad < size) {
                position_of(text, bad, &line, &column);
                return context_fail(c, line, NULL, NULL, "invalid UTF-8 in column %zu (byte \\x%02x)",
                                    column, (unsigned)(unsigned char)text[bad]);
        }

        line = 0;
        for (const char *p = text, *end = text + size; p < end;) {
                const char *eol = memchr(p, '\n', (size_t)(end - p));
                size_t n = (eol ? eol : end) - p;
                const char *next = eol ? eol + 1 : end;
                line++;

                size_t len = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
                if (len > SCENARIO_LINE_MAX)
                        return context_fail(c, line, NULL, NULL,
                                            "line is %zu bytes long, more than the %d allowed", len,
                                            SCENARIO_LINE_MAX);

                size_t indent = 0;
                while (indent < n && is_blank(p[indent]))
                        indent++;
                if (indent > 0 && indent < n && !strchr(COMMENT_PREFIXES, p[indent]))
                        return context_fail(c, line, NULL, NULL,
                                            "line starts with blanks: keys and sections start in the first "
                                            "column (continuation lines are not supported)");
                p = next;
        }
        return 0;
}

/* Why inih refused line `line` of text. */
static int fail_syntax(ParseContext *c, const char *text, size_t size, unsigned line) {
        const char *p = text, *end = text + size;
        for (unsigned i = 1; i < line && p < end; i++) {
                const char *eol = memchr(p, '\n', (size_t)(end - p));
                p = eol ? eol + 1 : end;
        }
        while (p < end && is_blank(*p))
                p++;
        if (p < end && *p == '[')
                return context_fail(c, line, NULL, NULL, "section header without a closing ']'");
        return context_fail(c, line, NULL, NULL, "expected Key=value, a [Section] or a comment");
}

/* What needs more than one key: required keys, and keys that only make sense together. */
static unsigned first_line_of_section(const ParseContext *c, const char *section) {
        unsigned line = 0;
        for (size_t i = 0; i < ELEMENTSOF(scenario_keys); i++)
                if (streq(scenario_keys[i].section, section) && c->key_lines[i] > 0 &&
                    (line == 0 || c->key_lines[i] < line))
                        line = c->key_lines[i];
        return line;
}

static int check_scenario(ParseContext *c) {
        TsScenario *s = c->scenario;
        unsigned daemon = first_line_of_section(c, "Daemon"), remedy = first_line_of_section(c, "Remedy");
        s->has_daemon = daemon > 0;
        s->has_remedy = remedy > 0;
        unsigned inject = first_line_of_section(c, "Inject");
        s->has_inject = inject > 0;
        if (s->has_inject && s->has_daemon)
                return context_fail(c, inject, "Inject", NULL, "injects into a storm: not with [Daemon]");
        if (c->key_lines[key_index("Expect", "LimitHit")] == 0)
                s->expect_limit_hit = !s->has_inject;
        {
                unsigned whens = 0;
                static const char *const when_keys[] = { "Nth", "After", "Every", "Probability", "Always" };
                for (size_t i = 0; i < ELEMENTSOF(when_keys); i++)
                        whens += c->key_lines[key_index("Inject", when_keys[i])] > 0;
                if (whens > 1)
                        return context_fail(c, inject, "Inject", NULL,
                                            "give one of Nth=, After=, Every=, Probability=, Always=");
        }

        if (s->has_remedy && !s->has_daemon)
                return context_fail(c, remedy, "Remedy", NULL, "only with a [Daemon] to fix");
        unsigned storm = first_line_of_section(c, "Storm"), unit = first_line_of_section(c, "Unit");
        if (s->has_daemon && (storm || unit))
                return context_fail(c, storm ? storm : unit, storm ? "Storm" : "Unit", NULL,
                                    "a scenario has either [Unit] and [Storm], or [Daemon]");

        for (size_t i = 0; i < ELEMENTSOF(scenario_keys); i++) {
                int req = scenario_keys[i].required;
                bool needed = req == REQUIRED || (req == REQUIRED_FOR_STORM && !s->has_daemon) ||
                              (req == REQUIRED_FOR_DAEMON && s->has_daemon);
                if (needed && c->key_lines[i] == 0)
                        return context_fail(c, 0, scenario_keys[i].section, scenario_keys[i].name,
                                            "required key is missing");
        }

        ssize_t expect_tasks = key_index("Expect", "TasksAtFirstEAGAIN");
        if (c->key_lines[expect_tasks] > 0 && !s->expect_eagain)
                return context_fail(c, c->key_lines[expect_tasks], "Expect", "TasksAtFirstEAGAIN",
                                    "only meaningful with EAGAIN=yes");

        if (s->tasks > s->max_tasks)
                return context_fail(c, c->key_lines[key_index("Storm", "Tasks")], "Storm", "Tasks",
                                    "%" PRIu64 " is more than MaxTasks=%" PRIu64, s->tasks, s->max_tasks);

        /* A real stack limits one of its own units; the fixture installs whichever it is given. */
        const TsStack *stack = s->stack ? ts_stack_find(s->stack) : NULL;
        static const struct {
                const char *section, *key;
        } per_container[] = { { "Daemon", "ContainerPidsLimit" },
                              { "Daemon", "ContainerTasks" },
                              { "Remedy", "ContainerPidsLimit" } };
        for (size_t i = 0; i < ELEMENTSOF(per_container); i++) {
                unsigned line = c->key_lines[key_index(per_container[i].section, per_container[i].key)];
                if (line > 0 && !(stack && stack->set_container_pids_limit))
                        return context_fail(
                                c, line, per_container[i].section, per_container[i].key,
                                "only with a stack whose containers take a pids limit of their own "
                                "(Stack=podman)");
        }
        if (s->remedy_of_runtime) {
                static const char *const unit_keys[] = { "TasksMax", "Reload", "Restart" };
                for (size_t i = 0; i < ELEMENTSOF(unit_keys); i++) {
                        unsigned line = c->key_lines[key_index("Remedy", unit_keys[i])];
                        if (line > 0)
                                return context_fail(
                                        c, line, "Remedy", unit_keys[i],
                                        "the remedy is either the unit's (TasksMax=, Reload=, "
                                        "Restart=) or the runtime's (ContainerPidsLimit=), not both");
                }
        }
        if (stack && stack->units && s->daemon_unit) {
                bool ours = false;
                for (const char *const *u = stack->units; *u; u++)
                        ours = ours || streq(*u, s->daemon_unit);
                if (!ours)
                        return context_fail(c, c->key_lines[key_index("Daemon", "Unit")], "Daemon", "Unit",
                                            "%s is not one of the %s stack's units", s->daemon_unit,
                                            stack->name);
        }
        return 0;
}

/* "dir/10-fork-64.scenario" -> "10-fork-64" */
static char *scenario_name(const char *path) {
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        size_t n = strlen(base);
        if (n > STRLEN(SCENARIO_SUFFIX) && endswith(base, SCENARIO_SUFFIX))
                n -= STRLEN(SCENARIO_SUFFIX);
        return strndup(base, n);
}

static TsScenario *scenario_new(const char *path) {
        TsScenario *s = calloc(1, sizeof *s);
        if (!s)
                return NULL;
        *s = (TsScenario){
                .path = strdup(path),
                .name = scenario_name(path),
                .needs_root = true,
                .needs_pids_enforced = true,
                .tasks_max = { .kind = _TS_TASKS_LIMIT_KIND_INVALID },
                .kind = _TS_STORM_KIND_INVALID,
                .max_tasks = MAX_TASKS_DEFAULT,
                .stop_after_failures = 1,
                .expect_tasks = TS_EXPECT_TASKS_ANY,
                .daemon_tasks_max = { .kind = _TS_TASKS_LIMIT_KIND_INVALID },
                .remedy_tasks_max = { .kind = TS_TASKS_LIMIT_INFINITY, .value = UINT64_MAX },
                .remedy_reload = true,
                .remedy_restart = true,
                .expect_cause = -1,
                .inject = { .what = TS_INJECT_ALL,
                            .error = EAGAIN,
                            .policy = { .when = TS_INJECT_ALWAYS, .rng = 1 } },
        };
        if (!s->path || !s->name) {
                ts_scenario_free(s);
                return NULL;
        }
        return s;
}

static void scenario_freep(TsScenario **s) {
        ts_scenario_free(*s);
}

static void context_done(ParseContext *c) {
        ts_scenario_free(c->scenario);
        ts_scenario_error_done(&c->error);
}

/* Hands the error over to the caller (when it wants it) and returns r. */
static int context_finish_error(ParseContext *c, int r, TsScenarioError *error) {
        if (error && c->error.path) {
                *error = c->error;
                c->error = (TsScenarioError){};
        }
        return r;
}

int ts_scenario_parse_string(const char *text, size_t size, const char *path, TsScenario **ret,
                             TsScenarioError *error) {
        if (!path || !ret || (!text && size > 0))
                return -EINVAL;
        if (!text)
                text = ""; /* memchr() takes no NULL, not even for 0 bytes */

        _cleanup_(context_done) ParseContext c = {
                .path = path,
                .next = text,
                .end = text + size,
                .section = -1,
        };

        int r = check_text(&c, text, size);
        if (r < 0)
                return context_finish_error(&c, r, error);

        c.scenario = scenario_new(path);
        if (!c.scenario)
                return -ENOMEM;

        int k = ini_parse_stream(read_line, &c, ini_handler_cb, &c);
        if (c.r < 0)
                return c.r;
        if (k == -2)
                return -ENOMEM;
        if (k < 0)
                return -EIO;
        if (k > 0 && (c.failed_line == 0 || (unsigned)k < c.failed_line))
                r = fail_syntax(&c, text, size, (unsigned)k);
        else if (c.failed_line > 0)
                r = -EINVAL;
        else
                r = check_scenario(&c);
        if (r < 0)
                return context_finish_error(&c, c.r < 0 ? c.r : r, error);

        *ret = TAKE_PTR(c.scenario);
        return 0;
}

int ts_scenario_parse_file(const char *path, TsScenario **ret, TsScenarioError *error) {
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;

        if (!path || !ret)
                return -EINVAL;

        /* One byte more than allowed, to tell a file of exactly 64 KiB from a bigger one. */
        int r = ts_read_full_file(path, SCENARIO_SIZE_MAX + 1, &text, &size);
        if (r < 0) {
                _cleanup_(context_done) ParseContext c = { .path = path };
                int k = r == -EFBIG
                                ? context_fail(&c, 0, NULL, NULL, "file is larger than the %zu KiB allowed",
                                               SCENARIO_SIZE_MAX / 1024)
                                : context_fail(&c, 0, NULL, NULL, "cannot read: %s", strerror(-r));
                if (k == -ENOMEM)
                        return k;
                return context_finish_error(&c, r == -EFBIG ? -EINVAL : r, error);
        }

        _cleanup_(scenario_freep) TsScenario *s = NULL;
        r = ts_scenario_parse_string(text, size, path, &s, error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

void ts_scenario_free(TsScenario *s) {
        if (!s)
                return;
        free(s->path);
        free(s->name);
        free(s->description);
        strv_free(s->tags);
        free(s->min_systemd);
        free(s->daemon_unit);
        free(s->stack);
        free(s);
}

void ts_scenario_error_done(TsScenarioError *e) {
        if (!e)
                return;
        free(e->path);
        free(e->key);
        free(e->message);
        *e = (TsScenarioError){};
}

char *ts_scenario_error_format(const TsScenarioError *e) {
        if (!e)
                return NULL;

        _cleanup_(freep) char *path = escape_control(strempty(e->path));
        _cleanup_(freep) char *key = e->key ? escape_control(e->key) : NULL;
        _cleanup_(freep) char *message = escape_control(strempty(e->message));
        char line[16] = "";
        char *s;

        ANALYZER_OWNED_BY_CLEANUP(path, key, message);
        if (!path || !message || (e->key && !key))
                return NULL;
        if (e->line > 0)
                snprintf(line, sizeof line, ":%u", e->line);
        if (asprintf(&s, "%s%s: %s%s%s", path, line, strempty(key), key ? ": " : "", message) < 0)
                return NULL;
        return s;
}
