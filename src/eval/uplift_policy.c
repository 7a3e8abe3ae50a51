/*
** uplift_policy.c -- `strata uplift policy`: the expected outcome under a policy that gives each customer an
** arm, estimated from a randomised experiment by inverse propensity weighting with the arms' empirical shares
** as propensities, against every single-arm policy (docs/uplift.md).
*/
#include "core/arms.h"
#include "core/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Mean and standard error (sd with n - 1, over sqrt n) of z, by two passes with compensated sums. */
typedef struct pv_sum {
    double s, c;
} pv_sum;

static void pv_add(pv_sum *a, double x)
{
    double t = a->s + x;
    a->c += fabs(a->s) >= fabs(x) ? (a->s - t) + x : (x - t) + a->s;
    a->s = t;
}

/* z of row i under the policy giving arm a to everyone (a < narms) or the policy column (a = narms). */
static double pv_z(const uint8_t *armof, const uint8_t *pol, const double *y, const double *w, size_t i, size_t a,
                   size_t narms)
{
    size_t target = a == narms ? pol[i] : a;
    return armof[i] == target ? y[i] * w[armof[i]] : 0.0;
}

/* mean and se of z_a - z_b (b = SIZE_MAX: of z_a alone) */
static void pv_stats(const uint8_t *armof, const uint8_t *pol, const double *y, const double *w, size_t n, size_t narms,
                     size_t a, size_t b, double *mean, double *se)
{
    pv_sum s = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double z = pv_z(armof, pol, y, w, i, a, narms);
        if (b != SIZE_MAX) z -= pv_z(armof, pol, y, w, i, b, narms);
        pv_add(&s, z);
    }
    double m = (s.s + s.c) / (double)n;
    pv_sum ss = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double z = pv_z(armof, pol, y, w, i, a, narms);
        if (b != SIZE_MAX) z -= pv_z(armof, pol, y, w, i, b, narms);
        pv_add(&ss, (z - m) * (z - m));
    }
    *mean = m;
    *se = n > 1 ? sqrt((ss.s + ss.c) / (double)(n - 1) / (double)n) : (double)NAN;
}

st_status st_uplift_policy_json(st_context *ctx, const st_table *t, const char *source, const char *treatment_col,
                                const char *control, const char *outcome_col, const char *policy_col, char **json,
                                size_t *len)
{
    if (json) *json = NULL;
    if (len) *len = 0;
    if (!ctx || !t || !treatment_col || !outcome_col || !policy_col || !json)
        return st__error(ctx, ST_EINVAL, "st_uplift_policy_json: NULL argument");
    if (!source) source = "data";
    long jt = st_table_find(t, treatment_col), jy = st_table_find(t, outcome_col), jp = st_table_find(t, policy_col);
    if (jt < 0) return st__error(ctx, ST_EINVAL, "uplift policy: %s: no treatment column '%s'", source, treatment_col);
    if (jy < 0) return st__error(ctx, ST_EINVAL, "uplift policy: %s: no outcome column '%s'", source, outcome_col);
    if (jp < 0) return st__error(ctx, ST_EINVAL, "uplift policy: %s: no policy column '%s'", source, policy_col);
    const double *y = st_table_f64(t, (size_t)jy);
    if (!y) return st__error(ctx, ST_EINVAL, "uplift policy: %s: outcome column '%s' is not numeric", source, outcome_col);
    size_t n = st_table_nrows(t);
    const double *tv = st_table_f64(t, (size_t)jt);
    if (!control) {
        if (!tv)
            return st__error(ctx, ST_EINVAL,
                             "uplift policy: %s: treatment column '%s' holds arm names: give the control arm "
                             "(--control NAME)",
                             source, treatment_col);
        for (size_t i = 0; i < n; i++)
            if (!isnan(tv[i]) && tv[i] != 0.0 && tv[i] != 1.0)
                return st__error(ctx, ST_EDATA,
                                 "%s:%zu: treatment %.17g is not 0 or 1 (column '%s'; an arm column needs --control)",
                                 source, i + 2, tv[i], treatment_col);
        control = "0";
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return st__error(ctx, ST_EDATA, "%s:%zu: outcome '%s' is %s", source, i + 2, outcome_col,
                             isnan(y[i]) ? "missing (NaN)" : "infinite");
    st__arms arms, parms;
    uint8_t *armof = st__malloc(ctx, n ? n : 1), *pol = st__malloc(ctx, n ? n : 1);
    st_status rc = armof && pol ? ST_OK : st__error(ctx, ST_ENOMEM, "uplift policy: out of memory");
    if (rc == ST_OK) rc = st__arms_read(ctx, t, (size_t)jt, source, treatment_col, &arms, armof);
    size_t ctl = 0;
    if (rc == ST_OK && (ctl = st__arms_find(&arms, control)) == arms.narms)
        rc = st__error(ctx, ST_EDATA, "uplift policy: %s: no row has the control arm '%s' in column '%s'", source,
                       control, treatment_col);
    if (rc == ST_OK && arms.narms < 2)
        rc = st__error(ctx, ST_EDATA, "uplift policy: %s: column '%s' has 1 arm, need at least 2", source,
                       treatment_col);
    /* The policy column's values, mapped to the treatment column's arms. */
    if (rc == ST_OK) rc = st__arms_read(ctx, t, (size_t)jp, source, policy_col, &parms, pol);
    if (rc == ST_OK) {
        size_t map[ST__ARMS_MAX];
        for (size_t q = 0; q < parms.narms && rc == ST_OK; q++) {
            map[q] = st__arms_find(&arms, parms.name[q]);
            if (map[q] == arms.narms) {
                size_t i = 0;
                while (pol[i] != q) i++;
                rc = st__error(ctx, ST_EDATA, "%s:%zu: policy '%s' (column '%s') is not an arm of column '%s'", source,
                               i + 2, parms.name[q], policy_col, treatment_col);
            }
        }
        for (size_t i = 0; i < n && rc == ST_OK; i++) pol[i] = (uint8_t)map[pol[i]];
    }
    if (rc == ST_OK) {
        size_t na = arms.narms, order[ST__ARMS_MAX], assigned[ST__ARMS_MAX] = {0};
        double w[ST__ARMS_MAX];
        for (size_t a = 0; a < na; a++) w[a] = (double)n / (double)arms.count[a]; /* 1 / share */
        for (size_t i = 0; i < n; i++) assigned[pol[i]]++;
        size_t m = 0;
        order[m++] = ctl;
        for (size_t a = 0; a < na; a++)
            if (a != ctl) order[m++] = a;
        st_buf b;
        st__buf_init(&b, ctx);
        st_jw jw;
        st__jw_init(&jw, &b, 2);
        st__jw_begin_object(&jw);
        st__jw_kv_int(&jw, "n", (long long)n);
        st__jw_kv_str(&jw, "policy_column", policy_col);
        st__jw_kv_str(&jw, "control", arms.name[ctl]);
        st__jw_key(&jw, "arms");
        st__jw_begin_array(&jw);
        for (size_t q = 0; q < na; q++) {
            size_t a = order[q];
            double v, se;
            pv_stats(armof, pol, y, w, n, na, a, SIZE_MAX, &v, &se);
            st__jw_begin_object_inline(&jw);
            st__jw_kv_str(&jw, "name", arms.name[a]);
            st__jw_kv_int(&jw, "n", (long long)arms.count[a]);
            st__jw_kv_num(&jw, "share", (double)arms.count[a] / (double)n);
            st__jw_kv_int(&jw, "assigned", (long long)assigned[a]);
            st__jw_kv_num(&jw, "value", v);
            st__jw_kv_num(&jw, "se", se);
            st__jw_end_object(&jw);
        }
        st__jw_end_array(&jw);
        double v, se;
        pv_stats(armof, pol, y, w, n, na, na, SIZE_MAX, &v, &se);
        st__jw_key(&jw, "policy");
        st__jw_begin_object_inline(&jw);
        st__jw_kv_num(&jw, "value", v);
        st__jw_kv_num(&jw, "se", se);
        st__jw_end_object(&jw);
        st__jw_key(&jw, "vs");
        st__jw_begin_array(&jw);
        for (size_t q = 0; q < na; q++) {
            size_t a = order[q];
            pv_stats(armof, pol, y, w, n, na, na, a, &v, &se);
            st__jw_begin_object_inline(&jw);
            st__jw_kv_str(&jw, "arm", arms.name[a]);
            st__jw_kv_num(&jw, "diff", v);
            st__jw_kv_num(&jw, "se", se);
            st__jw_end_object(&jw);
        }
        st__jw_end_array(&jw);
        st__jw_end_object(&jw);
        rc = st__jw_finish(&jw, "st_uplift_policy_json", json, len);
    }
    st__free(ctx, armof, n ? n : 1);
    st__free(ctx, pol, n ? n : 1);
    return rc;
}
