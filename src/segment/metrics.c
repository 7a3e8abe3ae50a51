/*
** metrics.c -- clustering quality as scikit-learn defines it: exact silhouette (blocked over row tiles, per-
** cluster distance sums accumulated symmetrically, never the n x n matrix), Davies-Bouldin and
** Calinski-Harabasz, with the same edge cases (singletons score 0, 2 <= labels <= n - 1).
*/
#include "segment/segment.h"

#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static st_status prepare(st_context *ctx, const char *fn, const double *x, size_t n, size_t d,
                         const int32_t *labels, const void *out, int32_t **codes, size_t *k, size_t **counts)
{
    if (!labels || !out) return st__error(ctx, ST_EINVAL, "%s: NULL argument", fn);
    st_status rc = st__seg_check_data(ctx, fn, x, n, d);
    if (rc) return rc;
    rc = st__label_encode(ctx, labels, n, codes, k, counts);
    if (rc) return rc;
    if (*k < 2 || *k > n - 1) {
        st__free(ctx, *codes, n * sizeof **codes);
        st__free(ctx, *counts, *k * sizeof **counts);
        *codes = NULL;
        *counts = NULL;
        return st__error(ctx, ST_EINVAL,
                         "%s: number of labels is %zu; valid values are 2 to n_samples - 1 (inclusive)", fn, *k);
    }
    return ST_OK;
}

/* Per-cluster means (k*d), allocated. */
static double *centroids(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *codes, size_t k,
                         const size_t *counts)
{
    double *c = st__calloc(ctx, k * d, sizeof *c);
    if (!c) return NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) c[codes[i] * d + j] += x[i * d + j];
    for (size_t l = 0; l < k; l++)
        for (size_t j = 0; j < d; j++) c[l * d + j] /= (double)counts[l];
    return c;
}

enum { ROW_BLOCK = 32, TILE = 512 };

static size_t nd_total(size_t n, size_t d) { return n * d; } /* checked by st__seg_check_data */

typedef struct {
    const double *x;
    const int32_t *codes; /* sorted: rows of label l are [ends[l-1], ends[l]) */
    const size_t *ends;
    size_t n, d, k;
    int tid, nt;
    double *sums;  /* n*k: sums[i*k + l] = sum of distances from i to members of l seen by this thread */
    double *tileT; /* d*TILE, the j tile transposed so the distance loop runs over contiguous memory */
    double *dist;  /* TILE */
    double *colacc; /* TILE: distances of rows of one label to the tile's columns, not yet in sums */
} sil_job;

static void tile_distances(const double *tileT, size_t d, size_t w, const double *xi, double *dist)
{
    for (size_t jj = 0; jj < w; jj++) dist[jj] = 0;
    for (size_t c = 0; c < d; c++) {
        const double *col = tileT + c * TILE;
        double v = xi[c];
        for (size_t jj = 0; jj < w; jj++) {
            double t = col[jj] - v;
            dist[jj] += t * t;
        }
    }
#if defined(__SSE2__)
    /* libm's sqrt keeps errno semantics and is never vectorised; sqrtpd takes two at once. */
    size_t jj = 0;
    for (; jj + 2 <= w; jj += 2) _mm_storeu_pd(dist + jj, _mm_sqrt_pd(_mm_loadu_pd(dist + jj)));
    for (; jj < w; jj++) dist[jj] = sqrt(dist[jj]);
#else
    for (size_t jj = 0; jj < w; jj++) dist[jj] = sqrt(dist[jj]);
#endif
}

/* Sum of v[a..b) with two-lane accumulators (a serial scalar sum would wait on each add). */
static double run_sum(const double *v, size_t a, size_t b)
{
    double s = 0;
#if defined(__SSE2__)
    if (b - a >= 4) {
        __m128d s0 = _mm_setzero_pd(), s1 = _mm_setzero_pd();
        for (; a + 4 <= b; a += 4) {
            s0 = _mm_add_pd(s0, _mm_loadu_pd(v + a));
            s1 = _mm_add_pd(s1, _mm_loadu_pd(v + a + 2));
        }
        double lanes[2];
        _mm_storeu_pd(lanes, _mm_add_pd(s0, s1));
        s = lanes[0] + lanes[1];
    }
#endif
    for (; a < b; a++) s += v[a];
    return s;
}

/* Pairs (i, j) with j > i: each distance is computed once and added to both rows' cluster sums. Rows are
** sorted by label, so (1) a tile of columns j is a few runs of one label: each run's sum goes to row i in one
** add, and (2) consecutive rows i mostly share a label: their distances pile up in a per-tile column
** accumulator that is added to the columns' sums once per label change, not once per pair. Row blocks
** are dealt round-robin to threads, which balances the triangle well enough for a few threads. */
static void sil_worker(void *p)
{
    sil_job *J = p;
    size_t n = J->n, d = J->d, k = J->k;
    const double *x = J->x;
    const int32_t *codes = J->codes;
    double *dist = J->dist, *acc = J->colacc;
    size_t nblocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
    for (size_t b = (size_t)J->tid; b < nblocks; b += (size_t)J->nt) {
        size_t i0 = b * ROW_BLOCK, i1 = i0 + ROW_BLOCK < n ? i0 + ROW_BLOCK : n;
        for (size_t j0 = i0; j0 < n; j0 += TILE) {
            size_t w = n - j0 < TILE ? n - j0 : TILE;
            for (size_t jj = 0; jj < w; jj++)
                for (size_t c = 0; c < d; c++) J->tileT[c * TILE + jj] = x[(j0 + jj) * d + c];
            for (size_t jj = 0; jj < w; jj++) acc[jj] = 0;
            size_t cur = (size_t)codes[i0];
            for (size_t i = i0; i < i1; i++) {
                size_t start = i + 1 > j0 ? i + 1 - j0 : 0;
                if (start >= w) continue;
                size_t li = (size_t)codes[i];
                if (li != cur) {
                    for (size_t jj = 0; jj < w; jj++) {
                        J->sums[(j0 + jj) * k + cur] += acc[jj];
                        acc[jj] = 0;
                    }
                    cur = li;
                }
                tile_distances(J->tileT, d, w, x + i * d, dist);
                double *si = J->sums + i * k;
                for (size_t jj = start; jj < w;) {
                    size_t l = (size_t)codes[j0 + jj];
                    size_t end = J->ends[l] - j0 < w ? J->ends[l] - j0 : w;
                    si[l] += run_sum(dist, jj, end);
                    jj = end;
                }
                for (size_t jj = start; jj < w; jj++) acc[jj] += dist[jj];
            }
            for (size_t jj = 0; jj < w; jj++) J->sums[(j0 + jj) * k + cur] += acc[jj];
        }
    }
}

st_status st_silhouette(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *labels,
                        double *score, double *samples)
{
    int32_t *codes;
    size_t k, *counts;
    st_status rc = prepare(ctx, "silhouette", x, n, d, labels, score, &codes, &k, &counts);
    if (rc) return rc;
    /* Threads only pay off once the O(n^2) work dwarfs thread start-up and the extra n*k buffer. */
    int nt = st_context_threads(ctx);
    if (n < 2000) nt = 1;
    if (nt > 16) nt = 16;
    sil_job jobs[16];
    size_t nk, per = 0;
    int ok = st__mul_ok(n, k, &nk) && nk < SIZE_MAX / sizeof(double) / 16;
    if (ok) {
        per = nk + (size_t)TILE * (d + 2);
        ok = per < SIZE_MAX / sizeof(double);
    }
    memset(jobs, 0, sizeof jobs);
    for (int t = 0; ok && t < nt; t++) {
        double *mem = st__calloc(ctx, per, sizeof(double));
        if (!mem) {
            ok = 0;
            break;
        }
        jobs[t] = (sil_job){x, codes, NULL, n, d, k, t, nt, mem, mem + nk, mem + nk + (size_t)TILE * d,
                            mem + nk + (size_t)TILE * (d + 1)};
    }
    /* Sort rows by label (counting sort) so each tile holds long runs of one label. */
    size_t *ends = ok ? st__calloc(ctx, k, sizeof *ends) : NULL;
    size_t *perm = ok ? st__calloc(ctx, n, sizeof *perm) : NULL;
    double *xp = ok ? st__calloc(ctx, nd_total(n, d), sizeof *xp) : NULL;
    int32_t *cp = ok ? st__calloc(ctx, n, sizeof *cp) : NULL;
    if (!ends || !perm || !xp || !cp) ok = 0;
    if (ok) {
        size_t acc = 0;
        for (size_t l = 0; l < k; l++) {
            ends[l] = acc; /* start for now */
            acc += counts[l];
        }
        for (size_t i = 0; i < n; i++) {
            size_t pos = ends[codes[i]]++;
            perm[pos] = i;
            cp[pos] = codes[i];
            memcpy(xp + pos * d, x + i * d, d * sizeof *xp);
        }
        for (int t = 0; t < nt; t++) {
            jobs[t].x = xp;
            jobs[t].codes = cp;
            jobs[t].ends = ends;
        }
    }
    if (ok) {
        st__seg_parallel(nt, sil_worker, jobs, sizeof jobs[0]);
        double *S = jobs[0].sums;
        for (int t = 1; t < nt; t++)
            for (size_t q = 0; q < nk; q++) S[q] += jobs[t].sums[q];
        double total = 0;
        for (size_t pi = 0; pi < n; pi++) {
            size_t i = perm[pi];
            size_t li = (size_t)cp[pi];
            double s = 0;
            if (counts[li] > 1) {
                double a = S[pi * k + li] / (double)(counts[li] - 1);
                double bmin = INFINITY;
                for (size_t l = 0; l < k; l++) {
                    if (l == li) continue;
                    double v = S[pi * k + l] / (double)counts[l];
                    if (v < bmin) bmin = v;
                }
                double m = a > bmin ? a : bmin;
                s = m > 0 ? (bmin - a) / m : 0.0; /* 0/0 (duplicates) is 0, as sklearn's nan_to_num */
            }
            if (samples) samples[i] = s;
            total += s;
        }
        *score = total / (double)n;
    }
    for (int t = 0; t < nt; t++) st__free(ctx, jobs[t].sums, per * sizeof(double));
    st__free(ctx, ends, k * sizeof *ends);
    st__free(ctx, perm, n * sizeof *perm);
    st__free(ctx, xp, 0);
    st__free(ctx, cp, n * sizeof *cp);
    st__free(ctx, codes, n * sizeof *codes);
    st__free(ctx, counts, k * sizeof *counts);
    if (!ok) return st__error(ctx, ST_ENOMEM, "silhouette: out of memory (%zu samples, %zu labels)", n, k);
    return ST_OK;
}

st_status st_davies_bouldin(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *labels,
                            double *score)
{
    int32_t *codes;
    size_t k, *counts;
    st_status rc = prepare(ctx, "davies-bouldin", x, n, d, labels, score, &codes, &k, &counts);
    if (rc) return rc;
    double *c = centroids(ctx, x, n, d, codes, k, counts);
    double *s = c ? st__calloc(ctx, k, sizeof *s) : NULL;
    if (!s) {
        st__free(ctx, c, k * d * sizeof *c);
        st__free(ctx, codes, n * sizeof *codes);
        st__free(ctx, counts, k * sizeof *counts);
        return ST_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) s[codes[i]] += sqrt(st__dist2(x + i * d, c + (size_t)codes[i] * d, d));
    int all_s_zero = 1, all_m_zero = 1;
    for (size_t l = 0; l < k; l++) {
        s[l] /= (double)counts[l];
        if (fabs(s[l]) > 1e-8) all_s_zero = 0; /* np.allclose(x, 0): |x| <= 1e-8 */
    }
    double total = 0;
    for (size_t a = 0; a < k; a++) {
        double worst = 0;
        for (size_t b = 0; b < k; b++) {
            if (a == b) continue;
            double m = sqrt(st__dist2(c + a * d, c + b * d, d));
            if (m > 1e-8) all_m_zero = 0;
            if (m == 0) continue; /* sklearn sets zero centroid distances to inf: the ratio is 0 */
            double r = (s[a] + s[b]) / m;
            if (r > worst) worst = r;
        }
        total += worst;
    }
    *score = (all_s_zero || all_m_zero) ? 0.0 : total / (double)k;
    st__free(ctx, s, k * sizeof *s);
    st__free(ctx, c, k * d * sizeof *c);
    st__free(ctx, codes, n * sizeof *codes);
    st__free(ctx, counts, k * sizeof *counts);
    return ST_OK;
}

st_status st_calinski_harabasz(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *labels,
                               double *score)
{
    int32_t *codes;
    size_t k, *counts;
    st_status rc = prepare(ctx, "calinski-harabasz", x, n, d, labels, score, &codes, &k, &counts);
    if (rc) return rc;
    double *c = centroids(ctx, x, n, d, codes, k, counts);
    double *mean = c ? st__calloc(ctx, d, sizeof *mean) : NULL;
    if (!mean) {
        st__free(ctx, c, k * d * sizeof *c);
        st__free(ctx, codes, n * sizeof *codes);
        st__free(ctx, counts, k * sizeof *counts);
        return ST_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) mean[j] += x[i * d + j];
    for (size_t j = 0; j < d; j++) mean[j] /= (double)n;
    double extra = 0, intra = 0;
    for (size_t l = 0; l < k; l++) extra += (double)counts[l] * st__dist2(c + l * d, mean, d);
    for (size_t i = 0; i < n; i++) intra += st__dist2(x + i * d, c + (size_t)codes[i] * d, d);
    *score = intra == 0 ? 1.0 : extra * (double)(n - k) / (intra * (double)(k - 1));
    st__free(ctx, mean, d * sizeof *mean);
    st__free(ctx, c, k * d * sizeof *c);
    st__free(ctx, codes, n * sizeof *codes);
    st__free(ctx, counts, k * sizeof *counts);
    return ST_OK;
}
