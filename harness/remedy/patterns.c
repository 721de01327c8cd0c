/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table of log lines that mean "a task could not be created", and the matcher that runs on
 * every journal line: a cheap case-insensitive prefilter first, then the precise needles of each
 * pattern, in order of precedence, on each message of the line (escaped line breaks part them).
 * No regex, no allocation. */
#include <string.h>

#include "macro.h"
#include "patterns.h"

/* A lowercase string searched for case-insensitively. The anchor is the index of a rare character
 * in it: the search looks for that byte with memchr() and compares around it, which is what keeps
 * the scan of a line that matches nothing close to memchr() speed. Any index is correct. A word
 * does not continue a word of the line: where it starts or ends with a letter or digit, the line
 * has none next to it ("errno=11" is not in "errno=110", "fork" is not in "forked"). */
typedef struct Needle {
        const char *text;
        size_t len;
        size_t anchor;
        bool word;
} Needle;

/* clang-format 14 moves a macro body that is a braced initializer to a line of its own. */
/* clang-format off */
#define NEEDLE(s, a) { .text = (s), .len = STRLEN(s), .anchor = (a), .word = false }
#define WORD(s, a) { .text = (s), .len = STRLEN(s), .anchor = (a), .word = true }
/* clang-format on */
/* Needles any one of which will do, as a list that an empty needle ends. */
#define ANY(...) ((const Needle[]){ __VA_ARGS__, {} })

/* A message matches an alternative when it holds one of `first`, and after it one of `then` (if
 * set); with `or_last`, a first needle with nothing but punctuation after it will do as well:
 * dash's "sh: 1: Cannot fork" says no more. */
typedef struct Alternative {
        const Needle *first, *then;
        bool or_last;
} Alternative;

typedef struct PatternDef {
        TsPatternInfo info;
        Alternative any[8];   /* at least one must match */
        const Needle *unless; /* ... and the message must hold none of these */
        bool cgroup_follows;  /* the cgroup path follows the first needle (the kernel's line) */
} PatternDef;

#define RESOURCE_UNAVAILABLE NEEDLE("resource temporarily unavailable", 24)

/* EAGAIN as strerror() writes it, as its name, as a number (errno=11, Apache's and MySQL's, C++'s
 * "generic:11"), and as Rust's io::ErrorKind for it. */
static const Needle eagain[] = {
        RESOURCE_UNAVAILABLE,     WORD("eagain", 2),
        NEEDLE("wouldblock", 9),  NEEDLE("resource_unavailable_try_again", 12),
        WORD("errno=11", 5),      WORD("errno= 11", 5),
        WORD("errno 11", 1),      WORD("errno: 11", 5),
        WORD("error 11", 1),      WORD("error=11", 5),
        WORD("error code 11", 6), WORD("code: 11", 4),
        WORD("generic:11", 0),    {},
};

/* EAGAIN in words only, where a number alone would say too little. */
static const Needle eagain_words[] = {
        RESOURCE_UNAVAILABLE,
        WORD("eagain", 2),
        {},
};

/* ENOMEM, the same ways. */
static const Needle enomem[] = {
        NEEDLE("cannot allocate memory", 21),
        WORD("enomem", 3),
        WORD("errno=12", 5),
        WORD("errno= 12", 5),
        WORD("errno 12", 1),
        WORD("errno: 12", 5),
        WORD("error 12", 1),
        WORD("error=12", 5),
        WORD("error code 12", 6),
        WORD("code: 12", 4),
        WORD("generic:12", 0),
        {},
};

static const Needle edquot[] = {
        NEEDLE("disk quota exceeded", 5),
        WORD("edquot", 2),
        {},
};

/* The order in which patterns are tried on a message; the first that matches wins. */
static const TsPattern precedence[] = {
        /* what the line says the errno is, before any EAGAIN pattern its words would match */
        TS_PATTERN_KEYRING_QUOTA,
        TS_PATTERN_FORK_ENOMEM,
        /* the first six, as they were */
        TS_PATTERN_FORK_EXEC,
        TS_PATTERN_CGO_PTHREAD,
        TS_PATTERN_GO_NEW_THREAD,
        TS_PATTERN_FORK_FAILED,
        TS_PATTERN_APR_THREAD,
        TS_PATTERN_KERNEL_PIDS,
        /* the general ones: the JVM's "pthread_create failed (EAGAIN)" before any pthread_create,
         * a thread's "failed to spawn thread" before a process's "failed to spawn" */
        TS_PATTERN_JAVA_THREAD,
        TS_PATTERN_THREAD_CREATE,
        TS_PATTERN_FORK_GENERIC,
};
_Static_assert(ELEMENTSOF(precedence) == _TS_PATTERN_MAX, "every pattern has its place in precedence[]");

static const PatternDef patterns[_TS_PATTERN_MAX] = {
        [TS_PATTERN_FORK_EXEC] = {
                .info = { .id = "fork-exec",
                          .example = "fork/exec /proc/self/exe: resource temporarily unavailable",
                          .summary = "fork/exec ... resource temporarily unavailable",
                          .error = EAGAIN },
                .any = { { .first = ANY(NEEDLE("fork/exec", 6)), .then = ANY(RESOURCE_UNAVAILABLE) } },
        },
        [TS_PATTERN_CGO_PTHREAD] = {
                .info = { .id = "cgo-pthread",
                          .example = "runtime/cgo: pthread_create failed: Resource temporarily unavailable",
                          .summary = "runtime/cgo: pthread_create failed",
                          .error = EAGAIN },
                /* Go's own words; any other "pthread_create failed" is thread-create's */
                .any = { { .first = ANY(NEEDLE("runtime/cgo", 9)),
                           .then = ANY(NEEDLE("pthread_create failed", 7)) } },
        },
        [TS_PATTERN_GO_NEW_THREAD] = {
                .info = { .id = "go-new-thread",
                          .example = "runtime: failed to create new OS thread (have 9 already; errno=11)",
                          .summary = "runtime: failed to create new OS thread",
                          .error = EAGAIN },
                .any = { { .first = ANY(NEEDLE("failed to create new os thread", 19)) } },
        },
        [TS_PATTERN_FORK_FAILED] = {
                .info = { .id = "fork-failed",
                          .example = "fork failed: Resource temporarily unavailable",
                          .summary = "fork failed: resource temporarily unavailable",
                          .error = EAGAIN },
                .any = {
                        /* bash retries on EAGAIN only */
                        { .first = ANY(NEEDLE("fork failed", 3), NEEDLE("fork: retry:", 3)) },
                        { .first = ANY(NEEDLE("fork: ", 3)), .then = ANY(RESOURCE_UNAVAILABLE) },
                },
                .unless = ANY(NEEDLE("fork/exec", 6)),
        },
        [TS_PATTERN_APR_THREAD] = {
                .info = { .id = "apr-thread",
                          .example = "Resource temporarily unavailable: apr_thread_create: unable to create "
                                     "worker thread",
                          .summary = "apr_thread_create: unable to create worker thread",
                          .error = EAGAIN },
                .any = { { .first = ANY(NEEDLE("apr_thread_create: unable to create worker thread", 16)) } },
        },
        [TS_PATTERN_KERNEL_PIDS] = {
                .info = { .id = "kernel-pids",
                          .example = "cgroup: fork rejected by pids controller in "
                                     "/system.slice/docker.service",
                          .kernel = true,
                          .summary = "fork rejected by pids controller",
                          .error = EAGAIN },
                /* without the blank, so that a line wrapped before the path still counts */
                .any = { { .first = ANY(NEEDLE("fork rejected by pids controller in", 3)) } },
                .cgroup_follows = true,
        },
        [TS_PATTERN_FORK_ENOMEM] = {
                .info = { .id = "fork-enomem",
                          .example = "-bash: fork: Cannot allocate memory",
                          .summary = "fork: cannot allocate memory",
                          .error = ENOMEM },
                /* a task's creation, with ENOMEM after it */
                .any = { {
                        .first = ANY(WORD("fork", 3), WORD("vfork", 4),
                                     NEEDLE("clone: ", 5), NEEDLE("clone(", 5), NEEDLE("clone3", 0),
                                     NEEDLE("posix_spawn", 4), NEEDLE("spawn ", 3),
                                     NEEDLE("pthread_create", 7), NEEDLE("os thread", 8),
                                     NEEDLE("create thread", 0), NEEDLE("create new thread", 9),
                                     NEEDLE("create a new thread", 11), NEEDLE("create worker thread", 10),
                                     NEEDLE("creating thread", 7), NEEDLE("start new thread", 8),
                                     NEEDLE("cannot run program", 14)),
                        .then = enomem,
                } },
        },
        [TS_PATTERN_KEYRING_QUOTA] = {
                .info = { .id = "keyring-quota",
                          .example = "unable to join session keyring: unable to create session key: "
                                     "disk quota exceeded",
                          .summary = "join session keyring: disk quota exceeded",
                          .error = EDQUOT },
                /* runc's join_session_keyring (KEYCTL_JOIN_SESSION_KEYRING), crun's "create keyring",
                 * add_key */
                .any = { {
                        .first = ANY(NEEDLE("keyring", 0), NEEDLE("session key", 8), NEEDLE("keyctl", 0),
                                     NEEDLE("add_key", 4)),
                        .then = edquot,
                } },
        },
        [TS_PATTERN_JAVA_THREAD] = {
                .info = { .id = "java-thread",
                          .example = "java.lang.OutOfMemoryError: unable to create new native thread",
                          .summary = "OutOfMemoryError: unable to create new native thread",
                          .error = EAGAIN },
                .any = {
                        /* the JVM's: its OutOfMemoryError is pthread_create's EAGAIN; JDK 11+ logs the
                         * errno too, and names the thread it could not start */
                        { .first = ANY(NEEDLE("unable to create new native thread", 25),
                                       NEEDLE("unable to create native thread", 21),
                                       NEEDLE("pthread_create failed (eagain)", 22),
                                       NEEDLE("failed to start the native thread", 24)) },
                        /* "Cannot create worker GC thread. Out of system resources." */
                        { .first = ANY(NEEDLE("gc thread", 0)),
                          .then = ANY(NEEDLE("out of system resources", 8)) },
                },
        },
        [TS_PATTERN_THREAD_CREATE] = {
                .info = { .id = "thread-create",
                          .example = "Thread::try_create(): pthread_create failed with error 11",
                          .summary = "thread creation failed: resource temporarily unavailable",
                          .error = EAGAIN },
                .any = {
                        /* words that say it failed (MongoDB, MySQL, git, fuse, Python, Ruby) */
                        { .first = ANY(NEEDLE("pthread_create failed", 7),
                                       NEEDLE("thread creation failed", 16),
                                       NEEDLE("unable to create thread", 3),
                                       NEEDLE("failed to create thread", 0),
                                       NEEDLE("could not create thread", 2),
                                       NEEDLE("couldn't create thread", 6),
                                       NEEDLE("cannot create thread", 0),
                                       NEEDLE("can't create thread", 3),
                                       NEEDLE("cannot create new thread", 16),
                                       NEEDLE("can't create new thread", 3),
                                       NEEDLE("can't create a new thread", 3),
                                       NEEDLE("can't start new thread", 3),
                                       NEEDLE("error creating thread", 13),
                                       NEEDLE("failed to create worker thread", 20)) },
                        /* words that need EAGAIN after them (OpenBLAS, Varnish, Rust's std, rayon, tokio,
                         * C++) */
                        { .first = ANY(NEEDLE("pthread_create", 7), NEEDLE("create thread", 0),
                                       NEEDLE("creating thread", 7), NEEDLE("create worker thread", 10),
                                       NEEDLE("spawn thread", 3), NEEDLE("spawn a new thread", 3),
                                       NEEDLE("spawn worker thread", 9),
                                       NEEDLE("spawn a new worker thread", 15),
                                       NEEDLE("threadpoolbuilderror", 10), NEEDLE("std::system_error", 6)),
                          .then = eagain },
                        { .first = ANY(NEEDLE("system_error", 1)), .then = ANY(WORD("generic:11", 0)) },
                },
                /* Python at exit, a refusal by seccomp, a bad attribute, MySQL's count of lines it
                 * suppressed */
                .unless = ANY(NEEDLE("interpreter shutdown", 18), NEEDLE("operation not permitted", 1),
                              WORD("eperm", 2), NEEDLE("invalid argument", 2),
                              NEEDLE("error(s) suppressed", 5)),
        },
        [TS_PATTERN_FORK_GENERIC] = {
                .info = { .id = "fork-generic",
                          .example = "Error: Function call 'fork' failed with error code 11, 'Resource "
                                     "temporarily unavailable'",
                          .summary = "cannot fork: resource temporarily unavailable",
                          .error = EAGAIN },
                .any = {
                        /* dash's "sh: 1: Cannot fork", Perl's "Can't fork", "FATAL -> Failed to fork." say
                         * no more */
                        { .first = ANY(NEEDLE("cannot fork", 10), NEEDLE("can't fork", 9),
                                       NEEDLE("failed to fork", 13), NEEDLE("'fork' failed", 4),
                                       NEEDLE("fork() failed", 3)),
                          .then = eagain,
                          .or_last = true },
                        { .first = ANY(NEEDLE("could not fork", 13), NEEDLE("couldn't fork", 12),
                                       NEEDLE("unable to fork", 13), NEEDLE("pcntl_fork", 9),
                                       WORD("vfork", 4),
                                       NEEDLE("posix_spawn", 4), NEEDLE("failed to spawn", 13),
                                       NEEDLE("could not spawn", 13), NEEDLE("unable to spawn", 3),
                                       NEEDLE("cannot spawn", 10), NEEDLE("can't spawn", 3),
                                       NEEDLE("clone: ", 5), NEEDLE("clone(", 5), NEEDLE("clone3", 0),
                                       NEEDLE("cannot run program", 14)),
                          .then = eagain },
                        /* node's "Error: spawn /bin/sh EAGAIN", and as JSON:
                         * {"code":"EAGAIN",...,"syscall":"spawn /bin/sh"} */
                        { .first = ANY(NEEDLE("spawn ", 3)), .then = ANY(WORD("eagain", 2)) },
                        { .first = ANY(WORD("eagain", 2)), .then = ANY(NEEDLE("\"syscall\":\"spawn", 13)) },
                        /* exec refused (RLIMIT_NPROC after setuid): su, sudo */
                        { .first = ANY(WORD("su: ", 2), NEEDLE("failed to execute ", 11),
                                       NEEDLE("unable to execute ", 11), NEEDLE("execve", 1)),
                          .then = eagain_words },
                        { .first = ANY(NEEDLE("cannot fork user shell", 10)) },
                        /* Ruby's "Resource temporarily unavailable - fork(2)", LXC's "... - Failed to
                         * exec" */
                        { .first = ANY(NEEDLE("resource temporarily unavailable - ", 24)),
                          .then = ANY(WORD("fork", 3), NEEDLE("failed to exec", 11), NEEDLE("clone", 0)) },
                        /* tcsh's and BSD's words for EAGAIN of fork: "fork: No more processes." */
                        { .first = ANY(NEEDLE("no more processes", 8)) },
                },
        },
};

/* Every message that can match holds one of these: a line without any is done with after a few
 * memchr() passes. */
static const Needle prefilter[] = {
        NEEDLE("unavailable", 3),
        NEEDLE("fork", 3),   /* "fork failed", "fork: retry:", the kernel's: need not say "unavailable" */
        NEEDLE("thread", 5), /* "pthread_create failed", Java's, Go's, Python's */
        NEEDLE("spawn", 3),
        NEEDLE("clone", 0),
        NEEDLE("quot", 0), /* "disk quota exceeded", EDQUOT */
        NEEDLE("eagain", 2),
        NEEDLE("system_error", 1),
        NEEDLE("run program", 7),
        NEEDLE("more processes", 5),
};

/* Words of a line that reports a task that another process could not create: the container
 * runtime's (runc or crun, run by containerd's shim, conmon) relayed by the daemon that logs it. Its
 * fork was refused in the cgroup where that process ran, which may be another unit's. */
static const Needle relay_markers[] = {
        NEEDLE("oci runtime", 9), /* "OCI runtime create failed", "... exec failed", "OCI runtime error" */
        NEEDLE("runc create failed", 12),
        NEEDLE("failed to create shim", 18), /* containerd: "failed to create shim task: ..." */
        NEEDLE("error during container init", 11),
};

static unsigned char lower(unsigned char c) {
        return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool is_alnum(unsigned char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Whether the character before p, in a message that starts at lo, is part of a word. An escape
 * ("\t" of "\tfork") is not. */
static bool word_before(const char *lo, const char *p) {
        return p > lo && is_alnum((unsigned char)p[-1]) && !(p - 1 > lo && p[-2] == '\\');
}

/* Whether the needle is at q (its anchor byte) in [from, end); the backslashes that escaping puts
 * into a line (\" \/ \_ \') are skipped. *ret_start and *ret_end get what it covers. lo is where
 * the message starts, for the word check. */
static bool match_at(const char *lo, const char *from, const char *end, const char *q, const Needle *n,
                     const char **ret_start, const char **ret_end) {
        const char *p = q;
        for (size_t i = n->anchor; i < n->len; p++) {
                if (p >= end)
                        return false;
                if (*p == '\\')
                        continue;
                if (lower((unsigned char)*p) != (unsigned char)n->text[i])
                        return false;
                i++;
        }
        const char *start = q;
        for (size_t i = n->anchor; i > 0;) {
                if (start <= from)
                        return false;
                start--;
                if (*start == '\\')
                        continue;
                if (lower((unsigned char)*start) != (unsigned char)n->text[i - 1])
                        return false;
                i--;
        }
        if (n->word) {
                bool starts = is_alnum((unsigned char)n->text[0]);
                bool ends = is_alnum((unsigned char)n->text[n->len - 1]);
                if ((starts && word_before(lo, start)) || (ends && p < end && is_alnum((unsigned char)*p)))
                        return false;
        }

        *ret_start = start;
        *ret_end = p;
        return true;
}

static const char *memchr_or_end(const char *p, int c, const char *end) {
        const char *q = p < end ? memchr(p, c, (size_t)(end - p)) : NULL;
        return q ? q : end;
}

/* Where the needle first is in [from, end), or NULL; *ret_end (when not NULL) gets where it ends.
 * lo <= from is where the message starts. */
static const char *find_in(const char *lo, const char *from, const char *end, const Needle *needle,
                           const char **ret_end) {
        if (needle->len == 0 || needle->len > (size_t)(end - from))
                return NULL;

        unsigned char c = (unsigned char)needle->text[needle->anchor];
        unsigned char upper = c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
        /* The anchor of a match lies in [first, last): escapes only ever make a match longer. */
        const char *first = from + needle->anchor;
        const char *last = end - (needle->len - needle->anchor - 1);

        const char *next_lower = memchr_or_end(first, c, last);
        const char *next_upper = upper != c ? memchr_or_end(first, upper, last) : last;
        for (;;) {
                const char *q = next_lower < next_upper ? next_lower : next_upper;
                if (q >= last)
                        return NULL;
                const char *start, *stop;
                if (match_at(lo, from, end, q, needle, &start, &stop)) {
                        if (ret_end)
                                *ret_end = stop;
                        return start;
                }
                if (q == next_lower)
                        next_lower = memchr_or_end(q + 1, c, last);
                else
                        next_upper = memchr_or_end(q + 1, upper, last);
        }
}

static bool find_any(const char *lo, const char *from, const char *end, const Needle *list) {
        for (const Needle *n = list; n->text; n++)
                if (find_in(lo, from, end, n, NULL))
                        return true;
        return false;
}

/* What may follow the last words of a message: blanks, punctuation, quotes, escapes. */
static bool is_trailing(char c) {
        return is_blank(c) || (c != '\0' && strchr(".!;:,)]'\"`\\", c));
}

/* Where the needle ends when the message [lo, end) ends with it, but for what is_trailing(); else
 * NULL. The needle itself must not end with such a character. */
static const char *find_last(const char *lo, const char *end, const Needle *n) {
        const char *stop = end;
        while (stop > lo && is_trailing(stop[-1]))
                stop--;

        const char *p = stop;
        for (size_t i = n->len; i > 0;) {
                if (p <= lo)
                        return NULL;
                p--;
                if (*p == '\\')
                        continue;
                if (lower((unsigned char)*p) != (unsigned char)n->text[i - 1])
                        return NULL;
                i--;
        }
        if (n->word && is_alnum((unsigned char)n->text[0]) && word_before(lo, p))
                return NULL;
        return stop;
}

/* A message, and which lists of `then` needles it holds anywhere: the lists of errno words are
 * tried by many alternatives, and an alternative whose `then` the message lacks is done with. */
typedef struct Message {
        const char *s, *end;
        const Needle *lists[8];
        bool holds[8];
        size_t n_lists;
} Message;

static bool message_holds(Message *m, const Needle *list) {
        for (size_t i = 0; i < m->n_lists; i++)
                if (m->lists[i] == list)
                        return m->holds[i];
        bool h = find_any(m->s, m->s, m->end, list);
        if (m->n_lists < ELEMENTSOF(m->lists)) {
                m->lists[m->n_lists] = list;
                m->holds[m->n_lists++] = h;
        }
        return h;
}

/* Where the alternative's first needle ends in the message, or NULL when it does not match. The
 * first place of a needle leaves the most room for `then`; only the last can end the message. */
static const char *match_alternative(Message *m, const Alternative *a) {
        bool then_held = a->then && message_holds(m, a->then);
        for (const Needle *f = a->first; f->text; f++) {
                const char *after;
                if (!a->then && !a->or_last) {
                        if (find_in(m->s, m->s, m->end, f, &after))
                                return after;
                        continue;
                }
                if (then_held && find_in(m->s, m->s, m->end, f, &after) &&
                    find_any(m->s, after, m->end, a->then))
                        return after;
                if (a->or_last && (after = find_last(m->s, m->end, f)))
                        return after;
        }
        return NULL;
}

static const char *match_pattern(Message *m, const PatternDef *d) {
        const char *after = NULL;
        for (size_t i = 0; i < ELEMENTSOF(d->any) && d->any[i].first && !after; i++)
                after = match_alternative(m, &d->any[i]);
        if (after && d->unless && find_any(m->s, m->s, m->end, d->unless))
                return NULL;
        return after;
}

/* The end of the message that starts at s: a line break, escaped ("\n" of JSON and klog) or not. */
static const char *message_end(const char *s, const char *end) {
        for (const char *p = s; p < end; p++)
                if (*p == '\n' || (*p == '\\' && p + 1 < end && p[1] == 'n'))
                        return p;
        return end;
}

/* The length of the cgroup path at p: up to a blank, a quote or the message's end, without the
 * backslashes an escaped quote leaves before it. */
static size_t cgroup_length(const char *p, const char *end) {
        size_t n = 0;
        while (p + n < end && !is_blank(p[n]) && p[n] != '"' && p[n] != '\'' && p[n] != '`')
                n++;
        while (n > 0 && p[n - 1] == '\\')
                n--;
        return n;
}

static bool may_match(const char *s, const char *end) {
        for (size_t i = 0; i < ELEMENTSOF(prefilter); i++)
                if (find_in(s, s, end, &prefilter[i], NULL))
                        return true;
        return false;
}

/* The rank in precedence[] of the first pattern before rank `best` that the message [s, end) is, or
 * best. For the kernel's line, *ret_cgroup and *ret_cgroup_len get its cgroup. */
static size_t match_message(const char *s, const char *end, size_t best, const char **ret_cgroup,
                            size_t *ret_cgroup_len) {
        if (!may_match(s, end))
                return best;
        Message m = { .s = s, .end = end };
        for (size_t r = 0; r < best; r++) {
                const PatternDef *d = &patterns[precedence[r]];
                const char *after = match_pattern(&m, d);
                if (!after)
                        continue;
                if (d->cgroup_follows) {
                        while (after < end && (*after == ' ' || *after == '\t'))
                                after++;
                        *ret_cgroup = after;
                        *ret_cgroup_len = cgroup_length(after, end);
                }
                return r;
        }
        return best;
}

TsPattern ts_pattern_match(const char *line, size_t len, const char **ret_cgroup, size_t *ret_cgroup_len) {
        if (!line || !may_match(line, line + len))
                return _TS_PATTERN_INVALID;

        /* Each message of the line on its own; the pattern first in precedence over all of them. */
        const char *end = line + len, *cgroup = NULL;
        size_t best = ELEMENTSOF(precedence), cgroup_len = 0;
        for (const char *s = line; best > 0;) {
                const char *e = message_end(s, end);
                best = match_message(s, e, best, &cgroup, &cgroup_len);
                if (e == end)
                        break;
                s = e + (*e == '\n' ? 1 : 2);
        }
        if (best == ELEMENTSOF(precedence))
                return _TS_PATTERN_INVALID;

        TsPattern p = precedence[best];
        if (patterns[p].cgroup_follows) {
                if (ret_cgroup)
                        *ret_cgroup = cgroup;
                if (ret_cgroup_len)
                        *ret_cgroup_len = cgroup_len;
        }
        return p;
}

const TsPatternInfo *ts_pattern_info(TsPattern p) {
        return p >= 0 && p < _TS_PATTERN_MAX ? &patterns[p].info : NULL;
}

const char *ts_pattern_to_string(TsPattern p) {
        return p >= 0 && p < _TS_PATTERN_MAX ? patterns[p].info.id : NULL;
}

bool ts_pattern_relayed(const char *line, size_t len) {
        for (size_t i = 0; line && i < ELEMENTSOF(relay_markers); i++)
                if (find_in(line, line, line + len, &relay_markers[i], NULL))
                        return true;
        return false;
}
