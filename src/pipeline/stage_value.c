/*
** stage_value.c -- the value stage of `strata run`: the customer table's BTYD summary columns go through
** the BG/NBD and Gamma-Gamma fits of src/value, and the per-customer predictions come back as columns.
*/
#include "pipeline/stage_value.h"
#include "core/table.h"
#include "value/predict.h"

#include <math.h>
#include <string.h>

#define VALUE_SEED 42
#define VALUE_DISCOUNT 0.10  /* annual */
#define VALUE_MIN_GG 10      /* repeat buyers needed before a spend model is worth fitting */

static const char *unit_name(st_unit u)
{
    switch (u) {
    case ST_UNIT_DAY: return "day";
    case ST_UNIT_WEEK: return "week";
    case ST_UNIT_MONTH: return "month";
    case ST_UNIT_YEAR: return "year";
    }
    return "";
}

/* 52 weeks in the table's unit. */
static double default_horizon(st_unit u)
{
    switch (u) {
    case ST_UNIT_DAY: return 364.0;
    case ST_UNIT_WEEK: return 52.0;
    case ST_UNIT_MONTH: return 12.0;
    case ST_UNIT_YEAR: return 1.0;
    }
    return 364.0;
}

/* The customers of a prediction job and its P(alive) and expected-purchases outputs (rows with a missing
** input get NaN). */
static void job_rows(st__predict_job *q, const double *x, const double *tx, const double *T, size_t n, double *pa,
                     double *ex)
{
    q->x = x;
    q->tx = tx;
    q->T = T;
    q->n = n;
    q->skip_missing = 1;
    q->p_alive = pa;
    q->expected = ex;
}

static st_status save_model(st_stage_env *env, const char *models_dir, const char *name, const st_btyd_model *m)
{
    char *p = st__path_join(env->ctx, models_dir, name);
    if (!p) return ST_ENOMEM;
    st_status rc = st_btyd_save(env->ctx, m, p);
    st__free(env->ctx, p, 0);
    return rc;
}

static void write_model_summary(st_jw *w, const char *key, const st_btyd_model *m)
{
    st__jw_key(w, key);
    st__jw_begin_object(w);
    st__jw_key(w, "params");
    st__jw_begin_object(w);
    for (size_t k = 0; k < st_btyd_nparams(m); k++) st__jw_kv_num(w, st_btyd_param_name(m, k), st_btyd_param(m, k));
    st__jw_end_object(w);
    st__jw_key(w, "std_errors");
    st__jw_begin_object(w);
    for (size_t k = 0; k < st_btyd_nparams(m); k++) st__jw_kv_num(w, st_btyd_param_name(m, k), st_btyd_stderr(m, k));
    st__jw_end_object(w);
    st__jw_kv_num(w, "log_likelihood", st_btyd_loglik(m));
    st__jw_kv_bool(w, "converged", st_btyd_converged(m) != 0);
    st__jw_kv_str(w, "status", st_btyd_status(m));
    st__jw_kv_int(w, "iterations", st_btyd_iterations(m));
    st__jw_kv_num(w, "n_obs", st_btyd_nobs(m));
    if (st_btyd_warning(m)[0]) st__jw_kv_str(w, "warning", st_btyd_warning(m));
    st__jw_end_object(w);
}

st_status st__stage_value(st_stage_env *env)
{
    st_context *ctx = env->ctx;
    int with_pnbd = env->opts ? env->opts->pareto_nbd : 0;
    st_table *t = env->customers;
    st_jw *w = env->summary;
    long jf = st_table_find(t, "frequency"), jr = st_table_find(t, "recency"), jT = st_table_find(t, "T");
    long jm = st_table_find(t, "monetary_value");
    const double *x = jf >= 0 ? st_table_f64(t, (size_t)jf) : NULL;
    const double *r = jr >= 0 ? st_table_f64(t, (size_t)jr) : NULL;
    const double *T = jT >= 0 ? st_table_f64(t, (size_t)jT) : NULL;
    const double *mv = jm >= 0 ? st_table_f64(t, (size_t)jm) : NULL;
    if (!x || !r || !T) return st__stage_skip(env, "value", "no frequency/recency/T columns");
    size_t n = st_table_nrows(t);
    st_unit unit = env->opts ? env->opts->summarize.unit : ST_UNIT_DAY;
    double horizon = default_horizon(unit);

    st_btyd_acc *acc = NULL, *pacc = NULL;
    st_btyd_model *bg = NULL, *gg = NULL, *pn = NULL;
    double *col[4] = {NULL, NULL, NULL, NULL}; /* p_alive, expected_purchases, expected_spend, clv */
    char *models_dir = NULL;
    st_status rc = st_btyd_acc_new(ctx, ST_BTYD_BGNBD, &acc);
    if (!rc && with_pnbd) rc = st_btyd_acc_new(ctx, ST_BTYD_PNBD, &pacc);
    size_t used = 0, repeat = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(T[i]) || isnan(x[i]) || isnan(r[i])) continue; /* no purchase: not a BTYD customer */
        used++;
        repeat += mv && x[i] > 0.0 && mv[i] > 0.0;
    }
    if (!rc) rc = st__btyd_acc_add_many(acc, x, r, T, n);
    if (!rc && pacc) rc = st__btyd_acc_add_many(pacc, x, r, T, n);
    if (rc) goto done;
    if (used == 0) {
        rc = st__stage_skip(env, "value", "no customer with a purchase");
        goto done;
    }
    rc = st_btyd_acc_fit(acc, 0.0, VALUE_SEED, &bg);
    if (rc == ST_ECONVERGE || rc == ST_EEMPTY) {
        rc = st__stage_skip(env, "value", st_errmsg(ctx));
        st_clear_error(ctx);
        goto done;
    }
    if (rc) goto done;
    st_btyd_set_time_unit(bg, unit_name(unit));
    if (repeat >= VALUE_MIN_GG) {
        st_status grc = st__gg_fit_columns(ctx, x, mv, T, n, 0.0, VALUE_SEED, &gg);
        if (grc == ST_ENOMEM) {
            rc = grc;
            goto done;
        }
        if (grc) st_clear_error(ctx); /* no spend model: CLV columns are left out */
    }
    if (pacc) {
        st_status prc = st_btyd_acc_fit(pacc, 0.0, VALUE_SEED, &pn);
        if (prc == ST_ENOMEM) {
            rc = prc;
            goto done;
        }
        if (prc) st_clear_error(ctx); /* reported as missing in the summary; BG/NBD carries the stage */
        else st_btyd_set_time_unit(pn, unit_name(unit));
    }
    models_dir = st__path_join(ctx, env->out_dir, "models");
    if (!models_dir) {
        rc = ST_ENOMEM;
        goto done;
    }
    if ((rc = st__mkdirs(ctx, models_dir)) != ST_OK) goto done;
    if ((rc = save_model(env, models_dir, "bgnbd.json", bg)) != ST_OK) goto done;
    if (gg && (rc = save_model(env, models_dir, "gg.json", gg)) != ST_OK) goto done;
    if (pn && (rc = save_model(env, models_dir, "pnbd.json", pn)) != ST_OK) goto done;
    int gg_usable = gg && st_btyd_param(gg, 1) > 1.0;

    /* The columns are allocated here and handed to the table (no copies). */
    for (int k = 0; k < 4; k++)
        if (!(col[k] = st__malloc(ctx, (n ? n : 1) * sizeof *col[k]))) {
            rc = ST_ENOMEM;
            goto done;
        }
    st__predict_job q;
    if (gg_usable) {
        if ((rc = st__clv_job(ctx, bg, gg, horizon, 0.0, VALUE_DISCOUNT, 1.0, &q)) != ST_OK) goto done;
        q.mbar = mv;
        q.spend_out = col[2];
        q.clv = col[3];
    } else {
        memset(&q, 0, sizeof q);
        q.m = bg;
        q.horizon = horizon;
    }
    job_rows(&q, x, r, T, n, col[0], col[1]);
    if ((rc = st__predict_run(ctx, "value stage", &q)) != ST_OK) goto done;
    double sum_ex = 0.0, sum_clv = 0.0, sum_pa = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(T[i]) || isnan(x[i]) || isnan(r[i])) continue;
        sum_pa += col[0][i];
        sum_ex += col[1][i];
        if (gg_usable) sum_clv += col[3][i];
    }
    static const char *const names[4] = {"p_alive", "expected_purchases", "expected_spend", "clv"};
    for (int k = 0; k < 4; k++) {
        if (k >= 2 && !gg_usable) break;
        rc = st__table_add_f64_owned(t, names[k], ST_COL_F64, col[k]);
        col[k] = NULL; /* owned by the table, or freed on failure */
        if (rc) goto done;
    }
    /* With a holdout, the churn score of the run's churn evaluation: P(no purchase in the holdout), the horizon
    ** being the holdout length (duration_holdout, the same for every customer). */
    long jd = st_table_find(t, "duration_holdout");
    if (jd >= 0) {
        const double *dur = st_table_f64(t, (size_t)jd);
        double hold = NAN;
        for (size_t i = 0; i < n && isnan(hold); i++) hold = dur[i];
        if (!(col[0] = st__malloc(ctx, (n ? n : 1) * sizeof *col[0]))) {
            rc = ST_ENOMEM;
            goto done;
        }
        if (isnan(hold) || hold < 0.0) {
            for (size_t i = 0; i < n; i++) col[0][i] = NAN;
        } else if ((rc = st_btyd_p_no_purchase(ctx, bg, x, r, T, n, hold, col[0])) != ST_OK) {
            goto done;
        }
        rc = st__table_add_f64_owned(t, "p_no_purchase", ST_COL_F64, col[0]);
        col[0] = NULL;
        if (rc) goto done;
    }
    if (pn) {
        for (int k = 0; k < 2; k++)
            if (!(col[k] = st__malloc(ctx, (n ? n : 1) * sizeof *col[k]))) {
                rc = ST_ENOMEM;
                goto done;
            }
        memset(&q, 0, sizeof q);
        q.m = pn;
        q.horizon = horizon;
        job_rows(&q, x, r, T, n, col[0], col[1]);
        if ((rc = st__predict_run(ctx, "value stage (pnbd)", &q)) != ST_OK) goto done;
        rc = st__table_add_f64_owned(t, "p_alive_pnbd", ST_COL_F64, col[0]);
        col[0] = NULL;
        if (rc) goto done;
        rc = st__table_add_f64_owned(t, "expected_purchases_pnbd", ST_COL_F64, col[1]);
        col[1] = NULL;
        if (rc) goto done;
    }
    st__jw_key(w, "value");
    st__jw_begin_object(w);
    st__jw_kv_str(w, "time_unit", unit_name(unit));
    st__jw_kv_num(w, "horizon", horizon);
    st__jw_kv_num(w, "annual_discount", VALUE_DISCOUNT);
    st__jw_kv_int(w, "customers", (long long)used);
    st__jw_kv_int(w, "repeat_customers", (long long)repeat);
    st__jw_kv_int(w, "unique_rows", (long long)st_btyd_acc_rows(acc));
    write_model_summary(w, "bgnbd", bg);
    if (gg) write_model_summary(w, "gg", gg);
    if (pn) write_model_summary(w, "pnbd", pn);
    if (with_pnbd && !pn) st__jw_kv_str(w, "pnbd_skipped", "the Pareto/NBD fit failed");
    if (!gg_usable)
        st__jw_kv_str(w, "clv_skipped", gg ? "gg q <= 1: expected spend undefined" : "too few repeat buyers for gg");
    st__jw_kv_num(w, "mean_p_alive", sum_pa / (double)used);
    st__jw_kv_num(w, "expected_purchases_total", sum_ex);
    if (gg_usable) st__jw_kv_num(w, "clv_total", sum_clv);
    st__jw_end_object(w);
    bool ok = st__jw_ok(w);
    if (!ok) rc = st__error(ctx, ST_ENOMEM, "out of memory writing the summary");
done:
    for (int k = 0; k < 4; k++)
        if (col[k]) st__free(ctx, col[k], (n ? n : 1) * sizeof *col[k]);
    if (models_dir) st__free(ctx, models_dir, 0);
    st_btyd_free(bg);
    st_btyd_free(gg);
    st_btyd_free(pn);
    st_btyd_acc_free(pacc);
    st_btyd_acc_free(acc);
    return rc;
}
