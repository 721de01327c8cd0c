/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The injection summary in text and JSON; errno by name ("EAGAIN"), "?" for one without. */
#include <inttypes.h>
#include <string.h>

#include "macro.h"
#include "report-inject.h"

static const char *errno_name(int error) {
        return strerrorname_np(error) ?: "?";
}

void ts_inject_summary_print(FILE *out, const TsInjectOptions *o, const TsInjectStats *st) {
        if (o->policy.when == TS_INJECT_ALWAYS)
                fprintf(out,
                        "taskstorm inject: every %s creation failed with %s (pure filter: not counted)\n",
                        o->what == TS_INJECT_ALL       ? "task"
                        : o->what == TS_INJECT_THREADS ? "thread"
                                                       : "process",
                        errno_name(o->error));
        else
                fprintf(out,
                        "taskstorm inject: threads %" PRIu64 " seen, %" PRIu64 " failed; processes %" PRIu64
                        " seen, %" PRIu64 " failed (%s)\n",
                        st->threads_seen, st->threads_failed, st->processes_seen, st->processes_failed,
                        errno_name(o->error));
}

json_object *ts_inject_summary_to_json(const TsInjectOptions *o, const TsInjectStats *st) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "what", json_object_new_string(ts_inject_what_to_string(o->what)));
        json_object_object_add(j, "errno", json_object_new_string(errno_name(o->error)));
        json_object_object_add(j, "threads_seen", json_object_new_uint64(st->threads_seen));
        json_object_object_add(j, "threads_failed", json_object_new_uint64(st->threads_failed));
        json_object_object_add(j, "processes_seen", json_object_new_uint64(st->processes_seen));
        json_object_object_add(j, "processes_failed", json_object_new_uint64(st->processes_failed));
        json_object_object_add(j, "supervised", json_object_new_boolean(o->policy.when != TS_INJECT_ALWAYS));
        return j;
}
