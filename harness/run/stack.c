/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of stacks, and what they share. */
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "fileio.h"
#include "macro.h"
#include "process.h"
#include "stack.h"

static const TsStack *const stacks[] = { &ts_stack_fixture, &ts_stack_docker, &ts_stack_ctr,
                                         &ts_stack_podman };

const TsStack *ts_stack_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(stacks); i++)
                if (streq(stacks[i]->name, name))
                        return stacks[i];
        return NULL;
}

const char *ts_stack_names(void) {
        return "fixture, docker, ctr, podman";
}

static bool on_path(const char *program) {
        if (program[0] == '/')
                return access(program, X_OK) == 0;
        const char *dirs[] = {
                "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"
        };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                char path[PATH_MAX];
                if (path_printf(path, sizeof path, "%s/%s", dirs[i], program) >= 0 &&
                    access(path, X_OK) == 0)
                        return true;
        }
        return false;
}

int ts_stack_installed(const TsStack *s, char *missing, size_t size) {
        for (const char *const *p = s->programs; p && *p; p++)
                if (!on_path(*p)) {
                        snprintf(missing, size, "%s", *p);
                        return 0;
                }
        return 1;
}

static int dropin_path(const char *unit, const char *name, char *dir, size_t dir_size, char *path,
                       size_t path_size) {
        int r = path_printf(dir, dir_size, "/run/systemd/system/%s.d", unit);
        if (r >= 0)
                r = path_printf(path, path_size, "%s/%s", dir, name);
        return r;
}

int ts_stack_dropin_write(const char *unit, const char *name, const char *text) {
        char dir[PATH_MAX], path[PATH_MAX];
        int r = dropin_path(unit, name, dir, sizeof dir, path, sizeof path);
        if (r < 0)
                return r;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        return ts_write_new_file(path, text);
}

void ts_stack_dropin_remove(const char *unit, const char *name) {
        char dir[PATH_MAX], path[PATH_MAX];
        if (dropin_path(unit, name, dir, sizeof dir, path, sizeof path) < 0)
                return;
        (void)unlink(path);
        (void)rmdir(dir); /* only when empty */
}

/* The line of a failed command's output that says what failed: the first that speaks of an error
 * (docker prints the new container's ID before the error of starting it), without the Go dump that
 * follows; else the first line. */
static void error_line(const char *output, char *buf, size_t size) {
        const char *line = output;
        for (const char *l = output; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] ? 1 : 0)) {
                size_t n = strcspn(l, "\n");
                if (memmem(l, n, "rror", 4) || memmem(l, n, "failed", 6)) {
                        line = l;
                        break;
                }
        }
        snprintf(buf, size, "%.*s", (int)strcspn(line, "\n"), line);
}

typedef struct Running {
        pid_t pid;
        int fd;
        char output[512];
        size_t got;
} Running;

#define PARALLEL 4

int ts_stack_run_many(TsStackContext *c, uint64_t n, const char *const *words, uint64_t *ret_started,
                      uint64_t *ret_failed, nsec_t *ret_first_failure) {
        Running running[PARALLEL];
        const unsigned parallel = PARALLEL;
        uint64_t next = 1, started = 0, failed = 0;
        nsec_t first = 0;
        size_t active = 0;
        int r = 0;
        while ((next <= n && r >= 0) || active > 0) {
                while (next <= n && active < parallel && r >= 0) {
                        char *argv[32], name[32];
                        snprintf(name, sizeof name, "ts-%" PRIu64, c->named + next++);
                        size_t w = 0;
                        for (; w < ELEMENTSOF(argv) - 1 && words[w]; w++)
                                argv[w] = streq(words[w], TS_STACK_NAME) ? name : (char *)words[w];
                        argv[w] = NULL;
                        Running *p = &running[active];
                        *p = (Running){};
                        r = ts_spawn_piped(argv, &p->pid, &p->fd);
                        if (r >= 0)
                                active++;
                }
                if (active == 0)
                        break;
                /* The first of them to end; the others keep running meanwhile. */
                struct pollfd fds[ELEMENTSOF(running)];
                for (size_t i = 0; i < active; i++)
                        fds[i] = (struct pollfd){ .fd = running[i].fd, .events = POLLIN };
                int ready = poll(fds, active, (int)(c->timeout / USEC_PER_MSEC));
                if (ready == 0 || (ready < 0 && errno != EINTR))
                        for (size_t i = 0; i < active; i++) /* hung: they end, and are counted, next round */
                                (void)kill(-running[i].pid, SIGKILL);
                for (size_t i = 0; i < active; i++) {
                        if (!fds[i].revents)
                                continue;
                        Running *p = &running[i];
                        char buf[4096];
                        ssize_t k = read(p->fd, buf, sizeof buf);
                        if (k > 0) {
                                size_t take = (size_t)k < sizeof p->output - 1 - p->got
                                                      ? (size_t)k
                                                      : sizeof p->output - 1 - p->got;
                                memcpy(p->output + p->got, buf, take);
                                p->got += take;
                                continue;
                        }
                        if (k < 0 && errno == EINTR)
                                continue;
                        p->output[p->got] = 0;
                        int status = ts_piped_finish(p->pid, p->fd, c->timeout, NULL, 0);
                        if (status == 0)
                                started++;
                        else {
                                failed++;
                                if (!first) {
                                        first = ts_now_ns();
                                        error_line(p->output, c->first_error, sizeof c->first_error);
                                }
                        }
                        running[i] = running[--active];
                        fds[i] = fds[active];
                        i--;
                }
        }
        c->named += next - 1; /* even after a failure: the names asked for are taken */
        if (r < 0)
                return r;
        *ret_started = started;
        *ret_failed = failed;
        *ret_first_failure = first;
        return 0;
}

int ts_stack_sh(const TsStackContext *c, const char *script, char *output, size_t size) {
        char *const argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)script, NULL };
        return ts_run_command(argv, c->timeout, output, size);
}

int ts_stack_wait_ok(const TsStackContext *c, char *const argv[]) {
        usec_t delay = 10 * USEC_PER_MSEC, deadline = ts_now(CLOCK_MONOTONIC) + c->timeout;
        for (;;) {
                int r = ts_run_command(argv, c->timeout, NULL, 0);
                if (r == 0)
                        return 0;
                if (ts_now(CLOCK_MONOTONIC) >= deadline)
                        return r < 0 ? r : -ETIMEDOUT;
                ts_sleep_backoff(&delay, 500 * USEC_PER_MSEC);
        }
}

void ts_stack_units_stop(const TsStackContext *c, const char *const *units) {
        size_t n = 0;
        while (units[n])
                n++;
        while (n-- > 0) {
                (void)ts_unit_job(c->bus, "StopUnit", units[n], "replace", c->timeout);
                (void)sd_bus_call_method(c->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                         "org.freedesktop.systemd1.Manager", "KillUnit", NULL, NULL, "ssi",
                                         units[n], "all", SIGKILL);
                (void)sd_bus_call_method(c->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                         "org.freedesktop.systemd1.Manager", "ResetFailedUnit", NULL, NULL,
                                         "s", units[n]);
        }
}

#define LIMIT_DROPIN "10-taskstorm-limit.conf"

/* A limit drop-in, written for whichever of the stack's units gets the limit. */
int ts_stack_limit_dropin(const TsStackContext *c) {
        char text[128];
        snprintf(text, sizeof text,
                 "# taskstorm scenario %s: the limit under test\n[Service]\nTasksMax=%s\n", c->scenario,
                 c->limit);
        return ts_stack_dropin_write(c->unit, LIMIT_DROPIN, text);
}

void ts_stack_limit_dropin_remove(const TsStackContext *c) {
        ts_stack_dropin_remove(c->unit, LIMIT_DROPIN);
}

int ts_stack_import_image(TsStackContext *c, const char *importer) {
        char dir[PATH_MAX], script[PATH_MAX * 2], output[512];
        const char *slash = strrchr(c->image_path, '/');
        if (!slash || !streq(slash + 1, "tstask"))
                return -EINVAL;
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - c->image_path), c->image_path);
        snprintf(script, sizeof script, "tar -C '%s' -c tstask | %s >/dev/null", dir, importer);
        int r = ts_stack_sh(c, script, output, sizeof output);
        if (r > 0) {
                const char *dash = strstr(importer, " - ");
                snprintf(c->first_error, sizeof c->first_error, "%.*s: %.*s",
                         (int)(dash ? (size_t)(dash - importer) : strlen(importer)), importer,
                         (int)strcspn(output, "\n"), output);
                return -EIO;
        }
        return r;
}
