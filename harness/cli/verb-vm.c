/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm vm [--release R] [--kernel R] [--cgroup v2|v1] [--keep] -- CMD [ARG...]: a sibling of `sandbox`
 * for what a sandbox cannot give (cgroup v2 on a v1 host, systemd 258+): boot a disposable VM of a Debian
 * release (the image of ci/vmimage, never written to), run CMD inside in the current directory (shared at
 * the same path), pass its output and exit status back, leave nothing running. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "exit-status.h"
#include "fileio.h"
#include "log.h"
#include "signals.h"
#include "verbs.h"
#include "version.h"
#include "vm.h"

#define DEFAULT_CACHE "/var/cache/taskstorm/vm"
#define DEFAULT_RELEASE "sid"

/* The releases ci/vmimage makes images of. */
static const char *const releases[] = { "bookworm", "trixie", "sid" };

typedef struct VmArgs {
        VerbArgs common;
        TsVmOptions o;
        const char *release, *image, *kernel;
        bool release_given, bind_cwd;
        char image_path[PATH_MAX]; /* the image: --image, or the release's in the cache */
} VmArgs;

enum {
        ARG_RELEASE = VERB_OPTION_OWN,
        ARG_IMAGE,
        ARG_KERNEL,
        ARG_CGROUP,
        ARG_BIND,
        ARG_NO_BIND_CWD,
        ARG_BOOT_TIMEOUT,
        ARG_TIMEOUT,
        ARG_MEMORY,
        ARG_CPUS,
        ARG_KEEP,
};

static const VerbOption options[] = {
        { .id = ARG_RELEASE,
          .name = "release",
          .metavar = "R",
          .help = "bookworm, trixie or sid (default " DEFAULT_RELEASE "): the image in\n"
                  "$TASKSTORM_VM_CACHE/R (default " DEFAULT_CACHE ")" },
        { .id = ARG_IMAGE,
          .name = "image",
          .metavar = "DIR",
          .help = "an image directory instead (vmlinuz, initrd.img, root.img)" },
        { .id = ARG_KERNEL,
          .name = "kernel",
          .metavar = "R",
          .help = "boot the root with release R's kernel and initrd instead of its own\n"
                  "(from R's image; the root's own kernel modules are then missing)" },
        { .id = ARG_CGROUP,
          .name = "cgroup",
          .metavar = "MODE",
          .help = "v2 (default) or v1 (the legacy hierarchy: systemd before 258 only)" },
        { .id = ARG_BIND,
          .name = "bind",
          .metavar = "DIR",
          .help = "also share this host directory at its path (repeatable)",
          .flags = VERB_OPTION_REPEATABLE },
        { .id = ARG_NO_BIND_CWD,
          .name = "no-bind-cwd",
          .help = "do not share the current directory (CMD starts in /)" },
        { .id = ARG_BOOT_TIMEOUT,
          .name = "boot-timeout",
          .metavar = "SEC",
          .help = "give up if CMD has not started SEC seconds after qemu (default 300)" },
        { .id = ARG_TIMEOUT,
          .name = "timeout",
          .metavar = "SEC",
          .help = "stop the machine if CMD runs longer (default: no limit)" },
        { .id = ARG_MEMORY,
          .name = "memory",
          .metavar = "MIB",
          .help = "the guest's memory (default 2048)" },
        { .id = ARG_CPUS, .name = "cpus", .metavar = "N", .help = "the guest's CPUs (default 2)" },
        { .id = ARG_KEEP,
          .name = "keep",
          .help = "keep the control directory: the console log and CMD's output" },
        {},
};

static int parse_seconds(const char *option, const char *arg, uint64_t max, usec_t *ret) {
        uint64_t u;
        if (ts_safe_atou64(arg, &u) < 0 || u == 0 || u > max)
                return log_error_errno(-EINVAL, "%s %s: not a number of seconds from 1 to %" PRIu64 ".",
                                       option, arg, max);
        *ret = u * USEC_PER_SEC;
        return 0;
}

static int check_directory(const char *option, const char *path) {
        struct stat st;
        if (path[0] != '/')
                return log_error_errno(-EINVAL, "%s %s: not an absolute path.", option, path);
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return log_error_errno(-EINVAL, "%s %s: not a directory.", option, path);
        return 0;
}

/* A release's name as ci/vmimage knows it, or a one-line error for option. */
static int check_release(const char *option, const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(releases); i++)
                if (streq(name, releases[i]))
                        return 0;
        return log_error_errno(-EINVAL, "%s %s: not a release with a VM image (bookworm, trixie, sid).",
                               option, name);
}

/* The image directory of a release: $TASKSTORM_VM_CACHE/R. */
static int release_image(const char *release, char *buf, size_t size) {
        const char *cache = getenv("TASKSTORM_VM_CACHE");
        int r = path_printf(buf, size, "%s/%s", cache && *cache ? cache : DEFAULT_CACHE, release);
        if (r < 0)
                return log_error_errno(r, "The image's path is too long.");
        return 0;
}

/* Another release's kernel boots a root without its modules: its own initrd must load the 9p
 * modules of the control share (ci/vmimage writes initrd-modules when it does). */
static int check_kernel_image(const char *release, const char *dir) {
        char path[PATH_MAX];
        if (!ts_vm_kernel_complete(dir)) {
                log_error(
                        "--kernel %s: no VM image in %s (vmlinuz, initrd.img): build it with ci/vmimage %s.",
                        release, dir, release);
                return TS_EXIT_UNAVAILABLE;
        }
        if (path_printf(path, sizeof path, "%s/initrd-modules", dir) < 0 || access(path, F_OK) < 0) {
                log_error(
                        "--kernel %s: the initrd in %s does not load 9p itself: build it again with ci/vmimage %s.",
                        release, dir, release);
                return TS_EXIT_UNAVAILABLE;
        }
        return 0;
}

/* The legacy hierarchy is gone from systemd 258 on: a v1 machine of such an image never boots. */
static int check_cgroup_mode(const char *image, bool v1) {
        char path[PATH_MAX];
        _cleanup_(freep) char *version = NULL;
        if (!v1 || path_printf(path, sizeof path, "%s/systemd-version", image) < 0 ||
            ts_read_one_line_file(path, &version) < 0)
                return 0;
        if (ts_version_at_least(version, "258"))
                return log_error_errno(-EINVAL,
                                       "--cgroup v1: the image's systemd %s runs on cgroup v2 only "
                                       "(258 dropped the legacy hierarchy).",
                                       version);
        return 0;
}

static int vm_error(int r, const TsVmOptions *o, const TsVmResult *res) {
        switch (-r) {
        case ENOENT:
                log_error("No VM image in %s (vmlinuz, initrd.img, root.img): build it with ci/vmimage.",
                          o->image);
                return TS_EXIT_UNAVAILABLE;
        case ENOEXEC:
                log_error("qemu-system-x86_64 is not installed (Debian's qemu-system-x86).");
                return TS_EXIT_UNAVAILABLE;
        case ECANCELED:
                return 128 + 15;
        case ETIME:
                log_error("The command ran out of time: the machine was stopped.");
                return TS_EXIT_FAILURE;
        case ETIMEDOUT:
        case ECHILD:
                log_error("%s Its console's last lines:\n%s",
                          r == -ETIMEDOUT ? "The machine did not start the command in time."
                                          : "The machine ended without the command's exit status.",
                          res->console_tail[0] ? res->console_tail : "(nothing)");
                return TS_EXIT_BROKEN;
        default:
                log_error_errno(r, "The VM failed: %m");
                return TS_EXIT_BROKEN;
        }
}

static void vm_init(void *userdata) {
        VmArgs *a = userdata;
        a->o = (TsVmOptions){ .output_fd = STDOUT_FILENO, .cancel_fd = -1 };
        a->release = DEFAULT_RELEASE;
        a->bind_cwd = true;
}

/* --release, --kernel, --image and --bind: which machine, and what it shares. */
static int vm_option_image(VmArgs *a, int id, const char *value) {
        int r;
        switch (id) {
        case ARG_RELEASE:
                a->release_given = true;
                a->release = value;
                return check_release("--release", value);
        case ARG_KERNEL:
                a->kernel = value;
                return check_release("--kernel", value);
        case ARG_IMAGE:
                a->image = value;
                return check_directory("--image", value);
        case ARG_BIND:
                r = check_directory("--bind", value);
                if (r < 0)
                        return r;
                if (a->o.n_shares == TS_VM_MAX_SHARES - 1)
                        return log_error_errno(-EINVAL, "--bind %s: at most %d directories.", value,
                                               TS_VM_MAX_SHARES - 1);
                a->o.shares[a->o.n_shares++] = value;
                return 0;
        default:
                return -EINVAL;
        }
}

static int vm_option(void *userdata, int id, const char *value) {
        VmArgs *a = userdata;
        uint64_t u;
        switch (id) {
        case ARG_CGROUP:
                if (!streq(value, "v2") && !streq(value, "v1"))
                        return log_error_errno(-EINVAL, "--cgroup %s: v2 or v1.", value);
                a->o.cgroup_v1 = streq(value, "v1");
                return 0;
        case ARG_NO_BIND_CWD:
                a->bind_cwd = false;
                return 0;
        case ARG_BOOT_TIMEOUT:
                return parse_seconds("--boot-timeout", value, 3600, &a->o.boot_timeout);
        case ARG_TIMEOUT:
                return parse_seconds("--timeout", value, 86400, &a->o.timeout);
        case ARG_MEMORY:
                if (ts_safe_atou64(value, &u) < 0 || u < 256 || u > 65536)
                        return log_error_errno(-EINVAL, "--memory %s: not a size in MiB from 256 to 65536.",
                                               value);
                a->o.memory_mib = (unsigned)u;
                return 0;
        case ARG_CPUS:
                if (ts_safe_atou64(value, &u) < 0 || u == 0 || u > 64)
                        return log_error_errno(-EINVAL, "--cpus %s: not a number from 1 to 64.", value);
                a->o.cpus = (unsigned)u;
                return 0;
        case ARG_KEEP:
                a->o.keep = true;
                return 0;
        default:
                return vm_option_image(a, id, value);
        }
}

static int vm_arguments(void *userdata, int argc, char *argv[]) {
        VmArgs *a = userdata;
        if (a->image && a->release_given)
                return log_error_errno(-EINVAL,
                                       "--image and --release both name the image: give one of them.");
        if (argc == 0)
                return log_error_errno(-EINVAL, "No command given: taskstorm vm [OPTIONS] -- CMD [ARG...]");
        a->o.argv = argv;
        if (a->image)
                snprintf(a->image_path, sizeof a->image_path, "%s", a->image);
        else {
                int r = release_image(a->release, a->image_path, sizeof a->image_path);
                if (r < 0)
                        return r;
        }
        a->o.image = a->image_path;
        return check_cgroup_mode(a->image_path, a->o.cgroup_v1);
}

static int vm_run(void *userdata) {
        VmArgs *a = userdata;
        TsVmOptions *o = &a->o;
        char kernel_image[PATH_MAX], cwd[PATH_MAX];
        int r;

        if (a->kernel) {
                r = release_image(a->kernel, kernel_image, sizeof kernel_image);
                if (r < 0)
                        return r;
                r = check_kernel_image(a->kernel, kernel_image);
                if (r != 0)
                        return r;
                o->kernel = kernel_image;
        }
        if (a->bind_cwd) {
                if (!getcwd(cwd, sizeof cwd))
                        return log_error_errno(negative_errno(), "Failed to get the current directory: %m");
                o->shares[o->n_shares++] = cwd;
                o->cwd = cwd;
        }

        _cleanup_(closep) int sigfd = cli_stop_signals_fd();
        if (sigfd < 0)
                return log_error_errno(sigfd, "Failed to set up signal handling: %m");
        o->cancel_fd = sigfd;
        fflush(stdout);
        TsVmResult res;
        r = ts_vm_run(o, &res);
        if (res.kvm_failed)
                log_warning(
                        res.kvm ? "KVM stopped the machine after the command started (qemu: 'KVM internal error')."
                                : "KVM stopped the machine while it booted (qemu: 'KVM internal error'): it was "
                                  "booted again emulated (TCG, 3 to 10 times slower).");
        if (res.control_dir[0])
                log_info("Kept the machine's console log and output in %s.", res.control_dir);
        if (r < 0) {
                int sig = cli_stop_signal_pending(sigfd);
                if (r == -ECANCELED && sig > 0) {
                        log_info("Got %s: the machine was stopped.", strsignal(sig));
                        return 128 + sig;
                }
                return vm_error(r, o, &res);
        }
        if (getenv("TASKSTORM_VM_TIMES"))
                log_info("The machine (%s) started the command after %.1f s; it ran %.1f s.",
                         res.kvm ? "KVM" : "TCG", (double)res.boot_usec / USEC_PER_SEC,
                         (double)res.run_usec / USEC_PER_SEC);
        return res.status;
}

const Verb verb_vm = {
        .name = "vm",
        .summary =
                "boot a disposable VM of a Debian release (cgroup v2, its own kernel and systemd) and run a command in it",
        .flags = VERB_NEEDS_ROOT | VERB_RUNS_COMMAND,
        .root_why = "to share directories with the guest as they are (9p passthrough keeps owners)",
        .usage = "[OPTIONS...] [--] CMD [ARG...]",
        .description =
                "Boot a disposable virtual machine of a Debian release (its kernel, its systemd, cgroup v2\n"
                "by default) from an image that ci/vmimage builds once and caches; run CMD inside, in the\n"
                "current directory, which is shared at the same path; pass its output and exit status back;\n"
                "leave nothing running. KVM where /dev/kvm is usable, else emulation (TCG: 3 to 10 times\n"
                "slower). The image is booted in snapshot mode and never written to.\n",
        .options = options,
        .epilogue = "Exit status: CMD's; 5 when the image or qemu is missing, 6 when the machine did not\n"
                    "come up or ended without a status (its console's last lines are printed).\n",
        .args_size = sizeof(VmArgs),
        .init = vm_init,
        .option = vm_option,
        .arguments = vm_arguments,
        .run = vm_run,
};
