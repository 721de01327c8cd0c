/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the validation loop drives: a daemon that is asked for containers. The project's
 * dockerd-like fixture (fast, needs nothing), or a real container stack from the distribution
 * (Docker with containerd and runc, containerd alone through ctr). One file per stack, one line in
 * the table of stack.c. Every stack runs in the taskstorm sandbox only: it starts, configures and
 * stops the sandbox's copies of the distribution's units. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "time-util.h"

typedef struct TsStackContext {
        sd_bus *bus;                   /* replaced by the loop when systemd is reconnected */
        const char *scenario;          /* its name, for what the stack writes */
        const char *unit;              /* the unit that gets the limit (the fixture: its own name) */
        const char *limit;             /* that limit, as systemd writes it ("100", "infinity") */
        const char *daemon_path;       /* the fixture daemon */
        const char *image_path;        /* the real stacks' container process (tstask), a whole image */
        uint64_t container_pids_limit; /* each container's own pids limit: 0 the runtime's default,
                                        * UINT64_MAX none (stacks with set_container_pids_limit) */
        uint64_t container_tasks;      /* each container forks to this many tasks; 0: a few threads */
        usec_t timeout;
        char first_error[512]; /* the first refused container's message, "" none */
        uint64_t named;        /* containers named so far: the next is "ts-<named + 1>" */
} TsStackContext;

typedef struct TsStack {
        const char *name; /* as [Daemon] Stack= names it */
        const char *description;
        const char *const *programs; /* what must be installed, NULL-terminated ("dockerd", ...) */
        const char *const *units;    /* the units it runs; Unit= must be one of them (NULL: any name,
                                      * the stack installs Unit= itself) */
        const char *logger;          /* the unit that logs a refused container ("docker.service"), NULL */
        /* Sets the stack up with c->unit at c->limit, starts it, and waits until it answers. */
        int (*install)(TsStackContext *c);
        /* Asks for n containers at once; how many started and failed, and when the first failed
         * (CLOCK_MONOTONIC ns, 0 none). */
        int (*ask)(TsStackContext *c, uint64_t n, uint64_t *ret_started, uint64_t *ret_failed,
                   nsec_t *ret_first_failure);
        /* Removes the containers, leaving the daemon up. */
        int (*clear)(TsStackContext *c);
        /* Waits until the daemon answers again (after a restart). */
        int (*ready)(TsStackContext *c);
        /* Removes everything install made, from any state. */
        void (*remove)(TsStackContext *c);
        /* Sets c->container_pids_limit as the runtime's setting for the containers asked for next
         * (podman's pids_limit in containers.conf); NULL: the stack's containers take none. */
        int (*set_container_pids_limit)(TsStackContext *c);
} TsStack;

extern const TsStack ts_stack_fixture, ts_stack_docker, ts_stack_ctr, ts_stack_podman;

/* The stack of that name, or NULL. */
const TsStack *ts_stack_find(const char *name);
/* "fixture, docker, ctr", for messages. */
const char *ts_stack_names(void);
/* 1 when every program the stack needs is on PATH (or at its absolute path), else 0 with the
 * first missing one in missing. */
int ts_stack_installed(const TsStack *s, char *missing, size_t size);

/* Shared by the stacks: a drop-in directory's file under /run/systemd/system (the sandbox's: gone
 * with it), written or removed. */
int ts_stack_dropin_write(const char *unit, const char *name, const char *text);
void ts_stack_dropin_remove(const char *unit, const char *name);

/* In a command of ts_stack_run_many(), the word that becomes a container's name, "ts-k", k counting
 * on over the context's calls: a name is never asked for twice. A start refused at the limit can
 * leave its name taken (docker's "The container name "/ts-1" is already in use", runc's "container
 * with given ID already exists") past the clean-up, and the re-run after the fix then failed. */
#define TS_STACK_NAME "@name@"
/* Runs the command words (NULL-terminated) n times, four at a time, as a user's script would ask a
 * daemon for containers: exit status 0 is a started container. The first failure's message goes
 * to c->first_error, its time to *ret_first_failure. */
int ts_stack_run_many(TsStackContext *c, uint64_t n, const char *const *words, uint64_t *ret_started,
                      uint64_t *ret_failed, nsec_t *ret_first_failure);
/* /bin/sh -c script, to its end: its exit status, or a negative errno. */
int ts_stack_sh(const TsStackContext *c, const char *script, char *output, size_t size);
/* Runs argv until it exits 0 (bounded back-off, up to c->timeout): for a daemon that has no
 * readiness notification of its own. */
int ts_stack_wait_ok(const TsStackContext *c, char *const argv[]);
/* Stops the units (last first), kills what KillMode=process left in their cgroups, and forgets a
 * failed state. */
void ts_stack_units_stop(const TsStackContext *c, const char *const *units);
/* Imports the image, tstask alone at the root of its file system, as the one-file tar that
 * `importer` ("docker import - NAME") reads on its standard input. -EIO with its message in
 * c->first_error when it fails. */
int ts_stack_import_image(TsStackContext *c, const char *importer);
/* The limit under test as a drop-in of c->unit that sorts before the fix's 50-TasksMax.conf (so
 * that the fix, not the test's set-up, wins), and its removal. */
int ts_stack_limit_dropin(const TsStackContext *c);
void ts_stack_limit_dropin_remove(const TsStackContext *c);
