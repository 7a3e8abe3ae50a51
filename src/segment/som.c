/*
** som.c -- the improved self-organising map of seed 002: exponentially decaying learning rate and Gaussian
** neighbourhood radius (with a floor), rectangular or hexagonal grids, online or batch training; then
** quality (quantization and topographic error), the U-matrix, and the codebook clustered into K segments.
*/
#include "segment/segment.h"
#include "core/rng.h"

#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The hot loops are also built for AVX2 and picked at run time (GCC on x86-64 Linux). They are elementwise
** over units, with every sum over columns in a fixed order and no fused multiply-add, so both builds give
** the same bits. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && defined(__linux__)
#define ST__SOM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ST__SOM_CLONES
#endif

struct st_som {
    st_context *ctx;
    size_t rows, cols, units, d;
    st_som_topology topology;
    double *code; /* units * d */
    double *gx, *gy;
};

void st_som_options_init(st_som_options *o)
{
    if (!o) return;
    o->rows = 10;
    o->cols = 10;
    o->topology = ST_SOM_HEX;
    o->training = ST_SOM_ONLINE;
    o->epochs = 20;
    o->lambda0 = 0.5;
    o->sigma0 = 0;
    o->sigma_min = 0.5;
    o->time_constant = 0;
    o->seed = 42;
}

void st_som_free(st_som *som)
{
    if (!som) return;
    st_context *ctx = som->ctx;
    st__free(ctx, som->code, som->units * som->d * sizeof(double));
    st__free(ctx, som->gx, som->units * sizeof(double));
    st__free(ctx, som->gy, som->units * sizeof(double));
    st__free(ctx, som, sizeof *som);
}

size_t st_som_units(const st_som *som) { return som ? som->units : 0; }
size_t st_som_dim(const st_som *som) { return som ? som->d : 0; }
const double *st_som_codebook(const st_som *som) { return som ? som->code : NULL; }

void st_som_unit_xy(const st_som *som, size_t u, double *gx, double *gy)
{
    if (!som || u >= som->units) return;
    if (gx) *gx = som->gx[u];
    if (gy) *gy = som->gy[u];
}

static double grid_d2(const st_som *s, size_t a, size_t b)
{
    double dx = s->gx[a] - s->gx[b], dy = s->gy[a] - s->gy[b];
    return dx * dx + dy * dy;
}

/* Grid neighbours: the 6 at distance 1 on hex grids, the 8 within sqrt(2) on rectangular ones (MiniSom's
** convention for the topographic error and the distance map). */
static int adjacent(const st_som *s, size_t a, size_t b)
{
    double lim = s->topology == ST_SOM_HEX ? 1.0 + 1e-9 : 2.0 + 1e-9;
    return a != b && grid_d2(s, a, b) <= lim;
}

/* Index of the smallest of v[0..n-1], the lowest one on ties. The minimum comes first from two-lane
** minpd accumulators (no serial compare chain), then one predictable scan finds its first position. */
static size_t argmin_first(const double *v, size_t n)
{
    double m = v[0];
#if defined(__SSE2__)
    if (n >= 4) {
        __m128d a = _mm_loadu_pd(v), b = _mm_loadu_pd(v + 2);
        size_t i = 4;
        for (; i + 4 <= n; i += 4) {
            a = _mm_min_pd(a, _mm_loadu_pd(v + i));
            b = _mm_min_pd(b, _mm_loadu_pd(v + i + 2));
        }
        a = _mm_min_pd(a, b);
        double lanes[2];
        _mm_storeu_pd(lanes, a);
        m = lanes[0] < lanes[1] ? lanes[0] : lanes[1];
        for (; i < n; i++) m = v[i] < m ? v[i] : m;
    } else
#endif
    {
        for (size_t i = 1; i < n; i++) m = v[i] < m ? v[i] : m;
    }
    size_t i = 0;
    while (i + 1 < n && v[i] != m) i++;
    return i;
}

/* Best and second-best unit of one row (lowest index on ties; b2 NULL: the best only), over a column-major
** codebook: the distances to all units first (contiguous, vectorised; summed over columns in the same order
** as st__dist2, so the same values), then one scan for the two smallest. */
static void best2_cm(const st_som *s, const double *codeT, const double *xi, double *dist, size_t *b1,
                     double *d1, size_t *b2, double *d2)
{
    size_t U = s->units;
    {
        double v = xi[0];
        for (size_t u = 0; u < U; u++) {
            double t = v - codeT[u];
            dist[u] = t * t;
        }
    }
    for (size_t j = 1; j < s->d; j++) {
        const double *cj = codeT + j * U;
        double v = xi[j];
        for (size_t u = 0; u < U; u++) {
            double t = v - cj[u];
            dist[u] += t * t;
        }
    }
    if (!b2) { /* the best alone: a vectorised minimum, then its first position */
        *b1 = argmin_first(dist, U);
        *d1 = dist[*b1];
        return;
    }
    size_t i1 = 0, i2 = 0;
    double v1 = INFINITY, v2 = INFINITY;
    for (size_t u = 0; u < U; u++) {
        double v = dist[u];
        if (v < v2) {
            if (v < v1) {
                v2 = v1;
                i2 = i1;
                v1 = v;
                i1 = u;
            } else {
                v2 = v;
                i2 = u;
            }
        }
    }
    *b1 = i1;
    *d1 = v1;
    *b2 = i2;
    *d2 = v2;
}

typedef struct {
    const st_som *som;
    const double *x;
    size_t n;
    int tid, nt;
    int32_t *bmu;     /* may be NULL */
    double *qe_chunk; /* per chunk: sum of distances to the BMU (NULL: not wanted) */
    size_t *te_chunk; /* per chunk: rows whose two best units are not adjacent (NULL: not wanted) */
    const double *codeT; /* d x units: the codebook column-major, so one row's distances vectorise */
    double *dist;     /* units: this thread's distances */
} bmu_job;

enum { SOM_CHUNK = 1024 };

ST__SOM_CLONES
static void bmu_worker(void *p)
{
    bmu_job *J = p;
    size_t nchunks = (J->n + SOM_CHUNK - 1) / SOM_CHUNK;
    int want_te = J->te_chunk != NULL;
    for (size_t c = (size_t)J->tid; c < nchunks; c += (size_t)J->nt) {
        size_t i0 = c * SOM_CHUNK, i1 = i0 + SOM_CHUNK < J->n ? i0 + SOM_CHUNK : J->n;
        double q = 0;
        size_t e = 0;
        for (size_t i = i0; i < i1; i++) {
            size_t b1, b2;
            double d1, d2;
            best2_cm(J->som, J->codeT, J->x + i * J->som->d, J->dist, &b1, &d1, want_te ? &b2 : NULL, &d2);
            if (J->bmu) J->bmu[i] = (int32_t)b1;
            q += sqrt(d1);
            if (want_te && J->som->units > 1 && !adjacent(J->som, b1, b2)) e++;
        }
        if (J->qe_chunk) J->qe_chunk[c] = q;
        if (J->te_chunk) J->te_chunk[c] = e;
    }
}

/* BMU of every row and, when asked, the quantization and topographic error, in one pass. Rows go in fixed
** chunks whose sums are added in chunk order: the same bits for any thread count. */
st_status st__som_map(st_context *ctx, const st_som *som, const double *x, size_t n, int32_t *bmu, double *qe,
                      double *te)
{
    int nt = st_context_threads(ctx);
    if (nt > 16) nt = 16;
    if (n < 4 * SOM_CHUNK) nt = 1;
    if (nt < 1) nt = 1;
    size_t nchunks = (n + SOM_CHUNK - 1) / SOM_CHUNK;
    double *qc = qe ? st__malloc(ctx, (nchunks ? nchunks : 1) * sizeof *qc) : NULL;
    size_t *tc = te ? st__malloc(ctx, (nchunks ? nchunks : 1) * sizeof *tc) : NULL;
    if ((qe && !qc) || (te && !tc)) {
        st__free(ctx, qc, 0);
        st__free(ctx, tc, 0);
        return st__error(ctx, ST_ENOMEM, "som: out of memory");
    }
    size_t U = som->units, d = som->d;
    double *work = st__malloc(ctx, U * (d + (size_t)nt) * sizeof *work);
    if (!work) {
        st__free(ctx, qc, 0);
        st__free(ctx, tc, 0);
        return st__error(ctx, ST_ENOMEM, "som: out of memory");
    }
    for (size_t u = 0; u < U; u++)
        for (size_t j = 0; j < d; j++) work[j * U + u] = som->code[u * d + j];
    bmu_job jobs[16];
    for (int t = 0; t < nt; t++)
        jobs[t] = (bmu_job){som, x, n, t, nt, bmu, qc, tc, work, work + U * d + (size_t)t * U};
    st__seg_parallel(nt, bmu_worker, jobs, sizeof jobs[0]);
    st__free(ctx, work, U * (d + (size_t)nt) * sizeof *work);
    double q = 0;
    size_t e = 0;
    for (size_t c = 0; c < nchunks; c++) {
        if (qc) q += qc[c];
        if (tc) e += tc[c];
    }
    if (qe) *qe = q / (double)n;
    if (te) *te = (double)e / (double)n;
    st__free(ctx, qc, nchunks * sizeof *qc);
    st__free(ctx, tc, nchunks * sizeof *tc);
    return ST_OK;
}

st_status st_som_bmu(st_context *ctx, const st_som *som, const double *x, size_t n, int32_t *bmu)
{
    if (!som || !bmu) return st__error(ctx, ST_EINVAL, "som: NULL argument");
    st_status rc = st__seg_check_data(ctx, "som", x, n, som->d);
    if (rc) return rc;
    return st__som_map(ctx, som, x, n, bmu, NULL, NULL);
}

st_status st_som_quality(st_context *ctx, const st_som *som, const double *x, size_t n, double *qe,
                         double *te)
{
    if (!som) return st__error(ctx, ST_EINVAL, "som: NULL argument");
    st_status rc = st__seg_check_data(ctx, "som", x, n, som->d);
    if (rc) return rc;
    double q;
    return st__som_map(ctx, som, x, n, NULL, qe ? qe : &q, te);
}

st_status st_som_umatrix(const st_som *som, double *out)
{
    if (!som || !out) return ST_EINVAL;
    for (size_t u = 0; u < som->units; u++) {
        double s = 0;
        int cnt = 0;
        for (size_t v = 0; v < som->units; v++)
            if (adjacent(som, u, v)) {
                s += sqrt(st__dist2(som->code + u * som->d, som->code + v * som->d, som->d));
                cnt++;
            }
        out[u] = cnt ? s / cnt : 0.0;
    }
    return ST_OK;
}

/* Fills e[0..m-1] with exp(-a j^2), given r = exp(-a), by the recurrence e[j+1] = e[j] r_j,
** r_{j+1} = r_j r^2: no exponential at all; values under floor (and everything after them) become 0. */
static void gauss_table(double *e, size_t m, double r, double floor_h)
{
    double v = 1.0, q = r * r;
    size_t j = 0;
    for (; j < m && v >= floor_h; j++) {
        e[j] = v;
        v *= r;
        r *= q;
    }
    for (; j < m; j++) e[j] = 0;
}

/* Online training. The codebook is kept column-major (d x units) here so both the BMU search and the
** update run over contiguous units and vectorise. The Gaussian is separable on the grid,
** exp(-(dx^2 + dy^2) k) = exp(-dx^2 k) exp(-dy^2 k), with dx in half steps (hex rows are offset by 1/2)
** and dy in whole rows, so a sample needs two small tables instead of one exponential per unit; units
** where h < 1e-8 (nothing visible would move) are left alone, which makes late epochs cheap. */
ST__SOM_CLONES
static st_status train_online(st_context *ctx, st_som *s, const double *x, size_t n, const st_som_options *o,
                              st_rng *g, double sigma0, double T)
{
    size_t d = s->d, R = s->rows, C = s->cols, U = s->units;
    size_t *perm = st__malloc(ctx, n * sizeof *perm);
    double *ex = st__malloc(ctx, (2 * C + 2) * sizeof *ex), *ey = st__malloc(ctx, R * sizeof *ey);
    double *cT = st__malloc(ctx, U * d * sizeof *cT), *hu = st__malloc(ctx, U * sizeof *hu);
    double *dist = st__malloc(ctx, U * sizeof *dist), *hx = st__malloc(ctx, 2 * C * sizeof *hx);
    st_status rc = perm && ex && ey && cT && hu && dist && hx ? ST_OK : ST_ENOMEM;
    int hex = s->topology == ST_SOM_HEX;
    const double floor_h = 1e-8;
    double t = 0;
    if (rc == ST_OK)
        for (size_t u = 0; u < U; u++)
            for (size_t j = 0; j < d; j++) cT[j * U + u] = s->code[u * d + j];
    for (int e = 0; e < o->epochs && rc == ST_OK; e++) {
        rc = st__progress(ctx, "som", (double)e / o->epochs);
        if (rc) break;
        for (size_t i = 0; i < n; i++) perm[i] = i;
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)st__rng_below(g, i);
            size_t tmp = perm[i - 1];
            perm[i - 1] = perm[j];
            perm[j] = tmp;
        }
        for (size_t q = 0; q < n; q++, t += 1) {
            const double *xi = x + perm[q] * d;
            /* Rows come in random order: fetch a few steps ahead, or each step waits on a cache miss. */
            if (q + 8 < n) __builtin_prefetch(x + perm[q + 8] * d);
            double decay = exp(-t / T);
            double lam = o->lambda0 * decay;
            double sig = sigma0 * decay;
            if (sig < o->sigma_min) sig = o->sigma_min;
            double inv = 1.0 / (2 * sig * sig);
            {
                double v = xi[0];
                for (size_t u = 0; u < U; u++) {
                    double tt = cT[u] - v;
                    dist[u] = tt * tt;
                }
            }
            for (size_t j = 1; j < d; j++) {
                const double *cj = cT + j * U;
                double v = xi[j];
                for (size_t u = 0; u < U; u++) {
                    double tt = cj[u] - v;
                    dist[u] += tt * tt;
                }
            }
            size_t b = argmin_first(dist, U);
            size_t rb = b / C, cb = b % C;
            /* one exponential a step: the row factor's exponent is 3 (hex) or 4 (rect) times the column one */
            double r1x = exp(-0.25 * inv), r1x2 = r1x * r1x;
            gauss_table(ex, 2 * C + 2, r1x, floor_h);
            gauss_table(ey, R, hex ? r1x2 * r1x : r1x2 * r1x2, floor_h);
            long twob = 2 * (long)cb + (hex && (rb & 1) ? 1 : 0);
            size_t r0 = rb, r1 = rb;
            while (r0 > 0 && ey[rb - r0 + 1] > 0) r0--;
            while (r1 + 1 < R && ey[r1 + 1 - rb] > 0) r1++;
            /* Horizontal factors for even and odd rows (they differ only on hex grids). */
            for (int par = 0; par < 2; par++)
                for (size_t c = 0; c < C; c++) {
                    long dx2 = 2 * (long)c + (hex ? par : 0) - twob;
                    hx[(size_t)par * C + c] = ex[dx2 < 0 ? -dx2 : dx2];
                }
            for (size_t r = r0; r <= r1; r++) {
                double ev = ey[r > rb ? r - rb : rb - r], hy = ev * lam;
                const double *hr = hx + (r & 1) * C;
                double *hu_r = hu + r * C;
                size_t c = 0;
#if defined(__SSE2__)
                /* The same products and test two units at a time, without a branch per unit. */
                __m128d vev = _mm_set1_pd(ev), vhy = _mm_set1_pd(hy), vfl = _mm_set1_pd(floor_h);
                for (; c + 2 <= C; c += 2) {
                    __m128d h = _mm_loadu_pd(hr + c);
                    __m128d keep = _mm_cmpge_pd(_mm_mul_pd(vev, h), vfl);
                    _mm_storeu_pd(hu_r + c, _mm_and_pd(keep, _mm_mul_pd(vhy, h)));
                }
#endif
                for (; c < C; c++) hu_r[c] = ev * hr[c] < floor_h ? 0.0 : hy * hr[c];
            }
            size_t u0 = r0 * C, u1 = (r1 + 1) * C;
            for (size_t j = 0; j < d; j++) {
                double *cj = cT + j * U;
                double v = xi[j];
                for (size_t u = u0; u < u1; u++) cj[u] += hu[u] * (v - cj[u]);
            }
        }
    }
    if (rc == ST_OK)
        for (size_t u = 0; u < U; u++)
            for (size_t j = 0; j < d; j++) s->code[u * d + j] = cT[j * U + u];
    st__free(ctx, perm, n * sizeof *perm);
    st__free(ctx, ex, (2 * C + 2) * sizeof *ex);
    st__free(ctx, ey, R * sizeof *ey);
    st__free(ctx, cT, U * d * sizeof *cT);
    st__free(ctx, hu, U * sizeof *hu);
    st__free(ctx, dist, U * sizeof *dist);
    st__free(ctx, hx, 2 * C * sizeof *hx);
    return rc;
}

static st_status train_batch(st_context *ctx, st_som *s, const double *x, size_t n, const st_som_options *o,
                             double sigma0, double T)
{
    size_t d = s->d, U = s->units;
    int32_t *bmu = st__malloc(ctx, n * sizeof *bmu);
    double *sum = st__calloc(ctx, U * d, sizeof *sum), *cnt = st__calloc(ctx, U, sizeof *cnt);
    st_status rc = ST_OK;
    if (!bmu || !sum || !cnt) {
        rc = ST_ENOMEM;
        goto done;
    }
    for (int e = 0; e < o->epochs; e++) {
        rc = st__progress(ctx, "som", (double)e / o->epochs);
        if (rc) goto done;
        double sig = sigma0 * exp(-(double)e / T);
        if (sig < o->sigma_min) sig = o->sigma_min;
        double inv = 1.0 / (2 * sig * sig);
        if ((rc = st__som_map(ctx, s, x, n, bmu, NULL, NULL)) != ST_OK) goto done;
        memset(sum, 0, U * d * sizeof *sum);
        memset(cnt, 0, U * sizeof *cnt);
        for (size_t i = 0; i < n; i++) {
            cnt[bmu[i]] += 1;
            for (size_t j = 0; j < d; j++) sum[(size_t)bmu[i] * d + j] += x[i * d + j];
        }
        /* Kohonen's batch map: each unit becomes the neighbourhood-weighted mean of the data. */
        for (size_t u = 0; u < U; u++) {
            double den = 0;
            double *w = s->code + u * d;
            double acc[64];
            double *a = d <= 64 ? acc : NULL;
            if (!a) {
                a = st__calloc(ctx, d, sizeof *a);
                if (!a) {
                    rc = ST_ENOMEM;
                    goto done;
                }
            }
            for (size_t j = 0; j < d; j++) a[j] = 0;
            for (size_t v = 0; v < U; v++) {
                if (cnt[v] == 0) continue;
                double h = exp(-grid_d2(s, u, v) * inv);
                den += h * cnt[v];
                for (size_t j = 0; j < d; j++) a[j] += h * sum[v * d + j];
            }
            if (den > 1e-300)
                for (size_t j = 0; j < d; j++) w[j] = a[j] / den;
            if (a != acc) st__free(ctx, a, d * sizeof *a);
        }
    }
done:
    st__free(ctx, bmu, n * sizeof *bmu);
    st__free(ctx, sum, U * d * sizeof *sum);
    st__free(ctx, cnt, U * sizeof *cnt);
    return rc;
}

st_status st_som_train(st_context *ctx, const double *x, size_t n, size_t d, const st_som_options *o,
                       st_som **out)
{
    if (!out || !o) return st__error(ctx, ST_EINVAL, "som: NULL argument");
    *out = NULL;
    st_status rc = st__seg_check_data(ctx, "som", x, n, d);
    if (rc) return rc;
    size_t U;
    if (o->rows == 0 || o->cols == 0 || !st__mul_ok(o->rows, o->cols, &U) || U > 1000000)
        return st__error(ctx, ST_EINVAL, "som: grid %zux%zu is empty or too large", o->rows, o->cols);
    if (o->epochs < 1 || !(o->lambda0 > 0) || !(o->sigma_min > 0) || !(o->sigma0 >= 0) ||
        !(o->time_constant >= 0) || (o->topology != ST_SOM_RECT && o->topology != ST_SOM_HEX) ||
        (o->training != ST_SOM_ONLINE && o->training != ST_SOM_BATCH))
        return st__error(ctx, ST_EINVAL, "som: epochs, lambda0 and sigma_min must be positive");
    size_t Ud;
    if (!st__mul_ok(U, d, &Ud) || Ud > SIZE_MAX / sizeof(double))
        return st__error(ctx, ST_ENOMEM, "som: codebook size overflows");
    st_som *s = st__calloc(ctx, 1, sizeof *s);
    if (!s) return ST_ENOMEM;
    s->ctx = ctx;
    s->rows = o->rows;
    s->cols = o->cols;
    s->units = U;
    s->d = d;
    s->topology = o->topology;
    s->code = st__malloc(ctx, Ud * sizeof(double));
    s->gx = st__malloc(ctx, U * sizeof(double));
    s->gy = st__malloc(ctx, U * sizeof(double));
    if (!s->code || !s->gx || !s->gy) {
        st_som_free(s);
        return ST_ENOMEM;
    }
    for (size_t r = 0; r < o->rows; r++)
        for (size_t c = 0; c < o->cols; c++) {
            size_t u = r * o->cols + c;
            if (o->topology == ST_SOM_HEX) {
                /* Odd rows shift by 1/2 and rows sit sqrt(3)/2 apart: all six neighbours at distance 1. */
                s->gx[u] = (double)c + (r % 2 ? 0.5 : 0.0);
                s->gy[u] = (double)r * 0.8660254037844386;
            } else {
                s->gx[u] = (double)c;
                s->gy[u] = (double)r;
            }
        }
    st_rng g;
    st__rng_seed(&g, o->seed);
    /* Initial prototypes: random data rows (kohonen's default). */
    for (size_t u = 0; u < U; u++) memcpy(s->code + u * d, x + (size_t)st__rng_below(&g, n) * d, d * sizeof(double));
    double sigma0 = o->sigma0 > 0 ? o->sigma0 : (double)(o->rows > o->cols ? o->rows : o->cols) / 2.0;
    if (sigma0 < o->sigma_min) sigma0 = o->sigma_min;
    double steps = o->training == ST_SOM_ONLINE ? (double)o->epochs * (double)n : (double)o->epochs;
    double T = o->time_constant > 0 ? o->time_constant : steps / fmax(1.0, log(sigma0 / o->sigma_min));
    rc = o->training == ST_SOM_ONLINE ? train_online(ctx, s, x, n, o, &g, sigma0, T)
                                      : train_batch(ctx, s, x, n, o, sigma0, T);
    if (rc) {
        st_som_free(s);
        if (rc == ST_ENOMEM) return st__error(ctx, ST_ENOMEM, "som: out of memory");
        return rc;
    }
    *out = s;
    return ST_OK;
}

st_status st__som_cluster_hits(st_context *ctx, const st_som *som, const double *hits, size_t k, uint64_t seed,
                               int32_t *unit_labels)
{
    size_t hit_units = 0;
    for (size_t u = 0; u < som->units; u++) hit_units += hits[u] > 0;
    if (k == 0 || k > hit_units)
        return st__error(ctx, ST_EDATA, "som cluster: k = %zu but only %zu units are hit; use a smaller k", k,
                         hit_units);
    double *cent = st__calloc(ctx, k * som->d, sizeof *cent);
    if (!cent) return st__error(ctx, ST_ENOMEM, "som cluster: out of memory");
    st_kmeans_options ko;
    st_kmeans_options_init(&ko);
    ko.k = k;
    ko.n_init = 10; /* the codebook is small: restarts are cheap */
    ko.seed = seed;
    st_status rc = st_kmeans_fit(ctx, som->code, som->units, som->d, hits, &ko, cent, unit_labels, NULL, NULL);
    st__free(ctx, cent, k * som->d * sizeof *cent);
    return rc;
}

st_status st_som_cluster(st_context *ctx, const st_som *som, const double *x, size_t n, size_t k,
                         uint64_t seed, int32_t *unit_labels)
{
    if (!som || !unit_labels) return st__error(ctx, ST_EINVAL, "som cluster: NULL argument");
    st_status rc = st__seg_check_data(ctx, "som cluster", x, n, som->d);
    if (rc) return rc;
    int32_t *bmu = st__malloc(ctx, n * sizeof *bmu);
    double *hits = st__calloc(ctx, som->units, sizeof *hits);
    if (!bmu || !hits) {
        rc = st__error(ctx, ST_ENOMEM, "som cluster: out of memory");
        goto done;
    }
    if ((rc = st__som_map(ctx, som, x, n, bmu, NULL, NULL)) != ST_OK) goto done;
    for (size_t i = 0; i < n; i++) hits[bmu[i]] += 1;
    rc = st__som_cluster_hits(ctx, som, hits, k, seed, unit_labels);
done:
    st__free(ctx, bmu, n * sizeof *bmu);
    st__free(ctx, hits, som->units * sizeof *hits);
    return rc;
}
