/*
** test_parallel.c -- core/parallel: every job runs exactly once whatever the worker count, job 0 runs on the
** calling thread, and a context with one thread runs everything on the calling thread, in order.
*/
#include "core/parallel.h"
#include "test.h"

#include <pthread.h>
#include <stdatomic.h>

#define NJOBS 1000

typedef struct rec {
    atomic_int runs[NJOBS];
    pthread_t who[NJOBS];
    size_t worker[NJOBS];
    size_t order[NJOBS];
    atomic_size_t seq;
} rec;

static void job_fn(void *ud, size_t job, size_t worker)
{
    rec *r = ud;
    atomic_fetch_add(&r->runs[job], 1);
    r->who[job] = pthread_self();
    r->worker[job] = worker;
    r->order[atomic_fetch_add(&r->seq, 1)] = job;
}

static void reset(rec *r)
{
    for (size_t j = 0; j < NJOBS; j++) atomic_init(&r->runs[j], 0);
    atomic_init(&r->seq, 0);
}

static rec R;

int main(void)
{
    st_context *ctx = NULL;
    CHECK(st_context_new(&ctx) == ST_OK);
    pthread_t self = pthread_self();

    st_context_set_threads(ctx, 1);
    reset(&R);
    st__parallel_for(ctx, NJOBS, job_fn, &R);
    int all_here = 1, in_order = 1, once = 1;
    for (size_t j = 0; j < NJOBS; j++) {
        if (!pthread_equal(R.who[j], self) || R.worker[j] != 0) all_here = 0;
        if (R.order[j] != j) in_order = 0;
        if (atomic_load(&R.runs[j]) != 1) once = 0;
    }
    CHECK(all_here);
    CHECK(in_order);
    CHECK(once);

    const int workers[] = {2, 3, 8, 300};
    for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++) {
        reset(&R);
        st__parallel_for_n(workers[w], NJOBS, job_fn, &R);
        once = 1;
        int ids_ok = 1;
        for (size_t j = 0; j < NJOBS; j++) {
            if (atomic_load(&R.runs[j]) != 1) once = 0;
            if (R.worker[j] >= (size_t)workers[w] || R.worker[j] >= ST__PARALLEL_MAX_WORKERS) ids_ok = 0;
        }
        CHECK(once);
        CHECK(ids_ok);
        CHECK(pthread_equal(R.who[0], self));
        CHECK(R.worker[0] == 0);
    }
    /* no jobs: nothing runs; fewer jobs than workers */
    reset(&R);
    st__parallel_for_n(4, 0, job_fn, &R);
    CHECK(atomic_load(&R.seq) == 0);
    st__parallel_for_n(16, 3, job_fn, &R);
    CHECK(atomic_load(&R.seq) == 3);
    st_context_free(ctx);
    T_DONE();
}
