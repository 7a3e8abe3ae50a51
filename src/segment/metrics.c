/*
** metrics.c -- clustering quality as scikit-learn defines it: exact silhouette (blocked over row tiles, per-
** cluster distance sums accumulated symmetrically, never the n x n matrix), Davies-Bouldin and
** Calinski-Harabasz, with the same edge cases (singletons score 0, 2 <= labels <= n - 1).
*/
#include "segment/segment.h"
#include "core/json.h"

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
        return st__error(ctx, ST_EDATA,
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

/* The silhouette kernel. Rows are sorted by their joint label (the tuple of their codes under every
** labelling asked for) and stored column-major, so for one row i the distances to all rows come out of
** contiguous loads, and the distances to each joint cluster are one run to add up. Each labelling's
** per-cluster sums are then sums of a few run totals. Every row is owned by one thread and summed in a fixed
** order (two-lane pairs, as SSE2 gives them), so results are bit-identical for any thread count. Each
** distance is computed from both ends (no symmetric accumulation): twice the arithmetic of a triangle, but
** no cross-thread reduction and no scattered writes. */
/* Rows go in blocks of up to SIL_BLOCK (fewer when there are many joint clusters) over tiles of SIL_TILE
** columns (96 KB for d = 3). */
enum { SIL_BLOCK = 32, SIL_TILE = 4096 };

typedef struct {
    const double *xT;     /* d x n, rows in joint-label order */
    size_t n, d, J, L;
    const size_t *jend;   /* J: end of each joint run */
    const int32_t *jcomp; /* J x L: the code of joint cluster j under labelling l */
    const size_t *const *counts; /* L arrays of k_l sizes */
    const size_t *kl;     /* L */
    const int32_t *joint; /* n: joint code of each sorted row */
    size_t rows_per_block;
    int avx;              /* the AVX kernel may run (same results) */
    int tid, nt;
    double *run, *S;      /* per thread: rows_per_block x J, max k */
    double *s;            /* n x L: silhouette of each sorted row, shared (each row written by its owner) */
} sil_job;

/* s plus the distances from row i to rows [a, b), one at a time (the tail after the groups of four). */
static inline double tail_dist_sum(const double *xT, size_t n, size_t d, size_t i, size_t a, size_t b, double s)
{
    for (; a < b; a++) {
        double d2 = 0;
        for (size_t c = 0; c < d; c++) {
            double t = xT[c * n + a] - xT[c * n + i];
            d2 += t * t;
        }
        s += sqrt(d2);
    }
    return s;
}

/* Sum over rows q in [a, b) of the distance from row i, in a fixed order: four lanes over groups of four
** (two two-lane SSE2 accumulators), lanes added as (l0 + l2) + (l1 + l3), then the tail one by one. The
** distance, its square root and the sum are fused: one pass over the run, nothing stored. */
static double run_dist_sum_base(const double *xT, size_t n, size_t d, size_t i, size_t a, size_t b)
{
    double s = 0;
#if defined(__SSE2__)
    if (b - a >= 4) {
        __m128d s0 = _mm_setzero_pd(), s1 = _mm_setzero_pd();
        for (; a + 4 <= b; a += 4) {
            __m128d d0 = _mm_setzero_pd(), d1 = _mm_setzero_pd();
            for (size_t c = 0; c < d; c++) {
                const double *col = xT + c * n;
                __m128d v = _mm_set1_pd(col[i]);
                __m128d t0 = _mm_sub_pd(_mm_loadu_pd(col + a), v), t1 = _mm_sub_pd(_mm_loadu_pd(col + a + 2), v);
                d0 = _mm_add_pd(d0, _mm_mul_pd(t0, t0));
                d1 = _mm_add_pd(d1, _mm_mul_pd(t1, t1));
            }
            s0 = _mm_add_pd(s0, _mm_sqrt_pd(d0));
            s1 = _mm_add_pd(s1, _mm_sqrt_pd(d1));
        }
        double lanes[2];
        _mm_storeu_pd(lanes, _mm_add_pd(s0, s1));
        s = lanes[0] + lanes[1];
    }
#else
    if (b - a >= 4) {
        double l[4] = {0, 0, 0, 0};
        for (; a + 4 <= b; a += 4)
            for (int r = 0; r < 4; r++) {
                double d2 = 0;
                for (size_t c = 0; c < d; c++) {
                    double t = xT[c * n + a + (size_t)r] - xT[c * n + i];
                    d2 += t * t;
                }
                l[r] += sqrt(d2);
            }
        s = (l[0] + l[2]) + (l[1] + l[3]);
    }
#endif
    return tail_dist_sum(xT, n, d, i, a, b, s);
}

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
#include <immintrin.h>
#define ST__SIL_AVX 1
/* The same sum with one four-lane AVX accumulator: lanes l0..l3 as above, added as (l0 + l2) + (l1 + l3), and
** the same distance arithmetic per element, so the same bits as the SSE2 version. */
__attribute__((target("avx"))) static double run_dist_sum_avx(const double *xT, size_t n, size_t d, size_t i,
                                                                size_t a, size_t b)
{
    double s = 0;
    if (b - a >= 4) {
        __m256d acc = _mm256_setzero_pd();
        for (; a + 4 <= b; a += 4) {
            __m256d d0 = _mm256_setzero_pd();
            for (size_t c = 0; c < d; c++) {
                const double *col = xT + c * n;
                __m256d t = _mm256_sub_pd(_mm256_loadu_pd(col + a), _mm256_set1_pd(col[i]));
                d0 = _mm256_add_pd(d0, _mm256_mul_pd(t, t));
            }
            acc = _mm256_add_pd(acc, _mm256_sqrt_pd(d0));
        }
        __m128d h = _mm_add_pd(_mm256_castpd256_pd128(acc), _mm256_extractf128_pd(acc, 1));
        double lanes[2];
        _mm_storeu_pd(lanes, h);
        s = lanes[0] + lanes[1];
    }
    return tail_dist_sum(xT, n, d, i, a, b, s);
}
#endif

static double run_dist_sum(const double *xT, size_t n, size_t d, size_t i, size_t a, size_t b, int avx)
{
#if defined(ST__SIL_AVX)
    if (avx) return run_dist_sum_avx(xT, n, d, i, a, b);
#endif
    (void)avx;
    return run_dist_sum_base(xT, n, d, i, a, b);
}

static void sil_worker(void *p)
{
    sil_job *J = p;
    size_t n = J->n, L = J->L, nj = J->J, rb = J->rows_per_block;
    size_t nblocks = (n + rb - 1) / rb;
    for (size_t b = (size_t)J->tid; b < nblocks; b += (size_t)J->nt) {
        size_t i0 = b * rb, i1 = i0 + rb < n ? i0 + rb : n;
        for (size_t q = 0; q < (i1 - i0) * nj; q++) J->run[q] = 0;
        /* Column tiles small enough to stay in cache while the block's rows go over them; a run cut by a
        ** tile edge is summed piece by piece, always at the same edges. */
        size_t j0 = 0;
        for (size_t q0 = 0; q0 < n; q0 += SIL_TILE) {
            size_t q1 = q0 + SIL_TILE < n ? q0 + SIL_TILE : n;
            while (J->jend[j0] <= q0) j0++;
            for (size_t i = i0; i < i1; i++) {
                double *run = J->run + (i - i0) * nj;
                size_t a = q0;
                for (size_t j = j0; a < q1; j++) {
                    size_t e = J->jend[j] < q1 ? J->jend[j] : q1;
                    run[j] += run_dist_sum(J->xT, n, J->d, i, a, e, J->avx);
                    a = e;
                }
            }
        }
        for (size_t i = i0; i < i1; i++) {
            const double *run = J->run + (i - i0) * nj;
            size_t ji = (size_t)J->joint[i];
            for (size_t l = 0; l < L; l++) {
                size_t k = J->kl[l];
                const size_t *cnt = J->counts[l];
                double s = 0;
                if (k >= 2) {
                    for (size_t c = 0; c < k; c++) J->S[c] = 0;
                    for (size_t j = 0; j < nj; j++) J->S[J->jcomp[j * L + l]] += run[j];
                    size_t li = (size_t)J->jcomp[ji * L + l];
                    if (cnt[li] > 1) {
                        double av = J->S[li] / (double)(cnt[li] - 1);
                        double bmin = INFINITY;
                        for (size_t c = 0; c < k; c++) {
                            if (c == li) continue;
                            double v = J->S[c] / (double)cnt[c];
                            if (v < bmin) bmin = v;
                        }
                        double m = av > bmin ? av : bmin;
                        s = m > 0 ? (bmin - av) / m : 0.0; /* 0/0 (duplicates) is 0, as sklearn's nan_to_num */
                    }
                }
                J->s[i * L + l] = s;
            }
        }
    }
}

typedef struct {
    uint64_t key;
    size_t i;
} key_pair;

static int cmp_key(const void *a, const void *b)
{
    const key_pair *p = a, *q = b;
    if (p->key != q->key) return p->key < q->key ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

st_status st__silhouette_multi(st_context *ctx, const double *x, size_t n, size_t d,
                               const int32_t *const *labels, size_t L, double *scores, double *samples)
{
    enum { MAXL = 8, MAXT = 16 };
    if (L == 0 || L > MAXL) return st__error(ctx, ST_EINVAL, "silhouette: %zu labellings (1 to 8)", L);
    for (size_t l = 0; l < L; l++) scores[l] = (double)NAN;
    int32_t *codes[MAXL] = {NULL};
    size_t *counts[MAXL] = {NULL}, kl[MAXL] = {0}, kmax = 1;
    int nt = st_context_threads(ctx);
    if (n < 2000) nt = 1;
    if (nt > MAXT) nt = MAXT;
    if (nt < 1) nt = 1;
    sil_job jobs[MAXT];
    memset(jobs, 0, sizeof jobs);
    key_pair *kp = NULL;
    int32_t *joint = NULL, *jcomp = NULL;
    size_t *jend = NULL, *perm = NULL, J = 0, nd = n * d;
    double *xT = NULL, *s = NULL;
    st_status rc = ST_OK;
    for (size_t l = 0; l < L && rc == ST_OK; l++) {
        rc = st__label_encode(ctx, labels[l], n, &codes[l], &kl[l], &counts[l]);
        if (kl[l] > kmax) kmax = kl[l];
    }
    if (rc) goto done;
    kp = st__malloc(ctx, n * sizeof *kp);
    joint = st__malloc(ctx, n * sizeof *joint);
    perm = st__malloc(ctx, n * sizeof *perm);
    xT = st__malloc(ctx, nd * sizeof *xT);
    s = st__malloc(ctx, n * L * sizeof *s);
    if (!kp || !joint || !perm || !xT || !s) goto oom;
    /* Joint codes, one labelling at a time: key = joint so far * k_l + code (below n * n). */
    for (size_t i = 0; i < n; i++) joint[i] = 0;
    size_t jk = 1;
    for (size_t l = 0; l < L; l++) {
        for (size_t i = 0; i < n; i++) {
            kp[i].key = (uint64_t)joint[i] * kl[l] + (uint64_t)codes[l][i];
            kp[i].i = i;
        }
        qsort(kp, n, sizeof *kp, cmp_key);
        jk = 0;
        for (size_t q = 0; q < n; q++) {
            if (q > 0 && kp[q].key != kp[q - 1].key) jk++;
            joint[kp[q].i] = (int32_t)jk;
        }
        jk++;
    }
    J = jk;
    /* After the last pass kp is in joint order (ties by row): that is the row order. */
    jend = st__calloc(ctx, J, sizeof *jend);
    jcomp = st__malloc(ctx, J * L * sizeof *jcomp);
    if (!jend || !jcomp) goto oom;
    for (size_t q = 0; q < n; q++) {
        size_t i = kp[q].i;
        perm[q] = i;
        jend[joint[i]] = q + 1;
        for (size_t l = 0; l < L; l++) jcomp[(size_t)joint[i] * L + l] = codes[l][i];
        for (size_t c = 0; c < d; c++) xT[c * n + q] = x[i * d + c];
    }
    for (size_t q = 0; q < n; q++) kp[q].key = (uint64_t)joint[perm[q]];
    for (size_t q = 0; q < n; q++) joint[q] = (int32_t)kp[q].key; /* now by sorted position */
    for (size_t l = 0; l < L; l++)
        if (kl[l] < 2 || kl[l] > n - 1) kl[l] = 0; /* not scored: NaN */
#if defined(ST__SIL_AVX)
    int avx = __builtin_cpu_supports("avx");
#else
    int avx = 0;
#endif
    /* A block's run sums stay within 256 KB however many joint clusters there are. */
    size_t rpb = (size_t)32768 / J;
    rpb = rpb < 1 ? 1 : rpb > SIL_BLOCK ? SIL_BLOCK : rpb;
    for (int t = 0; t < nt; t++) {
        double *mem = st__malloc(ctx, (rpb * J + kmax) * sizeof *mem);
        if (!mem) goto oom;
        jobs[t] = (sil_job){xT, n, d, J, L, jend, jcomp, (const size_t *const *)counts, kl, joint, rpb, avx, t, nt,
                            mem, mem + rpb * J, s};
    }
    st__seg_parallel(nt, sil_worker, jobs, sizeof jobs[0]);
    for (size_t l = 0; l < L; l++) {
        if (kl[l] == 0) continue;
        double total = 0;
        for (size_t q = 0; q < n; q++) total += s[q * L + l];
        scores[l] = total / (double)n;
    }
    if (samples)
        for (size_t q = 0; q < n; q++) samples[perm[q]] = s[q * L];
    goto done;
oom:
    rc = st__error(ctx, ST_ENOMEM, "silhouette: out of memory (%zu samples)", n);
done:
    for (int t = 0; t < nt; t++) st__free(ctx, jobs[t].run, 0);
    for (size_t l = 0; l < L; l++) {
        st__free(ctx, codes[l], n * sizeof(int32_t));
        st__free(ctx, counts[l], 0);
    }
    st__free(ctx, kp, n * sizeof *kp);
    st__free(ctx, joint, n * sizeof *joint);
    st__free(ctx, perm, n * sizeof *perm);
    st__free(ctx, xT, nd * sizeof *xT);
    st__free(ctx, s, n * L * sizeof *s);
    st__free(ctx, jend, J * sizeof *jend);
    st__free(ctx, jcomp, J * L * sizeof *jcomp);
    return rc;
}

st_status st_metric_silhouette(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *labels,
                        double *score, double *samples)
{
    int32_t *codes;
    size_t k, *counts;
    st_status rc = prepare(ctx, "silhouette", x, n, d, labels, score, &codes, &k, &counts);
    if (rc) return rc;
    st__free(ctx, codes, n * sizeof *codes);
    st__free(ctx, counts, k * sizeof *counts);
    size_t nd;
    if (!st__mul_ok(n, d, &nd) || nd > SIZE_MAX / sizeof(double) / 2)
        return st__error(ctx, ST_ENOMEM, "silhouette: data size overflows");
    return st__silhouette_multi(ctx, x, n, d, &labels, 1, score, samples);
}

st_status st_metric_davies_bouldin(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *labels,
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

st_status st_metric_calinski_harabasz(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *labels,
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

st_status st_metrics_to_json(st_context *ctx, double silhouette, double davies_bouldin,
                             double calinski_harabasz, size_t rows, char **out, size_t *len)
{
    if (!out) return st__error(ctx, ST_EINVAL, "st_metrics_to_json: NULL argument");
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__jw_begin_object_inline(&w);
    st__jw_kv_num(&w, "silhouette", silhouette);
    st__jw_kv_num(&w, "davies_bouldin", davies_bouldin);
    st__jw_kv_num(&w, "calinski_harabasz", calinski_harabasz);
    st__jw_kv_int(&w, "rows", (long long)rows);
    st__jw_end_object(&w);
    return st__jw_finish(&w, "st_metrics_to_json", out, len);
}
