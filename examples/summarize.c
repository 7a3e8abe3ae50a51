/* The README's example: summarize an event log with the library and print a few figures. */
#include <stdio.h>
#include <strata.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s EVENTS.csv\n", argv[0]);
        return 2;
    }
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 1;
    st_summarize_options opts;
    st_summarize_options_init(&opts); /* customer_id, date, amount; ISO dates; unit = day */
    const char *paths[] = {argv[1]};
    st_table *customers = NULL;
    st_ingest_report report;
    st_status rc = st_summarize(ctx, paths, 1, &opts, &customers, &report);
    if (rc != ST_OK) {
        fprintf(stderr, "error: %s\n", st_errmsg(ctx));
        st_context_free(ctx);
        return 1;
    }
    long fcol = st_table_find(customers, "frequency");
    const double *frequency = st_table_f64(customers, (size_t)fcol);
    printf("%zu customers, %llu rows, revenue %.2f\n", st_table_nrows(customers),
           (unsigned long long)report.rows, report.revenue);
    for (size_t i = 0; i < st_table_nrows(customers); i++)
        printf("  %s: %g repeat purchases\n", st_table_str(customers, 0, i), frequency[i]);
    st_table_free(customers);
    st_context_free(ctx);
    return 0;
}
