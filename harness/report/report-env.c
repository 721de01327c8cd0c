/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The environment in text and JSON. Facts that could not be read say why in both: the text beside
 * the value, the JSON as null with the reason under "errors". */
#include <inttypes.h>
#include <stdarg.h>

#include "guard.h"
#include "macro.h"
#include "report-env.h"
#include "report-json.h"

/* Width of the key column in the text output. */
#define KEY_WIDTH 22

static const char *const enforcement_text[_TS_PIDS_ENFORCEMENT_MAX] = {
        [TS_PIDS_ENFORCED] = "enforced",
        [TS_PIDS_NOT_ENFORCED] = "not enforced",
        [TS_PIDS_NOT_PROBED] = "not probed",
};

static const char *errstr(int error) {
        return strerror(error < 0 ? -error : error);
}

void ts_env_probe_reason(const TsPidsProbe *p, char *buf, size_t size) {
        const char *reason = strempty(ts_pids_reason_to_string(p->reason));

        switch (p->reason) {
        case TS_PIDS_REASON_PROBED:
                snprintf(buf, size,
                         "probed in %s: under pids.max=%" PRIu64 ", fork %u of %u failed with EAGAIN",
                         strempty(p->where), p->limit, p->forked + 1, p->forks);
                break;
        case TS_PIDS_REASON_LIMIT_IGNORED:
                snprintf(buf, size,
                         "limit ignored: %u of %u forks succeeded under pids.max=%" PRIu64 " in %s",
                         p->forked, p->forks, p->limit, strempty(p->where));
                break;
        case TS_PIDS_REASON_NO_LIMIT_FILE:
                snprintf(buf, size,
                         "%s: pids is not enabled in cgroup.subtree_control of this cgroup, "
                         "and systemd did not answer for a transient scope",
                         reason);
                break;
        case TS_PIDS_REASON_PROBE_FAILED:
                snprintf(buf, size, "%s at %s: %s", reason, strempty(p->step), errstr(p->error));
                break;
        default:
                snprintf(buf, size, "%s", reason);
        }
}

bool ts_env_sandbox_needed(const TsSysinfo *s, char *why, size_t size) {
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

/* The verbs as people read them: "storm, run, check, fix and qualify". */
static void sandbox_verbs_text(const char *const *verbs, char *buf, size_t size) {
        size_t n = 0, used = 0;
        while (verbs && verbs[n])
                n++;
        buf[0] = 0;
        for (size_t i = 0; i < n && used < size; i++) {
                int k = snprintf(buf + used, size - used, "%s%s",
                                 i == 0       ? ""
                                 : i + 1 == n ? " and "
                                              : ", ",
                                 verbs[i]);
                used += k > 0 ? (size_t)k : 0;
        }
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
        json_object_object_add(o, "comm", ts_json_string(s->pid1.comm));
        return o;
}

/* Why systemd could not be reached: where PID 1 is not systemd, that (the error of connecting, ENOENT,
 * says nothing); NULL when it was reached. */
static json_object *json_systemd_error(const TsSysinfo *s) {
        char why[256];
        if (s->systemd.error >= 0)
                return NULL;
        if (ts_env_sandbox_needed(s, why, sizeof why))
                return json_object_new_string(why);
        return ts_json_string(errstr(s->systemd.error));
}

static json_object *json_systemd(const TsSysinfo *s) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "reachable", json_object_new_boolean(s->systemd.reachable));
        json_object_object_add(o, "version", ts_json_string(s->systemd.version));
        json_object_object_add(o, "default_tasks_max",
                               s->systemd.reachable ? json_u64(s->systemd.default_tasks_max,
                                                               s->systemd.default_tasks_max_error)
                                                    : NULL);
        json_object_object_add(o, "error", json_systemd_error(s));
        return o;
}

/* What cli_systemd_or_sandbox() will do here: the verbs that need systemd, and whether they boot a
 * private sandbox for it, and why. */
static json_object *json_sandbox(const TsSysinfo *s, const char *const *sandbox_verbs) {
        char why[256];
        bool needed = ts_env_sandbox_needed(s, why, sizeof why);
        json_object *o = json_object_new_object(), *verbs = json_object_new_array();
        for (size_t i = 0; sandbox_verbs && sandbox_verbs[i]; i++)
                json_object_array_add(verbs, json_object_new_string(sandbox_verbs[i]));
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
        json_object_object_add(o, "cgroup_max",
                               c.cgroup_max == UINT64_MAX ? NULL : json_object_new_uint64(c.cgroup_max));
        json_object_object_add(o, "cgroup_dir", ts_json_string_or_null(c.cgroup_dir));
        return o;
}

static json_object *json_kernel(const TsSysinfo *s) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "release", ts_json_string(s->kernel.release));
        json_object_object_add(o, "pid_max", json_u64(s->kernel.pid_max, s->kernel.pid_max_error));
        json_object_object_add(o, "threads_max",
                               json_u64(s->kernel.threads_max, s->kernel.threads_max_error));
        return o;
}

static json_object *json_os(const TsSysinfo *s) {
        const TsOsRelease *r = &s->os.release;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", ts_json_string(r->id));
        json_object_object_add(o, "version_id", ts_json_string(r->version_id));
        json_object_object_add(o, "id_like", ts_json_string(r->id_like));
        json_object_object_add(o, "pretty_name", ts_json_string(r->pretty_name));
        return o;
}

static json_object *json_cgroup(const TsSysinfo *s) {
        json_object *o = json_object_new_object();
        json_object *a = json_object_new_array();

        const char *mode = s->cgroup.error < 0 ? NULL : ts_cgroup_mode_to_string(s->cgroup.layout.mode);
        json_object_object_add(o, "mode", ts_json_string(mode));
        for (size_t i = 0; s->cgroup.error >= 0 && i < s->cgroup.layout.n_hierarchies; i++) {
                const TsCgroupHierarchy *h = &s->cgroup.layout.hierarchies[i];
                json_object *j = json_object_new_object();
                json_object_object_add(j, "mount_point", ts_json_string(h->mount_point));
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

        ts_env_probe_reason(p, reason, sizeof reason);
        json_object_object_add(o, "present", json_object_new_boolean(s->pids.present));
        json_object_object_add(o, "mount_point", ts_json_string(s->pids.mount_point));
        json_object_object_add(o, "read_only",
                               s->pids.present ? json_object_new_boolean(s->pids.read_only) : NULL);
        json_object_object_add(o, "own_cgroup", ts_json_string(s->pids.own_cgroup));
        json_object_object_add(o, "enforced",
                               p->enforcement == TS_PIDS_NOT_PROBED
                                       ? NULL
                                       : json_object_new_boolean(p->enforcement == TS_PIDS_ENFORCED));
        json_object_object_add(o, "enforcement",
                               ts_json_string(ts_pids_enforcement_to_string(p->enforcement)));
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

json_object *ts_env_to_json(const TsSysinfo *s, const char *const *sandbox_verbs) {
        json_object *root = json_object_new_object();
        if (!root)
                return NULL;

        json_object_object_add(root, "pid1", json_pid1(s));
        json_object_object_add(root, "systemd", json_systemd(s));
        json_object_object_add(root, "sandbox", json_sandbox(s, sandbox_verbs));
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

static void field(FILE *out, const char *key, const char *format, ...) _printf_(3, 4);
static void field(FILE *out, const char *key, const char *format, ...) {
        va_list ap;
        int pad = KEY_WIDTH - (int)strlen(key) - 1;

        fprintf(out, "  %s:%*s ", key, pad > 0 ? pad : 0, "");
        va_start(ap, format);
        vfprintf(out, format, ap);
        va_end(ap);
        fputc('\n', out);
}

static void field_u64(FILE *out, const char *key, uint64_t v, int error) {
        if (error < 0)
                field(out, key, "unknown (%s)", errstr(error));
        else if (v == UINT64_MAX)
                field(out, key, "infinity");
        else
                field(out, key, "%" PRIu64, v);
}

static void print_systemd(FILE *out, const TsSysinfo *s, const char *const *sandbox_verbs, bool no_sandbox) {
        fprintf(out, "systemd\n");
        if (s->pid1.comm_error < 0)
                field(out, "PID 1", "unknown (/proc/1/comm: %s)%s", errstr(s->pid1.comm_error),
                      s->pid1.is_systemd ? ", booted with systemd" : "");
        else if (s->pid1.is_systemd)
                field(out, "PID 1", "%s", s->pid1.comm);
        else
                field(out, "PID 1", "%s (not systemd%s)", s->pid1.comm,
                      s->pid1.booted > 0 ? ", though /run/systemd/system exists" : "");

        char why[256], verbs[128];
        bool sandbox = ts_env_sandbox_needed(s, why, sizeof why);
        sandbox_verbs_text(sandbox_verbs, verbs, sizeof verbs);
        /* Where PID 1 is not systemd, the error of connecting to it says nothing (ENOENT). */
        if (s->systemd.reachable)
                field(out, "systemd", "%s", s->systemd.version);
        else if (sandbox)
                field(out, "systemd", "none: %s", why);
        else
                field(out, "systemd", "unreachable (%s)", errstr(s->systemd.error));

        if (!s->systemd.reachable)
                field(out, "DefaultTasksMax", "unknown (%s)",
                      sandbox ? "no systemd" : "systemd unreachable");
        else
                field_u64(out, "DefaultTasksMax", s->systemd.default_tasks_max,
                          s->systemd.default_tasks_max_error);

        if (!sandbox)
                field(out, "sandbox", "not needed: %s use this systemd", verbs);
        else if (no_sandbox)
                field(out, "sandbox", "refused (--no-sandbox): %s fail here, because %s", verbs, why);
        else
                /* Booting one needs root: as another user, those verbs stop at the root check. */
                field(out, "sandbox", "%s%s will boot a private systemd sandbox here, because %s",
                      s->root ? "" : "as root, ", verbs, why);
}

static void print_kernel_and_distro(FILE *out, const TsSysinfo *s) {
        const TsOsRelease *o = &s->os.release;

        fprintf(out, "kernel and distro\n");
        if (s->kernel.release_error < 0)
                field(out, "kernel", "unknown (%s)", errstr(s->kernel.release_error));
        else
                field(out, "kernel", "%s", s->kernel.release);

        if (s->os.error < 0) {
                field(out, "distro", "unknown (os-release: %s)", errstr(s->os.error));
                return;
        }
        field(out, "distro", "%s",
              o->pretty_name ?: o->id ?: "unknown (os-release sets neither PRETTY_NAME nor ID)");
        field(out, "ID", "%s", o->id ?: "(not set)");
        field(out, "VERSION_ID", "%s", o->version_id ?: "(not set)");
        if (o->version_codename)
                field(out, "VERSION_CODENAME", "%s", o->version_codename);
        if (o->id_like)
                field(out, "ID_LIKE", "%s", o->id_like);
}

static void print_cgroups(FILE *out, const TsSysinfo *s) {
        char reason[256];

        fprintf(out, "cgroups and pids controller\n");
        if (s->cgroup.error < 0)
                field(out, "cgroup mode", "unknown (%s)",
                      s->cgroup.error == -ENOMEDIUM ? "no cgroup file system under /sys/fs/cgroup"
                                                    : errstr(s->cgroup.error));
        else {
                field(out, "cgroup mode", "%s", strempty(ts_cgroup_mode_to_string(s->cgroup.layout.mode)));
                for (size_t i = 0; i < s->cgroup.layout.n_hierarchies; i++) {
                        const TsCgroupHierarchy *h = &s->cgroup.layout.hierarchies[i];
                        bool listed = h->controllers && *h->controllers;
                        field(out, "hierarchy", "%s (%s, %s%s%s)", h->mount_point, h->unified ? "v2" : "v1",
                              h->read_only ? "ro" : "rw", listed ? ": " : "", listed ? h->controllers : "");
                }
        }

        if (!s->pids.present)
                field(out, "pids controller", "absent");
        else
                field(out, "pids controller", "%s (%s)", s->pids.mount_point,
                      s->pids.read_only ? "read-only" : "read-write");
        if (s->pids.present) {
                if (s->pids.own_cgroup_error < 0)
                        field(out, "own pids cgroup", "unknown (/proc/self/cgroup: %s)",
                              errstr(s->pids.own_cgroup_error));
                else
                        field(out, "own pids cgroup", "%s", s->pids.own_cgroup);
        }

        ts_env_probe_reason(&s->pids.probe, reason, sizeof reason);
        field(out, "pids limit", "%s (%s)", enforcement_text[s->pids.probe.enforcement], reason);
}

static void print_limits(FILE *out, const TsSysinfo *s) {
        fprintf(out, "limits\n");
        field_u64(out, "kernel.pid_max", s->kernel.pid_max, s->kernel.pid_max_error);
        field_u64(out, "kernel.threads-max", s->kernel.threads_max, s->kernel.threads_max_error);
        field_u64(out, "RLIMIT_NPROC soft", s->nproc.soft, s->nproc.error);
        field_u64(out, "RLIMIT_NPROC hard", s->nproc.hard, s->nproc.error);
        TsHostCapacity c;
        int r = ts_host_capacity(&c);
        if (r < 0)
                field(out, "storm guard", "unknown (%s)", errstr(r));
        else if (c.available < c.kernel_room)
                field(out, "storm guard",
                      "%" PRIu64 " tasks (pids.max %" PRIu64 " of %s, %" PRIu64 " in it)", c.available,
                      c.cgroup_max, c.cgroup_dir, c.cgroup_current);
        else
                field(out, "storm guard",
                      "%" PRIu64 " tasks (the kernel's %" PRIu64 ", less %" PRIu64 " running and %" PRIu64
                      " kept in reserve)",
                      c.available, c.pid_max < c.threads_max ? c.pid_max : c.threads_max, c.running,
                      c.reserve);
}

static void print_seccomp(FILE *out, const TsSysinfo *s) {
        fprintf(out, "seccomp\n");
        if (s->seccomp.api_level == 0)
                field(out, "libseccomp API level", "unknown");
        else
                field(out, "libseccomp API level", "%u", s->seccomp.api_level);
        if (s->seccomp.kernel_notify)
                field(out, "kernel notify", "yes");
        else
                field(out, "kernel notify", "no (SECCOMP_GET_NOTIF_SIZES: %s)",
                      errstr(s->seccomp.kernel_notify_error));
        if (s->seccomp.notify_usable)
                field(out, "notify usable", "yes");
        else
                field(out, "notify usable", "no (needs libseccomp API level >= 6 and kernel support)");
}

void ts_env_print(FILE *out, const TsSysinfo *s, const char *const *sandbox_verbs, bool no_sandbox) {
        print_systemd(out, s, sandbox_verbs, no_sandbox);
        print_kernel_and_distro(out, s);
        print_cgroups(out, s);
        print_limits(out, s);
        print_seccomp(out, s);
}
