/*
** sort.c -- stable descending order of doubles by an LSD radix sort (11-bit digits) of their bits mapped to
** unsigned keys: linear in n, no comparisons, the same order on any thread count.
*/
#include "num/sort.h"

#include <string.h>

/* An unsigned key whose order is the numeric order of x: the sign bit flipped for positives, every bit for
** negatives. -0 is mapped as 0 so the two tie, as they do under comparison. */
static inline uint64_t dkey(double x)
{
    uint64_t u;
    if (x == 0.0) x = 0.0;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u | ((uint64_t)1 << 63);
}

enum { DIGIT = 11, BUCKETS = 1 << DIGIT, PASSES = (64 + DIGIT - 1) / DIGIT };

st_status st__argsort_desc(st_context *ctx, const double *x, size_t n, uint32_t *order, unsigned char *group_end)
{
    if (n > ST__ARGSORT_MAX) return st__error(ctx, ST_ELIMIT, "sort: %zu rows, at most %zu", n, ST__ARGSORT_MAX);
    if (n == 0) return ST_OK;
    size_t kb = n * sizeof(uint64_t), ib = n * sizeof(uint32_t); /* n <= 2^32: no overflow on 64-bit size_t */
    size_t (*count)[BUCKETS] = st__calloc(ctx, PASSES, sizeof *count);
    uint64_t *ka = st__malloc(ctx, kb), *kt = st__malloc(ctx, kb);
    uint32_t *ia = order, *it = st__malloc(ctx, ib), *iscratch = it; /* order is one of the index buffers */
    if (!count || !ka || !kt || !it) {
        st__free(ctx, count, PASSES * sizeof *count);
        st__free(ctx, ka, kb);
        st__free(ctx, kt, kb);
        st__free(ctx, it, ib);
        return st__error(ctx, ST_ENOMEM, "sort: out of memory for %zu rows", n);
    }
    st__huge_pages(ka, kb);
    st__huge_pages(kt, kb);
    st__huge_pages(it, ib);
    /* One pass builds every digit's histogram. */
    for (size_t i = 0; i < n; i++) {
        uint64_t k = dkey(x[i]);
        ka[i] = k;
        ia[i] = (uint32_t)i;
        for (int p = 0; p < PASSES; p++) count[p][(k >> (p * DIGIT)) & (BUCKETS - 1)]++;
    }
    for (int p = 0; p < PASSES; p++) {
        size_t *c = count[p], sum = 0, nonzero = 0;
        for (size_t b = 0; b < BUCKETS; b++) {
            size_t v = c[b];
            nonzero += v != 0;
            c[b] = sum;
            sum += v;
        }
        if (nonzero <= 1) continue; /* every key has the same digit here: the pass would move nothing */
        unsigned shift = (unsigned)(p * DIGIT);
        for (size_t i = 0; i < n; i++) {
            uint64_t k = ka[i];
            size_t d = c[(k >> shift) & (BUCKETS - 1)]++;
            kt[d] = k;
            it[d] = ia[i];
        }
        uint64_t *ks = ka;
        ka = kt;
        kt = ks;
        uint32_t *is = ia;
        ia = it;
        it = is;
    }
    /* ka / ia hold the stable ascending order; reversed, the later of equal rows comes first. */
    if (ia == order) {
        for (size_t j = 0; j < n / 2; j++) {
            uint32_t v = order[j];
            order[j] = order[n - 1 - j];
            order[n - 1 - j] = v;
        }
    } else {
        for (size_t j = 0; j < n; j++) order[j] = ia[n - 1 - j];
    }
    if (group_end) {
        for (size_t j = 0; j + 1 < n; j++) group_end[j] = ka[n - 1 - j] != ka[n - 2 - j];
        group_end[n - 1] = 1;
    }
    st__free(ctx, count, PASSES * sizeof *count);
    st__free(ctx, ka, kb);
    st__free(ctx, kt, kb);
    st__free(ctx, iscratch, ib);
    return ST_OK;
}
