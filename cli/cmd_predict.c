/*
** cmd_predict.c -- `strata predict MODEL.json SUMMARY.csv --horizon H -o OUT.csv`: per-customer P(alive)
** and expected purchases from a fitted model, and with a Gamma-Gamma model expected spend and discounted
** CLV over the horizon (the time unit is the model's; the discount rate is per year), and with --pmf the
** probability of each number of purchases in the horizon.
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "predict";

#define PREDICT_PMF_LIMIT 1000

static void help(void)
{
    fputs("usage: strata predict MODEL.json SUMMARY.csv --horizon H [options] -o OUT.csv\n"
          "\n"
          "Per-customer predictions from `strata fit` models (docs/value.md). Output columns: customer_id,\n"
          "p_alive, expected_purchases, p_no_purchase (the probability of no purchase in (T, T+H], a churn\n"
          "score that also ranks one-time buyers), and with --spend: expected_spend, clv.\n"
          "\n"
          "  --horizon H           prediction window (T, T+H] in the model's time unit (bgbb: periods)\n"
          "  --spend GG.json       a gg model: adds expected_spend and clv\n"
          "  --discount RATE       annual discount rate for the CLV, e.g. 0.1 [0]; converted to the model's\n"
          "                        time unit as (1+RATE)^(1/units_per_year) - 1\n"
          "  --margin M            profit margin applied to spend in the CLV [1]\n"
          "  --step S              CLV discounting step in time units [1 unit up to 104 units, else H/52]\n"
          "  --unit U              override the model's time unit (day | week | month | year)\n"
          "  --dert                pnbd only: add dert, the closed-form discounted expected residual\n"
          "                        transactions (whole future, continuous rate ln(1+RATE)/units_per_year;\n"
          "                        needs --discount > 0), and with --spend clv_dert = margin * spend * dert\n"
          "  --pmf K               add p_0 .. p_K: P(k purchases in (T, T+H] | frequency, recency, T), the\n"
          "                        conditional PMF (bgnbd, mbgnbd, pnbd, bgbb; K from 0 to 1000; H > 0)\n"
          "  --key COL             customer id column [customer_id, else ID, else the first column]\n"
          "  -o, --output FILE     output CSV (- = standard output)\n"
          "Customers with an empty T (no purchase) get empty predictions.\n",
          stdout);
}

int cmd_predict(int argc, char **argv)
{
    const char *mpath = NULL, *in = NULL, *out = NULL, *spath = NULL, *key = NULL, *unit = NULL;
    double horizon = NAN, discount = 0.0, margin = 1.0, step = 0.0;
    int want_dert = 0;
    long pmf_k = -1;
    const cli_arg args[] = {
        {"--dert", NULL, CLI_FLAG, &want_dert, 0, 0, NULL},
        {"--pmf", NULL, CLI_INT, &pmf_k, 0, PREDICT_PMF_LIMIT, NULL},
        {"--horizon", NULL, CLI_DOUBLE, &horizon, 0, 0, NULL},
        {"--discount", NULL, CLI_DOUBLE, &discount, 0, 0, NULL},
        {"--margin", NULL, CLI_DOUBLE, &margin, 0, 0, NULL},
        {"--step", NULL, CLI_DOUBLE, &step, 0, 0, NULL},
        {"--spend", NULL, CLI_STR, &spath, 0, 0, NULL},
        {"--key", NULL, CLI_STR, &key, 0, 0, NULL},
        {"--unit", NULL, CLI_STR, &unit, 0, 0, NULL},
        {"--output", "-o", CLI_STR, &out, 0, 0, NULL},
    };
    const char *pos[2] = {NULL, NULL};
    int pr = cli_parse_args(CMD, argc, argv, 1, args, sizeof args / sizeof args[0], pos, 2, help, NULL);
    if (pr >= 0) return pr;
    mpath = pos[0];
    in = pos[1];
    if (!mpath || !in) return cli_error(CMD, CLI_USAGE, "need MODEL.json and SUMMARY.csv (see --help)");
    if (!out) return cli_error(CMD, CLI_USAGE, "need -o OUT.csv");
    if (!(horizon >= 0.0) || !isfinite(horizon)) return cli_error(CMD, CLI_USAGE, "need --horizon H >= 0");
    if (!(discount > -1.0) || !isfinite(discount)) return cli_error(CMD, CLI_USAGE, "--discount: must be > -1");
    if (!isfinite(margin)) return cli_error(CMD, CLI_USAGE, "--margin: must be finite");
    if (pmf_k >= 0 && !(horizon > 0.0)) return cli_error(CMD, CLI_USAGE, "--pmf needs --horizon H > 0");

    st_context *ctx = cli_context(CMD);
    if (!ctx) return cli_error(CMD, CLI_FAIL, "out of memory");
    st_btyd_model *model = NULL, *gg = NULL;
    st_table *t = NULL, *o = NULL;
    double *buf = NULL, *pm = NULL, *prow = NULL;
    int ret = CLI_FAIL;
    st_status rc = st_btyd_load(ctx, mpath, &model);
    if (!rc && spath) rc = st_btyd_load(ctx, spath, &gg);
    if (!rc && unit) rc = st_btyd_set_time_unit(model, unit);
    if (!rc) rc = st_table_read_csv(ctx, in, NULL, &t);
    if (rc) {
        ret = cli_fail(CMD, ctx, rc);
        goto done;
    }
    if (st_btyd_kind_of(model) == ST_BTYD_GG) {
        ret = cli_error(CMD, CLI_USAGE, "%s is a gg model: pass it with --spend and a purchase model first", mpath);
        goto done;
    }
    if (want_dert && (st_btyd_kind_of(model) != ST_BTYD_PNBD || !(discount > 0.0))) {
        ret = cli_error(CMD, CLI_USAGE, "--dert needs a pnbd model and --discount > 0");
        goto done;
    }
    if (gg && st_btyd_kind_of(gg) != ST_BTYD_GG) {
        ret = cli_error(CMD, CLI_USAGE, "--spend %s: not a gg model", spath);
        goto done;
    }
    static const char *const fnames[] = {"frequency", "x", NULL};
    static const char *const rnames[] = {"recency", "t_x", NULL};
    static const char *const tnames[] = {"T", "periods", "n", NULL};
    static const char *const bbnames[] = {"periods", "n", "T", NULL};
    static const char *const mnames[] = {"monetary_value", "zbar", "m", NULL};
    static const char *const knames[] = {"customer_id", "ID", "id", NULL};
    long jf = cli_find_col(t, NULL, fnames), jr = cli_find_col(t, NULL, rnames);
    long jt = cli_find_col(t, NULL, st_btyd_kind_of(model) == ST_BTYD_BGBB ? bbnames : tnames);
    long jm = cli_find_col(t, NULL, mnames);
    long jk = key ? st_table_find(t, key) : cli_find_col(t, NULL, knames);
    if (jk < 0 && !key && st_table_ncols(t) > 1) jk = 1;
    if (jk < 0) {
        ret = cli_error(CMD, CLI_FAIL, "%s: no key column '%s'", in, key);
        goto done;
    }
    const double *x = cli_f64_col(t, jf), *r = cli_f64_col(t, jr), *T = cli_f64_col(t, jt), *mv = cli_f64_col(t, jm);
    if (!x || !r || !T || (gg && !mv)) {
        ret = cli_error(CMD, CLI_FAIL, "%s: missing or non-numeric %s column", in,
                        !x ? "frequency" : !r ? "recency" : !T ? "T" : "monetary value");
        goto done;
    }
    size_t n = st_table_nrows(t);
    buf = malloc(7 * (n ? n : 1) * sizeof *buf);
    if (!buf) {
        ret = cli_error(CMD, CLI_FAIL, "out of memory");
        goto done;
    }
    size_t npmf = pmf_k >= 0 ? (size_t)pmf_k + 1 : 0;
    if (npmf) {
        pm = n && npmf > (size_t)-1 / sizeof *pm / n ? NULL : malloc(npmf * (n ? n : 1) * sizeof *pm);
        prow = malloc(npmf * sizeof *prow);
        if (!pm || !prow) {
            ret = cli_error(CMD, CLI_FAIL, "out of memory for --pmf %ld with %zu customers", pmf_k, n);
            goto done;
        }
    }
    double *pa = buf, *ex = buf + n, *sp = buf + 2 * n, *clv = buf + 3 * n, *dert = buf + 4 * n,
           *clvd = buf + 5 * n, *pnp = buf + 6 * n;
    rc = st_table_new(ctx, "customer_id", n, &o);
    for (size_t i = 0; !rc && i < n; i++) {
        char idb[64];
        const char *id;
        if (st_table_col_type(t, (size_t)jk) == ST_COL_STR) {
            id = st_table_str(t, (size_t)jk, i);
        } else {
            double d = st_table_f64(t, (size_t)jk)[i];
            if (d == floor(d) && fabs(d) < 9e15) snprintf(idb, sizeof idb, "%.0f", d);
            else snprintf(idb, sizeof idb, "%.17g", d);
            id = idb;
        }
        rc = st_table_set_str(o, 0, i, id);
        pa[i] = ex[i] = sp[i] = clv[i] = dert[i] = clvd[i] = pnp[i] = NAN;
        for (size_t k = 0; k < npmf; k++) pm[k * n + i] = NAN;
        if (rc || isnan(T[i]) || isnan(x[i]) || isnan(r[i])) continue;
        rc = st_btyd_predict(ctx, model, &x[i], &r[i], &T[i], 1, horizon, &pa[i], &ex[i]);
        if (!rc) rc = st_btyd_p_no_purchase(ctx, model, &x[i], &r[i], &T[i], 1, horizon, &pnp[i]);
        if (!rc && npmf) {
            rc = st_btyd_conditional_pmf(ctx, model, x[i], r[i], T[i], horizon, npmf - 1, prow);
            for (size_t k = 0; !rc && k < npmf; k++) pm[k * n + i] = prow[k];
        }
        if (!rc && want_dert) rc = st_btyd_dert(ctx, model, &x[i], &r[i], &T[i], 1, discount, &dert[i]);
        if (!rc && gg) {
            double mi = isnan(mv[i]) ? 0.0 : mv[i];
            rc = st_btyd_expected_spend(ctx, gg, &x[i], &mi, 1, &sp[i]);
            if (!rc && horizon > 0.0)
                rc = st_btyd_clv(ctx, model, gg, &x[i], &r[i], &T[i], &mi, 1, horizon, step, discount, margin,
                                  &clv[i]);
            else if (!rc) clv[i] = 0.0;
            if (!rc && want_dert) clvd[i] = margin * sp[i] * dert[i];
        }
    }
    if (!rc) rc = st_table_add_f64(o, "p_alive", ST_COL_F64, pa);
    if (!rc) rc = st_table_add_f64(o, "expected_purchases", ST_COL_F64, ex);
    if (!rc) rc = st_table_add_f64(o, "p_no_purchase", ST_COL_F64, pnp);
    if (!rc && gg) rc = st_table_add_f64(o, "expected_spend", ST_COL_F64, sp);
    if (!rc && gg) rc = st_table_add_f64(o, "clv", ST_COL_F64, clv);
    if (!rc && want_dert) rc = st_table_add_f64(o, "dert", ST_COL_F64, dert);
    if (!rc && want_dert && gg) rc = st_table_add_f64(o, "clv_dert", ST_COL_F64, clvd);
    for (size_t k = 0; !rc && k < npmf; k++) {
        char name[32];
        snprintf(name, sizeof name, "p_%zu", k);
        rc = st_table_add_f64(o, name, ST_COL_F64, pm + k * n);
    }
    if (!rc) rc = st_table_write_csv(ctx, o, out);
    ret = rc ? cli_fail(CMD, ctx, rc) : CLI_OK;
done:
    free(prow);
    free(pm);
    free(buf);
    st_table_free(o);
    st_table_free(t);
    st_btyd_free(gg);
    st_btyd_free(model);
    st_context_free(ctx);
    return ret;
}
