/*
** uplift_model.c -- `strata uplift fit / predict`: T-, S-, X-learners and the class transformation on the
** linear models of the learn stage (st_glm), one model set per treatment arm against the control, and their
** MODEL.json (docs/uplift.md).
*/
#include "core/arms.h"
#include "core/json.h"
#include "learn/glm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UM_Z "__z"           /* class-transform label column of the work table */
#define UM_EFFECT "__effect" /* xlearner second-stage label column */

typedef struct um_arm {
    char *name;
    size_t n;
    double g;      /* share of the arm among its rows and the control's */
    st_glm *m;     /* tlearner / xlearner: mu_a; slearner: mu(x, t); class-transform: P(z = 1 | x) */
    st_glm *tau_a; /* xlearner: effect model on the arm's rows */
    st_glm *tau_c; /* xlearner: effect model on the control rows */
} um_arm;

struct st_uplift_model {
    st_context *ctx;
    st_uplift_method method;
    char *treatment, *control, *outcome;
    int binary;
    char **features, **categorical;
    size_t nf, nc;
    uint64_t seed;
    st_glm *m0; /* tlearner / xlearner: mu_c */
    um_arm *arms;
    size_t narms;
};

static const char *const METHOD[4] = {"tlearner", "slearner", "class-transform", "xlearner"};

st_status st_uplift_method_parse(const char *name, st_uplift_method *out)
{
    for (int k = 0; k < 4 && name && out; k++)
        if (strcmp(name, METHOD[k]) == 0) {
            *out = (st_uplift_method)k;
            return ST_OK;
        }
    return ST_EINVAL;
}

const char *st_uplift_method_name(st_uplift_method m) { return (int)m >= 0 && (int)m < 4 ? METHOD[m] : ""; }

void st_uplift_fit_options_init(st_uplift_fit_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->method = ST_UPLIFT_TLEARNER;
    o->C = 1.0;
    o->standardize = 1;
}

static void um_free_strs(st_context *ctx, char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) st__free(ctx, v[i], v[i] ? strlen(v[i]) + 1 : 0);
    st__free(ctx, v, n * sizeof *v);
}

void st_uplift_model_free(st_uplift_model *m)
{
    if (!m) return;
    st_context *ctx = m->ctx;
    for (size_t k = 0; k < m->narms; k++) {
        um_arm *a = &m->arms[k];
        st__free(ctx, a->name, a->name ? strlen(a->name) + 1 : 0);
        st_glm_free(a->m);
        st_glm_free(a->tau_a);
        st_glm_free(a->tau_c);
    }
    st__free(ctx, m->arms, m->narms * sizeof *m->arms);
    st_glm_free(m->m0);
    um_free_strs(ctx, m->features, m->nf);
    um_free_strs(ctx, m->categorical, m->nc);
    st__free(ctx, m->treatment, m->treatment ? strlen(m->treatment) + 1 : 0);
    st__free(ctx, m->control, m->control ? strlen(m->control) + 1 : 0);
    st__free(ctx, m->outcome, m->outcome ? strlen(m->outcome) + 1 : 0);
    st__free(ctx, m, sizeof *m);
}

size_t st_uplift_model_narms(const st_uplift_model *m) { return m ? m->narms : 0; }
const char *st_uplift_model_arm(const st_uplift_model *m, size_t k) { return m && k < m->narms ? m->arms[k].name : NULL; }
const char *st_uplift_model_control(const st_uplift_model *m) { return m ? m->control : NULL; }

static char **um_dup_strs(st_context *ctx, const char *const *v, size_t n)
{
    char **out = st__calloc(ctx, n ? n : 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        if (!(out[i] = st__strdup(ctx, v[i]))) {
            um_free_strs(ctx, out, n);
            return NULL;
        }
    return out;
}

/* ---- the work table: the features copied, plus the model's own columns (treatment indicator, labels) ---- */

static st_status um_copy_col(st_context *ctx, st_table *w, const st_table *t, const char *name)
{
    long j = st_table_find(t, name);
    if (j < 0) return st__error(ctx, ST_EINVAL, "uplift: no column '%s'", name);
    size_t n = st_table_nrows(t);
    st_coltype ty = st_table_col_type(t, (size_t)j);
    if (ty == ST_COL_F64 || ty == ST_COL_DATE) return st_table_add_f64(w, name, ty, st_table_f64(t, (size_t)j));
    if (ty == ST_COL_I32) {
        double *v = st__malloc(ctx, (n ? n : 1) * sizeof *v);
        if (!v) return ST_ENOMEM;
        const int32_t *iv = st_table_i32(t, (size_t)j);
        for (size_t i = 0; i < n; i++) v[i] = iv[i] == INT32_MIN ? (double)NAN : (double)iv[i];
        st_status rc = st_table_add_f64(w, name, ST_COL_F64, v);
        st__free(ctx, v, (n ? n : 1) * sizeof *v);
        return rc;
    }
    st_status rc = st_table_add_str(w, name);
    size_t k = st_table_ncols(w) - 1;
    for (size_t i = 0; i < n && rc == ST_OK; i++) rc = st_table_set_str(w, k, i, st_table_str(t, (size_t)j, i));
    return rc;
}

/* The features of m copied from t, and the columns named in extra (NULL-terminated) filled with NaN. */
static st_status um_work(st_context *ctx, const st_uplift_model *m, const st_table *t, const char *const *extra,
                         st_table **out)
{
    *out = NULL;
    st_table *w = NULL;
    st_status rc = st_table_new(ctx, "row", st_table_nrows(t), &w);
    for (size_t f = 0; f < m->nf && rc == ST_OK; f++) rc = um_copy_col(ctx, w, t, m->features[f]);
    for (size_t f = 0; f < m->nc && rc == ST_OK; f++) rc = um_copy_col(ctx, w, t, m->categorical[f]);
    for (size_t e = 0; extra && extra[e] && rc == ST_OK; e++) rc = st_table_add_f64(w, extra[e], ST_COL_F64, NULL);
    if (rc) {
        st_table_free(w);
        return st_errcode(ctx) ? st_errcode(ctx) : rc;
    }
    *out = w;
    return ST_OK;
}

static double *um_col(st_table *w, const char *name) { return st_table_f64_mut(w, (size_t)st_table_find(w, name)); }

static st_status um_glm(st_context *ctx, const st_uplift_model *m, const st_table *w, const char *source,
                        const char *label, st_glm_kind kind, double C, int standardize, const unsigned char *mask,
                        int with_indicator, st_glm **out)
{
    st_glm_options go;
    st_glm_options_init(&go);
    go.kind = kind;
    go.C = C;
    go.standardize = standardize;
    go.row_mask = mask;
    enum { MAXF = 4096 };
    const char *num[MAXF + 1];
    if (m->nf + 1 > MAXF) return st__error(ctx, ST_ELIMIT, "uplift: more than %d features", MAXF);
    for (size_t f = 0; f < m->nf; f++) num[f] = m->features[f];
    size_t nn = m->nf;
    if (with_indicator) num[nn++] = m->treatment;
    st_status rc = st_glm_fit(ctx, w, source, label, num, nn, (const char *const *)m->categorical, m->nc, &go, out);
    if (rc == ST_ECONVERGE) {
        st_glm_free(*out);
        *out = NULL;
    }
    return rc;
}

st_status st_uplift_fit(st_context *ctx, const st_table *t, const char *source, const st_uplift_fit_options *o,
                        st_uplift_model **out)
{
    if (out) *out = NULL;
    if (!ctx || !t || !o || !out || !o->treatment_col || !o->outcome_col || (o->nfeatures && !o->features) ||
        (o->ncategorical && !o->categorical))
        return st__error(ctx, ST_EINVAL, "st_uplift_fit: NULL argument");
    if (!source) source = "data";
    if ((int)o->method < 0 || (int)o->method > 3) return st__error(ctx, ST_EINVAL, "uplift fit: unknown method");
    if (o->nfeatures + o->ncategorical == 0) return st__error(ctx, ST_EINVAL, "uplift fit: no feature given");
    for (size_t f = 0; f < o->nfeatures + o->ncategorical; f++) {
        const char *nm = f < o->nfeatures ? o->features[f] : o->categorical[f - o->nfeatures];
        if (!nm) return st__error(ctx, ST_EINVAL, "uplift fit: NULL feature name");
        if (strcmp(nm, o->treatment_col) == 0 || strcmp(nm, o->outcome_col) == 0)
            return st__error(ctx, ST_EINVAL, "uplift fit: '%s' is the %s column, not a feature", nm,
                             strcmp(nm, o->outcome_col) == 0 ? "outcome" : "treatment");
        if (st_table_find(t, nm) < 0) return st__error(ctx, ST_EINVAL, "uplift fit: %s: no column '%s'", source, nm);
    }
    long jt = st_table_find(t, o->treatment_col), jy = st_table_find(t, o->outcome_col);
    if (jt < 0) return st__error(ctx, ST_EINVAL, "uplift fit: %s: no treatment column '%s'", source, o->treatment_col);
    if (jy < 0) return st__error(ctx, ST_EINVAL, "uplift fit: %s: no outcome column '%s'", source, o->outcome_col);
    const double *y = st_table_f64(t, (size_t)jy), *tv = st_table_f64(t, (size_t)jt);
    if (!y) return st__error(ctx, ST_EINVAL, "uplift fit: %s: outcome column '%s' is not numeric", source, o->outcome_col);
    if (!o->control && !tv)
        return st__error(ctx, ST_EINVAL,
                         "uplift fit: %s: treatment column '%s' holds arm names: give the control arm (--control NAME)",
                         source, o->treatment_col);
    size_t n = st_table_nrows(t);
    int binary = 1;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return st__error(ctx, ST_EDATA, "%s:%zu: outcome '%s' is %s", source, i + 2, o->outcome_col,
                             isnan(y[i]) ? "missing (NaN)" : "infinite");
        if (y[i] != 0.0 && y[i] != 1.0) binary = 0;
        if (!o->control && !isnan(tv[i]) && tv[i] != 0.0 && tv[i] != 1.0)
            return st__error(ctx, ST_EDATA,
                             "%s:%zu: treatment %.17g is not 0 or 1 (column '%s'; an arm column needs --control)",
                             source, i + 2, tv[i], o->treatment_col);
    }
    if (o->method == ST_UPLIFT_CLASS_TRANSFORM && !binary)
        return st__error(ctx, ST_EINVAL, "uplift fit: class-transform needs a 0/1 outcome ('%s' is continuous)",
                         o->outcome_col);
    st_uplift_model *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) return st__error(ctx, ST_ENOMEM, "uplift fit: out of memory");
    m->ctx = ctx;
    m->method = o->method;
    m->binary = binary;
    m->seed = o->seed;
    m->nf = o->nfeatures;
    m->nc = o->ncategorical;
    m->features = um_dup_strs(ctx, o->features, o->nfeatures);
    m->categorical = um_dup_strs(ctx, o->categorical, o->ncategorical);
    m->treatment = st__strdup(ctx, o->treatment_col);
    m->outcome = st__strdup(ctx, o->outcome_col);
    m->control = st__strdup(ctx, o->control ? o->control : "0");
    st_status rc = m->features && m->categorical && m->treatment && m->outcome && m->control
                       ? ST_OK
                       : st__error(ctx, ST_ENOMEM, "uplift fit: out of memory");
    st__arms arms;
    uint8_t *armof = rc ? NULL : st__malloc(ctx, n ? n : 1);
    unsigned char *mask = rc ? NULL : st__malloc(ctx, n ? n : 1);
    double *p0 = NULL, *p1 = NULL;
    st_table *w = NULL;
    size_t ctl = 0;
    if (!rc && (!armof || !mask)) rc = st__error(ctx, ST_ENOMEM, "uplift fit: out of memory");
    if (!rc) rc = st__arms_read(ctx, t, (size_t)jt, source, o->treatment_col, &arms, armof);
    if (!rc && (ctl = st__arms_find(&arms, m->control)) == arms.narms)
        rc = st__error(ctx, ST_EDATA, "uplift fit: %s: no row has the control arm '%s' in column '%s'", source,
                       m->control, o->treatment_col);
    if (!rc && arms.narms < 2)
        rc = st__error(ctx, ST_EDATA, "uplift fit: %s: column '%s' has 1 arm, need at least 2", source, o->treatment_col);
    if (!rc) {
        m->narms = arms.narms - 1;
        m->arms = st__calloc(ctx, m->narms, sizeof *m->arms);
        if (!m->arms) rc = st__error(ctx, ST_ENOMEM, "uplift fit: out of memory");
        for (size_t a = 0, k = 0; a < arms.narms && !rc; a++) {
            if (a == ctl) continue;
            m->arms[k].n = arms.count[a];
            m->arms[k].g = (double)arms.count[a] / (double)(arms.count[a] + arms.count[ctl]);
            if (!(m->arms[k].name = st__strdup(ctx, arms.name[a]))) rc = ST_ENOMEM;
            k++;
        }
    }
    const char *extra[4] = {m->outcome, m->treatment, UM_Z, NULL};
    if (!rc) rc = um_work(ctx, m, t, extra, &w);
    if (!rc) {
        memcpy(um_col(w, m->outcome), y, n * sizeof *y);
        p0 = st__malloc(ctx, (n ? n : 1) * sizeof *p0);
        p1 = st__malloc(ctx, (n ? n : 1) * sizeof *p1);
        if (!p0 || !p1) rc = st__error(ctx, ST_ENOMEM, "uplift fit: out of memory");
    }
    st_glm_kind kind = binary ? ST_GLM_LOGISTIC : ST_GLM_LINEAR;
    if (!rc && (m->method == ST_UPLIFT_TLEARNER || m->method == ST_UPLIFT_XLEARNER)) {
        for (size_t i = 0; i < n; i++) mask[i] = armof[i] == ctl;
        rc = um_glm(ctx, m, w, source, m->outcome, kind, o->C, o->standardize, mask, 0, &m->m0);
        if (!rc && m->method == ST_UPLIFT_XLEARNER) rc = st_glm_predict(ctx, m->m0, w, source, p0);
    }
    for (size_t a = 0, k = 0; a < arms.narms && !rc; a++) {
        if (a == ctl) continue;
        um_arm *A = &m->arms[k++];
        double *tc = um_col(w, m->treatment), *zc = um_col(w, UM_Z);
        for (size_t i = 0; i < n; i++) {
            tc[i] = armof[i] == a ? 1.0 : 0.0;
            zc[i] = y[i] == tc[i] ? 1.0 : 0.0;
        }
        switch (m->method) {
        case ST_UPLIFT_TLEARNER:
        case ST_UPLIFT_XLEARNER:
            for (size_t i = 0; i < n; i++) mask[i] = armof[i] == a;
            rc = um_glm(ctx, m, w, source, m->outcome, kind, o->C, o->standardize, mask, 0, &A->m);
            if (rc || m->method == ST_UPLIFT_TLEARNER) break;
            rc = st_glm_predict(ctx, A->m, w, source, p1);
            if (rc) break;
            /* imputed effects: y - mu_c(x) on the arm, mu_a(x) - y on the control; column reused as the label */
            for (size_t i = 0; i < n; i++)
                zc[i] = armof[i] == a ? y[i] - p0[i] : armof[i] == ctl ? p1[i] - y[i] : 0.0;
            rc = um_glm(ctx, m, w, source, UM_Z, ST_GLM_LINEAR, o->C, o->standardize, mask, 0, &A->tau_a);
            for (size_t i = 0; i < n && !rc; i++) mask[i] = armof[i] == ctl;
            if (!rc) rc = um_glm(ctx, m, w, source, UM_Z, ST_GLM_LINEAR, o->C, o->standardize, mask, 0, &A->tau_c);
            break;
        case ST_UPLIFT_SLEARNER:
            for (size_t i = 0; i < n; i++) mask[i] = armof[i] == a || armof[i] == ctl;
            rc = um_glm(ctx, m, w, source, m->outcome, kind, o->C, o->standardize, mask, 1, &A->m);
            break;
        case ST_UPLIFT_CLASS_TRANSFORM:
            for (size_t i = 0; i < n; i++) mask[i] = armof[i] == a || armof[i] == ctl;
            rc = um_glm(ctx, m, w, source, UM_Z, ST_GLM_LOGISTIC, o->C, o->standardize, mask, 0, &A->m);
            break;
        }
        if (rc && st_errcode(ctx) != ST_ENOMEM) {
            char msg[ST_ERRMSG_CAP];
            snprintf(msg, sizeof msg, "%s", st_errmsg(ctx));
            rc = st__error(ctx, rc == ST_ECONVERGE ? ST_EDATA : rc, "uplift fit: arm '%s': %s", A->name, msg);
        }
    }
    st__free(ctx, p0, (n ? n : 1) * sizeof *p0);
    st__free(ctx, p1, (n ? n : 1) * sizeof *p1);
    st__free(ctx, armof, n ? n : 1);
    st__free(ctx, mask, n ? n : 1);
    st_table_free(w);
    if (rc) {
        st_uplift_model_free(m);
        return rc == ST_ENOMEM && !st_errcode(ctx) ? st__error(ctx, ST_ENOMEM, "uplift fit: out of memory") : rc;
    }
    *out = m;
    return ST_OK;
}

/* ---- prediction ---- */

st_status st_uplift_model_predict(st_context *ctx, const st_uplift_model *m, const st_table *t, const char *source,
                                  double *uplift)
{
    if (!ctx || !m || !t || !uplift) return st__error(ctx, ST_EINVAL, "st_uplift_model_predict: NULL argument");
    if (!source) source = "data";
    size_t n = st_table_nrows(t), na = m->narms, nb = (n ? n : 1) * sizeof(double);
    double *a = st__malloc(ctx, nb), *b = st__malloc(ctx, nb), *c = NULL;
    st_status rc = a && b ? ST_OK : st__error(ctx, ST_ENOMEM, "uplift predict: out of memory");
    st_table *w = NULL;
    const char *extra[2] = {m->treatment, NULL};
    if (!rc && m->method == ST_UPLIFT_SLEARNER) rc = um_work(ctx, m, t, extra, &w);
    if (!rc && m->method == ST_UPLIFT_XLEARNER && !(c = st__malloc(ctx, nb)))
        rc = st__error(ctx, ST_ENOMEM, "uplift predict: out of memory");
    if (!rc && m->m0 && m->method == ST_UPLIFT_TLEARNER) rc = st_glm_predict(ctx, m->m0, t, source, b);
    for (size_t k = 0; k < na && !rc; k++) {
        const um_arm *A = &m->arms[k];
        switch (m->method) {
        case ST_UPLIFT_TLEARNER:
            rc = st_glm_predict(ctx, A->m, t, source, a);
            for (size_t i = 0; i < n && !rc; i++) uplift[i * na + k] = a[i] - b[i];
            break;
        case ST_UPLIFT_SLEARNER: {
            double *tc = um_col(w, m->treatment);
            for (size_t i = 0; i < n; i++) tc[i] = 1.0;
            rc = st_glm_predict(ctx, A->m, w, source, a);
            for (size_t i = 0; i < n; i++) tc[i] = 0.0;
            if (!rc) rc = st_glm_predict(ctx, A->m, w, source, b);
            for (size_t i = 0; i < n && !rc; i++) uplift[i * na + k] = a[i] - b[i];
            break;
        }
        case ST_UPLIFT_CLASS_TRANSFORM:
            rc = st_glm_predict(ctx, A->m, t, source, a);
            for (size_t i = 0; i < n && !rc; i++) uplift[i * na + k] = 2.0 * a[i] - 1.0;
            break;
        case ST_UPLIFT_XLEARNER:
            rc = st_glm_predict(ctx, A->tau_a, t, source, a);
            if (!rc) rc = st_glm_predict(ctx, A->tau_c, t, source, c);
            for (size_t i = 0; i < n && !rc; i++) uplift[i * na + k] = A->g * c[i] + (1.0 - A->g) * a[i];
            break;
        }
    }
    st_table_free(w);
    st__free(ctx, a, nb);
    st__free(ctx, b, nb);
    st__free(ctx, c, nb);
    return rc;
}

st_status st_uplift_predict_csv(st_context *ctx, const st_uplift_model *m, const char *in_path, const char *out_path)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !in_path || !out_path) return st__error(ctx, ST_EINVAL, "st_uplift_predict_csv: NULL argument");
    st_table *t;
    st_status rc = st_table_read_csv(ctx, in_path, NULL, &t);
    if (rc) return rc;
    size_t n = st_table_nrows(t), nc = st_table_ncols(t), na = m->narms, ub = 0;
    double *u = NULL;
    if (!st__mul_ok(n ? n : 1, na * sizeof *u, &ub) || !(u = st__malloc(ctx, ub)))
        rc = st__error(ctx, ST_ENOMEM, "uplift predict: out of memory");
    if (!rc) rc = st_uplift_model_predict(ctx, m, t, in_path, u);
    st_atomic_file af;
    if (!rc) rc = st__atomic_open(ctx, out_path, &af);
    if (rc) {
        st__free(ctx, u, ub);
        st_table_free(t);
        return rc;
    }
    st_buf b;
    st__buf_init(&b, ctx);
    bool ok = true;
    char name[512];
    for (size_t j = 1; j < nc && ok; j++) { /* column 0 is the row number st_table_read_csv added */
        const char *nm = st_table_col_name(t, j);
        ok = st__buf_put_csv_field(&b, nm, strlen(nm), ',') && st__buf_putc(&b, ',');
    }
    for (size_t k = 0; k < na && ok; k++) {
        snprintf(name, sizeof name, "uplift_%s", m->arms[k].name);
        ok = st__buf_put_csv_field(&b, name, strlen(name), ',') && st__buf_putc(&b, ',');
    }
    ok = ok && st__buf_puts(&b, "best_arm,uplift\n");
    for (size_t i = 0; i < n && ok; i++) {
        for (size_t j = 1; j < nc && ok; j++) ok = st__table_put_cell(&b, t, j, i) && st__buf_putc(&b, ',');
        size_t best = na;
        double bu = 0.0;
        for (size_t k = 0; k < na && ok; k++) {
            double v = u[i * na + k];
            ok = st__buf_put_double(&b, v) && st__buf_putc(&b, ',');
            if (v > bu) {
                bu = v;
                best = k;
            }
        }
        const char *bn = best < na ? m->arms[best].name : m->control;
        ok = ok && st__buf_put_csv_field(&b, bn, strlen(bn), ',') && st__buf_putc(&b, ',') &&
             st__buf_put_double(&b, bu) && st__buf_putc(&b, '\n');
        if (ok && (b.len >= (1u << 20) || i + 1 == n)) {
            if (fwrite(b.data, 1, b.len, af.fp) != b.len) {
                rc = st__error(ctx, ST_EIO, "%s: write failed", out_path);
                break;
            }
            b.len = 0;
        }
    }
    if (!rc && !ok) rc = st__error(ctx, ST_ENOMEM, "uplift predict: out of memory");
    if (!rc && b.len && fwrite(b.data, 1, b.len, af.fp) != b.len) rc = st__error(ctx, ST_EIO, "%s: write failed", out_path);
    st__buf_free(&b);
    if (rc)
        st__atomic_abort(ctx, &af);
    else
        rc = st__atomic_commit(ctx, &af);
    st__free(ctx, u, ub);
    st_table_free(t);
    return rc;
}

/* ---- MODEL.json ---- */

static bool um_jw_glm(st_jw *w, st_context *ctx, const char *key, const st_glm *g)
{
    if (!g) return true;
    char *text = NULL;
    size_t len = 0;
    st_json *j = NULL;
    bool ok = st_glm_to_json(ctx, g, &text, &len) == ST_OK && st__json_parse(ctx, text, len, "glm", &j) == ST_OK;
    ok = ok && st__jw_key(w, key) && st__jw_value(w, j);
    st__json_free(ctx, j);
    st_free(ctx, text);
    if (!ok) w->failed = true;
    return ok;
}

static void um_jw_strs(st_jw *w, const char *key, char *const *v, size_t n)
{
    st__jw_key(w, key);
    st__jw_begin_array_inline(w);
    for (size_t i = 0; i < n; i++) st__jw_string(w, v[i]);
    st__jw_end_array(w);
}

st_status st_uplift_model_to_json(st_context *ctx, const st_uplift_model *m, char **out, size_t *len)
{
    if (out) *out = NULL;
    if (len) *len = 0;
    if (!ctx || !m || !out) return st__error(ctx, ST_EINVAL, "st_uplift_model_to_json: NULL argument");
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__jw_begin_object(&w);
    st__jw_kv_str(&w, "format", "strata-uplift");
    st__jw_kv_int(&w, "version", 1);
    st__jw_kv_str(&w, "method", METHOD[m->method]);
    st__jw_kv_str(&w, "treatment", m->treatment);
    st__jw_kv_str(&w, "control", m->control);
    st__jw_kv_str(&w, "outcome", m->outcome);
    st__jw_kv_str(&w, "outcome_kind", m->binary ? "binary" : "continuous");
    um_jw_strs(&w, "features", m->features, m->nf);
    um_jw_strs(&w, "categorical", m->categorical, m->nc);
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->seed);
    st__jw_kv_str(&w, "seed", seed);
    um_jw_glm(&w, ctx, "control_model", m->m0);
    st__jw_key(&w, "arms");
    st__jw_begin_array(&w);
    for (size_t k = 0; k < m->narms; k++) {
        const um_arm *A = &m->arms[k];
        st__jw_begin_object(&w);
        st__jw_kv_str(&w, "name", A->name);
        st__jw_kv_int(&w, "n", (long long)A->n);
        st__jw_kv_num(&w, "propensity", A->g);
        st__jw_key(&w, "models");
        st__jw_begin_object(&w);
        um_jw_glm(&w, ctx, m->method == ST_UPLIFT_TLEARNER || m->method == ST_UPLIFT_XLEARNER ? "treated" : "model",
                  A->m);
        um_jw_glm(&w, ctx, "tau_treated", A->tau_a);
        um_jw_glm(&w, ctx, "tau_control", A->tau_c);
        st__jw_end_object(&w);
        st__jw_end_object(&w);
    }
    st__jw_end_array(&w);
    st__jw_end_object(&w);
    return st__jw_finish(&w, "st_uplift_model_to_json", out, len);
}

st_status st_uplift_model_save(st_context *ctx, const st_uplift_model *m, const char *path)
{
    if (!path) return st__error(ctx, ST_EINVAL, "st_uplift_model_save: NULL path");
    char *text = NULL;
    size_t len = 0;
    st_status rc = st_uplift_model_to_json(ctx, m, &text, &len);
    if (!rc) rc = st_file_write_atomic(ctx, path, text, len);
    st_free(ctx, text);
    return rc;
}

/* A strata-glm member back into a model (NULL member: *out NULL when optional). */
static st_status um_glm_from(st_context *ctx, const st_json *v, const char *path, const char *what, bool required,
                             st_glm **out)
{
    *out = NULL;
    if (!v) return required ? st__error(ctx, ST_EFORMAT, "%s: the uplift model lacks '%s'", path, what) : ST_OK;
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    st__jw_value(&w, v);
    char *text = NULL;
    size_t len = 0;
    st_status rc = st__jw_finish(&w, "uplift model", &text, &len);
    if (!rc) rc = st_glm_from_json(ctx, text, len, out);
    st_free(ctx, text);
    return rc;
}

static char **um_strs_from(st_context *ctx, const st_json *v, size_t *n)
{
    *n = st__json_len(v);
    char **out = st__calloc(ctx, *n ? *n : 1, sizeof *out);
    for (size_t i = 0; out && i < *n; i++) {
        const char *s = st__json_string(st__json_at(v, i));
        if (!s || !(out[i] = st__strdup(ctx, s))) {
            um_free_strs(ctx, out, *n);
            return NULL;
        }
    }
    return out;
}

st_status st_uplift_model_load(st_context *ctx, const char *path, st_uplift_model **out)
{
    if (out) *out = NULL;
    if (!ctx || !path || !out) return st__error(ctx, ST_EINVAL, "st_uplift_model_load: NULL argument");
    st_json *root = NULL;
    st_status rc = st__json_parse_file(ctx, path, &root);
    if (rc) return rc;
    const char *fmt = st__json_string(st__json_get(root, "format"));
    if (!fmt || strcmp(fmt, "strata-uplift") != 0 || st__json_number(st__json_get(root, "version")) != 1.0) {
        st__json_free(ctx, root);
        return st__error(ctx, ST_EFORMAT, "%s: not a strata-uplift model of version 1", path);
    }
    st_uplift_model *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) {
        st__json_free(ctx, root);
        return st__error(ctx, ST_ENOMEM, "uplift model: out of memory");
    }
    m->ctx = ctx;
    const char *meth = st__json_string(st__json_get(root, "method"));
    const char *tr = st__json_string(st__json_get(root, "treatment")), *ct = st__json_string(st__json_get(root, "control"));
    const char *oc = st__json_string(st__json_get(root, "outcome")), *ok = st__json_string(st__json_get(root, "outcome_kind"));
    const st_json *arms = st__json_get(root, "arms");
    if (!meth || st_uplift_method_parse(meth, &m->method) != ST_OK || !tr || !ct || !oc || !ok ||
        st__json_type(arms) != ST_JSON_ARRAY || st__json_len(arms) == 0 ||
        st__json_type(st__json_get(root, "features")) != ST_JSON_ARRAY ||
        st__json_type(st__json_get(root, "categorical")) != ST_JSON_ARRAY)
        rc = st__error(ctx, ST_EFORMAT, "%s: an uplift model member is missing or of the wrong type", path);
    if (!rc) {
        m->binary = strcmp(ok, "binary") == 0;
        m->treatment = st__strdup(ctx, tr);
        m->control = st__strdup(ctx, ct);
        m->outcome = st__strdup(ctx, oc);
        m->features = um_strs_from(ctx, st__json_get(root, "features"), &m->nf);
        m->categorical = um_strs_from(ctx, st__json_get(root, "categorical"), &m->nc);
        const char *seed = st__json_string(st__json_get(root, "seed"));
        m->seed = seed ? strtoull(seed, NULL, 10) : 0;
        m->narms = st__json_len(arms);
        m->arms = st__calloc(ctx, m->narms, sizeof *m->arms);
        if (!m->treatment || !m->control || !m->outcome || !m->features || !m->categorical || !m->arms) {
            if (!m->arms) m->narms = 0;
            rc = st_errcode(ctx) == ST_EFORMAT ? ST_EFORMAT
                                               : st__error(ctx, ST_EFORMAT, "%s: bad features or out of memory", path);
        }
    }
    bool two = m->method == ST_UPLIFT_TLEARNER || m->method == ST_UPLIFT_XLEARNER;
    if (!rc) rc = um_glm_from(ctx, st__json_get(root, "control_model"), path, "control_model", two, &m->m0);
    for (size_t k = 0; k < m->narms && !rc; k++) {
        const st_json *a = st__json_at(arms, k), *ms = st__json_get(a, "models");
        um_arm *A = &m->arms[k];
        const char *nm = st__json_string(st__json_get(a, "name"));
        double g = st__json_number(st__json_get(a, "propensity")), cnt = st__json_number(st__json_get(a, "n"));
        if (!nm || !(g >= 0.0 && g <= 1.0) || !(cnt >= 0.0) || st__json_type(ms) != ST_JSON_OBJECT) {
            rc = st__error(ctx, ST_EFORMAT, "%s: arm %zu: name, n, propensity or models missing", path, k + 1);
            break;
        }
        A->g = g;
        A->n = (size_t)cnt;
        if (!(A->name = st__strdup(ctx, nm))) rc = ST_ENOMEM;
        if (!rc) rc = um_glm_from(ctx, st__json_get(ms, two ? "treated" : "model"), path, "models.treated", true, &A->m);
        if (!rc && m->method == ST_UPLIFT_XLEARNER) {
            rc = um_glm_from(ctx, st__json_get(ms, "tau_treated"), path, "models.tau_treated", true, &A->tau_a);
            if (!rc) rc = um_glm_from(ctx, st__json_get(ms, "tau_control"), path, "models.tau_control", true, &A->tau_c);
        }
    }
    st__json_free(ctx, root);
    if (rc) {
        st_uplift_model_free(m);
        return rc;
    }
    *out = m;
    return ST_OK;
}
