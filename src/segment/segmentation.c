/*
** segmentation.c -- one segmentation end to end, as `strata segment`, `strata profile` and `strata run` all
** need it: rows with a missing value set aside, scaling, the method (RFM, rfm8, k-means or SOM), segment
** names with one de-duplication rule, and the quality figures with one sampling rule for the silhouette.
*/
#include "segment/segment.h"
#include "core/json.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct st_segmentation {
    st_context *ctx;
    st_segment_method method;
    size_t n, m, k, units;
    int32_t *labels;      /* n */
    char **names;         /* k */
    int32_t *cls;         /* k */
    int32_t *scores;      /* 4 n (rfm) */
    st_som *som;
    int32_t *bmu;         /* n (som) */
    int32_t *unit_labels; /* units (som) */
    st_segment_quality q;
};

void st_segment_options_init(st_segment_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->method = ST_SEGMENT_RFM;
    o->scale = ST_SCALE_ZSCORE;
    o->k = 5;
    o->k_at_most = 0;
    o->n_init = 3;
    o->seed = 42;
    st_som_options_init(&o->som);
    o->som_train_rows = 0;
    o->quality = 1;
    o->silhouette_rows = ST_SILHOUETTE_ROWS;
}

static const char *method_name(st_segment_method m)
{
    return m == ST_SEGMENT_RFM ? "rfm" : m == ST_SEGMENT_RFM8 ? "rfm8" : m == ST_SEGMENT_KMEANS ? "kmeans" : "som";
}

/* The first s of n indices in a seeded partial Fisher-Yates shuffle (idx receives n values). */
static void seeded_sample(size_t *idx, size_t n, size_t s, uint64_t seed, uint64_t stream)
{
    st_rng g;
    if (stream == 0) st__rng_seed(&g, seed);
    else st__rng_seed_stream(&g, seed, stream);
    for (size_t q = 0; q < n; q++) idx[q] = q;
    for (size_t q = 0; q < s; q++) {
        size_t j = q + (size_t)st__rng_below(&g, n - q);
        size_t t = idx[q];
        idx[q] = idx[j];
        idx[j] = t;
    }
}

st_status st_segment_evaluate(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *const *labels,
                              size_t L, size_t silhouette_rows, uint64_t seed, st_segment_quality *q)
{
    enum { MAXL = 8 };
    if (!labels || !q || L == 0 || L > MAXL)
        return st__error(ctx, ST_EINVAL, "segment quality: NULL argument or %zu labellings (1 to 8)", L);
    for (size_t l = 0; l < L; l++)
        if (!labels[l]) return st__error(ctx, ST_EINVAL, "segment quality: NULL labels");
    st_status rc = st__seg_check_data(ctx, "segment quality", x, n, d);
    if (rc) return rc;
    size_t s = silhouette_rows == 0 || n <= silhouette_rows ? n : silhouette_rows;
    int valid[MAXL];
    for (size_t l = 0; l < L; l++) {
        st_segment_quality *ql = &q[l];
        ql->rows = n;
        ql->silhouette_rows = s;
        ql->silhouette = ql->davies_bouldin = ql->calinski_harabasz = (double)NAN;
        ql->inertia = ql->quantization_error = ql->topographic_error = (double)NAN;
        int32_t *codes;
        size_t k;
        if ((rc = st__label_encode(ctx, labels[l], n, &codes, &k, NULL)) != ST_OK)
            return st__error(ctx, ST_ENOMEM, "segment quality: out of memory");
        st__free(ctx, codes, n * sizeof *codes);
        ql->k = k;
        valid[l] = k >= 2 && k <= n - 1;
        if (!valid[l]) continue;
        if ((rc = st_metric_davies_bouldin(ctx, x, n, d, labels[l], &ql->davies_bouldin)) != ST_OK ||
            (rc = st_metric_calinski_harabasz(ctx, x, n, d, labels[l], &ql->calinski_harabasz)) != ST_OK)
            return rc == ST_ENOMEM ? st__error(ctx, ST_ENOMEM, "segment quality: out of memory") : rc;
    }
    /* The silhouette: every row up to the sample size, else a seeded sample shared by all labellings. */
    size_t *idx = NULL;
    double *xs = NULL, sc[MAXL];
    int32_t *ls[MAXL] = {NULL};
    const int32_t *lp[MAXL];
    if (s < n) {
        idx = st__malloc(ctx, n * sizeof *idx);
        xs = st__malloc(ctx, s * d * sizeof *xs);
        if (!idx || !xs) goto oom;
        seeded_sample(idx, n, s, seed, 0);
        for (size_t r = 0; r < s; r++) memcpy(xs + r * d, x + idx[r] * d, d * sizeof *xs);
        for (size_t l = 0; l < L; l++) {
            if (!(ls[l] = st__malloc(ctx, s * sizeof *ls[l]))) goto oom;
            for (size_t r = 0; r < s; r++) ls[l][r] = labels[l][idx[r]];
            lp[l] = ls[l];
        }
    } else {
        for (size_t l = 0; l < L; l++) lp[l] = labels[l];
    }
    rc = st__silhouette_multi(ctx, s < n ? xs : x, s, d, lp, L, sc, NULL);
    for (size_t l = 0; rc == ST_OK && l < L; l++)
        if (valid[l]) q[l].silhouette = sc[l];
    goto done;
oom:
    rc = st__error(ctx, ST_ENOMEM, "segment quality: out of memory");
done:
    st__free(ctx, idx, n * sizeof *idx);
    st__free(ctx, xs, 0);
    for (size_t l = 0; l < L; l++) st__free(ctx, ls[l], 0);
    return rc;
}

void st_segmentation_free(st_segmentation *s)
{
    if (!s) return;
    st_context *ctx = s->ctx;
    if (s->names)
        for (size_t g = 0; g < s->k; g++) st__free(ctx, s->names[g], 0);
    st__free(ctx, s->names, s->k * sizeof *s->names);
    st__free(ctx, s->labels, s->n * sizeof *s->labels);
    st__free(ctx, s->cls, s->k * sizeof *s->cls);
    st__free(ctx, s->scores, 0);
    st__free(ctx, s->bmu, 0);
    st__free(ctx, s->unit_labels, 0);
    st_som_free(s->som);
    st__free(ctx, s, sizeof *s);
}

/* Names: fixed tables for rfm and rfm8; for clusters the value class of their centroid's R, F, M, and a
** repeated class gets " 2", " 3" in segment order; "Segment i" without R, F, M or for an empty segment. */
static st_status name_segments(st_context *ctx, st_segmentation *s, const int32_t *lab, size_t m,
                               const double *rfm_cols)
{
    char buf[96];
    for (size_t g = 0; g < s->k; g++) s->cls[g] = -1;
    if (rfm_cols && (s->method == ST_SEGMENT_KMEANS || s->method == ST_SEGMENT_SOM)) {
        st_status rc = st_segment_classes(ctx, lab, m, s->k, rfm_cols, rfm_cols + m, rfm_cols + 2 * m, s->cls);
        if (rc) return rc;
    }
    for (size_t g = 0; g < s->k; g++) {
        if (s->method == ST_SEGMENT_RFM) {
            snprintf(buf, sizeof buf, "%s", st_rfm_segment_name((int)g));
        } else if (s->method == ST_SEGMENT_RFM8) {
            snprintf(buf, sizeof buf, "%s", st_rfm8_name((int)g));
        } else if (s->cls[g] < 0) {
            snprintf(buf, sizeof buf, "Segment %zu", g);
        } else {
            int dup = 1;
            for (size_t q = 0; q < g; q++) dup += s->cls[q] == s->cls[g];
            if (dup > 1) snprintf(buf, sizeof buf, "%s %d", st_value_segment_name(s->cls[g]), dup);
            else snprintf(buf, sizeof buf, "%s", st_value_segment_name(s->cls[g]));
        }
        if (!(s->names[g] = st__strdup(ctx, buf))) return ST_ENOMEM;
    }
    return ST_OK;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* SOM: train (on a seeded sample when asked), map every row, cluster the codebook by hits. */
static st_status run_som(st_context *ctx, st_segmentation *s, const double *xz, size_t m, size_t d,
                         const st_segment_options *o, int32_t *lab, size_t *k)
{
    st_som_options so = o->som;
    so.seed = o->seed;
    size_t mt = o->som_train_rows && o->som_train_rows < m ? o->som_train_rows : m;
    size_t *idx = NULL;
    double *xt = NULL, *hits = NULL;
    int32_t *bmu = NULL;
    st_status rc = ST_OK;
    if (mt < m) {
        idx = st__malloc(ctx, m * sizeof *idx);
        xt = st__malloc(ctx, mt * d * sizeof *xt);
        if (!idx || !xt) goto oom;
        seeded_sample(idx, m, mt, o->seed, 1);
        qsort(idx, mt, sizeof *idx, cmp_size);
        for (size_t r = 0; r < mt; r++) memcpy(xt + r * d, xz + idx[r] * d, d * sizeof *xt);
    }
    if ((rc = st_som_train(ctx, mt < m ? xt : xz, mt, d, &so, &s->som)) != ST_OK) goto done;
    s->units = st_som_units(s->som);
    bmu = st__malloc(ctx, m * sizeof *bmu);
    hits = st__calloc(ctx, s->units, sizeof *hits);
    s->unit_labels = st__malloc(ctx, s->units * sizeof *s->unit_labels);
    if (!bmu || !hits || !s->unit_labels) goto oom;
    if ((rc = st__som_map(ctx, s->som, xz, m, bmu, &s->q.quantization_error, &s->q.topographic_error)) != ST_OK)
        goto done;
    size_t hit = 0;
    for (size_t i = 0; i < m; i++) hits[bmu[i]] += 1;
    for (size_t u = 0; u < s->units; u++) hit += hits[u] > 0;
    if (o->k_at_most && *k > hit) *k = hit;
    if ((rc = st__som_cluster_hits(ctx, s->som, hits, *k, o->seed, s->unit_labels)) != ST_OK) goto done;
    for (size_t i = 0; i < m; i++) lab[i] = s->unit_labels[bmu[i]];
    s->bmu = (int32_t *)bmu; /* re-spread to n rows by the caller */
    bmu = NULL;
    goto done;
oom:
    rc = st__error(ctx, ST_ENOMEM, "segment: out of memory");
done:
    st__free(ctx, idx, 0);
    st__free(ctx, xt, 0);
    st__free(ctx, hits, 0);
    st__free(ctx, bmu, 0);
    return rc;
}

st_status st_segment_run(st_context *ctx, const double *x, size_t n, size_t d, const st_segment_options *o,
                         st_segmentation **out)
{
    if (!out || !o || !x) return st__error(ctx, ST_EINVAL, "segment: NULL argument");
    *out = NULL;
    if (n == 0 || d == 0) return st__error(ctx, ST_EINVAL, "segment: empty data (%zu x %zu)", n, d);
    size_t nd;
    if (!st__mul_ok(n, d, &nd) || nd > SIZE_MAX / sizeof(double) / 2)
        return st__error(ctx, ST_ENOMEM, "segment: data size overflows");
    if ((unsigned)o->method > ST_SEGMENT_SOM || (unsigned)o->scale > ST_SCALE_ZSCORE)
        return st__error(ctx, ST_EINVAL, "segment: unknown method or scale");
    int rfmish = o->method == ST_SEGMENT_RFM || o->method == ST_SEGMENT_RFM8;
    if (rfmish && d != 3)
        return st__error(ctx, ST_EINVAL, "segment: %s needs exactly three features: R (days), F, M",
                         method_name(o->method));
    if (!rfmish && (o->k == 0 || (o->method == ST_SEGMENT_KMEANS && o->n_init < 1)))
        return st__error(ctx, ST_EINVAL, "segment: k and n_init must be positive");
    st_segmentation *s = st__calloc(ctx, 1, sizeof *s);
    if (!s) return st__error(ctx, ST_ENOMEM, "segment: out of memory");
    s->ctx = ctx;
    s->method = o->method;
    s->n = n;
    s->q.silhouette = s->q.davies_bouldin = s->q.calinski_harabasz = (double)NAN;
    s->q.inertia = s->q.quantization_error = s->q.topographic_error = (double)NAN;
    size_t *keep = st__malloc(ctx, n * sizeof *keep), m = 0;
    const double *xs = NULL;
    double *xcopy = NULL, *xz = NULL, *cols = NULL;
    int32_t *lab = NULL, *sc = NULL;
    st_status rc = ST_OK;
    s->labels = st__malloc(ctx, n * sizeof *s->labels);
    if (!keep || !s->labels) goto oom;
    for (size_t i = 0; i < n; i++) {
        bool ok = true;
        for (size_t j = 0; j < d; j++) ok = ok && isfinite(x[i * d + j]);
        if (ok) keep[m++] = i;
    }
    s->m = m;
    if (m == 0) {
        rc = st__error(ctx, ST_EEMPTY, "no row has a value in every feature column");
        goto done;
    }
    /* Copies only when needed: the rows with every value (all of them, usually), scaled features only for
    ** clustering or the metrics, and R, F, M as columns for the rfm functions and cluster names. */
    if (m < n) {
        if (!(xcopy = st__malloc(ctx, m * d * sizeof *xcopy))) goto oom;
        for (size_t i = 0; i < m; i++) memcpy(xcopy + i * d, x + keep[i] * d, d * sizeof *xcopy);
    }
    xs = m < n ? xcopy : x;
    lab = st__malloc(ctx, m * sizeof *lab);
    cols = d >= 3 ? st__malloc(ctx, m * 3 * sizeof *cols) : NULL;
    if (!lab || (d >= 3 && !cols)) goto oom;
    if (cols)
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < 3; j++) cols[j * m + i] = xs[i * d + j];
    if (o->scale != ST_SCALE_NONE && (!rfmish || o->quality)) {
        if (!(xz = st__malloc(ctx, m * d * sizeof *xz))) goto oom;
        if ((rc = st_scale_columns(ctx, xs, m, d, o->scale, xz)) != ST_OK) goto done;
    }
    const double *xf = xz ? xz : xs; /* the features clustering and the metrics see */
    size_t k = o->k;
    switch (o->method) {
    case ST_SEGMENT_RFM:
        k = ST_RFM_OTHERS + 1;
        sc = st__malloc(ctx, 3 * m * sizeof *sc);
        s->scores = st__calloc(ctx, 4 * n, sizeof *s->scores);
        if (!sc || !s->scores) goto oom;
        if ((rc = st_rfm_scores(ctx, cols, cols + m, cols + 2 * m, m, sc, sc + m, sc + 2 * m)) != ST_OK) goto done;
        for (size_t i = 0; i < m; i++) {
            int32_t r = sc[i], f = sc[m + i], mm = sc[2 * m + i];
            lab[i] = (int32_t)st_rfm_segment(r, f, mm);
            s->scores[keep[i]] = r;
            s->scores[n + keep[i]] = f;
            s->scores[2 * n + keep[i]] = mm;
            s->scores[3 * n + keep[i]] = 100 * r + 10 * f + mm;
        }
        break;
    case ST_SEGMENT_RFM8:
        k = 8;
        if ((rc = st_rfm8_classes(ctx, cols, cols + m, cols + 2 * m, m, lab)) != ST_OK) goto done;
        break;
    case ST_SEGMENT_KMEANS: {
        st_kmeans_options ko;
        st_kmeans_options_init(&ko);
        ko.k = k;
        ko.n_init = o->n_init;
        ko.seed = o->seed;
        double *cent = st__malloc(ctx, k * d * sizeof *cent);
        if (!cent) goto oom;
        rc = st_kmeans_fit(ctx, xf, m, d, NULL, &ko, cent, lab, &s->q.inertia, NULL);
        st__free(ctx, cent, k * d * sizeof *cent);
        if (rc) goto done;
        break;
    }
    case ST_SEGMENT_SOM: {
        if ((rc = run_som(ctx, s, xf, m, d, o, lab, &k)) != ST_OK) goto done;
        int32_t *b = st__malloc(ctx, n * sizeof *b);
        if (!b) goto oom;
        for (size_t i = 0; i < n; i++) b[i] = -1;
        for (size_t i = 0; i < m; i++) b[keep[i]] = s->bmu[i];
        st__free(ctx, s->bmu, 0);
        s->bmu = b;
        break;
    }
    }
    s->k = k;
    s->names = st__calloc(ctx, k, sizeof *s->names);
    s->cls = st__malloc(ctx, k * sizeof *s->cls);
    if (!s->names || !s->cls) goto oom;
    if ((rc = name_segments(ctx, s, lab, m, cols)) != ST_OK) goto done;
    for (size_t i = 0; i < n; i++) s->labels[i] = -1;
    for (size_t i = 0; i < m; i++) s->labels[keep[i]] = lab[i];
    s->q.rows = m;
    if (o->quality) {
        st_segment_quality q;
        const int32_t *lp = lab;
        if ((rc = st_segment_evaluate(ctx, xf, m, d, &lp, 1, o->silhouette_rows, o->seed, &q)) != ST_OK) goto done;
        s->q.k = q.k;
        s->q.silhouette_rows = q.silhouette_rows;
        s->q.silhouette = q.silhouette;
        s->q.davies_bouldin = q.davies_bouldin;
        s->q.calinski_harabasz = q.calinski_harabasz;
    } else {
        /* Only the number of segments present. */
        unsigned char *seen = st__calloc(ctx, k, 1);
        if (!seen) goto oom;
        for (size_t i = 0; i < m; i++) seen[lab[i]] = 1;
        for (size_t g = 0; g < k; g++) s->q.k += seen[g];
        st__free(ctx, seen, k);
    }
    goto done;
oom:
    rc = st__error(ctx, ST_ENOMEM, "segment: out of memory");
done:
    st__free(ctx, keep, n * sizeof *keep);
    st__free(ctx, xz, 0);
    st__free(ctx, xcopy, 0);
    st__free(ctx, cols, 0);
    st__free(ctx, lab, 0);
    st__free(ctx, sc, 0);
    if (rc) {
        st_segmentation_free(s);
        /* some building blocks report a failed allocation by status alone */
        return rc == ST_ENOMEM ? st__error(ctx, ST_ENOMEM, "segment: out of memory") : rc;
    }
    *out = s;
    return ST_OK;
}

st_segment_method st_segmentation_method(const st_segmentation *s) { return s ? s->method : ST_SEGMENT_RFM; }
size_t st_segmentation_rows(const st_segmentation *s) { return s ? s->n : 0; }
size_t st_segmentation_segmented(const st_segmentation *s) { return s ? s->m : 0; }
size_t st_segmentation_k(const st_segmentation *s) { return s ? s->k : 0; }
const int32_t *st_segmentation_labels(const st_segmentation *s) { return s ? s->labels : NULL; }

const char *st_segmentation_name(const st_segmentation *s, long id)
{
    if (!s) return NULL;
    if (id == -1) return "No purchase";
    return id >= 0 && (size_t)id < s->k ? s->names[id] : NULL;
}

int st_segmentation_class(const st_segmentation *s, size_t id) { return s && id < s->k ? s->cls[id] : -1; }

const int32_t *st_segmentation_scores(const st_segmentation *s, int which)
{
    return s && s->scores && which >= 0 && which < 4 ? s->scores + (size_t)which * s->n : NULL;
}

const st_som *st_segmentation_som(const st_segmentation *s) { return s ? s->som : NULL; }
const int32_t *st_segmentation_bmu(const st_segmentation *s) { return s ? s->bmu : NULL; }
const int32_t *st_segmentation_unit_labels(const st_segmentation *s) { return s ? s->unit_labels : NULL; }
const st_segment_quality *st_segmentation_quality(const st_segmentation *s) { return s ? &s->q : NULL; }

st_status st_segmentation_to_json(st_context *ctx, const st_segmentation *s, char **out, size_t *len)
{
    if (!s || !out) return st__error(ctx, ST_EINVAL, "segmentation json: NULL argument");
    *out = NULL;
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    const st_segment_quality *q = &s->q;
    st__jw_begin_object(&w);
    st__jw_kv_str(&w, "method", method_name(s->method));
    st__jw_kv_int(&w, "rows", (long long)s->n);
    st__jw_kv_int(&w, "rows_segmented", (long long)s->m);
    st__jw_kv_int(&w, "k", (long long)q->k);
    st__jw_kv_num(&w, "silhouette", q->silhouette);
    st__jw_kv_int(&w, "silhouette_rows", (long long)q->silhouette_rows);
    st__jw_kv_num(&w, "davies_bouldin", q->davies_bouldin);
    st__jw_kv_num(&w, "calinski_harabasz", q->calinski_harabasz);
    if (s->method == ST_SEGMENT_KMEANS) st__jw_kv_num(&w, "inertia", q->inertia);
    if (s->method == ST_SEGMENT_SOM) {
        st__jw_kv_num(&w, "quantization_error", q->quantization_error);
        st__jw_kv_num(&w, "topographic_error", q->topographic_error);
    }
    st__jw_end_object(&w);
    return st__jw_finish(&w, "segmentation json", out, len);
}

void st_segmentation_json_free(st_context *ctx, char *json) { st__free(ctx, json, 0); }
