/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The check table, the runner, and what the checks share: forker services and slices started
 * through sd-bus (waiting for their jobs), their state read back, drop-ins, results. */
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "bus.h"
#include "fileio.h"
#include "guard.h"
#include "qualify-checks.h"
#include "qualify-internal.h"
#include "sysinfo.h"
#include "unit.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

static const TsQualifyCheck checks[] = {
        { "scope-limit", "TasksMax=N on a scope lets exactly N tasks run and refuses the next",
          qualify_scope_limit },
        { "service-limit", "TasksMax=N on a service lets exactly N tasks run and refuses the next",
          qualify_service_limit },
        { "infinity", "TasksMax=infinity writes max to pids.max and lifts the limit", qualify_infinity },
        { "percent", "TasksMax=P% resolves against the kernel's limit as documented", qualify_percent },
        { "percent-reload",
          "a percentage set through SetUnitProperties, runtime and persistent, survives "
          "daemon-reload unchanged (the 40% -> 4.0% bug)",
          qualify_percent_reload },
        { "default-tasks-max", "the Manager's DefaultTasksMax is what a new unit gets in its cgroup",
          qualify_default_tasks_max },
        { "set-property-live",
          "SetUnitProperties applies to a running unit at once, without a restart, and "
          "its drop-in lands in system.control",
          qualify_set_property_live },
        { "slice-limit", "a parent slice's limit caps its children; EffectiveTasksMax (256+) agrees",
          qualify_slice_limit },
        { "tasks-current", "TasksCurrent agrees with pids.current under load", qualify_tasks_current },
};

const TsQualifyCheck *ts_qualify_checks(size_t *ret_n) {
        *ret_n = ELEMENTSOF(checks);
        return checks;
}

const TsQualifyCheck *ts_qualify_check_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(checks); i++)
                if (streq(checks[i].name, name))
                        return &checks[i];
        return NULL;
}

void ts_qualify_run(const TsQualifyContext *ctx, const TsQualifyCheck *c, TsQualifyResult *ret) {
        *ret = (TsQualifyResult){ .verdict = TS_VERDICT_BROKEN };
        nsec_t t = ts_now_ns();
        c->run(ctx, ret);
        ret->duration = ts_now_ns() - t;
}

void ts_qualify_forker_main(uint64_t tasks) {
        uint64_t made = 0;
        int error = 0;
        for (; made < tasks; made++) {
                pid_t pid = fork();
                if (pid < 0) {
                        error = errno;
                        break;
                }
                if (pid == 0) {
                        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                        for (;;)
                                pause();
                }
        }
        (void)sd_notifyf(0, "READY=1\nSTATUS=forked %" PRIu64 " of %" PRIu64 "%s%s", made, tasks,
                         error ? ", then " : "", error ? strempty(strerrorname_np(error)) : "");
        for (;;)
                pause();
}

void qualify_unit_name(const char *check, const char *type, char *buf, size_t size) {
        bool slice = streq(type, "slice");
        snprintf(buf, size, "taskstorm%squalify%s%s%s%d.%s", slice ? "_" : "-", slice ? "_" : "-", check,
                 slice ? "_" : "-", (int)getpid(), type);
        if (slice)
                for (char *p = buf; *p; p++)
                        if (*p == '-')
                                *p = '_';
}

/* The part of StartTransientUnit both unit types share: name, mode, and the property array opened. */
static int transient_begin(const TsQualifyContext *ctx, const char *name, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = sd_bus_message_new_method_call(ctx->bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
                                               "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", name, "fail");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "Description", "s", "taskstorm qualify");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static int transient_finish(const TsQualifyContext *ctx, sd_bus_message *m, const TsTasksLimit *limit) {
        int r = sd_bus_message_append(m, "(sv)", "TasksAccounting", "b", 1);
        if (r >= 0 && limit)
                r = ts_tasks_limit_append(m, limit);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;
        return ts_job_call_and_wait(ctx->bus, m, ctx->timeout);
}

int qualify_service_start(const TsQualifyContext *ctx, const char *name, uint64_t tasks,
                          const TsTasksLimit *limit, const char *slice) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        char count[32];
        snprintf(count, sizeof count, "%" PRIu64, tasks);
        int r = transient_begin(ctx, name, &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "Type", "s", "notify");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "ExecStart", "a(sasb)", 1, ctx->exec_path, 3,
                                          ctx->exec_path, TS_QUALIFY_FORKER_VERB, count, 0);
        if (r >= 0 && slice)
                r = sd_bus_message_append(m, "(sv)", "Slice", "s", slice);
        return r < 0 ? r : transient_finish(ctx, m, limit);
}

int qualify_slice_start(const TsQualifyContext *ctx, const char *name, const TsTasksLimit *limit) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r = transient_begin(ctx, name, &m);
        return r < 0 ? r : transient_finish(ctx, m, limit);
}

void qualify_unit_stop(const TsQualifyContext *ctx, const char *name) {
        (void)ts_unit_job(ctx->bus, "StopUnit", name, "replace", ctx->timeout);
        (void)sd_bus_call_method(ctx->bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", NULL, NULL, "s",
                                 name);
}

int qualify_pids(const TsQualifyContext *ctx, const char *unit, TsPidsSample *ret) {
        _cleanup_(freep) char *cg = NULL, *dir = NULL;
        int r = ts_unit_get_control_group(ctx->bus, unit, &cg);
        if (r >= 0)
                r = ts_pids_cgroup_dir(cg, &dir);
        if (r >= 0)
                return ts_pids_sample(dir, ret);
        *ret = (TsPidsSample){ .error = r };
        return r;
}

static const char *const dropin_names[] = { "50-TasksMax.conf", "50-TasksMaxScale.conf" };

static int dropin_dir(const char *unit, bool runtime, char *buf, size_t size) {
        return path_printf(buf, size, "%s/systemd/system.control/%s.d", runtime ? "/run" : "/etc", unit);
}

int qualify_dropin(const char *unit, bool runtime, char *path, size_t path_size, char *line,
                   size_t line_size) {
        char dir[PATH_MAX];
        int r = dropin_dir(unit, runtime, dir, sizeof dir);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(dropin_names); i++) {
                _cleanup_(freep) char *text = NULL;
                if (path_printf(path, path_size, "%s/%s", dir, dropin_names[i]) < 0 ||
                    ts_read_full_file(path, 4096, &text, NULL) < 0)
                        continue;
                /* Just the TasksMax= line: systemd writes a comment and a section header around it. */
                const char *l = strstr(text, "TasksMax=");
                snprintf(line, line_size, "%.*s", l ? (int)strcspn(l, "\n") : 0, l ? l : "");
                return 0;
        }
        snprintf(path, path_size, "%s/%s", dir, dropin_names[0]);
        return -ENOENT;
}

static int unit_file_path(const char *name, char *buf, size_t size) {
        return path_printf(buf, size, "/run/systemd/system/%s", name);
}

int qualify_service_install(const TsQualifyContext *ctx, const char *name, uint64_t tasks,
                            const TsTasksLimit *limit) {
        char path[PATH_MAX], text[PATH_MAX + 512], max[32];
        int r = unit_file_path(name, path, sizeof path);
        if (r < 0)
                return r;
        /* Never a unit file over a name systemd knows from anywhere (one in /etc shadows /run). */
        TsUnitPresence p;
        r = ts_unit_presence(ctx->bus, name, &p);
        if (r < 0)
                return r;
        if (p.known)
                return -EEXIST;
        ts_tasks_limit_format(limit, max, sizeof max);
        snprintf(text, sizeof text,
                 "# Installed by taskstorm qualify; removed when the check ends.\n"
                 "[Service]\nType=notify\nExecStart=%s %s %" PRIu64 "\nTasksAccounting=yes\nTasksMax=%s\n",
                 ctx->exec_path, TS_QUALIFY_FORKER_VERB, tasks, max);
        r = ts_write_new_file(path, text);
        if (r >= 0)
                r = ts_manager_reload(ctx->bus, ctx->timeout);
        if (r >= 0)
                r = ts_unit_job(ctx->bus, "StartUnit", name, "replace", ctx->timeout);
        return r;
}

void qualify_install_failed(const TsQualifyContext *ctx, const char *name, int error, TsQualifyResult *ret) {
        if (error == -EEXIST) {
                /* Not ours: nothing of it is stopped or removed. */
                qualify_verdict(ret, TS_VERDICT_BROKEN, "%s is known to systemd already: not touched", name);
                return;
        }
        qualify_verdict(ret, TS_VERDICT_BROKEN, "the forker service did not start: %s", strerror(-error));
        qualify_service_uninstall(ctx, name);
}

void qualify_service_uninstall(const TsQualifyContext *ctx, const char *name) {
        char path[PATH_MAX], dir[PATH_MAX];
        qualify_unit_stop(ctx, name);
        if (unit_file_path(name, path, sizeof path) >= 0)
                (void)unlink(path);
        for (int runtime = 0; runtime <= 1; runtime++) {
                if (dropin_dir(name, runtime, dir, sizeof dir) < 0)
                        continue;
                for (size_t i = 0; i < ELEMENTSOF(dropin_names); i++)
                        if (path_printf(path, sizeof path, "%s/%s", dir, dropin_names[i]) >= 0)
                                (void)unlink(path);
                (void)rmdir(dir);
        }
        (void)ts_manager_reload(ctx->bus, ctx->timeout);
}

/* As systemd's system_tasks_max(): the lowest of kernel.threads-max, kernel.pid_max - 1 and the
 * pids.max at the root of the pids hierarchy it sees (a sandbox's guard, a container's limit). */
int qualify_system_tasks_max(uint64_t *ret) {
        uint64_t threads_max, pid_max, m = 4194303;
        int r = ts_read_u64_or_max_file("/proc/sys/kernel/threads-max", &threads_max);
        if (r >= 0)
                r = ts_read_u64_or_max_file("/proc/sys/kernel/pid_max", &pid_max);
        if (r < 0)
                return r;
        if (threads_max > 0 && threads_max < m)
                m = threads_max;
        if (pid_max > 1 && pid_max - 1 < m)
                m = pid_max - 1;
        uint64_t root;
        if (ts_root_pids_max(&root) >= 0 && root > 0 && root < m)
                m = root;
        *ret = m;
        return 0;
}

const char *qualify_u64_text(uint64_t v, char *buf, size_t size) {
        if (v == UINT64_MAX)
                snprintf(buf, size, "max");
        else
                snprintf(buf, size, "%" PRIu64, v);
        return buf;
}

void qualify_evidence(TsQualifyResult *r, const char *fmt, ...) {
        size_t n = strlen(r->evidence);
        if (n >= sizeof r->evidence - 3)
                return;
        if (n > 0) {
                strcpy(r->evidence + n, "; ");
                n += 2;
        }
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->evidence + n, sizeof r->evidence - n, fmt, ap);
        va_end(ap);
}

void qualify_verdict(TsQualifyResult *r, TsVerdict v, const char *fmt, ...) {
        r->verdict = v;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->reason, sizeof r->reason, fmt, ap);
        va_end(ap);
}

void qualify_pass(TsQualifyResult *r) {
        r->verdict = TS_VERDICT_PASS;
        r->reason[0] = 0;
}
