/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The recognisers of offline-lines.h: what one line of a pasted text says. Each knows the forms
 * the tools print (systemctl, sysctl, ulimit, /proc/PID/limits, dmesg, runc's config, OpenBLAS)
 * and takes nothing else: a line it does not know is no fact. */
#include <inttypes.h>
#include <stdio.h>

#include "fileio.h"
#include "macro.h"
#include "offline-lines.h"

#define MAX_VERSION 64 /* longer is not a version */

static bool parse_u64(Span t, uint64_t *ret) {
        char buf[24];
        if (t.len == 0 || t.len >= sizeof buf)
                return false;
        memcpy(buf, t.s, t.len);
        buf[t.len] = 0;
        return ts_safe_atou64(buf, ret) >= 0;
}

/* The first number in l at or after at: its value; false when there is none. */
static bool first_number(Span l, uint64_t *ret) {
        for (size_t i = 0; i < l.len; i++)
                if (ascii_digit(l.s[i]) && (i == 0 || !ascii_alpha(l.s[i - 1])))
                        return parse_u64(span_digits(span_skip(l, i)), ret);
        return false;
}

/* "N", "infinity", "max", "18446744073709551615" (systemd's infinity on the bus). */
static bool parse_limit(Span t, TsValue *ret) {
        t = span_trim(t);
        uint64_t v;
        if (span_eq(t, "infinity") || span_eq(t, "max") || span_eq(t, "unlimited")) {
                *ret = (TsValue){ true, UINT64_MAX };
                return true;
        }
        if (!parse_u64(t, &v))
                return false;
        *ret = (TsValue){ true, v };
        return true;
}

/* ---- Versions ---------------------------------------------------------------------------------- */

static bool is_version_char(char c) {
        return ascii_digit(c) || ascii_alpha(c) || (c && strchr("._+~^-", c));
}

static bool looks_like_version(Span t) {
        if (t.len == 0 || t.len > MAX_VERSION || !ascii_digit(t.s[0]))
                return false;
        for (size_t i = 0; i < t.len; i++)
                if (!is_version_char(t.s[i]))
                        return false;
        return true;
}

/* A kernel release as uname -r prints it: "4.4.0-116-generic", "3.10.0-1160.el7.x86_64". The kernel
 * always prints VERSION.PATCHLEVEL.SUBLEVEL, so three numbers lead; that keeps package versions
 * ("252.38-1~deb12u1") out. */
static bool looks_like_kernel(Span t) {
        if (!looks_like_version(t) || memchr(t.s, '^', t.len))
                return false;
        Span rest = t;
        for (int i = 0; i < 3; i++) {
                Span d = span_digits(rest);
                if (d.len == 0)
                        return false;
                rest = span_skip(rest, d.len);
                if (i < 2) {
                        if (rest.len == 0 || rest.s[0] != '.')
                                return false;
                        rest = span_skip(rest, 1);
                }
        }
        return true;
}

static void found(TsFound *f, Span value, int rank) {
        if (rank > f->rank)
                *f = (TsFound){ value, rank };
}

static const char *const rpm_arches[] = { ".x86_64", ".aarch64", ".ppc64le", ".ppc64",  ".s390x",
                                          ".i686",   ".i586",    ".noarch",  ".armv7hl" };

void ts_line_systemd_version(Span l, TsFound *f) {
        Span t = span_trim(l);
        if (span_starts_with(t, "systemd ")) {
                Span rest = span_skip(t, STRLEN("systemd "));
                Span v = span_word(&rest);
                if (!looks_like_version(v)) {
                        /* supportconfig's rpm.txt:
                         * "systemd    SUSE LLC <https://www.suse.com/>    228-157.40.1" */
                        Span last = v;
                        for (Span w = span_word(&rest); w.len > 0; w = span_word(&rest))
                                last = w;
                        if (looks_like_version(last) && memchr(last.s, '-', last.len))
                                found(f, last, 2);
                        return;
                }
                rest = span_trim(rest);
                if (rest.len == 0) {
                        found(f, v, 1);
                        return;
                }
                if (rest.len > 2 && rest.s[0] == '(' && rest.s[rest.len - 1] == ')') {
                        Span full = { rest.s + 1, rest.len - 2 };
                        if (looks_like_version(full))
                                found(f, full, 3);
                }
                return;
        }
        if (span_starts_with(t, "systemd-") && t.len > STRLEN("systemd-") &&
            ascii_digit(t.s[STRLEN("systemd-")])) {
                /* rpm -qa, installed-rpms: "systemd-219-78.el7_9.7.x86_64   Wed 18 Nov 2020 ..." */
                Span rest = t;
                Span v = span_skip(span_word(&rest), STRLEN("systemd-"));
                for (size_t i = 0; i < ELEMENTSOF(rpm_arches); i++)
                        if (span_ends_with(v, rpm_arches[i])) {
                                v.len -= strlen(rpm_arches[i]);
                                if (looks_like_version(v))
                                        found(f, v, 2);
                                return;
                        }
                return;
        }
        if (span_starts_with(t, "ii ")) {
                Span rest = span_skip(t, 2);
                Span name = span_word(&rest), v = span_word(&rest);
                if ((span_eq(name, "systemd") || span_eq(name, "systemd:amd64")) && looks_like_version(v))
                        found(f, v, 2);
        }
}

void ts_line_kernel_release(Span l, TsFound *f) {
        Span t = span_trim(l);
        if (looks_like_kernel(t)) {
                found(f, t, 3);
                return;
        }
        if (span_starts_with(t, "Linux ")) {
                Span rest = span_skip(t, STRLEN("Linux "));
                (void)span_word(&rest);
                Span release = span_word(&rest);
                if (looks_like_kernel(release))
                        found(f, release, 2);
        }
        static const char banner[] = "Linux version ";
        const char *q = memmem(t.s, t.len, banner, STRLEN(banner));
        if (q) {
                Span rest = { q + STRLEN(banner), (size_t)(t.s + t.len - q) - STRLEN(banner) };
                Span release = span_word(&rest);
                if (looks_like_kernel(release))
                        found(f, release, 1);
        }
}

/* ---- Unit names -------------------------------------------------------------------------------- */

static const char *const unit_suffixes[] = {
        ".service", ".scope", ".slice", ".socket", ".target",    ".timer",
        ".mount",   ".path",  ".swap",  ".device", ".automount",
};

static bool is_unit_char(char c) {
        return ascii_digit(c) || ascii_alpha(c) || (c && strchr(":_.\\@-", c));
}

bool ts_line_unit_name(Span name) {
        if (name.len == 0 || name.len > 255 || name.s[0] == '.' || name.s[0] == '-')
                return span_eq(name, "-.slice");
        for (size_t i = 0; i < name.len; i++)
                if (!is_unit_char(name.s[i]))
                        return false;
        for (size_t i = 0; i < ELEMENTSOF(unit_suffixes); i++) {
                size_t n = strlen(unit_suffixes[i]);
                if (name.len > n && span_ends_with(name, unit_suffixes[i]))
                        /* a template ("getty@.service", "user-.slice") names no unit that runs */
                        return name.s[name.len - n - 1] != '@' && name.s[name.len - n - 1] != '-';
        }
        return false;
}

bool ts_line_next_unit(Span l, size_t *at, Span *ret_name) {
        for (size_t i = *at; i < l.len; i++) {
                if (l.s[i] != '.')
                        continue;
                for (size_t k = 0; k < ELEMENTSOF(unit_suffixes); k++) {
                        size_t n = strlen(unit_suffixes[k]);
                        if (i + n > l.len || memcmp(l.s + i, unit_suffixes[k], n) != 0 ||
                            (i + n < l.len && is_unit_char(l.s[i + n]) && l.s[i + n] != '.' &&
                             l.s[i + n] != ':'))
                                continue;
                        /* "x.service.d" is a directory; "x.service:" ends a unit's message prefix */
                        if (i + n + 1 < l.len && l.s[i + n] == '.' && is_unit_char(l.s[i + n + 1]))
                                continue;
                        size_t start = i;
                        while (start > 0 && is_unit_char(l.s[start - 1]) && l.s[start - 1] != ':')
                                start--;
                        Span name = { l.s + start, i + n - start };
                        *at = i + n;
                        if (ts_line_unit_name(name)) {
                                *ret_name = name;
                                return true;
                        }
                        break;
                }
        }
        *at = l.len;
        return false;
}

/* ---- systemctl status blocks ------------------------------------------------------------------- */

static const char *const bullets[] = { "\xe2\x97\x8f ", /* ● */
                                       "\xe2\x97\x8b ", /* ○ inactive, systemd 247+ */
                                       "\xc3\x97 ",     /* × failed */
                                       "* " };          /* no UTF-8 terminal */

bool ts_line_status_header(Span l, Span *ret_name) {
        Span t = l; /* at the start of the line: indented bullets are TriggeredBy: lists */
        size_t b = 0;
        for (; b < ELEMENTSOF(bullets); b++)
                if (span_starts_with(t, bullets[b]))
                        break;
        if (b == ELEMENTSOF(bullets)) {
                /* a paste that lost the bullet: " ddclient.service - Update dynamic ..." */
                if (t.len < 2 || t.s[0] != ' ' || ascii_space(t.s[1]))
                        return false;
                t = span_skip(t, 1);
        } else
                t = span_skip(t, strlen(bullets[b]));
        Span name = span_word(&t);
        if (!ts_line_unit_name(name))
                return false;
        t = span_trim(t);
        if (!span_starts_with(t, "- ") && !span_eq(t, "-") && (b == ELEMENTSOF(bullets) || t.len > 0))
                return false;
        *ret_name = name;
        return true;
}

bool ts_line_tasks(Span t, uint64_t *ret_tasks, uint64_t *ret_limit) {
        if (!span_starts_with(t, "Tasks:"))
                return false;
        Span rest = span_trim(span_skip(t, STRLEN("Tasks:")));
        Span n = span_digits(rest);
        uint64_t tasks, limit = UINT64_MAX;
        if (!parse_u64(n, &tasks))
                return false;
        rest = span_trim(span_skip(rest, n.len));
        if (span_starts_with_ci(rest, "(limit:")) {
                rest = span_trim(span_skip(rest, STRLEN("(limit:")));
                Span m = span_digits(rest);
                if (!parse_u64(m, &limit))
                        return false;
        }
        *ret_tasks = tasks;
        *ret_limit = limit;
        return true;
}

bool ts_line_is_label(Span l) {
        size_t n = 0;
        while (n < l.len && ascii_alpha(l.s[n]))
                n++;
        return n > 0 && n + 1 < l.len && l.s[n] == ':' && l.s[n + 1] == ' ';
}

bool ts_line_process_name(Span t, Span *ret_name) {
        t = span_trim(t);
        if (span_starts_with(t, "Main PID:")) {
                const char *open = memchr(t.s, '(', t.len),
                           *close = open ? memchr(open, ')', (size_t)(t.s + t.len - open)) : NULL;
                if (!close || close == open + 1)
                        return false;
                *ret_name = (Span){ open + 1, (size_t)(close - open - 1) };
                return true;
        }
        /* the cgroup tree: "├─2770 /usr/bin/dockerd -H fd://", "└─1237 \"ddclient - sleeping\"" */
        static const char *const branches[] = { "\xe2\x94\x9c\xe2\x94\x80", "\xe2\x94\x94\xe2\x94\x80", "|-",
                                                "`-" };
        for (size_t i = 0; i < ELEMENTSOF(branches); i++) {
                if (!span_starts_with(t, branches[i]))
                        continue;
                Span rest = span_skip(t, strlen(branches[i]));
                Span pid = span_digits(rest);
                if (pid.len == 0)
                        return false;
                rest = span_skip(rest, pid.len);
                Span path = span_word(&rest);
                if (path.len > 0 && path.s[0] == '"')
                        path = span_skip(path, 1);
                const char *slash = NULL;
                for (size_t k = 0; k < path.len; k++)
                        if (path.s[k] == '/')
                                slash = path.s + k;
                if (slash)
                        path = (Span){ slash + 1, (size_t)(path.s + path.len - slash - 1) };
                if (path.len == 0)
                        return false;
                *ret_name = path;
                return true;
        }
        return false;
}

/* ---- Commands ---------------------------------------------------------------------------------- */

/* Where word w (followed by a blank) starts a command in l: at the start, after a prompt or a
 * blank, after a pipe or "sudo ". */
static const char *find_command(Span l, const char *w) {
        size_t n = strlen(w);
        for (const char *p = l.s, *end = l.s + l.len; p < end;) {
                const char *q = memmem(p, (size_t)(end - p), w, n);
                if (!q)
                        return NULL;
                bool start = q == l.s || ascii_space(q[-1]) || strchr("$#>|;(`'\"/", q[-1]);
                bool stop = q + n == end || ascii_space(q[n]);
                if (start && stop)
                        return q + n;
                p = q + 1;
        }
        return NULL;
}

/* Options of a command that take the next word as their value. */
static bool option_with_value(Span w, const char *const *options) {
        for (size_t i = 0; options[i]; i++)
                if (span_eq(w, options[i]))
                        return true;
        return false;
}

/* The first argument after the options, up to a pipe or a redirection. */
static Span first_argument(Span rest, const char *const *with_value) {
        for (;;) {
                Span w = span_word(&rest);
                if (w.len == 0 || w.s[0] == '|' || w.s[0] == '>' || w.s[0] == ';' || w.s[0] == '&')
                        return (Span){};
                if (span_eq(w, "--"))
                        continue;
                if (w.s[0] == '-') {
                        if (option_with_value(w, with_value))
                                (void)span_word(&rest);
                        continue;
                }
                /* quotes and backquotes people put around names */
                while (w.len > 0 && strchr("'\"`", w.s[w.len - 1]))
                        w.len--;
                while (w.len > 0 && strchr("'\"`", w.s[0]))
                        w = span_skip(w, 1);
                return w;
        }
}

/* A unit argument as systemctl takes it ("docker", "docker.service"), not a shell variable. */
static bool plausible_unit(Span w) {
        if (w.len == 0 || w.len > 255 || memchr(w.s, '$', w.len) || memchr(w.s, '*', w.len))
                return false;
        for (size_t i = 0; i < w.len; i++)
                if (!is_unit_char(w.s[i]))
                        return false;
        return !span_eq(w, "status") && !span_eq(w, "show");
}

bool ts_line_command(Span l, TsCommand *ret) {
        static const char *const systemctl_values[] = { "-p", "--property", "-n", "--lines",
                                                        "-o", "--output",   "-H", "--host",
                                                        "-M", "--machine",  NULL };
        static const char *const exec_values[] = { "-u",           "--user",      "-w",        "--workdir",
                                                   "-e",           "--env",       "-c",        "--container",
                                                   "-n",           "--namespace", "--context", "--content",
                                                   "--kubeconfig", NULL };
        static const char *const journal_values[] = { "-n", "--lines", "-o", "--output", "-S", "--since",
                                                      "-U", "--until", "-b", "--boot",   "-p", "--priority",
                                                      NULL };
        *ret = (TsCommand){ .kind = _TS_COMMAND_INVALID };
        const char *after;

        if ((after = find_command(l, "systemctl"))) {
                Span rest = { after, (size_t)(l.s + l.len - after) };
                Span verb = first_argument(rest, systemctl_values);
                bool status = span_eq(verb, "status"), show = span_eq(verb, "show");
                if (!status && !show)
                        return false;
                rest = (Span){ verb.s + verb.len, (size_t)(l.s + l.len - verb.s - verb.len) };
                Span unit = first_argument(rest, systemctl_values);
                if (!plausible_unit(unit))
                        return false;
                *ret = (TsCommand){ .kind = status ? TS_COMMAND_STATUS : TS_COMMAND_SHOW, .target = unit };
                return true;
        }
        if ((after = find_command(l, "service"))) {
                Span rest = { after, (size_t)(l.s + l.len - after) };
                Span unit = span_word(&rest), verb = span_word(&rest);
                if (!span_eq(verb, "status") || !plausible_unit(unit))
                        return false;
                *ret = (TsCommand){ .kind = TS_COMMAND_STATUS, .target = unit };
                return true;
        }
        if ((after = find_command(l, "journalctl"))) {
                Span rest = { after, (size_t)(l.s + l.len - after) };
                for (Span w = span_word(&rest); w.len > 0; w = span_word(&rest)) {
                        Span unit = {};
                        if (span_eq(w, "-u") || span_eq(w, "--unit"))
                                unit = span_word(&rest);
                        else if (span_starts_with(w, "--unit="))
                                unit = span_skip(w, STRLEN("--unit="));
                        else if (span_starts_with(w, "-u") && w.len > 2)
                                unit = span_skip(w, 2);
                        else if (option_with_value(w, journal_values))
                                (void)span_word(&rest);
                        if (plausible_unit(unit)) {
                                *ret = (TsCommand){ .kind = TS_COMMAND_JOURNAL, .target = unit };
                                return true;
                        }
                }
                return false;
        }
        static const char *const runtimes[] = { "docker", "podman", "nerdctl", "crictl", "kubectl", "oc" };
        for (size_t i = 0; i < ELEMENTSOF(runtimes); i++) {
                if (!(after = find_command(l, runtimes[i])))
                        continue;
                Span rest = { after, (size_t)(l.s + l.len - after) };
                /* after global options (kubectl --context X) */
                Span verb = first_argument(rest, exec_values);
                if (!span_eq(verb, "exec") && !span_eq(verb, "attach"))
                        continue;
                rest = (Span){ verb.s + verb.len, (size_t)(l.s + l.len - verb.s - verb.len) };
                Span name = first_argument(rest, exec_values);
                if (name.len == 0)
                        return false;
                *ret = (TsCommand){ .kind = TS_COMMAND_EXEC, .target = name };
                return true;
        }
        if (find_command(l, "uniq") && find_command(l, "ps") && memmem(l.s, l.len, "-c", 2)) {
                *ret = (TsCommand){ .kind = TS_COMMAND_COUNT_USERS };
                return true;
        }
        if (find_command(l, "wc") && (find_command(l, "ps") || memmem(l.s, l.len, "/proc/", 6))) {
                *ret = (TsCommand){ .kind = TS_COMMAND_COUNT };
                return true;
        }
        if ((after = find_command(l, "ulimit"))) {
                Span rest = { after, (size_t)(l.s + l.len - after) };
                Span w = span_word(&rest);
                if (!span_eq(w, "-u") && !span_eq(w, "-Su"))
                        return false;
                *ret = (TsCommand){ .kind = TS_COMMAND_NPROC };
                return true;
        }
        static const char *const readers[] = { "cat", "more", "head", "tail" };
        for (size_t i = 0; i < ELEMENTSOF(readers); i++) {
                if (!(after = find_command(l, readers[i])))
                        continue;
                Span rest = { after, (size_t)(l.s + l.len - after) };
                *ret = (TsCommand){ .kind = TS_COMMAND_READ };
                for (Span w = span_word(&rest); w.len > 0 && ret->n_files < TS_COMMAND_MAX_FILES;
                     w = span_word(&rest)) {
                        if (w.s[0] == '|' || w.s[0] == '>')
                                break;
                        if (w.s[0] == '/')
                                ret->files[ret->n_files++] = w;
                }
                return ret->n_files > 0;
        }
        return false;
}

/* ---- Facts ------------------------------------------------------------------------------------- */

/* "kernel.pid_max = 32768", "kernel.pid_max=32768". */
static bool sysctl_value(Span t, const char *key, TsValue *ret) {
        if (!span_starts_with(t, key))
                return false;
        Span rest = span_trim(span_skip(t, strlen(key)));
        if (rest.len == 0 || rest.s[0] != '=')
                return false;
        return parse_limit(span_skip(rest, 1), ret);
}

/* "KEY=VALUE" of systemctl show. */
static bool show_value(Span t, const char *key, Span *ret) {
        size_t n = strlen(key);
        if (t.len <= n || memcmp(t.s, key, n) != 0 || t.s[n] != '=')
                return false;
        *ret = span_trim(span_skip(t, n + 1));
        return true;
}

/* "PATH/pids.max VALUE", "PATH/pids.max:VALUE", "PATH/pids.events:max 3": the file's fact. */
static bool pids_file(Span t, TsFact *ret) {
        static const struct {
                const char *file;
                TsLineFact fact;
        } files[] = {
                { "/pids.max", TS_FACT_PIDS_MAX },
                { "/pids.current", TS_FACT_PIDS_CURRENT },
                { "/pids.events", TS_FACT_PIDS_EVENTS },
        };
        if (t.len == 0 || t.s[0] != '/')
                return false;
        Span rest = t;
        Span path = span_word(&rest);
        const char *colon = memchr(path.s, ':', path.len);
        if (colon) {
                rest = (Span){ colon + 1, (size_t)(t.s + t.len - colon - 1) };
                path.len = (size_t)(colon - path.s);
        }
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                if (!span_ends_with(path, files[i].file))
                        continue;
                Span v = span_trim(rest);
                if (files[i].fact == TS_FACT_PIDS_EVENTS) {
                        if (!span_starts_with(v, "max "))
                                return false;
                        v = span_skip(v, 4);
                }
                TsValue value;
                if (!parse_limit(v, &value))
                        return false;
                *ret = (TsFact){ .fact = files[i].fact,
                                 .value = value,
                                 .text = { path.s, path.len - strlen(files[i].file) } };
                return true;
        }
        return false;
}

bool ts_line_fact(Span l, TsFact *ret) {
        Span t = span_trim(l), v;
        TsValue value;
        *ret = (TsFact){ .fact = _TS_LINE_FACT_INVALID };

        if (sysctl_value(t, "kernel.pid_max", &value)) {
                *ret = (TsFact){ .fact = TS_FACT_PID_MAX, .value = value };
                return true;
        }
        if (sysctl_value(t, "kernel.threads-max", &value)) {
                *ret = (TsFact){ .fact = TS_FACT_THREADS_MAX, .value = value };
                return true;
        }
        if (sysctl_value(t, "vm.overcommit_memory", &value)) {
                if (value.value != 2)
                        return false;
                *ret = (TsFact){ .fact = TS_FACT_MEMORY_SHORT, .value = value };
                return true;
        }
        /* LXC: "lxc.prlimit.nproc = 128:256" (soft:hard) */
        if (span_starts_with(t, "lxc.prlimit.nproc") && first_number(t, &value.value)) {
                *ret = (TsFact){ .fact = TS_FACT_NPROC, .value = { true, value.value } };
                return true;
        }
        /* dmesg at boot: "pid_max: default: 262144 minimum: 2048" */
        const char *p = span_find_ci(t, "pid_max: default: ");
        if (p && first_number((Span){ p, (size_t)(t.s + t.len - p) }, &value.value)) {
                *ret = (TsFact){ .fact = TS_FACT_PID_MAX, .value = { true, value.value } };
                return true;
        }
        /* ulimit -a: "max user processes              (-u) 65535" */
        if (span_starts_with(t, "max user processes")) {
                const char *u = memmem(t.s, t.len, "(-u)", 4);
                if (!u || !parse_limit(span_skip(t, (size_t)(u - t.s) + 4), &value))
                        return false;
                *ret = (TsFact){ .fact = TS_FACT_NPROC, .value = value };
                return true;
        }
        /* /proc/PID/limits: "Max processes  4096  4096  processes"; "Max processes: 128 / 256" */
        if (span_starts_with(t, "Max processes")) {
                Span rest = span_skip(t, STRLEN("Max processes"));
                if (rest.len > 0 && rest.s[0] == ':')
                        rest = span_skip(rest, 1);
                Span w = span_word(&rest);
                if (!parse_limit(w, &value))
                        return false;
                *ret = (TsFact){ .fact = TS_FACT_NPROC, .value = value };
                return true;
        }
        /* OpenBLAS: "blas_thread_init: RLIMIT_NPROC 512 current, 1031280 max" */
        p = span_find_ci(t, "RLIMIT_NPROC ");
        if (p && ascii_digit(p[STRLEN("RLIMIT_NPROC ")]) &&
            first_number((Span){ p, (size_t)(t.s + t.len - p) }, &value.value)) {
                *ret = (TsFact){ .fact = TS_FACT_NPROC, .value = { true, value.value } };
                return true;
        }
        /* runc's config.json: { "type": "RLIMIT_NPROC", "hard": 1024, "soft": 192 } over lines */
        if (span_find_ci(t, "\"RLIMIT_NPROC\"")) {
                *ret = (TsFact){ .fact = TS_FACT_NPROC_NEXT };
                return true;
        }
        if (span_starts_with(t, "\"soft\":") && first_number(t, &value.value)) {
                *ret = (TsFact){ .fact = TS_FACT_NPROC_SOFT, .value = { true, value.value } };
                return true;
        }
        /* free -m: "Swap:  4095  4094  1" */
        if (span_starts_with(t, "Swap:")) {
                Span rest = span_skip(t, 5);
                uint64_t total, used, free_;
                if (!parse_u64(span_word(&rest), &total) || !parse_u64(span_word(&rest), &used) ||
                    !parse_u64(span_word(&rest), &free_) || total == 0 || free_ * 100 > total)
                        return false;
                *ret = (TsFact){ .fact = TS_FACT_MEMORY_SHORT, .value = { true, free_ } };
                return true;
        }
        if (span_find_ci(t, "invoked oom-killer") || span_find_ci(t, "Out of memory: Kill")) {
                *ret = (TsFact){ .fact = TS_FACT_MEMORY_SHORT };
                return true;
        }

        static const struct {
                const char *key;
                TsLineFact fact;
        } show_keys[] = {
                { "TasksMax", TS_FACT_TASKS_MAX },
                { "TasksCurrent", TS_FACT_TASKS_CURRENT },
                { "EffectiveTasksMax", TS_FACT_EFFECTIVE_TASKS_MAX },
                { "LimitNPROCSoft", TS_FACT_NPROC },
                { "LimitNPROC", TS_FACT_NPROC },
        };
        for (size_t i = 0; i < ELEMENTSOF(show_keys); i++)
                if (show_value(t, show_keys[i].key, &v)) {
                        /* systemctl show prints "[not set]" for TasksCurrent without accounting */
                        if (!parse_limit(v, &value))
                                return false;
                        *ret = (TsFact){ .fact = show_keys[i].fact, .value = value };
                        return true;
                }
        if (show_value(t, "ControlGroup", &v) && v.len > 0 && v.s[0] == '/') {
                *ret = (TsFact){ .fact = TS_FACT_CONTROL_GROUP, .text = v };
                return true;
        }
        if (show_value(t, "Id", &v) && ts_line_unit_name(v)) {
                *ret = (TsFact){ .fact = TS_FACT_ID, .text = v };
                return true;
        }
        return pids_file(t, ret);
}

bool ts_line_is_show(Span l) {
        Span t = span_trim(l);
        if (t.len < 2 || t.s[0] < 'A' || t.s[0] > 'Z')
                return false;
        size_t i = 1;
        bool lower = false;
        while (i < t.len && (ascii_alpha(t.s[i]) || ascii_digit(t.s[i]))) {
                lower = lower || (t.s[i] >= 'a' && t.s[i] <= 'z');
                i++;
        }
        return lower && i < t.len && t.s[i] == '=';
}

bool ts_line_value(Span l, TsValue *ret) {
        Span t = span_trim(l);
        if (span_starts_with(t, "max ") && parse_limit(span_skip(t, 4), ret))
                return true; /* pids.events */
        return parse_limit(t, ret);
}

bool ts_line_user_count(Span l, uint64_t *ret_count) {
        Span rest = l;
        Span n = span_word(&rest), user = span_word(&rest);
        if (n.len == 0 || span_digits(n).len != n.len || user.len == 0 || span_trim(rest).len > 0 ||
            !(ascii_alpha(user.s[0]) || user.s[0] == '_'))
                return false;
        return parse_u64(n, ret_count);
}

bool ts_line_su_refused(Span msg) {
        Span t = span_trim(msg);
        return (span_starts_with(t, "su: ") || span_starts_with(t, "sudo: ")) &&
               span_find_ci(t, "resource temporarily unavailable");
}

bool ts_line_from_shell(Span msg, Span ident) {
        static const char *const shells[] = { "bash",          "-bash", "sh",  "/bin/sh", "/bin/bash",
                                              "/usr/bin/bash", "zsh",   "ash", "dash",    "su",
                                              "sudo" };
        Span t = span_trim(msg);
        for (size_t i = 0; i < ELEMENTSOF(shells); i++) {
                if (span_eq(ident, shells[i]))
                        return true;
                size_t n = strlen(shells[i]);
                if (t.len > n + 1 && memcmp(t.s, shells[i], n) == 0 && t.s[n] == ':' && t.s[n + 1] == ' ')
                        return true;
        }
        return false;
}
