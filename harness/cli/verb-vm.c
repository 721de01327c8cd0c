/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* taskstorm vm [--release R] [--kernel R] [--cgroup v2|v1] [--keep] -- CMD [ARG...]: a sibling of `sandbox`
 * for what a sandbox cannot give (cgroup v2 on a v1 host, systemd 258+): boot a disposable VM of a Debian
 * release (the image of ci/vmimage, never written to), run CMD inside in the current directory (shared at
 * the same path), pass its output and exit status back, leave nothing running. */
#include <getopt.h>
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

static void help(void) {
        printf("Usage: taskstorm vm [OPTIONS...] [--] CMD [ARG...]\n\n"
               "Boot a disposable virtual machine of a Debian release (its kernel, its systemd, cgroup v2\n"
               "by default) from an image that ci/vmimage builds once and caches; run CMD inside, in the\n"
               "current directory, which is shared at the same path; pass its output and exit status back;\n"
               "leave nothing running. KVM where /dev/kvm is usable, else emulation (TCG: 3 to 10 times\n"
               "slower). The image is booted in snapshot mode and never written to.\n\n"
               "  -h --help              show this help\n"
               "     --release R         bookworm, trixie or sid (default " DEFAULT_RELEASE
               "): the image in\n"
               "                         $TASKSTORM_VM_CACHE/R (default " DEFAULT_CACHE ")\n"
               "     --image DIR         an image directory instead (vmlinuz, initrd.img, root.img)\n"
               "     --kernel R          boot the root with release R's kernel and initrd instead of its own\n"
               "                         (from R's image; the root's own kernel modules are then missing)\n"
               "     --cgroup MODE       v2 (default) or v1 (the legacy hierarchy: systemd before 258 only)\n"
               "     --bind DIR          also share this host directory at its path (repeatable)\n"
               "     --no-bind-cwd       do not share the current directory (CMD starts in /)\n"
               "     --boot-timeout SEC  give up if CMD has not started SEC seconds after qemu (default 300)\n"
               "     --timeout SEC       stop the machine if CMD runs longer (default: no limit)\n"
               "     --memory MIB        the guest's memory (default 2048)\n"
               "     --cpus N            the guest's CPUs (default 2)\n"
               "     --keep              keep the control directory: the console log and CMD's output\n\n"
               "Exit status: CMD's; 5 when the image or qemu is missing, 6 when the machine did not\n"
               "come up or ended without a status (its console's last lines are printed).\n");
}

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

int verb_vm(int argc, char *argv[]) {
        enum {
                ARG_RELEASE = 0x100,
                ARG_KERNEL,
                ARG_IMAGE,
                ARG_CGROUP,
                ARG_BIND,
                ARG_NO_BIND_CWD,
                ARG_BOOT_TIMEOUT,
                ARG_TIMEOUT,
                ARG_MEMORY,
                ARG_CPUS,
                ARG_KEEP
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "release", required_argument, NULL, ARG_RELEASE },
                { "kernel", required_argument, NULL, ARG_KERNEL },
                { "image", required_argument, NULL, ARG_IMAGE },
                { "cgroup", required_argument, NULL, ARG_CGROUP },
                { "bind", required_argument, NULL, ARG_BIND },
                { "no-bind-cwd", no_argument, NULL, ARG_NO_BIND_CWD },
                { "boot-timeout", required_argument, NULL, ARG_BOOT_TIMEOUT },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "memory", required_argument, NULL, ARG_MEMORY },
                { "cpus", required_argument, NULL, ARG_CPUS },
                { "keep", no_argument, NULL, ARG_KEEP },
                {},
        };
        TsVmOptions o = { .output_fd = STDOUT_FILENO, .cancel_fd = -1 };
        const char *release = DEFAULT_RELEASE, *image = NULL, *kernel = NULL;
        bool bind_cwd = true;
        uint64_t u;
        int c, r;

        opterr = 0;
        static const int repeatable[] = { ARG_BIND, 0 };
        uint32_t seen = 0;
        while ((c = cli_getopt(argc, argv, "+h", options, repeatable, &seen)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_RELEASE:
                        r = check_release("--release", optarg);
                        if (r < 0)
                                return r;
                        release = optarg;
                        break;
                case ARG_KERNEL:
                        r = check_release("--kernel", optarg);
                        if (r < 0)
                                return r;
                        kernel = optarg;
                        break;
                case ARG_IMAGE:
                        r = check_directory("--image", optarg);
                        if (r < 0)
                                return r;
                        image = optarg;
                        break;
                case ARG_CGROUP:
                        if (!streq(optarg, "v2") && !streq(optarg, "v1"))
                                return log_error_errno(-EINVAL, "--cgroup %s: v2 or v1.", optarg);
                        o.cgroup_v1 = streq(optarg, "v1");
                        break;
                case ARG_BIND:
                        r = check_directory("--bind", optarg);
                        if (r < 0)
                                return r;
                        if (o.n_shares == TS_VM_MAX_SHARES - 1)
                                return log_error_errno(-EINVAL, "--bind %s: at most %d directories.", optarg,
                                                       TS_VM_MAX_SHARES - 1);
                        o.shares[o.n_shares++] = optarg;
                        break;
                case ARG_NO_BIND_CWD:
                        bind_cwd = false;
                        break;
                case ARG_BOOT_TIMEOUT:
                        r = parse_seconds("--boot-timeout", optarg, 3600, &o.boot_timeout);
                        if (r < 0)
                                return r;
                        break;
                case ARG_TIMEOUT:
                        r = parse_seconds("--timeout", optarg, 86400, &o.timeout);
                        if (r < 0)
                                return r;
                        break;
                case ARG_MEMORY:
                        if (ts_safe_atou64(optarg, &u) < 0 || u < 256 || u > 65536)
                                return log_error_errno(-EINVAL,
                                                       "--memory %s: not a size in MiB from 256 to 65536.",
                                                       optarg);
                        o.memory_mib = (unsigned)u;
                        break;
                case ARG_CPUS:
                        if (ts_safe_atou64(optarg, &u) < 0 || u == 0 || u > 64)
                                return log_error_errno(-EINVAL, "--cpus %s: not a number from 1 to 64.",
                                                       optarg);
                        o.cpus = (unsigned)u;
                        break;
                case ARG_KEEP:
                        o.keep = true;
                        break;
                case '?':
                        return log_option_error("vm", argv, options);
                default:
                        return -EINVAL;
                }
        if (c < -1)
                return c; /* logged: an option given twice */
        if (image && cli_option_seen(options, ARG_RELEASE, seen))
                return log_error_errno(-EINVAL,
                                       "--image and --release both name the image: give one of them.");
        if (optind >= argc)
                return log_error_errno(-EINVAL, "No command given: taskstorm vm [OPTIONS] -- CMD [ARG...]");

        char cache_image[PATH_MAX], kernel_image[PATH_MAX], cwd[PATH_MAX];
        if (!image) {
                r = release_image(release, cache_image, sizeof cache_image);
                if (r < 0)
                        return r;
                image = cache_image;
        }
        o.image = image;
        r = check_cgroup_mode(image, o.cgroup_v1);
        if (r < 0)
                return r;
        if (kernel) {
                r = release_image(kernel, kernel_image, sizeof kernel_image);
                if (r < 0)
                        return r;
                r = check_kernel_image(kernel, kernel_image);
                if (r != 0)
                        return r;
                o.kernel = kernel_image;
        }
        if (bind_cwd) {
                if (!getcwd(cwd, sizeof cwd))
                        return log_error_errno(negative_errno(), "Failed to get the current directory: %m");
                o.shares[o.n_shares++] = cwd;
                o.cwd = cwd;
        }
        o.argv = argv + optind;

        _cleanup_(closep) int sigfd = cli_stop_signals_fd();
        if (sigfd < 0)
                return log_error_errno(sigfd, "Failed to set up signal handling: %m");
        o.cancel_fd = sigfd;
        fflush(stdout);
        TsVmResult res;
        r = ts_vm_run(&o, &res);
        if (res.control_dir[0])
                log_info("Kept the machine's console log and output in %s.", res.control_dir);
        if (r < 0) {
                int sig = cli_stop_signal_pending(sigfd);
                if (r == -ECANCELED && sig > 0) {
                        log_info("Got %s: the machine was stopped.", strsignal(sig));
                        return 128 + sig;
                }
                return vm_error(r, &o, &res);
        }
        if (getenv("TASKSTORM_VM_TIMES"))
                log_info("The machine (%s) started the command after %.1f s; it ran %.1f s.",
                         res.kvm ? "KVM" : "TCG", (double)res.boot_usec / USEC_PER_SEC,
                         (double)res.run_usec / USEC_PER_SEC);
        return res.status;
}
