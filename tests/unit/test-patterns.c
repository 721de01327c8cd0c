/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pattern table on the lines daemons and the kernel really write (the vendor article's, Go's,
 * bash's, Apache's, the JVM's, MySQL's, Rust's, node's), in any case and escaped, with the errno each
 * pattern stands for, which one wins where a line holds two, the near-misses that must not match,
 * and the cgroup path of the kernel's line; then every line of fixtures/patterns/real-lines.txt. */
#include <check.h>
#include <errno.h>

#include "fixture.h"
#include "patterns.h"
#include "time-util.h"

static TsPattern match(const char *line) {
        return ts_pattern_match(line, strlen(line), NULL, NULL);
}

static void assert_match(const char *line, TsPattern want) {
        TsPattern have = match(line);
        ck_assert_msg(have == want, "'%s': expected %s, got %s", line, strempty(ts_pattern_to_string(want)),
                      have < 0 ? "no match" : ts_pattern_to_string(have));
}

static void assert_no_match(const char *line) {
        TsPattern p = match(line);
        ck_assert_msg(p == _TS_PATTERN_INVALID, "'%s' matched %s", line, ts_pattern_to_string(p));
}

typedef struct Case {
        const char *line;
        TsPattern pattern;
        int error; /* what ts_pattern_info(pattern)->error must say */
} Case;

static void assert_cases(const Case *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                assert_match(cases[i].line, cases[i].pattern);
                int error = ts_pattern_info(cases[i].pattern)->error;
                ck_assert_msg(error == cases[i].error, "'%s': %s means errno %d", cases[i].line,
                              ts_pattern_to_string(cases[i].pattern), error);
        }
}

START_TEST(test_table) {
        /* The first six keep their place and id (JSON output uses the ids as keys). */
        static const struct {
                const char *id;
                int error;
        } table[] = {
                { "fork-exec", EAGAIN },     { "cgo-pthread", EAGAIN },   { "go-new-thread", EAGAIN },
                { "fork-failed", EAGAIN },   { "apr-thread", EAGAIN },    { "kernel-pids", EAGAIN },
                { "fork-enomem", ENOMEM },   { "keyring-quota", EDQUOT }, { "java-thread", EAGAIN },
                { "thread-create", EAGAIN }, { "fork-generic", EAGAIN },
        };
        ck_assert_uint_eq(ELEMENTSOF(table), _TS_PATTERN_MAX);
        for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++) {
                const TsPatternInfo *info = ts_pattern_info(p);
                ck_assert(info);
                ck_assert_str_eq(info->id, table[p].id);
                ck_assert_str_eq(ts_pattern_to_string(p), table[p].id);
                ck_assert_int_eq(info->error, table[p].error);
                ck_assert(info->summary && *info->summary);
                /* Every example matches its own pattern and nothing else. */
                ck_assert(info->example && *info->example);
                assert_match(info->example, p);
                ck_assert(info->kernel == (p == TS_PATTERN_KERNEL_PIDS));
        }
        ck_assert(!ts_pattern_info(_TS_PATTERN_MAX));
        ck_assert(!ts_pattern_info(_TS_PATTERN_INVALID));
        ck_assert(!ts_pattern_to_string(_TS_PATTERN_MAX));
        ck_assert(!ts_pattern_to_string(-1));
}
END_TEST

START_TEST(test_article_lines) {
        /* The lines of the vendor article, as they are. */
        assert_match("fork/exec /proc/self/exe: resource temporarily unavailable", TS_PATTERN_FORK_EXEC);
        assert_match("level=error msg=\"Error running container: [8] System error: fork/exec "
                     "/proc/self/exe: resource temporarily unavailable\"",
                     TS_PATTERN_FORK_EXEC);
        assert_match("Resource temporarily unavailable: apr_thread_create: unable to create worker thread",
                     TS_PATTERN_APR_THREAD);
        assert_match("fork failed: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED);
        assert_match("runtime/cgo: pthread_create failed: Resource temporarily unavailable",
                     TS_PATTERN_CGO_PTHREAD);
}
END_TEST

START_TEST(test_real_variants) {
        static const struct {
                const char *line;
                TsPattern pattern;
        } cases[] = {
                /* dockerd / runc through the journal */
                { "Mar 02 11:10:12 node-7 dockerd[1288]: time=\"2018-03-02T11:10:12Z\" level=error "
                  "msg=\"Handler for POST /v1.35/containers/4b1d/start returned error: OCI runtime create "
                  "failed: container_linux.go:348: starting container process caused \\\"fork/exec "
                  "/proc/self/exe: resource temporarily unavailable\\\": unknown\"",
                  TS_PATTERN_FORK_EXEC },
                { "fork/exec /usr/bin/iptables: resource temporarily unavailable", TS_PATTERN_FORK_EXEC },
                /* Go */
                { "runtime: failed to create new OS thread (have 4903 already; errno=11)",
                  TS_PATTERN_GO_NEW_THREAD },
                { "Oct 10 08:14:47 k8s-node-3 kubelet[2214]: runtime: failed to create new OS thread (have "
                  "11 already; errno=11)",
                  TS_PATTERN_GO_NEW_THREAD },
                { "runtime/cgo: pthread_create failed: Resource temporarily unavailable\r",
                  TS_PATTERN_CGO_PTHREAD },
                /* shells and daemons that fork */
                { "bash: fork: retry: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED },
                { "-bash: fork: retry: No child processes", TS_PATTERN_FORK_FAILED },
                { "bash: fork: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED },
                { "sh: 1: Cannot fork: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED },
                { "ERROR: Job failed: fork failed: Resource temporarily unavailable  job=88213",
                  TS_PATTERN_FORK_FAILED },
                /* Apache 2.4 puts its message code in the middle */
                { "[mpm_worker:alert] [pid 2290:tid 1402] (11)Resource temporarily unavailable: AH00282: "
                  "apr_thread_create: unable to create worker thread",
                  TS_PATTERN_APR_THREAD },
                /* the kernel */
                { "cgroup: fork rejected by pids controller in /system.slice/docker.service",
                  TS_PATTERN_KERNEL_PIDS },
                { "[12345.678901] cgroup: fork rejected by pids controller in /user.slice/user-1000.slice",
                  TS_PATTERN_KERNEL_PIDS },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                assert_match(cases[i].line, cases[i].pattern);
}
END_TEST

START_TEST(test_case_insensitive) {
        assert_match("FORK/EXEC /PROC/SELF/EXE: RESOURCE TEMPORARILY UNAVAILABLE", TS_PATTERN_FORK_EXEC);
        assert_match("Fork/Exec /proc/self/exe: Resource Temporarily Unavailable", TS_PATTERN_FORK_EXEC);
        assert_match("RUNTIME/CGO: PTHREAD_CREATE FAILED: RESOURCE TEMPORARILY UNAVAILABLE",
                     TS_PATTERN_CGO_PTHREAD);
        assert_match("runtime: Failed To Create New os THREAD (have 2 already; errno=11)",
                     TS_PATTERN_GO_NEW_THREAD);
        assert_match("FORK FAILED: resource temporarily unavailable", TS_PATTERN_FORK_FAILED);
        assert_match("Apr_Thread_Create: Unable To Create Worker Thread", TS_PATTERN_APR_THREAD);
        assert_match("cgroup: FORK REJECTED BY PIDS CONTROLLER IN /System.slice/X.service",
                     TS_PATTERN_KERNEL_PIDS);
        assert_match("-BASH: FORK: CANNOT ALLOCATE MEMORY", TS_PATTERN_FORK_ENOMEM);
        assert_match("Join Session Keyring: Create Session Key: Disk Quota Exceeded",
                     TS_PATTERN_KEYRING_QUOTA);
        assert_match("JAVA.LANG.OUTOFMEMORYERROR: UNABLE TO CREATE NEW NATIVE THREAD",
                     TS_PATTERN_JAVA_THREAD);
        assert_match("CAN'T CREATE THREAD TO HANDLE REQUEST (ERRNO= 11)", TS_PATTERN_THREAD_CREATE);
        assert_match("/BIN/SH: 1: CANNOT FORK", TS_PATTERN_FORK_GENERIC);
}
END_TEST

START_TEST(test_enomem) {
        /* A task refused for want of memory: memory or a memory limit, a dead pid namespace, or pid_max
         * on kernels before 4.1; never TasksMax. */
        static const Case cases[] = {
                { "fork: Cannot allocate memory", TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "-bash: fork: Cannot allocate memory", TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "nsenter: Unable to fork: Cannot allocate memory", TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "clone: Cannot allocate memory", TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "vfork: Cannot allocate memory", TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "posix_spawn: Cannot allocate memory", TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "pthread_create failed: Cannot allocate memory", TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "runtime: failed to create new OS thread (have 9 already; errno=12)",
                  TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "fork/exec /proc/self/exe: cannot allocate memory", TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "Error: spawn ENOMEM", TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "java.io.IOException: Cannot run program \"git\": error=12, Cannot allocate memory",
                  TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "Error: Function call 'fork' failed with error code 12, 'Cannot allocate memory'",
                  TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "failed to spawn thread: Os { code: 12, kind: OutOfMemory, message: \"Cannot allocate "
                  "memory\" }",
                  TS_PATTERN_FORK_ENOMEM, ENOMEM },
        };
        assert_cases(cases, ELEMENTSOF(cases));
}
END_TEST

START_TEST(test_keyring_quota) {
        /* EDQUOT from the kernel keyring: runc's and crun's session keyring per container */
        static const Case cases[] = {
                { "unable to join session keyring: unable to create session key: disk quota exceeded",
                  TS_PATTERN_KEYRING_QUOTA, EDQUOT },
                { "container_linux.go:380: starting container process caused: process_linux.go:545: "
                  "container init caused: join session keyring: create session key: disk quota exceeded: "
                  "unknown",
                  TS_PATTERN_KEYRING_QUOTA, EDQUOT },
                { "oci runtime error: could not synchronise with container process: could not create "
                  "session key: disk quota exceeded",
                  TS_PATTERN_KEYRING_QUOTA, EDQUOT },
                { "Error: OCI runtime error: crun: create keyring `4a680378ec67`: Disk quota exceeded",
                  TS_PATTERN_KEYRING_QUOTA, EDQUOT },
                { "join_session_keyring: Disk quota exceeded", TS_PATTERN_KEYRING_QUOTA, EDQUOT },
                { "keyctl: Disk quota exceeded", TS_PATTERN_KEYRING_QUOTA, EDQUOT },
                { "KEYCTL_JOIN_SESSION_KEYRING: Disk quota exceeded", TS_PATTERN_KEYRING_QUOTA, EDQUOT },
                { "add_key: Disk quota exceeded", TS_PATTERN_KEYRING_QUOTA, EDQUOT },
                { "keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL) = -1 EDQUOT (Disk quota exceeded)",
                  TS_PATTERN_KEYRING_QUOTA, EDQUOT },
        };
        assert_cases(cases, ELEMENTSOF(cases));
}
END_TEST

START_TEST(test_java_thread) {
        static const Case cases[] = {
                { "java.lang.OutOfMemoryError: unable to create new native thread", TS_PATTERN_JAVA_THREAD,
                  EAGAIN },
                { "Exception in thread \"main\" java.lang.OutOfMemoryError: unable to create native thread: "
                  "possibly out of memory or process/resource limits reached",
                  TS_PATTERN_JAVA_THREAD, EAGAIN },
                { "[1.573s][warning][os,thread] Failed to start thread \"Unknown thread\" - pthread_create "
                  "failed (EAGAIN) for attributes: stacksize: 1024k, guardsize: 0k, detached.",
                  TS_PATTERN_JAVA_THREAD, EAGAIN },
                { "# Cannot create worker GC thread. Out of system resources.", TS_PATTERN_JAVA_THREAD,
                  EAGAIN },
                { "Cannot create GC thread. Out of system resources.", TS_PATTERN_JAVA_THREAD, EAGAIN },
                { "[0.012s][warning][os,thread] Failed to start the native thread for java.lang.Thread "
                  "\"pool-1\"",
                  TS_PATTERN_JAVA_THREAD, EAGAIN },
        };
        assert_cases(cases, ELEMENTSOF(cases));
}
END_TEST

START_TEST(test_thread_create) {
        static const Case cases[] = {
                /* pthread_create's own name, anywhere but Go's runtime/cgo */
                { "Thread::try_create(): pthread_create failed with error 11", TS_PATTERN_THREAD_CREATE,
                  EAGAIN },
                { "pthread_create failed: Resource temporarily unavailable", TS_PATTERN_THREAD_CREATE,
                  EAGAIN },
                { "pthread_create failed: EAGAIN", TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "Failed to create service entry worker thread: pthread_create failed",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "0 0 0 pthread_create(): Resource temporarily unavailable", TS_PATTERN_THREAD_CREATE,
                  EAGAIN },
                { "OpenBLAS blas_thread_init: pthread_create: Resource temporarily unavailable",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                /* MySQL, MariaDB, Ruby, git, fuse, MongoDB, bdwgc, Varnish */
                { "Can't create thread to handle request (errno= 11)", TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "[ERROR] [MY-010249] [Server] Can't create thread to handle new connection(errno= 11)",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "can't create new thread", TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "Error: can't create Thread (11)", TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "fatal: unable to create thread: Resource temporarily unavailable",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "fuse: error creating thread: Resource temporarily unavailable", TS_PATTERN_THREAD_CREATE,
                  EAGAIN },
                { "Thread creation failed", TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "Failed to create thread #2: Resource temporarily unavailable", TS_PATTERN_THREAD_CREATE,
                  EAGAIN },
                { "Create worker thread failed 11 Resource temporarily unavailable",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                /* Rust: std, rayon, tokio */
                { "thread 'main' panicked at 'failed to spawn thread: Os { code: 11, kind: WouldBlock, "
                  "message: \"Resource temporarily unavailable\" }', library/std/src/thread/mod.rs:718:29",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "could not spawn threads: ThreadPoolBuildError { kind: IOError(Os { code: 11, kind: "
                  "WouldBlock, message: \"Resource temporarily unavailable\" }) }",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "thread 'main' panicked at 'OS can't spawn worker thread: Resource temporarily "
                  "unavailable (os error 11)'",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                /* C++ and Boost */
                { "terminate called after throwing an instance of 'std::system_error'  what():  Resource "
                  "temporarily unavailable",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "Caught system_error with code generic:11 meaning Resource temporarily unavailable",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "boost::thread_resource_error: boost thread: trouble creating thread: Resource "
                  "temporarily unavailable",
                  TS_PATTERN_THREAD_CREATE, EAGAIN },
                /* Python 2 and 3 */
                { "RuntimeError: can't start new thread", TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "thread.error: can't start new thread", TS_PATTERN_THREAD_CREATE, EAGAIN },
        };
        assert_cases(cases, ELEMENTSOF(cases));
}
END_TEST

START_TEST(test_fork_generic) {
        static const Case cases[] = {
                { "Error: Function call 'fork' failed with error code 11, 'Resource temporarily "
                  "unavailable'",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                /* dash says no more than that; neither does Perl nor EasyEngine */
                { "/bin/sh: 1: Cannot fork", TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "Mar 14 15:59:54 learner laptop_mode[12785]: /usr/sbin/laptop_mode: 31: "
                  "/usr/share/laptop-mode-tools/modules/runtime-pm: Cannot fork",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "Can't fork", TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "FATAL -> Failed to fork.", TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "error: cannot fork() for remote-https: Resource temporarily unavailable",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "unable to fork: EAGAIN", TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "LOG:  could not fork new process for connection: Resource temporarily unavailable",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "WARNING: couldn't fork child process: resource temporarily unavailable",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "fork() failed: Resource temporarily unavailable", TS_PATTERN_FORK_GENERIC, EAGAIN },
                /* tcsh and BSD name EAGAIN of fork so */
                { "fork: No more processes.", TS_PATTERN_FORK_GENERIC, EAGAIN },
                /* su and sudo: the exec after setuid, refused by RLIMIT_NPROC */
                { "su: cannot fork user shell", TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "su: failed to execute /bin/bash: Resource temporarily unavailable",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "su: /sbin/nologin: Resource temporarily unavailable", TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "sudo: unable to execute /bin/bash: Resource temporarily unavailable",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                /* spawn and clone, node, crun, strace */
                { "posix_spawn failed: Resource temporarily unavailable", TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "Error: spawn /bin/sh EAGAIN", TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "ERROR 12386 nodejs.EAGAINError: spawn /opt/node/bin/node EAGAIN (uncaughtException)",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "{\"code\":\"EAGAIN\",\"errno\":\"EAGAIN\",\"syscall\":\"spawn /bin/sh\",\"path\":\"sh\"}",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "Error: OCI runtime error: crun: clone: Resource temporarily unavailable",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f) = -1 "
                  "EAGAIN (Resource temporarily unavailable)",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "vfork() failed: Resource temporarily unavailable", TS_PATTERN_FORK_GENERIC, EAGAIN },
                /* PHP, Java, Ruby, LXC */
                { "PHP Warning:  pcntl_fork(): Error 11 in /var/www/worker.php on line 12",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "java.io.IOException: Cannot run program \"git\": error=11, Resource temporarily "
                  "unavailable",
                  TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "Errno::EAGAIN: Resource temporarily unavailable - fork(2)", TS_PATTERN_FORK_GENERIC,
                  EAGAIN },
                { "Resource temporarily unavailable - Failed to exec \"sh\"", TS_PATTERN_FORK_GENERIC,
                  EAGAIN },
        };
        assert_cases(cases, ELEMENTSOF(cases));
}
END_TEST

START_TEST(test_errno_wins) {
        /* What the line says the errno is wins over the EAGAIN pattern its words would match. */
        static const Case cases[] = {
                { "runtime: failed to create new OS thread (have 9 already; errno=12)",
                  TS_PATTERN_FORK_ENOMEM, ENOMEM }, /* not go-new-thread */
                { "fork/exec /proc/self/exe: cannot allocate memory", TS_PATTERN_FORK_ENOMEM,
                  ENOMEM }, /* not fork-exec */
                { "fork failed: Cannot allocate memory", TS_PATTERN_FORK_ENOMEM,
                  ENOMEM }, /* not fork-failed */
                { "runtime/cgo: pthread_create failed: Cannot allocate memory", TS_PATTERN_FORK_ENOMEM,
                  ENOMEM }, /* not cgo-pthread */
                { "[warning][os,thread] Failed to start thread \"Unknown thread\" - pthread_create failed "
                  "(ENOMEM) for attributes: stacksize: 1024k",
                  TS_PATTERN_FORK_ENOMEM, ENOMEM }, /* not java-thread */
                { "Can't create thread to handle request (errno= 12)", TS_PATTERN_FORK_ENOMEM,
                  ENOMEM }, /* not thread-create */
                { "Function call 'fork' failed with error code 12, 'Cannot allocate memory'",
                  TS_PATTERN_FORK_ENOMEM, ENOMEM }, /* not fork-generic */
                /* the keyring, whatever else the runtime's message holds */
                { "OCI runtime create failed: runc create failed: fork/exec /proc/self/exe: resource "
                  "temporarily unavailable: join session keyring: create session key: disk quota exceeded",
                  TS_PATTERN_KEYRING_QUOTA, EDQUOT },
                /* a number is a number: 120 is neither 11 nor 12 (go-new-thread takes any errno, as it
                 * did) */
                { "runtime: failed to create new OS thread (have 9 already; errno=120)",
                  TS_PATTERN_GO_NEW_THREAD, EAGAIN },
        };
        assert_cases(cases, ELEMENTSOF(cases));
        assert_no_match("pthread_create: error 110");
        assert_no_match("clone: errno=111");
        assert_no_match("fork: errno 112");
}
END_TEST

START_TEST(test_escaped) {
        /* Inside JSON and klog (quotes, slashes, line breaks escaped, sometimes twice), markdown (\[ \_),
         * shells (\'): the backslashes are skipped, and "\n" ends one message and starts the next. */
        static const Case cases[] = {
                { "netplugin failed: \\\"runtime: failed to create new OS thread (have 9 already; "
                  "errno=11)\\\\nruntime: may need to increase max user processes (ulimit -u)\\\\nfatal "
                  "error: newosproc\\\\n\\\"",
                  TS_PATTERN_GO_NEW_THREAD, EAGAIN },
                { "\\\"runtime: failed to create new OS thread (have 9 already; errno=11)\\\\n\\\"",
                  TS_PATTERN_GO_NEW_THREAD, EAGAIN },
                { "\\\"runtime: failed to create new OS thread (have 9 already; errno=12)\\\\n\\\"",
                  TS_PATTERN_FORK_ENOMEM, ENOMEM },
                { "msg=\\\"fork\\/exec \\/proc\\/self\\/exe: resource temporarily unavailable\\\"",
                  TS_PATTERN_FORK_EXEC, EAGAIN },
                { "runtime\\/cgo: pthread\\_create failed: Resource temporarily unavailable",
                  TS_PATTERN_CGO_PTHREAD, EAGAIN },
                { "kernel: \\[65567.582895\\] cgroup: fork rejected by pids controller in "
                  "/system.slice/a.service",
                  TS_PATTERN_KERNEL_PIDS, EAGAIN },
                { "apr\\_thread\\_create: unable to create worker thread", TS_PATTERN_APR_THREAD, EAGAIN },
                { "join\\_session\\_keyring: disk quota exceeded", TS_PATTERN_KEYRING_QUOTA, EDQUOT },
                { "Can\\'t create thread to handle request (errno= 11)", TS_PATTERN_THREAD_CREATE, EAGAIN },
                { "java.lang.OutOfMemoryError: unable to create new native thread\\n\\tat "
                  "java.lang.Thread.start0",
                  TS_PATTERN_JAVA_THREAD, EAGAIN },
                { "\\\"/bin/sh: 1: Cannot fork\\\\n\\\"", TS_PATTERN_FORK_GENERIC, EAGAIN },
                { "x\\n\\tfork: Cannot allocate memory", TS_PATTERN_FORK_ENOMEM, ENOMEM },
                /* two messages on one line: the one first in precedence */
                { "runtime: failed to create new OS thread (have 9 already; errno=11)\\nruntime: failed to "
                  "create new OS thread (have 10 already; errno=12)",
                  TS_PATTERN_FORK_ENOMEM, ENOMEM },
        };
        assert_cases(cases, ELEMENTSOF(cases));
        /* the words of one message do not complete those of another */
        assert_no_match("fork/exec /usr/bin/runc: no such file or directory\\nread: resource temporarily "
                        "unavailable");
        assert_no_match("fork/exec /usr/bin/runc: no such file or directory\nread: resource temporarily "
                        "unavailable");
        assert_no_match("terminate called after throwing an instance of 'std::system_error'\\n  what():  "
                        "Resource temporarily unavailable");
        assert_no_match("I cannot fork the repo\\nread: resource temporarily unavailable");
}
END_TEST

START_TEST(test_near_misses) {
        static const char *const lines[] = {
                "",
                "Started Docker Application Container Engine.",
                /* fork/exec without EAGAIN: a missing binary, not a task limit (with ENOMEM: fork-enomem) */
                "fork/exec /usr/bin/runc: no such file or directory",
                /* EAGAIN without fork/exec words: not one of the patterns */
                "read unix @->/run/containerd.sock: resource temporarily unavailable",
                "write /dev/kmsg: Resource temporarily unavailable",
                /* halves, and the words in the wrong order */
                "resource temporarily unavailable: fork/exec /proc/self/exe",
                "pthread_create",
                "pthread_create: failed",
                "runtime: failed to create new thread",
                "apr_thread_create: unable to create worker",
                "fork rejected by pids",
                "cgroup: fork rejected by cpu controller in /system.slice/x.service",
                "forked: Resource temporarily unavailable",
                "a fork: in the road",
                "resource temporarily unavail",
                "temporarily unavailable",
                "fork",
                "f",
                /* EAGAIN that is not about a task: reads, writes, sockets, locks, semaphores */
                "read: resource temporarily unavailable",
                "write /dev/stdout: resource temporarily unavailable",
                "accept4: resource temporarily unavailable",
                "dial unix /run/containerd/containerd.sock: connect: resource temporarily unavailable",
                "recvmsg: Resource temporarily unavailable",
                "[pid  2272] recvmsg(24, 0x7ffcced0aa80, MSG_DONTWAIT|MSG_NOSIGNAL) = -1 EAGAIN (Resource "
                "temporarily unavailable)",
                "Failed to lock /var/lib/apt/lists/lock: Resource temporarily unavailable",
                "flock: /var/lock/backup.lock: Resource temporarily unavailable",
                "flock failed: Resource temporarily unavailable",
                "socket recv failed: EWOULDBLOCK (Resource temporarily unavailable)",
                "send: Operation would block (EWOULDBLOCK)",
                "E: Could not get lock /var/lib/dpkg/lock-frontend - open (11: Resource temporarily "
                "unavailable)",
                "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another "
                "process using it? (11: Resource temporarily unavailable)",
                "sem_wait: Resource temporarily unavailable",
                "sem_trywait failed: EAGAIN",
                "pthread_mutex_trylock: Resource temporarily unavailable",
                "Browse recv failed - Resource temporarily unavailable.",
                "Error: EAGAIN, resource temporarily unavailable",
                "BlockingIOError: [Errno 11] Resource temporarily unavailable",
                "finish reading once, errno: 11",
                "Thread 7: recvmsg: Resource temporarily unavailable",
                "[thread 140230988035840] read: Resource temporarily unavailable",
                "spawn worker: accept4: resource temporarily unavailable",
                "spawned process 123; read: resource temporarily unavailable",
                "thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: Os { code: 11, "
                "kind: WouldBlock, message: \"Resource temporarily unavailable\" }'",
                /* healthy status lines */
                "Tasks: 36 (limit: 4915)",
                "   Tasks: 505 (Limit: 512)",
                "TasksCurrent=96",
                "Spawned 4 worker threads",
                "Starting thread pool with 8 threads",
                "Creating thread pool of 16 workers",
                /* fork in prose, and GitHub's forks */
                "The fork() system call creates a new process that runs the same program.",
                "After fork() the child gets a copy of the parent's memory.",
                "I can't fork the repository, GitHub says I already have a fork.",
                "Unable to fork repository",
                "Please fork the repo and open a pull request.",
                "Not able to start the container because of fork failure.",
                /* ENOMEM and EDQUOT that are not about a task */
                "mmap: Cannot allocate memory",
                "malloc(): Cannot allocate memory",
                "Forking server started; mmap: Cannot allocate memory",
                "write /var/lib/docker/overlay2/abc/diff/file: disk quota exceeded",
                "could not create session key: operation not permitted",
                /* a thread refused for another reason than a limit: seccomp, Python at exit */
                "pthread_create failed: Operation not permitted",
                "[0.003s][warning][os,thread] Failed to start thread \"GC Thread#0\" - pthread_create "
                "failed (EPERM)",
                "RuntimeError: can't create new thread at interpreter shutdown",
                /* lines that follow a failure, or count them: the failure's own line is the one */
                "runtime: may need to increase max user processes (ulimit -u)",
                "fatal error: newosproc",
                "Error log throttle: 150 'Can't create thread to handle new connection' error(s) suppressed",
                "OpenBLAS blas_thread_init: RLIMIT_NPROC 512 current, 1031280 max",
        };
        for (size_t i = 0; i < ELEMENTSOF(lines); i++)
                assert_no_match(lines[i]);
        ck_assert_int_eq(ts_pattern_match(NULL, 0, NULL, NULL), _TS_PATTERN_INVALID);
}
END_TEST

START_TEST(test_one_pattern_per_line) {
        /* fork/exec wins over fork failed; a fork/exec line without EAGAIN is not a fork failure */
        assert_match("fork failed: fork/exec /proc/self/exe: resource temporarily unavailable",
                     TS_PATTERN_FORK_EXEC);
        ck_assert_int_eq(match("fork/exec /bin/sh: fork failed"), _TS_PATTERN_INVALID);
        ck_assert_int_eq(match("fork/exec x: fork: retry: no child processes"), _TS_PATTERN_INVALID);
        /* the APR line holds "unavailable" and "thread" but only its own needle */
        assert_match("(11)Resource temporarily unavailable: apr_thread_create: unable to create worker "
                     "thread",
                     TS_PATTERN_APR_THREAD);

        /* The six keep what they had; the general patterns take what is left. */
        assert_match("sshd[1234]: fork: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED);
        assert_match("/bin/sh: can't fork: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED);
        assert_match("sudo: unable to fork: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED);
        assert_match("vfork: Resource temporarily unavailable", TS_PATTERN_FORK_FAILED);
        assert_match("ccache: error: Failed to fork: Resource temporarily unavailable",
                     TS_PATTERN_FORK_FAILED);
        assert_match("Error: runc: runc create failed: unable to start container process: fork failed: "
                     "Resource temporarily unavailable",
                     TS_PATTERN_FORK_FAILED);
        /* Go's cgo says runtime/cgo; any other "pthread_create failed" is thread-create's (it was
         * cgo-pthread's) */
        assert_match("level=error msg=\"OCI runtime create failed: runc create failed: unable to start "
                     "container process: error during container init: stderr: runtime/cgo: pthread_create "
                     "failed: Resource temporarily unavailable\"",
                     TS_PATTERN_CGO_PTHREAD);
        assert_match("Failed to create service entry worker thread: pthread_create failed",
                     TS_PATTERN_THREAD_CREATE);
        /* the JVM's before the general thread words; a thread's spawn before a process's */
        assert_match("Failed to start thread \"Unknown thread\" - pthread_create failed (EAGAIN) for "
                     "attributes: stacksize: 1024k, guardsize: 0k, detached.",
                     TS_PATTERN_JAVA_THREAD);
        assert_match("Cannot create worker GC thread. Out of system resources.", TS_PATTERN_JAVA_THREAD);
        assert_match("failed to spawn thread: Os { code: 11, kind: WouldBlock, message: \"Resource "
                     "temporarily unavailable\" }",
                     TS_PATTERN_THREAD_CREATE);
        assert_match("failed to spawn child: Resource temporarily unavailable", TS_PATTERN_FORK_GENERIC);
}
END_TEST

START_TEST(test_length_not_nul) {
        /* The length bounds the line: a needle past it does not count, NUL bytes inside do not stop it. */
        const char line[] = "fork/exec /proc/self/exe: resource temporarily unavailable";
        ck_assert_int_eq(ts_pattern_match(line, strlen(line) - 1, NULL, NULL), _TS_PATTERN_INVALID);
        ck_assert_int_eq(ts_pattern_match(line, 0, NULL, NULL), _TS_PATTERN_INVALID);
        const char with_nul[] = "x\0y fork/exec /proc/self/exe: resource temporarily unavailable";
        ck_assert_int_eq(ts_pattern_match(with_nul, sizeof with_nul - 1, NULL, NULL), TS_PATTERN_FORK_EXEC);
        /* Bytes above 0x7f are just bytes. */
        const char binary[] = "\xff\xfe\x80 fork failed: \xc3\x28 Resource temporarily unavailable \xe2\x82";
        ck_assert_int_eq(match(binary), TS_PATTERN_FORK_FAILED);
}
END_TEST

static void assert_cgroup(const char *line, const char *want) {
        const char *cg = (const char *)0x1;
        size_t len = 9999;
        ck_assert_int_eq(ts_pattern_match(line, strlen(line), &cg, &len), TS_PATTERN_KERNEL_PIDS);
        ck_assert_msg(len == strlen(want) && strneq(cg, want, len), "'%s': cgroup '%.*s', expected '%s'",
                      line, (int)len, cg, want);
}

START_TEST(test_kernel_cgroup) {
        assert_cgroup("cgroup: fork rejected by pids controller in /system.slice/docker.service",
                      "/system.slice/docker.service");
        assert_cgroup("May 15 10:04:51 batch-01 kernel: cgroup: fork rejected by pids controller in "
                      "/taskstorm-sandbox-4242/system.slice/x.scope",
                      "/taskstorm-sandbox-4242/system.slice/x.scope");
        /* up to whitespace, or the end of the line */
        assert_cgroup("cgroup: fork rejected by pids controller in /system.slice/a.service trailing words",
                      "/system.slice/a.service");
        assert_cgroup("cgroup: fork rejected by pids controller in /system.slice/a.service\r\n",
                      "/system.slice/a.service");
        assert_cgroup("cgroup: fork rejected by pids controller in /a\tb", "/a");
        assert_cgroup("cgroup: fork rejected by pids controller in /", "/");
        assert_cgroup("cgroup: fork rejected by pids controller in ", "");
        /* the path keeps its case */
        assert_cgroup("CGROUP: FORK REJECTED BY PIDS CONTROLLER IN /System.Slice/Docker.Service",
                      "/System.Slice/Docker.Service");
        /* a line wrapped before the path (chef-automate's dmesg) still counts, with no path */
        assert_cgroup("   [ 814.796021] cgroup: fork rejected by pids controller in", "");
        /* quoted and escaped: up to the quote, the escaped line break; systemd's own \x2d stays */
        assert_cgroup("{\"MESSAGE\":\"cgroup: fork rejected by pids controller in "
                      "/system.slice/x.service\",\"PRIORITY\":\"4\"}",
                      "/system.slice/x.service");
        assert_cgroup("msg=\\\"cgroup: fork rejected by pids controller in /system.slice/x.service\\\"",
                      "/system.slice/x.service");
        assert_cgroup("cgroup: fork rejected by pids controller in /system.slice/x.service\\nnext message",
                      "/system.slice/x.service");
        assert_cgroup("first message\\ncgroup: fork rejected by pids controller in /system.slice/y.service",
                      "/system.slice/y.service");
        assert_cgroup("cgroup: fork rejected by pids controller in "
                      "/system.slice/system-serial\\x2dgetty.slice/serial-getty@ttyS0.service",
                      "/system.slice/system-serial\\x2dgetty.slice/serial-getty@ttyS0.service");

        /* Other patterns leave the cgroup alone. */
        const char *cg = NULL;
        size_t len = 7;
        ck_assert_int_eq(ts_pattern_match("fork failed: Resource temporarily unavailable", 45, &cg, &len),
                         TS_PATTERN_FORK_FAILED);
        ck_assert_ptr_null(cg);
        ck_assert_uint_eq(len, 7);
}
END_TEST

START_TEST(test_many_lines) {
        /* A coarse guard on the prefilter's cost: a million ordinary journal lines, in a few seconds
         * even under the sanitizers (the benchmark measures it properly). */
        static const char *const ordinary[] = {
                "Mar 02 11:09:58 node-7 dockerd[1288]: time=\"2018-03-02T11:09:58.120584511Z\" level=info "
                "msg=\"Container 9f2c4e1a7b01 failed to exit within 10 seconds of signal 15 - using the "
                "force\"",
                "Mar 02 11:20:07 node-7 systemd[1]: Started Docker Application Container Engine.",
                "Aug 19 16:39:58 ci-runner-2 gitlab-runner[812]: Checking for jobs... received job=88213 "
                "runner=x7Hq2",
        };
        unsigned matched = 0;
        usec_t start = ts_now(CLOCK_MONOTONIC);
        for (unsigned i = 0; i < 1000000; i++) {
                const char *line = ordinary[i % ELEMENTSOF(ordinary)];
                matched += ts_pattern_match(line, strlen(line), NULL, NULL) >= 0;
        }
        usec_t took = ts_now(CLOCK_MONOTONIC) - start;
        ck_assert_uint_eq(matched, 0);
        ck_assert_msg(took < 5 * USEC_PER_SEC, "a million lines took %.2f s", (double)took / USEC_PER_SEC);
}
END_TEST

START_TEST(test_relayed) {
        /* failures of another process (the runtime's), relayed by the daemon that logs them */
        static const char *const relayed[] = {
                "level=error msg=\"Handler for POST /v1.41/containers/x/start returned error: OCI runtime create failed: "
                "runc create failed: unable to start container process: error during container init: stderr: "
                "runtime/cgo: pthread_create failed: Resource temporarily unavailable\"",
                "Error response from daemon: failed to create shim task: OCI runtime create failed: container_linux.go:380: "
                "starting container process caused: fork/exec /proc/self/exe: resource temporarily unavailable: unknown",
                "Error: runc: runc create failed: unable to start container process: fork failed: Resource temporarily "
                "unavailable",
                "Error: OCI RUNTIME ERROR: crun: fork: Resource temporarily unavailable",
        };
        /* the logging process's own task creation */
        static const char *const own[] = {
                "fork/exec /proc/self/exe: resource temporarily unavailable",
                "runtime/cgo: pthread_create failed: Resource temporarily unavailable",
                "fork failed: Resource temporarily unavailable",
                "runtime: failed to create new OS thread (have 9 already; errno=11)",
        };
        for (size_t i = 0; i < ELEMENTSOF(relayed); i++) {
                ck_assert_int_ge(match(relayed[i]), 0);
                ck_assert_msg(ts_pattern_relayed(relayed[i], strlen(relayed[i])), "not relayed: %s",
                              relayed[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                ck_assert_msg(!ts_pattern_relayed(own[i], strlen(own[i])), "relayed: %s", own[i]);
        ck_assert(!ts_pattern_relayed(NULL, 0));
        /* the length is the line's: a marker past it is not in it */
        ck_assert(!ts_pattern_relayed(relayed[0], 40));
}
END_TEST

/* The errno a line of fixtures/patterns/real-lines.txt gives by name. */
static int errno_of(const char *name, size_t len) {
        static const struct {
                const char *name;
                int error;
        } table[] = { { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM }, { "EDQUOT", EDQUOT } };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (len == strlen(table[i].name) && strneq(name, table[i].name, len))
                        return table[i].error;
        return -1;
}

static TsPattern pattern_of(const char *id, size_t len) {
        for (TsPattern p = 0; p < _TS_PATTERN_MAX; p++)
                if (len == strlen(ts_pattern_to_string(p)) && strneq(id, ts_pattern_to_string(p), len))
                        return p;
        return _TS_PATTERN_INVALID;
}

START_TEST(test_real_lines) {
        /* Lines as people posted them: "ID<TAB>ERRNO<TAB>LINE", "-" for both where no pattern may
         * match. */
        _cleanup_(freep) char *text = fixture_read("patterns/real-lines.txt");
        unsigned n = 0, negative = 0;
        for (char *line = text, *next; *line; line = next) {
                char *eol = strchrnul(line, '\n');
                next = *eol ? eol + 1 : eol;
                if (*line == '#' || eol == line)
                        continue;

                char *tab1 = memchr(line, '\t', (size_t)(eol - line));
                char *tab2 = tab1 ? memchr(tab1 + 1, '\t', (size_t)(eol - tab1 - 1)) : NULL;
                ck_assert_msg(tab2, "real-lines.txt: no ID<TAB>ERRNO<TAB>: %.*s", (int)(eol - line), line);
                const char *l = tab2 + 1;
                size_t len = (size_t)(eol - l);
                TsPattern have = ts_pattern_match(l, len, NULL, NULL);
                n++;

                if (tab1 - line == 1 && *line == '-') {
                        ck_assert_msg(have == _TS_PATTERN_INVALID, "'%.*s' matched %s", (int)len, l,
                                      ts_pattern_to_string(have));
                        negative++;
                        continue;
                }
                TsPattern want = pattern_of(line, (size_t)(tab1 - line));
                int error = errno_of(tab1 + 1, (size_t)(tab2 - tab1 - 1));
                ck_assert_msg(want >= 0 && error > 0, "real-lines.txt: bad id or errno: %.*s",
                              (int)(eol - line), line);
                ck_assert_msg(have == want, "'%.*s': expected %s, got %s", (int)len, l,
                              ts_pattern_to_string(want),
                              have < 0 ? "no match" : ts_pattern_to_string(have));
                ck_assert_int_eq(ts_pattern_info(have)->error, error);
        }
        /* the file was read, and holds both kinds */
        ck_assert_uint_ge(n, 100);
        ck_assert_uint_ge(negative, 10);
}
END_TEST

static Suite *patterns_suite(void) {
        Suite *s = suite_create("patterns");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_table);
        tcase_add_test(tc, test_article_lines);
        tcase_add_test(tc, test_real_variants);
        tcase_add_test(tc, test_case_insensitive);
        tcase_add_test(tc, test_enomem);
        tcase_add_test(tc, test_keyring_quota);
        tcase_add_test(tc, test_java_thread);
        tcase_add_test(tc, test_thread_create);
        tcase_add_test(tc, test_fork_generic);
        tcase_add_test(tc, test_errno_wins);
        tcase_add_test(tc, test_escaped);
        tcase_add_test(tc, test_near_misses);
        tcase_add_test(tc, test_one_pattern_per_line);
        tcase_add_test(tc, test_length_not_nul);
        tcase_add_test(tc, test_kernel_cgroup);
        tcase_add_test(tc, test_many_lines);
        tcase_add_test(tc, test_relayed);
        tcase_add_test(tc, test_real_lines);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return ts_test_run_suite(patterns_suite());
}
