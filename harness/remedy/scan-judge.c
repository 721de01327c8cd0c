/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The machine's verdict, decided from the facts alone: which limits refused forks (the cgroup
 * whose limit it was, found from counts that v1 keeps where the fork was refused and v2 where the
 * limit is), which are near their limit, and for every unit that logs EAGAIN, the limit that caused
 * it, in its own cgroup or in another unit's. Then the ranked list, each line with its sentence and
 * the command that fixes it. */
#include <inttypes.h>

#include "scan.h"
#include "sentence.h"

/* Daemons whose work runs in another unit's cgroup: their EAGAIN lines go first on that unit's
 * refusals. dockerd asks containerd, whose shims (containerd-shim-runc-v2) run `runc create` in
 * containerd.service's cgroup; kubelet asks its CRI runtime. */
static const struct {
        const char *logger, *runner;
} partners[] = {
        { "docker.service", "containerd.service" },
        { "kubelet.service", "containerd.service" },
        { "kubelet.service", "crio.service" },
};

/* Per kind of owner: the cause when its limit binds, how a sentence names that limit, and what
 * `taskstorm fix` is given for it (a scope or slice cannot be restarted; a container's limit is
 * its runtime's, which fix does not change). */
static const struct {
        TsCause cause;
        const char *limit_of;      /* before the owner's name */
        bool tasks_max;            /* its limit is a unit's TasksMax (else a pids.max) */
        const char *taskstorm_fix; /* before the name; NULL: none */
} kinds[_TS_SCAN_KIND_MAX] = {
        [TS_SCAN_SERVICE] = { TS_CAUSE_UNIT_TASKSMAX, "the TasksMax of ", true, "taskstorm fix " },
        [TS_SCAN_SCOPE] = { TS_CAUSE_UNIT_TASKSMAX, "the TasksMax of ", true,
                            "taskstorm fix --no-restart " },
        [TS_SCAN_UNIT] = { TS_CAUSE_UNIT_TASKSMAX, "the TasksMax of ", true, "taskstorm fix --no-restart " },
        [TS_SCAN_SLICE] = { TS_CAUSE_SLICE_TASKSMAX, "the TasksMax of ", true,
                            "taskstorm fix --no-restart " },
        [TS_SCAN_CONTAINER] = { TS_CAUSE_CONTAINER_PIDS_LIMIT, "the pids limit of container ", false, NULL },
        [TS_SCAN_CGROUP] = { TS_CAUSE_CONTAINER_PIDS_LIMIT, "the pids.max of ", false, NULL },
};

/* The causes that the unit's own facts can show besides a TasksMax: they explain its EAGAIN lines
 * where no cgroup refused anything. */
static const TsCause other_limits[] = { TS_CAUSE_RLIMIT_NPROC, TS_CAUSE_PID_MAX, TS_CAUSE_THREADS_MAX };

/* The entries as they are built, before ranking. */
typedef struct Builder {
        const TsScanFacts *f;
        unsigned threshold;
        TsScanEntry *entries;
        size_t n_entries, allocated;
} Builder;

static void entry_done(TsScanEntry *e) {
        ts_scan_owner_done(&e->owner);
        free(e->limit_cgroup);
        strv_free(e->refused_in);
        for (size_t i = 0; i < e->n_loggers; i++) {
                free(e->loggers[i].unit);
                free(e->loggers[i].sentence);
        }
        free(e->loggers);
}

static void entries_free(TsScanEntry *entries, size_t n) {
        for (size_t i = 0; i < n; i++)
                entry_done(&entries[i]);
        free(entries);
}

void ts_scan_result_done(TsScanResult *r) {
        if (!r)
                return;
        entries_free(r->entries, r->n_entries);
        *r = (TsScanResult){ .verdict = _TS_CHECK_VERDICT_INVALID };
}

static void builder_done(Builder *b) {
        entries_free(b->entries, b->n_entries);
        b->entries = NULL;
        b->n_entries = b->allocated = 0;
}

typedef struct Key {
        const char *path;
        size_t len;
} Key;

static int compare_key(const void *k, const void *e) {
        const Key *key = k;
        const char *path = ((const TsScanCgroup *)e)->path;
        int c = strncmp(key->path, path, key->len);
        return c != 0 ? c : path[key->len] == 0 ? 0 : -1; /* a prefix sorts first */
}

/* The kept cgroup whose path is the first len bytes of path, or NULL. */
static const TsScanCgroup *find_cgroup(const TsScanFacts *f, const char *path, size_t len) {
        Key key = { path, len };
        return f->n_cgroups > 0 ? bsearch(&key, f->cgroups, f->n_cgroups, sizeof *f->cgroups, compare_key)
                                : NULL;
}

/* The length of the parent's path: "/a/b" (4) -> "/a" (2) -> "/" (1) -> 0, none. */
static size_t parent_len(const char *path, size_t len) {
        if (len <= 1)
                return 0;
        while (len > 0 && path[len - 1] != '/')
                len--;
        return len > 1 ? len - 1 : 1;
}

/* Which is nearer its limit, by the share of it in use: > 0 the first, < 0 the second, 0 neither. An
 * unknown count, or no limit, is a share of 0. */
static int compare_usage(TsValue current_a, uint64_t max_a, TsValue current_b, uint64_t max_b) {
        bool a = is_finite(current_a) && max_a != UINT64_MAX,
             b = is_finite(current_b) && max_b != UINT64_MAX;
        unsigned __int128 left = a ? (unsigned __int128)current_a.value * (b ? max_b : 1) : 0;
        unsigned __int128 right = b ? (unsigned __int128)current_b.value * (a ? max_a : 1) : 0;
        return (left > right) - (left < right);
}

/* The limit nearest to full now on the way up from path, itself included (the deepest of equals):
 * own's whatever its usage, any other only at or above half the threshold, since a slice or a
 * sandbox's root with room left refused nothing (half: by the time check runs, the tasks of the
 * containers that failed have gone, and podman's machine.slice at its limit of 40 shows 30); the
 * root's only where with_root. But where own is nearly empty (under an eighth of the threshold:
 * podman's monitor scope, 1 task of its default 4287) its own limit cannot have been reached moments
 * ago, and the fullest slice above it that is not nearly empty too binds instead, with room left
 * or not (machine.slice at 15 of 40 once three containers held it: v1 counts its refusals in the
 * scopes below it). NULL: none. */
static const TsScanCgroup *nearest_to_full(const TsScanFacts *f, const char *path, const TsScanCgroup *own,
                                           bool with_root, unsigned threshold) {
        const TsScanCgroup *best = NULL, *fullest_above = NULL;
        for (size_t len = strlen(path); len > (with_root ? 0 : 1); len = parent_len(path, len)) {
                const TsScanCgroup *a = find_cgroup(f, path, len);
                if (!a || a->max == UINT64_MAX)
                        continue;
                bool near = a->current.known && at_least_percent(a->current.value, a->max, threshold / 2);
                if ((a == own || near) &&
                    (!best || compare_usage(a->current, a->max, best->current, best->max) > 0))
                        best = a;
                bool in_use = a->current.known && at_least_percent(a->current.value, a->max, threshold / 8);
                if (a != own && len > 1 && in_use &&
                    (!fullest_above ||
                     compare_usage(a->current, a->max, fullest_above->current, fullest_above->max) > 0))
                        fullest_above = a;
        }
        bool own_nearly_empty = own && own->max != UINT64_MAX && own->current.known &&
                                !at_least_percent(own->current.value, own->max, threshold / 8);
        if (best == own && own_nearly_empty && fullest_above)
                return fullest_above;
        return best;
}

/* The cgroup whose limit refused the forks that c counted. pids.events.local counts at the limit
 * itself. pids.events (v1, older v2) counts where the refused task was, and the limit is c's own or
 * the ancestor's nearest to full. With no such limit the limit was lifted since, and c stands for
 * it. */
static const TsScanCgroup *binding_of(const TsScanFacts *f, const TsScanCgroup *c, unsigned threshold) {
        if (c->refused_local)
                return c;
        const TsScanCgroup *best = nearest_to_full(f, c->path, c, true, threshold);
        return best ? best : c;
}

/* The deepest cgroup on the way up from path (itself included) that counted refusals, or NULL. */
static const TsScanCgroup *refusing_above(const TsScanFacts *f, const char *path) {
        for (size_t len = strlen(path); len > 0; len = parent_len(path, len)) {
                const TsScanCgroup *c = find_cgroup(f, path, len);
                if (c && c->refused > 0)
                        return c;
        }
        return NULL;
}

static TsScanEntry *find_entry(Builder *b, const char *name) {
        for (size_t i = 0; i < b->n_entries; i++)
                if (streq(b->entries[i].owner.name, name))
                        return &b->entries[i];
        return NULL;
}

/* A new entry for owner, which it takes. */
static TsScanEntry *add_entry(Builder *b, TsScanOwner *owner) {
        if (b->n_entries == b->allocated) {
                size_t want = b->allocated ? b->allocated * 2 : 8;
                TsScanEntry *n = reallocarray(b->entries, want, sizeof *n);
                if (!n)
                        return NULL;
                b->entries = n;
                b->allocated = want;
        }
        TsScanEntry *e = &b->entries[b->n_entries++];
        *e = (TsScanEntry){ .owner = TAKE_STRUCT(*owner),
                            .verdict = TS_CHECK_NOT_AFFECTED,
                            .cause = TS_CAUSE_NONE };
        return e;
}

/* The entry of the limit in cgroup c: found by its owner, or made with c's numbers. */
static TsScanEntry *entry_of_limit(Builder *b, const TsScanCgroup *c) {
        _cleanup_(ts_scan_owner_done) TsScanOwner owner = {};
        if (ts_scan_owner(c->path, &owner) < 0)
                return NULL;
        TsScanEntry *e = find_entry(b, owner.name);
        if (e)
                return e;
        char *limit_cgroup = strdup(c->path);
        e = limit_cgroup ? add_entry(b, &owner) : NULL;
        if (!e) {
                free(limit_cgroup);
                return NULL;
        }
        e->limit_cgroup = limit_cgroup;
        e->current = c->current;
        e->max = (TsValue){ .known = true, .value = c->max };
        return e;
}

static bool strv_contains(char *const *l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

/* Notes that the tasks of the unit that holds cgroup path were refused at e's limit. */
static int add_refused_in(TsScanEntry *e, const char *path) {
        _cleanup_(ts_scan_owner_done) TsScanOwner o = {};
        int r = ts_scan_owner(path, &o);
        if (r < 0)
                return r;
        if (streq(o.name, e->owner.name) || strv_contains(e->refused_in, o.name))
                return 0;
        size_t n = 0;
        while (e->refused_in && e->refused_in[n])
                n++;
        char **l = reallocarray(e->refused_in, n + 2, sizeof *l);
        if (!l)
                return -ENOMEM;
        e->refused_in = l;
        l[n] = TAKE_PTR(o.name);
        l[n + 1] = NULL;
        return 0;
}

/* The entry of the limit that refused c's forks (found from c's count), with the unit that holds
 * path, where the refused task was, noted among those refused there. NULL: out of memory. */
static TsScanEntry *charge(Builder *b, const TsScanCgroup *c, const char *path) {
        TsScanEntry *e = entry_of_limit(b, binding_of(b->f, c, b->threshold));
        return e && add_refused_in(e, path) >= 0 ? e : NULL;
}

/* Every cgroup that counted refusals, on the entry of the limit that refused them. */
static int collect_refusals(Builder *b) {
        for (size_t i = 0; i < b->f->n_cgroups; i++) {
                const TsScanCgroup *c = &b->f->cgroups[i];
                if (c->refused == 0)
                        continue;
                TsScanEntry *e = charge(b, c, c->path);
                if (!e)
                        return -ENOMEM;
                e->refused += c->refused;
                e->refused_local = e->refused_local || c->refused_local;
        }
        return 0;
}

/* The kernel's lines, on the entry of the limit that refused the fork they name. A line whose
 * cgroup counted no refusal on its way up is about an earlier cgroup of the same path (the kernel's
 * buffer outlives cgroups, and it logs once per cgroup) or about another machine's. A line whose
 * cgroup is gone took its count with it (pids.events before Linux 6.10: podman removes a failed
 * container's scope), and is the only evidence: it goes to the limit nearest to full above it, as
 * binding_of() takes an ancestor's, never the root's; with none, it is no evidence. */
static int collect_kernel_lines(Builder *b) {
        for (size_t i = 0; i < b->f->n_kernel; i++) {
                const TsScanKernelLine *k = &b->f->kernel[i];
                const TsScanCgroup *c = k->cgroup ? refusing_above(b->f, k->cgroup) : NULL;
                const TsScanCgroup *above =
                        !k->cgroup && k->ancestor
                                ? nearest_to_full(b->f, k->ancestor, NULL, false, b->threshold)
                                : NULL;
                if (!c && !above)
                        continue;
                TsScanEntry *e = c ? charge(b, c, k->cgroup) : entry_of_limit(b, above);
                if (!e)
                        return -ENOMEM;
                e->kernel_lines++;
                e->kernel_lines_gone += !c;
        }
        return 0;
}

/* Whether a limit refused forks: a count says so, or a kernel line charged to it. */
static bool was_hit(const TsScanEntry *e) {
        return e->refused > 0 || e->kernel_lines > 0;
}

/* The EAGAIN lines (every pattern but the kernel's), or only those relayed from another process. */
static uint64_t eagain_lines(const TsPatternHits hits[_TS_PATTERN_MAX], bool relayed) {
        uint64_t n = 0;
        for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++)
                if (!ts_pattern_info(p)->kernel)
                        n += relayed ? hits[p].relayed : hits[p].count;
        return n;
}

static bool limit_stands(const TsScanEntry *e) {
        return is_finite(e->max);
}

/* Whether cgroup path is the cgroup above or itself. */
static bool is_under(const char *path, const char *above) {
        size_t n = strlen(above);
        return streq(above, "/") || (strneq(path, above, n) && (path[n] == 0 || path[n] == '/'));
}

/* The entry of the limit that refused the unit's own forks: on its own cgroup (or one below it),
 * or on the way up from it (its slice, whose refusals may have been counted in a neighbour's). */
static TsScanEntry *own_limit(Builder *b, const char *unit, const char *control_group) {
        for (size_t i = 0; i < b->n_entries; i++) {
                TsScanEntry *e = &b->entries[i];
                if (was_hit(e) &&
                    (streq(e->owner.name, unit) || strv_contains(e->refused_in, unit) ||
                     (control_group && e->limit_cgroup && is_under(control_group, e->limit_cgroup))))
                        return e;
        }
        const TsScanCgroup *c = control_group ? refusing_above(b->f, control_group) : NULL;
        return c ? entry_of_limit(b, binding_of(b->f, c, b->threshold)) : NULL;
}

static bool is_partner(const char *logger, const char *runner) {
        for (size_t i = 0; i < ELEMENTSOF(partners); i++)
                if (streq(partners[i].logger, logger) && streq(partners[i].runner, runner))
                        return true;
        return false;
}

/* The other unit's limit that the unit's lines are put on: one that still stands before one lifted
 * since, the unit's partner before any other, then the one that refused most. */
static TsScanEntry *other_limit(Builder *b, const char *unit) {
        TsScanEntry *best = NULL;
        for (size_t i = 0; i < b->n_entries; i++) {
                TsScanEntry *e = &b->entries[i];
                if (!was_hit(e) || streq(e->owner.name, unit))
                        continue;
                if (best && limit_stands(best) != limit_stands(e)) {
                        if (limit_stands(e))
                                best = e;
                        continue;
                }
                if (best && is_partner(unit, best->owner.name) != is_partner(unit, e->owner.name)) {
                        if (is_partner(unit, e->owner.name))
                                best = e;
                        continue;
                }
                if (!best || e->refused > best->refused)
                        best = e;
        }
        return best;
}

/* "TasksMax=100" or "pids.max 100", as the owner's limit is named. */
static void add_limit_value(Sentence *s, const TsScanEntry *e) {
        bool own = e->limit_cgroup && streq(e->limit_cgroup, e->owner.control_group);
        if (kinds[e->owner.kind].tasks_max && own)
                add(s, "TasksMax=%" PRIu64, e->max.value);
        else
                add(s, "pids.max %" PRIu64, e->max.value);
}

/* "a cgroup that is gone", "2 cgroups that are gone" */
static void add_gone(Sentence *s, uint64_t n) {
        if (n == 1)
                add(s, "a cgroup that is gone");
        else
                add(s, "%" PRIu64 " cgroups that are gone", n);
}

/* "docker.service logs 23 failures; the refusals were in containerd.service, TasksMax=100, 560
 * refused" (or "..., 560 refused under a limit since lifted", or where no count but the kernel's
 * line of a cgroup that is gone says so, "..., TasksMax=40, the kernel's line of a cgroup that is
 * gone"). */
static void say_other_limit(Sentence *s, const char *unit, uint64_t lines, const TsScanEntry *e) {
        add(s, "%s logs %" PRIu64 " failure%s; the refusals were in %s, ", unit, lines, plural(lines),
            e->owner.name);
        if (limit_stands(e)) {
                add_limit_value(s, e);
                if (e->refused > 0)
                        add(s, ", %" PRIu64 " refused", e->refused);
                else {
                        add(s, ", the kernel's line%s of ", plural(e->kernel_lines_gone));
                        add_gone(s, e->kernel_lines_gone);
                }
        } else
                add(s, "%" PRIu64 " refused under a limit since lifted", e->refused);
}

/* Puts lines of the unit's EAGAIN lines on e; with the sentence that names both where e is not the
 * unit's own. */
static int add_logger(TsScanEntry *e, const char *unit, const TsPatternHits hits[_TS_PATTERN_MAX],
                      uint64_t lines) {
        TsScanLogger *l = reallocarray(e->loggers, e->n_loggers + 1, sizeof *l);
        if (!l)
                return -ENOMEM;
        e->loggers = l;
        bool other = !streq(e->owner.name, unit);
        TsScanLogger *n = &l[e->n_loggers];
        int top = top_eagain_pattern(hits);
        *n = (TsScanLogger){ .unit = strdup(unit),
                             .lines = lines,
                             .top = top >= 0 ? (TsPattern)top : _TS_PATTERN_INVALID };
        if (n->unit && other) {
                char buf[320] = "";
                Sentence s = { buf, sizeof buf, 0 };
                say_other_limit(&s, unit, lines, e);
                n->sentence = strdup(buf);
        }
        if (!n->unit || (other && !n->sentence)) {
                free(n->unit);
                return -ENOMEM;
        }
        e->n_loggers++;
        return 0;
}

/* An entry for a unit that logs EAGAIN with no refusal to put it on, under its own name and the
 * cgroup that the journal or the bus showed. */
static TsScanEntry *entry_of_unit(Builder *b, const TsScanLog *l) {
        TsScanEntry *e = find_entry(b, l->unit);
        if (e)
                return e;
        const char *cg = l->control_group ? l->control_group : l->facts ? l->facts->control_group : NULL;
        _cleanup_(ts_scan_owner_done) TsScanOwner owner = {
                .name = strdup(l->unit),
                .control_group = strdup(cg ? cg : ""),
                .kind = ts_scan_unit_kind(l->unit),
        };
        ANALYZER_OWNED_BY_CLEANUP(owner.name, owner.control_group);
        return owner.name && owner.control_group ? add_entry(b, &owner) : NULL;
}

static bool is_other_limit(TsCause c) {
        for (size_t i = 0; i < ELEMENTSOF(other_limits); i++)
                if (other_limits[i] == c)
                        return true;
        return false;
}

/* A unit's EAGAIN lines that no cgroup's refusal explains: its own judgement where its facts show
 * another limit (RLIMIT_NPROC, pid_max: as `check UNIT` says), else eagain-no-limit. */
static int add_unexplained(Builder *b, const TsScanLog *l, const TsCheckResult *res) {
        TsScanEntry *e = entry_of_unit(b, l);
        if (!e)
                return -ENOMEM;
        bool other = is_other_limit(res->cause);
        e->verdict = other ? res->verdict : TS_CHECK_NOT_AFFECTED;
        e->cause = other ? res->cause : TS_CAUSE_EAGAIN_NO_LIMIT;
        if (l->facts) {
                e->current = l->facts->tasks_current;
                e->max = res->effective_limit;
        }
        Sentence s = { e->why, sizeof e->why, 0 };
        if (l->facts && (other || res->cause == TS_CAUSE_EAGAIN_NO_LIMIT))
                add(&s, "%s", res->why);
        else {
                /* (its facts, of its current run, may not hold the lines of an earlier one) */
                add_log_lines(&s, l->hits, top_eagain_pattern(l->hits));
                add(&s, ", but no cgroup counted a refused fork \u2014 injected failures, or another cause");
        }
        ts_cause_fix(e->cause, l->unit, e->fix, sizeof e->fix);
        return add_logger(e, l->unit, l->hits, eagain_lines(l->hits, false));
}

/* Every unit's EAGAIN lines, on the limit that caused them: its own (or its slice's); else another
 * limit that its own facts show; else another unit's refusals; else none. */
static int collect_logs(Builder *b) {
        for (size_t i = 0; i < b->f->n_logs; i++) {
                const TsScanLog *l = &b->f->logs[i];
                if (eagain_lines(l->hits, false) == 0)
                        continue;
                int r;
                TsScanEntry *e = own_limit(b, l->unit, l->control_group);
                if (e)
                        r = add_logger(e, l->unit, l->hits, eagain_lines(l->hits, false));
                else {
                        TsCheckResult res = { .verdict = TS_CHECK_NOT_AFFECTED,
                                              .cause = TS_CAUSE_EAGAIN_NO_LIMIT };
                        if (l->facts)
                                ts_check_judge(l->facts, b->threshold, &res);
                        /* Lines of the unit's own failed forks: only its own limits explain them. Lines
                         * relayed from a process elsewhere (runc's, by dockerd) may be explained by the
                         * limit of the cgroup where that process ran. */
                        uint64_t relayed = eagain_lines(l->hits, true);
                        e = is_other_limit(res.cause) || relayed == 0 ? NULL : other_limit(b, l->unit);
                        r = e ? add_logger(e, l->unit, l->hits, relayed) : add_unexplained(b, l, &res);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The fix of a limit by its owner's kind: systemctl's line, and taskstorm's where it can do it. */
static void set_fixes(TsScanEntry *e) {
        e->cause = kinds[e->owner.kind].cause;
        ts_cause_fix(e->cause, e->owner.name, e->fix, sizeof e->fix);
        if (kinds[e->owner.kind].taskstorm_fix)
                snprintf(e->taskstorm_fix, sizeof e->taskstorm_fix, "%s%s",
                         kinds[e->owner.kind].taskstorm_fix, e->owner.name);
}

/* Cgroups near their limit that refused nothing yet, and busy daemons under a low one. */
static int collect_at_risk(Builder *b) {
        for (size_t i = 0; i < b->f->n_cgroups; i++) {
                const TsScanCgroup *c = &b->f->cgroups[i];
                if (c->refused > 0 || c->max == UINT64_MAX)
                        continue;
                _cleanup_(ts_scan_owner_done) TsScanOwner owner = {};
                if (ts_scan_owner(c->path, &owner) < 0)
                        return -ENOMEM;
                if (find_entry(b, owner.name))
                        continue;
                bool near = c->current.known && at_least_percent(c->current.value, c->max, b->threshold);
                uint64_t needs = owner.kind == TS_SCAN_SERVICE && streq(owner.control_group, c->path)
                                         ? ts_check_busy_daemon_needs(owner.name)
                                         : 0;
                if (!near && c->max >= needs)
                        continue;

                TsScanEntry *e = entry_of_limit(b, c);
                if (!e)
                        return -ENOMEM;
                e->verdict = TS_CHECK_AT_RISK;
                set_fixes(e);
                Sentence s = { e->why, sizeof e->why, 0 };
                if (near) {
                        add_tasks(&s, e->current, e->max);
                        add_near_limit(&s, e->current.value, e->max.value, b->threshold);
                } else
                        add_busy_daemon(&s, e->owner.name, c->max, needs);
        }
        return 0;
}

/* The verdict, sentence and fixes of a limit that refused forks. */
static void describe_refusals(TsScanEntry *e) {
        Sentence s = { e->why, sizeof e->why, 0 };
        const char *file = e->refused_local ? "pids.events.local" : "pids.events";
        if (!limit_stands(e)) {
                e->verdict = TS_CHECK_NOT_AFFECTED;
                e->cause = TS_CAUSE_NONE;
                add(&s,
                    "no Limit now: the %" PRIu64
                    " refused fork%s counted (%s) happened under a limit that was "
                    "lifted",
                    e->refused, plural(e->refused), file);
                return;
        }
        e->verdict = TS_CHECK_AFFECTED;
        add_tasks(&s, e->current, e->max);
        if (e->refused == 0) {
                /* only the kernel's lines of cgroups that are gone: no count says this limit was hit */
                add(&s, "the kernel logged 'fork rejected by pids controller' in ");
                add_gone(&s, e->kernel_lines_gone);
                add(&s, ", charged to %s%s", kinds[e->owner.kind].limit_of, e->owner.name);
        } else {
                add(&s, "%s%s was hit %" PRIu64 " time%s (%s", kinds[e->owner.kind].limit_of, e->owner.name,
                    e->refused, plural(e->refused), file);
                for (size_t i = 0; e->refused_in && e->refused_in[i]; i++)
                        add(&s, "%s%s", i == 0 ? " of " : ", ", e->refused_in[i]);
                add(&s, ")");
                if (e->kernel_lines > 0)
                        add(&s, ", and the kernel logged 'fork rejected by pids controller'");
                if (e->kernel_lines_gone > 0) {
                        add(&s, " (");
                        if (e->kernel_lines_gone < e->kernel_lines)
                                add(&s, "%" PRIu64 " of %" PRIu64 " lines ", e->kernel_lines_gone,
                                    e->kernel_lines);
                        add(&s, "in ");
                        add_gone(&s, e->kernel_lines_gone);
                        add(&s, ", charged to %s)", e->owner.name);
                }
        }
        for (size_t i = 0; i < e->n_loggers; i++)
                if (!e->loggers[i].sentence && e->loggers[i].top >= 0) {
                        add(&s, ", and ");
                        add_pattern_lines(&s, e->loggers[i].lines, e->loggers[i].top);
                }

        set_fixes(e);
}

static int compare_entries(const void *x, const void *y) {
        const TsScanEntry *a = x, *b = y;
        int sa = ts_check_verdict_severity(a->verdict), sb = ts_check_verdict_severity(b->verdict);
        if (sa != sb)
                return sb - sa;
        if (a->refused != b->refused)
                return a->refused > b->refused ? -1 : 1;
        int usage = compare_usage(a->current, a->max.known ? a->max.value : UINT64_MAX, b->current,
                                  b->max.known ? b->max.value : UINT64_MAX);
        return usage != 0 ? -usage : strcmp(a->owner.name, b->owner.name);
}

static void summarize(const TsScanFacts *f, unsigned threshold, TsScanResult *r) {
        size_t affected = 0, at_risk = 0;
        for (size_t i = 0; i < r->n_entries; i++) {
                affected += r->entries[i].verdict == TS_CHECK_AFFECTED;
                at_risk += r->entries[i].verdict == TS_CHECK_AT_RISK;
        }
        r->verdict = r->n_entries > 0 ? r->entries[0].verdict : TS_CHECK_NOT_AFFECTED;
        Sentence s = { r->why, sizeof r->why, 0 };
        if (affected + at_risk > 0)
                add(&s, "%zu limit%s hit, %zu at risk, in %" PRIu64 " cgroups; first: %s", affected,
                    plural(affected), at_risk, f->n_walked, r->entries[0].owner.name);
        else if (r->n_entries > 0)
                add(&s,
                    "nothing binds now, in %" PRIu64 " cgroups: limits hit before were lifted, or no limit "
                    "explains the EAGAIN lines",
                    f->n_walked);
        else
                add(&s,
                    "no cgroup of %" PRIu64
                    " counted a refused fork or is at or above %u%% of its limit, and "
                    "no unit logs EAGAIN",
                    f->n_walked, threshold);
}

int ts_scan_judge(const TsScanFacts *f, unsigned threshold, TsScanResult *ret) {
        if (!f || !ret)
                return -EINVAL;
        Builder b = { .f = f, .threshold = threshold > 0 ? threshold : TS_CHECK_DEFAULT_THRESHOLD };
        TsScanResult r = { .verdict = TS_CHECK_NOT_AFFECTED };

        TsPrereqInput in = { f->systemd_version, f->kernel_release, f->os_id, f->os_id_like };
        r.prereq = ts_prereq_check(&in, r.prereq_why, sizeof r.prereq_why);
        if (r.prereq == TS_PREREQ_UNMET) {
                r.verdict = TS_CHECK_NOT_APPLICABLE;
                snprintf(r.why, sizeof r.why, "%s", r.prereq_why);
                *ret = r;
                return 0;
        }

        /* Refusals first: the lines are put on them, then what is near a limit fills the rest. */
        int k = collect_refusals(&b);
        if (k >= 0)
                k = collect_kernel_lines(&b);
        if (k >= 0)
                k = collect_logs(&b);
        for (size_t i = 0; k >= 0 && i < b.n_entries; i++)
                if (was_hit(&b.entries[i]))
                        describe_refusals(&b.entries[i]);
        if (k >= 0)
                k = collect_at_risk(&b);
        if (k < 0) {
                builder_done(&b);
                return k;
        }
        if (b.n_entries > 1)
                qsort(b.entries, b.n_entries, sizeof *b.entries, compare_entries);
        r.entries = TAKE_PTR(b.entries);
        r.n_entries = b.n_entries;
        summarize(f, b.threshold, &r);
        *ret = r;
        return 0;
}

int ts_scan_follow(const TsCheckFacts *f, const TsScanFacts *machine, unsigned threshold, TsCheckResult *r) {
        if (!f || !machine || !r || r->cause != TS_CAUSE_EAGAIN_NO_LIMIT || !f->unit)
                return 0;
        uint64_t lines = eagain_lines(f->hits, true);
        if (lines == 0)
                return 0; /* its own forks failed: nothing points elsewhere */

        Builder b = { .f = machine, .threshold = threshold > 0 ? threshold : TS_CHECK_DEFAULT_THRESHOLD };
        int k = collect_refusals(&b);
        if (k >= 0)
                k = collect_kernel_lines(&b);
        /* Where the unit's own cgroup or slice counted refusals after all (the counts grew since its
         * facts were read), its own judgement stands. */
        TsScanEntry *own = k >= 0 ? own_limit(&b, f->unit, f->control_group) : NULL;
        TsScanEntry *e = k >= 0 && !own ? other_limit(&b, f->unit) : NULL;
        if (e) {
                bool stands = limit_stands(e);
                r->verdict = stands ? TS_CHECK_AFFECTED : TS_CHECK_NOT_AFFECTED;
                r->cause = stands ? TS_CAUSE_OTHER_UNIT_TASKSMAX : TS_CAUSE_NONE;
                r->via_cause = kinds[e->owner.kind].cause;
                snprintf(r->via, sizeof r->via, "%s", e->owner.name);
                Sentence s = { r->why, sizeof r->why, 0 };
                say_other_limit(&s, f->unit, lines, e);
        }
        builder_done(&b);
        return k < 0 ? k : 0;
}
