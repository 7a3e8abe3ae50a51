/*
** table.c -- the columnar customer table: a string key column plus numeric (double) or string columns.
** String columns keep their bytes in one pool with per-row offsets, so a million customers cost two
** allocations, not a million.
*/
#include "core/table.h"
#include "core/parallel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct column {
    char *name;
    st_coltype type;
    double *f64;       /* ST_COL_F64 / ST_COL_DATE */
    char *pool;        /* ST_COL_STR: bytes; pool[0] is the empty string */
    size_t pool_len, pool_cap;
    size_t *off;       /* ST_COL_STR: row -> offset into pool */
} column;

struct st_table {
    st_context *ctx;
    size_t nrows;
    size_t ncols, capcols;
    column *cols;
};

st_context *st__table_ctx(const st_table *t) { return t->ctx; }

static void column_free(st_context *ctx, column *c)
{
    st__free(ctx, c->name, 0);
    st__free(ctx, c->f64, 0);
    st__free(ctx, c->pool, c->pool_cap);
    st__free(ctx, c->off, 0);
}

void st_table_free(st_table *t)
{
    if (!t) return;
    for (size_t j = 0; j < t->ncols; j++) column_free(t->ctx, &t->cols[j]);
    st__free(t->ctx, t->cols, 0);
    st__free(t->ctx, t, sizeof *t);
}

static st_status push_column(st_table *t, column *c)
{
    if (t->ncols == t->capcols) {
        size_t ncap = t->capcols ? t->capcols * 2 : 16;
        column *p = st__realloc_array(t->ctx, t->cols, t->capcols, ncap, sizeof *p);
        if (!p) return ST_ENOMEM;
        t->cols = p;
        t->capcols = ncap;
    }
    t->cols[t->ncols++] = *c;
    return ST_OK;
}

static st_status check_new_name(st_table *t, const char *name)
{
    if (!name || !*name) return st__error(t->ctx, ST_EINVAL, "column name is empty");
    if (st_table_find(t, name) >= 0) return st__error(t->ctx, ST_EINVAL, "duplicate column name '%s'", name);
    return ST_OK;
}

static st_status str_column_init(st_context *ctx, column *c, size_t nrows)
{
    c->pool_cap = 64;
    c->pool = st__malloc(ctx, c->pool_cap);
    c->off = st__calloc(ctx, nrows ? nrows : 1, sizeof *c->off);
    if (!c->pool || !c->off) return ST_ENOMEM;
    c->pool[0] = '\0';
    c->pool_len = 1;
    return ST_OK;
}

st_status st_table_new(st_context *ctx, const char *key_name, size_t nrows, st_table **out)
{
    if (!ctx || !out) return ctx ? st__error(ctx, ST_EINVAL, "st_table_new: out is NULL") : ST_EINVAL;
    *out = NULL;
    if (!key_name || !*key_name) return st__error(ctx, ST_EINVAL, "st_table_new: key name is empty");
    st_table *t = st__calloc(ctx, 1, sizeof *t);
    if (!t) return ST_ENOMEM;
    t->ctx = ctx;
    t->nrows = nrows;
    column c = {0};
    c.type = ST_COL_STR;
    c.name = st__strdup(ctx, key_name);
    if (!c.name || str_column_init(ctx, &c, nrows) != ST_OK || push_column(t, &c) != ST_OK) {
        column_free(ctx, &c);
        st_table_free(t);
        return ST_ENOMEM;
    }
    *out = t;
    return ST_OK;
}

st_status st__table_new_owned_keys(st_context *ctx, const char *key_name, size_t nrows, char *pool,
                                   size_t pool_len, size_t pool_cap, size_t *off, st_table **out)
{
    *out = NULL;
    st_table *t = st__calloc(ctx, 1, sizeof *t);
    column c = {0};
    c.type = ST_COL_STR;
    c.pool = pool;
    c.pool_len = pool_len;
    c.pool_cap = pool_cap;
    c.off = off;
    c.name = st__strdup(ctx, key_name);
    if (t) {
        t->ctx = ctx;
        t->nrows = nrows;
    }
    if (!t || !c.name || push_column(t, &c) != ST_OK) {
        column_free(ctx, &c);
        st__free(ctx, t, 0);
        return ST_ENOMEM;
    }
    *out = t;
    return ST_OK;
}

size_t st_table_nrows(const st_table *t) { return t ? t->nrows : 0; }
size_t st_table_ncols(const st_table *t) { return t ? t->ncols : 0; }

const char *st_table_col_name(const st_table *t, size_t j) { return t && j < t->ncols ? t->cols[j].name : NULL; }

st_coltype st_table_col_type(const st_table *t, size_t j)
{
    return t && j < t->ncols ? t->cols[j].type : ST_COL_F64;
}

long st_table_find(const st_table *t, const char *name)
{
    if (!t || !name) return -1;
    for (size_t j = 0; j < t->ncols; j++)
        if (strcmp(t->cols[j].name, name) == 0) return (long)j;
    return -1;
}

const double *st_table_f64(const st_table *t, size_t j)
{
    return t && j < t->ncols && t->cols[j].type != ST_COL_STR ? t->cols[j].f64 : NULL;
}

double *st_table_f64_mut(st_table *t, size_t j)
{
    return t && j < t->ncols && t->cols[j].type != ST_COL_STR ? t->cols[j].f64 : NULL;
}

const char *st_table_str(const st_table *t, size_t j, size_t i)
{
    if (!t || j >= t->ncols || i >= t->nrows || t->cols[j].type != ST_COL_STR) return NULL;
    return t->cols[j].pool + t->cols[j].off[i];
}

st_status st_table_set_str(st_table *t, size_t j, size_t i, const char *s)
{
    if (!t) return ST_EINVAL;
    if (j >= t->ncols || i >= t->nrows || t->cols[j].type != ST_COL_STR || !s)
        return st__error(t->ctx, ST_EINVAL, "st_table_set_str: bad column, row or NULL string");
    column *c = &t->cols[j];
    size_t n = strlen(s);
    if (n == 0) {
        c->off[i] = 0;
        return ST_OK;
    }
    if (c->pool_len + n + 1 > c->pool_cap) {
        size_t ncap = c->pool_cap;
        while (ncap < c->pool_len + n + 1) {
            if (ncap > SIZE_MAX / 2) return st__error(t->ctx, ST_ENOMEM, "string column too large");
            ncap *= 2;
        }
        char *p = st__realloc_array(t->ctx, c->pool, c->pool_cap, ncap, 1);
        if (!p) return ST_ENOMEM;
        c->pool = p;
        c->pool_cap = ncap;
    }
    memcpy(c->pool + c->pool_len, s, n + 1);
    c->off[i] = c->pool_len;
    c->pool_len += n + 1;
    return ST_OK;
}

st_status st__table_add_f64_owned(st_table *t, const char *name, st_coltype type, double *values)
{
    st_status rc = check_new_name(t, name);
    if (rc == ST_OK && type == ST_COL_STR) rc = st__error(t->ctx, ST_EINVAL, "numeric column with string type");
    column c = {0};
    c.type = type;
    c.f64 = values;
    if (rc == ST_OK && !(c.name = st__strdup(t->ctx, name))) rc = ST_ENOMEM;
    if (rc == ST_OK) rc = push_column(t, &c);
    if (rc != ST_OK) column_free(t->ctx, &c);
    return rc;
}

st_status st_table_add_f64(st_table *t, const char *name, st_coltype type, const double *values)
{
    if (!t) return ST_EINVAL;
    double *v = st__malloc(t->ctx, (t->nrows ? t->nrows : 1) * sizeof *v);
    if (!v) return ST_ENOMEM;
    if (t->nrows > SIZE_MAX / sizeof *v) {
        st__free(t->ctx, v, 0);
        return st__error(t->ctx, ST_ENOMEM, "size overflow");
    }
    for (size_t i = 0; i < t->nrows; i++) v[i] = values ? values[i] : (double)NAN;
    return st__table_add_f64_owned(t, name, type, v);
}

st_status st_table_add_str(st_table *t, const char *name)
{
    if (!t) return ST_EINVAL;
    st_status rc = check_new_name(t, name);
    if (rc) return rc;
    column c = {0};
    c.type = ST_COL_STR;
    if (!(c.name = st__strdup(t->ctx, name)) || str_column_init(t->ctx, &c, t->nrows) != ST_OK ||
        push_column(t, &c) != ST_OK) {
        column_free(t->ctx, &c);
        return ST_ENOMEM;
    }
    return ST_OK;
}

/* ---- CSV output ---- */

/* Rows [from, to) as CSV text appended to b. */
static bool format_rows(const st_table *t, size_t from, size_t to, st_buf *b)
{
    bool ok = true;
    for (size_t i = from; i < to && ok; i++) {
        for (size_t j = 0; j < t->ncols && ok; j++) {
            const column *c = &t->cols[j];
            if (j) ok = st__buf_putc(b, ',');
            if (!ok) break;
            if (c->type == ST_COL_STR) {
                const char *s = c->pool + c->off[i];
                ok = st__buf_put_csv_field(b, s, strlen(s), ',');
            } else if (c->type == ST_COL_DATE) {
                double d = c->f64[i];
                if (!isnan(d)) {
                    char tmp[16];
                    size_t n = st_format_date((int64_t)floor(d), tmp, sizeof tmp);
                    ok = st__buf_append(b, tmp, n);
                }
            } else {
                ok = st__buf_put_double(b, c->f64[i]);
            }
        }
        ok = ok && st__buf_putc(b, '\n');
    }
    return ok;
}

/* Formatting numbers is most of the cost of writing a table, so large tables are formatted by several
** threads, chunk by chunk (bounded memory), and written in row order: the bytes do not depend on threads. */
#define WRITE_CHUNK_ROWS 16384
#define WRITE_MAX_THREADS 8

typedef struct fmt_job {
    const st_table *t;
    size_t from, to;
    st_context wctx; /* worker-local errors, same allocator */
    st_buf b;
    bool ok;
} fmt_job;

static void fmt_main(void *ud, size_t job, size_t worker)
{
    (void)worker;
    fmt_job *j = (fmt_job *)ud + job;
    j->ok = format_rows(j->t, j->from, j->to, &j->b);
}

st_status st_table_write_csv(st_context *ctx, const st_table *t, const char *path)
{
    if (!ctx) return ST_EINVAL;
    if (!t || !path) return st__error(ctx, ST_EINVAL, "st_table_write_csv: NULL table or path");
    st_atomic_file af;
    st_status rc = st__atomic_open(ctx, path, &af);
    if (rc) return rc;
    FILE *fp = af.fp;
    int nt = st_context_threads(ctx);
    if (nt > WRITE_MAX_THREADS) nt = WRITE_MAX_THREADS;
    if (t->nrows <= WRITE_CHUNK_ROWS) nt = 1;
    fmt_job jobs[WRITE_MAX_THREADS];
    for (int k = 0; k < nt; k++) {
        jobs[k].t = t;
        jobs[k].wctx = *ctx;
        jobs[k].wctx.progress = NULL;
        st__buf_init(&jobs[k].b, k ? &jobs[k].wctx : ctx);
    }
    st_buf *b = &jobs[0].b;
    bool ok = true, io = true;
    for (size_t j = 0; j < t->ncols && ok; j++) {
        if (j) ok = st__buf_putc(b, ',');
        ok = ok && st__buf_put_csv_field(b, t->cols[j].name, strlen(t->cols[j].name), ',');
    }
    ok = ok && st__buf_putc(b, '\n');
    for (size_t i = 0; i < t->nrows && ok && io;) {
        int used = 0;
        for (int k = 0; k < nt && i < t->nrows; k++, used++) {
            jobs[k].from = i;
            jobs[k].to = t->nrows - i > WRITE_CHUNK_ROWS ? i + WRITE_CHUNK_ROWS : t->nrows;
            i = jobs[k].to;
        }
        st__parallel_for_n(nt, (size_t)used, fmt_main, jobs);
        for (int k = 0; k < used; k++) {
            if (!jobs[k].ok) ok = false;
            if (ok && io && jobs[k].b.len && fwrite(jobs[k].b.data, 1, jobs[k].b.len, fp) != jobs[k].b.len) io = false;
            jobs[k].b.len = 0;
        }
    }
    if (ok && io && b->len && fwrite(b->data, 1, b->len, fp) != b->len) io = false;
    for (int k = 0; k < nt; k++) st__buf_free(&jobs[k].b);
    if (!ok || !io) {
        st__atomic_abort(ctx, &af);
        if (!ok) return st__error(ctx, ST_ENOMEM, "%s: out of memory while formatting the table", path);
        return st__error(ctx, ST_EIO, "%s: write failed", path);
    }
    return st__atomic_commit(ctx, &af);
}
