/*
** cmd_validate.c -- `strata validate MODEL.json SUMMARY.csv`: the calibration-vs-holdout table (mean
** holdout purchases by calibration frequency, actual and predicted) and the expected tracking curve
** (cumulative and incremental repeat purchases per period), as CSV.
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "validate";

static void help(void)
{
    fputs("usage: strata validate MODEL.json SUMMARY.csv [options] [-o TABLE.csv] [--tracking CURVE.csv]\n"
          "\n"
          "Checks a fitted purchase model (bgnbd, mbgnbd, pnbd) against a summary made with\n"
          "`strata summarize --calibration-end` (columns frequency, recency, T, frequency_holdout,\n"
          "duration_holdout; docs/value.md).\n"
          "\n"
          "  -o, --output FILE     calibration-vs-holdout table: frequency,customers,actual,predicted\n"
          "                        (mean holdout purchases per customer) [standard output]\n"
          "  --kmax K              last frequency group, K+ [7]\n"
          "  --tracking FILE       expected tracking curve: period,expected_cumulative,expected_incremental,\n"
          "                        with each customer born at max(T) - T and periods 1..N of the model's unit\n"
          "  --periods N           length of the tracking curve [max T + max duration_holdout, rounded up]\n"
          "  --events FILE         the event log: the tracking curve then takes each customer's birth\n"
          "                        from its first purchase and adds actual_cumulative / actual_incremental\n"
          "                        (repeat purchases, same-day purchases merged, periods counted from the\n"
          "                        earliest purchase; the model's time unit must be day, week or month),\n"
          "                        read with the input options of `strata summarize`:\n\n",
          stdout);
    fputs(cli_input_help(), stdout);
}

static double days_per_unit(const char *name)
{
    st_unit u;
    return st_unit_parse(name, &u) == ST_OK && u != ST_UNIT_YEAR ? st_unit_days(u) : 0.0;
}

int cmd_validate(int argc, char **argv)
{
    const char *mpath = NULL, *in = NULL, *out = "-", *track = NULL, *events = NULL;
    st_summarize_options evo;
    st_summarize_options_init(&evo);
    long kmax = 7, periods = 0;
    const cli_arg args[] = {
        {"--kmax", NULL, CLI_INT, &kmax, 1, 1000, NULL},
        {"--periods", NULL, CLI_INT, &periods, 1, 1000000, NULL},
        {"--events", NULL, CLI_STR, &events, 0, 0, NULL},
        {"--tracking", NULL, CLI_STR, &track, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[2] = {NULL, NULL};
    int pr = cli_parse_args_in(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 2, help, NULL, &evo);
    if (pr >= 0) return pr;
    mpath = pos[0];
    in = pos[1];
    if (!mpath || !in) return cli_error(CMD, CLI_USAGE, "need MODEL.json and SUMMARY.csv (see --help)");
    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_btyd_model *model = NULL;
    st_table *t = NULL, *o = NULL;
    double *buf = NULL;
    int ret = CLI_FAIL;
    st_status rc = st_btyd_load(ctx, mpath, &model);
    if (!rc) rc = st_table_read_csv(ctx, in, NULL, &t);
    if (rc) {
        ret = cli_fail(CMD, ctx, rc);
        goto done;
    }
    static const char *const fnames[] = {"frequency", "x", NULL}, *const rnames[] = {"recency", "t_x", NULL};
    const double *x = cli_f64_col(t, cli_find_col(t, NULL, fnames)), *r = cli_f64_col(t, cli_find_col(t, NULL, rnames));
    const double *T = cli_f64_col(t, st_table_find(t, "T"));
    const double *xh = cli_f64_col(t, st_table_find(t, "frequency_holdout"));
    const double *dh = cli_f64_col(t, st_table_find(t, "duration_holdout"));
    if (!x || !r || !T || !xh || !dh) {
        ret = cli_error(CMD, CLI_FAIL, "%s: needs numeric frequency, recency, T, frequency_holdout and "
                        "duration_holdout columns (strata summarize --calibration-end)", in);
        goto done;
    }
    size_t n = st_table_nrows(t), K = (size_t)kmax;
    buf = malloc((3 * (K + 1) + 2 * (n ? n : 1) + 2) * sizeof *buf);
    if (!buf) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    double *cnt = buf, *act = buf + K + 1, *pred = buf + 2 * (K + 1);
    rc = st_btyd_calibration_holdout(ctx, model, x, r, T, xh, dh, n, K, cnt, act, pred);
    if (!rc) rc = st_table_new(ctx, "frequency", K + 1, &o);
    for (size_t k = 0; !rc && k <= K; k++) {
        char lab[32];
        snprintf(lab, sizeof lab, k == K ? "%zu+" : "%zu", k);
        rc = st_table_set_str(o, 0, k, lab);
    }
    if (!rc) rc = st_table_add_f64(o, "customers", ST_COL_F64, cnt);
    if (!rc) rc = st_table_add_f64(o, "actual", ST_COL_F64, act);
    if (!rc) rc = st_table_add_f64(o, "predicted", ST_COL_F64, pred);
    if (!rc) rc = st_table_write_csv(ctx, o, out);
    if (rc) {
        ret = cli_fail(CMD, ctx, rc);
        goto done;
    }
    if (track) {
        double maxT = 0.0, maxD = 0.0;
        for (size_t i = 0; i < n; i++) {
            if (T[i] > maxT) maxT = T[i];
            if (dh[i] > maxD) maxD = dh[i];
        }
        size_t np = periods > 0 ? (size_t)periods : (size_t)ceil(maxT + maxD);
        double *birth = buf + 3 * (K + 1), *ebirth = NULL, *einc = NULL;
        size_t nbirth = n;
        for (size_t i = 0; i < n; i++) birth[i] = isnan(T[i]) ? (double)NAN : maxT - T[i];
        if (events) {
            double dpp = days_per_unit(st_btyd_time_unit(model));
            if (dpp <= 0.0) {
                ret = cli_error(CMD, CLI_USAGE, "--events: the model's time unit ('%s') is not day, week or month",
                                st_btyd_time_unit(model));
                goto done;
            }
            if (periods <= 0) np = 0;
            const char *ep[1] = {events};
            rc = st_tracking_from_events(ctx, ep, 1, &evo, dpp, &np, &ebirth, &nbirth, &einc);
            if (rc) {
                ret = cli_fail(CMD, ctx, rc);
                goto done;
            }
            birth = ebirth;
        }
        double *tt = malloc(2 * (np + 1) * sizeof *tt);
        if (!tt) {
            st_free(ctx, ebirth);
            st_free(ctx, einc);
            ret = cli_error(CMD, CLI_FAIL, "out of memory");
            goto done;
        }
        double *cum = tt + np + 1;
        for (size_t k = 0; k < np; k++) tt[k] = (double)(k + 1);
        st_table *c = NULL;
        rc = st_btyd_tracking(ctx, model, birth, nbirth, tt, np, cum);
        if (!rc) rc = st_table_new(ctx, "period", np, &c);
        for (size_t k = 0; !rc && k < np; k++) {
            char lab[32];
            snprintf(lab, sizeof lab, "%zu", k + 1);
            rc = st_table_set_str(c, 0, k, lab);
        }
        if (!rc && einc) {
            for (size_t k = 0; k < np; k++) tt[k] = einc[k] + (k ? tt[k - 1] : 0.0);
            rc = st_table_add_f64(c, "actual_cumulative", ST_COL_F64, tt);
        }
        if (!rc) rc = st_table_add_f64(c, "expected_cumulative", ST_COL_F64, cum);
        if (!rc && einc) rc = st_table_add_f64(c, "actual_incremental", ST_COL_F64, einc);
        if (!rc) {
            for (size_t k = np; k-- > 0;) tt[k] = cum[k] - (k ? cum[k - 1] : 0.0);
            rc = st_table_add_f64(c, "expected_incremental", ST_COL_F64, tt);
        }
        if (!rc) rc = st_table_write_csv(ctx, c, track);
        st_table_free(c);
        free(tt);
        st_free(ctx, ebirth);
        st_free(ctx, einc);
        if (rc) {
            ret = cli_fail(CMD, ctx, rc);
            goto done;
        }
    }
    ret = CLI_OK;
done:
    free(buf);
    st_table_free(o);
    st_table_free(t);
    st_btyd_free(model);
    st_context_free(ctx);
    return ret;
}
