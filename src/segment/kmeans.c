/*
** kmeans.c -- weighted k-means: greedy k-means++ seeding and Lloyd iterations as scikit-learn runs them,
** with the assignment step split over threads in fixed chunks whose partial sums are merged in chunk
** order, so results are bit-identical whatever the thread count.
*/
#include "segment/segment.h"
#include "core/rng.h"

#include <math.h>
#include <string.h>

void st_kmeans_options_init(st_kmeans_options *opts)
{
    if (!opts) return;
    opts->k = 5;
    opts->n_init = 3;
    opts->max_iter = 300;
    opts->tol = 1e-4;
    opts->seed = 42;
}

enum { CHUNK = 4096 };

typedef struct {
    const double *x, *w, *centers;
    size_t n, d, k, nchunks;
    int tid, nt;
    int32_t *labels;
    double *dist2;    /* n: squared distance of each point to its centre */
    double *partial;  /* nchunks * (k*d + k + 2): per-chunk sums, weights, inertia, changes */
} assign_job;

static void assign_worker(void *p)
{
    assign_job *J = p;
    size_t d = J->d, k = J->k, stride = k * d + k + 2;
    for (size_t c = (size_t)J->tid; c < J->nchunks; c += (size_t)J->nt) {
        double *ps = J->partial + c * stride, *pw = ps + k * d;
        memset(ps, 0, stride * sizeof *ps);
        size_t i0 = c * CHUNK, i1 = i0 + CHUNK < J->n ? i0 + CHUNK : J->n;
        double inertia = 0, changes = 0;
        for (size_t i = i0; i < i1; i++) {
            const double *xi = J->x + i * d;
            size_t best = 0;
            double bd = INFINITY;
            for (size_t l = 0; l < k; l++) {
                double s = st__dist2(xi, J->centers + l * d, d);
                if (s < bd) {
                    bd = s;
                    best = l;
                }
            }
            double wi = J->w ? J->w[i] : 1.0;
            if ((size_t)J->labels[i] != best) changes += 1;
            J->labels[i] = (int32_t)best;
            J->dist2[i] = bd;
            inertia += wi * bd;
            double *cs = ps + best * d;
            for (size_t j = 0; j < d; j++) cs[j] += wi * xi[j];
            pw[best] += wi;
        }
        pw[k] = inertia;
        pw[k + 1] = changes;
    }
}

typedef struct {
    st_context *ctx;
    const double *x, *w;
    size_t n, d, k, nchunks;
    int nt;
    int32_t *labels;
    double *dist2, *partial, *sums;
} km_state;

/* One E-step with the given centres, then the merged per-cluster sums (k*d), weights (k), inertia and the
** number of changed labels, all summed in chunk order. */
static void assign(km_state *S, const double *centers, double *inertia, double *changes)
{
    assign_job jobs[16];
    for (int t = 0; t < S->nt; t++)
        jobs[t] = (assign_job){S->x, S->w, centers, S->n, S->d, S->k, S->nchunks, t, S->nt,
                               S->labels, S->dist2, S->partial};
    st__seg_parallel(S->nt, assign_worker, jobs, sizeof jobs[0]);
    size_t stride = S->k * S->d + S->k + 2;
    memset(S->sums, 0, (S->k * S->d + S->k) * sizeof *S->sums);
    double in = 0, ch = 0;
    for (size_t c = 0; c < S->nchunks; c++) {
        const double *ps = S->partial + c * stride;
        for (size_t q = 0; q < S->k * S->d + S->k; q++) S->sums[q] += ps[q];
        in += ps[S->k * S->d + S->k];
        ch += ps[S->k * S->d + S->k + 1];
    }
    *inertia = in;
    *changes = ch;
}

typedef struct {
    const double *x, *w, *cands, *cd;
    size_t n, d, nchunks;
    int ntr, tid, nt;
    double *nd;  /* ntr * n: min(cd, distance to candidate t) */
    double *pot; /* nchunks * ntr: per-chunk potentials */
} pp_job;

static void pp_worker(void *p)
{
    pp_job *J = p;
    size_t n = J->n, d = J->d;
    for (size_t c = (size_t)J->tid; c < J->nchunks; c += (size_t)J->nt) {
        size_t i0 = c * CHUNK, i1 = i0 + CHUNK < n ? i0 + CHUNK : n;
        for (int t = 0; t < J->ntr; t++) {
            const double *ct = J->cands + (size_t)t * d;
            double *nd = J->nd + (size_t)t * n, pot = 0;
            for (size_t i = i0; i < i1; i++) {
                double v = st__dist2(J->x + i * d, ct, d);
                v = v < J->cd[i] ? v : J->cd[i];
                nd[i] = v;
                pot += (J->w ? J->w[i] : 1.0) * v;
            }
            J->pot[c * (size_t)J->ntr + (size_t)t] = pot;
        }
    }
}

static size_t sample_cum(st_rng *g, const double *cum, size_t n)
{
    double u = st__rng_uniform(g) * cum[n - 1];
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] < u) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* Greedy k-means++ (Arthur & Vassilvitskii, with scikit-learn's 2 + ln k local trials): each new centre
** is the candidate, drawn with probability proportional to w D^2, that lowers the potential most. The
** candidates of one step are scored in one threaded pass over fixed chunks (sums in chunk order). */
static void kmeanspp(km_state *S, st_rng *g, double *centers, double *cd, double *cum, double *nd,
                     double *pot, double *cands)
{
    size_t n = S->n, d = S->d, k = S->k;
    const double *x = S->x, *w = S->w;
    double run = 0;
    for (size_t i = 0; i < n; i++) {
        run += w ? w[i] : 1.0;
        cum[i] = run;
    }
    memcpy(centers, x + sample_cum(g, cum, n) * d, d * sizeof *centers);
    for (size_t i = 0; i < n; i++) cd[i] = INFINITY;
    int trials = 2 + (int)log((double)k);
    pp_job jobs[16];
    /* First pass: one "candidate", the first centre, turns cd from +inf into distances. */
    for (int t = 0; t < S->nt; t++)
        jobs[t] = (pp_job){x, w, centers, cd, n, d, S->nchunks, 1, t, S->nt, nd, pot};
    st__seg_parallel(S->nt, pp_worker, jobs, sizeof jobs[0]);
    memcpy(cd, nd, n * sizeof *cd);
    for (size_t c = 1; c < k; c++) {
        run = 0;
        for (size_t i = 0; i < n; i++) {
            run += (w ? w[i] : 1.0) * cd[i];
            cum[i] = run;
        }
        for (int t = 0; t < trials; t++) {
            /* When every point already sits on a centre any point will do. */
            size_t cand = run > 0 ? sample_cum(g, cum, n) : (size_t)st__rng_below(g, n);
            memcpy(cands + (size_t)t * d, x + cand * d, d * sizeof *cands);
        }
        for (int t = 0; t < S->nt; t++)
            jobs[t] = (pp_job){x, w, cands, cd, n, d, S->nchunks, trials, t, S->nt, nd, pot};
        st__seg_parallel(S->nt, pp_worker, jobs, sizeof jobs[0]);
        int best = 0;
        double best_pot = INFINITY;
        for (int t = 0; t < trials; t++) {
            double p = 0;
            for (size_t q = 0; q < S->nchunks; q++) p += pot[q * (size_t)trials + (size_t)t];
            if (p < best_pot) {
                best_pot = p;
                best = t;
            }
        }
        memcpy(centers + c * d, cands + (size_t)best * d, d * sizeof *centers);
        memcpy(cd, nd + (size_t)best * n, n * sizeof *cd);
    }
}

/* Moves each empty cluster onto the point farthest from its centre (not yet used), taking that point's
** weight out of its old cluster, as scikit-learn's _relocate_empty_clusters. */
static void relocate_empty(km_state *S, double *sums, double *wk)
{
    size_t n = S->n, d = S->d, k = S->k;
    for (size_t l = 0; l < k; l++) {
        if (wk[l] > 0) continue;
        size_t far = n;
        double fd = 0;
        for (size_t i = 0; i < n; i++)
            if (S->dist2[i] > fd && (!S->w || S->w[i] > 0)) {
                fd = S->dist2[i];
                far = i;
            }
        if (far == n) return; /* all points sit on centres: nothing to move */
        double wi = S->w ? S->w[far] : 1.0;
        size_t old = (size_t)S->labels[far];
        for (size_t j = 0; j < d; j++) {
            sums[old * d + j] -= wi * S->x[far * d + j];
            sums[l * d + j] = wi * S->x[far * d + j];
        }
        wk[old] -= wi;
        wk[l] = wi;
        S->labels[far] = (int32_t)l;
        S->dist2[far] = 0;
    }
}

st_status st_kmeans_fit(st_context *ctx, const double *x, size_t n, size_t d, const double *w,
                    const st_kmeans_options *opts, double *centers, int32_t *labels, double *inertia,
                    int *n_iter)
{
    if (!opts || !centers) return st__error(ctx, ST_EINVAL, "kmeans: NULL argument");
    st_status rc = st__seg_check_data(ctx, "kmeans", x, n, d);
    if (rc) return rc;
    size_t k = opts->k, npos = 0;
    for (size_t i = 0; i < n; i++) {
        if (w && (!isfinite(w[i]) || w[i] < 0))
            return st__error(ctx, ST_EDATA, "kmeans: weight of row %zu is negative or not finite", i + 1);
        npos += !w || w[i] > 0;
    }
    if (k == 0 || k > npos)
        return st__error(ctx, ST_EDATA, "kmeans: k = %zu but there are %zu points (with positive weight)", k,
                         npos);
    if (opts->n_init < 1 || opts->max_iter < 1 || !(opts->tol >= 0))
        return st__error(ctx, ST_EINVAL, "kmeans: n_init and max_iter must be >= 1 and tol >= 0");
    size_t kd;
    if (!st__mul_ok(k, d, &kd) || kd > SIZE_MAX / 64) return st__error(ctx, ST_ENOMEM, "kmeans: k*d overflows");

    km_state S = {ctx, x, w, n, d, k, (n + CHUNK - 1) / CHUNK, st_context_threads(ctx), NULL, NULL, NULL, NULL};
    if (S.nt > 16) S.nt = 16;
    if (n < 2 * CHUNK) S.nt = 1;
    size_t stride = kd + k + 2;
    S.labels = st__malloc(ctx, n * sizeof *S.labels);
    S.dist2 = st__malloc(ctx, n * sizeof *S.dist2);
    S.partial = st__calloc(ctx, S.nchunks * stride, sizeof *S.partial);
    S.sums = st__calloc(ctx, kd + k, sizeof *S.sums);
    double *cur = st__calloc(ctx, kd, sizeof *cur), *nxt = st__calloc(ctx, kd, sizeof *nxt);
    double *best_c = st__calloc(ctx, kd, sizeof *best_c);
    int32_t *best_l = labels ? st__calloc(ctx, n, sizeof *best_l) : NULL;
    size_t ntr = (size_t)(2 + (int)log((double)k));
    double *cd = st__malloc(ctx, n * sizeof *cd), *cum = st__malloc(ctx, n * sizeof *cum);
    /* Every element of these is written before it is read: no need to zero them. */
    double *nd = ntr <= SIZE_MAX / sizeof(double) / n ? st__malloc(ctx, n * ntr * sizeof *nd) : NULL;
    double *pot = st__calloc(ctx, S.nchunks * ntr, sizeof *pot), *cands = st__calloc(ctx, ntr * d, sizeof *cands);
    if (!S.labels || !S.dist2 || !S.partial || !S.sums || !cur || !nxt || !best_c || (labels && !best_l) || !cd ||
        !cum || !nd || !pot || !cands) {
        rc = st__error(ctx, ST_ENOMEM, "kmeans: out of memory (%zu points)", n);
        goto done;
    }
    /* scikit-learn's tolerance: tol times the mean per-column variance. */
    double tol = 0;
    for (size_t j = 0; j < d; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++) m += x[i * d + j];
        m /= (double)n;
        for (size_t i = 0; i < n; i++) v += (x[i * d + j] - m) * (x[i * d + j] - m);
        tol += v / (double)n;
    }
    tol = opts->tol * tol / (double)d;

    double best_in = INFINITY;
    int best_it = 0;
    for (int r = 0; r < opts->n_init; r++) {
        rc = st__progress(ctx, "kmeans", (double)r / opts->n_init);
        if (rc) goto done;
        st_rng g;
        st__rng_seed_stream(&g, opts->seed, (uint64_t)r);
        kmeanspp(&S, &g, cur, cd, cum, nd, pot, cands);
        for (size_t i = 0; i < n; i++) S.labels[i] = -1;
        double in = 0, ch = 0;
        int it, strict = 0;
        for (it = 0; it < opts->max_iter; it++) {
            assign(&S, cur, &in, &ch);
            double *wk = S.sums + kd;
            relocate_empty(&S, S.sums, wk);
            for (size_t l = 0; l < k; l++)
                for (size_t j = 0; j < d; j++)
                    nxt[l * d + j] = wk[l] > 0 ? S.sums[l * d + j] / wk[l] : cur[l * d + j];
            double shift = 0;
            for (size_t q = 0; q < kd; q++) shift += (nxt[q] - cur[q]) * (nxt[q] - cur[q]);
            double *t = cur;
            cur = nxt;
            nxt = t;
            if (it > 0 && ch == 0) {
                strict = 1;
                it++;
                break;
            }
            if (shift <= tol) {
                it++;
                break;
            }
        }
        /* Labels must belong to the final centres: one more E-step unless nothing moved. */
        if (!strict) assign(&S, cur, &in, &ch);
        else {
            in = 0;
            for (size_t i = 0; i < n; i++) in += (w ? w[i] : 1.0) * S.dist2[i];
        }
        if (in < best_in) {
            best_in = in;
            best_it = it;
            memcpy(best_c, cur, kd * sizeof *cur);
            if (best_l) memcpy(best_l, S.labels, n * sizeof *best_l);
        }
    }
    memcpy(centers, best_c, kd * sizeof *centers);
    if (labels) memcpy(labels, best_l, n * sizeof *labels);
    if (inertia) *inertia = best_in;
    if (n_iter) *n_iter = best_it;
    rc = ST_OK;
done:
    st__free(ctx, S.labels, n * sizeof *S.labels);
    st__free(ctx, S.dist2, n * sizeof *S.dist2);
    st__free(ctx, S.partial, 0);
    st__free(ctx, S.sums, 0);
    st__free(ctx, cur, kd * sizeof *cur);
    st__free(ctx, nxt, kd * sizeof *nxt);
    st__free(ctx, best_c, kd * sizeof *best_c);
    st__free(ctx, best_l, n * sizeof *best_l);
    st__free(ctx, cd, n * sizeof *cd);
    st__free(ctx, cum, n * sizeof *cum);
    st__free(ctx, nd, 0);
    st__free(ctx, pot, 0);
    st__free(ctx, cands, 0);
    return rc;
}
