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
          "  --events FILE         the purchase log: the tracking curve then takes each customer's birth\n"
          "                        from its first purchase and adds actual_cumulative / actual_incremental\n"
          "                        (repeat purchases, same-day purchases merged, periods counted from the\n"
          "                        earliest purchase; the model's time unit must be day, week or month)\n"
          "  --customer COL, --time COL, --time-format FMT   columns of the log [customer_id, date, ISO]\n",
          stdout);
}

typedef struct ev {
    const char *id;
    int64_t day;
} ev;

static int ev_cmp(const void *pa, const void *pb)
{
    const ev *a = pa, *b = pb;
    int c = strcmp(a->id, b->id);
    if (c) return c;
    return a->day < b->day ? -1 : a->day > b->day;
}

static double days_per_unit(const char *u)
{
    if (!strcmp(u, "day")) return 1.0;
    if (!strcmp(u, "week")) return 7.0;
    if (!strcmp(u, "month")) return 30.4375;
    return 0.0;
}

/* Reads the purchase log: births (first purchase, in model units from the earliest purchase, one per
** customer) and repeat purchases per period. *np is the number of periods (0 = up to the last purchase). */
static int read_events(st_context *ctx, const char *path, const char *ccol, const char *tcol, const char *fmt,
                       double dpp, size_t *np, double **births, size_t *nb, double **inc)
{
    st_table *t = NULL;
    ev *e = NULL;
    int ret = CLI_FAIL;
    st_status rc = st_table_read_csv(ctx, path, ccol, &t);
    if (rc) return cli_fail(CMD, ctx, rc);
    long jt = st_table_find(t, tcol);
    size_t n = st_table_nrows(t);
    if (jt < 0) {
        ret = cli_error(CMD, CLI_FAIL, "%s: no column '%s'", path, tcol);
        goto out;
    }
    e = malloc((n ? n : 1) * sizeof *e);
    if (!e) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char tmp[64];
        const char *sv;
        if (st_table_col_type(t, (size_t)jt) == ST_COL_STR) {
            sv = st_table_str(t, (size_t)jt, i);
        } else { /* e.g. 19970101 read as a number */
            snprintf(tmp, sizeof tmp, "%.0f", st_table_f64(t, (size_t)jt)[i]);
            sv = tmp;
        }
        int64_t sec;
        st_status prc = fmt ? st_time_parse(fmt, sv, strlen(sv), &sec) : st_time_parse_iso(sv, strlen(sv), &sec);
        if (prc) {
            ret = cli_error(CMD, CLI_FAIL, "%s: row %zu: cannot read the time '%s'", path, i + 1, sv);
            goto out;
        }
        e[i].id = st_table_str(t, 0, i);
        e[i].day = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
    }
    qsort(e, n, sizeof *e, ev_cmp);
    int64_t origin = INT64_MAX, last = INT64_MIN;
    size_t ncust = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(e[i].id, e[i - 1].id)) {
            ncust++;
            if (e[i].day < origin) origin = e[i].day;
        }
        if (e[i].day > last) last = e[i].day;
    }
    if (*np == 0) *np = n ? (size_t)floor((double)(last - origin) / dpp) + 1 : 1;
    *births = malloc((ncust ? ncust : 1) * sizeof **births);
    *inc = calloc(*np, sizeof **inc);
    if (!*births || !*inc) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto out;
    }
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        int first = i == 0 || strcmp(e[i].id, e[i - 1].id);
        if (first) {
            (*births)[c++] = (double)(e[i].day - origin) / dpp;
        } else if (e[i].day != e[i - 1].day) {
            size_t k = (size_t)floor((double)(e[i].day - origin) / dpp);
            if (k < *np) (*inc)[k] += 1.0;
        }
    }
    *nb = ncust;
    ret = CLI_OK;
out:
    free(e);
    st_table_free(t);
    return ret;
}

int cmd_validate(int argc, char **argv)
{
    const char *mpath = NULL, *in = NULL, *out = "-", *track = NULL, *events = NULL;
    const char *ccol = "customer_id", *tcol = "date", *tfmt = NULL;
    long kmax = 7, periods = 0;
    const cli_arg args[] = {
        {"--kmax", NULL, CLI_INT, &kmax, 1, 1000, NULL},
        {"--periods", NULL, CLI_INT, &periods, 1, 1000000, NULL},
        {"--events", NULL, CLI_STR, &events, 0, 0, NULL},
        {"--customer", NULL, CLI_STR, &ccol, 0, 0, NULL},
        {"--time-format", NULL, CLI_STR, &tfmt, 0, 0, NULL},
        {"--time", NULL, CLI_STR, &tcol, 0, 0, NULL},
        {"--tracking", NULL, CLI_STR, &track, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[2] = {NULL, NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 2, help, NULL);
    if (pr >= 0) return pr;
    mpath = pos[0];
    in = pos[1];
    if (!mpath || !in) return cli_error(CMD, CLI_USAGE, "need MODEL.json and SUMMARY.csv (see --help)");
    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_model *model = NULL;
    st_table *t = NULL, *o = NULL;
    double *buf = NULL;
    int ret = CLI_FAIL;
    st_status rc = st_model_load(ctx, mpath, &model);
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
    rc = st_model_calibration_holdout(ctx, model, x, r, T, xh, dh, n, K, cnt, act, pred);
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
            double dpp = days_per_unit(st_model_time_unit(model));
            if (dpp <= 0.0) {
                ret = cli_error(CMD, CLI_USAGE, "--events: the model's time unit ('%s') is not day, week or month",
                                st_model_time_unit(model));
                goto done;
            }
            if (periods <= 0) np = 0;
            ret = read_events(ctx, events, ccol, tcol, tfmt, dpp, &np, &ebirth, &nbirth, &einc);
            if (ret) {
                free(ebirth);
                free(einc);
                goto done;
            }
            birth = ebirth;
        }
        double *tt = malloc(2 * (np + 1) * sizeof *tt);
        if (!tt) {
            free(ebirth);
            free(einc);
            ret = cli_error(CMD, CLI_FAIL, "out of memory");
            goto done;
        }
        double *cum = tt + np + 1;
        for (size_t k = 0; k < np; k++) tt[k] = (double)(k + 1);
        st_table *c = NULL;
        rc = st_model_tracking(ctx, model, birth, nbirth, tt, np, cum);
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
        free(ebirth);
        free(einc);
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
    st_model_free(model);
    st_context_free(ctx);
    return ret;
}
