/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stop signals through a signalfd. Children get an empty signal mask back before they exec. */
#include <signal.h>
#include <sys/signalfd.h>

#include "macro.h"
#include "signals.h"

int cli_stop_signals_fd(void) {
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();
        int fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? negative_errno() : fd;
}

int cli_stop_signal_pending(int fd) {
        struct signalfd_siginfo si;
        if (read(fd, &si, sizeof si) != (ssize_t)sizeof si)
                return 0;
        return (int)si.ssi_signo;
}
