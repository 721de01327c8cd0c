/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd-bus connections to systemd (the host's or a sandbox's), reads of Manager properties, and of
 * any object's properties as a table filled from one GetAll. */
#pragma once

#include "tasks-limit.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "time-util.h"

/* Connects to systemd: to its private socket when root (as systemctl does), else the system bus. */
int ts_bus_open_systemd(sd_bus **ret);
/* A connection to use now: bus itself (a new reference) while it is open, else a new one, retried
 * with back-off for up to timeout, as systemd re-executing (daemon-reexec) drops every connection
 * and takes a moment to listen again. */
int ts_bus_open_again(sd_bus *bus, usec_t timeout, sd_bus **ret);
/* 1 for the errors of a connection that systemd dropped (ECONNRESET, ENOTCONN, EPIPE, ...). */
bool ts_bus_error_is_disconnect(int r);

/* Connects to the private socket of a systemd whose root file system is at root_dir. */
int ts_bus_open_private_at(const char *root_dir, sd_bus **ret);

/* One property that ts_bus_get_all() fills from a GetAll reply: its name, its D-Bus type, and where
 * its value goes, by type: "s" a char * (malloc'd; it replaces and frees what was there, so start
 * with NULL), "t" a uint64_t, "u" a uint32_t, "b" a bool, "as" a char ** (NULL-terminated, replaced
 * as "s" is), "ay" of 16 bytes an ID as 32 hex digits into a char[33] ("" when all zero or not 16
 * bytes). found, when not NULL, says whether the reply had it. */
typedef struct TsBusProperty {
        const char *name;
        const char *type;
        void *ret;
        bool *found;
} TsBusProperty;

/* Reads the properties of table from one GetAll of interface ("" for every interface of the object,
 * as systemctl show asks) of systemd's object at path: one round trip for any number of them. A
 * property the reply lacks (one this systemd does not have) leaves its destination as it was and
 * its found false; one of another type is -EBADMSG. On failure, strings already read are in their
 * destinations, for the caller's cleanup. */
int ts_bus_get_all(sd_bus *bus, const char *path, const char *interface, const TsBusProperty *table,
                   size_t n);
/* The reading half of ts_bus_get_all(): a reply whose next item is the a{sv} of a GetAll. */
int ts_bus_properties_parse(sd_bus_message *reply, const TsBusProperty *table, size_t n);

int ts_manager_get_string(sd_bus *bus, const char *property, char **ret);
int ts_manager_get_u64(sd_bus *bus, const char *property, uint64_t *ret);

/* Waits until the manager reports SystemState "running" or "degraded" (returned in ret_state),
 * using the StartupFinished signal; -ETIMEDOUT after timeout. */
int ts_manager_wait_started(sd_bus *bus, usec_t timeout, char **ret_state);

/* Turns a D-Bus error into a negative errno (sd_bus_error_get_errno, never 0). */
int ts_bus_error_to_errno(const sd_bus_error *error, int r);

/* Waiting for a job's JobRemoved: prepare (Subscribe and the match) before the call that creates
 * the job, then set the job path from its reply, then run. */
typedef struct TsJobWait {
        sd_bus_slot *slot;
        char *job;
        char *result;
} TsJobWait;

int ts_job_wait_prepare(sd_bus *bus, TsJobWait *w);
int ts_job_wait_set(TsJobWait *w, const char *job_path);
/* Returns 0 with the job's result ("done", "failed", "canceled", ...) or -ETIMEDOUT. */
int ts_job_wait_run(sd_bus *bus, TsJobWait *w, usec_t timeout, const char **ret_result);
void ts_job_wait_done(TsJobWait *w);

/* Sends m, a call whose reply is a job path, and waits for that job's JobRemoved (subscribed before
 * the call). 0 when the job ended "done", -EIO for any other result, -ETIMEDOUT. */
int ts_job_call_and_wait(sd_bus *bus, sd_bus_message *m, usec_t timeout);
/* daemon-reload: returns once systemd has read its units again (the call replies then). */
int ts_manager_reload(sd_bus *bus, usec_t timeout);
/* SetUnitProperties with one property, the limit as TasksMax or TasksMaxScale; runtime: the drop-in
 * goes under /run (lost at reboot), else under /etc. */
int ts_unit_set_tasks_max(sd_bus *bus, const char *unit, bool runtime, const TsTasksLimit *limit,
                          usec_t timeout);

/* A Manager method that queues a job for one unit ("StopUnit", "RestartUnit", ...) with a job
 * mode ("fail", "replace"), waited for. */
int ts_unit_job(sd_bus *bus, const char *method, const char *name, const char *mode, usec_t timeout);
