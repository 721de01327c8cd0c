/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: support bundles as `taskstorm check --log` reads them: the facts from the text
 * (ts_check_facts_from_text()), for the first unit the text shows and for a named one, then the
 * verdict from those facts (ts_check_judge()); and the test of text before them
 * (ts_bundle_text_check()). The text is passed without a NUL after it: both promise to read only
 * `size` bytes, and ASan holds them to that. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diagnosis.h"
#include "macro.h"
#include "offline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The judge's sentences are fixed-size buffers: each must end within its buffer. */
static void assert_terminated(const char *s, size_t size) {
        if (strnlen(s, size) >= size)
                abort();
}

static void check_one(const char *text, size_t size, const char *unit) {
        TsCheckFacts f = {};
        int r = ts_check_facts_from_text(text, size, unit, &f);
        if (r < 0)
                return;
        if (!f.offline)
                abort();

        TsCheckResult res;
        ts_check_judge(&f, TS_CHECK_DEFAULT_THRESHOLD, &res);
        assert_terminated(res.prereq_why, sizeof res.prereq_why);
        assert_terminated(res.why, sizeof res.why);
        assert_terminated(res.unknown, sizeof res.unknown);
        if (res.n_warnings > ELEMENTSOF(res.warnings))
                abort();
        for (unsigned i = 0; i < res.n_warnings; i++)
                assert_terminated(res.warnings[i], sizeof res.warnings[i]);
        ts_check_facts_done(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* An exact copy, so that ASan sees a read past its end. */
        _cleanup_(freep) char *text = malloc(size > 0 ? size : 1);
        if (!text)
                return 0;
        memcpy(text, data, size);

        /* the gate `check --log` puts before the parser: it too reads only size bytes */
        int r = ts_bundle_text_check(text, size);
        if (r != 0 && r != -EBADMSG)
                abort();
        check_one(text, size, NULL);
        check_one(text, size, "docker");
        return 0;
}
