/*
** cmd_clv.c -- `strata clv formula SUMMARY.csv`: the two simple CLV formulas of the seed papers per
** customer, from the customer table's revenue, orders and first purchase date: the discounted cash flow
** sum_t (profit - cost) / (1+r)^t and AOV x frequency x lifespan x margin / (1+d).
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "clv";

static void help(void)
{
    fputs("usage: strata clv formula SUMMARY.csv [options] -o OUT.csv\n"
          "\n"
          "Simple CLV formulas (docs/value.md) from a `strata summarize` table. Per customer:\n"
          "  aov = revenue / orders; frequency = orders per period over the customer's observed age\n"
          "  (first_purchase .. observation end, inclusive, in days / days per period);\n"
          "  profit per period = margin * aov * frequency;\n"
          "  clv_dcf = sum_{t=1..L} (profit - cost) / (1 + r)^t   with r the annual --discount per period;\n"
          "  clv_simple = margin * aov * frequency * L / (1 + d)   with d = --discount as given.\n"
          "\n"
          "  --margin M            profit margin on revenue [1]\n"
          "  --cost C              marketing cost per customer and period [0]\n"
          "  --lifespan L          expected lifespan in periods [the number of periods in 3 years]\n"
          "  --discount D          annual discount rate [0.1]\n"
          "  --period P            day | week | month (30.4375 days) | year (365.25 days) [year]\n"
          "  --observation-end DATE   end of observation [the latest last_purchase in the table]\n"
          "  --key COL             customer id column [customer_id]\n"
          "  -o, --output FILE     output CSV: customer_id,aov,frequency,profit_per_period,clv_dcf,clv_simple\n",
          stdout);
}

static double days_per(const char *p)
{
    st_unit u;
    return st_unit_parse(p, &u) == ST_OK ? st_unit_days(u) : 0.0;
}

/* A date cell (string or day number) as a day number; NaN when empty or unreadable. */
static double day_of(const st_table *t, long j, size_t i)
{
    if (st_table_col_type(t, (size_t)j) != ST_COL_STR) return st_table_f64(t, (size_t)j)[i];
    const char *s = st_table_str(t, (size_t)j, i);
    int64_t sec;
    if (!s || !*s || st_time_parse_iso(s, strlen(s), &sec) != ST_OK) return NAN;
    return floor((double)sec / 86400.0);
}

int cmd_clv(int argc, char **argv)
{
    if (argc < 2 || cli_flag(argv, 1, "--help") || cli_flag(argv, 1, "-h")) {
        if (argc < 2) return cli_error(CMD, CLI_USAGE, "usage: strata clv formula SUMMARY.csv ... (see --help)");
        help();
        return CLI_OK;
    }
    if (strcmp(argv[1], "formula") != 0) return cli_error(CMD, CLI_USAGE, "unknown subcommand '%s'", argv[1]);
    const char *in = NULL, *out = NULL, *period = "year", *key = "customer_id";
    double margin = 1.0, cost = 0.0, lifespan = NAN, discount = 0.1;
    int64_t obs_end = 0;
    int has_end = 0;
    const cli_arg args[] = {
        {"--margin", NULL, CLI_DOUBLE, &margin, 0, 0, NULL},
        {"--cost", NULL, CLI_DOUBLE, &cost, 0, 0, NULL},
        {"--lifespan", NULL, CLI_DOUBLE, &lifespan, 0, 0, NULL},
        {"--discount", NULL, CLI_DOUBLE, &discount, 0, 0, NULL},
        {"--period", NULL, CLI_STR, &period, 0, 0, NULL},
        {"--observation-end", NULL, CLI_DAY, &obs_end, 0, 0, &has_end},
        {"--key", NULL, CLI_STR, &key, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[1] = {NULL};
    int pr = cli_parse_args(CMD, argc, argv, 2, args, sizeof args / sizeof args[0], pos, 1, help, NULL);
    if (pr >= 0) return pr;
    in = pos[0];
    double dpp = days_per(period);
    if (dpp <= 0.0) return cli_error(CMD, CLI_USAGE, "--period: '%s' is not day, week, month or year", period);
    if (isnan(lifespan)) lifespan = 3.0 * 365.25 / dpp;
    if (!in || !out) return cli_error(CMD, CLI_USAGE, "need SUMMARY.csv and -o OUT.csv (see --help)");
    if (!(lifespan >= 0.0) || !isfinite(lifespan)) return cli_error(CMD, CLI_USAGE, "--lifespan: must be >= 0");
    if (!(discount > -1.0) || !isfinite(discount)) return cli_error(CMD, CLI_USAGE, "--discount: must be > -1");

    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_table *t = NULL, *o = NULL;
    double *buf = NULL;
    int ret = CLI_FAIL;
    st_status rc = st_table_read_csv(ctx, in, key, &t);
    if (rc) {
        ret = cli_fail(CMD, ctx, rc);
        goto done;
    }
    long jrev = st_table_find(t, "revenue"), jord = st_table_find(t, "orders");
    long jfirst = st_table_find(t, "first_purchase"), jlast = st_table_find(t, "last_purchase");
    const double *rev = cli_f64_col(t, jrev), *ord = cli_f64_col(t, jord);
    if (!rev || !ord || jfirst < 0 || (!has_end && jlast < 0)) {
        ret = cli_error(CMD, CLI_FAIL, "%s: needs revenue, orders, first_purchase and last_purchase columns "
                        "(strata summarize)", in);
        goto done;
    }
    size_t n = st_table_nrows(t);
    buf = malloc(5 * (n ? n : 1) * sizeof *buf);
    if (!buf) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    double *aov = buf, *freq = buf + n, *profit = buf + 2 * n, *dcf = buf + 3 * n, *simple = buf + 4 * n;
    double end = has_end ? (double)obs_end : -HUGE_VAL;
    if (!has_end)
        for (size_t i = 0; i < n; i++) {
            double d = day_of(t, jlast, i);
            if (d > end) end = d;
        }
    for (size_t i = 0; i < n; i++) {
        double first = day_of(t, jfirst, i);
        double age = (end - first + 1.0) / dpp;
        aov[i] = ord[i] > 0.0 ? rev[i] / ord[i] : (double)NAN;
        freq[i] = ord[i] > 0.0 && age > 0.0 ? ord[i] / age : (double)NAN;
        profit[i] = margin * aov[i] * freq[i];
    }
    double rate = pow(1.0 + discount, dpp / 365.25) - 1.0;
    rc = st_clv_dcf(ctx, profit, n, cost, rate, lifespan, dcf);
    if (!rc) rc = st_clv_simple(ctx, aov, freq, n, margin, lifespan, discount, simple);
    if (!rc) rc = st_table_new(ctx, "customer_id", n, &o);
    for (size_t i = 0; !rc && i < n; i++) rc = st_table_set_str(o, 0, i, st_table_str(t, 0, i));
    if (!rc) rc = st_table_add_f64(o, "aov", ST_COL_F64, aov);
    if (!rc) rc = st_table_add_f64(o, "frequency", ST_COL_F64, freq);
    if (!rc) rc = st_table_add_f64(o, "profit_per_period", ST_COL_F64, profit);
    if (!rc) rc = st_table_add_f64(o, "clv_dcf", ST_COL_F64, dcf);
    if (!rc) rc = st_table_add_f64(o, "clv_simple", ST_COL_F64, simple);
    if (!rc) rc = st_table_write_csv(ctx, o, out);
    ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
done:
    free(buf);
    st_table_free(o);
    st_table_free(t);
    st_context_free(ctx);
    return ret;
}
