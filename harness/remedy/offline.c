/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads a support bundle or a pasted log for `check --log`: every unit, scope, slice or container
 * the text names (status blocks, systemctl show, journal fields, the kernel's cgroup paths,
 * commands such as `docker exec NAME`), the facts it gives about each of them and about the
 * machine (sysctl, ulimit, pids files, versions), and each failure line put on the one it belongs
 * to. Two walks over the lines (logtext.h): the first finds the owners and the facts, the second
 * matches every line against the pattern table and attributes it, now that processes can be told
 * apart by unit. What the text does not say stays unknown; the judge (diagnosis.c) is the live
 * check's. Any bytes are tolerated. */
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "journal.h"
#include "logtext.h"
#include "macro.h"
#include "offline-lines.h"
#include "offline.h"
#include "os-release.h"
#include "scan.h"
#include "sentence.h"

#define MAX_OWNERS 64  /* a text naming more has them read, the rest ignored */
#define MAX_COMMS 8    /* process names kept of a status block */
#define MAX_SAMPLE 512 /* bytes of a line kept as a sample */
#define MAX_VERSION 64
#define NPROC_CONTEXT 4 /* lines after runc's "RLIMIT_NPROC" where its "soft": N may be */

/* Someone whose limit or failures the text shows: a unit, a container, or the text itself. */
typedef struct Owner {
        char *name; /* NULL: the text's own, for what belongs to nothing it names */
        char *control_group;
        char *comms[MAX_COMMS]; /* process names its status block shows */
        size_t n_comms;
        bool strong; /* named by a status block, a command, an entry or a kernel line, not in passing */
        bool status_block, not_found;
        TsValue tasks_current, tasks_max, effective_tasks_max, pids_current, pids_max, events_max, nproc;
        bool container, user_session;
        bool service_log, shell_log, thread_failures, nproc_refused;
        bool kernel_for_unit;
        int kernel_slice;
        bool kernel_below_unit; /* a kernel line names a cgroup below it (near_full_above) */
        TsPatternHits hits[_TS_PATTERN_MAX];
        TsPatternHits tail[_TS_PATTERN_MAX]; /* the log tails of status blocks */
} Owner;

typedef enum Region {
        REGION_OUTSIDE,
        REGION_BLOCK, /* the fields of a systemctl status block */
        REGION_TAIL,  /* the journal lines it prints after them */
} Region;

/* The lines of one unit in `systemctl show` output, kept until the block ends: Id= may come after
 * the values, or never (the command line said whose it is). */
typedef struct ShowBlock {
        bool open;
        TsValue tasks_max, tasks_current, effective_tasks_max, nproc;
        char id[256], control_group[1024];
} ShowBlock;

typedef struct Text {
        Owner *owners; /* grows to MAX_OWNERS */
        size_t n_owners, allocated;
        char *target;   /* the unit asked for, or NULL */
        TsOsRelease os; /* the text's os-release, read once for every owner */

        /* the machine's */
        char systemd[MAX_VERSION + 1], kernel[MAX_VERSION + 1];
        TsFound systemd_found, kernel_found;
        TsValue pid_max, threads_max, nproc, system_tasks, user_tasks;
        bool memory_short;
        bool kubernetes; /* the text speaks of kubelet, pods, kubectl */
        bool journal;    /* journal lines outside status blocks' tails */
        bool any_journal;
        bool orphan_tasks; /* "Tasks: N (limit: M)" outside a status block, with no unit near */
        uint64_t orphan_current, orphan_limit;

        /* the walk's state */
        int pass;
        Region region;
        int block;             /* the status block's owner */
        int context;           /* the owner the last command was about (status, show, journal, exec) */
        TsCommandKind pending; /* a command that reads files, or ulimit -u: values follow */
        char pending_files[TS_COMMAND_MAX_FILES][256]; /* the files it reads, in order */
        size_t n_pending_files, pending_file;
        bool pending_context; /* a show block's lines: its facts are the context's */
        int nproc_next;       /* lines left for runc's "soft": N */
        int fork_call;        /* lines left after a Python traceback's fork call (fork_exec, os.fork) */
        int system_error;     /* lines left after C++'s "std::system_error" for its what() */
        ShowBlock show;
        int primary; /* where a line goes that names nobody, -1: the text's own */
} Text;

/* ---- Owners ------------------------------------------------------------------------------------ */

static void owner_done(Owner *o) {
        free(o->name);
        free(o->control_group);
        for (size_t i = 0; i < o->n_comms; i++)
                free(o->comms[i]);
        ts_pattern_hits_done(o->hits, _TS_PATTERN_MAX);
        ts_pattern_hits_done(o->tail, _TS_PATTERN_MAX);
}

static void text_free(Text *t) {
        if (!t)
                return;
        for (size_t i = 0; i < t->n_owners; i++)
                owner_done(&t->owners[i]);
        free(t->owners);
        free(t->target);
        ts_os_release_done(&t->os);
        free(t);
}

static void text_freep(Text **t) {
        text_free(*t);
}

static bool is_user_slice(const char *name) {
        return name && span_starts_with(span_of(name), "user-") && span_ends_with(span_of(name), ".slice");
}

/* The owner of that name, made when new: its index, -1 when the table is full, -ENOMEM. name NULL
 * is the text's own. */
static int owner_get(Text *t, Span name) {
        for (size_t i = 0; i < t->n_owners; i++) {
                const char *n = t->owners[i].name;
                if ((!name.s && !n) || (name.s && n && span_eq(name, n)))
                        return (int)i;
        }
        if (t->n_owners == MAX_OWNERS)
                return -1;
        if (t->n_owners == t->allocated) {
                size_t want = t->allocated ? t->allocated * 2 : 4;
                Owner *grown = realloc(t->owners, want * sizeof *grown);
                if (!grown)
                        return -ENOMEM;
                t->owners = grown;
                t->allocated = want;
        }
        Owner *o = &t->owners[t->n_owners];
        *o = (Owner){ .kernel_slice = -1 };
        if (name.s) {
                o->name = strndup(name.s, name.len);
                if (!o->name)
                        return -ENOMEM;
                TsScanKind kind = ts_scan_unit_kind(o->name);
                o->container = kind == TS_SCAN_CONTAINER;
                o->user_session = is_user_slice(o->name);
        }
        return (int)t->n_owners++;
}

/* A unit as systemctl takes it: "docker" is docker.service. */
static int owner_of_unit_argument(Text *t, Span arg) {
        char name[256];
        if (arg.len == 0 || arg.len > 200)
                return -1;
        bool typed = false;
        for (size_t i = 0; i < arg.len; i++)
                typed = typed || arg.s[i] == '.';
        snprintf(name, sizeof name, "%.*s%s", (int)arg.len, arg.s, typed ? "" : ".service");
        if (!ts_line_unit_name(span_of(name)))
                return -1;
        return owner_get(t, span_of(name));
}

static int set_string(char **field, Span value) {
        if (*field || !value.s)
                return 0;
        *field = strndup(value.s, value.len);
        return *field ? 0 : -ENOMEM;
}

/* Whom a cgroup path is about, as a pasted text shows it: a container's own (what runs below it is
 * the container's, nspawn's "payload" too), a user's slice for a session (logind's UserTasksMax is
 * on the slice; a session scope has none of its own), the root of a container's hierarchy (a
 * pids.max at "/" exists only in a cgroup namespace), else the unit ts_scan_owner() names. */
static int owner_of_path(Text *t, Span path) {
        static const char *const prefixes[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified",
                                                "/sys/fs/cgroup" };
        char buf[4096];
        if (path.len == 0 || path.len >= sizeof buf)
                return -1;
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (span_starts_with(path, prefixes[i]) &&
                    (path.len == strlen(prefixes[i]) || path.s[strlen(prefixes[i])] == '/')) {
                        path = span_skip(path, strlen(prefixes[i]));
                        break;
                }
        if (path.len == 0 || span_eq(path, "/")) {
                int k = owner_get(t, (Span){});
                if (k >= 0)
                        t->owners[k].container = t->owners[k].strong = true;
                return k;
        }
        if (path.s[0] != '/')
                return -1;
        memcpy(buf, path.s, path.len);
        buf[path.len] = 0;
        char *payload = strstr(buf, ".scope/payload");
        if (payload)
                payload[STRLEN(".scope")] = 0;

        _cleanup_(ts_scan_owner_done) TsScanOwner o = {};
        int r = ts_scan_owner(buf, &o);
        if (r < 0)
                return r == -ENOMEM ? r : -1;
        const char *name = o.name;
        char user_slice[64];
        const char *u = strstr(buf, "/user.slice/user-");
        if (u && o.kind != TS_SCAN_CONTAINER &&
            (span_starts_with(span_of(o.name), "session-") || span_starts_with(span_of(o.name), "user@") ||
             is_user_slice(o.name))) {
                size_t n = strcspn(u + STRLEN("/user.slice/"), "/");
                if (n < sizeof user_slice) {
                        snprintf(user_slice, sizeof user_slice, "%.*s", (int)n, u + STRLEN("/user.slice/"));
                        name = user_slice;
                }
        }
        int k = owner_get(t, span_of(name));
        if (k < 0)
                return k;
        Owner *w = &t->owners[k];
        w->strong = true;
        /* nspawn's machine scope is a unit with a TasksMax of its own, not a runtime's container */
        w->container = w->container || o.kind == TS_SCAN_CONTAINER;
        if (!w->control_group && name == o.name && !(w->control_group = strdup(o.control_group)))
                return -ENOMEM;
        return k;
}

/* ---- Samples ----------------------------------------------------------------------------------- */

/* The length of the UTF-8 sequence at p (n bytes left), or 0 where it is not one (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_length(const unsigned char *p, size_t n) {
        unsigned char c = p[0];
        size_t k = c < 0x80                 ? 1
                   : c >= 0xc2 && c <= 0xdf ? 2
                   : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4
                                            : 0;
        if (k > n)
                return 0;
        for (size_t j = 1; j < k; j++) {
                unsigned char lo = 0x80, hi = 0xbf;
                if (j == 1 && c == 0xe0)
                        lo = 0xa0;
                else if (j == 1 && c == 0xed)
                        hi = 0x9f;
                else if (j == 1 && c == 0xf0)
                        lo = 0x90;
                else if (j == 1 && c == 0xf4)
                        hi = 0x8f;
                if (p[j] < lo || p[j] > hi)
                        return 0;
        }
        return k;
}

/* The line as it was, cut to MAX_SAMPLE bytes, with control bytes and broken UTF-8 as '?'. */
static char *sample(Span l) {
        size_t n = l.len < MAX_SAMPLE ? l.len : MAX_SAMPLE;
        char *s = malloc(n + 1);
        if (!s)
                return NULL;
        const unsigned char *p = (const unsigned char *)l.s;
        for (size_t i = 0; i < n;) {
                unsigned char c = p[i];
                size_t k = utf8_length(p + i, n - i);
                if (k == 0 || (k == 1 && ((c < 0x20 && c != '\t') || c == 0x7f))) {
                        s[i++] = '?';
                        continue;
                }
                memcpy(s + i, p + i, k);
                i += k;
        }
        s[n] = 0;
        return s;
}

static int record(TsPatternHits *h, uint64_t usec, Span l) {
        if (usec) {
                if (!h->first_usec)
                        h->first_usec = usec;
                h->last_usec = usec;
        }
        if (h->count < TS_CHECK_SAMPLES) {
                h->samples[h->count] = sample(l);
                if (!h->samples[h->count])
                        return -ENOMEM;
        }
        h->count++;
        return 0;
}

/* Adds the hits of the status log tails, used when the text has no journalctl output of its own. */
static void merge_hits(TsPatternHits *into, TsPatternHits *from) {
        for (size_t i = 0; i < TS_CHECK_SAMPLES; i++) {
                if (!from->samples[i])
                        continue;
                size_t free_slot = 0;
                while (free_slot < TS_CHECK_SAMPLES && into->samples[free_slot])
                        free_slot++;
                if (free_slot < TS_CHECK_SAMPLES)
                        into->samples[free_slot] = TAKE_PTR(from->samples[i]);
        }
        if (from->first_usec && (!into->first_usec || from->first_usec < into->first_usec))
                into->first_usec = from->first_usec;
        if (from->last_usec > into->last_usec)
                into->last_usec = from->last_usec;
        into->count += from->count;
        into->relayed += from->relayed;
}

/* ---- Pass 1: owners and facts ------------------------------------------------------------------ */

static void keep_version(char *buf, const TsFound *f, int rank_before) {
        if (f->rank > rank_before)
                snprintf(buf, MAX_VERSION + 1, "%.*s",
                         (int)(f->value.len < MAX_VERSION ? f->value.len : MAX_VERSION), f->value.s);
}

static void versions(Text *t, Span l) {
        int s = t->systemd_found.rank, k = t->kernel_found.rank;
        ts_line_systemd_version(l, &t->systemd_found);
        ts_line_kernel_release(l, &t->kernel_found);
        keep_version(t->systemd, &t->systemd_found, s);
        keep_version(t->kernel, &t->kernel_found, k);
}

static void set_value(TsValue *field, TsValue v) {
        if (v.known)
                *field = v;
}

static int apply_fact(Text *t, const TsFact *f) {
        int k = -1;
        switch (f->fact) {
        case TS_FACT_PID_MAX:
                set_value(&t->pid_max, f->value);
                return 0;
        case TS_FACT_THREADS_MAX:
                set_value(&t->threads_max, f->value);
                return 0;
        case TS_FACT_NPROC:
                set_value(&t->nproc, f->value);
                return 0;
        case TS_FACT_NPROC_SOFT:
                if (t->nproc_next > 0)
                        set_value(&t->nproc, f->value);
                return 0;
        case TS_FACT_NPROC_NEXT:
                t->nproc_next = NPROC_CONTEXT;
                return 0;
        case TS_FACT_MEMORY_SHORT:
                t->memory_short = true;
                return 0;
        case TS_FACT_PIDS_MAX:
        case TS_FACT_PIDS_CURRENT:
        case TS_FACT_PIDS_EVENTS:
                k = owner_of_path(t, f->text);
                if (k < 0)
                        return k == -1 ? 0 : k;
                set_value(f->fact == TS_FACT_PIDS_MAX       ? &t->owners[k].pids_max
                          : f->fact == TS_FACT_PIDS_CURRENT ? &t->owners[k].pids_current
                                                            : &t->owners[k].events_max,
                          f->value);
                return 0;
        default:
                return 0;
        }
}

/* A line of a systemctl show block: kept until the block ends. */
static void show_line(Text *t, Span l) {
        TsFact f;
        ShowBlock *b = &t->show;
        b->open = true;
        if (!ts_line_fact(l, &f))
                return;
        switch (f.fact) {
        case TS_FACT_TASKS_MAX:
                set_value(&b->tasks_max, f.value);
                break;
        case TS_FACT_TASKS_CURRENT:
                set_value(&b->tasks_current, f.value);
                break;
        case TS_FACT_EFFECTIVE_TASKS_MAX:
                set_value(&b->effective_tasks_max, f.value);
                break;
        case TS_FACT_NPROC:
                set_value(&b->nproc, f.value);
                break;
        case TS_FACT_ID:
                snprintf(b->id, sizeof b->id, "%.*s", (int)f.text.len, f.text.s);
                break;
        case TS_FACT_CONTROL_GROUP:
                if (f.text.len < sizeof b->control_group)
                        snprintf(b->control_group, sizeof b->control_group, "%.*s", (int)f.text.len,
                                 f.text.s);
                break;
        default:
                break;
        }
}

/* The end of a show block: its values to the unit it names (Id=), else the one the command was
 * about, else the one its ControlGroup= is, else the text's own. */
static int show_end(Text *t) {
        ShowBlock *b = &t->show;
        if (!b->open)
                return 0;
        int k = b->id[0]              ? owner_get(t, span_of(b->id))
                : t->context >= 0     ? t->context
                : b->control_group[0] ? owner_of_path(t, span_of(b->control_group))
                                      : owner_get(t, (Span){});
        if (k < -1)
                return k;
        bool any = b->tasks_max.known || b->tasks_current.known || b->effective_tasks_max.known ||
                   b->nproc.known;
        if (k >= 0 && (any || b->id[0])) {
                Owner *o = &t->owners[k];
                o->strong = o->strong || any;
                set_value(&o->tasks_max, b->tasks_max);
                set_value(&o->tasks_current, b->tasks_current);
                set_value(&o->effective_tasks_max, b->effective_tasks_max);
                set_value(&o->nproc, b->nproc);
                if (b->control_group[0] && set_string(&o->control_group, span_of(b->control_group)) < 0)
                        return -ENOMEM;
        }
        *b = (ShowBlock){};
        return 0;
}

/* A value line after `cat FILE...`, `ulimit -u` or `... | wc -l`. */
static int apply_value(Text *t, TsValue v) {
        static const struct {
                const char *file;
                TsLineFact fact;
                bool of_cgroup; /* the path before the file is a cgroup's */
        } files[] = {
                { "/kernel/pid_max", TS_FACT_PID_MAX, false },
                { "/kernel/threads-max", TS_FACT_THREADS_MAX, false },
                { "/pids.max", TS_FACT_PIDS_MAX, true },
                { "/pids.current", TS_FACT_PIDS_CURRENT, true },
                { "/pids.events", TS_FACT_PIDS_EVENTS, true },
        };
        if (t->pending == TS_COMMAND_NPROC || t->pending == TS_COMMAND_COUNT) {
                set_value(t->pending == TS_COMMAND_NPROC ? &t->nproc : &t->system_tasks, v);
                t->pending = _TS_COMMAND_INVALID;
                return 0;
        }
        if (t->pending != TS_COMMAND_READ || t->pending_file >= t->n_pending_files)
                return 0;
        Span file = span_of(t->pending_files[t->pending_file++]);
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (span_ends_with(file, files[i].file)) {
                        TsFact f = { .fact = files[i].fact, .value = v };
                        if (files[i].of_cgroup)
                                f.text = (Span){ file.s, file.len - strlen(files[i].file) };
                        return apply_fact(t, &f);
                }
        return 0;
}

static int command(Text *t, const TsCommand *c) {
        int k = -1;
        switch (c->kind) {
        case TS_COMMAND_STATUS:
        case TS_COMMAND_SHOW:
        case TS_COMMAND_JOURNAL:
                k = owner_of_unit_argument(t, c->target);
                break;
        case TS_COMMAND_EXEC:
                k = owner_get(t, c->target);
                if (k >= 0)
                        t->owners[k].container = true;
                break;
        default:
                /* the values follow on the next lines; the names are copied out of the reader's line */
                t->pending = c->kind;
                t->n_pending_files = t->pending_file = 0;
                for (size_t i = 0; i < c->n_files; i++)
                        if (c->files[i].len < sizeof t->pending_files[0])
                                snprintf(t->pending_files[t->n_pending_files++], sizeof t->pending_files[0],
                                         "%.*s", (int)c->files[i].len, c->files[i].s);
                return 0;
        }
        if (k < -1)
                return k;
        if (k >= 0) {
                t->owners[k].strong = true;
                t->context = k;
        }
        return 0;
}

/* The fields of the status block of owner k. */
static int status_field(Text *t, Span l) {
        Owner *o = &t->owners[t->block];
        Span f = span_trim(l), name;
        uint64_t tasks, limit;
        if (ts_line_tasks(f, &tasks, &limit)) {
                o->tasks_current = (TsValue){ true, tasks };
                if (limit != UINT64_MAX)
                        o->tasks_max = (TsValue){ true, limit };
                else if (!o->tasks_max.known) /* systemd prints no limit for infinity */
                        o->tasks_max = (TsValue){ true, UINT64_MAX };
                return 0;
        }
        if (span_starts_with(f, "CGroup:")) {
                Span rest = span_skip(f, STRLEN("CGroup:"));
                Span path = span_word(&rest);
                return path.len > 0 && path.s[0] == '/' ? set_string(&o->control_group, path) : 0;
        }
        if (span_starts_with(f, "Loaded:")) {
                Span rest = span_skip(f, STRLEN("Loaded:"));
                o->not_found = span_eq(span_word(&rest), "not-found");
                return 0;
        }
        if (ts_line_process_name(f, &name) && o->n_comms < MAX_COMMS) {
                o->comms[o->n_comms] = strndup(name.s, name.len);
                if (!o->comms[o->n_comms])
                        return -ENOMEM;
                o->n_comms++;
        }
        return 0;
}

/* Follows the status blocks through the text: is l a header, a field, or a line of the log tail? */
static int region(Text *t, const TsLogLine *line, bool *ret_field) {
        Span l = line->raw, name;
        *ret_field = false;
        if (ts_line_status_header(l, &name)) {
                int k = owner_get(t, name);
                if (k < -1)
                        return k;
                t->region = k >= 0 ? REGION_BLOCK : REGION_OUTSIDE;
                t->block = k;
                if (k >= 0)
                        t->owners[k].status_block = t->owners[k].strong = true;
                *ret_field = true;
                return 0;
        }
        Span trimmed = span_trim(l);
        if (t->region == REGION_BLOCK && trimmed.len == 0) {
                t->region = REGION_TAIL; /* the log tail follows a blank line */
                return 0;
        }
        if (t->region == REGION_BLOCK && (ascii_space(l.s[0]) || ts_line_is_label(l))) {
                *ret_field = true;
                return t->pass == 1 ? status_field(t, l) : 0;
        }
        if (t->region == REGION_TAIL && trimmed.len > 0 && line->journal)
                return 0;
        t->region = REGION_OUTSIDE;
        return 0;
}

static int facts_of_line(Text *t, const TsLogLine *line) {
        Span msg = line->msg, trimmed = span_trim(line->raw);
        TsCommand c;
        TsFact f;
        TsValue v;
        int r;

        if (ts_line_is_show(msg)) {
                show_line(t, msg);
                return 0;
        }
        r = show_end(t);
        if (r < 0)
                return r;
        versions(t, trimmed);
        if (t->nproc_next > 0)
                t->nproc_next--;
        t->kubernetes = t->kubernetes || span_find_ci(msg, "kubelet") || span_find_ci(msg, "kubectl") ||
                        span_find_ci(msg, "kubepods") || span_find_ci(msg, "PodSandbox");
        if (ts_line_command(trimmed, &c))
                return command(t, &c);
        if (ts_line_fact(msg, &f))
                return apply_fact(t, &f);
        uint64_t count;
        if (t->pending == TS_COMMAND_COUNT_USERS && ts_line_user_count(msg, &count)) {
                /* the busiest user's tasks: what its RLIMIT_NPROC counts */
                if (!t->user_tasks.known || count > t->user_tasks.value)
                        t->user_tasks = (TsValue){ true, count };
                return 0;
        }
        if (t->pending >= 0 && ts_line_value(msg, &v))
                return apply_value(t, v);
        uint64_t tasks, limit;
        if (ts_line_tasks(span_trim(msg), &tasks, &limit)) {
                /* `systemctl status docker | grep Tasks`, as the article asks for */
                if (t->context >= 0) {
                        Owner *o = &t->owners[t->context];
                        o->tasks_current = (TsValue){ true, tasks };
                        if (limit != UINT64_MAX)
                                o->tasks_max = (TsValue){ true, limit };
                } else {
                        t->orphan_tasks = true;
                        t->orphan_current = tasks;
                        t->orphan_limit = limit;
                }
                return 0;
        }
        /* a journal entry's unit, and the units the line names in passing */
        if (line->unit.len > 0 && ts_line_unit_name(line->unit)) {
                r = owner_get(t, line->unit);
                if (r < -1)
                        return r;
                if (r >= 0)
                        t->owners[r].strong = true;
        }
        size_t at = 0;
        Span name;
        while (ts_line_next_unit(msg, &at, &name))
                if ((r = owner_get(t, name)) < -1)
                        return r;
        return 0;
}

/* ---- Pass 2: the failures, each on its owner --------------------------------------------------- */

static bool has_comm(const Owner *o, Span ident) {
        for (size_t i = 0; i < o->n_comms; i++)
                if (span_eq(ident, o->comms[i]))
                        return true;
        return false;
}

/* Daemons whose log identifier is not their unit's name. */
static const struct {
        const char *ident, *unit;
} daemon_units[] = {
        { "dockerd", "docker.service" },  { "containerd", "containerd.service" },
        { "kubelet", "kubelet.service" }, { "crio", "crio.service" },
        { "mysqld", "mysqld.service" },   { "mariadbd", "mariadb.service" },
};

/* A process name as a service's daemon is usually called: the unit's name ("icinga2"), with a "d"
 * ("sshd" of ssh.service), or a start script's ("start_apache2" of apache2.service). */
static bool ident_of_service(Span ident, const char *unit) {
        Span u = span_of(unit);
        if (!span_ends_with(u, ".service"))
                return false;
        u.len -= STRLEN(".service");
        if (u.len == 0 || ident.len < u.len)
                return false;
        if (ident.len == u.len)
                return memcmp(ident.s, u.s, u.len) == 0;
        if (ident.len == u.len + 1 && ident.s[u.len] == 'd')
                return memcmp(ident.s, u.s, u.len) == 0;
        char sep = ident.s[ident.len - u.len - 1];
        return (sep == '_' || sep == '-') && memcmp(ident.s + ident.len - u.len, u.s, u.len) == 0;
}

/* Whose line it is by the process that wrote it: the unit whose status block shows that process,
 * the service of that name, or the unit a known daemon runs as. -1: none. */
static int owner_of_ident(Text *t, Span ident) {
        if (ident.len == 0 || span_eq(ident, "kernel") || span_eq(ident, "systemd"))
                return -1;
        for (size_t i = 0; i < t->n_owners; i++)
                if (has_comm(&t->owners[i], ident))
                        return (int)i;
        for (size_t i = 0; i < t->n_owners; i++)
                if (t->owners[i].name && ident_of_service(ident, t->owners[i].name))
                        return (int)i;
        for (size_t i = 0; i < ELEMENTSOF(daemon_units); i++)
                if (span_eq(ident, daemon_units[i].ident)) {
                        int k = owner_get(t, span_of(daemon_units[i].unit));
                        if (k >= 0)
                                t->owners[k].strong = true;
                        return k;
                }
        return -1;
}

/* Whose failure line it is: the journal entry's unit; the status block whose log tail it is in;
 * the unit of the process that logged it; the container or unit the last command was about; the
 * one unit the line names; else the text's primary owner. */
static int owner_of_line(Text *t, const TsLogLine *line, bool tail) {
        int k;
        if (line->unit.len > 0 && (k = owner_get(t, line->unit)) != -1)
                return k;
        if ((k = owner_of_ident(t, line->ident)) != -1)
                return k;
        if (tail && t->block >= 0)
                return t->block;
        if (t->context >= 0)
                return t->context;
        size_t at = 0;
        Span name;
        if (ts_line_next_unit(line->msg, &at, &name) && (k = owner_get(t, name)) != -1)
                return k;
        return t->primary >= 0 ? t->primary : owner_get(t, (Span){});
}

/* What a kernel "fork rejected" line says of an owner whose cgroup the text shows: -2 its own
 * cgroup, N the N-th slice above it (innermost first, as add_slices() lists them), -1 neither. The
 * kernel may show a longer path than the owner's (inside a container or the sandbox): suffixes
 * match. */
static int kernel_line_about(const Owner *o, Span path) {
        const char *cg = o->control_group;
        if (!cg)
                return -1;
        size_t end = strlen(cg);
        if (span_ends_with(path, cg))
                return -2;
        for (int i = 0; i < TS_CHECK_MAX_SLICES; i++) {
                while (end > 0 && cg[end - 1] != '/')
                        end--;
                if (end <= 1)
                        return -1;
                end--;
                size_t start = end;
                while (start > 0 && cg[start - 1] != '/')
                        start--;
                if (end - start <= STRLEN(".slice") || memcmp(cg + end - 6, ".slice", 6) != 0)
                        return -1;
                if (path.len >= end && memcmp(path.s + path.len - end, cg, end) == 0)
                        return i;
        }
        return -1;
}

/* Python says EAGAIN of a fork in two lines of a traceback: the call ("self.pid =
 * _posixsubprocess.fork_exec(", "os.fork()"), then "BlockingIOError: [Errno 11] Resource
 * temporarily unavailable", which alone could be a socket's. */
static bool python_fork_refused(Text *t, Span msg) {
        if (span_find_ci(msg, "fork_exec(") || span_find_ci(msg, "os.fork(") ||
            span_find_ci(msg, "_execute_child(") || span_find_ci(msg, "pty.fork("))
                t->fork_call = 3;
        else if (t->fork_call > 0)
                t->fork_call--;
        return t->fork_call > 0 && (span_find_ci(msg, "BlockingIOError: [Errno 11]") ||
                                    span_find_ci(msg, "OSError: [Errno 11]"));
}

/* C++ says EAGAIN of a std::thread in two lines: "terminate called after throwing an instance of
 * 'std::system_error'", then "what():  Resource temporarily unavailable". */
static bool cxx_thread_refused(Text *t, Span msg) {
        if (span_find_ci(msg, "std::system_error")) {
                t->system_error = 2;
                return false;
        }
        if (t->system_error > 0)
                t->system_error--;
        return t->system_error > 0 && span_find_ci(msg, "what():") &&
               span_find_ci(msg, "resource temporarily unavailable");
}

/* The deepest owner whose cgroup is above path and whose limit the text shows finite and at or
 * above half the default threshold, or -1. The kernel names the forking task's cgroup, and before
 * Linux 6.10 counts the refusal there: a container's scope below podman's machine.slice, gone by
 * the time anyone looks. Where the text shows such a limit above it, the line is that limit's (as
 * `check` charges it live), not the scope's, whose own limit the text does not show. */
static int near_full_above(const Text *t, Span path) {
        int best = -1;
        for (size_t i = 0; i < t->n_owners; i++) {
                const Owner *o = &t->owners[i];
                TsValue used = o->tasks_current.known ? o->tasks_current : o->pids_current;
                TsValue max = is_finite(o->tasks_max) ? o->tasks_max : o->pids_max;
                if (!o->control_group || !is_finite(used) || !is_finite(max) ||
                    !at_least_percent(used.value, max.value, TS_CHECK_DEFAULT_THRESHOLD / 2) ||
                    !ts_kernel_path_below(path.s, path.len, o->control_group))
                        continue;
                if (best < 0 || strlen(o->control_group) > strlen(t->owners[best].control_group))
                        best = (int)i;
        }
        return best;
}

static int failure_of_line(Text *t, const TsLogLine *line, bool tail) {
        const char *cg = NULL;
        size_t cg_len = 0;
        TsPattern p = ts_pattern_match(line->raw.s, line->raw.len, &cg, &cg_len);
        if (python_fork_refused(t, line->msg) && p < 0)
                p = TS_PATTERN_FORK_FAILED;
        if (cxx_thread_refused(t, line->msg) && p < 0)
                p = TS_PATTERN_THREAD_CREATE;
        if (p < 0) {
                if (ts_line_su_refused(line->msg)) {
                        int k = owner_of_line(t, line, tail);
                        if (k < -1)
                                return k;
                        if (k >= 0)
                                t->owners[k].nproc_refused = t->owners[k].shell_log = true;
                }
                return 0;
        }
        int k;
        if (p == TS_PATTERN_KERNEL_PIDS) {
                Span path = { cg, cg_len };
                int above = near_full_above(t, path);
                if (above >= 0) {
                        t->owners[above].kernel_below_unit = true;
                        return record(tail ? &t->owners[above].tail[p] : &t->owners[above].hits[p],
                                      line->usec, line->raw);
                }
                k = owner_of_path(t, path);
                if (k < 0)
                        return k == -1 ? 0 : k;
                t->owners[k].kernel_for_unit = true;
                /* the units below a slice the kernel names: that slice's limit is theirs */
                for (size_t i = 0; i < t->n_owners; i++) {
                        int about = kernel_line_about(&t->owners[i], path);
                        if (about == -1 || (int)i == k)
                                continue;
                        if (about == -2)
                                t->owners[i].kernel_for_unit = true;
                        else if (t->owners[i].kernel_slice < 0)
                                t->owners[i].kernel_slice = about;
                        int r = record(tail ? &t->owners[i].tail[p] : &t->owners[i].hits[p], line->usec,
                                       line->raw);
                        if (r < 0)
                                return r;
                }
        } else {
                k = owner_of_line(t, line, tail);
                if (k < 0)
                        return k == -1 ? 0 : k;
                Owner *o = &t->owners[k];
                /* a journal line is a unit's, even from a shell (ExecStart=/bin/sh -c ...); a bare
                 * shell's line is a user's session */
                bool journal = line->journal && !line->kernel && line->ident.len > 0;
                o->shell_log = o->shell_log || (!journal && ts_line_from_shell(line->msg, line->ident));
                o->service_log = o->service_log || journal;
                o->thread_failures = o->thread_failures || strstr(ts_pattern_info(p)->id, "thread");
                o->nproc_refused = o->nproc_refused || ts_line_su_refused(line->msg);
        }
        Owner *o = &t->owners[k];
        TsPatternHits *h = tail ? &o->tail[p] : &o->hits[p];
        if (ts_pattern_relayed(line->raw.s, line->raw.len))
                h->relayed++;
        return record(h, line->usec, line->raw);
}

/* ---- The walk ---------------------------------------------------------------------------------- */

static int walk(Text *t, const char *text, size_t size, int pass) {
        _cleanup_(ts_log_reader_done) TsLogReader reader = {};
        ts_log_reader_init(&reader, text, size);
        t->pass = pass;
        t->region = REGION_OUTSIDE;
        t->block = t->context = -1;
        t->pending = _TS_COMMAND_INVALID;
        t->nproc_next = t->fork_call = t->system_error = 0;

        TsLogLine line;
        int r;
        while ((r = ts_log_reader_next(&reader, &line)) > 0) {
                if (line.fence)
                        continue;
                /* a new file of a bundle directory ("==> PATH <=="), a supportconfig section: what the
                 * last command was about ends there */
                Span trimmed = span_trim(line.raw);
                if ((span_starts_with(trimmed, "==> ") && span_ends_with(trimmed, "<==")) ||
                    span_starts_with(trimmed, "#==[")) {
                        t->context = -1;
                        t->pending = _TS_COMMAND_INVALID;
                }
                bool field;
                r = region(t, &line, &field);
                if (r < 0)
                        return r;
                if (field)
                        continue;
                bool tail = t->region == REGION_TAIL;
                if (pass == 1) {
                        if (!tail && ((line.journal && !line.kernel) || ts_log_is_journal_marker(line.raw)))
                                t->journal = true;
                        t->any_journal =
                                t->any_journal || line.journal || ts_log_is_journal_marker(line.raw);
                        r = facts_of_line(t, &line);
                } else {
                        /* the commands again, for the context the failures are read in */
                        TsCommand c;
                        if (ts_line_command(span_trim(line.raw), &c) &&
                            (c.kind == TS_COMMAND_STATUS || c.kind == TS_COMMAND_SHOW ||
                             c.kind == TS_COMMAND_JOURNAL || c.kind == TS_COMMAND_EXEC))
                                r = command(t, &c);
                        else
                                r = failure_of_line(t, &line, tail);
                }
                if (r < 0)
                        return r;
        }
        if (r == 0 && pass == 1)
                r = show_end(t);
        return r;
}

/* Where a line goes that names nobody: the unit asked for; else the one that the text is clearly
 * about (the only one with a status block, or the only one named other than in passing); else the
 * text's own. */
static void choose_primary(Text *t) {
        t->primary = -1;
        if (t->target) {
                t->primary = owner_get(t, span_of(t->target));
                return;
        }
        int blocks = 0, strong = 0, block = -1, one = -1;
        for (size_t i = 0; i < t->n_owners; i++) {
                if (t->owners[i].status_block)
                        blocks++, block = (int)i;
                if (t->owners[i].strong)
                        strong++, one = (int)i;
        }
        t->primary = blocks == 1 ? block : strong == 1 ? one : -1;
        if (t->orphan_tasks && t->primary >= 0 && !t->owners[t->primary].tasks_current.known) {
                Owner *o = &t->owners[t->primary];
                o->tasks_current = (TsValue){ true, t->orphan_current };
                if (t->orphan_limit != UINT64_MAX)
                        o->tasks_max = (TsValue){ true, t->orphan_limit };
                t->orphan_tasks = false;
        }
}

/* ---- The facts of each owner ------------------------------------------------------------------- */

/* The slices a cgroup path runs through, innermost first: "/system.slice/system-x.slice/x.service"
 * -> system-x.slice, system.slice. The names are in the path; their limits are not in the text. */
static int add_slices(TsCheckFacts *f) {
        const char *cg = f->control_group;
        size_t end = cg ? strlen(cg) : 0;
        while (f->n_slices < TS_CHECK_MAX_SLICES) {
                while (end > 0 && cg[end - 1] != '/')
                        end--;
                if (end <= 1)
                        return 0;
                end--;
                size_t start = end;
                while (start > 0 && cg[start - 1] != '/')
                        start--;
                Span name = { cg + start, end - start };
                if (!span_ends_with(name, ".slice") || name.len == STRLEN(".slice"))
                        return 0;
                f->slices[f->n_slices].name = strndup(name.s, name.len);
                if (!f->slices[f->n_slices].name)
                        return -ENOMEM;
                f->n_slices++;
        }
        return 0;
}

static bool has_evidence(const Owner *o) {
        for (size_t p = 0; p < _TS_PATTERN_MAX; p++)
                if (o->hits[p].count > 0 || o->tail[p].count > 0)
                        return true;
        return o->kernel_for_unit || o->kernel_slice >= 0 || o->kernel_below_unit || o->nproc_refused ||
               o->tasks_current.known || o->tasks_max.known || o->pids_max.known || o->pids_current.known ||
               o->events_max.known;
}

/* The text's os-release (ID=, ID_LIKE=), once. */
static int read_os_release(const char *text, size_t size, TsOsRelease *ret) {
        /* ts_os_release_parse() reads a C string: NUL bytes in a bundle become line ends. */
        _cleanup_(freep) char *copy = malloc(size + 1);
        if (!copy)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(copy);
        for (size_t i = 0; i < size; i++)
                copy[i] = text[i] ? text[i] : '\n';
        copy[size] = 0;
        return ts_os_release_parse(copy, ret);
}

static int strdup_or_null(const char *s, char **ret) {
        *ret = NULL;
        return s && !(*ret = strdup(s)) ? -ENOMEM : 0;
}

static int facts_of_owner(Text *t, Owner *o, TsCheckFacts *f) {
        *f = (TsCheckFacts){ .kernel_slice = -1, .offline = true };
        if (o->name && !(f->unit = strdup(o->name)))
                return -ENOMEM;
        f->unit_known = o->status_block && !o->not_found;
        f->tasks_current = o->tasks_current.known ? o->tasks_current : o->pids_current;
        f->tasks_max = o->tasks_max;
        f->effective_tasks_max = o->effective_tasks_max;
        f->pids_current = o->pids_current;
        f->pids_max = o->pids_max;
        f->events_max = o->events_max;
        if (o->control_group && !(f->control_group = strdup(o->control_group)))
                return -ENOMEM;
        int r = add_slices(f);
        if (r < 0)
                return r;
        if (o->control_group)
                for (size_t i = 0; i < t->n_owners; i++) {
                        /* a slice's own facts, where the text shows them */
                        const Owner *s = &t->owners[i];
                        for (unsigned k = 0; s->name && k < f->n_slices; k++)
                                if (streq(s->name, f->slices[k].name)) {
                                        f->slices[k].tasks_max = s->tasks_max;
                                        f->slices[k].pids_max = s->pids_max;
                                        f->slices[k].pids_current = s->pids_current;
                                        f->slices[k].events_max = s->events_max;
                                }
                }

        f->nproc_soft = o->nproc.known ? o->nproc : t->nproc;
        f->pid_max = t->pid_max;
        f->threads_max = t->threads_max;
        f->system_tasks = t->system_tasks;
        f->user_tasks = t->user_tasks;
        if (t->systemd[0] && !(f->systemd_version = strdup(t->systemd)))
                return -ENOMEM;
        if (t->kernel[0] && !(f->kernel_release = strdup(t->kernel)))
                return -ENOMEM;

        for (size_t p = 0; p < _TS_PATTERN_MAX; p++) {
                f->hits[p] = o->hits[p];
                o->hits[p] = (TsPatternHits){};
                /* systemctl status repeats the last lines of the journal: counted only when the text
                 * has no journalctl output that holds them already */
                if (!t->journal)
                        merge_hits(&f->hits[p], &o->tail[p]);
        }
        bool any_hit = false;
        for (size_t p = 0; p < _TS_PATTERN_MAX; p++)
                any_hit = any_hit || f->hits[p].count > 0;
        f->no_journal = !t->any_journal && !any_hit;
        f->kernel_for_unit = o->kernel_for_unit;
        f->kernel_slice = o->kernel_slice;
        f->kernel_below_unit = o->kernel_below_unit;
        f->container = o->container;
        f->user_session = o->user_session || (o->shell_log && !o->service_log && !o->container);
        f->service_log = o->service_log;
        f->thread_failures = o->thread_failures;
        f->nproc_refused = o->nproc_refused;
        f->memory_short = t->memory_short;
        f->kubernetes = t->kubernetes;
        r = strdup_or_null(t->os.id, &f->os_id);
        return r < 0 ? r : strdup_or_null(t->os.id_like, &f->os_id_like);
}

static int read_text(const char *text, size_t size, const char *unit, Text *t, TsCheckFacts **ret,
                     size_t *ret_n, bool *ret_named) {
        int r;
        if (unit) {
                /* "docker" is docker.service, as systemctl has it */
                if (asprintf(&t->target, "%s%s", unit, strchr(unit, '.') ? "" : ".service") < 0)
                        return -ENOMEM;
        }
        r = walk(t, text, size, 1);
        if (r < 0)
                return r;
        bool named = false;
        for (size_t i = 0; t->target && i < t->n_owners; i++)
                named = named || (t->owners[i].name && streq(t->owners[i].name, t->target));
        choose_primary(t);
        r = walk(t, text, size, 2);
        if (r >= 0)
                r = read_os_release(text, size, &t->os);
        if (r < 0)
                return r;

        /* The owners with evidence; the unit asked for alone when there is one; the text's own when
         * nothing else has any, with the machine's facts. */
        size_t n = 0;
        _cleanup_(freep) TsCheckFacts *facts = calloc(t->n_owners + 1, sizeof *facts);
        if (!facts)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(facts);
        for (size_t i = 0; i < t->n_owners; i++) {
                Owner *o = &t->owners[i];
                bool wanted = t->target ? o->name && streq(o->name, t->target) : has_evidence(o);
                if (!wanted)
                        continue;
                r = facts_of_owner(t, o, &facts[n]);
                n++;
                if (r < 0)
                        break;
        }
        if (r >= 0 && n == 0) {
                /* nothing has evidence: the unit the text is clearly about, else the text's own */
                int k = t->target         ? owner_get(t, span_of(t->target))
                        : t->primary >= 0 ? t->primary
                                          : owner_get(t, (Span){});
                if (k < 0)
                        r = k == -1 ? -ENOSPC : k;
                else {
                        r = facts_of_owner(t, &t->owners[k], &facts[0]);
                        n = 1;
                }
        }
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        ts_check_facts_done(&facts[i]);
                return r;
        }
        *ret = TAKE_PTR(facts);
        *ret_n = n;
        if (ret_named)
                *ret_named = !t->target || named;
        return 0;
}

int ts_check_text(const char *text, size_t size, const char *unit, TsCheckFacts **ret, size_t *ret_n,
                  bool *ret_named) {
        if ((!text && size > 0) || !ret || !ret_n || (unit && !*unit))
                return -EINVAL;
        if (size > TS_OFFLINE_MAX_TEXT)
                return -EFBIG;
        if (!text)
                text = "";
        _cleanup_(text_freep) Text *t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(t);
        return read_text(text, size, unit, t, ret, ret_n, ret_named);
}

void ts_check_text_free(TsCheckFacts *facts, size_t n) {
        for (size_t i = 0; facts && i < n; i++)
                ts_check_facts_done(&facts[i]);
        free(facts);
}

int ts_check_facts_from_text(const char *text, size_t size, const char *unit, TsCheckFacts *ret) {
        if (!ret)
                return -EINVAL;
        TsCheckFacts *all = NULL;
        size_t n = 0;
        int r = ts_check_text(text, size, unit, &all, &n, NULL);
        if (r < 0)
                return r;
        /* the most severe first, as check --log ranks them */
        size_t best = 0;
        int best_severity = -1;
        for (size_t i = 0; i < n; i++) {
                TsCheckResult res;
                ts_check_judge(&all[i], TS_CHECK_DEFAULT_THRESHOLD, &res);
                int s = ts_check_verdict_severity(res.verdict);
                if (s > best_severity) {
                        best_severity = s;
                        best = i;
                }
        }
        *ret = all[best];
        all[best] = (TsCheckFacts){ .kernel_slice = -1 };
        ts_check_text_free(all, n);
        return 0;
}

/* ---- Is it text at all ------------------------------------------------------------------------- */

/* Control bytes a log may hold: tab, line ends (CRLF too), form feed, backspace (overstruck man
 * pages), and ESC, which starts the colour codes of a terminal's copy. */
static bool is_log_control(unsigned char c) {
        return c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\b' || c == 0x1b;
}

int ts_bundle_text_check(const char *text, size_t size) {
        if (size == 0)
                return 0;
        if (!text)
                return -EINVAL;
        /* No tool prints NUL in a log (journalctl shows "[N.NKB blob data]" instead), while
         * executables, archives and UTF-16 are full of them: the test of grep and git. */
        if (memchr(text, 0, size))
                return -EBADMSG;

        /* A stray Latin-1 byte, a cut sequence at the end, a colour code: a few odd bytes are a real
         * log's. Random bytes are more than half odd; a text log is far below a quarter. */
        const unsigned char *p = (const unsigned char *)text;
        size_t odd = 0;
        for (size_t i = 0; i < size;) {
                size_t k = utf8_length(p + i, size - i);
                if (k == 0 || (k == 1 && ((p[i] < 0x20 && !is_log_control(p[i])) || p[i] == 0x7f)))
                        odd++;
                i += k ? k : 1;
        }
        return odd > size / 4 ? -EBADMSG : 0;
}

int ts_bundle_read(const char *path, char **ret, size_t *ret_size) {
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        int r;

        if (path)
                r = ts_read_regular_file(path, TS_OFFLINE_MAX_TEXT, &text, &size);
        else {
                /* stdin may be a pipe or a terminal; only a directory cannot be read */
                struct stat st;
                if (fstat(STDIN_FILENO, &st) < 0)
                        return negative_errno();
                if (S_ISDIR(st.st_mode))
                        return -EISDIR;
                r = ts_read_full_fd(STDIN_FILENO, TS_OFFLINE_MAX_TEXT, &text, &size);
        }
        if (r < 0)
                return r;
        r = ts_bundle_text_check(text, size);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(text);
        if (ret_size)
                *ret_size = size;
        return 0;
}
