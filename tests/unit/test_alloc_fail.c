/* Allocation-failure torture (after curl's and Lua's): make allocation N fail, for every N, and check that
** summarize, the table reader and writer return ST_ENOMEM (or succeed once N is past the last allocation),
** never crash, and free everything (the ASan build's leak checker and the live-block count prove it). */
#include "failalloc.h"
#include "strata.h"
#include "test.h"

#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

static const char *events =
    "customer_id,date,event,amount\n"
    "1,2024-01-01,view,\n1,2024-01-01,purchase,3.5\n2,2024-01-02 10:00:00,cart,\n2,2024-01-03,purchase,2\n"
    "3,2024-01-04,purchase,-1\n1,2024-02-01,purchase,7\n4,2024-02-02,fav,\n";

typedef struct io_paths {
    const char *in, *out;
} io_paths;

/* summarize, write, read back through f's allocator; returns the status. */
static st_status job(t_failer *f, void *arg)
{
    const char *in = ((io_paths *)arg)->in, *out = ((io_paths *)arg)->out;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    st_status rc;
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

    io_paths pa = {in, out};
    t_alloc_torture("summarize + table write/read", job, &pa);
    remove(in);
    remove(out);
    T_DONE();
}
