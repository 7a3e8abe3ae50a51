/*
** glm_json.c -- MODEL.json of the linear models (docs/classify.md) and `classify predict`'s CSV output: the
** input columns as read, then the score.
*/
#include "learn/glm.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define GLM_FORMAT "strata-glm"
#define GLM_VERSION 1

static const char *kind_name(st_glm_kind k) { return k == ST_GLM_LINEAR ? "linear" : "logistic"; }

st_status st_glm_to_json(st_context *ctx, const st_glm *m, char **out, size_t *len)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!m || !out) return st__error(ctx, ST_EINVAL, "st_glm_to_json: NULL argument");
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    size_t p = st_design_ncols(m->design);
    st__jw_begin_object(&w);
    st__jw_kv_str(&w, "format", GLM_FORMAT);
    st__jw_kv_int(&w, "version", GLM_VERSION);
    st__jw_kv_str(&w, "kind", kind_name(m->kind));
    st__jw_kv_str(&w, "label", m->label);
    st__jw_key(&w, "classes");
    st__jw_begin_array_inline(&w);
    if (m->kind == ST_GLM_LOGISTIC) {
        st__jw_string(&w, m->classes[0]);
        st__jw_string(&w, m->classes[1]);
    }
    st__jw_end_array(&w);
    st__jw_key(&w, "options");
    st__jw_begin_object_inline(&w);
    st__jw_kv_str(&w, "penalty", isfinite(m->C) ? "l2" : "none");
    if (isfinite(m->C))
        st__jw_kv_num(&w, "C", m->C);
    else
        st__jw_kv_str(&w, "C", NULL);
    st__jw_kv_str(&w, "class_weight", m->class_weight_balanced ? "balanced" : "none");
    st__jw_kv_num(&w, "tol", m->tol);
    st__jw_kv_int(&w, "max_iter", m->max_iter);
    st__jw_end_object(&w);
    st__jw_key(&w, "design");
    st__design_write(&w, m->design);
    st__jw_kv_num(&w, "intercept", m->b[0]);
    st__jw_key(&w, "coefficients");
    st__jw_begin_array(&w);
    for (size_t k = 0; k < p; k++) {
        st__jw_begin_object_inline(&w);
        st__jw_kv_str(&w, "name", st_design_col_name(m->design, k));
        st__jw_kv_num(&w, "value", m->b[k + 1]);
        st__jw_end_object(&w);
    }
    st__jw_end_array(&w);
    st__jw_kv_int(&w, "iterations", m->iterations);
    st__jw_kv_num(&w, "gradient_max", m->gradient_max);
    st__jw_kv_num(&w, "objective", m->objective);
    st__jw_kv_num(&w, "nobs", m->nobs);
    st__jw_kv_bool(&w, "converged", m->converged);
    st__jw_end_object(&w);
    return st__jw_finish(&w, "model JSON", out, len);
}

static st_status fmt_err(st_context *ctx, const char *name, const char *what)
{
    return st__error(ctx, ST_EFORMAT, "%s: %s", name, what);
}

/* A whole number in [0, INT_MAX], else 0 (these members are informative: a fitted model's record). */
static int count_or_zero(const st_json *v)
{
    double x = st__json_number(v);
    return x >= 0.0 && x <= (double)INT_MAX && x == floor(x) ? (int)x : 0;
}

static st_status glm_from_tree(st_context *ctx, const st_json *root, const char *name, st_glm **out)
{
    if (st__json_type(root) != ST_JSON_OBJECT) return fmt_err(ctx, name, "not a model file (expected a JSON object)");
    const char *fmt = st__json_string(st__json_get(root, "format"));
    if (!fmt || strcmp(fmt, GLM_FORMAT) != 0) return fmt_err(ctx, name, "not a strata-glm model (\"format\")");
    const st_json *ver = st__json_get(root, "version");
    if (st__json_type(ver) != ST_JSON_NUMBER || st__json_number(ver) != GLM_VERSION)
        return fmt_err(ctx, name, "unsupported model version (expected 1)");
    const char *kind = st__json_string(st__json_get(root, "kind"));
    if (!kind || (strcmp(kind, "logistic") != 0 && strcmp(kind, "linear") != 0))
        return fmt_err(ctx, name, "\"kind\" must be \"logistic\" or \"linear\"");
    const char *label = st__json_string(st__json_get(root, "label"));
    if (!label) return fmt_err(ctx, name, "\"label\" must be a string");
    st_glm *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) return ST_ENOMEM;
    m->ctx = ctx;
    m->kind = strcmp(kind, "linear") == 0 ? ST_GLM_LINEAR : ST_GLM_LOGISTIC;
    st_status rc = (m->label = st__strdup(ctx, label)) ? ST_OK : ST_ENOMEM;
    const st_json *cl = st__json_get(root, "classes");
    if (!rc && m->kind == ST_GLM_LOGISTIC) {
        const char *c0 = st__json_string(st__json_at(cl, 0)), *c1 = st__json_string(st__json_at(cl, 1));
        if (st__json_type(cl) != ST_JSON_ARRAY || st__json_len(cl) != 2 || !c0 || !c1)
            rc = fmt_err(ctx, name, "\"classes\" must be a list of two strings");
        else if (!(m->classes[0] = st__strdup(ctx, c0)) || !(m->classes[1] = st__strdup(ctx, c1)))
            rc = ST_ENOMEM;
    }
    const st_json *opt = st__json_get(root, "options");
    if (!rc) {
        const st_json *C = st__json_get(opt, "C");
        const char *cw = st__json_string(st__json_get(opt, "class_weight"));
        m->C = st__json_type(C) == ST_JSON_NUMBER ? st__json_number(C) : (double)INFINITY;
        m->class_weight_balanced = cw && strcmp(cw, "balanced") == 0;
        m->tol = st__json_number(st__json_get(opt, "tol"));
        m->max_iter = count_or_zero(st__json_get(opt, "max_iter"));
        if (st__json_type(opt) != ST_JSON_OBJECT || !(m->C > 0.0)) rc = fmt_err(ctx, name, "bad \"options\"");
    }
    if (!rc) rc = st__design_read(ctx, st__json_get(root, "design"), name, &m->design);
    if (!rc) {
        size_t p = st_design_ncols(m->design);
        const st_json *co = st__json_get(root, "coefficients");
        const st_json *ic = st__json_get(root, "intercept");
        if (st__json_type(co) != ST_JSON_ARRAY || st__json_len(co) != p || st__json_type(ic) != ST_JSON_NUMBER)
            rc = fmt_err(ctx, name, "\"intercept\" and one coefficient per design column are needed");
        else if (!(m->b = st__calloc(ctx, p + 1, sizeof *m->b)))
            rc = ST_ENOMEM;
        if (!rc) m->b[0] = st__json_number(ic);
        for (size_t k = 0; k < p && !rc; k++) {
            const st_json *e = st__json_at(co, k);
            const char *cn = st__json_string(st__json_get(e, "name"));
            const st_json *v = st__json_get(e, "value");
            if (!cn || strcmp(cn, st_design_col_name(m->design, k)) != 0 || st__json_type(v) != ST_JSON_NUMBER)
                rc = st__error(ctx, ST_EFORMAT, "%s: coefficient %zu must be {\"name\": \"%s\", \"value\": number}",
                               name, k + 1, st_design_col_name(m->design, k));
            else
                m->b[k + 1] = st__json_number(v);
        }
        if (!rc && !isfinite(m->b[0])) rc = fmt_err(ctx, name, "the intercept is not finite");
    }
    if (!rc) {
        m->iterations = count_or_zero(st__json_get(root, "iterations"));
        m->gradient_max = st__json_number(st__json_get(root, "gradient_max"));
        m->objective = st__json_number(st__json_get(root, "objective"));
        m->nobs = st__json_number(st__json_get(root, "nobs"));
        m->converged = st__json_bool(st__json_get(root, "converged"));
    }
    if (rc) {
        st_glm_free(m);
        return rc;
    }
    *out = m;
    return ST_OK;
}

st_status st_glm_from_json(st_context *ctx, const char *text, size_t len, st_glm **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!text || !out) return st__error(ctx, ST_EINVAL, "st_glm_from_json: NULL argument");
    st_json *root;
    st_status rc = st__json_parse(ctx, text, len, "model", &root);
    if (rc) return rc;
    rc = glm_from_tree(ctx, root, "model", out);
    st__json_free(ctx, root);
    return rc;
}

st_status st_glm_save(st_context *ctx, const st_glm *m, const char *path)
{
    if (!ctx) return ST_EINVAL;
    if (!path) return st__error(ctx, ST_EINVAL, "st_glm_save: NULL path");
    char *s;
    size_t n;
    st_status rc = st_glm_to_json(ctx, m, &s, &n);
    if (rc) return rc;
    rc = st__write_file_atomic(ctx, path, s, n);
    st_free(ctx, s);
    return rc;
}

st_status st_glm_load(st_context *ctx, const char *path, st_glm **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!path || !out) return st__error(ctx, ST_EINVAL, "st_glm_load: NULL argument");
    st_json *root;
    st_status rc = st__json_parse_file(ctx, path, &root);
    if (rc) return rc;
    rc = glm_from_tree(ctx, root, path, out);
    st__json_free(ctx, root);
    return rc;
}

static bool put_cell(st_buf *b, const st_table *t, size_t j, size_t i)
{
    st_coltype ty = st_table_col_type(t, j);
    if (ty == ST_COL_F64) return st__buf_put_double(b, st_table_f64(t, j)[i]);
    if (ty == ST_COL_DATE) {
        double v = st_table_f64(t, j)[i];
        if (isnan(v)) return true;
        char d[32];
        size_t n = st_format_date((int64_t)v, d, sizeof d);
        return st__buf_append(b, d, n);
    }
    if (ty == ST_COL_I32) {
        int32_t v = st_table_i32(t, j)[i];
        return v == INT32_MIN || st__buf_printf(b, "%ld", (long)v);
    }
    const char *s = st_table_str(t, j, i);
    return st__buf_put_csv_field(b, s ? s : "", s ? strlen(s) : 0, ',');
}

st_status st_glm_predict_csv(st_context *ctx, const st_glm *m, const char *in_path, const char *out_path)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !in_path || !out_path) return st__error(ctx, ST_EINVAL, "st_glm_predict_csv: NULL argument");
    st_table *t;
    st_status rc = st_table_read_csv(ctx, in_path, NULL, &t);
    if (rc) return rc;
    size_t n = st_table_nrows(t), nc = st_table_ncols(t);
    double *score = st__malloc(ctx, (n ? n : 1) * sizeof *score);
    if (!score) rc = ST_ENOMEM;
    if (!rc) rc = st_glm_predict(ctx, m, t, in_path, score);
    st_atomic_file af;
    if (!rc) rc = st__atomic_open(ctx, out_path, &af);
    if (rc) {
        st__free(ctx, score, 0);
        st_table_free(t);
        return rc;
    }
    st_buf b;
    st__buf_init(&b, ctx);
    bool ok = true;
    /* column 0 is the row number st_table_read_csv added */
    for (size_t j = 1; j < nc && ok; j++) {
        const char *nm = st_table_col_name(t, j);
        ok = st__buf_put_csv_field(&b, nm, strlen(nm), ',') && st__buf_putc(&b, ',');
    }
    ok = ok && st__buf_puts(&b, "score\n");
    for (size_t i = 0; i < n && ok; i++) {
        for (size_t j = 1; j < nc && ok; j++) ok = put_cell(&b, t, j, i) && st__buf_putc(&b, ',');
        ok = ok && st__buf_put_double(&b, score[i]) && st__buf_putc(&b, '\n');
        if (ok && (b.len >= (1u << 20) || i + 1 == n)) {
            if (fwrite(b.data, 1, b.len, af.fp) != b.len) {
                rc = st__error(ctx, ST_EIO, "%s: write failed", out_path);
                break;
            }
            b.len = 0;
        }
    }
    if (!rc && !ok) rc = ST_ENOMEM;
    if (!rc && b.len && fwrite(b.data, 1, b.len, af.fp) != b.len) rc = st__error(ctx, ST_EIO, "%s: write failed", out_path);
    st__buf_free(&b);
    if (rc)
        st__atomic_abort(ctx, &af);
    else
        rc = st__atomic_commit(ctx, &af);
    st__free(ctx, score, 0);
    st_table_free(t);
    return rc;
}
