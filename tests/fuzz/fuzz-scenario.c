/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: scenario files as `taskstorm run` reads them (ts_scenario_parse_string() on the
 * text and its size, with a NUL after it as ts_read_full_file() leaves it), and on failure the error
 * and its one-line form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(freep) char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;

        _cleanup_(ts_scenario_error_done) TsScenarioError error = {};
        TsScenario *s = NULL;
        int r = ts_scenario_parse_string(text, size, "fuzz.scenario", &s, &error);
        if (r >= 0) {
                /* Success gives a scenario and no error. */
                if (!s || error.path || error.message)
                        abort();
        } else {
                /* Failure leaves ret untouched; a format error always says what is wrong. */
                if (s || (r == -EINVAL && !error.message))
                        abort();
                free(ts_scenario_error_format(&error));
        }
        ts_scenario_free(s);
        return 0;
}
