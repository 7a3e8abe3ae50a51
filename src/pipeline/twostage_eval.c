/*
** twostage_eval.c -- `strata twostage eval` (docs/twostage.md): against a truth column, the prompted
** prediction and the RFM baselines (precision, recall, balanced accuracy, weighted F1) and the gain curve;
** on a randomised test, qini AUC and uplift@k (the uplift evaluation of the eval stage) and the targeting
** table (response of the treated top x% against all treated, lift with a delta-method interval).
*/
#include "core/arms.h"
#include "core/json.h"
#include "learn/design.h"
#include "num/sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void st_twostage_eval_options_init(st_twostage_eval_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->top = 0.4;
}

/* A numeric column by name, checked for 0/1 values; NULL and an error otherwise. */
static st_status col01(st_context *ctx, const st_table *t, const char *src, const char *name, const double **out)
{
    long j = st_table_find(t, name);
    if (j < 0) return st__error(ctx, ST_EINVAL, "no column %s in %s", name, src);
    const double *v = st_table_f64(t, (size_t)j);
    if (!v) return st__error(ctx, ST_EINVAL, "column %s of %s is not numeric (0/1)", name, src);
    for (size_t i = 0; i < st_table_nrows(t); i++)
        if (v[i] != 0.0 && v[i] != 1.0)
            return st__error(ctx, ST_EDATA, "%s:%zu: %s is %s, not 0 or 1", src, i + 2, name,
                             isnan(v[i]) ? "missing" : "another number");
    *out = v;
    return ST_OK;
}

static st_status col_num(st_context *ctx, const st_table *t, const char *src, const char *name, const double **out)
{
    long j = st_table_find(t, name);
    if (j < 0) return st__error(ctx, ST_EINVAL, "no column %s in %s (written by strata twostage predict)", name, src);
    const double *v = st_table_f64(t, (size_t)j);
    if (!v) return st__error(ctx, ST_EINVAL, "column %s of %s is not numeric", name, src);
    *out = v;
    return ST_OK;
}

/* Precision, recall, balanced accuracy and weighted F1 of a 0/1 prediction (scikit-learn's definitions,
** 0 for 0/0), through the eval stage's binary figures. */
static st_status write_cls(st_context *ctx, st_jw *w, const double *truth, const double *pred, size_t n)
{
    st_eval_binary e;
    st_status rc = st_eval_binary_compute(ctx, truth, pred, n, 0.5, &e);
    if (rc) return rc;
    double n1 = (double)(e.tp + e.fn), n0 = (double)(e.tn + e.fp);
    double d0 = 2.0 * (double)e.tn + (double)e.fn + (double)e.fp;
    double f1_0 = d0 > 0.0 ? 2.0 * (double)e.tn / d0 : 0.0;
    st__jw_begin_object_inline(w);
    st__jw_kv_num(w, "precision", e.precision);
    st__jw_kv_num(w, "recall", e.recall);
    st__jw_kv_num(w, "balanced_accuracy", e.balanced_accuracy);
    st__jw_kv_num(w, "weighted_f1", (n1 * e.f1 + n0 * f1_0) / (n1 + n0));
    st__jw_kv_int(w, "predicted", (long long)(e.tp + e.fp));
    st__jw_end_object(w);
    return ST_OK;
}

static st_status write_gain(st_context *ctx, st_jw *w, const char *key, const double *truth, const double *score,
                            size_t n)
{
    st_eval_binary e;
    st_status rc = st_eval_binary_compute(ctx, truth, score, n, 0.5, &e);
    if (rc) return rc;
    st__jw_key(w, key);
    st__jw_begin_array_inline(w);
    for (int k = 0; k < 10; k++) st__jw_number(w, e.gain[k]);
    st__jw_end_array(w);
    return ST_OK;
}

static st_status eval_truth(st_context *ctx, const st_table *t, const char *src, const st_twostage_eval_options *o,
                            st_jw *w)
{
    size_t n = st_table_nrows(t);
    const double *truth = NULL, *ps = NULL, *inc = NULL, *rfm[3] = {NULL, NULL, NULL};
    st_status rc = col01(ctx, t, src, o->truth_col, &truth);
    if (!rc) rc = col_num(ctx, t, src, "prompted_score", &ps);
    if (!rc) rc = col_num(ctx, t, src, "incremental_score", &inc);
    long js = st_table_find(t, "segment");
    if (!rc && js < 0) rc = st__error(ctx, ST_EINVAL, "no column segment in %s (written by strata twostage predict)", src);
    const char *rn[3] = {o->recency_col, o->frequency_col, o->monetary_col};
    int given = (rn[0] != NULL) + (rn[1] != NULL) + (rn[2] != NULL);
    if (!rc && given && given < 3)
        rc = st__error(ctx, ST_EINVAL, "the RFM baselines need all three of recency, frequency and monetary");
    for (int k = 0; k < given && !rc; k++) rc = col_num(ctx, t, src, rn[k], &rfm[k]);
    if (rc) return rc;
    double *pred = st__malloc(ctx, (n ? n : 1) * sizeof *pred);
    int32_t *sc = given ? st__malloc(ctx, 3 * (n ? n : 1) * sizeof *sc) : NULL;
    if (!pred || (given && !sc)) {
        st__free(ctx, pred, 0);
        st__free(ctx, sc, 0);
        return ST_ENOMEM;
    }
    size_t positives = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = st_table_str(t, (size_t)js, i);
        pred[i] = s && strcmp(s, "prompted") == 0 ? 1.0 : 0.0;
        positives += truth[i] == 1.0;
    }
    st__jw_kv_int(w, "n", (long long)n);
    st__jw_kv_int(w, "prompted", (long long)positives);
    st__jw_key(w, "model");
    rc = write_cls(ctx, w, truth, pred, n);
    if (!rc && given) {
        rc = st_rfm_scores(ctx, rfm[0], rfm[1], rfm[2], n, sc, sc + n, sc + 2 * n);
        static const int BASE[3] = {ST_RFM_CHAMPIONS, ST_RFM_LOYAL, ST_RFM_POTENTIAL_LOYALIST};
        if (!rc) {
            st__jw_key(w, "baselines");
            st__jw_begin_object(w);
        }
        for (int b = 0; b < 3 && !rc; b++) {
            for (size_t i = 0; i < n; i++)
                pred[i] = st_rfm_segment(sc[i], sc[n + i], sc[2 * n + i]) == BASE[b] ? 1.0 : 0.0;
            st__jw_key(w, st_rfm_segment_name(BASE[b]));
            rc = write_cls(ctx, w, truth, pred, n);
        }
        if (!rc) st__jw_end_object(w);
    }
    if (!rc) {
        st__jw_key(w, "gain_top");
        st__jw_begin_array_inline(w);
        for (int k = 1; k <= 10; k++) st__jw_number(w, k / 10.0);
        st__jw_end_array(w);
        rc = write_gain(ctx, w, "gain", truth, ps, n);
    }
    if (!rc) rc = write_gain(ctx, w, "gain_incremental", truth, inc, n);
    st__free(ctx, pred, 0);
    st__free(ctx, sc, 0);
    return rc;
}

static st_status eval_test(st_context *ctx, const st_table *t, const char *src, const st_twostage_eval_options *o,
                           st_jw *w)
{
    size_t n = st_table_nrows(t);
    const double *resp = NULL, *inc = NULL;
    st_status rc = col01(ctx, t, src, o->response_col, &resp);
    if (!rc) rc = col_num(ctx, t, src, "incremental_score", &inc);
    long jt = st_table_find(t, o->treatment_col);
    if (!rc && jt < 0) rc = st__error(ctx, ST_EINVAL, "no column %s in %s", o->treatment_col, src);
    if (!rc && strcmp(o->treatment_col, "segment") == 0 && st_table_find(t, "segment_input") >= 0)
        rc = st__error(ctx, ST_EINVAL,
                       "segment of %s is the model's segment; the input's arm column was renamed segment_input", src);
    if (rc) return rc;
    /* qini AUC and uplift@k of each score, by the eval stage */
    static const char *const SCORES[2] = {"incremental_score", "prompted_score"};
    for (int s = 0; s < 2 && !rc; s++) {
        st_uplift_eval_options uo;
        st_uplift_eval_options_init(&uo);
        uo.treatment_col = o->treatment_col;
        uo.control = o->control;
        uo.outcome_col = o->response_col;
        uo.score_col = SCORES[s];
        uo.k = o->top;
        uo.bins = 1; /* by_percentile is not reported */
        st_uplift_eval *e;
        rc = st_uplift_eval_table(ctx, t, src, &uo, &e);
        if (rc) break;
        const st_uplift_scores *sc = st_uplift_eval_scores(e);
        if (s == 0) {
            st__jw_kv_int(w, "n", (long long)n);
            st__jw_kv_num(w, "k", o->top);
            st__jw_kv_num(w, "qini_auc", sc->qini_auc);
            st__jw_kv_num(w, "uplift_at_k", sc->uplift_at_k_overall);
        } else {
            st__jw_key(w, "prompted_score");
            st__jw_begin_object_inline(w);
            st__jw_kv_num(w, "qini_auc", sc->qini_auc);
            st__jw_kv_num(w, "uplift_at_k", sc->uplift_at_k_overall);
            st__jw_end_object(w);
        }
        st_uplift_eval_free(e);
    }
    if (rc) return rc;
    /* targeting: the treated rows by incremental_score */
    uint8_t *arm = st__malloc(ctx, n ? n : 1);
    double *ts = st__malloc(ctx, (n ? n : 1) * sizeof *ts), *tr = st__malloc(ctx, (n ? n : 1) * sizeof *tr);
    uint32_t *ord = st__malloc(ctx, (n ? n : 1) * sizeof *ord);
    if (!arm || !ts || !tr || !ord) rc = ST_ENOMEM;
    st__arms arms;
    if (!rc) rc = st__arms_read(ctx, t, (size_t)jt, src, o->treatment_col, &arms, arm);
    size_t c = rc ? 0 : st__arms_find(&arms, o->control), nt = 0;
    if (!rc && c == arms.narms) rc = st__error(ctx, ST_EDATA, "%s: no row of %s is the control arm \"%s\"", src,
                                               o->treatment_col, o->control);
    for (size_t i = 0; i < n && !rc; i++)
        if (arm[i] != c) {
            ts[nt] = inc[i];
            tr[nt++] = resp[i];
        }
    if (!rc && nt == 0) rc = st__error(ctx, ST_EDATA, "%s: no treated row", src);
    if (!rc) rc = st__argsort_desc(ctx, ts, nt, ord, NULL);
    if (!rc) {
        double all = 0.0;
        for (size_t i = 0; i < nt; i++) all += tr[i];
        double r_all = all / (double)nt, hits = 0.0;
        st__jw_kv_int(w, "n_treated", (long long)nt);
        st__jw_key(w, "targeting");
        st__jw_begin_array(w);
        size_t at = 0;
        for (size_t k = 1; k <= 10; k++) {
            size_t m = (k * nt + 9) / 10; /* ceil(k nt / 10) */
            while (at < m) hits += tr[ord[at++]];
            double r_top = m ? hits / (double)m : (double)NAN, lift = r_top / r_all;
            /* delta method on log(r_top / r_all), the top rows being part of all treated rows */
            double v = (1.0 - r_top) / ((double)m * r_top) + (1.0 - r_all) / ((double)nt * r_all) -
                       2.0 * (1.0 - r_top) / ((double)nt * r_all);
            double h = 1.959963984540054 * sqrt(v > 0.0 ? v : 0.0);
            st__jw_begin_object_inline(w);
            st__jw_kv_num(w, "top", (double)k / 10.0);
            st__jw_kv_int(w, "n", (long long)m);
            st__jw_kv_num(w, "response_top", r_top);
            st__jw_kv_num(w, "response_random", r_all);
            st__jw_kv_num(w, "lift", lift);
            st__jw_key(w, "lift_ci");
            st__jw_begin_array_inline(w);
            st__jw_number(w, lift * exp(-h));
            st__jw_number(w, lift * exp(h));
            st__jw_end_array(w);
            st__jw_end_object(w);
        }
        st__jw_end_array(w);
    }
    st__free(ctx, arm, 0);
    st__free(ctx, ts, 0);
    st__free(ctx, tr, 0);
    st__free(ctx, ord, 0);
    return rc;
}

st_status st_twostage_eval_json(st_context *ctx, const st_table *t, const char *source,
                                const st_twostage_eval_options *o, char **out, size_t *len)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!t || !o || !out) return st__error(ctx, ST_EINVAL, "st_twostage_eval_json: NULL argument");
    bool test = o->treatment_col || o->control || o->response_col;
    if ((o->truth_col != NULL) == test)
        return st__error(ctx, ST_EINVAL, "twostage eval: give either a truth column or a test (treatment, control, response)");
    if (test && (!o->treatment_col || !o->control || !o->response_col))
        return st__error(ctx, ST_EINVAL, "twostage eval: a test needs its treatment column, control arm and response");
    if (!(o->top > 0.0 && o->top < 1.0)) return st__error(ctx, ST_EINVAL, "twostage eval: top must be in (0, 1)");
    if (st_table_nrows(t) == 0) return st__error(ctx, ST_EDATA, "%s: no rows", st__src(source));
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__jw_begin_object(&w);
    st_status rc = test ? eval_test(ctx, t, st__src(source), o, &w) : eval_truth(ctx, t, st__src(source), o, &w);
    st__jw_end_object(&w);
    if (rc) {
        st__buf_free(&b);
        return rc;
    }
    return st__jw_finish(&w, "twostage eval", out, len);
}

st_status st_twostage_eval_csv(st_context *ctx, const char *in_path, const st_twostage_eval_options *o,
                               const char *out_path)
{
    if (!ctx) return ST_EINVAL;
    if (!in_path || !o || !out_path) return st__error(ctx, ST_EINVAL, "st_twostage_eval_csv: NULL argument");
    st_table *t;
    st_status rc = st_table_read_csv(ctx, in_path, NULL, &t);
    if (rc) return rc;
    char *text = NULL;
    size_t len = 0;
    rc = st_twostage_eval_json(ctx, t, in_path, o, &text, &len);
    if (!rc) rc = st__write_file_atomic(ctx, out_path, text, len);
    st_free(ctx, text);
    st_table_free(t);
    return rc;
}
