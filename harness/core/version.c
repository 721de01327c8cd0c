/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Version ordering after systemd's strverscmp_improved() (itself after rpmvercmp()), written for the
 * version strings of systemd packages and kernels across distros. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "macro.h"
#include "version.h"

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* The characters that take part in the ordering; everything else is a plain separator. */
static bool is_version_char(char c) {
        return ascii_digit(c) || ascii_alpha(c) || (c != 0 && strchr("~-^.", c));
}

/* "v256" and "V256" are 256: tags and some distros prefix the number. */
static const char *skip_v_prefix(const char *s) {
        if ((s[0] == 'v' || s[0] == 'V') && ascii_digit(s[1]))
                return s + 1;
        return s;
}

/* The same result as CMP() on a memcmp()/strcmp() result, folded into -1, 0, 1. */
static int sign(int r) {
        return CMP(r, 0);
}

int ts_version_compare(const char *a, const char *b) {
        if (!a || !b)
                return CMP(a != NULL, b != NULL);

        a = skip_v_prefix(a);
        b = skip_v_prefix(b);

        for (;;) {
                const char *aa, *bb;
                int r;

                while (*a && !is_version_char(*a))
                        a++;
                while (*b && !is_version_char(*b))
                        b++;

                /* '~' marks a pre-release: older than anything else, the end of the string included. */
                if (*a == '~' || *b == '~') {
                        r = CMP(*a != '~', *b != '~');
                        if (r != 0)
                                return r;
                        a++;
                        b++;
                        continue;
                }

                /* Apart from '~', the string with more segments is newer. */
                if (*a == 0 || *b == 0)
                        return CMP(*a != 0, *b != 0);

                /* '-' separates version and release: "123-9" is older than "123.1-1". Then '^' (a patched
                 * release), then '.' (a point release). */
                for (const char *sep = "-^."; *sep; sep++)
                        if (*a == *sep || *b == *sep) {
                                r = CMP(*a != *sep, *b != *sep);
                                if (r != 0)
                                        return r;
                                a++;
                                b++;
                        }

                if (ascii_digit(*a) || ascii_digit(*b)) {
                        for (aa = a; ascii_digit(*aa); aa++)
                                ;
                        for (bb = b; ascii_digit(*bb); bb++)
                                ;

                        /* A numeric segment is newer than a missing or alphabetic one. */
                        r = CMP(a != aa, b != bb);
                        if (r != 0)
                                return r;

                        /* Compare as numbers without parsing them: drop leading zeros, then the longer
                         * run is larger, and runs of equal length compare as strings. */
                        while (*a == '0')
                                a++;
                        while (*b == '0')
                                b++;
                        r = CMP(aa - a, bb - b);
                        if (r != 0)
                                return r;
                        r = sign(memcmp(a, b, (size_t)(aa - a)));
                        if (r != 0)
                                return r;
                } else {
                        for (aa = a; ascii_alpha(*aa); aa++)
                                ;
                        for (bb = b; ascii_alpha(*bb); bb++)
                                ;

                        size_t na = (size_t)(aa - a), nb = (size_t)(bb - b);
                        r = sign(memcmp(a, b, na < nb ? na : nb));
                        if (r != 0)
                                return r;
                        r = CMP(na, nb);
                        if (r != 0)
                                return r;
                }

                a = aa;
                b = bb;
        }
}

int ts_version_at_least(const char *have, const char *want) {
        return ts_version_compare(have, want) >= 0;
}

int ts_version_major(const char *v, unsigned *ret) {
        if (!v)
                return -EINVAL;
        v = skip_v_prefix(v);
        if (!ascii_digit(*v))
                return -EINVAL;

        unsigned n = 0;
        for (; ascii_digit(*v); v++) {
                unsigned d = (unsigned)(*v - '0');
                if (n > (UINT_MAX - d) / 10)
                        return -ERANGE;
                n = n * 10 + d;
        }
        *ret = n;
        return 0;
}
