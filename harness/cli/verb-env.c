/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm env: what this machine offers the harness (systemd, kernel and distro, cgroups and the
 * pids controller, task limits, seccomp), for people or as one JSON object. Never needs root: a fact
 * it cannot get is printed with the reason. */
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>

#include "log.h"
#include "output.h"
#include "sysinfo.h"
#include "verbs.h"

static bool arg_json = false;

/* Width of the key column in the text output. */
#define KEY_WIDTH 22

static const char *const enforcement_text[_TS_PIDS_ENFORCEMENT_MAX] = {
        [TS_PIDS_ENFORCED] = "enforced",
        [TS_PIDS_NOT_ENFORCED] = "not enforced",
        [TS_PIDS_NOT_PROBED] = "not probed",
};

static void help(void) {
        printf("Usage: taskstorm env [--json]\n\n"
               "Show what this machine offers the harness: PID 1 and systemd, kernel and distro, the\n"
               "cgroup layout and whether the pids controller really enforces a limit (probed with a\n"
               "short-lived child cgroup when root), the other limits that give the same EAGAIN, and\n"
               "seccomp user notification. Facts that cannot be read say why.\n\n"
               "Options:\n"
               "  -h --help   show this help\n"
               "     --json   print one JSON object instead of text\n");
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100 };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case '?':
                        return log_option_error("env", argv, options);
                default:
                        return -EINVAL;
                }

        if (optind < argc)
                return log_error_errno(-EINVAL, "'taskstorm env' takes no arguments, got '%s'.",
                                       argv[optind]);
        return 1;
}

static const char *errstr(int error) {
        return strerror(error < 0 ? -error : error);
}

/* One sentence on the pids probe, shared by the text and the JSON output. */
static void format_probe_reason(const TsPidsProbe *p, char *buf, size_t size) {
        const char *reason = strempty(ts_pids_reason_to_string(p->reason));

        switch (p->reason) {
        case TS_PIDS_REASON_PROBED:
                snprintf(buf, size, "probed: under pids.max=%" PRIu64 ", fork %u of %u failed with EAGAIN",
                         p->limit, p->forked + 1, p->forks);
                break;
        case TS_PIDS_REASON_LIMIT_IGNORED:
                snprintf(buf, size, "limit ignored: %u of %u forks succeeded under pids.max=%" PRIu64,
                         p->forked, p->forks, p->limit);
                break;
        case TS_PIDS_REASON_NO_LIMIT_FILE:
                snprintf(buf, size, "%s: pids is not enabled in cgroup.subtree_control of this cgroup",
                         reason);
                break;
        case TS_PIDS_REASON_PROBE_FAILED:
                snprintf(buf, size, "%s at %s: %s", reason, strempty(p->step), errstr(p->error));
                break;
        default:
                snprintf(buf, size, "%s", reason);
        }
}

static void field(const char *key, const char *format, ...) _printf_(2, 3);
static void field(const char *key, const char *format, ...) {
        va_list ap;
        int pad = KEY_WIDTH - (int)strlen(key) - 1;

        printf("  %s:%*s ", key, pad > 0 ? pad : 0, "");
        va_start(ap, format);
        vprintf(format, ap);
        va_end(ap);
        putchar('\n');
}

static void field_u64(const char *key, uint64_t v, int error) {
        if (error < 0)
                field(key, "unknown (%s)", errstr(error));
        else if (v == UINT64_MAX)
                field(key, "infinity");
        else
                field(key, "%" PRIu64, v);
}

static void print_systemd(const TsSysinfo *s) {
        printf("systemd\n");
        if (s->pid1.comm_error < 0)
                field("PID 1", "unknown (/proc/1/comm: %s)%s", errstr(s->pid1.comm_error),
                      s->pid1.is_systemd ? ", booted with systemd" : "");
        else if (s->pid1.is_systemd)
                field("PID 1", "%s", s->pid1.comm);
        else
                field("PID 1", "%s (not systemd%s)", s->pid1.comm,
                      s->pid1.booted > 0 ? ", though /run/systemd/system exists" : "");

        if (s->systemd.reachable)
                field("systemd", "%s", s->systemd.version);
        else if (!s->pid1.is_systemd)
                field("systemd", "unreachable (PID 1 is not systemd: %s)", errstr(s->systemd.error));
        else
                field("systemd", "unreachable (%s)", errstr(s->systemd.error));

        if (!s->systemd.reachable)
                field("DefaultTasksMax", "unknown (systemd unreachable)");
        else
                field_u64("DefaultTasksMax", s->systemd.default_tasks_max,
                          s->systemd.default_tasks_max_error);
}

static void print_kernel_and_distro(const TsSysinfo *s) {
        const TsOsRelease *o = &s->os.release;

        printf("kernel and distro\n");
        if (s->kernel.release_error < 0)
                field("kernel", "unknown (%s)", errstr(s->kernel.release_error));
        else
                field("kernel", "%s", s->kernel.release);

        if (s->os.error < 0) {
                field("distro", "unknown (os-release: %s)", errstr(s->os.error));
                return;
        }
        field("distro", "%s",
              o->pretty_name ?: o->id ?: "unknown (os-release sets neither PRETTY_NAME nor ID)");
        field("ID", "%s", o->id ?: "(not set)");
        field("VERSION_ID", "%s", o->version_id ?: "(not set)");
        if (o->version_codename)
                field("VERSION_CODENAME", "%s", o->version_codename);
        if (o->id_like)
                field("ID_LIKE", "%s", o->id_like);
}

static void print_cgroups(const TsSysinfo *s) {
        char reason[256];

        printf("cgroups and pids controller\n");
        if (s->cgroup.error < 0)
                field("cgroup mode", "unknown (%s)", s->cgroup.error == -ENOMEDIUM
                                                             ? "no cgroup file system under /sys/fs/cgroup"
                                                             : errstr(s->cgroup.error));
        else {
                field("cgroup mode", "%s", strempty(ts_cgroup_mode_to_string(s->cgroup.layout.mode)));
                for (size_t i = 0; i < s->cgroup.layout.n_hierarchies; i++) {
                        const TsCgroupHierarchy *h = &s->cgroup.layout.hierarchies[i];
                        field("hierarchy", "%s (%s, %s%s%s)", h->mount_point, h->unified ? "v2" : "v1",
                              h->read_only ? "ro" : "rw", h->controllers && *h->controllers ? ": " : "",
                              h->controllers && *h->controllers ? h->controllers : "");
                }
        }

        if (!s->pids.present)
                field("pids controller", "absent");
        else
                field("pids controller", "%s (%s)", s->pids.mount_point,
                      s->pids.read_only ? "read-only" : "read-write");
        if (s->pids.present) {
                if (s->pids.own_cgroup_error < 0)
                        field("own pids cgroup", "unknown (/proc/self/cgroup: %s)",
                              errstr(s->pids.own_cgroup_error));
                else
                        field("own pids cgroup", "%s", s->pids.own_cgroup);
        }

        format_probe_reason(&s->pids.probe, reason, sizeof reason);
        field("pids limit", "%s (%s)", enforcement_text[s->pids.probe.enforcement], reason);
}

static void print_limits(const TsSysinfo *s) {
        printf("limits\n");
        field_u64("kernel.pid_max", s->kernel.pid_max, s->kernel.pid_max_error);
        field_u64("kernel.threads-max", s->kernel.threads_max, s->kernel.threads_max_error);
        field_u64("RLIMIT_NPROC soft", s->nproc.soft, s->nproc.error);
        field_u64("RLIMIT_NPROC hard", s->nproc.hard, s->nproc.error);
}

static void print_seccomp(const TsSysinfo *s) {
        printf("seccomp\n");
        if (s->seccomp.api_level == 0)
                field("libseccomp API level", "unknown");
        else
                field("libseccomp API level", "%u", s->seccomp.api_level);
        if (s->seccomp.kernel_notify)
                field("kernel notify", "yes");
        else
                field("kernel notify", "no (SECCOMP_GET_NOTIF_SIZES: %s)",
                      errstr(s->seccomp.kernel_notify_error));
        if (s->seccomp.notify_usable)
                field("notify usable", "yes");
        else
                field("notify usable", "no (needs libseccomp API level >= 6 and kernel support)");
}

static void print_text(const TsSysinfo *s) {
        print_systemd(s);
        print_kernel_and_distro(s);
        print_cgroups(s);
        print_limits(s);
        print_seccomp(s);
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

static json_object *json_systemd(const TsSysinfo *s) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "reachable", json_object_new_boolean(s->systemd.reachable));
        json_object_object_add(o, "version", json_str(s->systemd.version));
        json_object_object_add(o, "default_tasks_max",
                               s->systemd.reachable ? json_u64(s->systemd.default_tasks_max,
                                                               s->systemd.default_tasks_max_error)
                                                    : NULL);
        json_object_object_add(o, "error", s->systemd.error < 0 ? json_str(errstr(s->systemd.error)) : NULL);
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

        format_probe_reason(p, reason, sizeof reason);
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
        json_add_error(e, "systemd", s->systemd.error);
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

static int print_json(const TsSysinfo *s) {
        json_object *root = json_object_new_object();
        if (!root)
                return -ENOMEM;

        json_object_object_add(root, "pid1", json_pid1(s));
        json_object_object_add(root, "systemd", json_systemd(s));
        json_object_object_add(root, "kernel", json_kernel(s));
        json_object_object_add(root, "os", json_os(s));
        json_object_object_add(root, "cgroup", json_cgroup(s));
        json_object_object_add(root, "pids_controller", json_pids(s));
        json_object_object_add(root, "rlimit_nproc", json_nproc(s));
        json_object_object_add(root, "seccomp", json_seccomp(s));
        json_object_object_add(root, "errors", json_errors(s));

        return json_print_and_put(root);
}

int verb_env(int argc, char *argv[]) {
        _cleanup_(ts_sysinfo_done) TsSysinfo s = {};

        int r = parse_argv(argc, argv);
        if (r <= 0)
                return r;

        r = ts_sysinfo_gather(&s);
        if (r < 0)
                return log_error_errno(r, "Failed to gather system facts: %m");

        if (s.pids.probe.cleanup_error < 0)
                log_warning_errno(s.pids.probe.cleanup_error, "Failed to remove the probe cgroup %s: %m",
                                  strempty(s.pids.probe.cleanup_path));

        if (arg_json)
                return print_json(&s);
        print_text(&s);
        return 0;
}
