/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SetUnitProperties, Reload and RestartUnit as the article's steps 2-4, then verification. Before
 * the first fix of a unit, the drop-in that SetUnitProperties will write (50-TasksMax.conf under
 * system.control) is saved as it was, or noted as absent, in a record; undo puts it back and
 * reloads, which restores exactly the limit the unit had, whether it came from its unit file, a
 * drop-in or the default. A drop-in that systemd reads after the fix's wins over it: found in the
 * unit's files (fix-dropins.c) after the reload, it stops the fix before a restart that could not
 * help, and is named with what to do. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "bus.h"
#include "fileio.h"
#include "fix.h"
#include "macro.h"
#include "pids.h"
#include "string-table.h"
#include "unit.h"

/* What the record holds: the drop-in's content before the first fix, or this word alone. */
#define RECORD_ABSENT "# taskstorm: there was no drop-in\n"

static const char *const ts_fix_step_table[_TS_FIX_STEP_MAX] = {
        [TS_FIX_SET_PROPERTY] = "set-property",
        [TS_FIX_RELOAD] = "reload",
        [TS_FIX_RESTART] = "restart",
        [TS_FIX_VERIFY] = "verify",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(ts_fix_step, TsFixStep);

int ts_fix_dropin_path(const char *unit, bool runtime, char *buf, size_t size) {
        return path_printf(buf, size, "%s/systemd/system.control/%s.d/50-TasksMax.conf",
                           runtime ? "/run" : "/etc", unit);
}

int ts_fix_record_dir(const char *unit, bool runtime, char *buf, size_t size) {
        return path_printf(buf, size, "%s/taskstorm/fix/%s", runtime ? "/run" : "/var/lib", unit);
}

static int mkdir_parents(const char *path) {
        char buf[512];
        int r = path_printf(buf, sizeof buf, "%s", path);
        if (r < 0)
                return r;
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = 0;
                        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                                return negative_errno();
                        *p = '/';
                }
        return 0;
}

static int write_file(const char *path, const char *content) {
        int r = mkdir_parents(path);
        if (r < 0)
                return r;
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return negative_errno();
        size_t n = strlen(content);
        return write(fd, content, n) == (ssize_t)n ? 0 : -EIO;
}

static void step_done(TsFixReport *r, TsFixStep s, nsec_t start) {
        ts_timing_end(&r->steps[s], start);
}

static bool limits_equal(const TsTasksLimit *a, const TsTasksLimit *b) {
        return a->kind == b->kind && (a->kind == TS_TASKS_LIMIT_INFINITY || a->value == b->value);
}

static bool unit_running(const TsUnitInfo *u) {
        return streq(u->active_state, "active") || streq(u->active_state, "reloading");
}

static bool limit_matches(const TsTasksLimit *l, uint64_t tasks_max) {
        switch (l->kind) {
        case TS_TASKS_LIMIT_INFINITY:
                return tasks_max == UINT64_MAX;
        case TS_TASKS_LIMIT_NUMBER:
                return tasks_max == l->value;
        default:
                return false; /* a percentage resolves on the manager's side: always applied */
        }
}

/* Reads the unit back: the bus's TasksMax and the cgroup's pids.max must both say `want`. */
static int verify(sd_bus *bus, const char *unit, uint64_t want, bool want_known, TsFixReport *rep) {
        nsec_t t = ts_now_ns();
        TsUnitInfo u;
        int r = ts_unit_info_load(bus, unit, &u);
        if (r < 0)
                return r;
        rep->tasks_max_after = u.tasks_max;
        _cleanup_(freep) char *dir = NULL;
        TsPidsSample s = {};
        if (*u.control_group && ts_pids_cgroup_dir(u.control_group, &dir) >= 0 &&
            ts_pids_sample(dir, &s) >= 0)
                rep->pids_max_after = s.max;
        bool bus_ok = !want_known || u.tasks_max == want;
        bool cgroup_ok = !*u.control_group || rep->pids_max_after == u.tasks_max;
        rep->verified = bus_ok && cgroup_ok;
        if (!bus_ok)
                snprintf(rep->verify_why, sizeof rep->verify_why, "the bus shows TasksMax=%llu, not %llu",
                         (unsigned long long)u.tasks_max, (unsigned long long)want);
        else if (!cgroup_ok)
                snprintf(
                        rep->verify_why, sizeof rep->verify_why,
                        "the cgroup's pids.max (%llu) does not match TasksMax (%llu): the kernel does not enforce it",
                        (unsigned long long)rep->pids_max_after, (unsigned long long)u.tasks_max);
        ts_unit_info_done(&u);
        step_done(rep, TS_FIX_VERIFY, t);
        return 0;
}

/* The override of the fix's drop-in as one sentence: the value it gives, the file and line, and what
 * to do. blocked: the bus shows it now; else it waits for the next daemon-reload. */
static void explain_override(TsFixReport *rep, bool undo, bool blocked, uint64_t want, bool want_known) {
        const TsTasksMaxOverride *ov = &rep->override;
        char now[32], before[32], head[128];
        ts_tasks_max_format(rep->tasks_max_after, now, sizeof now);
        ts_tasks_max_format(want, before, sizeof before);
        if (!blocked)
                snprintf(head, sizeof head,
                         "it holds until the next daemon-reload only, which applies the TasksMax");
        else if (undo && want_known)
                snprintf(head, sizeof head, "TasksMax is %s, not %s as before the first fix,", now, before);
        else
                snprintf(head, sizeof head, "TasksMax is %s,", now);
        /* After an undo, advice only where the restored drop-in is read and loses: where there was
         * none, the unit's own files decide, and what changed in them since the fix is the user's. */
        bool advise = !undo || ov->after[0];
        snprintf(rep->explanation, sizeof rep->explanation, "%s %s%s%s%s", head, ov->where,
                 advise ? "; " : "", advise ? ov->advice : "",
                 !advise ? ""
                 : undo  ? ", then run systemctl daemon-reload"
                         : ", then run taskstorm fix again");
}

/* The files, read as they are, against the limit asked for, which the bus shows: one that gives
 * another limit wins at the next daemon-reload (a fix without a reload, or with nothing to do). */
static void pending_override(sd_bus *bus, const char *unit, const TsTasksLimit *asked, TsFixReport *rep) {
        if (ts_tasks_max_override_find(bus, unit, rep->dropin, NULL, &rep->override) <= 0 ||
            limits_equal(&rep->override.limit, asked)) {
                rep->override = (TsTasksMaxOverride){};
                return;
        }
        rep->override_pending = true;
        explain_override(rep, false, false, 0, false);
}

/* Reload and restart as asked, then verify. After the reload, the unit's files are read as systemd
 * applied them: when one that systemd reads after the fix's drop-in gives another limit, the bus
 * shows that already, and the restart is skipped, as it cannot change it. asked: the limit of a fix
 * (NULL when undoing). */
static int finish(sd_bus *bus, const char *unit, const TsFixOptions *o, bool was_active, uint64_t want,
                  bool want_known, const TsTasksLimit *asked, TsFixReport *rep) {
        int r;
        if (o->reload) {
                nsec_t t = ts_now_ns();
                r = ts_manager_reload(bus, o->timeout);
                if (r < 0)
                        return r;
                step_done(rep, TS_FIX_RELOAD, t);

                /* The explanation helps; where the files cannot be read the fix goes on as before. */
                if (ts_tasks_max_override_find(bus, unit, rep->dropin, NULL, &rep->override) > 0) {
                        r = verify(bus, unit, want, want_known, rep);
                        if (r < 0)
                                return r;
                        /* A percentage is resolved by the manager: the drop-ins' values tell then. */
                        bool differs = want_known ? rep->tasks_max_after != want
                                                  : asked && !limits_equal(&rep->override.limit, asked);
                        if (differs) {
                                rep->stopped = o->restart && was_active;
                                rep->verified = false;
                                explain_override(rep, !asked, true, want, want_known);
                                snprintf(rep->verify_why, sizeof rep->verify_why, "%s", rep->explanation);
                                return 0;
                        }
                }
                rep->override = (TsTasksMaxOverride){}; /* none, or it gives the limit asked for */
        }
        if (o->restart && was_active) {
                nsec_t t = ts_now_ns();
                r = ts_unit_job(bus, "RestartUnit", unit, "replace", o->timeout);
                if (r < 0)
                        return r;
                rep->restarted = true;
                step_done(rep, TS_FIX_RESTART, t);
        }
        r = verify(bus, unit, want, want_known, rep);
        if (r >= 0 && asked && !o->reload)
                pending_override(bus, unit, asked, rep);
        return r;
}

/* The unit's TasksMax now (into the report) and whether it runs (only a running unit restarts). */
static int unit_before(sd_bus *bus, const char *unit, TsFixReport *rep, bool *ret_active) {
        *rep = (TsFixReport){};
        TsUnitInfo u;
        int r = ts_unit_info_load(bus, unit, &u);
        if (r < 0)
                return r;
        rep->tasks_max_before = u.tasks_max;
        *ret_active = unit_running(&u);
        ts_unit_info_done(&u);
        return 0;
}

int ts_fix_apply(sd_bus *bus, const char *unit, const TsFixOptions *o, TsFixReport *ret) {
        bool active;
        int r = unit_before(bus, unit, ret, &active);
        if (r < 0)
                return r;
        (void)ts_fix_dropin_path(unit, o->runtime, ret->dropin, sizeof ret->dropin);

        if (limit_matches(&o->limit, ret->tasks_max_before)) { /* a second fix: nothing to do */
                r = verify(bus, unit, ret->tasks_max_before, true, ret);
                if (r >= 0)
                        pending_override(bus, unit, &o->limit, ret);
                return r;
        }

        /* The undo record is written once, before the first change; later fixes keep it. */
        char dir[512], record[600];
        r = ts_fix_record_dir(unit, o->runtime, dir, sizeof dir);
        if (r >= 0)
                r = path_printf(record, sizeof record, "%s/50-TasksMax.conf", dir);
        if (r < 0)
                return r;
        if (access(record, F_OK) < 0) {
                _cleanup_(freep) char *old = NULL;
                char before[600], value[32];
                r = ts_read_full_file(ret->dropin, 1 << 16, &old, NULL);
                if (r < 0 && r != -ENOENT)
                        return r;
                snprintf(value, sizeof value, "%llu\n", (unsigned long long)ret->tasks_max_before);
                r = path_printf(before, sizeof before, "%s/tasks-max", dir);
                if (r >= 0)
                        r = write_file(before, value); /* what undo verifies against */
                /* systemd creates system.control itself: undo removes it again if it was not there */
                char control[600], marker[600];
                if (r >= 0)
                        r = path_printf(control, sizeof control, "%s/systemd/system.control",
                                        o->runtime ? "/run" : "/etc");
                if (r >= 0)
                        r = path_printf(marker, sizeof marker, "%s/no-system-control", dir);
                if (r >= 0 && access(control, F_OK) < 0)
                        r = write_file(marker, "");
                if (r >= 0)
                        r = write_file(record, old ? old : RECORD_ABSENT);
                if (r < 0)
                        return r;
        }

        nsec_t t = ts_now_ns();
        r = ts_unit_set_tasks_max(bus, unit, o->runtime, &o->limit, o->timeout);
        if (r < 0)
                return r;
        step_done(ret, TS_FIX_SET_PROPERTY, t);
        ret->changed = true;
        uint64_t want = o->limit.kind == TS_TASKS_LIMIT_INFINITY ? UINT64_MAX : o->limit.value;
        return finish(bus, unit, o, active, want, o->limit.kind != TS_TASKS_LIMIT_PERCENT, &o->limit, ret);
}

int ts_fix_undo(sd_bus *bus, const char *unit, const TsFixOptions *o, TsFixReport *ret) {
        bool active;
        int r = unit_before(bus, unit, ret, &active);
        if (r < 0)
                return r;

        char dir[512], record[600];
        r = ts_fix_record_dir(unit, o->runtime, dir, sizeof dir);
        if (r >= 0)
                r = path_printf(record, sizeof record, "%s/50-TasksMax.conf", dir);
        if (r < 0)
                return r;
        _cleanup_(freep) char *old = NULL;
        char before[600];
        uint64_t want = 0;
        r = ts_read_full_file(record, 1 << 16, &old, NULL);
        if (r < 0)
                return r == -ENOENT ? -ENODATA : r;
        bool want_known = path_printf(before, sizeof before, "%s/tasks-max", dir) >= 0 &&
                          ts_read_u64_or_max_file(before, &want) >= 0;

        nsec_t t = ts_now_ns();
        (void)ts_fix_dropin_path(unit, o->runtime, ret->dropin, sizeof ret->dropin);
        if (streq(old, RECORD_ABSENT)) {
                r = unlink(ret->dropin) < 0 && errno != ENOENT ? negative_errno() : 0;
                /* and its directory, which the fix made, if nothing else is there; and system.control
                 * too, where the record says it was not there before */
                char parent[512], marker[600];
                snprintf(parent, sizeof parent, "%s", ret->dropin);
                char *slash = strrchr(parent, '/');
                if (r >= 0 && slash) {
                        *slash = 0;
                        (void)rmdir(parent);
                        slash = strrchr(parent, '/');
                        if (slash && path_printf(marker, sizeof marker, "%s/no-system-control", dir) >= 0 &&
                            access(marker, F_OK) >= 0) {
                                *slash = 0;
                                (void)rmdir(parent);
                                (void)unlink(marker);
                        }
                }
        } else
                r = write_file(ret->dropin, old);
        if (r < 0)
                return r;
        step_done(ret, TS_FIX_SET_PROPERTY, t);
        ret->changed = true;
        (void)unlink(record);
        (void)unlink(before);
        (void)rmdir(dir);

        /* Only a reload makes systemd read the drop-ins again: it is not optional here. */
        TsFixOptions undo = *o;
        undo.reload = true;
        return finish(bus, unit, &undo, active, want, want_known, NULL, ret);
}

int ts_fix_plan(sd_bus *bus, const char *unit, const TsFixOptions *o, bool undo, TsFixPlan *ret) {
        TsUnitInfo u;
        int r = ts_unit_info_load(bus, unit, &u);
        if (r < 0)
                return r;
        TsFixPlan p = { .tasks_max = u.tasks_max,
                        .active = unit_running(&u),
                        .has_tasks_current = u.has_tasks_current,
                        .tasks_current = u.tasks_current };
        p.nothing_to_do = !undo && limit_matches(&o->limit, u.tasks_max);
        ts_unit_info_done(&u);
        if (p.active && streq(ts_unit_type_section(unit), "Service")) {
                _cleanup_(freep) char *status = NULL;
                (void)ts_service_status(bus, unit, &p.main_pid, &status); /* MainPID stays 0 unknown */
        }
        if (!undo) {
                /* The drop-in as set-property would write it, read where systemd would read it; with
                 * nothing to do, the files as they are. */
                char dropin[512], text[640], limit[32];
                ts_tasks_limit_format(&o->limit, limit, sizeof limit);
                r = ts_fix_dropin_path(unit, o->runtime, dropin, sizeof dropin);
                if (r >= 0)
                        snprintf(text, sizeof text, "[%s]\nTasksMax=%s\n", ts_unit_type_section(unit),
                                 limit);
                if (r >= 0)
                        r = ts_tasks_max_override_find(bus, unit, dropin, p.nothing_to_do ? NULL : text,
                                                       &p.override);
                if (r < 0)
                        p.override_error = r;
                else if (p.override.found && limits_equal(&p.override.limit, &o->limit))
                        p.override = (TsTasksMaxOverride){}; /* it sets what the fix would */
        }
        *ret = p;
        return 0;
}
