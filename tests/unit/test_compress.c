/*
** test_compress.c -- the compressed rows behind every BTYD fit (src/value/compress.c): the hashed, grouped
** and radix-sorted unique rows equal a plain sort-and-merge of the same rows, whatever the input order, with
** rows added in one call, one by one, or across a finish; and fits (bgnbd, gg, the accumulator) survive
** every allocation failing once (ST_ENOMEM or success, nothing leaked).
*/
#include "failalloc.h"
#include "strata.h"
#include "test.h"
#include "value/btyd.h"
#include "value/predict.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static double unif(uint64_t *s) { return ((double)lcg(s) + 0.5) / 2147483648.0; }

/* n customers of a BG/NBD story (rate ~ Gamma(2, 1/10) per week, drop-out 0.1 after each purchase, ages of
** 1..52 weeks), times rounded to days in weeks as summarize writes them, so rows repeat a lot; weights 0..3
** (integers: their sums do not depend on the order of addition) and some -0.0 recencies. */
static void make_rows(st__btyd_row *r, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++) {
        double T = (double)(7 + lcg(&seed) % 358) / 7.0;
        double lam = -0.1 * (log(unif(&seed)) + log(unif(&seed)));
        double t = 0.0, last = 0.0, x = 0.0;
        for (;;) {
            t += -log(unif(&seed)) / lam;
            if (t > T) break;
            x += 1.0;
            last = t;
            if (unif(&seed) < 0.1) break;
        }
        last = floor(last * 7.0) / 7.0;
        if (x == 0.0 && lcg(&seed) % 2) last = -0.0;
        r[i] = (st__btyd_row){x, last, T, (double)(lcg(&seed) % 4)};
    }
}

/* The reference: qsort by (x, t, T), merge equal rows summing weights, drop zero weights. */
static int row_cmp(const void *pa, const void *pb)
{
    const st__btyd_row *a = pa, *b = pb;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    if (a->T != b->T) return a->T < b->T ? -1 : 1;
    return 0;
}

static size_t compress_sort(st__btyd_row *r, size_t n)
{
    if (n == 0) return 0;
    qsort(r, n, sizeof *r, row_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && row_cmp(&r[k - 1], &r[i]) == 0) r[k - 1].w += r[i].w;
        else r[k++] = r[i];
    }
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (r[i].w > 0.0) r[m++] = r[i];
    return m;
}

static bool same_rows(const st__btyd_row *a, const st__btyd_row *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].x != b[i].x || a[i].t != b[i].t || a[i].T != b[i].T || a[i].w != b[i].w) {
            fprintf(stderr, "row %zu: (%g %g %g %g) vs (%g %g %g %g)\n", i, a[i].x, a[i].t, a[i].T, a[i].w, b[i].x,
                    b[i].t, b[i].T, b[i].w);
            return false;
        }
    return true;
}

/* The unique rows of r[0..n) through st__uniq: in one add_many call (many = 1) or one add at a time, with a
** finish after the first `split` rows. Returns the count; out gets the rows. */
static size_t via_uniq(st_context *ctx, const st__btyd_row *r, size_t n, int many, size_t split, st__btyd_row *out)
{
    st__uniq u;
    st__uniq_init(&u, ctx);
    double *x = malloc(n * sizeof *x), *t = malloc(n * sizeof *t), *T = malloc(n * sizeof *T), *w = malloc(n * sizeof *w);
    for (size_t i = 0; i < n; i++) {
        x[i] = r[i].x;
        t[i] = r[i].t;
        T[i] = r[i].T;
        w[i] = r[i].w;
    }
    for (size_t i = 0; i < n; i++) {
        if (i == split) CHECK_EQ_INT(st__uniq_finish(&u), 0);
        if (many) {
            size_t end = i < split ? split : n;
            CHECK_EQ_INT(st__uniq_add_many(&u, x + i, t + i, T + i, w + i, end - i), 0);
            i = end - 1;
        } else {
            CHECK_EQ_INT(st__uniq_add(&u, x[i], t[i], T[i], w[i]), 0);
        }
    }
    CHECK_EQ_INT(st__uniq_finish(&u), 0);
    size_t m = st__uniq_rows(&u, out);
    CHECK_EQ_INT(m, u.n);
    st__uniq_free(&u);
    free(x);
    free(t);
    free(T);
    free(w);
    return m;
}

static void test_equals_sort(void)
{
    st_context *ctx;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    const size_t n = 40000;
    st__btyd_row *r = malloc(n * sizeof *r), *ref = malloc(n * sizeof *ref), *got = malloc(n * sizeof *got);
    make_rows(r, n, 7);
    memcpy(ref, r, n * sizeof *r);
    size_t k = compress_sort(ref, n);
    CHECK(k > 1000 && k < n);
    for (int many = 0; many < 2; many++) {
        size_t splits[3] = {n, n / 3, 1};
        for (int s = 0; s < 3; s++) {
            size_t m = via_uniq(ctx, r, n, many, splits[s], got);
            CHECK_EQ_INT(m, k);
            CHECK(m == k && same_rows(ref, got, k));
        }
    }
    /* the input order does not matter */
    uint64_t seed = 99;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(lcg(&seed) % (i + 1));
        st__btyd_row tmp = r[i];
        r[i] = r[j];
        r[j] = tmp;
    }
    size_t m = via_uniq(ctx, r, n, 1, n, got);
    CHECK(m == k && same_rows(ref, got, k));
    /* no row at all, and only zero weights */
    CHECK_EQ_INT(via_uniq(ctx, r, 0, 1, 0, got), 0);
    for (size_t i = 0; i < 100; i++) r[i].w = 0.0;
    CHECK_EQ_INT(via_uniq(ctx, r, 100, 1, 100, got), 0);
    free(r);
    free(ref);
    free(got);
    st_context_free(ctx);
}

/* A fit from the accumulator after more rows arrive equals a fit of all rows at once. */
static void test_acc_after_fit(void)
{
    st_context *ctx;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    const size_t n = 6000;
    st__btyd_row *r = malloc(n * sizeof *r);
    make_rows(r, n, 3);
    st_btyd_acc *a, *b;
    CHECK_EQ_INT(st_btyd_acc_new(ctx, ST_BTYD_BGNBD, &a), ST_OK);
    CHECK_EQ_INT(st_btyd_acc_new(ctx, ST_BTYD_BGNBD, &b), ST_OK);
    for (size_t i = 0; i < n; i++) {
        double w = r[i].w + 1.0;
        CHECK_EQ_INT(st_btyd_acc_add(b, r[i].x, r[i].t, r[i].T, w), ST_OK);
        if (i == n / 2) {
            st_btyd_model *m0 = NULL;
            CHECK_EQ_INT(st_btyd_acc_fit(a, 0.0, 1, &m0), ST_OK);
            st_btyd_free(m0);
        }
        CHECK_EQ_INT(st_btyd_acc_add(a, r[i].x, r[i].t, r[i].T, w), ST_OK);
    }
    CHECK_EQ_INT(st_btyd_acc_rows(a), st_btyd_acc_rows(b));
    st_btyd_model *ma = NULL, *mb = NULL;
    CHECK_EQ_INT(st_btyd_acc_fit(a, 0.0, 1, &ma), ST_OK);
    CHECK_EQ_INT(st_btyd_acc_fit(b, 0.0, 1, &mb), ST_OK);
    for (size_t k = 0; k < 4; k++) CHECK(st_btyd_param(ma, k) == st_btyd_param(mb, k));
    /* merging an accumulator into itself doubles every weight: the same parameters */
    CHECK_EQ_INT(st_btyd_acc_merge(a, a), ST_OK);
    CHECK_EQ_INT(st_btyd_acc_rows(a), st_btyd_acc_rows(b));
    st_btyd_model *mc = NULL;
    CHECK_EQ_INT(st_btyd_acc_fit(a, 0.0, 1, &mc), ST_OK);
    for (size_t k = 0; k < 4; k++) CHECK_NEAR(st_btyd_param(mc, k), st_btyd_param(mb, k), 1e-6 * st_btyd_param(mb, k));
    st_btyd_free(ma);
    st_btyd_free(mb);
    st_btyd_free(mc);
    st_btyd_acc_free(a);
    st_btyd_acc_free(b);
    free(r);
    st_context_free(ctx);
}

/* st_btyd_fit (bgnbd and gg) and the accumulator with allocation n failing. */
typedef struct rows {
    const st__btyd_row *r;
    size_t n;
} rows;

static st_status fit_job(t_failer *f, void *arg)
{
    const st__btyd_row *r = ((rows *)arg)->r;
    size_t n = ((rows *)arg)->n;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    st_status rc = ST_OK;
    double *x = malloc(n * sizeof *x), *t = malloc(n * sizeof *t), *T = malloc(n * sizeof *T);
    for (size_t i = 0; i < n; i++) {
        x[i] = r[i].x;
        t[i] = r[i].t;
        T[i] = r[i].T;
    }
    st_btyd_model *m = NULL;
    rc = st_btyd_fit(ctx, ST_BTYD_BGNBD, x, t, T, NULL, n, 0.0, 1, &m);
    st_btyd_free(m);
    m = NULL;
    /* Gamma-Gamma goes through a copy of the rows as (x, t, T, w): age stands in for the mean spend */
    if (!rc) rc = st_btyd_fit(ctx, ST_BTYD_GG, x, T, NULL, NULL, n, 0.0, 1, &m);
    st_btyd_free(m);
    m = NULL;
    if (!rc) rc = st__gg_fit_columns(ctx, x, T, NULL, n, 0.0, 1, &m);
    st_btyd_free(m);
    m = NULL;
    st_btyd_acc *a = NULL, *b = NULL;
    if (!rc) rc = st_btyd_acc_new(ctx, ST_BTYD_BGNBD, &a);
    if (!rc) rc = st_btyd_acc_new(ctx, ST_BTYD_BGNBD, &b);
    for (size_t i = 0; !rc && i < n; i++) rc = st_btyd_acc_add(i % 2 ? a : b, x[i], t[i], T[i], 1.0);
    if (!rc) rc = st_btyd_acc_merge(a, b);
    if (!rc) rc = st_btyd_acc_fit(a, 0.0, 1, &m);
    st_btyd_free(m);
    st_btyd_acc_free(a);
    st_btyd_acc_free(b);
    if (rc != ST_OK && st_errmsg(ctx)[0] == '\0') {
        t_failures++;
        fprintf(stderr, "failure %d without a message\n", rc);
    }
    st_context_free(ctx);
    free(x);
    free(t);
    free(T);
    return rc;
}

static void test_alloc_failures(void)
{
    /* groups of x = 0 and 1 are large enough for the radix sort */
    const size_t n = 600;
    st__btyd_row *r = malloc(n * sizeof *r);
    make_rows(r, n, 11);
    rows rs = {r, n};
    t_alloc_torture("fits", fit_job, &rs);
    free(r);
}

/* Gamma-Gamma straight from columns (radix-sorted, merged rows) is the accumulator's fit to the bit, with
** repeated (x, m) pairs, x = 0 and m = 0 rows (skipped), NaN rows (skipped) and a shuffled order. */
static void test_gg_columns(void)
{
    enum { N = 30000 };
    static double x[N], m[N], T[N];
    uint64_t s = 7;
    for (size_t i = 0; i < N; i++) {
        x[i] = (double)(lcg(&s) % 9);
        m[i] = i % 5 == 0 ? 10.0 + (double)(lcg(&s) % 4) : 0.5 + (double)(lcg(&s) % 100000) / 997.0;
        if (i % 97 == 0) m[i] = 0.0;
        T[i] = i % 101 == 0 ? (double)NAN : 50.0;
    }
    st_context *ctx = NULL;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    st_btyd_acc *acc = NULL;
    CHECK_EQ_INT(st_btyd_acc_new(ctx, ST_BTYD_GG, &acc), ST_OK);
    for (size_t i = 0; i < N; i++)
        if (!isnan(T[i])) CHECK_EQ_INT(st_btyd_acc_add(acc, x[i], m[i], T[i], 1.0), ST_OK);
    st_btyd_model *a = NULL, *b = NULL;
    CHECK_EQ_INT(st_btyd_acc_fit(acc, 0.0, 42, &a), ST_OK);
    CHECK_EQ_INT(st__gg_fit_columns(ctx, x, m, T, N, 0.0, 42, &b), ST_OK);
    for (size_t k = 0; a && b && k < 3; k++) {
        CHECK(st_btyd_param(a, k) == st_btyd_param(b, k));
        CHECK(st_btyd_stderr(a, k) == st_btyd_stderr(b, k));
    }
    CHECK(a && b && st_btyd_loglik(a) == st_btyd_loglik(b) && a->rows == b->rows);
    st_btyd_free(a);
    st_btyd_free(b);
    st_btyd_acc_free(acc);
    st_context_free(ctx);
}

int main(void)
{
    test_gg_columns();
    test_equals_sort();
    test_acc_after_fit();
    test_alloc_failures();
    T_DONE();
}
