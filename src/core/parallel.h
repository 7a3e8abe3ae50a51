/*
** parallel.h -- the one thread fan-out of the library: run jobs 0..n-1 on a few workers and return when all
** are done. One worker (st_context_set_threads(ctx, 1)) never creates a thread, and a thread that cannot be
** created leaves its share to the workers that exist, so results never depend on thread creation.
*/
#ifndef STRATA_CORE_PARALLEL_H
#define STRATA_CORE_PARALLEL_H

#include "core/internal.h"

#include <stddef.h>

/* Most workers one fan-out uses (more threads than this are not created). */
#define ST__PARALLEL_MAX_WORKERS 256

/* One job: job in [0, njobs), worker in [0, nworkers) names the thread running it (0 = the caller), for
** per-worker scratch; two jobs never run on the same worker at once. */
typedef void (*st__job_fn)(void *ud, size_t job, size_t worker);

/* Runs fn(ud, job, worker) for every job in [0, njobs) on at most st_context_threads(ctx) workers and
** returns when all have finished. The calling thread is worker 0 and runs job 0 first (so a job that must
** stay on the caller, such as one reporting progress, can be job 0); the other jobs go to whichever worker
** is free, in increasing order. Jobs must not depend on which worker runs them or in what order they run
** for results to be independent of the thread count. With one worker (or one job) all jobs run here, in
** order, and no thread is created. */
void st__parallel_for(st_context *ctx, size_t njobs, st__job_fn fn, void *ud);

/* The same with the number of workers given directly (a count the caller already bounded, e.g. by the
** size of the work); nworkers < 1 counts as 1. */
void st__parallel_for_n(int nworkers, size_t njobs, st__job_fn fn, void *ud);

#endif
