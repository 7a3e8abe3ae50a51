/*
** model.c -- the public face of the BTYD models: accessors, MODEL.json (write and read back), and the
** per-customer predictions and CLV, which loop over customers calling the formulas of btyd.c.
*/
#include "value/btyd.h"
#include "value/predict.h"
#include "core/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {"bgnbd", "mbgnbd", "pnbd", "bgbb", "gg"};

const char *st_btyd_kind_name(st_btyd_kind kind)
{
    if ((int)kind < 0 || (size_t)kind >= sizeof kind_names / sizeof kind_names[0]) return NULL;
    return kind_names[kind];
}

st_status st_btyd_kind_parse(const char *name, st_btyd_kind *out)
{
    if (!name || !out) return ST_EINVAL;
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (st_btyd_kind)i;
            return ST_OK;
        }
    return ST_EINVAL;
}

st_btyd_model *st__model_alloc(st_context *ctx, st_btyd_kind kind)
{
    st_btyd_model *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) return NULL;
    m->ctx = ctx;
    m->kind = kind;
    m->np = st__model_nparams(kind);
    for (size_t k = 0; k < ST__MODEL_MAXP; k++) m->param[k] = m->se[k] = (double)NAN;
    for (size_t k = 0; k < ST__MODEL_MAXP * ST__MODEL_MAXP; k++) m->cov[k] = (double)NAN;
    m->loglik = (double)NAN;
    strcpy(m->status, "not_fitted");
    return m;
}

void st_btyd_free(st_btyd_model *m)
{
    if (!m) return;
    st__free(m->ctx, m, sizeof *m);
}

st_btyd_kind st_btyd_kind_of(const st_btyd_model *m) { return m ? m->kind : ST_BTYD_BGNBD; }
size_t st_btyd_nparams(const st_btyd_model *m) { return m ? m->np : 0; }
const char *st_btyd_param_name(const st_btyd_model *m, size_t i)
{
    return m ? st__model_param_name(m->kind, i) : NULL;
}
double st_btyd_param(const st_btyd_model *m, size_t i) { return m && i < m->np ? m->param[i] : (double)NAN; }
double st_btyd_stderr(const st_btyd_model *m, size_t i) { return m && i < m->np ? m->se[i] : (double)NAN; }
void st_btyd_ci95(const st_btyd_model *m, size_t i, double *lo, double *hi)
{
    double p = st_btyd_param(m, i), s = st_btyd_stderr(m, i);
    if (lo) *lo = p - 1.959963984540054 * s;
    if (hi) *hi = p + 1.959963984540054 * s;
}
double st_btyd_loglik(const st_btyd_model *m) { return m ? m->loglik : (double)NAN; }
int st_btyd_converged(const st_btyd_model *m) { return m ? m->converged : 0; }
int st_btyd_iterations(const st_btyd_model *m) { return m ? m->iterations : 0; }
const char *st_btyd_status(const st_btyd_model *m) { return m ? m->status : NULL; }
const char *st_btyd_warning(const st_btyd_model *m) { return m ? m->warning : NULL; }
double st_btyd_nobs(const st_btyd_model *m) { return m ? m->nobs : (double)NAN; }
const char *st_btyd_time_unit(const st_btyd_model *m) { return m ? m->time_unit : NULL; }

st_status st_btyd_set_time_unit(st_btyd_model *m, const char *unit)
{
    if (!m || !unit) return ST_EINVAL;
    if (strlen(unit) >= sizeof m->time_unit) return st__error(m->ctx, ST_EINVAL, "time unit name too long");
    strcpy(m->time_unit, unit);
    return ST_OK;
}

/* ---- MODEL.json ---- */

static bool write_model(st_jw *w, const st_btyd_model *m)
{
    st__jw_begin_object(w);
    st__jw_kv_str(w, "format", "strata-model");
    st__jw_kv_int(w, "version", ST__MODEL_VERSION);
    st__jw_kv_str(w, "model", st_btyd_kind_name(m->kind));
    st__jw_key(w, "params");
    st__jw_begin_object(w);
    for (size_t k = 0; k < m->np; k++) st__jw_kv_num(w, st__model_param_name(m->kind, k), m->param[k]);
    st__jw_end_object(w);
    st__jw_key(w, "std_errors");
    st__jw_begin_object(w);
    for (size_t k = 0; k < m->np; k++) st__jw_kv_num(w, st__model_param_name(m->kind, k), m->se[k]);
    st__jw_end_object(w);
    st__jw_key(w, "ci95");
    st__jw_begin_object(w);
    for (size_t k = 0; k < m->np; k++) {
        double lo, hi;
        st_btyd_ci95(m, k, &lo, &hi);
        st__jw_key(w, st__model_param_name(m->kind, k));
        st__jw_begin_array(w);
        st__jw_number(w, lo);
        st__jw_number(w, hi);
        st__jw_end_array(w);
    }
    st__jw_end_object(w);
    st__jw_key(w, "covariance");
    st__jw_begin_array(w);
    for (size_t i = 0; i < m->np; i++) {
        st__jw_begin_array(w);
        for (size_t j = 0; j < m->np; j++) st__jw_number(w, m->cov[i * m->np + j]);
        st__jw_end_array(w);
    }
    st__jw_end_array(w);
    st__jw_kv_num(w, "log_likelihood", m->loglik);
    st__jw_kv_str(w, "time_unit", m->time_unit);
    st__jw_kv_bool(w, "converged", m->converged != 0);
    st__jw_kv_str(w, "status", m->status);
    st__jw_kv_int(w, "iterations", m->iterations);
    st__jw_kv_int(w, "evaluations", m->evaluations);
    st__jw_kv_int(w, "starts", m->starts);
    st__jw_kv_num(w, "n_obs", m->nobs);
    st__jw_kv_int(w, "unique_rows", (long long)m->rows);
    st__jw_kv_num(w, "penalizer", m->penalizer);
    st__jw_kv_str(w, "warning", m->warning);
    st__jw_end_object(w);
    return st__jw_ok(w);
}

st_status st_btyd_to_json(st_context *ctx, const st_btyd_model *m, char **out, size_t *len)
{
    if (!m || !out) return st__error(ctx, ST_EINVAL, "st_btyd_to_json: NULL argument");
    *out = NULL;
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    if (!write_model(&w, m) || !st__buf_putc(&b, '\n') || !st__buf_putc(&b, '\0')) {
        st__buf_free(&b);
        return st__error(ctx, ST_ENOMEM, "out of memory writing MODEL.json");
    }
    /* Hand the buffer over as an exact-size string so st_btyd_json_free can pass its size to the hook. */
    char *s = st__strndup(ctx, b.data, b.len - 1);
    size_t n = b.len - 1;
    st__buf_free(&b);
    if (!s) return ST_ENOMEM;
    *out = s;
    if (len) *len = n;
    return ST_OK;
}

void st_btyd_json_free(st_context *ctx, char *s)
{
    if (s) st__free(ctx, s, strlen(s) + 1);
}

st_status st_btyd_save(st_context *ctx, const st_btyd_model *m, const char *path)
{
    if (!path) return st__error(ctx, ST_EINVAL, "st_btyd_save: NULL path");
    char *s;
    size_t n;
    st_status rc = st_btyd_to_json(ctx, m, &s, &n);
    if (rc) return rc;
    rc = st__write_file_atomic(ctx, path, s, n);
    st_btyd_json_free(ctx, s);
    return rc;
}

static double num_or_nan(const st_json *v)
{
    return st__json_type(v) == ST_JSON_NUMBER ? st__json_number(v) : (double)NAN;
}

static st_status model_from_tree(st_context *ctx, const st_json *root, const char *name, st_btyd_model **out)
{
    if (st__json_type(root) != ST_JSON_OBJECT)
        return st__error(ctx, ST_EFORMAT, "%s: not a model file (expected a JSON object)", name);
    const st_json *ver = st__json_get(root, "version");
    if (st__json_type(ver) != ST_JSON_NUMBER || st__json_number(ver) != ST__MODEL_VERSION)
        return st__error(ctx, ST_EFORMAT, "%s: unsupported model file version (expected %d)", name,
                         ST__MODEL_VERSION);
    const char *kname = st__json_string(st__json_get(root, "model"));
    st_btyd_kind kind;
    if (!kname || st_btyd_kind_parse(kname, &kind) != ST_OK)
        return st__error(ctx, ST_EFORMAT, "%s: unknown or missing \"model\"", name);
    const st_json *params = st__json_get(root, "params");
    const st_json *ses = st__json_get(root, "std_errors");
    st_btyd_model *m = st__model_alloc(ctx, kind);
    if (!m) return ST_ENOMEM;
    for (size_t k = 0; k < m->np; k++) {
        const char *pn = st__model_param_name(kind, k);
        double v = num_or_nan(st__json_get(params, pn));
        if (!(v > 0.0) || !isfinite(v)) {
            st_btyd_free(m);
            return st__error(ctx, ST_EFORMAT, "%s: parameter \"%s\" missing or not a positive number", name, pn);
        }
        m->param[k] = v;
        m->se[k] = num_or_nan(st__json_get(ses, pn));
    }
    const st_json *cov = st__json_get(root, "covariance");
    if (st__json_len(cov) == m->np)
        for (size_t i = 0; i < m->np; i++)
            for (size_t j = 0; j < m->np; j++) m->cov[i * m->np + j] = num_or_nan(st__json_at(st__json_at(cov, i), j));
    m->loglik = num_or_nan(st__json_get(root, "log_likelihood"));
    const char *tu = st__json_string(st__json_get(root, "time_unit"));
    if (tu && strlen(tu) < sizeof m->time_unit) strcpy(m->time_unit, tu);
    m->converged = st__json_bool(st__json_get(root, "converged")) ? 1 : 0;
    const char *stt = st__json_string(st__json_get(root, "status"));
    snprintf(m->status, sizeof m->status, "%s", stt ? stt : "loaded");
    const char *wn = st__json_string(st__json_get(root, "warning"));
    if (wn) snprintf(m->warning, sizeof m->warning, "%s", wn);
    double it = num_or_nan(st__json_get(root, "iterations"));
    m->iterations = isfinite(it) && it >= 0 && it < 1e9 ? (int)it : 0;
    m->nobs = num_or_nan(st__json_get(root, "n_obs"));
    double pen = num_or_nan(st__json_get(root, "penalizer"));
    m->penalizer = isfinite(pen) ? pen : 0.0;
    *out = m;
    return ST_OK;
}

st_status st_btyd_from_json(st_context *ctx, const char *text, size_t len, st_btyd_model **out)
{
    if (!out || !text) return st__error(ctx, ST_EINVAL, "st_btyd_from_json: NULL argument");
    *out = NULL;
    st_json *root;
    st_status rc = st__json_parse(ctx, text, len, "MODEL.json", &root);
    if (rc) return rc;
    rc = model_from_tree(ctx, root, "MODEL.json", out);
    st__json_free(ctx, root);
    return rc;
}

st_status st_btyd_load(st_context *ctx, const char *path, st_btyd_model **out)
{
    if (!out || !path) return st__error(ctx, ST_EINVAL, "st_btyd_load: NULL argument");
    *out = NULL;
    st_json *root;
    st_status rc = st__json_parse_file(ctx, path, &root);
    if (rc) return rc;
    rc = model_from_tree(ctx, root, path, out);
    st__json_free(ctx, root);
    return rc;
}

/* ---- predictions ---- */

static st_status check_inputs(st_context *ctx, const char *fn, const double *x, const double *tx,
                              const double *T, size_t i)
{
    if (!(x[i] >= 0.0) || !(tx[i] >= 0.0) || !(T[i] >= tx[i] * (1.0 - 1e-12)) || !isfinite(T[i]))
        return st__error(ctx, ST_EDATA, "%s: row %zu: need 0 <= recency <= T and frequency >= 0", fn, i + 1);
    return ST_OK;
}

st_status st_btyd_predict(st_context *ctx, const st_btyd_model *m, const double *x, const double *tx,
                           const double *T, size_t n, double horizon, double *p_alive, double *expected)
{
    if (!m || !x || !tx || !T) return st__error(ctx, ST_EINVAL, "st_btyd_predict: NULL argument");
    if (m->kind == ST_BTYD_GG)
        return st__error(ctx, ST_EINVAL, "st_btyd_predict: a gg model predicts spend (st_btyd_expected_spend)");
    if (!(horizon >= 0.0) || !isfinite(horizon))
        return st__error(ctx, ST_EINVAL, "st_btyd_predict: the horizon must be finite and >= 0");
    st__predict_job q;
    memset(&q, 0, sizeof q);
    q.m = m;
    q.x = x;
    q.tx = tx;
    q.T = T;
    q.n = n;
    q.horizon = horizon;
    q.p_alive = p_alive;
    q.expected = expected;
    return st__predict_run(ctx, "st_btyd_predict", &q);
}

st_status st_btyd_expected_population(st_context *ctx, const st_btyd_model *m, const double *t, size_t n,
                                       double *out)
{
    if (!m || !t || !out) return st__error(ctx, ST_EINVAL, "st_btyd_expected_population: NULL argument");
    for (size_t i = 0; i < n; i++) {
        if (!(t[i] >= 0.0) || !isfinite(t[i]))
            return st__error(ctx, ST_EINVAL, "st_btyd_expected_population: t must be finite and >= 0");
        switch (m->kind) {
        case ST_BTYD_BGNBD: out[i] = st__bgnbd_expected(m->param, t[i], 0); break;
        case ST_BTYD_MBGNBD: out[i] = st__bgnbd_expected(m->param, t[i], 1); break;
        case ST_BTYD_PNBD: out[i] = st__pnbd_expected(m->param, t[i]); break;
        case ST_BTYD_BGBB: out[i] = st__bgbb_expected(m->param, floor(t[i])); break;
        case ST_BTYD_GG:
            return st__error(ctx, ST_EINVAL, "st_btyd_expected_population: not defined for gg");
        }
    }
    return ST_OK;
}

/* BG/BB sums over every period of the window for each k: bound the work. */
#define ST__BGBB_PMF_MAXN 100000.0

static st_status pmf_finite(st_context *ctx, const char *fn, size_t kmax, const double *out)
{
    for (size_t k = 0; k <= kmax; k++)
        if (!isfinite(out[k]) || out[k] < 0.0)
            return st__error(ctx, ST_ERANGE, "%s: P(X = %zu) is not a finite probability", fn, k);
    return ST_OK;
}

st_status st_btyd_pmf(st_context *ctx, const st_btyd_model *m, double t, size_t kmax, double *out)
{
    if (!m || !out) return st__error(ctx, ST_EINVAL, "st_btyd_pmf: NULL argument");
    if (!(t > 0.0) || !isfinite(t)) return st__error(ctx, ST_EINVAL, "st_btyd_pmf: t must be finite and > 0");
    switch (m->kind) {
    case ST_BTYD_BGNBD: st__bg_pmf(m->param, t, 0, kmax, out); break;
    case ST_BTYD_MBGNBD: st__bg_pmf(m->param, t, 1, kmax, out); break;
    case ST_BTYD_PNBD: st__pnbd_pmf(m->param, t, kmax, out); break;
    case ST_BTYD_BGBB:
        if (floor(t) > ST__BGBB_PMF_MAXN)
            return st__error(ctx, ST_EINVAL, "st_btyd_pmf: bgbb: at most %.0f periods", ST__BGBB_PMF_MAXN);
        st__bgbb_pmf(m->param, floor(t), kmax, out);
        break;
    case ST_BTYD_GG: return st__error(ctx, ST_EINVAL, "st_btyd_pmf: a gg model has no purchase counts");
    }
    return pmf_finite(ctx, "st_btyd_pmf", kmax, out);
}

st_status st_btyd_conditional_pmf(st_context *ctx, const st_btyd_model *m, double x, double tx, double T, double t,
                                   size_t kmax, double *out)
{
    static const char fn[] = "st_btyd_conditional_pmf";
    if (!m || !out) return st__error(ctx, ST_EINVAL, "%s: NULL argument", fn);
    if (m->kind == ST_BTYD_GG) return st__error(ctx, ST_EINVAL, "%s: a gg model has no purchase counts", fn);
    if (!(t > 0.0) || !isfinite(t)) return st__error(ctx, ST_EINVAL, "%s: t must be finite and > 0", fn);
    st_status rc = check_inputs(ctx, fn, &x, &tx, &T, 0);
    if (rc) return rc;
    switch (m->kind) {
    case ST_BTYD_BGNBD: st__bgnbd_cond_pmf(m->param, x, tx, T, t, 0, kmax, out); break;
    case ST_BTYD_MBGNBD: st__bgnbd_cond_pmf(m->param, x, tx, T, t, 1, kmax, out); break;
    case ST_BTYD_PNBD: st__pnbd_cond_pmf(m->param, x, tx, T, t, kmax, out); break;
    case ST_BTYD_BGBB:
        if (x > T) return st__error(ctx, ST_EDATA, "%s: bgbb: need x <= n (periods)", fn);
        if (floor(t) > ST__BGBB_PMF_MAXN)
            return st__error(ctx, ST_EINVAL, "%s: bgbb: at most %.0f periods", fn, ST__BGBB_PMF_MAXN);
        st__bgbb_cond_pmf(m->param, x, tx, T, floor(t), kmax, out);
        break;
    case ST_BTYD_GG: break;
    }
    return pmf_finite(ctx, fn, kmax, out);
}

st_status st_btyd_p_no_purchase(st_context *ctx, const st_btyd_model *m, const double *x, const double *tx,
                                 const double *T, size_t n, double horizon, double *out)
{
    static const char fn[] = "st_btyd_p_no_purchase";
    if (!m || (n && (!x || !tx || !T || !out))) return st__error(ctx, ST_EINVAL, "%s: NULL argument", fn);
    if (m->kind == ST_BTYD_GG) return st__error(ctx, ST_EINVAL, "%s: a gg model has no purchase counts", fn);
    if (!(horizon >= 0.0) || !isfinite(horizon)) return st__error(ctx, ST_EINVAL, "%s: the horizon must be finite and >= 0", fn);
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]) || isnan(tx[i]) || isnan(T[i])) {
            out[i] = (double)NAN;
            continue;
        }
        if (horizon == 0.0 || (m->kind == ST_BTYD_BGBB && horizon < 1.0)) {
            out[i] = 1.0; /* an empty window holds no purchase */
            continue;
        }
        st_status rc = st_btyd_conditional_pmf(ctx, m, x[i], tx[i], T[i], horizon, 0, &out[i]);
        if (rc) {
            char why[ST_ERRMSG_CAP]; /* the message lives on ctx: copy it before writing a new one there */
            snprintf(why, sizeof why, "%s", st_errmsg(ctx));
            return st__error(ctx, rc, "%s: row %zu: %s", fn, i + 1, why);
        }
    }
    return ST_OK;
}

static st_status gg_ok(st_context *ctx, const st_btyd_model *gg)
{
    if (!gg || gg->kind != ST_BTYD_GG) return st__error(ctx, ST_EINVAL, "a gg (Gamma-Gamma) model is required");
    if (!(gg->param[1] > 1.0))
        return st__error(ctx, ST_ERANGE, "gg: q = %g <= 1, so the expected spend does not exist", gg->param[1]);
    return ST_OK;
}

st_status st_btyd_expected_spend(st_context *ctx, const st_btyd_model *gg, const double *x, const double *m,
                                  size_t n, double *out)
{
    st_status rc = gg_ok(ctx, gg);
    if (rc) return rc;
    if (!x || !m || !out) return st__error(ctx, ST_EINVAL, "st_btyd_expected_spend: NULL argument");
    for (size_t i = 0; i < n; i++) {
        double mi = x[i] > 0.0 && m[i] > 0.0 ? m[i] : 0.0;
        out[i] = st__gg_spend(gg->param, x[i] > 0.0 && mi > 0.0 ? x[i] : 0.0, mi);
    }
    return ST_OK;
}

st_status st_btyd_dert(st_context *ctx, const st_btyd_model *m, const double *x, const double *tx,
                        const double *T, size_t n, double annual_discount, double *out)
{
    if (!m || !x || !tx || !T || !out) return st__error(ctx, ST_EINVAL, "st_btyd_dert: NULL argument");
    if (m->kind != ST_BTYD_PNBD) return st__error(ctx, ST_EINVAL, "st_btyd_dert: only pnbd has a DERT");
    double upy = st__units_per_year(m->time_unit);
    if (upy <= 0.0)
        return st__error(ctx, ST_EINVAL, "st_btyd_dert: the model's time unit is unknown; set it first");
    if (!(annual_discount > 0.0)) return st__error(ctx, ST_EINVAL, "st_btyd_dert: the discount must be > 0");
    double delta = log1p(annual_discount) / upy;
    for (size_t i = 0; i < n; i++) {
        st_status rc = check_inputs(ctx, "st_btyd_dert", x, tx, T, i);
        if (rc) return rc;
        out[i] = st__pnbd_dert(m->param, x[i], tx[i], T[i], delta);
    }
    return ST_OK;
}

st_status st__clv_job(st_context *ctx, const st_btyd_model *m, const st_btyd_model *spend, double horizon, double step,
                      double annual_discount, double margin, st__predict_job *q)
{
    if (m->kind == ST_BTYD_GG) return st__error(ctx, ST_EINVAL, "st_btyd_clv: the first model must be a purchase model");
    if (spend) {
        st_status rc = gg_ok(ctx, spend);
        if (rc) return rc;
    }
    if (!(horizon > 0.0) || !isfinite(horizon)) return st__error(ctx, ST_EINVAL, "st_btyd_clv: horizon must be > 0");
    if (!(annual_discount > -1.0) || !isfinite(annual_discount))
        return st__error(ctx, ST_EINVAL, "st_btyd_clv: the discount rate must be > -1");
    double upy = st__units_per_year(m->time_unit);
    if (annual_discount != 0.0 && upy <= 0.0)
        return st__error(ctx, ST_EINVAL,
                         "st_btyd_clv: the model's time unit (\"%s\") is unknown, so an annual discount rate "
                         "cannot be converted", m->time_unit);
    if (!(step > 0.0)) step = horizon <= 104.0 ? horizon / ceil(horizon) : horizon / 52.0;
    if (m->kind == ST_BTYD_BGBB && step < 1.0) step = 1.0;
    memset(q, 0, sizeof *q);
    q->m = m;
    q->spend = spend;
    q->horizon = horizon;
    q->step = step;
    q->lrate = annual_discount != 0.0 ? log1p(annual_discount) / upy : 0.0; /* per time unit, log */
    q->margin = margin;
    return ST_OK;
}

st_status st_btyd_clv(st_context *ctx, const st_btyd_model *m, const st_btyd_model *spend, const double *x,
                       const double *tx, const double *T, const double *mbar, size_t n, double horizon,
                       double step, double annual_discount, double margin, double *out)
{
    if (!m || !x || !tx || !T || !mbar || !out) return st__error(ctx, ST_EINVAL, "st_btyd_clv: NULL argument");
    st__predict_job q;
    st_status rc = st__clv_job(ctx, m, spend, horizon, step, annual_discount, margin, &q);
    if (rc) return rc;
    q.x = x;
    q.tx = tx;
    q.T = T;
    q.mbar = mbar;
    q.n = n;
    q.clv = out;
    return st__predict_run(ctx, "st_btyd_clv", &q);
}
