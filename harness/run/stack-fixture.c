/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The project's dockerd-like daemon (fixtures/dockerd/tsdockerd.c) as the stack: installed as a
 * unit of its own with the limit in its unit file, asked for containers over a unix socket. */
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bus.h"
#include "fileio.h"
#include "macro.h"
#include "stack.h"

static int socket_path(const TsStackContext *c, char *buf, size_t size) {
        return path_printf(buf, size, "/run/taskstorm-%s.sock", c->unit);
}

/* One request to the daemon: "run N" -> "started S failed F containers C first_failure_ns T". */
static int request(const char *path, const char *line_in, uint64_t *ret_started, uint64_t *ret_failed,
                   nsec_t *ret_first_failure) {
        _cleanup_(closep) int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (fd < 0)
                return negative_errno();
        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
                return negative_errno();
        /* One write: the daemon answers the first line it reads and closes the connection. */
        char line[128];
        int n = snprintf(line, sizeof line, "%s\n", line_in);
        if (n < 0 || (size_t)n >= sizeof line)
                return -EINVAL;
        if (send(fd, line, (size_t)n, MSG_NOSIGNAL) != n)
                return -EIO;
        char reply[256];
        size_t got = 0;
        ssize_t k;
        while (got < sizeof reply - 1 && (k = read(fd, reply + got, sizeof reply - 1 - got)) > 0)
                got += (size_t)k;
        reply[got] = 0;
        if (!ret_started)
                return 0;
        uint64_t first = 0;
        if (sscanf(reply, "started %" SCNu64 " failed %" SCNu64 " containers %*u first_failure_ns %" SCNu64,
                   ret_started, ret_failed, &first) < 2)
                return -EBADMSG;
        if (ret_first_failure)
                *ret_first_failure = first;
        return 0;
}

/* Waits, with bounded back-off, until the daemon answers: it has no readiness notification, and a
 * socket file may be an old one (after a restart, before the new daemon has bound it). */
static int fixture_ready(TsStackContext *c) {
        char sock[256];
        int r = socket_path(c, sock, sizeof sock);
        if (r < 0)
                return r;
        usec_t delay = USEC_PER_MSEC;
        for (int i = 0; i < 40; i++) {
                if (request(sock, "ps", NULL, NULL, NULL) >= 0)
                        return 0;
                ts_sleep_backoff(&delay, 200 * USEC_PER_MSEC);
        }
        return -ETIMEDOUT;
}

static int unit_file(const TsStackContext *c, char *buf, size_t size) {
        return path_printf(buf, size, "/etc/systemd/system/%s", c->unit);
}

static int fixture_install(TsStackContext *c) {
        char path[512], sock[256], text[1024];
        int r = unit_file(c, path, sizeof path);
        if (r >= 0)
                r = socket_path(c, sock, sizeof sock);
        if (r < 0)
                return r;
        snprintf(text, sizeof text,
                 "# Installed by taskstorm for scenario %s; removed when it ends.\n"
                 "[Unit]\nDescription=Docker-like daemon (taskstorm fixture)\n"
                 "[Service]\nExecStart=%s --socket %s\nTasksMax=%s\n",
                 c->scenario, c->daemon_path, sock, c->limit);
        r = ts_write_new_file(path, text); /* -EEXIST: never a file someone else made */
        if (r < 0)
                return r;
        (void)unlink(sock); /* an old daemon's */
        r = ts_manager_reload(c->bus, c->timeout);
        if (r >= 0)
                r = ts_unit_job(c->bus, "StartUnit", c->unit, "replace", c->timeout);
        if (r >= 0)
                r = fixture_ready(c);
        return r;
}

static int fixture_ask(TsStackContext *c, uint64_t n, uint64_t *ret_started, uint64_t *ret_failed,
                       nsec_t *ret_first_failure) {
        char sock[256], line[64];
        int r = socket_path(c, sock, sizeof sock);
        if (r < 0)
                return r;
        snprintf(line, sizeof line, "run %" PRIu64, n);
        r = request(sock, line, ret_started, ret_failed, ret_first_failure);
        if (r >= 0 && *ret_failed > 0)
                snprintf(c->first_error, sizeof c->first_error,
                         "runtime/cgo: pthread_create failed: "
                         "Resource temporarily unavailable (the fixture's own line, in its journal)");
        return r;
}

static int fixture_clear(TsStackContext *c) {
        char sock[256];
        int r = socket_path(c, sock, sizeof sock);
        return r < 0 ? r : request(sock, "rm", NULL, NULL, NULL);
}

static void fixture_remove(TsStackContext *c) {
        char path[512];
        (void)ts_unit_job(c->bus, "StopUnit", c->unit, "replace", c->timeout);
        (void)sd_bus_call_method(c->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                 "org.freedesktop.systemd1.Manager", "ResetFailedUnit", NULL, NULL, "s",
                                 c->unit);
        if (unit_file(c, path, sizeof path) >= 0)
                (void)unlink(path);
        if (socket_path(c, path, sizeof path) >= 0)
                (void)unlink(path);
}

const TsStack ts_stack_fixture = {
        .name = "fixture",
        .description = "the dockerd-like fixture daemon",
        .install = fixture_install,
        .ask = fixture_ask,
        .clear = fixture_clear,
        .ready = fixture_ready,
        .remove = fixture_remove,
};
