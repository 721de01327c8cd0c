/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads the journal once, matching only the unit's and the kernel's entries (sd_journal_add_match),
 * and keeps counts, times and samples per pattern. */
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "fileio.h"
#include "journal.h"
#include "macro.h"

/* The value of a journal field ("MESSAGE=..."), without its name, not NUL-terminated. */
static int field(sd_journal *j, const char *name, const char **ret, size_t *ret_len) {
        const void *data;
        size_t len, n = strlen(name);
        int r = sd_journal_get_data(j, name, &data, &len);
        if (r < 0)
                return r;
        if (len <= n || ((const char *)data)[n] != '=')
                return -EBADMSG;
        *ret = (const char *)data + n + 1;
        *ret_len = len - n - 1;
        return 0;
}

bool ts_kernel_path_below(const char *path, size_t len, const char *cg) {
        size_t k = cg ? strlen(cg) : 0;
        if (!path || k < 2 || cg[0] != '/')
                return false;
        for (const char *p = path; (p = memmem(p, len - (size_t)(p - path), cg, k)); p++)
                if ((size_t)(p - path) + k + 1 < len && p[k] == '/')
                        return true;
        return false;
}

int ts_journal_kernel_about(const TsCheckFacts *f, const char *path, size_t len) {
        if (!f || !path || !f->control_group || f->control_group[0] != '/')
                return TS_KERNEL_ABOUT_NONE;
        size_t k = strlen(f->control_group);
        if (memendswith(path, len, f->control_group, k))
                return TS_KERNEL_ABOUT_UNIT;
        /* Each parent directory of the unit's cgroup is one of its slices, innermost first. */
        int index = 0;
        for (size_t end = k; index < (int)f->n_slices;) {
                while (end > 0 && f->control_group[end - 1] != '/')
                        end--;
                if (end <= 1)
                        break;
                end--; /* drop the '/' */
                if (memendswith(path, len, f->control_group, end))
                        return index;
                index++;
        }
        return ts_kernel_path_below(path, len, f->control_group) ? TS_KERNEL_ABOUT_BELOW
                                                                 : TS_KERNEL_ABOUT_NONE;
}

/* Whether a kernel line was logged before `since` (CLOCK_MONOTONIC µs; 0: no bound), by the
 * kernel's own timestamp that journald keeps in _SOURCE_MONOTONIC_TIMESTAMP. (The kernel stamps its
 * log with local_clock(), which keeps to CLOCK_MONOTONIC within microseconds where the machine
 * does not suspend; a refused fork comes well after the unit's start.) */
static bool kernel_line_before(sd_journal *j, uint64_t since) {
        const char *v;
        size_t len;
        char buf[32];
        uint64_t t;
        if (since == 0 || field(j, "_SOURCE_MONOTONIC_TIMESTAMP", &v, &len) < 0 || len >= sizeof buf)
                return false;
        memcpy(buf, v, len);
        buf[len] = 0;
        return ts_safe_atou64(buf, &t) >= 0 && t < since;
}

/* What one pass finds in one journal file (or in the whole journal), merged into the facts in the
 * files' time order. */
typedef struct ScanOut {
        TsPatternHits hits[_TS_PATTERN_MAX];
        bool kernel_for_unit, kernel_below_unit;
        int kernel_slice;    /* -1: none */
        uint64_t first_usec; /* of the first entry read, to order the files; UINT64_MAX: none */
        int error;
} ScanOut;

/* Every entry the matches of j select, from since (0: the start), against the pattern table. */
static int scan(sd_journal *j, usec_t since, const TsCheckFacts *f, ScanOut *out) {
        int r = since ? sd_journal_seek_realtime_usec(j, since) : sd_journal_seek_head(j);
        if (r < 0)
                return r;
        while ((r = sd_journal_next(j)) > 0) {
                const char *msg, *ident = "?";
                size_t msg_len, ident_len = 1;
                if (out->first_usec == UINT64_MAX)
                        (void)sd_journal_get_realtime_usec(j, &out->first_usec);
                if (field(j, "MESSAGE", &msg, &msg_len) < 0)
                        continue;
                const char *cg = NULL;
                size_t cg_len = 0;
                TsPattern p = ts_pattern_match(msg, msg_len, &cg, &cg_len);
                if (p < 0)
                        continue;
                if (p == TS_PATTERN_KERNEL_PIDS) {
                        /* The kernel speaks of every cgroup: keep only the unit's and its slices', and
                         * only since the unit last started. Its ring buffer outlives cgroups: a line
                         * about an earlier cgroup of the same path (an earlier run, or another sandbox
                         * whose path ends the same way) is not about this one. */
                        int which = ts_journal_kernel_about(f, cg, cg_len);
                        if (which == TS_KERNEL_ABOUT_NONE || kernel_line_before(j, f->started_monotonic))
                                continue;
                        if (which == TS_KERNEL_ABOUT_UNIT)
                                out->kernel_for_unit = true;
                        else if (which == TS_KERNEL_ABOUT_BELOW)
                                out->kernel_below_unit = true;
                        else if (out->kernel_slice < 0)
                                out->kernel_slice = which;
                }
                uint64_t usec = 0;
                (void)sd_journal_get_realtime_usec(j, &usec);
                (void)field(j, "SYSLOG_IDENTIFIER", &ident, &ident_len);
                ts_pattern_hits_add(&out->hits[p], usec, ident, ident_len, msg, msg_len);
        }
        return r;
}

/* One pass over one journal file (path) or the whole local journal (NULL), with one match term. */
static int scan_one(const char *path, const char *match, usec_t since, const TsCheckFacts *f, ScanOut *out) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        const char *paths[] = { path, NULL };
        int r = path ? sd_journal_open_files(&j, paths, 0) : sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
        if (r >= 0)
                r = sd_journal_add_match(j, match, 0);
        return r < 0 ? r : scan(j, since, f, out);
}

typedef struct ScanJob {
        char **files;
        size_t n_files;
        size_t next; /* the next file to take, shared by the workers */
        const char *match;
        usec_t since;
        const TsCheckFacts *facts;
        ScanOut *outs; /* one per file */
} ScanJob;

static void *scan_worker(void *userdata) {
        ScanJob *job = userdata;
        for (size_t i; (i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED)) < job->n_files;)
                job->outs[i].error =
                        scan_one(job->files[i], job->match, job->since, job->facts, &job->outs[i]);
        return NULL;
}

static void globfreep(glob_t *g) {
        globfree(g);
}

/* The files sd_journal_open(SD_JOURNAL_LOCAL_ONLY) reads: this machine's, runtime and system. */
static int list_journal_files(char ***ret, size_t *ret_n) {
        sd_id128_t machine;
        int r = sd_id128_get_machine(&machine);
        if (r < 0)
                return r;
        _cleanup_(globfreep) glob_t g = {};
        static const char *const dirs[] = { "/run/log/journal", "/var/log/journal" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                char pattern[128];
                r = path_printf(pattern, sizeof pattern, "%s/" SD_ID128_FORMAT_STR "/*.journal", dirs[i],
                                SD_ID128_FORMAT_VAL(machine));
                if (r < 0)
                        return r;
                r = glob(pattern, i > 0 ? GLOB_APPEND : 0, NULL, &g);
                if (r != 0 && r != GLOB_NOMATCH)
                        return -ENOMEM;
        }
        char **files = calloc(g.gl_pathc + 1, sizeof(char *));
        if (!files)
                return -ENOMEM;
        for (size_t i = 0; i < g.gl_pathc; i++)
                files[i] = TAKE_PTR(g.gl_pathv[i]);
        *ret = files;
        *ret_n = g.gl_pathc;
        return 0;
}

static int cmp_first_usec(const void *a, const void *b) {
        const ScanOut *x = *(ScanOut *const *)a, *y = *(ScanOut *const *)b;
        return x->first_usec < y->first_usec ? -1 : x->first_usec > y->first_usec;
}

/* Adds what a pass found to the facts: the files' outs in their time order. */
static void merge(TsCheckFacts *f, ScanOut **outs, size_t n) {
        qsort(outs, n, sizeof *outs, cmp_first_usec);
        for (size_t i = 0; i < n; i++) {
                for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++)
                        ts_pattern_hits_merge(&f->hits[p], &outs[i]->hits[p]);
                f->kernel_for_unit |= outs[i]->kernel_for_unit;
                f->kernel_below_unit |= outs[i]->kernel_below_unit;
                if (f->kernel_slice < 0)
                        f->kernel_slice = outs[i]->kernel_slice;
        }
}

/* Most of a scan's time is sd-journal's own, per entry (about 2 us here: sd_journal_next and the
 * MESSAGE field), on one CPU: where the journal is several files (journald rotates them), each
 * file is read by a thread of its own, up to one a CPU, and what they found is merged in the files'
 * time order. One file, or one CPU: one handle over the whole journal. */
#define SCAN_THREADS_MAX 8

static int scan_pass(const char *match, usec_t since, TsCheckFacts *f) {
        _cleanup_(strv_freep) char **files = NULL;
        size_t n_files = 0;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        size_t threads = cpus < 1 ? 1 : cpus > SCAN_THREADS_MAX ? SCAN_THREADS_MAX : (size_t)cpus;
        if (threads > 1 && list_journal_files(&files, &n_files) < 0)
                n_files = 0;
        size_t n = n_files >= 2 && threads > 1 ? n_files : 1;
        _cleanup_(freep) ScanOut *outs = calloc(n, sizeof *outs);
        _cleanup_(freep) ScanOut **order = calloc(n, sizeof *order);
        ANALYZER_OWNED_BY_CLEANUP(files, outs, order);
        if (!outs || !order)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                outs[i] = (ScanOut){ .kernel_slice = -1, .first_usec = UINT64_MAX };
                order[i] = &outs[i];
        }
        int r = 0;
        if (n == 1)
                r = outs[0].error = scan_one(NULL, match, since, f, &outs[0]);
        else {
                ScanJob job = { .files = files,
                                .n_files = n,
                                .match = match,
                                .since = since,
                                .facts = f,
                                .outs = outs };
                pthread_t tids[SCAN_THREADS_MAX];
                size_t started = 0;
                for (; started + 1 < threads && started + 1 < n; started++)
                        if (pthread_create(&tids[started], NULL, scan_worker, &job) != 0)
                                break;
                scan_worker(&job); /* this thread too, and alone if none could start */
                for (size_t i = 0; i < started; i++)
                        pthread_join(tids[i], NULL);
                /* A file that vanished meanwhile (rotated away, vacuumed) has nothing to say. */
                for (size_t i = 0; i < n && r >= 0; i++)
                        if (outs[i].error < 0 && outs[i].error != -ENOENT)
                                r = outs[i].error;
        }
        if (r >= 0)
                merge(f, order, n);
        for (size_t i = 0; i < n; i++)
                ts_pattern_hits_done(outs[i].hits, ELEMENTSOF(outs[i].hits));
        return r;
}

int ts_journal_scan(usec_t since, TsCheckFacts *f) {
        f->kernel_slice = -1;

        /* First the unit's lines: of its current run (its invocation) unless a window was asked for,
         * so that a restart (the article's step 4) leaves the old run's errors behind; the invocation
         * ID alone names the run and the unit. Then, in a pass of its own, the kernel's lines. Each
         * pass has one match term, the cheapest query sd-journal has. */
        char match[512];
        int r;
        if (since == 0 && f->invocation_id && f->invocation_id[0])
                r = path_printf(match, sizeof match, "_SYSTEMD_INVOCATION_ID=%s", f->invocation_id);
        else
                r = path_printf(match, sizeof match, "_SYSTEMD_UNIT=%s", f->unit);
        if (r >= 0)
                r = scan_pass(match, since, f);
        return r < 0 ? r : scan_pass("_TRANSPORT=kernel", since, f);
}

/* A journal field as a string, cut to size; "" when the entry has none. */
static const char *field_string(sd_journal *j, const char *name, char *buf, size_t size) {
        const char *v;
        size_t len;
        if (field(j, name, &v, &len) < 0)
                len = 0;
        if (len >= size)
                len = size - 1;
        memcpy(buf, len > 0 ? v : "", len);
        buf[len] = 0;
        return buf;
}

int ts_journal_scan_machine(usec_t since, TsScanFacts *f) {
        /* Without a window, each unit's lines are kept apart by run, so that only those of its
         * current run count (as `check UNIT` reads them): a unit stopped long ago, or restarted since
         * its failures, leaves its lines behind. */
        bool by_run = since == 0;
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        int r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0)
                return r;

        /* Without a window, this boot: what pids.events holds is of this boot too. Every entry is
         * read, since any unit may log EAGAIN; what an entry costs is its MESSAGE and the pattern
         * table's prefilter, the other fields are read only for the lines that match. */
        if (since == 0) {
                sd_id128_t boot;
                char match[64];
                r = sd_id128_get_boot(&boot);
                if (r >= 0)
                        r = path_printf(match, sizeof match, "_BOOT_ID=" SD_ID128_FORMAT_STR,
                                        SD_ID128_FORMAT_VAL(boot));
                if (r >= 0)
                        r = sd_journal_add_match(j, match, 0);
                if (r < 0)
                        return r;
        }
        r = since ? sd_journal_seek_realtime_usec(j, since) : sd_journal_seek_head(j);
        if (r < 0)
                return r;
        while ((r = sd_journal_next(j)) > 0) {
                const char *msg;
                size_t msg_len;
                if (field(j, "MESSAGE", &msg, &msg_len) < 0 ||
                    ts_pattern_match(msg, msg_len, NULL, NULL) < 0)
                        continue;
                char unit[256], invocation[40], cgroup[PATH_MAX], ident[64], transport[16];
                TsScanLine line = {
                        .message = msg,
                        .length = msg_len,
                        .unit = field_string(j, "_SYSTEMD_UNIT", unit, sizeof unit),
                        .invocation = by_run ? field_string(j, "_SYSTEMD_INVOCATION_ID", invocation,
                                                            sizeof invocation)
                                             : NULL,
                        .control_group = field_string(j, "_SYSTEMD_CGROUP", cgroup, sizeof cgroup),
                        .identifier = field_string(j, "SYSLOG_IDENTIFIER", ident, sizeof ident),
                        .kernel =
                                streq(field_string(j, "_TRANSPORT", transport, sizeof transport), "kernel"),
                };
                (void)sd_journal_get_realtime_usec(j, &line.usec);
                /* MESSAGE was read first; the other fields' reads may have moved the data pointer. */
                if (field(j, "MESSAGE", &line.message, &line.length) < 0)
                        continue;
                r = ts_scan_add_line(f, &line);
                if (r < 0)
                        return r;
        }
        return r;
}
