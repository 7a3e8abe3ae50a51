/*
** stage_churn.c -- the churn evaluation of `strata run --calibration-end` (issue 11, section 5). The label
** is "no purchase in the holdout"; the scores come from the calibration period only: the value stage's
** p_no_purchase, the hiatus T - t_x, and a logistic regression on RFM features. The figures are those of
** `strata evaluate` (st_eval_binary_compute: ROC AUC, average precision, Brier).
*/
#include "pipeline/stage_churn.h"
#include "core/rng.h"
#include "core/strmap.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_integer_id(const char *s)
{
    if (!s || !*s) return 0;
    errno = 0;
    char *end;
    (void)strtoll(s, &end, 10);
    return errno == 0 && *end == '\0' && end != s && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'));
}

int st__churn_train_row(const char *id, int integer_ids)
{
    if (integer_ids) {
        long long v = strtoll(id, NULL, 10);
        return (v % 2) != 0;
    }
    uint64_t h = st__hash_bytes(id, strlen(id));
    return (int)(st__rng_splitmix64(&h) >> 63);
}

/* Writes key: {"roc_auc", "average_precision", "brier"} for score s of the rows in use (brier null when the
** score is not a probability). A single-class label was ruled out before; other ST_EDATA (a non-finite score)
** is a bug of an earlier stage and fails the run. */
static st_status write_score(st_stage_env *env, const char *key, const double *label, const double *s, size_t n,
                             int probability)
{
    st_eval_binary e;
    st_status rc = st_eval_binary_compute(env->ctx, label, s, n, 0.5, &e);
    if (rc) return rc;
    st_jw *w = env->summary;
    st__jw_key(w, key);
    st__jw_begin_object(w);
    st__jw_kv_num(w, "roc_auc", e.roc_auc);
    st__jw_kv_num(w, "average_precision", e.average_precision);
    st__jw_kv_num(w, "brier", probability ? e.brier : (double)NAN);
    st__jw_end_object(w);
    return ST_OK;
}

/* The logistic regression on calibration RFM features (frequency, recency, T, monetary_value and
** log1p(frequency)), scikit-learn's LogisticRegression(C=1) objective, fitted on the training half of the
** evaluated customers and scored on the other half (st__churn_train_row). Writes "logistic_rfm", or
** {"skipped": why} when a half lacks a class or the fit fails. */
static st_status logistic_rfm(st_stage_env *env, const double *label, size_t m)
{
    st_context *ctx = env->ctx;
    st_table *t = env->customers;
    st_jw *w = env->summary;
    static const char *const feats[5] = {"frequency", "recency", "T", "monetary_value", "log1p_frequency"};
    const double *src[4];
    for (int k = 0; k < 4; k++) {
        long j = st_table_find(t, feats[k]);
        src[k] = j >= 0 ? st_table_f64(t, (size_t)j) : NULL;
    }
    const double *T = src[2];
    size_t n = st_table_nrows(t);
    long jh = st_table_find(t, "frequency_holdout");
    const double *xh = st_table_f64(t, (size_t)jh);
    int integer_ids = 1;
    for (size_t i = 0; i < n && integer_ids; i++)
        if (!isnan(T[i]) && !isnan(xh[i]) && !is_integer_id(st_table_str(t, 0, i))) integer_ids = 0;
    const char *why = NULL;
    for (int k = 0; k < 4; k++)
        if (!src[k]) why = "no frequency/recency/T/monetary_value columns";
    st_table *d = NULL;
    st_glm *g = NULL;
    double *score = NULL;
    unsigned char *train = NULL;
    st_status rc = ST_OK;
    size_t ntr = 0, nte = 0, ptr = 0, pte = 0;
    if (!why) rc = st_table_new(ctx, "customer_id", m, &d);
    for (int k = 0; !why && !rc && k < 6; k++) rc = st_table_add_f64(d, k < 5 ? feats[k] : "churned", ST_COL_F64, NULL);
    if (!why && !rc) {
        double *col[6];
        for (int k = 0; k < 6; k++) col[k] = st_table_f64_mut(d, (size_t)k + 1);
        train = st__malloc(ctx, m ? m : 1);
        score = st__malloc(ctx, (m ? m : 1) * sizeof *score);
        if (!train || !score) rc = ST_ENOMEM;
        for (size_t i = 0, r = 0; !rc && i < n; i++) {
            if (isnan(T[i]) || isnan(src[1][i]) || isnan(xh[i])) continue;
            for (int k = 0; k < 4; k++) col[k][r] = isnan(src[k][i]) ? 0.0 : src[k][i];
            col[4][r] = log1p(src[0][i]);
            col[5][r] = label[r];
            train[r] = (unsigned char)st__churn_train_row(st_table_str(t, 0, i), integer_ids);
            if (train[r]) {
                ntr++;
                ptr += label[r] == 1.0;
            } else {
                nte++;
                pte += label[r] == 1.0;
            }
            r++;
        }
    }
    if (!why && !rc && (ptr == 0 || ptr == ntr || pte == 0 || pte == nte))
        why = "the training or the test half has one class only";
    if (!why && !rc) {
        st_glm_options o;
        st_glm_options_init(&o);
        o.row_mask = train;
        rc = st_glm_fit(ctx, d, "churn", "churned", feats, 5, NULL, 0, &o, &g);
        if (rc == ST_EDATA || rc == ST_ECONVERGE) {
            why = "the logistic fit failed";
            st_clear_error(ctx);
            rc = ST_OK;
        }
        if (!why && !rc) rc = st_glm_predict(ctx, g, d, "churn", score);
    }
    if (!why && !rc) {
        /* the test half, in table order */
        size_t q = 0;
        for (size_t r = 0; r < m; r++)
            if (!train[r]) {
                score[q] = score[r];
                q++;
            }
        double *ytest = st__malloc(ctx, (nte ? nte : 1) * sizeof *ytest);
        if (!ytest) rc = ST_ENOMEM;
        for (size_t r = 0, k = 0; !rc && r < m; r++)
            if (!train[r]) ytest[k++] = label[r];
        if (!rc) {
            st_eval_binary e;
            rc = st_eval_binary_compute(ctx, ytest, score, nte, 0.5, &e);
            if (!rc) {
                st__jw_key(w, "logistic_rfm");
                st__jw_begin_object(w);
                st__jw_kv_num(w, "roc_auc", e.roc_auc);
                st__jw_kv_num(w, "average_precision", e.average_precision);
                st__jw_kv_num(w, "brier", e.brier);
                st__jw_key(w, "features");
                st__jw_begin_array_inline(w);
                for (int k = 0; k < 5; k++) st__jw_string(w, feats[k]);
                st__jw_end_array(w);
                st__jw_kv_str(w, "split", integer_ids ? "odd ids train, even ids test"
                                                      : "hashed ids: splitmix64(hash(id)) top bit set trains");
                st__jw_kv_int(w, "n_train", (long long)ntr);
                st__jw_kv_int(w, "n_test", (long long)nte);
                st__jw_kv_int(w, "churned_test", (long long)pte);
                st__jw_kv_bool(w, "converged", st_glm_converged(g) != 0);
                st__jw_end_object(w);
            }
        }
        st__free(ctx, ytest, (nte ? nte : 1) * sizeof *ytest);
    }
    if (why && !rc) {
        st__jw_key(w, "logistic_rfm");
        st__jw_begin_object(w);
        st__jw_kv_str(w, "skipped", why);
        st__jw_end_object(w);
    }
    st__free(ctx, train, m ? m : 1);
    st__free(ctx, score, (m ? m : 1) * sizeof *score);
    st_glm_free(g);
    st_table_free(d);
    return rc;
}

st_status st__stage_churn(st_stage_env *env)
{
    st_context *ctx = env->ctx;
    st_table *t = env->customers;
    long jh = st_table_find(t, "frequency_holdout"), jd = st_table_find(t, "duration_holdout");
    long jr = st_table_find(t, "recency"), jT = st_table_find(t, "T"), jp = st_table_find(t, "p_no_purchase");
    if (jh < 0 || jd < 0) return ST_OK; /* no holdout: nothing to evaluate */
    if (jr < 0 || jT < 0) return st__stage_skip(env, "churn", "no recency/T columns");
    const double *xh = st_table_f64(t, (size_t)jh), *dur = st_table_f64(t, (size_t)jd);
    const double *r = st_table_f64(t, (size_t)jr), *T = st_table_f64(t, (size_t)jT);
    const double *pnp = jp >= 0 ? st_table_f64(t, (size_t)jp) : NULL;
    /* the hiatus in whole days when the table has them: T - t_x in weeks breaks ties between equal day gaps by
    ** rounding (CDNOW: AUC 0.771435 instead of 0.771442); the ranking is the same in any unit */
    long jrd = st_table_find(t, "recency_days");
    const double *rd = jrd >= 0 ? st_table_f64(t, (size_t)jrd) : NULL;
    size_t n = st_table_nrows(t);
    st_unit unit = env->opts ? env->opts->summarize.unit : ST_UNIT_DAY;

    /* the customers evaluated: a purchase in the calibration period */
    size_t m = 0, churned = 0;
    double hold = NAN;
    for (size_t i = 0; i < n; i++) {
        if (isnan(T[i]) || isnan(r[i]) || isnan(xh[i])) continue;
        m++;
        churned += xh[i] == 0.0;
        if (isnan(hold)) hold = dur[i];
    }
    if (m == 0) return st__stage_skip(env, "churn", "no customer with a purchase in the calibration period");
    if (churned == 0 || churned == m)
        return st__stage_skip(env, "churn", churned ? "every customer churned: no purchase in the holdout"
                                                    : "no customer churned: every one bought in the holdout");
    size_t cap = m * 3;
    double *buf = st__malloc(ctx, cap * sizeof *buf);
    if (!buf) return ST_ENOMEM;
    double *label = buf, *hiatus = buf + m, *s = buf + 2 * m;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(T[i]) || isnan(r[i]) || isnan(xh[i])) continue;
        label[k] = xh[i] == 0.0 ? 1.0 : 0.0;
        hiatus[k] = rd && !isnan(rd[i]) ? rd[i] : T[i] - r[i];
        s[k] = pnp ? pnp[i] : (double)NAN;
        k++;
    }
    st_jw *w = env->summary;
    st__jw_key(w, "churn");
    st__jw_begin_object(w);
    st__jw_kv_str(w, "label", "no purchase in the holdout");
    st__jw_kv_str(w, "time_unit", st_unit_name(unit));
    st__jw_kv_num(w, "holdout", hold);
    st__jw_kv_num(w, "holdout_days", hold * st_unit_days(unit));
    st__jw_kv_int(w, "n", (long long)m);
    st__jw_kv_int(w, "churned", (long long)churned);
    st__jw_key(w, "scores");
    st__jw_begin_object(w);
    st_status rc = ST_OK;
    if (pnp) rc = write_score(env, "p_no_purchase", label, s, m, 1);
    else {
        st__jw_key(w, "p_no_purchase");
        st__jw_null(w);
    }
    if (!rc) rc = write_score(env, "hiatus", label, hiatus, m, 0);
    if (!rc) rc = logistic_rfm(env, label, m);
    st__jw_end_object(w);
    st__jw_end_object(w);
    st__free(ctx, buf, cap * sizeof *buf);
    if (!rc && !st__jw_ok(w)) rc = st__error(ctx, ST_ENOMEM, "out of memory writing the summary");
    return rc;
}
