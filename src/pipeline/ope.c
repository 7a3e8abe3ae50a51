/*
** ope.c -- `strata ope`: off-policy evaluation of a logged campaign table (docs/ope.md). Reads the columns,
** builds the target policy's probabilities and the reward model (given columns, or one linear regression per
** logged action from the learn stage), runs the eval stage's estimators and writes OPE.json. It lives in the
** pipeline because the direct-method model joins the learn and eval stages.
*/
#include "core/arms.h"
#include "core/json.h"
#include "eval/ope.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void st_ope_options_init(st_ope_options *o)
{
    if (o) memset(o, 0, sizeof *o);
}

/* The numeric column called name (prefix + suffix when suffix is not NULL), or an error naming it. */
static st_status num_col(st_context *ctx, const st_table *t, const char *source, const char *what, const char *name,
                         const char *suffix, const double **out)
{
    char full[512];
    snprintf(full, sizeof full, "%s%s", name, suffix ? suffix : "");
    long j = st_table_find(t, full);
    if (j < 0) return st__error(ctx, ST_EINVAL, "ope: %s: no %s column '%s'", source, what, full);
    *out = st_table_f64(t, (size_t)j);
    if (*out) return ST_OK;
    /* A text column: name the first cell that is not a number. */
    for (size_t i = 0, n = st_table_nrows(t); i < n; i++) {
        const char *v = st_table_str(t, (size_t)j, i);
        char *end = NULL;
        if (!v || !v[0]) continue;
        (void)strtod(v, &end);
        if (end == v || *end)
            return st__error(ctx, ST_EDATA, "%s:%zu: %s '%s' is not a number (column '%s')", source, i + 2, what, v,
                             full);
    }
    return st__error(ctx, ST_EINVAL, "ope: %s: %s column '%s' is not numeric", source, what, full);
}

static void put_estimate(st_jw *w, const char *key, double v, double se)
{
    st__jw_key(w, key);
    st__jw_begin_object_inline(w);
    st__jw_kv_num(w, "value", v);
    st__jw_kv_num(w, "se", se);
    st__jw_key(w, "ci95");
    st__jw_begin_array_inline(w);
    st__jw_number(w, v - 1.959963984540054 * se);
    st__jw_number(w, v + 1.959963984540054 * se);
    st__jw_end_array(w);
    st__jw_end_object(w);
}

st_status st_ope_json(st_context *ctx, const st_table *t, const char *source, const st_ope_options *o, char **json,
                      size_t *len)
{
    if (json) *json = NULL;
    if (len) *len = 0;
    if (!ctx || !t || !o || !json || !o->action_col || !o->propensity_col || !o->reward_col)
        return st__error(ctx, ST_EINVAL, "ope: NULL argument (the action, propensity and reward columns are needed)");
    if (!source) source = "data";
    if (!o->policy_col == !o->policy_prob_prefix)
        return st__error(ctx, ST_EINVAL, "ope: give the target policy as an action column or as a probability "
                                         "column prefix, one of the two");
    if (o->model_prefix && o->nfeatures + o->ncategorical > 0)
        return st__error(ctx, ST_EINVAL, "ope: give the reward model as columns or as features, not both");
    if (!(o->ridge_C >= 0.0)) return st__error(ctx, ST_EINVAL, "ope: ridge C must be >= 0, got %g", o->ridge_C);
    size_t n = st_table_nrows(t);
    if (n == 0) return st__error(ctx, ST_EEMPTY, "ope: %s: no rows", source);
    long ja = st_table_find(t, o->action_col);
    if (ja < 0) return st__error(ctx, ST_EINVAL, "ope: %s: no action column '%s'", source, o->action_col);
    const double *p, *r;
    st_status rc;
    if ((rc = num_col(ctx, t, source, "propensity", o->propensity_col, NULL, &p))) return rc;
    if ((rc = num_col(ctx, t, source, "reward", o->reward_col, NULL, &r))) return rc;

    st__arms arms, parms;
    size_t A = 0, nA = 0;
    uint8_t *armof = st__malloc(ctx, n), *pol = NULL;
    uint32_t *act = st__malloc(ctx, n * sizeof *act);
    double *pi = NULL, *q = NULL;
    unsigned char *mask = NULL;
    st_glm **glm = NULL;
    if (!armof || !act) goto nomem;
    if ((rc = st__arms_read(ctx, t, (size_t)ja, source, o->action_col, &arms, armof))) goto out;
    A = arms.narms;
    for (size_t i = 0; i < n; i++) act[i] = armof[i];
    if (!st__mul_ok(n, A, &nA) || !(pi = st__calloc(ctx, nA, sizeof *pi))) goto nomem;
    if (o->policy_col) {
        long jp = st_table_find(t, o->policy_col);
        if (jp < 0) {
            rc = st__error(ctx, ST_EINVAL, "ope: %s: no policy column '%s'", source, o->policy_col);
            goto out;
        }
        if (!(pol = st__malloc(ctx, n))) goto nomem;
        if ((rc = st__arms_read(ctx, t, (size_t)jp, source, o->policy_col, &parms, pol))) goto out;
        size_t map[ST__ARMS_MAX];
        for (size_t k = 0; k < parms.narms; k++) {
            if ((map[k] = st__arms_find(&arms, parms.name[k])) == A) {
                size_t i = 0;
                while (pol[i] != k) i++;
                rc = st__error(ctx, ST_EDATA,
                               "%s:%zu: the policy's action '%s' (column '%s') never appears in the logged actions "
                               "(column '%s'): the log holds no evidence about it",
                               source, i + 2, parms.name[k], o->policy_col, o->action_col);
                goto out;
            }
        }
        for (size_t i = 0; i < n; i++) pi[i * A + map[pol[i]]] = 1.0;
    } else {
        for (size_t a = 0; a < A; a++) {
            const double *c;
            if ((rc = num_col(ctx, t, source, "policy probability", o->policy_prob_prefix, arms.name[a], &c))) goto out;
            for (size_t i = 0; i < n; i++) pi[i * A + a] = c[i];
        }
    }
    if (o->model_prefix) {
        if (!(q = st__malloc(ctx, nA * sizeof *q))) goto nomem;
        for (size_t a = 0; a < A; a++) {
            const double *c;
            if ((rc = num_col(ctx, t, source, "reward model", o->model_prefix, arms.name[a], &c))) goto out;
            for (size_t i = 0; i < n; i++) q[i * A + a] = c[i];
        }
    } else if (o->nfeatures + o->ncategorical > 0) {
        q = st__malloc(ctx, nA * sizeof *q);
        double *col = st__malloc(ctx, n * sizeof *col);
        mask = st__malloc(ctx, n);
        glm = st__calloc(ctx, A, sizeof *glm);
        if (!q || !col || !mask || !glm) {
            st__free(ctx, col, n * sizeof *col);
            goto nomem;
        }
        st_glm_options go;
        st_glm_options_init(&go);
        go.kind = ST_GLM_LINEAR;
        go.C = o->ridge_C;
        go.row_mask = mask;
        for (size_t a = 0; a < A && !rc; a++) {
            for (size_t i = 0; i < n; i++) mask[i] = armof[i] == a;
            rc = st_glm_fit(ctx, t, source, o->reward_col, o->features, o->nfeatures, o->categorical, o->ncategorical,
                            &go, &glm[a]);
            if (rc) {
                char msg[ST_ERRMSG_CAP];
                snprintf(msg, sizeof msg, "%s", st_errmsg(ctx));
                rc = st__error(ctx, rc == ST_ENOMEM ? rc : ST_EDATA,
                               "ope: the reward regression of action '%s' (%zu rows) cannot be fitted: %s", arms.name[a],
                               arms.count[a], msg);
                break;
            }
            if ((rc = st_glm_predict(ctx, glm[a], t, source, col))) break;
            for (size_t i = 0; i < n; i++) q[i * A + a] = col[i];
        }
        st__free(ctx, col, n * sizeof *col);
        if (rc) goto out;
    }

    st_ope_result res;
    if ((rc = st__ope_estimate(ctx, source, n, A, act, p, r, pi, q, &res))) goto out;

    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__jw_begin_object(&w);
    st__jw_kv_str(&w, "format", "strata-ope");
    st__jw_kv_int(&w, "version", 1);
    st__jw_kv_int(&w, "n", (long long)n);
    st__jw_key(&w, "actions");
    st__jw_begin_array_inline(&w);
    for (size_t a = 0; a < A; a++) st__jw_string(&w, arms.name[a]);
    st__jw_end_array(&w);
    st__jw_key(&w, "columns");
    st__jw_begin_object_inline(&w);
    st__jw_kv_str(&w, "action", o->action_col);
    st__jw_kv_str(&w, "propensity", o->propensity_col);
    st__jw_kv_str(&w, "reward", o->reward_col);
    st__jw_end_object(&w);
    st__jw_key(&w, "policy");
    st__jw_begin_object_inline(&w);
    st__jw_kv_str(&w, "kind", o->policy_col ? "deterministic" : "stochastic");
    if (o->policy_col) st__jw_kv_str(&w, "column", o->policy_col);
    else st__jw_kv_str(&w, "prefix", o->policy_prob_prefix);
    st__jw_end_object(&w);
    st__jw_key(&w, "model");
    if (o->model_prefix) {
        st__jw_begin_object_inline(&w);
        st__jw_kv_str(&w, "kind", "columns");
        st__jw_kv_str(&w, "prefix", o->model_prefix);
        st__jw_end_object(&w);
    } else if (glm) {
        st__jw_begin_object(&w);
        st__jw_kv_str(&w, "kind", "linear");
        st__jw_kv_num(&w, "C", o->ridge_C > 0.0 ? o->ridge_C : (double)INFINITY);
        st__jw_key(&w, "features");
        st__jw_begin_array_inline(&w);
        for (size_t k = 0; k < o->nfeatures; k++) st__jw_string(&w, o->features[k]);
        st__jw_end_array(&w);
        st__jw_key(&w, "categorical");
        st__jw_begin_array_inline(&w);
        for (size_t k = 0; k < o->ncategorical; k++) st__jw_string(&w, o->categorical[k]);
        st__jw_end_array(&w);
        st__jw_key(&w, "per_action");
        st__jw_begin_array(&w);
        for (size_t a = 0; a < A; a++) {
            double sse = 0.0;
            for (size_t i = 0; i < n; i++)
                if (armof[i] == a) sse += (r[i] - q[i * A + a]) * (r[i] - q[i * A + a]);
            st__jw_begin_object_inline(&w);
            st__jw_kv_str(&w, "action", arms.name[a]);
            st__jw_kv_int(&w, "rows", (long long)arms.count[a]);
            st__jw_kv_num(&w, "intercept", st_glm_intercept(glm[a]));
            st__jw_kv_num(&w, "rmse", sqrt(sse / (double)arms.count[a]));
            st__jw_end_object(&w);
        }
        st__jw_end_array(&w);
        st__jw_end_object(&w);
    } else {
        st__jw_null(&w);
    }
    static const char *const names[ST_OPE_NESTIMATORS] = {"logged", "ipw", "snipw", "dm", "dr"};
    st__jw_key(&w, "estimates");
    st__jw_begin_object(&w);
    for (int e = 0; e < ST_OPE_NESTIMATORS; e++)
        if (!isnan(res.value[e])) put_estimate(&w, names[e], res.value[e], res.se[e]);
    st__jw_end_object(&w);
    st__jw_key(&w, "diagnostics");
    st__jw_begin_object_inline(&w);
    st__jw_kv_num(&w, "mean_weight", res.mean_weight);
    st__jw_kv_num(&w, "max_weight", res.max_weight);
    st__jw_kv_num(&w, "effective_sample_size", res.effective_sample_size);
    st__jw_kv_num(&w, "support", res.support);
    st__jw_end_object(&w);
    st__jw_end_object(&w);
    rc = st__jw_finish(&w, "st_ope_json", json, len);
    goto out;

nomem:
    rc = st__error(ctx, ST_ENOMEM, "ope: out of memory for %zu rows", n);
out:
    if (glm)
        for (size_t a = 0; a < A; a++) st_glm_free(glm[a]);
    st__free(ctx, glm, A * sizeof *glm);
    st__free(ctx, mask, n);
    st__free(ctx, armof, n);
    st__free(ctx, pol, n);
    st__free(ctx, act, n * sizeof *act);
    st__free(ctx, pi, nA * sizeof *pi);
    st__free(ctx, q, nA * sizeof *q);
    return rc;
}
