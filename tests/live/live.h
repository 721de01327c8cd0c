/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the live tests: they need a running systemd, and say why they skip when there is none
 * (or fail, when TASKSTORM_REQUIRE_LIVE is set, as CI sets it: a skip there hides a broken setup). */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

static inline void live_require_systemd(void) {
        if (sd_booted() > 0)
                return;
        if (getenv("TASKSTORM_REQUIRE_LIVE")) {
                printf("1..1\nnot ok 1 - PID 1 is not systemd, and TASKSTORM_REQUIRE_LIVE forbids skipping "
                       "(run this suite inside 'taskstorm sandbox')\n");
                exit(EXIT_FAILURE);
        }
        printf("1..0 # SKIP PID 1 is not systemd: run this suite inside 'taskstorm sandbox -- meson test "
               "--suite live'\n");
        exit(EXIT_SUCCESS);
}
