/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm env: what this machine offers the harness (systemd, kernel and distro, cgroups and the
 * pids controller, task limits, seccomp), for people or as one JSON object. Never needs root: a fact
 * it cannot get is printed with the reason. */
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>

#include "bus.h"
#include "guard.h"
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
               "cgroup layout and whether the pids controller really enforces a limit (probed when root\n"
               "with a short-lived child cgroup at pids.max=2, or on cgroup v2 a transient scope at\n"
               "TasksMax=2 in taskstorm.slice), the other limits that give the same EAGAIN, and\n"
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

        char why[256], verbs[128];
        bool sandbox = sysinfo_sandbox_needed(s, why, sizeof why);
        sysinfo_sandbox_verbs(verbs, sizeof verbs);
        /* Where PID 1 is not systemd, the error of connecting to it says nothing (ENOENT). */
        if (s->systemd.reachable)
                field("systemd", "%s", s->systemd.version);
        else if (sandbox)
                field("systemd", "none: %s", why);
        else
                field("systemd", "unreachable (%s)", errstr(s->systemd.error));

        if (!s->systemd.reachable)
                field("DefaultTasksMax", "unknown (%s)", sandbox ? "no systemd" : "systemd unreachable");
        else
                field_u64("DefaultTasksMax", s->systemd.default_tasks_max,
                          s->systemd.default_tasks_max_error);

        if (!sandbox)
                field("sandbox", "not needed: %s use this systemd", verbs);
        else if (arg_no_sandbox)
                field("sandbox", "refused (--no-sandbox): %s fail here, because %s", verbs, why);
        else
                field("sandbox", "%s will boot a private systemd sandbox here, because %s", verbs, why);
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

        sysinfo_probe_reason(&s->pids.probe, reason, sizeof reason);
        field("pids limit", "%s (%s)", enforcement_text[s->pids.probe.enforcement], reason);
}

static void print_limits(const TsSysinfo *s) {
        printf("limits\n");
        field_u64("kernel.pid_max", s->kernel.pid_max, s->kernel.pid_max_error);
        field_u64("kernel.threads-max", s->kernel.threads_max, s->kernel.threads_max_error);
        field_u64("RLIMIT_NPROC soft", s->nproc.soft, s->nproc.error);
        field_u64("RLIMIT_NPROC hard", s->nproc.hard, s->nproc.error);
        TsHostCapacity c;
        int r = ts_host_capacity(&c);
        if (r < 0)
                field("storm guard", "unknown (%s)", errstr(r));
        else if (c.available < c.kernel_room)
                field("storm guard", "%" PRIu64 " tasks (pids.max %" PRIu64 " of %s, %" PRIu64 " in it)", c.available,
                      c.cgroup_max, c.cgroup_dir, c.cgroup_current);
        else
                field("storm guard", "%" PRIu64 " tasks (the kernel's %" PRIu64 ", less %" PRIu64 " running and %" PRIu64
                      " kept in reserve)", c.available, c.pid_max < c.threads_max ? c.pid_max : c.threads_max,
                      c.running, c.reserve);
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

static int print_json(const TsSysinfo *s) {
        json_object *root = sysinfo_to_json(s);
        return root ? json_print_and_put(root) : -ENOMEM;
}

int verb_env(int argc, char *argv[]) {
        _cleanup_(ts_sysinfo_done) TsSysinfo s = {};

        int r = parse_argv(argc, argv);
        if (r <= 0)
                return r;

        /* systemd, where it answers, gives the pids probe a scope on cgroup v2 (bus stays NULL
         * where it does not: sd-bus leaves it untouched on failure). */
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        (void)ts_bus_open_systemd(&bus);
        r = sysinfo_gather(bus, &s);
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
