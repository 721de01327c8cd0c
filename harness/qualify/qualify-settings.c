/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Limits as systemd sets and keeps them: a percentage resolved against the kernel's limit (and kept
 * through daemon-reload, as written by SetUnitProperties), DefaultTasksMax on a new unit, and
 * SetUnitProperties on a running unit: at once, no restart, its drop-in where systemctl(1) says. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "bus.h"
#include "fileio.h"
#include "qualify-checks.h"
#include "qualify-internal.h"

/* The forker's children: a unit with something in it, not a crowd. */
#define HOLDERS 4
/* The percentage of the reload check: "40%" is what a 2026 systemd wrote back as "4.0%". */
#define PERCENT 40
/* What systemd writes for 40% until the fix of issue #41009 (upstream 260, and Debian's 257.13):
 * whole percents printed as tenths. */
#define KNOWN_BUG_TEXT "TasksMax=4.0%"
/* systemd 236 moved SetUnitProperties' drop-ins to system.control. */
#define SYSTEM_CONTROL_SINCE 236

/* P% of the kernel's limit as systemd resolves it (rounding down). */
static int percent_expected(unsigned percent, uint64_t *ret_expected, uint64_t *ret_system) {
        int r = qualify_system_tasks_max(ret_system);
        if (r < 0)
                return r;
        *ret_expected = *ret_system * percent / 100;
        return 0;
}

/* systemd scales a percentage sent as TasksMaxScale through 2^32: allow one task of rounding. */
static bool near(uint64_t a, uint64_t b) {
        return a == b || a == b + 1 || a + 1 == b;
}

static void start_failed(const TsQualifyContext *ctx, TsQualifyResult *ret, const char *unit, int r) {
        qualify_verdict(ret, TS_VERDICT_BROKEN, "the forker service did not start: %s", strerror(-r));
        qualify_unit_stop(ctx, unit);
}

void qualify_percent(const TsQualifyContext *ctx, TsQualifyResult *ret) {
        enum { P = 10 };
        char unit[128], max[32];
        uint64_t expected, system;
        int r = percent_expected(P, &expected, &system);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "the kernel's limits cannot be read: %s",
                                strerror(-r));
                return;
        }
        qualify_unit_name("percent", "service", unit, sizeof unit);
        TsTasksLimit limit = { .kind = TS_TASKS_LIMIT_PERCENT, .value = P * 100 };
        r = qualify_service_start(ctx, unit, HOLDERS, &limit, NULL);
        if (r < 0)
                return start_failed(ctx, ret, unit, r);
        TsUnitInfo u;
        TsPidsSample p = {};
        r = ts_unit_info_load(ctx->bus, unit, &u);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "reading the unit failed: %s", strerror(-r));
                qualify_unit_stop(ctx, unit);
                return;
        }
        (void)qualify_pids(ctx, unit, &p);
        qualify_evidence(ret, "TasksMax=%d%% on %s: the bus says %s", P, unit,
                         qualify_u64_text(u.tasks_max, max, sizeof max));
        qualify_evidence(ret, "pids.max %s",
                         p.error ? strerror(-p.error) : qualify_u64_text(p.max, max, sizeof max));
        qualify_evidence(ret,
                         "expected %" PRIu64 ": %d%% of %" PRIu64 ", the lowest of kernel.threads-max, "
                         "kernel.pid_max - 1 and 4194303",
                         expected, P, system);
        if (!near(u.tasks_max, expected))
                qualify_verdict(ret, TS_VERDICT_FAIL, "TasksMax resolved to %" PRIu64 ", expected %" PRIu64,
                                u.tasks_max, expected);
        else if (p.error || p.max != u.tasks_max)
                qualify_verdict(ret, TS_VERDICT_FAIL, "pids.max does not hold what the bus says");
        else
                qualify_pass(ret);
        ts_unit_info_done(&u);
        qualify_unit_stop(ctx, unit);
}

/* The limit the bus (TasksMax) and the cgroup (pids.max; 0 when unreadable) show now. */
static int read_limit(const TsQualifyContext *ctx, const char *unit, uint64_t *ret_bus,
                      uint64_t *ret_cgroup) {
        TsUnitInfo u;
        TsPidsSample p = {};
        int r = ts_unit_info_load(ctx->bus, unit, &u);
        if (r < 0)
                return r;
        *ret_bus = u.tasks_max;
        ts_unit_info_done(&u);
        r = qualify_pids(ctx, unit, &p);
        *ret_cgroup = r < 0 ? 0 : p.max;
        return r;
}

void qualify_percent_reload(const TsQualifyContext *ctx, TsQualifyResult *ret) {
        char unit[128];
        uint64_t expected, system;
        int r = percent_expected(PERCENT, &expected, &system);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "the kernel's limits cannot be read: %s",
                                strerror(-r));
                return;
        }
        qualify_unit_name("percent-reload", "service", unit, sizeof unit);
        TsTasksLimit start = { .kind = TS_TASKS_LIMIT_NUMBER, .value = 64 };
        r = qualify_service_install(ctx, unit, HOLDERS, &start);
        if (r < 0) {
                qualify_install_failed(ctx, unit, r, ret);
                return;
        }
        qualify_evidence(ret, "expected %" PRIu64 " (%d%% of %" PRIu64 ")", expected, PERCENT, system);
        qualify_pass(ret);

        TsTasksLimit percent = { .kind = TS_TASKS_LIMIT_PERCENT, .value = PERCENT * 100 };
        for (int runtime = 1; runtime >= 0 && ret->verdict == TS_VERDICT_PASS; runtime--) {
                const char *how = runtime ? "runtime" : "persistent";
                char path[PATH_MAX], text[128], want[32];
                uint64_t bus1 = 0, cg1 = 0, bus2 = 0, cg2 = 0;
                r = ts_unit_set_tasks_max(ctx->bus, unit, runtime, &percent, ctx->timeout);
                if (r >= 0)
                        r = read_limit(ctx, unit, &bus1, &cg1);
                if (r >= 0)
                        r = ts_manager_reload(ctx->bus, ctx->timeout);
                if (r >= 0)
                        r = read_limit(ctx, unit, &bus2, &cg2);
                if (r < 0) {
                        qualify_verdict(ret, TS_VERDICT_BROKEN, "%s SetUnitProperties or reload failed: %s",
                                        how, strerror(-r));
                        break;
                }
                if (qualify_dropin(unit, runtime, path, sizeof path, text, sizeof text) < 0)
                        snprintf(text, sizeof text, "(none)");
                qualify_evidence(ret,
                                 "%s: %s holds '%s'; TasksMax %" PRIu64 " (pids.max %" PRIu64 ") before "
                                 "daemon-reload, %" PRIu64 " (pids.max %" PRIu64 ") after",
                                 how, path, text, bus1, cg1, bus2, cg2);
                snprintf(want, sizeof want, "TasksMax=%d%%", PERCENT);
                /* "40%", "40.0%" and "40.00%" (systemd 257) all say the same. */
                TsTasksLimit got;
                bool same = strneq(text, "TasksMax=", STRLEN("TasksMax=")) &&
                            ts_tasks_limit_parse(text + STRLEN("TasksMax="), &got) >= 0 &&
                            got.kind == TS_TASKS_LIMIT_PERCENT && got.value == PERCENT * 100;
                if (!same && strneq(text, KNOWN_BUG_TEXT, strlen(KNOWN_BUG_TEXT)))
                        qualify_verdict(ret, TS_VERDICT_FAIL,
                                        "the %s drop-in says '%s', not '%s', so daemon-reload "
                                        "cuts the limit tenfold: systemd issue #41009",
                                        how, text, want);
                else if (!same)
                        qualify_verdict(ret, TS_VERDICT_FAIL, "the %s drop-in says '%s', not '%s'", how,
                                        text, want);
                else if (!near(bus1, expected) || bus2 != bus1)
                        qualify_verdict(ret, TS_VERDICT_FAIL,
                                        "%s: TasksMax %" PRIu64 " before the reload, %" PRIu64
                                        " after, expected %" PRIu64 " both times",
                                        how, bus1, bus2, expected);
                else if (cg1 != bus1 || cg2 != bus2)
                        qualify_verdict(ret, TS_VERDICT_FAIL, "%s: pids.max does not follow TasksMax", how);
        }
        qualify_service_uninstall(ctx, unit);
}

void qualify_default_tasks_max(const TsQualifyContext *ctx, TsQualifyResult *ret) {
        char unit[128], a[32], b[32], c[32];
        uint64_t def;
        int r = ts_manager_get_u64(ctx->bus, "DefaultTasksMax", &def);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "the Manager's DefaultTasksMax cannot be read: %s",
                                strerror(-r));
                return;
        }
        qualify_unit_name("default-tasks-max", "service", unit, sizeof unit);
        r = qualify_service_start(ctx, unit, HOLDERS, NULL, NULL);
        if (r < 0)
                return start_failed(ctx, ret, unit, r);
        uint64_t bus, cgroup;
        r = read_limit(ctx, unit, &bus, &cgroup);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "reading the unit failed: %s", strerror(-r));
                qualify_unit_stop(ctx, unit);
                return;
        }
        qualify_evidence(ret, "DefaultTasksMax %s; %s without TasksMax=: TasksMax %s, pids.max %s",
                         qualify_u64_text(def, a, sizeof a), unit, qualify_u64_text(bus, b, sizeof b),
                         qualify_u64_text(cgroup, c, sizeof c));
        if (bus != def)
                qualify_verdict(ret, TS_VERDICT_FAIL, "the unit's TasksMax is %s, DefaultTasksMax is %s", b,
                                a);
        else if (cgroup != def)
                qualify_verdict(ret, TS_VERDICT_FAIL, "pids.max is %s, DefaultTasksMax is %s", c, a);
        else
                qualify_pass(ret);
        qualify_unit_stop(ctx, unit);
}

void qualify_set_property_live(const TsQualifyContext *ctx, TsQualifyResult *ret) {
        char unit[128];
        qualify_unit_name("set-property-live", "service", unit, sizeof unit);
        TsTasksLimit limit = { .kind = TS_TASKS_LIMIT_NUMBER, .value = 16 };
        int r = qualify_service_install(ctx, unit, HOLDERS, &limit);
        if (r < 0) {
                qualify_install_failed(ctx, unit, r, ret);
                return;
        }
        uint32_t pid0 = 0;
        _cleanup_(freep) char *status = NULL;
        TsUnitInfo u0;
        r = ts_service_status(ctx->bus, unit, &pid0, &status);
        if (r >= 0)
                r = ts_unit_info_load(ctx->bus, unit, &u0);
        if (r < 0) {
                qualify_verdict(ret, TS_VERDICT_BROKEN, "reading the unit failed: %s", strerror(-r));
                qualify_service_uninstall(ctx, unit);
                return;
        }
        qualify_pass(ret);
        bool documented_path = ctx->systemd_major == 0 || ctx->systemd_major >= SYSTEM_CONTROL_SINCE;

        static const struct {
                bool runtime;
                uint64_t value;
        } steps[] = { { true, 32 }, { false, 48 } };
        for (size_t i = 0; i < ELEMENTSOF(steps) && ret->verdict == TS_VERDICT_PASS; i++) {
                const char *how = steps[i].runtime ? "runtime" : "persistent";
                TsTasksLimit l = { .kind = TS_TASKS_LIMIT_NUMBER, .value = steps[i].value };
                char path[PATH_MAX], text[128], want[32];
                uint64_t bus = 0, cgroup = 0;
                uint32_t pid = 0;
                _cleanup_(freep) char *st = NULL;
                r = ts_unit_set_tasks_max(ctx->bus, unit, steps[i].runtime, &l, ctx->timeout);
                if (r >= 0)
                        r = read_limit(ctx, unit, &bus, &cgroup);
                if (r >= 0)
                        r = ts_service_status(ctx->bus, unit, &pid, &st);
                if (r < 0) {
                        qualify_verdict(ret, TS_VERDICT_BROKEN, "%s SetUnitProperties failed: %s", how,
                                        strerror(-r));
                        break;
                }
                TsUnitInfo u;
                r = ts_unit_info_load(ctx->bus, unit, &u);
                bool restarted = r < 0 || pid != pid0 || u.started_monotonic != u0.started_monotonic;
                if (r >= 0)
                        ts_unit_info_done(&u);
                if (qualify_dropin(unit, steps[i].runtime, path, sizeof path, text, sizeof text) < 0)
                        snprintf(text, sizeof text, "(none)");
                qualify_evidence(ret,
                                 "%s TasksMax=%" PRIu64 ": bus %" PRIu64 ", pids.max %" PRIu64
                                 " at once, MainPID %" PRIu32 " (was %" PRIu32 "), %s holds '%s'",
                                 how, steps[i].value, bus, cgroup, pid, pid0, path, text);
                snprintf(want, sizeof want, "TasksMax=%" PRIu64, steps[i].value);
                if (bus != steps[i].value || cgroup != steps[i].value)
                        qualify_verdict(ret, TS_VERDICT_FAIL,
                                        "%s: not applied at once (bus %" PRIu64 ", pids.max %" PRIu64 ")",
                                        how, bus, cgroup);
                else if (restarted)
                        qualify_verdict(ret, TS_VERDICT_FAIL,
                                        "%s: the service was restarted (MainPID %" PRIu32 ", was %" PRIu32
                                        ")",
                                        how, pid, pid0);
                else if (documented_path && !streq(text, want))
                        qualify_verdict(ret, TS_VERDICT_FAIL, "%s: %s does not hold '%s'", how, path, want);
        }
        ts_unit_info_done(&u0);
        qualify_service_uninstall(ctx, unit);
}
