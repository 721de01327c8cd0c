/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A thread that reads one cgroup's pids files at a fixed interval while a storm or a daemon runs:
 * the climb to the limit and the recovery after a fix, for the report's timeline. Memory stays
 * bounded: when the buffer is full, every other sample is dropped and the interval doubles. */
#pragma once

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "time-util.h"

#define TS_SAMPLE_INTERVAL_DEFAULT (1 * NSEC_PER_MSEC)
#define TS_SAMPLES_MAX ((size_t)1 << 16)

typedef struct TsSample {
        nsec_t t; /* since the sampler's origin */
        uint64_t current;
        uint64_t max; /* UINT64_MAX: "max", no limit */
        uint64_t events_max;
} TsSample;

typedef struct TsSamples {
        TsSample *samples;
        size_t n;
        nsec_t interval; /* after any thinning */
        size_t missed;   /* ticks whose files could not be read (the cgroup gone, as in a restart) */
} TsSamples;

/* What a long run is doing now, for a progress line: the harness writes, the CLI reads. */
typedef struct TsProgress {
        _Atomic(const char *) phase; /* a static name: "storm", "reproduce", ... */
        _Atomic uint64_t tasks;      /* pids.current of the unit under test, last sample */
} TsProgress;

typedef struct TsSampler TsSampler;

/* Starts sampling the cgroup directory dir (as ts_pids_cgroup_dir gives it) every interval ns,
 * times relative to origin (CLOCK_MONOTONIC ns). progress, if not NULL, gets every sample's
 * pids.current. */
int ts_sampler_start(const char *dir, nsec_t origin, nsec_t interval, TsProgress *progress, TsSampler **ret);
/* Stops the thread and hands its samples to ret (ts_samples_done frees them). NULL: nothing. */
void ts_sampler_stop(TsSampler *s, TsSamples *ret);
/* Samples per second over the whole series; 0 with fewer than two samples. */
double ts_samples_rate(const TsSamples *s);
void ts_samples_done(TsSamples *s);

static inline void ts_progress_phase(TsProgress *p, const char *phase) {
        if (p)
                atomic_store(&p->phase, phase);
}
