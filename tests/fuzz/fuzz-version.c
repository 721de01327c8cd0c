/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: version strings as distros write them (ts_version_compare(), _at_least(),
 * _major()). The input is two versions separated by the first NUL or newline; the ordering must be
 * antisymmetric and reflexive, agree with _at_least() and with the leading numbers, and put NULL
 * first. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int r) {
        return (r > 0) - (r < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t split = 0;
        while (split < size && data[split] != 0 && data[split] != '\n')
                split++;
        size_t size_b = split < size ? size - split - 1 : 0;

        /* NUL-terminated copies, as os-release, `systemd --version` and scenario files give them. */
        _cleanup_(freep) char *a = strndup((const char *)data, split);
        _cleanup_(freep) char *b = malloc(size_b + 1);
        if (!a || !b)
                return 0;
        memcpy(b, data + size - size_b, size_b);
        b[size_b] = 0;

        int ab = ts_version_compare(a, b), ba = ts_version_compare(b, a);
        if (ab < -1 || ab > 1 || sign(ab) != -sign(ba))
                abort();
        if (ts_version_compare(a, a) != 0 || ts_version_compare(b, b) != 0)
                abort();
        if (ts_version_compare(a, NULL) != 1 || ts_version_compare(NULL, a) != -1)
                abort();
        if (ts_version_at_least(a, b) != (ab >= 0) || ts_version_at_least(b, a) != (ba >= 0))
                abort();

        /* A smaller leading number is an older version, whatever follows. */
        unsigned ma, mb;
        if (ts_version_major(a, &ma) >= 0 && ts_version_major(b, &mb) >= 0 && ma != mb &&
            ab != (ma < mb ? -1 : 1))
                abort();
        return 0;
}
