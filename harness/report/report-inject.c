/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The injection summary in text and JSON; errno by name ("EAGAIN"), "?" for one without. */
#include <inttypes.h>
#include <string.h>

#include "macro.h"
#include "report-inject.h"

static const char *errno_name(int error) {
        return strerrorname_np(error) ?: "?";
}

static const char *creation_noun(TsInjectWhat what) {
        return what == TS_INJECT_ALL ? "task" : what == TS_INJECT_THREADS ? "thread" : "process";
}

void ts_inject_summary_print(FILE *out, const TsInjectOptions *o, const TsInjectStats *st) {
        TsInjectPlan plan = ts_inject_plan(&o->policy);
        if (plan == TS_INJECT_PLAN_FAIL_ALL)
                fprintf(out,
                        "taskstorm inject: every %s creation failed with %s (pure filter: not counted)\n",
                        creation_noun(o->what), errno_name(o->error));
        else if (plan == TS_INJECT_PLAN_PASS_ALL)
                fprintf(out,
                        "taskstorm inject: the policy fails no %s creation (none caught: not counted)\n",
                        creation_noun(o->what));
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
        json_object_object_add(
                j, "supervised",
                json_object_new_boolean(ts_inject_plan(&o->policy) == TS_INJECT_PLAN_SUPERVISE));
        return j;
}
