/*
** failalloc.h -- allocation-failure torture for unit tests (after curl's and Lua's): an allocation hook that
** makes the n-th allocation fail and counts the blocks alive, and a driver that runs a job once to count its
** allocations, then once more per allocation with that one failing. Every run must end in ST_OK or
** ST_ENOMEM, with a message on failure (the job checks that) and nothing left allocated.
*/
#ifndef STRATA_TEST_FAILALLOC_H
#define STRATA_TEST_FAILALLOC_H

#include "strata.h"
#include "test.h"

#include <pthread.h>
#include <stdbool.h>

typedef struct t_failer {
    pthread_mutex_t mu; /* the hook may be called from worker threads */
    long countdown;     /* allocation number that fails (1-based); <= 0 never */
    long calls;
    long live;
} t_failer;

static void *t_failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)osize;
    t_failer *f = ud;
    if (nsize == 0) {
        if (ptr) {
            pthread_mutex_lock(&f->mu);
            f->live--;
            pthread_mutex_unlock(&f->mu);
        }
        free(ptr);
        return NULL;
    }
    pthread_mutex_lock(&f->mu);
    long n = ++f->calls;
    bool fail = f->countdown > 0 && n == f->countdown;
    if (!fail && !ptr) f->live++;
    pthread_mutex_unlock(&f->mu);
    if (fail) return NULL;
    return realloc(ptr, nsize);
}

/* A context allocating through f, or NULL. */
static st_context *t_failing_context(t_failer *f)
{
    st_context *ctx = NULL;
    return st_context_new_with_alloc(t_failing_alloc, f, &ctx) == ST_OK ? ctx : NULL;
}

/* Runs job(f, arg) without failures (it must succeed), then with each allocation failing once. Returns the
** number of runs that gave ST_ENOMEM; reports every other status and every leak as a test failure. */
static int t_alloc_torture(const char *what, st_status (*job)(t_failer *f, void *arg), void *arg)
{
    t_failer f;
    pthread_mutex_init(&f.mu, NULL);
    f.countdown = 0;
    f.calls = f.live = 0;
    CHECK_EQ_INT(job(&f, arg), ST_OK);
    long total = f.calls;
    CHECK(total > 5);
    CHECK_EQ_INT(f.live, 0);
    int nomem = 0;
    for (long n = 1; n <= total; n++) {
        f.countdown = n;
        f.calls = f.live = 0;
        st_status rc = job(&f, arg);
        if (rc == ST_ENOMEM) nomem++;
        else if (rc != ST_OK) {
            t_failures++;
            fprintf(stderr, "%s: allocation %ld failing gave status %d, not ST_ENOMEM\n", what, n, rc);
        }
        if (f.live != 0) {
            t_failures++;
            fprintf(stderr, "%s: allocation %ld failing leaked %ld blocks\n", what, n, f.live);
        }
    }
    CHECK(nomem > 0);
    printf("%s: %ld allocations, each made to fail once: %d gave ST_ENOMEM, the rest succeeded\n", what, total,
           nomem);
    pthread_mutex_destroy(&f.mu);
    return nomem;
}

#endif
