/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* podman from the distribution as the stack: no daemon; each container runs in scopes that podman
 * asks systemd for (libpod-conmon-<id>.scope for its monitor, libpod-<id>.scope for the
 * container), in machine.slice. The limit under test goes on machine.slice, where every podman
 * container of the machine adds up; storage is vfs under a root of its own (the sandbox's overlay
 * takes no overlayfs on top), and the image is tstask's one-file tar. Its settings are a
 * containers.conf of its own (CONTAINERS_CONF), where a scenario puts the containers' own pids
 * limit (pids_limit, 2048 by podman's default) and its remedy. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "bus.h"
#include "fileio.h"
#include "macro.h"
#include "stack.h"

#define IMAGE "localhost/taskstorm/hold:latest"
#define LABEL "taskstorm"
#define RUNROOT "/run/taskstorm-podman"
#define CONF RUNROOT "/containers.conf"
/* Every podman call: settings and storage of its own, vfs. */
#define PODMAN                                                                                              \
        "env", "CONTAINERS_CONF=" CONF, "podman", "--storage-driver", "vfs", "--root",                      \
                "/var/lib/taskstorm-podman", "--runroot", RUNROOT
#define PODMAN_SH                                                                                           \
        "CONTAINERS_CONF=" CONF                                                                             \
        " podman --storage-driver vfs --root /var/lib/taskstorm-podman --runroot " RUNROOT

static const char *const podman_programs[] = { "podman", "conmon", "tar", NULL };
static const char *const podman_units[] = { "machine.slice", NULL };

static int podman_ready(TsStackContext *c) {
        char *const argv[] = { PODMAN, (char *)"info", NULL };
        return ts_stack_wait_ok(c, argv);
}

/* The limit as a drop-in of the slice (a slice takes TasksMax in [Slice]). */
static int slice_limit(const TsStackContext *c) {
        char text[128];
        snprintf(text, sizeof text, "# taskstorm scenario %s: the limit under test\n[Slice]\nTasksMax=%s\n",
                 c->scenario, c->limit);
        return ts_stack_dropin_write(c->unit, "10-taskstorm-limit.conf", text);
}

/* containers.conf: logs in files (podman logs reads them at once), and the containers' own pids
 * limit where the scenario gives one (0 is podman's "none"). */
static int podman_set_container_pids_limit(TsStackContext *c) {
        char text[256], limit[64] = "";
        if (c->container_pids_limit)
                snprintf(limit, sizeof limit, "pids_limit = %" PRIu64 "\n",
                         c->container_pids_limit == UINT64_MAX ? 0 : c->container_pids_limit);
        snprintf(text, sizeof text,
                 "# taskstorm scenario %s: podman's settings\n[containers]\nlog_driver = \"k8s-file\"\n%s",
                 c->scenario, limit);
        if (mkdir(RUNROOT, 0700) < 0 && errno != EEXIST)
                return negative_errno();
        (void)unlink(CONF); /* the stack's own file, from install or an earlier setting */
        return ts_write_new_file(CONF, text);
}

static int podman_install(TsStackContext *c) {
        int r = podman_set_container_pids_limit(c);
        if (r >= 0)
                r = slice_limit(c);
        if (r >= 0)
                r = ts_manager_reload(c->bus, c->timeout);
        if (r >= 0)
                r = ts_unit_job(c->bus, "StartUnit", c->unit, "replace", c->timeout);
        if (r >= 0)
                r = podman_ready(c);
        if (r < 0)
                return r;
        return ts_stack_import_image(c, PODMAN_SH " import - " IMAGE);
}

#define RUN PODMAN_SH " run -d --network none --cgroup-manager systemd --label " LABEL

/* A container that forks to N tasks and holds them: started when it says it made all N (it says so
 * in its log within a few milliseconds; 10 s at most is waited for), failed with its refused fork's
 * message when it made fewer. $1 is its name, $2 is N. The script is written a command a line;
 * clang-format is kept out of it, as it would pull RUN up to the "=", apart from its command. */
/* clang-format off */
static const char fork_script[] =
        RUN " --name \"$1\" " IMAGE " /tstask fork \"$2\" >/dev/null || exit 1\n"
        "i=0\n"
        "while [ $i -lt 200 ]; do\n"
        "        out=$(" PODMAN_SH " logs \"$1\" 2>&1)\n"
        "        case $out in *forked*) break ;; esac\n"
        "        sleep 0.05; i=$((i + 1))\n"
        "done\n"
        "case $out in\n"
        "*\"forked $2 of $2\"*) exit 0 ;;\n"
        "*forked*) printf '%s\\n' \"$out\" | grep -m1 failed >&2; printf '%s\\n' \"$out\" | grep -m1 forked >&2; exit 1 ;;\n"
        "*) echo \"$1: the container said nothing of its forks in 10 s: $out\" >&2; exit 1 ;;\n"
        "esac\n";
/* clang-format on */

static int podman_ask(TsStackContext *c, uint64_t n, uint64_t *ret_started, uint64_t *ret_failed,
                      nsec_t *ret_first_failure) {
        if (c->container_tasks) {
                char tasks[32];
                snprintf(tasks, sizeof tasks, "%" PRIu64, c->container_tasks);
                const char *const words[] = {
                        "/bin/sh", "-c", fork_script, "sh", TS_STACK_NAME, tasks, NULL
                };
                return ts_stack_run_many(c, n, words, ret_started, ret_failed, ret_first_failure);
        }
        static const char *const words[] = {
                PODMAN,    "run",     "-d",  "--network", "none",        "--cgroup-manager",
                "systemd", "--label", LABEL, "--name",    TS_STACK_NAME, IMAGE,
                "/tstask", "threads", "3",   NULL
        };
        return ts_stack_run_many(c, n, words, ret_started, ret_failed, ret_first_failure);
}

/* Every container of ours, without waiting for a stop timeout (-t 0: tstask, their PID 1, ignores
 * SIGTERM). podman before 3.3 (bullseye's 3.0) knows neither `rm --time` nor `rm --filter`: there
 * the containers are removed with the timeout, else the next run of a name that failed before
 * fails ("the container name "ts-4" is already in use", found by ci/matrix on bullseye). */
static int podman_clear(TsStackContext *c) {
        return ts_stack_sh(c,
                           "ids=$(" PODMAN_SH " ps -aq --filter label=" LABEL
                           "); [ -z \"$ids\" ] || " PODMAN_SH
                           " rm -f -t 0 $ids >/dev/null 2>&1 || " PODMAN_SH " rm -f $ids >/dev/null",
                           NULL, 0);
}

static void podman_remove(TsStackContext *c) {
        (void)podman_clear(c);
        /* A refused container can leave its monitor (conmon) in a scope podman does not remove, and
         * runc can leave the container's cgroup frozen (it freezes it while it sets up devices, and
         * a failed create does not always thaw it); a frozen task cannot die. systemd thaws only on
         * cgroup v2, so the sandbox's own cgroups are thawed here, then machine.slice is stopped
         * with every scope in it. */
        (void)ts_stack_sh(
                c,
                "find /sys/fs/cgroup/freezer/machine.slice /sys/fs/cgroup/machine.slice "
                "\\( -name freezer.state -o -name cgroup.freeze \\) 2>/dev/null | while read -r f; do "
                "case $f in *freezer.state) echo THAWED ;; *) echo 0 ;; esac >\"$f\"; done",
                NULL, 0);
        ts_stack_units_stop(c, podman_units);
        ts_stack_dropin_remove(c->unit, "10-taskstorm-limit.conf");
        (void)unlink(CONF);
}

const TsStack ts_stack_podman = {
        .name = "podman",
        .description = "podman and conmon from the distribution (no daemon)",
        .programs = podman_programs,
        .units = podman_units,
        .install = podman_install,
        .ask = podman_ask,
        .clear = podman_clear,
        .ready = podman_ready,
        .remove = podman_remove,
        .set_container_pids_limit = podman_set_container_pids_limit,
};
