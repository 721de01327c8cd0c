/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mixed storms: threads and children in turn, like a daemon that runs worker threads and spawns
 * helpers (dockerd starting containers while its Go runtime adds threads). */
#include "storm-kind.h"

static int mixed_create(TsStormLeader *l) {
        const TsStormKindOps *k = l->attempt % 2 == 0 ? &ts_storm_kind_thread : &ts_storm_kind_fork;
        return k->create(l);
}

const TsStormKindOps ts_storm_kind_mixed = {
        .create = mixed_create,
};
