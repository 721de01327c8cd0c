/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Docker from the distribution (docker.io, containerd, runc) as the stack: the sandbox's copies of
 * docker.service and containerd.service, dockerd with what the sandbox lacks switched off (no
 * iptables, no bridge, vfs storage under a data root of its own), the limit as a drop-in that sorts
 * before the fix's 50-TasksMax.conf, an image imported from the one-file tar of tstask, and
 * containers asked for with the docker CLI, as a user's script would. */
#include <limits.h>
#include <stdio.h>

#include "bus.h"
#include "fileio.h"
#include "macro.h"
#include "stack.h"

#define IMAGE "taskstorm/hold:latest"
#define LABEL "taskstorm"
#define DOCKER_DROPIN "10-taskstorm-stack.conf"

static const char *const docker_programs[] = { "dockerd", "docker", "containerd", "runc", "tar", NULL };
static const char *const docker_units[] = { "containerd.service", "docker.service", NULL };
static const char *const docker_dropin_units[] = { "docker.service", NULL };

static int docker_ready(TsStackContext *c) {
        char *const argv[] = { (char *)"docker", (char *)"version", NULL };
        return ts_stack_wait_ok(c, argv);
}

static int docker_install(TsStackContext *c) {
        int r = ts_stack_dropin_write(
                "docker.service", DOCKER_DROPIN,
                "# taskstorm: dockerd without what the sandbox lacks (iptables, a bridge, overlayfs)\n"
                "[Service]\nExecStart=\n"
                "ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock "
                "--storage-driver=vfs --iptables=false --ip6tables=false --bridge=none --ip-masq=false "
                "--ip-forward=false --data-root=/var/lib/taskstorm-docker\n");
        if (r >= 0)
                r = ts_stack_limit_dropin(c);
        if (r >= 0)
                r = ts_manager_reload(c->bus, c->timeout);
        for (const char *const *u = docker_units; r >= 0 && *u; u++)
                r = ts_unit_job(c->bus, "StartUnit", *u, "replace", c->timeout);
        if (r >= 0)
                r = docker_ready(c);
        if (r < 0)
                return r;

        return ts_stack_import_image(c, "docker import - " IMAGE);
}

static int docker_ask(TsStackContext *c, uint64_t n, uint64_t *ret_started, uint64_t *ret_failed,
                      nsec_t *ret_first_failure) {
        static const char *const words[] = { "docker",  "run",     "-d",     "--network",   "none",
                                             "--label", LABEL,     "--name", TS_STACK_NAME, IMAGE,
                                             "/tstask", "threads", "3",      NULL };
        return ts_stack_run_many(c, n, words, ret_started, ret_failed, ret_first_failure);
}

static int docker_clear(TsStackContext *c) {
        return ts_stack_sh(c, "docker ps -aq --filter label=" LABEL " | xargs -r docker rm -f >/dev/null",
                           NULL, 0);
}

static void docker_remove(TsStackContext *c) {
        (void)docker_clear(c);
        ts_stack_units_stop(c, docker_units);
        static const char *const socket_unit[] = { "docker.socket", NULL };
        ts_stack_units_stop(c, socket_unit);
        for (const char *const *u = docker_dropin_units; *u; u++)
                ts_stack_dropin_remove(*u, DOCKER_DROPIN);
        ts_stack_limit_dropin_remove(c);
}

const TsStack ts_stack_docker = {
        .name = "docker",
        .description = "Docker, containerd and runc from the distribution",
        .programs = docker_programs,
        .units = docker_units,
        .logger = "docker.service",
        .install = docker_install,
        .ask = docker_ask,
        .clear = docker_clear,
        .ready = docker_ready,
        .remove = docker_remove,
};
