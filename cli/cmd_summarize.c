/*
** cmd_summarize.c -- `strata summarize`: event log -> customer table (CSV).
*/
#include "cli.h"

#include <string.h>

static void help(void)
{
    printf("usage: strata summarize [options] EVENTS...   (CSV files, .csv.gz, or - for standard input)\n\n"
           "Reads customer events and writes one row per customer: customer_id, frequency, recency, T,\n"
           "monetary_value (the BTYD summary, with the conventions of Python's lifetimes), with\n"
           "--calibration-end also frequency_holdout, monetary_value_holdout, duration_holdout; then\n"
           "recency_days, orders, revenue, first_purchase, last_purchase; and with --event, count_<b> and\n"
           "days_since_<b> for every behaviour b. See docs/summarize.md for the exact conventions.\n\n"
           "%s"
           "\nOutput:\n"
           "  -o FILE                output CSV (default standard output), written atomically\n"
           "  --threads N            worker threads (default 2; 0 = all CPUs)\n"
           "  -h, --help             this help\n",
           cli_input_help());
}

int cmd_summarize(int argc, char **argv)
{
    st_summarize_options o;
    st_summarize_options_init(&o);
    const char *out = "-";
    const char *paths[1024];
    size_t npaths = 0;
    long threads = -1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m = cli_input_option("summarize", argc, argv, &i, &o);
        if (m < 0) return CLI_USAGE;
        if (m > 0) continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            help();
            return CLI_OK;
        }
        if ((m = cli_opt(argc, argv, &i, "-o", &v)) != 0 || (m = cli_opt(argc, argv, &i, "--output", &v)) != 0) {
            if (m < 0) return CLI_USAGE;
            out = v;
            continue;
        }
        if ((m = cli_opt(argc, argv, &i, "--threads", &v)) != 0) {
            if (m < 0 || !cli_parse_int("summarize", "--threads", v, 0, 256, &threads)) return CLI_USAGE;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') return cli_unknown("summarize", argv[i]);
        if (npaths == sizeof paths / sizeof paths[0]) return cli_error("summarize", CLI_USAGE, "too many input files");
        paths[npaths++] = argv[i];
    }
    if (npaths == 0) return cli_error("summarize", CLI_USAGE, "no input files (see `strata summarize --help`)");
    st_context *ctx = cli_context("summarize");
    if (!ctx) return CLI_FAIL;
    if (threads >= 0) st_context_set_threads(ctx, (int)threads);
    st_table *t = NULL;
    st_ingest_report rep;
    st_status rc = st_summarize(ctx, paths, npaths, &o, &t, &rep);
    if (rc == ST_OK) {
        cli_print_report("summarize", &rep);
        rc = st_table_write_csv(ctx, t, out);
    }
    int code = rc == ST_OK ? CLI_OK : cli_fail("summarize", ctx, rc);
    st_table_free(t);
    st_context_free(ctx);
    return code;
}
