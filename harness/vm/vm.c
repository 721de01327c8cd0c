/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host side of `taskstorm vm` (vm.h). The control directory holds what the guest's unit
 * (harness/vm/guest/taskstorm-vm.service) runs: run (the script below), shares, cwd, command; the
 * guest writes started, output and status there. The host waits on inotify for those files, on a
 * pidfd for qemu, and on the caller's cancel fd, each wait bounded by the deadlines. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "fileio.h"
#include "macro.h"
#include "process.h"
#include "vm.h"

#define DEFAULT_BOOT_TIMEOUT (300 * USEC_PER_SEC)
#define POWEROFF_TIMEOUT (60 * USEC_PER_SEC) /* from the status to qemu's end */
#define MOUNT_OPTIONS "trans=virtio,version=9p2000.L,cache=none,msize=262144"

/* Run by the guest's unit from the control share (mounted at /run/taskstorm-vm): the host's
 * directories at their paths, the command in its directory with its output into the share, its
 * status, and the machine off. */
static const char run_script[] =
        "# written by taskstorm vm (harness/vm/vm.c), run by taskstorm-vm.service in the guest\n"
        "ctl=/run/taskstorm-vm\n"
        "while read -r tag path; do\n"
        "        [ -n \"$tag\" ] || continue\n"
        "        mkdir -p \"$path\" && mount -t 9p -o " MOUNT_OPTIONS " \"$tag\" \"$path\" ||\n"
        "                echo \"taskstorm vm: $path did not mount in the guest\" >>\"$ctl/output\"\n"
        "done <\"$ctl/shares\"\n"
        "cd \"$(cat \"$ctl/cwd\")\" || cd /\n"
        ": >\"$ctl/started\"\n"
        "sh \"$ctl/command\" >>\"$ctl/output\" 2>&1 </dev/null\n"
        "echo $? >\"$ctl/status.new\"\n"
        "mv \"$ctl/status.new\" \"$ctl/status\"\n"
        "sync\n"
        "systemctl poweroff --force --force\n";

static bool nonempty_file(const char *dir, const char *name) {
        char path[PATH_MAX];
        struct stat st;
        return path_printf(path, sizeof path, "%s/%s", dir, name) >= 0 && stat(path, &st) >= 0 &&
               S_ISREG(st.st_mode) && st.st_size > 0;
}

int ts_vm_kernel_complete(const char *dir) {
        return nonempty_file(dir, "vmlinuz") && nonempty_file(dir, "initrd.img");
}

int ts_vm_image_complete(const char *image, const char *kernel) {
        return nonempty_file(image, "root.img") && ts_vm_kernel_complete(kernel ? kernel : image);
}

/* ---- The control directory --------------------------------------------------------------------- */

static int write_file(const char *dir, const char *name, const char *text) {
        char path[PATH_MAX];
        int r = path_printf(path, sizeof path, "%s/%s", dir, name);
        if (r < 0)
                return r;
        return ts_write_new_file(path, text);
}

/* The command as sh reads it: "exec" and each word in single quotes ("'" as '\''). */
static char *quote_command(char *const *argv) {
        size_t n = STRLEN("exec") + 2;
        for (size_t i = 0; argv[i]; i++) {
                n += 3;
                for (const char *c = argv[i]; *c; c++)
                        n += *c == '\'' ? 4 : 1;
        }
        char *s = malloc(n), *p = s;
        if (!s)
                return NULL;
        p = stpcpy(p, "exec");
        for (size_t i = 0; argv[i]; i++) {
                p = stpcpy(p, " '");
                for (const char *c = argv[i]; *c; c++) {
                        if (*c == '\'')
                                p = stpcpy(p, "'\\''");
                        else
                                *p++ = *c;
                }
                p = stpcpy(p, "'");
        }
        stpcpy(p, "\n");
        return s;
}

static int write_control(const char *dir, const TsVmOptions *o) {
        char shares[TS_VM_MAX_SHARES * (PATH_MAX + 16)] = "";
        size_t len = 0;
        for (size_t i = 0; i < o->n_shares; i++) {
                int k = snprintf(shares + len, sizeof shares - len, "share%zu %s\n", i, o->shares[i]);
                if (k < 0 || (size_t)k >= sizeof shares - len)
                        return -ENAMETOOLONG;
                len += (size_t)k;
        }
        _cleanup_(freep) char *command = quote_command(o->argv);
        if (!command)
                return -ENOMEM;
        ANALYZER_OWNED_BY_CLEANUP(command);
        char cwd[PATH_MAX + 2];
        snprintf(cwd, sizeof cwd, "%s\n", o->cwd ? o->cwd : "/");
        int r = write_file(dir, "run", run_script);
        if (r >= 0)
                r = write_file(dir, "shares", shares);
        if (r >= 0)
                r = write_file(dir, "cwd", cwd);
        if (r >= 0)
                r = write_file(dir, "command", command);
        return r;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        (void)remove(path);
        return 0;
}

static void remove_tree(const char *dir) {
        (void)nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* The last lines of the console, from a line's start, for a machine that did not come up. */
static void console_tail(const char *dir, char *buf, size_t size) {
        char path[PATH_MAX];
        buf[0] = 0;
        if (path_printf(path, sizeof path, "%s/console.log", dir) < 0)
                return;
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || size < 2)
                return;
        off_t from = st.st_size > (off_t)(size - 1) ? st.st_size - (off_t)(size - 1) : 0;
        ssize_t n = pread(fd, buf, size - 1, from);
        if (n <= 0)
                return;
        buf[n] = 0;
        for (ssize_t i = 0; i < n; i++) /* the console's control bytes are no text */
                if ((unsigned char)buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\t')
                        buf[i] = ' ';
        char *nl = from > 0 ? strchr(buf, '\n') : NULL;
        if (nl)
                memmove(buf, nl + 1, strlen(nl + 1) + 1);
}

/* ---- qemu ---------------------------------------------------------------------------------------- */

static bool kvm_usable(void) {
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return false;
        close(fd);
        return true;
}

/* qemu's command line, its strings in storage. */
typedef struct QemuArgs {
        char *argv[64];
        size_t n;
        char storage[16][PATH_MAX + 128];
        size_t used;
} QemuArgs;

static void add(QemuArgs *q, const char *arg) {
        if (q->n < ELEMENTSOF(q->argv) - 1)
                q->argv[q->n++] = (char *)arg;
        q->argv[q->n] = NULL;
}

static void add_printf(QemuArgs *q, const char *fmt, ...) _printf_(2, 3);
static void add_printf(QemuArgs *q, const char *fmt, ...) {
        if (q->used == ELEMENTSOF(q->storage))
                return;
        char *s = q->storage[q->used++];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s, sizeof q->storage[0], fmt, ap);
        va_end(ap);
        add(q, s);
}

static void qemu_args(QemuArgs *q, const TsVmOptions *o, const char *ctl, bool kvm) {
        add(q, "qemu-system-x86_64");
        add(q, "-nodefaults");
        add(q, "-no-user-config");
        add(q, "-no-reboot");
        add(q, "-display");
        add(q, "none");
        add(q, "-accel");
        /* TCG's one host thread for all vCPUs: with a thread each (thread=multi), the guest kernel's
         * live patching at boot (int3 over code another vCPU runs) was seen to oops in
         * sched_clock_cpu, one boot in six here */
        add(q, kvm ? "kvm" : "tcg,thread=single");
        add(q, "-cpu");
        add(q, kvm ? "host" : "max");
        add(q, "-m");
        add_printf(q, "%u", o->memory_mib ? o->memory_mib : 2048);
        add(q, "-smp");
        add_printf(q, "%u", o->cpus ? o->cpus : 2);
        add(q, "-kernel");
        add_printf(q, "%s/vmlinuz", o->kernel ? o->kernel : o->image);
        add(q, "-initrd");
        add_printf(q, "%s/initrd.img", o->kernel ? o->kernel : o->image);
        add(q, "-append");
        add_printf(
                q,
                "root=/dev/vda rw init=/lib/systemd/systemd console=ttyS0 panic=-1 quiet systemd.show_status=0 %s",
                o->cgroup_v1 ? "systemd.unified_cgroup_hierarchy=0 SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1"
                             : "systemd.unified_cgroup_hierarchy=1");
        add(q, "-drive");
        add_printf(q, "file=%s/root.img,if=virtio,format=raw,snapshot=on", o->image);
        add(q, "-device");
        add(q, "virtio-rng-pci");
        add(q, "-serial");
        add_printf(q, "file:%s/console.log", ctl);
        add(q, "-virtfs");
        add_printf(q, "local,path=%s,mount_tag=tsctl,security_model=none,id=tsctl", ctl);
        for (size_t i = 0; i < o->n_shares; i++) {
                add(q, "-virtfs");
                add_printf(q, "local,path=%s,mount_tag=share%zu,security_model=passthrough,id=share%zu",
                           o->shares[i], i, i);
        }
}

/* qemu in a process group of its own, killed when this process dies, its own output to a log. */
static int spawn_qemu(char *const argv[], const char *ctl, pid_t *ret_pid) {
        char log[PATH_MAX];
        int r = path_printf(log, sizeof log, "%s/qemu.log", ctl);
        if (r < 0)
                return r;
        int report;
        pid_t pid = ts_fork_reporting(&report);
        if (pid < 0)
                return (int)pid;
        if (pid == 0) {
                ts_reset_signals();
                (void)setpgid(0, 0);
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                        ts_child_report(report, -errno, 127);
                int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
                int out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (in < 0 || out < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
                    dup2(out, STDERR_FILENO) < 0)
                        ts_child_report(report, -errno, 127);
                execvp(argv[0], argv);
                ts_child_report(report, -errno, 127);
        }
        r = ts_child_collect(report);
        if (r < 0) {
                (void)waitpid(pid, NULL, 0);
                return r;
        }
        *ret_pid = pid;
        return 0;
}

/* ---- The run ----------------------------------------------------------------------------------- */

typedef struct Run {
        const TsVmOptions *o;
        TsVmResult *res;
        char ctl[64];
        int output_fd; /* the guest's output file, once it exists */
        off_t output_at;
        bool started;
        usec_t start, started_at;
} Run;

static bool exists_in(const char *dir, const char *name) {
        char path[PATH_MAX];
        return path_printf(path, sizeof path, "%s/%s", dir, name) >= 0 && access(path, F_OK) == 0;
}

/* Whether qemu said KVM failed the guest. A /dev/kvm that opens is not always one that works: a
 * nested hypervisor's (kvm-pvm, seen here) could not emulate an instruction of the kernel's
 * decompressor, and qemu then keeps the stopped guest, silent, until the boot timeout. */
static bool kvm_failed(const char *ctl) {
        char path[PATH_MAX];
        _cleanup_(freep) char *log = NULL;
        if (path_printf(path, sizeof path, "%s/qemu.log", ctl) < 0 ||
            ts_read_full_file(path, 64 * 1024, &log, NULL) < 0)
                return false;
        return strstr(log, "KVM internal error") || strstr(log, "kvm run failed");
}

/* Copies what the command wrote since the last time to the caller's fd. */
static void pump_output(Run *run) {
        if (run->output_fd < 0) {
                char path[PATH_MAX];
                if (path_printf(path, sizeof path, "%s/output", run->ctl) < 0)
                        return;
                run->output_fd = open(path, O_RDONLY | O_CLOEXEC);
                if (run->output_fd < 0)
                        return;
        }
        char buf[16384];
        ssize_t n;
        while ((n = pread(run->output_fd, buf, sizeof buf, run->output_at)) > 0) {
                run->output_at += n;
                for (ssize_t done = 0; run->o->output_fd >= 0 && done < n;) {
                        ssize_t k = write(run->o->output_fd, buf + done, (size_t)(n - done));
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0)
                                break;
                        done += k;
                }
        }
}

static int read_status(const char *ctl, int *ret) {
        char path[PATH_MAX];
        _cleanup_(freep) char *line = NULL;
        int r = path_printf(path, sizeof path, "%s/status", ctl);
        if (r < 0 || (r = ts_read_one_line_file(path, &line)) < 0)
                return r;
        uint64_t v;
        if (ts_safe_atou64(line, &v) < 0 || v > 255)
                return -EBADMSG;
        *ret = (int)v;
        return 0;
}

/* Waits for the guest's files, qemu's end, the cancel fd or a deadline; returns how it ended. */
static int watch(Run *run, pid_t qemu) {
        const TsVmOptions *o = run->o;
        _cleanup_(closep) int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        _cleanup_(closep) int pidfd = (int)syscall(SYS_pidfd_open, qemu, 0);
        if (in < 0 || pidfd < 0 || inotify_add_watch(in, run->ctl, IN_CREATE | IN_MODIFY | IN_MOVED_TO) < 0)
                return negative_errno();
        usec_t boot_timeout = o->boot_timeout ? o->boot_timeout : DEFAULT_BOOT_TIMEOUT;
        usec_t status_at = 0;
        for (;;) {
                usec_t now = ts_now(CLOCK_MONOTONIC);
                if (!run->started && exists_in(run->ctl, "started")) {
                        run->started = true;
                        run->started_at = now;
                        run->res->boot_usec = now - run->start;
                }
                pump_output(run);
                if (run->res->kvm && !status_at && kvm_failed(run->ctl)) {
                        run->res->kvm_failed = true;
                        return -ECHILD; /* the guest is stopped for good */
                }
                if (!status_at && exists_in(run->ctl, "status")) {
                        status_at = now;
                        run->res->run_usec = now - run->started_at;
                        if (read_status(run->ctl, &run->res->status) < 0)
                                run->res->status = -1;
                }

                usec_t deadline;
                int timeout_error;
                if (status_at) {
                        deadline = status_at + POWEROFF_TIMEOUT;
                        timeout_error = 0; /* the command is done: a machine slow to power off is killed */
                } else if (!run->started) {
                        deadline = run->start + boot_timeout;
                        timeout_error = -ETIMEDOUT;
                } else if (o->timeout) {
                        deadline = run->started_at + o->timeout;
                        timeout_error = -ETIME;
                } else {
                        deadline = USEC_INFINITY;
                        timeout_error = 0;
                }
                if (now >= deadline)
                        return timeout_error ? timeout_error : 1;

                struct pollfd fds[] = {
                        { .fd = in, .events = POLLIN },
                        { .fd = pidfd, .events = POLLIN },
                        { .fd = o->cancel_fd, .events = POLLIN },
                };
                /* 9p writes may come without an event (the guest's page cache): a look every second */
                usec_t wait = deadline - now < USEC_PER_SEC ? deadline - now : USEC_PER_SEC;
                int k = poll(fds, o->cancel_fd >= 0 ? 3 : 2, (int)(wait / USEC_PER_MSEC) + 1);
                if (k < 0 && errno != EINTR)
                        return negative_errno();
                if (k > 0 && (fds[0].revents & POLLIN)) {
                        char events[4096];
                        while (read(in, events, sizeof events) > 0)
                                ;
                }
                if (k > 0 && o->cancel_fd >= 0 && (fds[2].revents & POLLIN))
                        return -ECANCELED;
                if (k > 0 && (fds[1].revents & POLLIN)) {
                        /* qemu ended: what the guest managed to write is read once more */
                        pump_output(run);
                        if (!status_at && exists_in(run->ctl, "status") &&
                            read_status(run->ctl, &run->res->status) >= 0)
                                status_at = ts_now(CLOCK_MONOTONIC);
                        return status_at ? 1 : -ECHILD;
                }
        }
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

/* Control directories whose taskstorm is gone (killed with SIGKILL, the one signal that leaves no
 * time to clean up; its qemu died with it): removed by the next run. */
static void remove_stale(void) {
        _cleanup_(closedirp) DIR *d = opendir("/tmp");
        struct dirent *de;
        while (d && (de = readdir(d))) {
                char path[PATH_MAX];
                _cleanup_(freep) char *owner = NULL;
                uint64_t pid;
                if (strncmp(de->d_name, "taskstorm-vm.", STRLEN("taskstorm-vm.")) != 0 ||
                    path_printf(path, sizeof path, "/tmp/%s/owner", de->d_name) < 0 ||
                    ts_read_one_line_file(path, &owner) < 0 || ts_safe_atou64(owner, &pid) < 0 || pid == 0 ||
                    pid > INT32_MAX || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
                        continue;
                if (path_printf(path, sizeof path, "/tmp/%s", de->d_name) >= 0)
                        remove_tree(path);
        }
}

/* One boot of the machine, with KVM or emulated: qemu started, watched, then killed and reaped
 * whatever the watch said. -ENOEXEC when qemu is not installed; else as watch(). */
static int boot(Run *run, bool kvm) {
        QemuArgs q = {};
        pid_t qemu = 0;
        run->res->kvm = kvm;
        qemu_args(&q, run->o, run->ctl, kvm);
        run->start = ts_now(CLOCK_MONOTONIC);
        int r = spawn_qemu(q.argv, run->ctl, &qemu);
        if (r < 0)
                return r == -ENOENT ? -ENOEXEC : r; /* qemu itself is missing, not the image */
        r = watch(run, qemu);
        (void)kill(-qemu, SIGKILL); /* its whole group */
        (void)kill(qemu, SIGKILL);
        (void)waitpid(qemu, NULL, 0);
        return r;
}

int ts_vm_run(const TsVmOptions *o, TsVmResult *ret) {
        *ret = (TsVmResult){ .status = -1 };
        if (!o || !o->image || !o->argv || !o->argv[0] || o->n_shares > TS_VM_MAX_SHARES)
                return -EINVAL;
        if (!ts_vm_image_complete(o->image, o->kernel))
                return -ENOENT;
        remove_stale();

        Run run = { .o = o, .res = ret, .output_fd = -1 };
        snprintf(run.ctl, sizeof run.ctl, "/tmp/taskstorm-vm.XXXXXX");
        if (!mkdtemp(run.ctl))
                return negative_errno();
        char owner[32];
        snprintf(owner, sizeof owner, "%d\n", (int)getpid());
        int r = write_file(run.ctl, "owner", owner);
        if (r >= 0)
                r = write_control(run.ctl, o);
        if (r >= 0) {
                r = boot(&run, kvm_usable());
                /* KVM stopped the guest before the command started: booted again emulated (after,
                 * the command may have done part of its work) */
                if (r == -ECHILD && ret->kvm_failed && !run.started)
                        r = boot(&run, false);
                pump_output(&run);
                if (r == -ETIMEDOUT || r == -ECHILD)
                        console_tail(run.ctl, ret->console_tail, sizeof ret->console_tail);
                if (r > 0)
                        r = 0;
        }
        if (run.output_fd >= 0)
                close(run.output_fd);
        if (o->keep)
                snprintf(ret->control_dir, sizeof ret->control_dir, "%s", run.ctl);
        else
                remove_tree(run.ctl);
        return r;
}
