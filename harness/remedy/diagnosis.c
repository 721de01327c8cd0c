/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verdict of a check, decided from the facts alone: which limit binds the unit, whether a task
 * limit was hit (the kernel's pids.events and log lines are the evidence), or which other limit gave
 * the EAGAIN, and one sentence that says so in the vendor article's terms. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "diagnosis.h"
#include "macro.h"
#include "sentence.h"
#include "string-table.h"
#include "version.h"

static const char *const ts_check_verdict_table[_TS_CHECK_VERDICT_MAX] = {
        [TS_CHECK_NOT_AFFECTED] = "not-affected", [TS_CHECK_AFFECTED] = "affected",
        [TS_CHECK_AT_RISK] = "at-risk",           [TS_CHECK_NOT_APPLICABLE] = "not-applicable",
        [TS_CHECK_SUSPECTED] = "suspected",
};

static const char *const ts_cause_table[_TS_CAUSE_MAX] = {
        [TS_CAUSE_NONE] = "none",
        [TS_CAUSE_UNIT_TASKSMAX] = "unit-tasksmax",
        [TS_CAUSE_SLICE_TASKSMAX] = "slice-tasksmax",
        [TS_CAUSE_RLIMIT_NPROC] = "rlimit-nproc",
        [TS_CAUSE_PID_MAX] = "pid-max",
        [TS_CAUSE_THREADS_MAX] = "threads-max",
        [TS_CAUSE_EAGAIN_NO_LIMIT] = "eagain-no-limit",
        [TS_CAUSE_OTHER_UNIT_TASKSMAX] = "other-unit-tasksmax",
        [TS_CAUSE_CONTAINER_PIDS_LIMIT] = "container-pids-limit",
        [TS_CAUSE_MEMORY] = "memory",
        [TS_CAUSE_KEYRING_QUOTA] = "keyring-quota",
        [TS_CAUSE_UNKNOWN] = "unknown",
};

/* What to do for each cause, around the name of what the limit is on (the unit, its slice, the
 * container): the article's fix, or what helps where TasksMax is not the cause. */
static const struct {
        const char *before, *after;
} cause_fixes[_TS_CAUSE_MAX] = {
        [TS_CAUSE_UNIT_TASKSMAX] = { "systemctl set-property ", " TasksMax=infinity" },
        [TS_CAUSE_SLICE_TASKSMAX] = { "systemctl set-property ", " TasksMax=infinity" },
        [TS_CAUSE_RLIMIT_NPROC] = { "raise LimitNPROC= of ",
                                    " (a drop-in, then restart it); TasksMax is not the cause" },
        [TS_CAUSE_PID_MAX] = { "raise kernel.pid_max (sysctl); TasksMax of ", " is not the cause" },
        [TS_CAUSE_THREADS_MAX] = { "raise kernel.threads-max (sysctl); TasksMax of ", " is not the cause" },
        [TS_CAUSE_EAGAIN_NO_LIMIT] = { "no task limit was hit by ",
                                       ": look for injected faults or another cause" },
        [TS_CAUSE_CONTAINER_PIDS_LIMIT] = { "raise the pids limit of ",
                                            " where its runtime sets it (docker update "
                                            "--pids-limit, podman run --pids-limit or pids_limit in containers.conf, the "
                                            "pod's spec); TasksMax is not the cause" },
        [TS_CAUSE_MEMORY] = { "free memory for the new tasks of ",
                              " (memory, swap, vm.overcommit_memory, a memory "
                              "limit; a thread's stack is memory too); TasksMax is not the cause" },
        [TS_CAUSE_KEYRING_QUOTA] = { "raise kernel.keys.maxkeys and kernel.keys.maxbytes (sysctl; each container "
                                     "of ",
                                     " makes a session keyring); TasksMax is not the cause" },
};

/* What shows whether a cause is the one, around the same target. */
static const struct {
        const char *before, *after;
} cause_probes[_TS_CAUSE_MAX] = {
        [TS_CAUSE_UNIT_TASKSMAX] = { "systemctl show -p TasksMax,TasksCurrent ",
                                     "; journalctl -k | grep 'fork rejected'" },
        [TS_CAUSE_SLICE_TASKSMAX] = { "systemctl show -p TasksMax,TasksCurrent $(systemctl show -P Slice ",
                                      ")" },
        [TS_CAUSE_OTHER_UNIT_TASKSMAX] = { "taskstorm check (with no unit: every limit that refused forks, "
                                           "whose ever they were; ",
                                           " among them)" },
        [TS_CAUSE_RLIMIT_NPROC] = { "ulimit -u as the user of ",
                                    ", and ps -L -u USER --no-headers | wc -l" },
        [TS_CAUSE_PID_MAX] = { "sysctl kernel.pid_max; ps -eL --no-headers | wc -l (", "'s host)" },
        [TS_CAUSE_THREADS_MAX] = { "sysctl kernel.threads-max; ps -eL --no-headers | wc -l (", "'s host)" },
        [TS_CAUSE_CONTAINER_PIDS_LIMIT] = { "cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids.current inside ",
                                            " (docker inspect -f '{{.HostConfig.PidsLimit}}', kubectl describe pod)" },
        [TS_CAUSE_MEMORY] = { "free -m; sysctl vm.overcommit_memory; journalctl -k | grep -i 'out of memory' (",
                              "'s host)" },
        [TS_CAUSE_KEYRING_QUOTA] = { "cat /proc/key-users; sysctl kernel.keys.maxkeys kernel.keys.maxbytes (",
                                     "'s host)" },
};

void ts_cause_probe(TsCause c, const char *target, char *buf, size_t size) {
        if (size == 0)
                return;
        if (c >= 0 && c < _TS_CAUSE_MAX && cause_probes[c].before)
                snprintf(buf, size, "%s%s%s", cause_probes[c].before, target ? target : "the unit",
                         cause_probes[c].after);
        else
                buf[0] = 0;
}

/* The worst verdict of several decides an exit status and comes first in a ranking. */
static const int verdict_severity[_TS_CHECK_VERDICT_MAX] = {
        [TS_CHECK_NOT_AFFECTED] = 0, [TS_CHECK_NOT_APPLICABLE] = 1, [TS_CHECK_AT_RISK] = 2,
        [TS_CHECK_SUSPECTED] = 3,    [TS_CHECK_AFFECTED] = 4,
};

/* Daemons that run thousands of tasks in normal operation: a limit below what they need is a
 * failure waiting for load (the article's dockerd, and its neighbours). */
static const struct {
        const char *name; /* the unit's name without ".service" */
        uint64_t needs;
} busy_daemons[] = {
        { "docker", 4096 },  { "dockerd", 4096 }, { "containerd", 4096 },
        { "kubelet", 4096 }, { "crio", 4096 },    { "podman", 4096 },
};

/* pid_max and threads-max count as reached at this share: other tasks come and go, so the count
 * seen later rarely meets the exact figure the kernel refused at. */
#define KERNEL_LIMIT_PERCENT 95
/* An RLIMIT_NPROC at or below this was set on purpose (RHEL's 90-nproc.conf gives users 4096): in a
 * text that shows it beside EAGAIN, it is the likely limit. Above it, it is a distribution's
 * default (threads-max / 2), rarely the one that binds. */
#define NPROC_LOW 4096
/* A kernel.threads-max or pid_max this low is the whole machine's budget, soon spent. */
#define KERNEL_LOW 4096

static bool unit_is(const char *unit, const char *name) {
        size_t n = strlen(name);
        return unit && strneq(unit, name, n) && (unit[n] == 0 || streq(unit + n, ".service"));
}

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(ts_check_verdict, TsCheckVerdict);
DEFINE_STRING_TABLE_LOOKUP(ts_cause, TsCause);

int ts_check_verdict_severity(TsCheckVerdict v) {
        return v >= 0 && v < _TS_CHECK_VERDICT_MAX ? verdict_severity[v] : -1;
}

bool ts_check_fix_applies(const TsCheckResult *res) {
        return res->verdict == TS_CHECK_AFFECTED &&
               (res->cause == TS_CAUSE_UNIT_TASKSMAX ||
                (res->cause == TS_CAUSE_SLICE_TASKSMAX && res->binding_slice < 0));
}

void ts_cause_fix(TsCause c, const char *target, char *buf, size_t size) {
        if (size == 0)
                return;
        if (c >= 0 && c < _TS_CAUSE_MAX && cause_fixes[c].before && target)
                snprintf(buf, size, "%s%s%s", cause_fixes[c].before, target, cause_fixes[c].after);
        else
                buf[0] = 0;
}

uint64_t ts_check_busy_daemon_needs(const char *unit) {
        for (size_t i = 0; i < ELEMENTSOF(busy_daemons); i++)
                if (unit_is(unit, busy_daemons[i].name))
                        return busy_daemons[i].needs;
        return 0;
}

void ts_pattern_hits_add(TsPatternHits *h, uint64_t usec, const char *ident, size_t ident_len,
                         const char *msg, size_t msg_len) {
        /* Several passes (the unit's lines, the kernel's) may each add to a pattern: keep the extremes. */
        if (h->count == 0 || usec < h->first_usec)
                h->first_usec = usec;
        if (usec > h->last_usec)
                h->last_usec = usec;
        if (ts_pattern_relayed(msg, msg_len))
                h->relayed++;
        if (h->count < TS_CHECK_SAMPLES) {
                char *sample = NULL;
                if (asprintf(&sample, "%.*s: %.*s", (int)ident_len, ident, (int)msg_len, msg) >= 0)
                        h->samples[h->count] = sample;
        }
        h->count++;
}

void ts_pattern_hits_merge(TsPatternHits *h, TsPatternHits *later) {
        if (later->count == 0)
                return;
        if (h->count == 0 || later->first_usec < h->first_usec)
                h->first_usec = later->first_usec;
        if (later->last_usec > h->last_usec)
                h->last_usec = later->last_usec;
        h->relayed += later->relayed;
        for (size_t i = 0; i < ELEMENTSOF(later->samples) && h->count + i < ELEMENTSOF(h->samples); i++)
                h->samples[h->count + i] = TAKE_PTR(later->samples[i]);
        h->count += later->count;
}

void ts_pattern_hits_done(TsPatternHits *hits, size_t n) {
        for (size_t p = 0; p < n; p++)
                for (size_t i = 0; i < ELEMENTSOF(hits[p].samples); i++)
                        free(hits[p].samples[i]);
}

void ts_check_facts_done(TsCheckFacts *f) {
        if (!f)
                return;
        free(f->systemd_version);
        free(f->kernel_release);
        free(f->os_id);
        free(f->os_id_like);
        free(f->unit);
        free(f->control_group);
        free(f->invocation_id);
        for (size_t i = 0; i < ELEMENTSOF(f->slices); i++)
                free(f->slices[i].name);
        ts_pattern_hits_done(f->hits, ELEMENTSOF(f->hits));
        *f = (TsCheckFacts){ .kernel_slice = -1 };
}

/* The lowest finite limit in values[], or infinity; known when any value is. */
static TsValue lowest(const TsValue *values, size_t n) {
        TsValue low = {};
        for (size_t i = 0; i < n; i++) {
                if (!values[i].known)
                        continue;
                if (!low.known || values[i].value < low.value)
                        low = values[i];
        }
        return low;
}

static void unenforced_warning(TsCheckResult *r, const char *who, TsValue tasks_max, TsValue pids_max) {
        if (r->n_warnings >= ELEMENTSOF(r->warnings) || !is_finite(tasks_max) || !pids_max.known ||
            pids_max.value == tasks_max.value)
                return;
        char max[24] = "max";
        if (pids_max.value != UINT64_MAX)
                snprintf(max, sizeof max, "%" PRIu64, pids_max.value);
        snprintf(r->warnings[r->n_warnings++], sizeof r->warnings[0],
                 "%s%sTasksMax=%" PRIu64 " on the bus but pids.max is %s: the kernel does not enforce it",
                 strempty(who), who ? ": " : "", tasks_max.value, max);
}

/* "the limit of system-foo.slice (TasksMax=20)" or "the unit's TasksMax". */
static void add_binding(Sentence *s, const TsCheckFacts *f, int slice) {
        if (slice < 0) {
                add(s, "the unit's TasksMax");
                return;
        }
        const TsSliceFacts *sf = &f->slices[slice];
        add(s, "the limit of %s", sf->name ? sf->name : "its slice");
        if (is_finite(sf->tasks_max))
                add(s, " (TasksMax=%" PRIu64 ")", sf->tasks_max.value);
        else if (is_finite(sf->pids_max))
                add(s, " (pids.max %" PRIu64 ")", sf->pids_max.value);
}

static void add_unknown(TsCheckResult *r, const char *what) {
        Sentence s = sentence_at_end(r->unknown, sizeof r->unknown);
        add(&s, "%s%s", s.len > 0 ? ", " : "", what);
}

/* What the decision steps share: the facts, the evidence read from them, and the result so far. */
typedef struct Judge {
        const TsCheckFacts *f;
        unsigned threshold;
        TsCheckResult *r;
        Sentence why;
        TsValue limit;      /* the effective limit */
        int top;            /* the EAGAIN pattern seen most, -1 none */
        bool tasks_known;   /* Tasks: N */
        bool unit_events;   /* the unit's pids.events > 0 */
        int events_slice;   /* the first slice whose pids.events > 0, -1 none */
        bool events_known;  /* any pids.events could be read (never offline) */
        bool kernel;        /* a kernel "fork rejected" line names the unit or one of its slices */
        bool kernel_slice;  /* ... one of its slices, in range */
        bool kernel_below;  /* ... only cgroups below the unit's, and they count for its limit */
        bool nproc_applies; /* RLIMIT_NPROC is finite and the user is not root */
} Judge;

static void verdict(Judge *j, TsCheckVerdict v, TsCause c) {
        j->r->verdict = v;
        j->r->cause = c;
}

/* The cause when the unit's limit (or its slice's) binds: a slice's own TasksMax is a slice's; a
 * container's limit is its runtime's, not a TasksMax. */
static TsCause binding_cause(const Judge *j) {
        const char *u = j->f->unit;
        size_t n = u ? strlen(u) : 0;
        if (j->r->binding_slice >= 0 || (n > 6 && streq(u + n - 6, ".slice")))
                return TS_CAUSE_SLICE_TASKSMAX;
        return j->f->container ? TS_CAUSE_CONTAINER_PIDS_LIMIT : TS_CAUSE_UNIT_TASKSMAX;
}

static unsigned tasks_percent(const Judge *j, bool round) {
        return percent_of(j->f->tasks_current.value, j->limit.value, round);
}

/* The binding limit: the lowest over the unit (TasksMax, pids.max), EffectiveTasksMax and each
 * slice. A slice binds only when strictly lower than the unit's own limit. */
static void effective_limit(const TsCheckFacts *f, TsCheckResult *r) {
        TsValue own_values[] = { f->tasks_max, f->pids_max };
        TsValue own = lowest(own_values, ELEMENTSOF(own_values));
        TsValue slice_low = {};
        int slice = -1;

        for (unsigned i = 0; i < f->n_slices && i < TS_CHECK_MAX_SLICES; i++) {
                TsValue values[] = { f->slices[i].tasks_max, f->slices[i].pids_max };
                TsValue v = lowest(values, ELEMENTSOF(values));
                if (v.known && (!slice_low.known || v.value < slice_low.value)) {
                        slice_low = v;
                        slice = (int)i;
                }
        }

        /* systemd 256+ caps EffectiveTasksMax at the system's own maximum (the lowest of threads-max,
         * pid_max - 1 and the root's pids.max, as in a sandbox or a container): a unit without any
         * TasksMax shows that number, which is no TasksMax. */
        TsValue effective = f->effective_tasks_max;
        TsValue kernel_values[] = { f->threads_max,
                                    { .known = f->pid_max.known && f->pid_max.value > 0,
                                      .value = f->pid_max.value - 1 },
                                    f->root_pids_max };
        TsValue kernel = lowest(kernel_values, ELEMENTSOF(kernel_values));
        if (effective.known && kernel.known && effective.value >= kernel.value)
                effective = (TsValue){ .known = true, .value = UINT64_MAX };
        TsValue candidates[] = { own, effective, slice_low };
        r->effective_limit = lowest(candidates, ELEMENTSOF(candidates));

        bool slice_below_unit = is_finite(slice_low) && (!is_finite(own) || slice_low.value < own.value);
        bool slice_is_lowest = is_finite(slice_low) && slice_low.value == r->effective_limit.value;
        /* A text that shows a slice's limit but not the unit's own does not show that the slice's
         * binds: only where the slice's usage is shown near it. */
        if (f->offline && !own.known && slice >= 0) {
                const TsSliceFacts *sf = &f->slices[slice];
                TsValue used = sf->pids_current;
                slice_below_unit = slice_below_unit && is_finite(used) &&
                                   at_least_percent(used.value, slice_low.value, TS_CHECK_DEFAULT_THRESHOLD);
                if (!slice_below_unit)
                        r->effective_limit = (TsValue){};
        }
        r->binding_slice = slice_below_unit && slice_is_lowest ? slice : -1;
}

/* The pattern of errno error seen most, or -1. */
static int top_pattern_of_error(const TsPatternHits hits[_TS_PATTERN_MAX], int error) {
        int top = -1;
        for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++)
                if (!ts_pattern_info(p)->kernel && ts_pattern_info(p)->error == error && hits[p].count > 0 &&
                    (top < 0 || hits[p].count > hits[top].count))
                        top = (int)p;
        return top;
}

static void read_evidence(Judge *j) {
        const TsCheckFacts *f = j->f;
        unsigned n_slices = f->n_slices < TS_CHECK_MAX_SLICES ? f->n_slices : TS_CHECK_MAX_SLICES;

        j->top = top_pattern_of_error(f->hits, EAGAIN);
        j->tasks_known = f->tasks_current.known && f->tasks_current.value != UINT64_MAX;
        j->unit_events = f->events_max.known && f->events_max.value > 0;
        j->events_known = f->events_max.known;
        j->events_slice = -1;
        for (unsigned i = 0; i < n_slices; i++) {
                j->events_known = j->events_known || f->slices[i].events_max.known;
                if (j->events_slice < 0 && f->slices[i].events_max.known &&
                    f->slices[i].events_max.value > 0)
                        j->events_slice = (int)i;
        }
        j->kernel_slice = f->kernel_slice >= 0 && (unsigned)f->kernel_slice < n_slices;
        /* The kernel names the forking task's cgroup, and before Linux 6.10 counts the refusal there
         * too: a container's scope below a slice, which podman has removed by the time check runs.
         * Such a line is the unit's limit's only where that limit is finite and the unit is at or
         * above half the threshold (the containers that failed have gone: podman's machine.slice at
         * its 40 shows 30), the rule the whole-machine check charges a gone cgroup's line by; a
         * container with a pids limit of its own under a slice with room is its runtime's. */
        j->kernel_below = !f->kernel_for_unit && !j->kernel_slice && f->kernel_below_unit &&
                          is_finite(j->limit) && j->tasks_known &&
                          at_least_percent(f->tasks_current.value, j->limit.value, j->threshold / 2);
        j->kernel = f->kernel_for_unit || j->kernel_slice || j->kernel_below;
        j->nproc_applies = !f->user_is_root && is_finite(f->nproc_soft);
}

/* The article's first two prerequisites: versions too old, the problem cannot happen. */
static bool decide_prerequisites(Judge *j) {
        const TsCheckFacts *f = j->f;
        TsPrereqInput in = { f->systemd_version, f->kernel_release, f->os_id, f->os_id_like };
        j->r->prereq = ts_prereq_check(&in, j->r->prereq_why, sizeof j->r->prereq_why);
        if (j->r->prereq != TS_PREREQ_UNMET)
                return false;
        verdict(j, TS_CHECK_NOT_APPLICABLE, TS_CAUSE_NONE);
        add(&j->why, "%s", j->r->prereq_why);
        return true;
}

static bool limit_lifted(const Judge *j) {
        return j->limit.known && j->limit.value == UINT64_MAX;
}

/* The limit was hit once, but there is none now (the article's fix was applied): the counts that
 * stay in pids.events, and the old lines in the journal, are history. */
static bool decide_limit_lifted(Judge *j) {
        if (!limit_lifted(j) || j->nproc_applies || (!j->unit_events && j->events_slice < 0 && !j->kernel))
                return false;
        verdict(j, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE);
        add_tasks(&j->why, j->f->tasks_current, j->limit);
        add(&j->why,
            "no Limit now: the refusals counted earlier happened under a lower limit that was lifted");
        return true;
}

/* A task limit was hit: pids.events counted a refusal, the kernel logged one, or (offline, where
 * pids.events is not in the text) the unit was at its limit while the log shows EAGAIN. */
static bool decide_limit_hit(Judge *j) {
        const TsCheckFacts *f = j->f;
        TsCheckResult *r = j->r;
        if (limit_lifted(j))
                return false;
        bool at_limit = f->offline && j->tasks_known && is_finite(j->limit) &&
                        f->tasks_current.value >= j->limit.value && j->top >= 0;
        if (!j->unit_events && j->events_slice < 0 && !j->kernel && !at_limit)
                return false;

        if (j->kernel_slice)
                r->binding_slice = f->kernel_slice;
        verdict(j, TS_CHECK_AFFECTED, binding_cause(j));
        add_tasks(&j->why, f->tasks_current, j->limit);
        add_binding(&j->why, f, r->binding_slice);

        /* On cgroup v1 the kernel counts a refusal in the forking task's own cgroup, so a slice's
         * limit shows in the unit's pids.events: any count is evidence, said with where it was. */
        const TsValue *events = NULL;
        const char *events_of = NULL;
        if (r->binding_slice >= 0 && f->slices[r->binding_slice].events_max.known &&
            f->slices[r->binding_slice].events_max.value > 0)
                events = &f->slices[r->binding_slice].events_max;
        else if (j->unit_events) {
                events = &f->events_max;
                events_of = r->binding_slice >= 0 ? "the unit" : NULL;
        } else if (j->events_slice >= 0) {
                events = &f->slices[j->events_slice].events_max;
                events_of = f->slices[j->events_slice].name ? f->slices[j->events_slice].name : "its slice";
        }
        if (events)
                add(&j->why, " was hit %" PRIu64 " time%s (pids.events%s%s)", events->value,
                    plural(events->value), events_of ? " of " : "", strempty(events_of));
        else if (j->kernel_below)
                add(&j->why, " was hit (kernel: 'fork rejected by pids controller' in a cgroup below it)");
        else if (j->kernel)
                add(&j->why, " was hit (kernel: 'fork rejected by pids controller')");
        else
                add(&j->why, " was reached");
        if (j->top >= 0) {
                add(&j->why, ", and ");
                add_log_lines(&j->why, f->hits, j->top);
        }
        return true;
}

/* The limits besides TasksMax that give the same EAGAIN: RLIMIT_NPROC, then the kernel's. */
static bool decide_other_limit(Judge *j) {
        static const struct {
                TsCause cause;
                const char *what;
                size_t offset; /* of the TsValue in TsCheckFacts */
        } kernel_limits[] = {
                { TS_CAUSE_PID_MAX, "kernel.pid_max", offsetof(TsCheckFacts, pid_max) },
                { TS_CAUSE_THREADS_MAX, "kernel.threads-max", offsetof(TsCheckFacts, threads_max) },
        };
        const TsCheckFacts *f = j->f;

        /* Near, not only at: tasks of the user may have ended since the refused fork (the count
         * is taken after the fact), and RLIMIT_NPROC counts the user's tasks this /proc cannot see
         * (other containers, the host of a sandbox). */
        if (j->nproc_applies && f->user_tasks.known &&
            at_least_percent(f->user_tasks.value, f->nproc_soft.value, j->threshold)) {
                verdict(j, TS_CHECK_AFFECTED, TS_CAUSE_RLIMIT_NPROC);
                add_tasks(&j->why, f->tasks_current, j->limit);
                add(&j->why,
                    "no TasksMax was hit, but the unit's user runs %" PRIu64
                    " tasks, %u%% of its RLIMIT_NPROC "
                    "(LimitNPROC=%" PRIu64 "), and ",
                    f->user_tasks.value, percent_of(f->user_tasks.value, f->nproc_soft.value, true),
                    f->nproc_soft.value);
                add_log_lines(&j->why, f->hits, j->top);
                return true;
        }

        /* A text rarely shows the user's task count, but it may show the limit itself, low as only a
         * deliberate setting is, or a program that says RLIMIT_NPROC refused it. */
        bool low = is_finite(f->nproc_soft) && f->nproc_soft.value <= NPROC_LOW;
        if (f->offline && !f->user_is_root && (f->nproc_refused || low)) {
                verdict(j, TS_CHECK_AFFECTED, TS_CAUSE_RLIMIT_NPROC);
                add_tasks(&j->why, f->tasks_current, j->limit);
                add(&j->why, "no TasksMax is shown hit, but ");
                if (low)
                        add(&j->why,
                            "RLIMIT_NPROC is %" PRIu64 " (every task of the user counts against it)",
                            f->nproc_soft.value);
                else
                        add(&j->why, "the text says RLIMIT_NPROC refused it (su's EAGAIN is setuid()'s, "
                                     "or the program says so)");
                add(&j->why, ", and ");
                add_log_lines(&j->why, f->hits, j->top);
                return true;
        }

        for (size_t i = 0; i < ELEMENTSOF(kernel_limits); i++) {
                const TsValue *max = (const TsValue *)((const char *)f + kernel_limits[i].offset);
                if (!f->system_tasks.known || !is_finite(*max))
                        continue;
                uint64_t reached = max->value / 100 * KERNEL_LIMIT_PERCENT +
                                   max->value % 100 * KERNEL_LIMIT_PERCENT / 100;
                if (f->system_tasks.value < reached)
                        continue;
                verdict(j, TS_CHECK_AFFECTED, kernel_limits[i].cause);
                add_tasks(&j->why, f->tasks_current, j->limit);
                add(&j->why,
                    "no TasksMax was hit, but the system runs %" PRIu64 " tasks, %u%% of %s (%" PRIu64
                    "), and ",
                    f->system_tasks.value, percent_of(f->system_tasks.value, max->value, true),
                    kernel_limits[i].what, max->value);
                add_log_lines(&j->why, f->hits, j->top);
                return true;
        }
        return false;
}

/* Where no pids.events could be read (a bundle), the article's own test is the best evidence there
 * is: the errors in the log, and Tasks close to the Limit. */
static bool decide_near_limit_unseen(Judge *j) {
        const TsCheckFacts *f = j->f;
        if (j->events_known || !j->tasks_known || !is_finite(j->limit) ||
            !at_least_percent(f->tasks_current.value, j->limit.value, j->threshold))
                return false;
        verdict(j, TS_CHECK_AFFECTED, binding_cause(j));
        add_tasks(&j->why, f->tasks_current, j->limit);
        add(&j->why, "%u%% of ", tasks_percent(j, true));
        add_binding(&j->why, f, j->r->binding_slice);
        add(&j->why, ", and ");
        add_log_lines(&j->why, f->hits, j->top);
        add(&j->why, " (pids.events unknown)");
        return true;
}

/* A cause the text makes likely, once. */
static void add_likely(TsCheckResult *r, TsCause c) {
        for (unsigned i = 0; i < r->n_likely; i++)
                if (r->likely[i] == c)
                        return;
        if (r->n_likely < ELEMENTSOF(r->likely))
                r->likely[r->n_likely++] = c;
}

/* Tasks could not be created and the text does not show what refused them: suspected, with the
 * causes its context makes likely, most likely first. The failures' pattern is top. */
static bool suspect(Judge *j, int top) {
        const TsCheckFacts *f = j->f;
        TsCheckResult *r = j->r;
        bool enomem = top >= 0 && ts_pattern_info((TsPattern)top)->error == ENOMEM;
        bool tasks_max_lifted = limit_lifted(j);
        bool nproc_high = is_finite(f->nproc_soft) && f->nproc_soft.value > NPROC_LOW;
        bool nproc_none = f->nproc_soft.known && f->nproc_soft.value == UINT64_MAX;

        if (enomem) {
                /* no free PID is ENOMEM on kernels before 4.1 only */
                if (!f->kernel_release || ts_version_at_least(f->kernel_release, "4.1") <= 0)
                        add_likely(r, TS_CAUSE_PID_MAX);
                add_likely(r, TS_CAUSE_MEMORY);
        }
        if (f->container)
                add_likely(r, TS_CAUSE_CONTAINER_PIDS_LIMIT);
        if (f->user_session && !f->service_log) {
                add_likely(r, TS_CAUSE_SLICE_TASKSMAX);
                if (!nproc_high && !nproc_none)
                        add_likely(r, TS_CAUSE_RLIMIT_NPROC);
        }
        if (!tasks_max_lifted && !enomem)
                add_likely(r, TS_CAUSE_UNIT_TASKSMAX);
        /* a text that names no unit and no daemon: the process may as well run in a container */
        if ((f->kubernetes || (!f->unit && !f->service_log)) && !enomem)
                add_likely(r, TS_CAUSE_CONTAINER_PIDS_LIMIT);
        if (!nproc_high && !nproc_none && !enomem)
                add_likely(r, TS_CAUSE_RLIMIT_NPROC);
        if (f->thread_failures && !enomem)
                add_likely(r, TS_CAUSE_MEMORY); /* a thread's stack is mapped memory */
        if (r->n_likely == 0)
                add_likely(r, TS_CAUSE_UNKNOWN);

        verdict(j, TS_CHECK_SUSPECTED, r->likely[0]);
        add_tasks(&j->why, f->tasks_current, j->limit);
        add_log_lines(&j->why, f->hits, top);
        add(&j->why, ", but the text does not show which limit refused them");
        if (tasks_max_lifted)
                add(&j->why, " (TasksMax is infinity: not it)");
        else if (nproc_high)
                add(&j->why, " (RLIMIT_NPROC is %" PRIu64 ": hardly it)", f->nproc_soft.value);
        return true;
}

/* EAGAIN with no limit reached: injected failures (they do not touch pids.events), or a cause
 * outside this module's reach. */
static bool decide_eagain_without_limit(Judge *j) {
        const TsCheckFacts *f = j->f;
        if (f->offline && !j->events_known)
                return suspect(j, j->top);
        verdict(j, TS_CHECK_NOT_AFFECTED, TS_CAUSE_EAGAIN_NO_LIMIT);
        if (j->events_known) {
                add(&j->why,
                    "EAGAIN in the log but no task limit was hit: pids.events is 0 and no other limit is "
                    "reached \u2014 injected failures, or another cause");
                return true;
        }
        add(&j->why, "EAGAIN in the log but no task limit is known to be hit: pids.events is unknown");
        if (j->tasks_known && is_finite(j->limit))
                add(&j->why, ", Tasks: %" PRIu64 " is %u%% of the Limit (%" PRIu64 ")",
                    f->tasks_current.value, tasks_percent(j, false), j->limit.value);
        add(&j->why, " and no other limit is reached \u2014 injected failures, or another cause");
        return true;
}

/* The article's third prerequisite: no Limit, no problem (the state its fix leaves). Where no
 * limit is known at all (a bundle without a 'Tasks:' line), nothing can be shown. */
static bool decide_no_limit(Judge *j) {
        if (is_finite(j->limit) || j->nproc_applies)
                return false;
        if (!j->limit.known && j->tasks_known) {
                /* a text that shows the unit running, without its limit and without a failure */
                verdict(j, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE);
                add(&j->why, "Tasks: %" PRIu64 " and no failure to create a task: its limit is not shown",
                    j->f->tasks_current.value);
                return true;
        }
        verdict(j, j->limit.known ? TS_CHECK_NOT_AFFECTED : TS_CHECK_NOT_APPLICABLE, TS_CAUSE_NONE);
        if (j->limit.known)
                add(&j->why, "no Limit on the unit (TasksMax=infinity): the TasksMax problem cannot happen");
        else
                add(&j->why,
                    "no Limit known for the unit (no 'Tasks:' line): the TasksMax problem cannot be shown "
                    "(article prerequisite)");
        return true;
}

static bool decide_near_limit(Judge *j) {
        const TsCheckFacts *f = j->f;
        if (!j->tasks_known || !is_finite(j->limit) ||
            !at_least_percent(f->tasks_current.value, j->limit.value, j->threshold))
                return false;
        verdict(j, TS_CHECK_AT_RISK, binding_cause(j));
        add_tasks(&j->why, f->tasks_current, j->limit);
        add_near_limit(&j->why, f->tasks_current.value, j->limit.value, j->threshold);
        if (j->r->binding_slice >= 0) {
                add(&j->why, " (");
                add_binding(&j->why, f, j->r->binding_slice);
                add(&j->why, ")");
        }
        return true;
}

static bool decide_busy_daemon(Judge *j) {
        uint64_t needs = ts_check_busy_daemon_needs(j->f->unit);
        if (!is_finite(j->limit) || j->limit.value >= needs)
                return false;
        verdict(j, TS_CHECK_AT_RISK, binding_cause(j));
        add_busy_daemon(&j->why, j->f->unit, j->limit.value, needs);
        return true;
}

static bool decide_not_affected(Judge *j) {
        verdict(j, TS_CHECK_NOT_AFFECTED, TS_CAUSE_NONE);
        add_tasks(&j->why, j->f->tasks_current, j->limit);
        if (j->tasks_known && is_finite(j->limit))
                add(&j->why, "%u%% of the limit, no limit hit", tasks_percent(j, false));
        else if (is_finite(j->limit))
                add(&j->why, "no limit hit");
        else
                add(&j->why, "no TasksMax on the unit (RLIMIT_NPROC is %" PRIu64 "), no limit hit",
                    j->f->nproc_soft.value);
        return true;
}

/* Failures that are not EAGAIN: fork's ENOMEM (no free PID under kernel.pid_max, or no memory) and
 * the keyring's EDQUOT (each container's runtime makes a session keyring). */
static bool decide_other_error(Judge *j) {
        const TsCheckFacts *f = j->f;
        if (j->top >= 0)
                return false;
        int keyring = top_pattern_of_error(f->hits, EDQUOT), enomem = top_pattern_of_error(f->hits, ENOMEM);
        if (keyring >= 0) {
                verdict(j, TS_CHECK_AFFECTED, TS_CAUSE_KEYRING_QUOTA);
                add(&j->why,
                    "no task limit: the kernel keyring's quota refused a session key (EDQUOT), and ");
                add_log_lines(&j->why, f->hits, keyring);
                return true;
        }
        if (enomem < 0)
                return false;
        /* Kernels before 4.1 say ENOMEM, not EAGAIN, when no PID is free under kernel.pid_max (since
         * commit 35f71bc0a09a it is EAGAIN): on a newer one ENOMEM is memory's. */
        bool old_kernel = !f->kernel_release || ts_version_at_least(f->kernel_release, "4.1") <= 0;
        bool pids_short = old_kernel && f->pid_max.known &&
                          (!f->system_tasks.known ||
                           f->system_tasks.value * 100 >= f->pid_max.value * KERNEL_LIMIT_PERCENT);
        if (f->memory_short || pids_short) {
                verdict(j, TS_CHECK_AFFECTED, f->memory_short ? TS_CAUSE_MEMORY : TS_CAUSE_PID_MAX);
                if (f->memory_short)
                        add(&j->why,
                            "memory was short (swap used up, strict overcommit or the OOM killer), and ");
                else
                        add(&j->why,
                            "kernel.pid_max is %" PRIu64 " (ENOMEM is what fork says when no PID is free), "
                            "and ",
                            f->pid_max.value);
                add_log_lines(&j->why, f->hits, enomem);
                return true;
        }
        if (!f->offline)
                return false;
        return suspect(j, enomem);
}

/* A kernel budget so small that a few busy services spend it: threads-max (half of it is every
 * user's RLIMIT_NPROC by default) or pid_max. */
static bool decide_kernel_budget(Judge *j) {
        const TsCheckFacts *f = j->f;
        bool threads = is_finite(f->threads_max) && f->threads_max.value < KERNEL_LOW;
        bool pids = is_finite(f->pid_max) && f->pid_max.value < KERNEL_LOW;
        if (!threads && !pids)
                return false;
        verdict(j, TS_CHECK_AT_RISK, threads ? TS_CAUSE_THREADS_MAX : TS_CAUSE_PID_MAX);
        add(&j->why, "%s is %" PRIu64 ": the whole machine's tasks, a few busy services' worth",
            threads ? "kernel.threads-max" : "kernel.pid_max",
            threads ? f->threads_max.value : f->pid_max.value);
        return true;
}

/* The steps of a judgement, in order; the first that decides ends it. Some only apply when the log
 * shows EAGAIN, some only when it does not. */
enum { ANY, WITH_EAGAIN, WITHOUT_EAGAIN };
static const struct {
        int when;
        bool (*decide)(Judge *j);
} steps[] = {
        { ANY, decide_prerequisites },
        { ANY, decide_limit_lifted },
        { ANY, decide_limit_hit },
        { ANY, decide_other_error },
        { WITH_EAGAIN, decide_other_limit },
        { WITH_EAGAIN, decide_near_limit_unseen },
        { WITH_EAGAIN, decide_eagain_without_limit },
        { WITHOUT_EAGAIN, decide_kernel_budget },
        { WITHOUT_EAGAIN, decide_no_limit },
        { WITHOUT_EAGAIN, decide_near_limit },
        { WITHOUT_EAGAIN, decide_busy_daemon },
        { ANY, decide_not_affected },
};

/* Offline, the facts the text could not give and that would have mattered. */
static void list_unknowns(const Judge *j) {
        const TsCheckFacts *f = j->f;
        TsCheckResult *r = j->r;
        if (!f->offline)
                return;
        bool judged = r->prereq != TS_PREREQ_UNMET; /* else nothing but the versions mattered */
        bool events_matter = r->verdict != TS_CHECK_NOT_APPLICABLE && !limit_lifted(j) &&
                             !(r->verdict == TS_CHECK_AFFECTED && j->kernel);

        if (judged && !r->effective_limit.known)
                add_unknown(r, "TasksMax");
        if (events_matter && !f->events_max.known)
                add_unknown(r, "pids.events");
        if (judged && !f->control_group)
                add_unknown(r, "cgroup");
        if (judged && !f->systemd_version)
                add_unknown(r, "systemd version");
        if (judged && !f->kernel_release)
                add_unknown(r, "kernel version");
        if (r->prereq == TS_PREREQ_UNKNOWN && f->systemd_version && f->kernel_release && !f->os_id)
                add_unknown(r, "os-release");
        if (judged && f->no_journal)
                add_unknown(r, "journal");
}

void ts_check_judge(const TsCheckFacts *f, unsigned threshold, TsCheckResult *ret) {
        if (!ret)
                return;
        *ret = (TsCheckResult){ .verdict = _TS_CHECK_VERDICT_INVALID,
                                .cause = _TS_CAUSE_INVALID,
                                .binding_slice = -1,
                                .via_cause = TS_CAUSE_NONE };
        if (!f)
                return;

        TsCheckResult r = { .binding_slice = -1, .via_cause = TS_CAUSE_NONE };
        Judge j = {
                .f = f,
                .threshold = threshold > 0 ? threshold : TS_CHECK_DEFAULT_THRESHOLD,
                .r = &r,
                .why = { r.why, sizeof r.why, 0 },
        };

        effective_limit(f, &r);
        j.limit = r.effective_limit;
        unenforced_warning(&r, NULL, f->tasks_max, f->pids_max);
        for (unsigned i = 0; i < f->n_slices && i < TS_CHECK_MAX_SLICES; i++)
                unenforced_warning(&r, f->slices[i].name ? f->slices[i].name : "slice",
                                   f->slices[i].tasks_max, f->slices[i].pids_max);
        read_evidence(&j);

        int eagain = j.top >= 0 ? WITH_EAGAIN : WITHOUT_EAGAIN;
        for (size_t i = 0; i < ELEMENTSOF(steps); i++)
                if ((steps[i].when == ANY || steps[i].when == eagain) && steps[i].decide(&j))
                        break;

        list_unknowns(&j);
        *ret = r;
}
