/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of log lines that mean "a task could not be created", and the matcher that runs on
 * every journal line: a cheap case-insensitive prefilter first, then the precise needles of each
 * pattern, in table order. No regex, no allocation. */
#include <string.h>

#include "macro.h"
#include "patterns.h"

/* A lowercase string searched for case-insensitively. The anchor is the index of a rare character
 * in it: the search looks for that byte with memchr() and compares around it, which is what keeps
 * the scan of a line that matches nothing close to memchr() speed. Any index is correct. */
typedef struct Needle {
        const char *text;
        size_t len;
        size_t anchor;
} Needle;

#define NEEDLE(s, a) { (s), STRLEN(s), (a) }

/* A line matches an alternative when it holds `first`, and `then` (if set) somewhere after it. */
typedef struct Alternative {
        Needle first, then;
} Alternative;

typedef struct PatternDef {
        TsPatternInfo info;
        Alternative any[3]; /* at least one must match */
        Needle unless;      /* ... and the line must not hold this one */
        bool cgroup_follows; /* the cgroup path follows the first needle (the kernel's line) */
} PatternDef;

#define RESOURCE_UNAVAILABLE NEEDLE("resource temporarily unavailable", 24)

static const PatternDef patterns[_TS_PATTERN_MAX] = {
        [TS_PATTERN_FORK_EXEC] = {
                .info = { .id = "fork-exec",
                          .example = "fork/exec /proc/self/exe: resource temporarily unavailable",
                          .summary = "fork/exec ... resource temporarily unavailable" },
                .any = { { .first = NEEDLE("fork/exec", 4), .then = RESOURCE_UNAVAILABLE } },
        },
        [TS_PATTERN_CGO_PTHREAD] = {
                .info = { .id = "cgo-pthread",
                          .example = "runtime/cgo: pthread_create failed: Resource temporarily unavailable",
                          .summary = "runtime/cgo: pthread_create failed" },
                .any = { { .first = NEEDLE("pthread_create failed", 7) } },
        },
        [TS_PATTERN_GO_NEW_THREAD] = {
                .info = { .id = "go-new-thread",
                          .example = "runtime: failed to create new OS thread (have 9 already; errno=11)",
                          .summary = "runtime: failed to create new OS thread" },
                .any = { { .first = NEEDLE("failed to create new os thread", 19) } },
        },
        [TS_PATTERN_FORK_FAILED] = {
                .info = { .id = "fork-failed",
                          .example = "fork failed: Resource temporarily unavailable",
                          .summary = "fork failed: resource temporarily unavailable" },
                .any = {
                        { .first = NEEDLE("fork failed", 3) },
                        { .first = NEEDLE("fork: retry:", 3) }, /* bash retries on EAGAIN only */
                        { .first = NEEDLE("fork: ", 3), .then = RESOURCE_UNAVAILABLE },
                },
                .unless = NEEDLE("fork/exec", 4),
        },
        [TS_PATTERN_APR_THREAD] = {
                .info = { .id = "apr-thread",
                          .example = "Resource temporarily unavailable: apr_thread_create: unable to create "
                                     "worker thread",
                          .summary = "apr_thread_create: unable to create worker thread" },
                .any = { { .first = NEEDLE("apr_thread_create: unable to create worker thread", 3) } },
        },
        [TS_PATTERN_KERNEL_PIDS] = {
                .info = { .id = "kernel-pids",
                          .example = "cgroup: fork rejected by pids controller in "
                                     "/system.slice/docker.service",
                          .kernel = true,
                          .summary = "fork rejected by pids controller" },
                .any = { { .first = NEEDLE("fork rejected by pids controller in ", 3) } },
                .cgroup_follows = true,
        },
};

/* Every line that can match holds one of these: a line without any is done with after a few
 * memchr() passes. */
static const Needle prefilter[] = {
        NEEDLE("unavailable", 3),
        NEEDLE("pthread_create", 7),
        NEEDLE("os thread", 4),
        NEEDLE("apr_thread_create", 3),
        NEEDLE("pids controller", 0),
        NEEDLE("fork", 3), /* "fork failed" and "fork: retry:" need not say "unavailable" */
};

/* Words of a line that reports a task that another process could not create: the container
 * runtime's (runc or crun, run by containerd's shim, conmon) relayed by the daemon that logs it. Its
 * fork was refused in the cgroup where that process ran, which may be another unit's. */
static const Needle relay_markers[] = {
        NEEDLE("oci runtime", 9),            /* "OCI runtime create failed", "... exec failed", "OCI runtime error" */
        NEEDLE("runc create failed", 12),
        NEEDLE("failed to create shim", 18), /* containerd: "failed to create shim task: ..." */
        NEEDLE("error during container init", 11),
};

static unsigned char lower(unsigned char c) {
        return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool equal_ci(const char *s, const Needle *n) {
        for (size_t i = 0; i < n->len; i++)
                if (lower((unsigned char)s[i]) != (unsigned char)n->text[i])
                        return false;
        return true;
}

static const char *memchr_or_end(const char *p, int c, const char *end) {
        const char *q = p < end ? memchr(p, c, (size_t)(end - p)) : NULL;
        return q ? q : end;
}

/* Where the needle starts in [s, s + n), or NULL. */
static const char *find_ci(const char *s, size_t n, const Needle *needle) {
        if (needle->len == 0 || needle->len > n)
                return NULL;

        unsigned char c = (unsigned char)needle->text[needle->anchor];
        unsigned char upper = c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
        /* The anchor of a match lies in [first, end). */
        const char *first = s + needle->anchor;
        const char *end = s + n - needle->len + needle->anchor + 1;

        const char *next_lower = memchr_or_end(first, c, end);
        const char *next_upper = upper != c ? memchr_or_end(first, upper, end) : end;
        for (;;) {
                const char *q = next_lower < next_upper ? next_lower : next_upper;
                if (q >= end)
                        return NULL;
                if (equal_ci(q - needle->anchor, needle))
                        return q - needle->anchor;
                if (q == next_lower)
                        next_lower = memchr_or_end(q + 1, c, end);
                else
                        next_upper = memchr_or_end(q + 1, upper, end);
        }
}

/* Where the alternative's first needle ends in the line, or NULL when it does not match. */
static const char *match_alternative(const char *line, size_t len, const Alternative *a) {
        const char *p = find_ci(line, len, &a->first);
        if (!p)
                return NULL;
        const char *after = p + a->first.len;
        if (a->then.text && !find_ci(after, len - (size_t)(after - line), &a->then))
                return NULL;
        return after;
}

static bool may_match(const char *line, size_t len) {
        for (size_t i = 0; i < ELEMENTSOF(prefilter); i++)
                if (find_ci(line, len, &prefilter[i]))
                        return true;
        return false;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

TsPattern ts_pattern_match(const char *line, size_t len, const char **ret_cgroup, size_t *ret_cgroup_len) {
        if (!line || !may_match(line, len))
                return _TS_PATTERN_INVALID;

        for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++) {
                const PatternDef *d = &patterns[p];
                const char *after = NULL;
                for (size_t i = 0; i < ELEMENTSOF(d->any) && d->any[i].first.text && !after; i++)
                        after = match_alternative(line, len, &d->any[i]);
                if (!after)
                        continue;
                if (d->unless.text && find_ci(line, len, &d->unless))
                        continue;

                if (d->cgroup_follows) {
                        size_t n = 0, rest = len - (size_t)(after - line);
                        while (n < rest && !is_blank(after[n]))
                                n++;
                        if (ret_cgroup)
                                *ret_cgroup = after;
                        if (ret_cgroup_len)
                                *ret_cgroup_len = n;
                }
                return p;
        }
        return _TS_PATTERN_INVALID;
}

const TsPatternInfo *ts_pattern_info(TsPattern p) {
        return p >= 0 && p < _TS_PATTERN_MAX ? &patterns[p].info : NULL;
}

const char *ts_pattern_to_string(TsPattern p) {
        return p >= 0 && p < _TS_PATTERN_MAX ? patterns[p].info.id : NULL;
}

bool ts_pattern_relayed(const char *line, size_t len) {
        for (size_t i = 0; line && i < ELEMENTSOF(relay_markers); i++)
                if (find_ci(line, len, &relay_markers[i]))
                        return true;
        return false;
}
