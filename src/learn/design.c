/*
** design.c -- feature design: numeric columns as they are (or standardised), categorical columns one-hot over
** the sorted levels seen at fit time (unseen and missing values: all zeros). The design is made once from a
** table, bound to any table with the same columns, filled in blocks, and stored as JSON inside model files.
*/
#include "learn/design.h"

#include "core/strmap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESIGN_MAX_COLS 1000000

void st_design_free(st_design *d)
{
    if (!d) return;
    st_context *ctx = d->ctx;
    for (size_t i = 0; i < d->nf; i++) {
        st__feature *f = &d->f[i];
        st__free(ctx, f->name, 0);
        for (size_t k = 0; k < f->nlevels; k++) st__free(ctx, f->levels[k], 0);
        st__free(ctx, f->levels, 0);
    }
    st__free(ctx, d->f, 0);
    for (size_t k = 0; k < d->ncols && d->colnames; k++) st__free(ctx, d->colnames[k], 0);
    st__free(ctx, d->colnames, 0);
    st__free(ctx, d, sizeof *d);
}

size_t st_design_ncols(const st_design *d) { return d ? d->ncols : 0; }

const char *st_design_col_name(const st_design *d, size_t k) { return d && k < d->ncols ? d->colnames[k] : NULL; }

static const st__feature *feature_of(const st_design *d, size_t k)
{
    for (size_t i = 0; i < d->nf; i++) {
        const st__feature *f = &d->f[i];
        size_t w = f->categorical ? f->nlevels : 1;
        if (k >= f->first && k < f->first + w) return f;
    }
    return NULL;
}

double st_design_col_mean(const st_design *d, size_t k)
{
    if (!d || k >= d->ncols) return NAN;
    const st__feature *f = feature_of(d, k);
    return f && !f->categorical ? f->mean : 0.0;
}

double st_design_col_sd(const st_design *d, size_t k)
{
    if (!d || k >= d->ncols) return NAN;
    const st__feature *f = feature_of(d, k);
    return f && !f->categorical ? f->sd : 1.0;
}

static bool is_numeric_type(st_coltype ty) { return ty == ST_COL_F64 || ty == ST_COL_DATE || ty == ST_COL_I32; }

/* Row i of column j as category text into b (cleared first); false when missing. */
static bool cat_text(const st_table *t, size_t j, size_t i, st_buf *b, bool *ok)
{
    b->len = 0;
    st_coltype ty = st_table_col_type(t, j);
    if (ty == ST_COL_F64 || ty == ST_COL_DATE) {
        double v = st_table_f64(t, j)[i];
        if (isnan(v)) return false;
        *ok = st__buf_put_double(b, v) && st__buf_putc(b, '\0');
        return true;
    }
    if (ty == ST_COL_I32) {
        int32_t v = st_table_i32(t, j)[i];
        if (v == INT32_MIN) return false;
        *ok = st__buf_printf(b, "%ld", (long)v) && st__buf_putc(b, '\0');
        return true;
    }
    const char *s = st_table_str(t, j, i);
    if (!s || !*s) return false;
    *ok = st__buf_puts(b, s) && st__buf_putc(b, '\0');
    return true;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Index of s among the sorted levels, or -1. */
static int32_t find_level(char *const *levels, size_t n, const char *s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(levels[mid], s);
        if (c == 0) return (int32_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static st_status missing_error(st_context *ctx, const char *source, const char *col, size_t i)
{
    return st__error(ctx, ST_EDATA, "%s:%zu: feature %s is missing (numeric features need a value on every row)",
                     st__src(source), i + 2, col);
}

/* The sorted distinct non-missing values of column j over the selected rows. */
static st_status collect_levels(st_context *ctx, const st_table *t, size_t j, const unsigned char *mask,
                                st__feature *f)
{
    st__strmap m;
    st__strmap_init(&m, ctx, 0);
    st_buf b;
    st__buf_init(&b, ctx);
    st_status rc = ST_OK;
    size_t n = st_table_nrows(t);
    st_coltype ty = st_table_col_type(t, j);
    if (ty == ST_COL_CAT) {
        /* levels used by the selected rows */
        const int32_t *code = st_table_i32(t, j);
        for (size_t i = 0; i < n && !rc; i++) {
            if (mask && !mask[i]) continue;
            if (code[i] < 0) continue;
            const char *s = st_table_cat_level(t, j, (size_t)code[i]);
            if (!s || !*s) continue;
            uint32_t id;
            rc = st__strmap_intern(&m, s, strlen(s), &id);
        }
    } else {
        for (size_t i = 0; i < n && !rc; i++) {
            if (mask && !mask[i]) continue;
            bool ok = true;
            if (!cat_text(t, j, i, &b, &ok)) continue;
            if (!ok) {
                rc = ST_ENOMEM;
                break;
            }
            uint32_t id;
            rc = st__strmap_intern(&m, b.data, b.len - 1, &id);
        }
    }
    if (!rc && m.n > DESIGN_MAX_COLS) rc = st__error(ctx, ST_ELIMIT, "design: column %s has %zu levels (at most %d)",
                                                     f->name, m.n, DESIGN_MAX_COLS);
    if (!rc) {
        f->levels = st__calloc(ctx, m.n ? m.n : 1, sizeof *f->levels);
        if (!f->levels) rc = ST_ENOMEM;
        for (size_t k = 0; k < m.n && !rc; k++) {
            f->levels[k] = st__strdup(ctx, st__strmap_key(&m, (uint32_t)k));
            if (!f->levels[k]) rc = ST_ENOMEM;
            else f->nlevels = k + 1;
        }
        if (!rc) qsort(f->levels, f->nlevels, sizeof *f->levels, cmp_str);
    }
    st__buf_free(&b);
    st__strmap_free(&m);
    return rc;
}

/* Column names and offsets once the features are known. */
static st_status name_columns(st_design *d)
{
    st_context *ctx = d->ctx;
    size_t nc = 0;
    for (size_t i = 0; i < d->nf; i++) {
        d->f[i].first = nc;
        nc += d->f[i].categorical ? d->f[i].nlevels : 1;
        if (nc > DESIGN_MAX_COLS) return st__error(ctx, ST_ELIMIT, "design: more than %d columns", DESIGN_MAX_COLS);
    }
    d->colnames = st__calloc(ctx, nc ? nc : 1, sizeof *d->colnames);
    if (!d->colnames) return ST_ENOMEM;
    d->ncols = nc;
    st_buf b;
    st__buf_init(&b, ctx);
    st_status rc = ST_OK;
    for (size_t i = 0; i < d->nf && !rc; i++) {
        const st__feature *f = &d->f[i];
        if (!f->categorical) {
            d->colnames[f->first] = st__strdup(ctx, f->name);
            if (!d->colnames[f->first]) rc = ST_ENOMEM;
            continue;
        }
        for (size_t k = 0; k < f->nlevels && !rc; k++) {
            b.len = 0;
            if (!st__buf_puts(&b, f->name) || !st__buf_putc(&b, '=') || !st__buf_puts(&b, f->levels[k]) ||
                !(d->colnames[f->first + k] = st__strndup(ctx, b.data, b.len)))
                rc = ST_ENOMEM;
        }
    }
    st__buf_free(&b);
    return rc;
}

static st_design *design_alloc(st_context *ctx, size_t nf)
{
    st_design *d = st__calloc(ctx, 1, sizeof *d);
    if (!d) return NULL;
    d->ctx = ctx;
    d->f = st__calloc(ctx, nf ? nf : 1, sizeof *d->f);
    if (!d->f) {
        st__free(ctx, d, sizeof *d);
        return NULL;
    }
    d->nf = nf;
    return d;
}

st_status st_design_new(st_context *ctx, const st_table *t, const char *source, const char *const *numeric,
                        size_t nnumeric, const char *const *categorical, size_t ncategorical, int standardize,
                        const unsigned char *row_mask, st_design **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!t || !out || (nnumeric && !numeric) || (ncategorical && !categorical))
        return st__error(ctx, ST_EINVAL, "st_design_new: NULL argument");
    size_t nf = nnumeric + ncategorical, n = st_table_nrows(t);
    for (size_t i = 0; i < nf; i++) {
        const char *nm = i < nnumeric ? numeric[i] : categorical[i - nnumeric];
        if (!nm) return st__error(ctx, ST_EINVAL, "design: a feature name is NULL");
        long j = st_table_find(t, nm);
        if (j < 0) return st__error(ctx, ST_EINVAL, "design: no column %s in %s", nm, st__src(source));
        if (i < nnumeric && !is_numeric_type(st_table_col_type(t, (size_t)j)))
            return st__error(ctx, ST_EINVAL, "design: column %s of %s is not numeric (use it as categorical)", nm,
                             st__src(source));
        for (size_t k = 0; k < i; k++)
            if (strcmp(nm, k < nnumeric ? numeric[k] : categorical[k - nnumeric]) == 0)
                return st__error(ctx, ST_EINVAL, "design: column %s is given twice", nm);
    }
    size_t nsel = 0;
    for (size_t i = 0; i < n; i++) nsel += !row_mask || row_mask[i];
    if (!nsel) return st__error(ctx, ST_EDATA, "design: %s has no rows to learn from", st__src(source));
    st_design *d = design_alloc(ctx, nf);
    if (!d) return ST_ENOMEM;
    d->standardize = standardize != 0;
    st_status rc = ST_OK;
    for (size_t i = 0; i < nf && !rc; i++) {
        st__feature *f = &d->f[i];
        const char *nm = i < nnumeric ? numeric[i] : categorical[i - nnumeric];
        size_t j = (size_t)st_table_find(t, nm);
        f->name = st__strdup(ctx, nm);
        if (!f->name) {
            rc = ST_ENOMEM;
            break;
        }
        f->mean = 0.0;
        f->sd = 1.0;
        if (i >= nnumeric) {
            f->categorical = true;
            rc = collect_levels(ctx, t, j, row_mask, f);
            continue;
        }
        /* every selected value present; mean and sd in two passes */
        const double *x = st_table_f64(t, j);
        const int32_t *xi = x ? NULL : st_table_i32(t, j);
        double s = 0.0;
        for (size_t r = 0; r < n; r++) {
            if (row_mask && !row_mask[r]) continue;
            double v = x ? x[r] : (xi[r] == INT32_MIN ? (double)NAN : (double)xi[r]);
            if (!isfinite(v)) {
                rc = isnan(v) ? missing_error(ctx, source, nm, r)
                              : st__error(ctx, ST_EDATA, "%s:%zu: feature %s is infinite", st__src(source), r + 2, nm);
                break;
            }
            s += v;
        }
        if (rc || !d->standardize) continue;
        double mean = s / (double)nsel, ss = 0.0;
        for (size_t r = 0; r < n; r++) {
            if (row_mask && !row_mask[r]) continue;
            double v = (x ? x[r] : (double)xi[r]) - mean;
            ss += v * v;
        }
        double sd = sqrt(ss / (double)nsel);
        f->mean = mean;
        f->sd = sd > 0.0 ? sd : 1.0;
    }
    if (!rc) rc = name_columns(d);
    if (rc) {
        st_design_free(d);
        return rc;
    }
    *out = d;
    return ST_OK;
}

void st__design_unbind(st_context *ctx, st__design_binding *b)
{
    if (!b->d) return;
    for (size_t i = 0; i < b->d->nf && b->code; i++) st__free(ctx, b->code[i], 0);
    st__free(ctx, b->code, 0);
    st__free(ctx, (void *)b->f64, 0);
    st__free(ctx, (void *)b->i32, 0);
    memset(b, 0, sizeof *b);
}

st_status st__design_bind(st_context *ctx, const st_design *d, const st_table *t, const char *source,
                          const unsigned char *mask, st__design_binding *b)
{
    memset(b, 0, sizeof *b);
    size_t nf = d->nf ? d->nf : 1, n = st_table_nrows(t);
    b->d = d;
    b->n = n;
    b->mask = mask;
    b->f64 = st__calloc(ctx, nf, sizeof *b->f64);
    b->i32 = st__calloc(ctx, nf, sizeof *b->i32);
    b->code = st__calloc(ctx, nf, sizeof *b->code);
    if (!b->f64 || !b->i32 || !b->code) {
        st__design_unbind(ctx, b);
        return ST_ENOMEM;
    }
    st_status rc = ST_OK;
    st_buf sb;
    st__buf_init(&sb, ctx);
    for (size_t i = 0; i < d->nf && !rc; i++) {
        const st__feature *f = &d->f[i];
        long jl = st_table_find(t, f->name);
        if (jl < 0) {
            rc = st__error(ctx, ST_EINVAL, "no column %s in %s (a feature of the model)", f->name, st__src(source));
            break;
        }
        size_t j = (size_t)jl;
        st_coltype ty = st_table_col_type(t, j);
        if (!f->categorical) {
            if (!is_numeric_type(ty)) {
                rc = st__error(ctx, ST_EINVAL, "column %s of %s is not numeric (a numeric feature of the model)",
                               f->name, st__src(source));
                break;
            }
            b->f64[i] = st_table_f64(t, j);
            b->i32[i] = b->f64[i] ? NULL : st_table_i32(t, j);
            for (size_t r = 0; r < n; r++) {
                if (mask && !mask[r]) continue;
                double v = b->f64[i] ? b->f64[i][r] : (b->i32[i][r] == INT32_MIN ? (double)NAN : 0.0);
                if (!isfinite(v)) {
                    rc = isnan(v) ? missing_error(ctx, source, f->name, r)
                                  : st__error(ctx, ST_EDATA, "%s:%zu: feature %s is infinite", st__src(source), r + 2,
                                              f->name);
                    break;
                }
            }
            continue;
        }
        int32_t *code = st__malloc(ctx, (n ? n : 1) * sizeof *code);
        if (!code) {
            rc = ST_ENOMEM;
            break;
        }
        b->code[i] = code;
        if (ty == ST_COL_CAT) {
            size_t nl = st_table_cat_nlevels(t, j);
            int32_t *map = st__malloc(ctx, (nl ? nl : 1) * sizeof *map);
            if (!map) {
                rc = ST_ENOMEM;
                break;
            }
            for (size_t k = 0; k < nl; k++) map[k] = find_level(f->levels, f->nlevels, st_table_cat_level(t, j, k));
            const int32_t *tc = st_table_i32(t, j);
            for (size_t r = 0; r < n; r++) code[r] = tc[r] >= 0 && (size_t)tc[r] < nl ? map[tc[r]] : -1;
            st__free(ctx, map, 0);
            continue;
        }
        for (size_t r = 0; r < n; r++) {
            bool ok = true;
            if (!cat_text(t, j, r, &sb, &ok)) {
                code[r] = -1;
                continue;
            }
            if (!ok) {
                rc = ST_ENOMEM;
                break;
            }
            code[r] = find_level(f->levels, f->nlevels, sb.data);
        }
    }
    st__buf_free(&sb);
    if (rc) st__design_unbind(ctx, b);
    return rc;
}

static void fill_rows(const st__design_binding *b, size_t row0, size_t nrows, double *x, size_t ldx);

void st__design_fill(const st__design_binding *b, size_t row0, size_t nrows, double *x, size_t ldx)
{
    fill_rows(b, row0, nrows, x, ldx);
    if (b->mask)
        for (size_t i = 0; i < nrows; i++)
            if (!b->mask[row0 + i]) memset(x + i * ldx, 0, b->d->ncols * sizeof *x);
}

static void fill_rows(const st__design_binding *b, size_t row0, size_t nrows, double *x, size_t ldx)
{
    const st_design *d = b->d;
    for (size_t i = 0; i < nrows; i++) memset(x + i * ldx, 0, d->ncols * sizeof *x);
    for (size_t k = 0; k < d->nf; k++) {
        const st__feature *f = &d->f[k];
        double *col = x + f->first;
        if (f->categorical) {
            const int32_t *c = b->code[k] + row0;
            for (size_t i = 0; i < nrows; i++)
                if (c[i] >= 0) col[i * ldx + (size_t)c[i]] = 1.0;
        } else if (b->f64[k]) {
            const double *v = b->f64[k] + row0;
            double m = f->mean, s = f->sd;
            if (m == 0.0 && s == 1.0)
                for (size_t i = 0; i < nrows; i++) col[i * ldx] = v[i];
            else
                for (size_t i = 0; i < nrows; i++) col[i * ldx] = (v[i] - m) / s;
        } else {
            const int32_t *v = b->i32[k] + row0;
            for (size_t i = 0; i < nrows; i++) col[i * ldx] = ((double)v[i] - f->mean) / f->sd;
        }
    }
}

void st__design_cols(const st__design_binding *b, size_t row0, size_t nrows, double *x, size_t ldc,
                     const double **cols)
{
    const st_design *d = b->d;
    for (size_t k = 0; k < d->nf; k++) {
        const st__feature *f = &d->f[k];
        if (!f->categorical && b->f64[k] && f->mean == 0.0 && f->sd == 1.0 && !b->mask) {
            cols[f->first] = b->f64[k] + row0;
            continue;
        }
        size_t w = f->categorical ? f->nlevels : 1;
        for (size_t l = 0; l < w; l++) cols[f->first + l] = x + (f->first + l) * ldc;
        double *col = x + f->first * ldc;
        if (f->categorical) {
            for (size_t l = 0; l < f->nlevels; l++) memset(col + l * ldc, 0, nrows * sizeof *x);
            const int32_t *c = b->code[k] + row0;
            for (size_t i = 0; i < nrows; i++)
                if (c[i] >= 0) col[(size_t)c[i] * ldc + i] = 1.0;
        } else if (b->f64[k]) {
            const double *v = b->f64[k] + row0;
            for (size_t i = 0; i < nrows; i++) col[i] = (v[i] - f->mean) / f->sd;
        } else {
            const int32_t *v = b->i32[k] + row0;
            for (size_t i = 0; i < nrows; i++) col[i] = ((double)v[i] - f->mean) / f->sd;
        }
        if (b->mask)
            for (size_t l = 0; l < w; l++)
                for (size_t i = 0; i < nrows; i++)
                    if (!b->mask[row0 + i]) col[l * ldc + i] = 0.0;
    }
}

st_status st_design_matrix(st_context *ctx, const st_design *d, const st_table *t, const char *source,
                           size_t row0, size_t nrows, double *x, size_t ldx)
{
    if (!ctx) return ST_EINVAL;
    if (!d || !t || (nrows && !x)) return st__error(ctx, ST_EINVAL, "st_design_matrix: NULL argument");
    size_t n = st_table_nrows(t);
    if (row0 > n || nrows > n - row0)
        return st__error(ctx, ST_EINVAL, "st_design_matrix: rows %zu..%zu out of range (%zu rows)", row0, row0 + nrows,
                         n);
    if (ldx < d->ncols) return st__error(ctx, ST_EINVAL, "st_design_matrix: ldx %zu < %zu columns", ldx, d->ncols);
    /* only the requested rows need their numeric values present */
    unsigned char *mask = st__calloc(ctx, n ? n : 1, 1);
    if (!mask) return ST_ENOMEM;
    memset(mask + row0, 1, nrows);
    st__design_binding b;
    st_status rc = st__design_bind(ctx, d, t, source, mask, &b);
    if (!rc) {
        st__design_fill(&b, row0, nrows, x, ldx); /* reads the mask */
        st__design_unbind(ctx, &b);
    }
    st__free(ctx, mask, 0);
    return rc;
}

/* ---- JSON ---- */

bool st__design_write(st_jw *w, const st_design *d)
{
    st__jw_begin_object(w);
    st__jw_kv_bool(w, "standardize", d->standardize);
    st__jw_key(w, "numeric");
    st__jw_begin_array(w);
    for (size_t i = 0; i < d->nf; i++) {
        const st__feature *f = &d->f[i];
        if (f->categorical) continue;
        st__jw_begin_object_inline(w);
        st__jw_kv_str(w, "name", f->name);
        st__jw_kv_num(w, "mean", f->mean);
        st__jw_kv_num(w, "sd", f->sd);
        st__jw_end_object(w);
    }
    st__jw_end_array(w);
    st__jw_key(w, "categorical");
    st__jw_begin_array(w);
    for (size_t i = 0; i < d->nf; i++) {
        const st__feature *f = &d->f[i];
        if (!f->categorical) continue;
        st__jw_begin_object_inline(w);
        st__jw_kv_str(w, "name", f->name);
        st__jw_key(w, "levels");
        st__jw_begin_array(w);
        for (size_t k = 0; k < f->nlevels; k++) st__jw_string(w, f->levels[k]);
        st__jw_end_array(w);
        st__jw_end_object(w);
    }
    st__jw_end_array(w);
    st__jw_key(w, "columns");
    st__jw_begin_array_inline(w);
    for (size_t k = 0; k < d->ncols; k++) st__jw_string(w, d->colnames[k]);
    st__jw_end_array(w);
    return st__jw_end_object(w);
}

static st_status bad(st_context *ctx, const char *name, const char *what)
{
    return st__error(ctx, ST_EFORMAT, "%s: design: %s", name ? name : "model", what);
}

st_status st__design_read(st_context *ctx, const st_json *v, const char *name, st_design **out)
{
    *out = NULL;
    if (st__json_type(v) != ST_JSON_OBJECT) return bad(ctx, name, "not an object");
    const st_json *num = st__json_get(v, "numeric"), *cat = st__json_get(v, "categorical");
    const st_json *std = st__json_get(v, "standardize");
    if (st__json_type(num) != ST_JSON_ARRAY || st__json_type(cat) != ST_JSON_ARRAY)
        return bad(ctx, name, "\"numeric\" and \"categorical\" must be lists");
    if (std && st__json_type(std) != ST_JSON_BOOL) return bad(ctx, name, "\"standardize\" must be true or false");
    size_t nn = st__json_len(num), nc = st__json_len(cat);
    st_design *d = design_alloc(ctx, nn + nc);
    if (!d) return ST_ENOMEM;
    d->standardize = std && st__json_bool(std);
    st_status rc = ST_OK;
    for (size_t i = 0; i < nn + nc && !rc; i++) {
        st__feature *f = &d->f[i];
        const st_json *o = i < nn ? st__json_at(num, i) : st__json_at(cat, i - nn);
        const char *fname = st__json_string(st__json_get(o, "name"));
        if (!fname || !*fname) {
            rc = bad(ctx, name, "a feature without a \"name\"");
            break;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(d->f[k].name, fname) == 0) rc = bad(ctx, name, "a feature named twice");
        if (rc) break;
        f->name = st__strdup(ctx, fname);
        if (!f->name) {
            rc = ST_ENOMEM;
            break;
        }
        f->mean = 0.0;
        f->sd = 1.0;
        if (i < nn) {
            double m = st__json_number(st__json_get(o, "mean")), s = st__json_number(st__json_get(o, "sd"));
            if (!isfinite(m) || !isfinite(s) || !(s > 0.0)) {
                rc = bad(ctx, name, "a numeric feature needs a finite \"mean\" and an \"sd\" > 0");
                break;
            }
            f->mean = m;
            f->sd = s;
            continue;
        }
        f->categorical = true;
        const st_json *lv = st__json_get(o, "levels");
        if (st__json_type(lv) != ST_JSON_ARRAY) {
            rc = bad(ctx, name, "a categorical feature needs \"levels\"");
            break;
        }
        size_t nl = st__json_len(lv);
        f->levels = st__calloc(ctx, nl ? nl : 1, sizeof *f->levels);
        if (!f->levels) {
            rc = ST_ENOMEM;
            break;
        }
        for (size_t k = 0; k < nl && !rc; k++) {
            const char *s = st__json_string(st__json_at(lv, k));
            if (!s || !*s) {
                rc = bad(ctx, name, "a level must be a non-empty string");
                break;
            }
            if (k && strcmp(f->levels[k - 1], s) >= 0) {
                rc = bad(ctx, name, "levels must be sorted and distinct");
                break;
            }
            f->levels[k] = st__strdup(ctx, s);
            if (!f->levels[k]) rc = ST_ENOMEM;
            else f->nlevels = k + 1;
        }
    }
    if (!rc) rc = name_columns(d);
    if (rc) {
        st_design_free(d);
        return rc;
    }
    *out = d;
    return ST_OK;
}

st_status st_design_to_json(st_context *ctx, const st_design *d, char **out, size_t *len)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!d || !out) return st__error(ctx, ST_EINVAL, "st_design_to_json: NULL argument");
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__design_write(&w, d);
    return st__jw_finish(&w, "design JSON", out, len);
}

st_status st_design_from_json(st_context *ctx, const char *text, size_t len, st_design **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!text || !out) return st__error(ctx, ST_EINVAL, "st_design_from_json: NULL argument");
    st_json *root;
    st_status rc = st__json_parse(ctx, text, len, "design", &root);
    if (rc) return rc;
    rc = st__design_read(ctx, root, "design", out);
    st__json_free(ctx, root);
    return rc;
}
