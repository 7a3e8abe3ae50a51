/*
** table.c -- the columnar customer table: a string key column plus numeric (double), integer, categorical
** or string columns.
** String columns keep their bytes in one pool with per-row offsets, so a million customers cost two
** allocations, not a million.
*/
#include "core/table.h"
#include "core/parallel.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct strings a column shares bytes for (labels such as segment names repeat on every row); past
** this many the column is taken for one of unique values (ids) and stops looking. */
#define DEDUP_MAX 4096

typedef struct column {
    char *name;
    st_coltype type;
    double *f64;       /* ST_COL_F64 / ST_COL_DATE */
    char *pool;        /* ST_COL_STR: bytes; pool[0] is the empty string */
    size_t pool_len, pool_cap;
    size_t *off;       /* ST_COL_STR: row -> offset into pool, 8 bytes (pools past 4 GiB, owned keys) */
    uint32_t *off32;   /* ST_COL_STR: the same in 4 bytes; exactly one of off and off32 is set */
    uint32_t *dd;      /* strings stored so far, as pool offsets in an open-addressing table (0 = empty) */
    size_t dd_cap, dd_n;
    bool dd_off;       /* gave up deduplicating */
    int32_t *i32;      /* ST_COL_I32 values / ST_COL_CAT codes */
    char **levels;     /* ST_COL_CAT */
    size_t nlevels;
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
    st__free(ctx, c->off32, 0);
    st__free(ctx, c->dd, c->dd_cap * sizeof *c->dd);
    st__free(ctx, c->i32, 0);
    for (size_t k = 0; k < c->nlevels && c->levels; k++) st__free(ctx, c->levels[k], 0);
    st__free(ctx, c->levels, 0);
}

static size_t col_off(const column *c, size_t i) { return c->off32 ? c->off32[i] : c->off[i]; }

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
    c->off32 = st__calloc(ctx, nrows ? nrows : 1, sizeof *c->off32);
    if (!c->pool || !c->off32) return ST_ENOMEM;
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
    /* A pool below 4 GiB gets 4-byte offsets, narrowed in place (each 8-byte value is read before any
    ** 4-byte store reaches its bytes) and the array shrunk; a loose pool is trimmed. Shrinking moves nothing
    ** and cannot really fail; if it does, the larger block is kept. */
    uint32_t *off32 = NULL;
    if (pool_len <= UINT32_MAX && nrows > 0) {
        char *b = (char *)off;
        for (size_t i = 0; i < nrows; i++) {
            size_t v;
            memcpy(&v, b + i * sizeof v, sizeof v);
            uint32_t w = (uint32_t)v;
            memcpy(b + i * sizeof w, &w, sizeof w);
        }
        off32 = st__realloc_array(ctx, off, 2 * nrows, nrows, sizeof *off32);
        if (!off32) {
            st_clear_error(ctx);
            off32 = (uint32_t *)(void *)off;
        }
        off = NULL;
    }
    if (pool_cap > pool_len + 4096) {
        char *p = st__realloc_array(ctx, pool, pool_cap, pool_len, 1);
        if (p) {
            pool = p;
            pool_cap = pool_len;
        } else {
            st_clear_error(ctx);
        }
    }
    st_table *t = st__calloc(ctx, 1, sizeof *t);
    column c = {0};
    c.type = ST_COL_STR;
    c.pool = pool;
    c.pool_len = pool_len;
    c.pool_cap = pool_cap;
    c.off = off;
    c.off32 = off32;
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

static bool is_f64(st_coltype ty) { return ty == ST_COL_F64 || ty == ST_COL_DATE; }

const double *st_table_f64(const st_table *t, size_t j)
{
    return t && j < t->ncols && is_f64(t->cols[j].type) ? t->cols[j].f64 : NULL;
}

double *st_table_f64_mut(st_table *t, size_t j)
{
    return t && j < t->ncols && is_f64(t->cols[j].type) ? t->cols[j].f64 : NULL;
}

const int32_t *st_table_i32(const st_table *t, size_t j)
{
    return t && j < t->ncols && (t->cols[j].type == ST_COL_I32 || t->cols[j].type == ST_COL_CAT) ? t->cols[j].i32 : NULL;
}

size_t st_table_cat_nlevels(const st_table *t, size_t j)
{
    return t && j < t->ncols && t->cols[j].type == ST_COL_CAT ? t->cols[j].nlevels : 0;
}

const char *st_table_cat_level(const st_table *t, size_t j, size_t k)
{
    if (!t || j >= t->ncols || t->cols[j].type != ST_COL_CAT || k >= t->cols[j].nlevels) return NULL;
    return t->cols[j].levels[k];
}

const char *st_table_str(const st_table *t, size_t j, size_t i)
{
    if (!t || j >= t->ncols || i >= t->nrows) return NULL;
    const column *c = &t->cols[j];
    if (c->type == ST_COL_CAT) return c->i32[i] >= 0 ? c->levels[c->i32[i]] : "";
    if (c->type != ST_COL_STR) return NULL;
    return c->pool + col_off(c, i);
}

static size_t str_hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (size_t k = 0; k < n; k++) h = (h ^ (unsigned char)s[k]) * 1099511628211u;
    return (size_t)(h ^ (h >> 32));
}

/* The offset of an equal string already in c's pool, or 0 (none, or not looking any more). */
static size_t dedup_find(const column *c, const char *s, size_t n, size_t *place)
{
    *place = SIZE_MAX;
    if (c->dd_off || !c->dd_cap) return 0;
    size_t h = str_hash(s, n) & (c->dd_cap - 1);
    while (c->dd[h]) {
        const char *p = c->pool + c->dd[h];
        if (memcmp(p, s, n) == 0 && p[n] == '\0') return c->dd[h];
        h = (h + 1) & (c->dd_cap - 1);
    }
    *place = h;
    return 0;
}

/* Records the string just stored at offset o (place from dedup_find, SIZE_MAX = look it up again). */
static void dedup_note(st_context *ctx, column *c, size_t o, size_t n, size_t place)
{
    if (c->dd_off) return;
    if (o > UINT32_MAX || c->dd_n + 1 > DEDUP_MAX) {
        st__free(ctx, c->dd, c->dd_cap * sizeof *c->dd);
        c->dd = NULL;
        c->dd_cap = c->dd_n = 0;
        c->dd_off = true;
        return;
    }
    if (2 * (c->dd_n + 1) > c->dd_cap) {
        size_t ncap = c->dd_cap ? 2 * c->dd_cap : 64;
        uint32_t *d = st__calloc(ctx, ncap, sizeof *d);
        if (!d) return; /* only an economy: go on without it */
        for (size_t k = 0; k < c->dd_cap; k++)
            if (c->dd[k]) {
                const char *p = c->pool + c->dd[k];
                size_t h = str_hash(p, strlen(p)) & (ncap - 1);
                while (d[h]) h = (h + 1) & (ncap - 1);
                d[h] = c->dd[k];
            }
        st__free(ctx, c->dd, c->dd_cap * sizeof *c->dd);
        c->dd = d;
        c->dd_cap = ncap;
        place = SIZE_MAX;
    }
    if (place == SIZE_MAX) {
        place = str_hash(c->pool + o, n) & (c->dd_cap - 1);
        while (c->dd[place]) place = (place + 1) & (c->dd_cap - 1);
    }
    c->dd[place] = (uint32_t)o;
    c->dd_n++;
}

/* Sets row i's offset, widening the offsets to 8 bytes when the pool passes 4 GiB. */
static st_status set_off(st_context *ctx, column *c, size_t nrows, size_t i, size_t o)
{
    if (c->off32 && o > UINT32_MAX) {
        size_t *w = st__realloc_array(ctx, NULL, 0, nrows ? nrows : 1, sizeof *w);
        if (!w) return ST_ENOMEM;
        for (size_t k = 0; k < nrows; k++) w[k] = c->off32[k];
        st__free(ctx, c->off32, 0);
        c->off32 = NULL;
        c->off = w;
    }
    if (c->off32) c->off32[i] = (uint32_t)o;
    else c->off[i] = o;
    return ST_OK;
}

st_status st_table_set_str(st_table *t, size_t j, size_t i, const char *s)
{
    if (!t) return ST_EINVAL;
    if (j >= t->ncols || i >= t->nrows || t->cols[j].type != ST_COL_STR || !s)
        return st__error(t->ctx, ST_EINVAL, "st_table_set_str: bad column, row or NULL string");
    column *c = &t->cols[j];
    size_t n = strlen(s);
    if (n == 0) return set_off(t->ctx, c, t->nrows, i, 0);
    size_t place, o = dedup_find(c, s, n, &place);
    if (o) return set_off(t->ctx, c, t->nrows, i, o);
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
    o = c->pool_len;
    st_status rc = set_off(t->ctx, c, t->nrows, i, o);
    if (rc) return rc;
    c->pool_len += n + 1;
    dedup_note(t->ctx, c, o, n, place);
    return ST_OK;
}

st_status st__table_add_f64_owned(st_table *t, const char *name, st_coltype type, double *values)
{
    st_status rc = check_new_name(t, name);
    if (rc == ST_OK && !is_f64(type)) rc = st__error(t->ctx, ST_EINVAL, "a double column must be ST_COL_F64 or ST_COL_DATE");
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

st_status st_table_add_i32(st_table *t, const char *name, const int32_t *values)
{
    if (!t) return ST_EINVAL;
    st_status rc = check_new_name(t, name);
    if (rc) return rc;
    column c = {0};
    c.type = ST_COL_I32;
    if (!(c.name = st__strdup(t->ctx, name)) || !(c.i32 = st__malloc(t->ctx, (t->nrows ? t->nrows : 1) * sizeof *c.i32))) {
        column_free(t->ctx, &c);
        return ST_ENOMEM;
    }
    for (size_t i = 0; i < t->nrows; i++) c.i32[i] = values ? values[i] : INT32_MIN;
    if ((rc = push_column(t, &c)) != ST_OK) column_free(t->ctx, &c);
    return rc;
}

st_status st_table_add_cat(st_table *t, const char *name, const int32_t *codes, const char *const *levels,
                           size_t nlevels)
{
    if (!t) return ST_EINVAL;
    if (!codes || (nlevels && !levels)) return st__error(t->ctx, ST_EINVAL, "st_table_add_cat: NULL codes or levels");
    if (nlevels > INT32_MAX) return st__error(t->ctx, ST_EINVAL, "st_table_add_cat: more than %d levels", INT32_MAX);
    st_status rc = check_new_name(t, name);
    if (rc) return rc;
    for (size_t k = 0; k < nlevels; k++)
        if (!levels[k]) return st__error(t->ctx, ST_EINVAL, "st_table_add_cat: level %zu is NULL", k);
    for (size_t i = 0; i < t->nrows; i++)
        if (codes[i] < -1 || (codes[i] >= 0 && (size_t)codes[i] >= nlevels))
            return st__error(t->ctx, ST_EINVAL, "st_table_add_cat: row %zu: code %d is not -1 or below %zu levels", i,
                             (int)codes[i], nlevels);
    column c = {0};
    c.type = ST_COL_CAT;
    c.name = st__strdup(t->ctx, name);
    c.i32 = st__malloc(t->ctx, (t->nrows ? t->nrows : 1) * sizeof *c.i32);
    c.levels = st__calloc(t->ctx, nlevels ? nlevels : 1, sizeof *c.levels);
    if (!c.name || !c.i32 || !c.levels) rc = ST_ENOMEM;
    for (size_t k = 0; rc == ST_OK && k < nlevels; k++) {
        if (!(c.levels[k] = st__strdup(t->ctx, levels[k]))) rc = ST_ENOMEM;
        c.nlevels = k + 1;
    }
    if (rc == ST_OK) {
        memcpy(c.i32, codes, t->nrows * sizeof *c.i32);
        rc = push_column(t, &c);
    }
    if (rc != ST_OK) column_free(t->ctx, &c);
    return rc;
}

/* ---- CSV output ---- */

/* Rows [from, to) as CSV text appended to b. */
static bool format_rows(const st_table *t, size_t first, size_t from, size_t to, st_buf *b)
{
    bool ok = true;
    for (size_t i = from; i < to && ok; i++) {
        for (size_t j = first; j < t->ncols && ok; j++) {
            const column *c = &t->cols[j];
            if (j > first) ok = st__buf_putc(b, ',');
            if (!ok) break;
            if (c->type == ST_COL_STR) {
                const char *s = c->pool + col_off(c, i);
                ok = st__buf_put_csv_field(b, s, strlen(s), ',');
            } else if (c->type == ST_COL_I32) {
                if (c->i32[i] != INT32_MIN) ok = st__buf_printf(b, "%d", (int)c->i32[i]);
            } else if (c->type == ST_COL_CAT) {
                if (c->i32[i] >= 0) {
                    const char *s = c->levels[c->i32[i]];
                    ok = st__buf_put_csv_field(b, s, strlen(s), ',');
                }
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
    size_t first, from, to;
    st_context wctx; /* worker-local errors, same allocator */
    st_buf b;
    bool ok;
} fmt_job;

static void fmt_main(void *ud, size_t job, size_t worker)
{
    (void)worker;
    fmt_job *j = (fmt_job *)ud + job;
    j->ok = format_rows(j->t, j->first, j->from, j->to, &j->b);
}

st_status st_table_write_csv(st_context *ctx, const st_table *t, const char *path)
{
    return st__table_write_csv_from(ctx, t, path, 0);
}

st_status st__table_write_csv_from(st_context *ctx, const st_table *t, const char *path, size_t first)
{
    if (!ctx) return ST_EINVAL;
    if (!t || !path || first >= t->ncols) return st__error(ctx, ST_EINVAL, "st_table_write_csv: NULL table or path");
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
        jobs[k].first = first;
        jobs[k].wctx = *ctx;
        jobs[k].wctx.progress = NULL;
        st__buf_init(&jobs[k].b, k ? &jobs[k].wctx : ctx);
    }
    st_buf *b = &jobs[0].b;
    bool ok = true, io = true;
    for (size_t j = first; j < t->ncols && ok; j++) {
        if (j > first) ok = st__buf_putc(b, ',');
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

st_status st__table_rename(st_table *t, size_t j, const char *name)
{
    if (!t || j >= t->ncols || !name) return ST_EINVAL;
    if (st_table_find(t, name) >= 0) return st__error(t->ctx, ST_EINVAL, "duplicate column name %s", name);
    char *s = st__strdup(t->ctx, name);
    if (!s) return ST_ENOMEM;
    st__free(t->ctx, t->cols[j].name, 0);
    t->cols[j].name = s;
    return ST_OK;
}

st_status st__table_free_names(st_table *t, const char *const *names, size_t n, const char *suffix)
{
    if (!t || (!names && n) || !suffix) return ST_EINVAL;
    for (size_t k = 0; k < n; k++) {
        long j = st_table_find(t, names[k]);
        if (j < 0) continue;
        st_buf b;
        st__buf_init(&b, t->ctx);
        bool ok = st__buf_puts(&b, names[k]);
        /* the renamed column must be free too: add the suffix until it is */
        do ok = ok && st__buf_puts(&b, suffix);
        while (ok && st_table_find(t, b.data) >= 0);
        st_status rc = ok ? st__table_rename(t, (size_t)j, b.data) : ST_ENOMEM;
        st__buf_free(&b);
        if (rc) return rc;
    }
    return ST_OK;
}
