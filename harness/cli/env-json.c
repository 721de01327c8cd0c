/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The machine's facts as JSON: `taskstorm env --json`, and the environment of every run report. */
#include <inttypes.h>
#include <json-c/json.h>

#include "guard.h"
#include "macro.h"
#include "output.h"
#include "scope.h"
#include "sysinfo.h"
#include "verbs.h"

static const char *errstr(int error) {
        return strerror(error < 0 ? -error : error);
}

/* The probe's scope is a job of systemd's: start and stop each wait this long at most. */
#define PROBE_JOB_TIMEOUT (30 * USEC_PER_SEC)

int sysinfo_gather(sd_bus *bus, TsSysinfo *ret) {
        if (!bus)
                return ts_sysinfo_gather(ret);
        TsScopePlacer scope;
        TsPidsPlacer placer;
        ts_scope_placer_init(&scope, bus, PROBE_JOB_TIMEOUT, &placer);
        return ts_sysinfo_gather_with(&placer, ret);
}

/* One sentence on the pids probe, shared by the text and the JSON output. */
void sysinfo_probe_reason(const TsPidsProbe *p, char *buf, size_t size) {
        const char *reason = strempty(ts_pids_reason_to_string(p->reason));

        switch (p->reason) {
        case TS_PIDS_REASON_PROBED:
                snprintf(buf, size, "probed in %s: under pids.max=%" PRIu64 ", fork %u of %u failed with EAGAIN",
                         strempty(p->where), p->limit, p->forked + 1, p->forks);
                break;
        case TS_PIDS_REASON_LIMIT_IGNORED:
                snprintf(buf, size, "limit ignored: %u of %u forks succeeded under pids.max=%" PRIu64 " in %s",
                         p->forked, p->forks, p->limit, strempty(p->where));
                break;
        case TS_PIDS_REASON_NO_LIMIT_FILE:
                snprintf(buf, size, "%s: pids is not enabled in cgroup.subtree_control of this cgroup, "
                         "and systemd did not answer for a transient scope", reason);
                break;
        case TS_PIDS_REASON_PROBE_FAILED:
                snprintf(buf, size, "%s at %s: %s", reason, strempty(p->step), errstr(p->error));
                break;
        default:
                snprintf(buf, size, "%s", reason);
        }
}

bool sysinfo_sandbox_needed(const TsSysinfo *s, char *why, size_t size) {
        bool needed = s->pid1.booted <= 0;
        const char *comm = s->pid1.comm_error < 0 ? NULL : s->pid1.comm;
        bool named_otherwise = comm && !streq(comm, "systemd");
        if (!needed && named_otherwise)
                snprintf(why, size, "PID 1 is systemd (%s)", comm);
        else if (!needed)
                snprintf(why, size, "PID 1 is systemd");
        else if (!comm)
                snprintf(why, size, "PID 1 is not systemd");
        else if (streq(comm, "systemd"))
                snprintf(why, size, "PID 1 is systemd, but not booted with it (no /run/systemd/system)");
        else
                snprintf(why, size, "PID 1 is %s, not systemd", comm);
        return needed;
}

void sysinfo_sandbox_verbs(char *buf, size_t size) {
        const char *names[16];
        size_t n = cli_verbs_with(VERB_NEEDS_SYSTEMD, names, ELEMENTSOF(names)), used = 0;
        buf[0] = 0;
        for (size_t i = 0; i < n && used < size; i++) {
                int k = snprintf(buf + used, size - used, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                                 names[i]);
                used += k > 0 ? (size_t)k : 0;
        }
}

static json_object *json_str(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

/* A number, or "infinity" for UINT64_MAX, or null where it could not be read. */
static json_object *json_u64(uint64_t v, int error) {
        if (error < 0)
                return NULL;
        if (v == UINT64_MAX)
                return json_object_new_string("infinity");
        return json_object_new_uint64(v);
}

/* A v1 "cpu,cpuacct" or v2 "cpu io pids" list as a JSON array. */
static json_object *json_controllers(const char *list) {
        json_object *a = json_object_new_array();
        for (const char *p = strempty(list); a && *p;) {
                p += strspn(p, ", ");
                size_t n = strcspn(p, ", ");
                if (n > 0)
                        json_object_array_add(a, json_object_new_string_len(p, (int)n));
                p += n;
        }
        return a;
}

static void json_add_error(json_object *errors, const char *key, int error) {
        if (error < 0)
                json_object_object_add(errors, key, json_object_new_string(errstr(error)));
}

static json_object *json_pid1(const TsSysinfo *s) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "is_systemd", json_object_new_boolean(s->pid1.is_systemd));
        json_object_object_add(o, "comm", json_str(s->pid1.comm));
        return o;
}

/* Why systemd could not be reached: where PID 1 is not systemd, that (the error of connecting, ENOENT,
 * says nothing); NULL when it was reached. */
static json_object *json_systemd_error(const TsSysinfo *s) {
        char why[256];
        if (s->systemd.error >= 0)
                return NULL;
        if (sysinfo_sandbox_needed(s, why, sizeof why))
                return json_object_new_string(why);
        return json_str(errstr(s->systemd.error));
}

static json_object *json_systemd(const TsSysinfo *s) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "reachable", json_object_new_boolean(s->systemd.reachable));
        json_object_object_add(o, "version", json_str(s->systemd.version));
        json_object_object_add(o, "default_tasks_max",
                               s->systemd.reachable ? json_u64(s->systemd.default_tasks_max,
                                                               s->systemd.default_tasks_max_error)
                                                    : NULL);
        json_object_object_add(o, "error", json_systemd_error(s));
        return o;
}

/* What cli_systemd_or_sandbox() will do here: the verbs that need systemd, and whether they boot a
 * private sandbox for it, and why. */
static json_object *json_sandbox(const TsSysinfo *s) {
        char why[256];
        const char *names[16];
        bool needed = sysinfo_sandbox_needed(s, why, sizeof why);
        size_t n = cli_verbs_with(VERB_NEEDS_SYSTEMD, names, ELEMENTSOF(names));
        json_object *o = json_object_new_object(), *verbs = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(verbs, json_object_new_string(names[i]));
        json_object_object_add(o, "needed", json_object_new_boolean(needed));
        json_object_object_add(o, "why", json_object_new_string(why));
        json_object_object_add(o, "verbs", verbs);
        return o;
}

/* The guard: what storms may take here (ts_host_capacity()), and the numbers it comes from. */
static json_object *json_guard(void) {
        TsHostCapacity c;
        if (ts_host_capacity(&c) < 0)
                return NULL;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "available", json_object_new_uint64(c.available));
        json_object_object_add(o, "running", json_object_new_uint64(c.running));
        json_object_object_add(o, "reserve", json_object_new_uint64(c.reserve));
        json_object_object_add(o, "kernel_room", json_object_new_uint64(c.kernel_room));
        json_object_object_add(o, "cgroup_max", c.cgroup_max == UINT64_MAX ? NULL : json_object_new_uint64(c.cgroup_max));
        json_object_object_add(o, "cgroup_dir", c.cgroup_dir[0] ? json_object_new_string(c.cgroup_dir) : NULL);
        return o;
}

static json_object *json_kernel(const TsSysinfo *s) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "release", json_str(s->kernel.release));
        json_object_object_add(o, "pid_max", json_u64(s->kernel.pid_max, s->kernel.pid_max_error));
        json_object_object_add(o, "threads_max",
                               json_u64(s->kernel.threads_max, s->kernel.threads_max_error));
        return o;
}

static json_object *json_os(const TsSysinfo *s) {
        const TsOsRelease *r = &s->os.release;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_str(r->id));
        json_object_object_add(o, "version_id", json_str(r->version_id));
        json_object_object_add(o, "id_like", json_str(r->id_like));
        json_object_object_add(o, "pretty_name", json_str(r->pretty_name));
        return o;
}

static json_object *json_cgroup(const TsSysinfo *s) {
        json_object *o = json_object_new_object();
        json_object *a = json_object_new_array();

        const char *mode = s->cgroup.error < 0 ? NULL : ts_cgroup_mode_to_string(s->cgroup.layout.mode);
        json_object_object_add(o, "mode", json_str(mode));
        for (size_t i = 0; s->cgroup.error >= 0 && i < s->cgroup.layout.n_hierarchies; i++) {
                const TsCgroupHierarchy *h = &s->cgroup.layout.hierarchies[i];
                json_object *j = json_object_new_object();
                json_object_object_add(j, "mount_point", json_str(h->mount_point));
                json_object_object_add(j, "unified", json_object_new_boolean(h->unified));
                json_object_object_add(j, "read_only", json_object_new_boolean(h->read_only));
                json_object_object_add(j, "controllers", json_controllers(h->controllers));
                json_object_array_add(a, j);
        }
        json_object_object_add(o, "hierarchies", a);
        return o;
}

static json_object *json_pids(const TsSysinfo *s) {
        const TsPidsProbe *p = &s->pids.probe;
        json_object *o = json_object_new_object();
        char reason[256];

        sysinfo_probe_reason(p, reason, sizeof reason);
        json_object_object_add(o, "present", json_object_new_boolean(s->pids.present));
        json_object_object_add(o, "mount_point", json_str(s->pids.mount_point));
        json_object_object_add(o, "read_only",
                               s->pids.present ? json_object_new_boolean(s->pids.read_only) : NULL);
        json_object_object_add(o, "own_cgroup", json_str(s->pids.own_cgroup));
        json_object_object_add(o, "enforced",
                               p->enforcement == TS_PIDS_NOT_PROBED
                                       ? NULL
                                       : json_object_new_boolean(p->enforcement == TS_PIDS_ENFORCED));
        json_object_object_add(o, "enforcement", json_str(ts_pids_enforcement_to_string(p->enforcement)));
        json_object_object_add(o, "reason", json_object_new_string(reason));
        return o;
}

static json_object *json_nproc(const TsSysinfo *s) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "soft", json_u64(s->nproc.soft, s->nproc.error));
        json_object_object_add(o, "hard", json_u64(s->nproc.hard, s->nproc.error));
        return o;
}

static json_object *json_seccomp(const TsSysinfo *s) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "api_level",
                               s->seccomp.api_level > 0 ? json_object_new_uint64(s->seccomp.api_level)
                                                        : NULL);
        json_object_object_add(o, "kernel_notify", json_object_new_boolean(s->seccomp.kernel_notify));
        json_object_object_add(o, "notify_usable", json_object_new_boolean(s->seccomp.notify_usable));
        return o;
}

/* Why each value that is null could not be read, keyed "section.key"; empty when all were read. */
static json_object *json_errors(const TsSysinfo *s) {
        json_object *e = json_object_new_object();
        json_add_error(e, "pid1.comm", s->pid1.comm_error);
        json_object *systemd = json_systemd_error(s);
        if (systemd)
                json_object_object_add(e, "systemd", systemd);
        if (s->systemd.reachable)
                json_add_error(e, "systemd.default_tasks_max", s->systemd.default_tasks_max_error);
        json_add_error(e, "kernel.release", s->kernel.release_error);
        json_add_error(e, "kernel.pid_max", s->kernel.pid_max_error);
        json_add_error(e, "kernel.threads_max", s->kernel.threads_max_error);
        json_add_error(e, "os", s->os.error);
        json_add_error(e, "cgroup", s->cgroup.error);
        if (s->pids.present)
                json_add_error(e, "pids_controller.own_cgroup", s->pids.own_cgroup_error);
        json_add_error(e, "rlimit_nproc", s->nproc.error);
        json_add_error(e, "seccomp.kernel_notify", s->seccomp.kernel_notify_error);
        return e;
}

json_object *sysinfo_to_json(const TsSysinfo *s) {
        json_object *root = json_object_new_object();
        if (!root)
                return NULL;

        json_object_object_add(root, "pid1", json_pid1(s));
        json_object_object_add(root, "systemd", json_systemd(s));
        json_object_object_add(root, "sandbox", json_sandbox(s));
        json_object_object_add(root, "kernel", json_kernel(s));
        json_object_object_add(root, "guard", json_guard());
        json_object_object_add(root, "os", json_os(s));
        json_object_object_add(root, "cgroup", json_cgroup(s));
        json_object_object_add(root, "pids_controller", json_pids(s));
        json_object_object_add(root, "rlimit_nproc", json_nproc(s));
        json_object_object_add(root, "seccomp", json_seccomp(s));
        json_object_object_add(root, "errors", json_errors(s));

        return root;
}

