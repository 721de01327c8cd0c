/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Gathers TsCheckFacts from the running system. Every fact is read where it lives: limits from the
 * bus and from the kernel's pids files (the two can disagree), usage of RLIMIT_NPROC from /proc,
 * the kernel's task count from /proc/loadavg, evidence from the journal. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "bus.h"
#include "check-live.h"
#include "fileio.h"
#include "guard.h"
#include "journal.h"
#include "macro.h"
#include "os-release.h"
#include "pids.h"
#include "unit.h"

static TsValue known(uint64_t v) {
        return (TsValue){ .known = true, .value = v };
}

/* pids.current, pids.max and the refused forks of a unit's cgroup: on v2 from 6.11 on, those of its
 * own limit (pids.events.local), not its subtree's (pids.events became hierarchical). */
static void sample_cgroup(const char *control_group, TsValue *current, TsValue *max, TsValue *events) {
        _cleanup_(freep) char *dir = NULL;
        TsPidsSample s;
        if (!control_group || !*control_group || ts_pids_cgroup_dir(control_group, &dir) < 0 ||
            ts_pids_sample(dir, &s) < 0)
                return;
        *current = known(s.current);
        *max = known(s.max);
        *events = known(s.events_max);
        _cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        uint64_t refused;
        if (fd >= 0 && ts_pids_refused_at(fd, &refused, NULL) >= 0)
                *events = known(refused);
}

static TsValue read_sysctl(const char *path) {
        uint64_t v;
        return ts_read_u64_or_max_file(path, &v) >= 0 ? known(v) : (TsValue){};
}

/* The kernel's number of tasks (threads) now: the fourth field of /proc/loadavg, "running/total". */
static TsValue system_tasks(void) {
        _cleanup_(freep) char *line = NULL;
        uint64_t v;
        if (ts_read_one_line_file("/proc/loadavg", &line) < 0)
                return (TsValue){};
        const char *slash = strchr(line, '/');
        if (!slash)
                return (TsValue){};
        char buf[32];
        snprintf(buf, sizeof buf, "%.*s", (int)strcspn(slash + 1, " "), slash + 1);
        return ts_safe_atou64(buf, &v) >= 0 ? known(v) : (TsValue){};
}

/* What RLIMIT_NPROC counts for uid: its tasks (threads), from /proc/PID/status of each process
 * whose real uid it is. */
static TsValue user_tasks(uid_t uid) {
        DIR *d = opendir("/proc");
        if (!d)
                return (TsValue){};
        uint64_t total = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                char path[300];
                if (path_printf(path, sizeof path, "/proc/%s/status", de->d_name) < 0)
                        continue;
                _cleanup_(fclosep) FILE *f = fopen(path, "re");
                char line[256];
                unsigned long ruid = ULONG_MAX, threads = 0;
                while (f && fgets(line, sizeof line, f)) {
                        if (strneq(line, "Uid:", 4))
                                ruid = strtoul(line + 4, NULL, 10);
                        else if (strneq(line, "Threads:", 8))
                                threads = strtoul(line + 8, NULL, 10);
                }
                if (ruid == uid)
                        total += threads;
        }
        closedir(d);
        return known(total);
}

static int gather_slices(sd_bus *bus, const char *first, TsCheckFacts *f) {
        _cleanup_(freep) char *name = first && *first ? strdup(first) : NULL;
        ANALYZER_OWNED_BY_CLEANUP(name);
        while (name && !streq(name, "-.slice") && f->n_slices < TS_CHECK_MAX_SLICES) {
                TsUnitInfo s;
                int r = ts_unit_info_load(bus, name, &s);
                if (r < 0)
                        return r;
                TsSliceFacts *sf = &f->slices[f->n_slices++];
                sf->name = TAKE_PTR(name);
                sf->tasks_max = known(s.tasks_max);
                sample_cgroup(s.control_group, &sf->pids_current, &sf->pids_max, &sf->events_max);
                name = *s.slice ? strdup(s.slice) : NULL;
                ANALYZER_OWNED_BY_CLEANUP(name);
                ts_unit_info_done(&s);
        }
        return 0;
}

/* The article's prerequisites: systemd's version, the kernel's, os-release's ID and ID_LIKE. */
static void gather_prerequisites(sd_bus *bus, char **systemd, char **kernel, char **os_id,
                                 char **os_id_like) {
        (void)ts_manager_get_string(bus, "Version", systemd);
        struct utsname u;
        if (uname(&u) >= 0)
                *kernel = strdup(u.release);
        TsOsRelease os = {};
        if (ts_os_release_load("/", &os) >= 0) {
                *os_id = os.id ? strdup(os.id) : NULL;
                *os_id_like = os.id_like ? strdup(os.id_like) : NULL;
        }
        ts_os_release_done(&os);
}

int ts_check_gather_live(sd_bus *bus, const char *unit, usec_t since, TsCheckFacts *ret) {
        TsUnitInfo u;
        int r = ts_unit_info_load(bus, unit, &u);
        if (r < 0)
                return r;

        TsCheckFacts f = { .unit = strdup(unit), .unit_known = true, .kernel_slice = -1 };
        gather_prerequisites(bus, &f.systemd_version, &f.kernel_release, &f.os_id, &f.os_id_like);
        f.control_group = u.control_group && *u.control_group ? strdup(u.control_group) : NULL;
        f.started_monotonic = u.started_monotonic;
        f.invocation_id = u.invocation_id[0] ? strdup(u.invocation_id) : NULL;
        if (u.has_tasks_current)
                f.tasks_current = known(u.tasks_current);
        f.tasks_max = known(u.tasks_max);
        if (u.has_effective_tasks_max)
                f.effective_tasks_max = known(u.effective_tasks_max);
        sample_cgroup(f.control_group, &f.pids_current, &f.pids_max, &f.events_max);
        r = gather_slices(bus, u.slice, &f);

        if (u.has_nproc)
                f.nproc_soft = known(u.nproc_soft);
        struct passwd *pw = *u.user ? getpwnam(u.user) : NULL;
        f.user_is_root = !pw || pw->pw_uid == 0;
        if (pw)
                f.user_tasks = user_tasks(pw->pw_uid);
        f.pid_max = read_sysctl("/proc/sys/kernel/pid_max");
        f.threads_max = read_sysctl("/proc/sys/kernel/threads-max");
        uint64_t root_max;
        if (ts_root_pids_max(&root_max) >= 0)
                f.root_pids_max = known(root_max);
        f.system_tasks = system_tasks();
        ts_unit_info_done(&u);

        if (r >= 0)
                r = ts_journal_scan(since, &f);
        if (r < 0) {
                ts_check_facts_done(&f);
                return r;
        }
        *ret = f;
        return 0;
}

int ts_scan_gather_cgroups_live(TsScanFacts *ret) {
        _cleanup_(freep) char *root = NULL;
        int r = ts_pids_cgroup_dir("/", &root);
        if (r < 0)
                return r;
        _cleanup_(ts_scan_facts_done) TsScanFacts f = {};
        r = ts_scan_cgroups(root, &f);
        if (r < 0)
                return r;
        *ret = TAKE_STRUCT(f);
        return 0;
}

int ts_scan_gather_live(sd_bus *bus, usec_t since, TsScanFacts *ret) {
        _cleanup_(ts_scan_facts_done) TsScanFacts f = {};
        int r = ts_scan_gather_cgroups_live(&f);
        if (r >= 0)
                r = ts_journal_scan_machine(since, &f);
        if (r >= 0)
                r = ts_scan_resolve_kernel_lines(&f);
        if (r < 0)
                return r;
        gather_prerequisites(bus, &f.systemd_version, &f.kernel_release, &f.os_id, &f.os_id_like);
        ANALYZER_OWNED_BY_CLEANUP(f.systemd_version, f.kernel_release, f.os_id, f.os_id_like);

        /* The units that log EAGAIN are few, and their lines are evidence: each is asked about over
         * the bus, for its current run (without a window only that run's lines count: those of a unit
         * that is gone, or of an earlier run, are history) and for the limits besides TasksMax that
         * its own check would find. */
        for (size_t i = 0; i < f.n_logs && i < TS_SCAN_MAX_UNITS_ASKED; i++) {
                TsScanLog *l = &f.logs[i];
                _cleanup_(freep) TsCheckFacts *facts = calloc(1, sizeof *facts);
                if (!facts)
                        return -ENOMEM;
                ANALYZER_OWNED_BY_CLEANUP(facts);
                r = ts_check_gather_live(bus, l->unit, since, facts);
                if (r == -ENOMEM)
                        return r;
                /* Lines that no field ties to a run count as they are. */
                bool other_run =
                        r >= 0 && l->invocation && !streq(l->invocation, strempty(facts->invocation_id));
                bool history = since == 0 && (r == -ENOENT || other_run);
                if (r >= 0 && !other_run)
                        l->facts = TAKE_PTR(facts);
                else if (r >= 0)
                        ts_check_facts_done(facts);
                if (history) {
                        ts_pattern_hits_done(l->hits, ELEMENTSOF(l->hits));
                        memset(l->hits, 0, sizeof l->hits);
                }
        }
        *ret = TAKE_STRUCT(f);
        return 0;
}
