/*
** util.c -- small shared pieces of the segment stage: label encoding (as scikit-learn's LabelEncoder),
** data checks, and a fixed fan-out (on core/parallel) whose results never depend on how many threads ran.
*/
#include "segment/segment.h"

#include "core/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

st_status st__seg_check_data(st_context *ctx, const char *fn, const double *x, size_t n, size_t d)
{
    if (!x) return st__error(ctx, ST_EINVAL, "%s: NULL data", fn);
    if (n == 0 || d == 0) return st__error(ctx, ST_EINVAL, "%s: empty data (%zu x %zu)", fn, n, d);
    size_t nd;
    if (!st__mul_ok(n, d, &nd) || nd > SIZE_MAX / sizeof(double))
        return st__error(ctx, ST_ENOMEM, "%s: data size overflows", fn);
    for (size_t i = 0; i < nd; i++)
        if (!isfinite(x[i]))
            return st__error(ctx, ST_EDATA, "%s: row %zu column %zu is not a finite number", fn, i / d + 1,
                             i % d + 1);
    return ST_OK;
}

typedef struct {
    int32_t v;
    size_t i;
} lab_pair;

static int cmp_pair(const void *a, const void *b)
{
    const lab_pair *p = a, *q = b;
    if (p->v != q->v) return p->v < q->v ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

/* Labels spanning a small range (segment ids, cluster ids: the usual case) are coded through a table
** indexed by value, in O(n + range); wide ranges fall back to sorting (label, row) pairs. */
static st_status encode_dense(st_context *ctx, const int32_t *labels, size_t n, int32_t lo, size_t range,
                              int32_t *c, size_t *nk)
{
    int32_t *map = st__malloc(ctx, range * sizeof *map);
    if (!map) return ST_ENOMEM;
    for (size_t v = 0; v < range; v++) map[v] = -1;
    for (size_t i = 0; i < n; i++) map[(size_t)((int64_t)labels[i] - lo)] = 0;
    size_t k = 0;
    for (size_t v = 0; v < range; v++)
        if (map[v] == 0) map[v] = (int32_t)k++;
    for (size_t i = 0; i < n; i++) c[i] = map[(size_t)((int64_t)labels[i] - lo)];
    st__free(ctx, map, range * sizeof *map);
    *nk = k;
    return ST_OK;
}

st_status st__label_encode(st_context *ctx, const int32_t *labels, size_t n, int32_t **codes, size_t *k,
                           size_t **counts)
{
    *codes = NULL;
    if (counts) *counts = NULL;
    int32_t *c = st__calloc(ctx, n ? n : 1, sizeof *c);
    if (!c) return ST_ENOMEM;
    size_t nk = 0;
    int32_t lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || labels[i] < lo) lo = labels[i];
        if (i == 0 || labels[i] > hi) hi = labels[i];
    }
    size_t range = n ? (size_t)((int64_t)hi - lo) + 1 : 0;
    if (n && range <= 4 * n + 1024) {
        if (encode_dense(ctx, labels, n, lo, range, c, &nk)) {
            st__free(ctx, c, n * sizeof *c);
            return ST_ENOMEM;
        }
    } else if (n) {
        lab_pair *p = st__calloc(ctx, n, sizeof *p);
        if (!p) {
            st__free(ctx, c, n * sizeof *c);
            return ST_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            p[i].v = labels[i];
            p[i].i = i;
        }
        qsort(p, n, sizeof *p, cmp_pair);
        for (size_t i = 0; i < n; i++) {
            if (i > 0 && p[i].v != p[i - 1].v) nk++;
            c[p[i].i] = (int32_t)nk;
        }
        nk++;
        st__free(ctx, p, n * sizeof *p);
    }
    if (counts) {
        size_t *cnt = st__calloc(ctx, nk ? nk : 1, sizeof *cnt);
        if (!cnt) {
            st__free(ctx, c, n * sizeof *c);
            return ST_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) cnt[c[i]]++;
        *counts = cnt;
    }
    *codes = c;
    *k = nk;
    return ST_OK;
}

typedef struct seg_fanout {
    void (*fn)(void *);
    char *base;
    size_t size;
} seg_fanout;

static void seg_job(void *ud, size_t job, size_t worker)
{
    (void)worker;
    seg_fanout *f = ud;
    f->fn(f->base + job * f->size);
}

void st__seg_parallel(int nt, void (*fn)(void *), void *args, size_t size)
{
    if (nt < 1) nt = 1;
    seg_fanout f = {fn, args, size};
    st__parallel_for_n(nt, (size_t)nt, seg_job, &f);
}
