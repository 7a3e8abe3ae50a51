/* Allocation-failure torture (after curl's and Lua's): make allocation N fail, for every N, and check that
** summarize, the table reader and writer return ST_ENOMEM (or succeed once N is past the last allocation),
** never crash, and free everything (the ASan build's leak checker and the live-block count prove it). */
#include "test.h"
#include "strata.h"

#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct failer {
    pthread_mutex_t mu;
    long countdown; /* allocation number that fails (1-based); <= 0 never */
    long calls;
    long live;
} failer;

static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)osize;
    failer *f = ud;
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

static const char *events =
    "customer_id,date,event,amount\n"
    "1,2024-01-01,view,\n1,2024-01-01,purchase,3.5\n2,2024-01-02 10:00:00,cart,\n2,2024-01-03,purchase,2\n"
    "3,2024-01-04,purchase,-1\n1,2024-02-01,purchase,7\n4,2024-02-02,fav,\n";

/* Runs the job with allocation n failing; returns the status. */
static st_status job(failer *f, const char *in, const char *out)
{
    st_context *ctx = NULL;
    st_status rc = st_context_new_with_alloc(failing_alloc, f, &ctx);
    if (rc != ST_OK) return rc;
    st_summarize_options o;
    st_summarize_options_init(&o);
    o.event_col = "event";
    o.has_calibration_end = 1;
    o.calibration_end = 19750;
    const char *paths[1] = {in};
    st_table *t = NULL;
    st_ingest_report rep;
    rc = st_summarize(ctx, paths, 1, &o, &t, &rep);
    if (rc == ST_OK) rc = st_table_write_csv(ctx, t, out);
    st_table_free(t);
    st_table *t2 = NULL;
    if (rc == ST_OK) rc = st_table_read_csv(ctx, out, "customer_id", &t2);
    st_table_free(t2);
    if (rc != ST_OK && st_errmsg(ctx)[0] == '\0') {
        t_failures++;
        fprintf(stderr, "failure %d without a message\n", rc);
    }
    st_context_free(ctx);
    return rc;
}

int main(void)
{
    char in[] = "/tmp/strata_allocXXXXXX";
    int fd = mkstemp(in);
    CHECK(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs(events, fp);
    fclose(fp);
    char out[64];
    snprintf(out, sizeof out, "%s.out.csv", in);

    failer f;
    pthread_mutex_init(&f.mu, NULL);
    f.countdown = 0;
    f.calls = f.live = 0;
    CHECK_EQ_INT(job(&f, in, out), ST_OK);
    long total = f.calls;
    CHECK(total > 10);
    CHECK_EQ_INT(f.live, 0);
    int nomem = 0;
    for (long n = 1; n <= total; n++) {
        f.countdown = n;
        f.calls = f.live = 0;
        st_status rc = job(&f, in, out);
        if (rc == ST_ENOMEM) nomem++;
        else if (rc != ST_OK) {
            t_failures++;
            fprintf(stderr, "allocation %ld failing gave status %d, not ST_ENOMEM\n", n, rc);
        }
        if (f.live != 0) {
            t_failures++;
            fprintf(stderr, "allocation %ld failing leaked %ld blocks\n", n, f.live);
        }
    }
    CHECK(nomem > 0);
    printf("%ld allocations, each made to fail once: %d gave ST_ENOMEM, the rest succeeded\n", total, nomem);
    remove(in);
    remove(out);
    T_DONE();
}
