/*
** parallel.c -- st__parallel_for: the caller and up to nworkers - 1 pthreads take job indices from one
** atomic counter. Creating no thread (one worker, or pthread_create failing) degrades to running the
** jobs on the threads that exist, never to an error.
*/
#include "core/parallel.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct pf_shared {
    st__job_fn fn;
    void *ud;
    size_t njobs;
    atomic_size_t next;
} pf_shared;

typedef struct pf_worker {
    pf_shared *sh;
    size_t id;
} pf_worker;

static void pf_loop(pf_shared *sh, size_t worker)
{
    for (;;) {
        size_t job = atomic_fetch_add_explicit(&sh->next, 1, memory_order_relaxed);
        if (job >= sh->njobs) return;
        sh->fn(sh->ud, job, worker);
    }
}

static void *pf_main(void *arg)
{
    pf_worker *w = arg;
    pf_loop(w->sh, w->id);
    return NULL;
}

void st__parallel_for_n(int nworkers, size_t njobs, st__job_fn fn, void *ud)
{
    if (njobs == 0) return;
    size_t nw = nworkers < 1 ? 1 : (size_t)nworkers;
    if (nw > ST__PARALLEL_MAX_WORKERS) nw = ST__PARALLEL_MAX_WORKERS;
    if (nw > njobs) nw = njobs;
    if (nw == 1) {
        for (size_t j = 0; j < njobs; j++) fn(ud, j, 0);
        return;
    }
    pf_shared sh = {.fn = fn, .ud = ud, .njobs = njobs};
    atomic_init(&sh.next, 1); /* job 0 is the caller's */
    pthread_t tid[ST__PARALLEL_MAX_WORKERS];
    pf_worker wk[ST__PARALLEL_MAX_WORKERS];
    size_t started = 1;
    for (size_t k = 1; k < nw; k++) {
        wk[started] = (pf_worker){&sh, started};
        if (pthread_create(&tid[started], NULL, pf_main, &wk[started]) != 0) break;
        started++;
    }
    fn(ud, 0, 0);
    pf_loop(&sh, 0);
    for (size_t k = 1; k < started; k++) pthread_join(tid[k], NULL);
}

void st__parallel_for(st_context *ctx, size_t njobs, st__job_fn fn, void *ud)
{
    st__parallel_for_n(st_context_threads(ctx), njobs, fn, ud);
}
