/*
** stage_segment.c -- the segment stage of `strata run`: classic RFM, the eight-class cube and the
** improved SOM over recency_days, orders and revenue; segment columns on the customer table, per-segment
** profiles in DIR/segments.csv and quality figures in DIR/metrics.json.
*/
#include "pipeline/stage_segment.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SEG_SEED 42
#define SEG_MAX_K 7              /* seed 002 reports seven customer types */
#define SEG_SIL_SAMPLE 20000     /* exact silhouette is O(n^2): above this, a seeded sample */
#define SEG_NAME_CAP 64

typedef struct scheme {
    const char *method;
    int32_t *lab;          /* n labels; -1 for customers without a purchase */
    size_t k;
    char (*names)[SEG_NAME_CAP];
    double sil, db, ch;
} scheme;

/* Quality of one scheme on the (sampled) z-scored rows; NaN when its label count is outside [2, n-1]. */
static st_status quality(st_context *ctx, scheme *s, const double *z, const size_t *rows, size_t ms,
                         int32_t *tmp)
{
    for (size_t q = 0; q < ms; q++) tmp[q] = s->lab[rows[q]];
    s->sil = s->db = s->ch = (double)NAN;
    st_status rc = st_silhouette(ctx, z, ms, 3, tmp, &s->sil, NULL);
    if (rc == ST_EINVAL) {
        st_clear_error(ctx);
        return ST_OK;
    }
    if (rc == ST_OK) rc = st_davies_bouldin(ctx, z, ms, 3, tmp, &s->db);
    if (rc == ST_OK) rc = st_calinski_harabasz(ctx, z, ms, 3, tmp, &s->ch);
    return rc;
}

static bool put_field(st_buf *b, const char *s) { return st__buf_put_csv_field(b, s, strlen(s), ','); }

/* Appends the profile rows of one scheme to the segments.csv buffer; "No purchase" is its own row. */
static st_status profile_rows(st_context *ctx, st_buf *b, const scheme *s, size_t n, const double *R,
                              const double *F, const double *M)
{
    size_t k1 = s->k + 1;
    int32_t *lab = st__malloc(ctx, n * sizeof *lab);
    size_t *count = st__calloc(ctx, k1, sizeof *count);
    double *mean = st__calloc(ctx, k1 * 3, sizeof *mean), *median = st__calloc(ctx, k1 * 3, sizeof *median);
    int32_t *cls = st__calloc(ctx, k1, sizeof *cls);
    st_status rc = lab && count && mean && median && cls ? ST_OK : ST_ENOMEM;
    if (rc == ST_OK) {
        for (size_t i = 0; i < n; i++) lab[i] = s->lab[i] < 0 ? (int32_t)s->k : s->lab[i];
        rc = st_segment_profile(ctx, lab, n, k1, R, F, M, count, mean, median);
    }
    if (rc == ST_OK) rc = st_segment_classes(ctx, lab, n, k1, R, F, M, cls);
    for (size_t g = 0; rc == ST_OK && g < k1; g++) {
        if (count[g] == 0) continue;
        bool ok = put_field(b, s->method) && st__buf_putc(b, ',') &&
                  put_field(b, g < s->k ? s->names[g] : "No purchase") && st__buf_putc(b, ',') &&
                  st__buf_put_double(b, (double)count[g]) && st__buf_putc(b, ',') &&
                  st__buf_put_double(b, (double)count[g] / (double)n);
        for (int c = 0; ok && c < 6; c++)
            ok = st__buf_putc(b, ',') && st__buf_put_double(b, (c % 2 ? median : mean)[g * 3 + (size_t)(c / 2)]);
        ok = ok && st__buf_putc(b, ',') && put_field(b, st_value_segment_strategy(g < s->k ? cls[g] : -1)) &&
             st__buf_putc(b, '\n');
        if (!ok) rc = ST_ENOMEM;
    }
    st__free(ctx, lab, n * sizeof *lab);
    st__free(ctx, count, k1 * sizeof *count);
    st__free(ctx, mean, k1 * 3 * sizeof *mean);
    st__free(ctx, median, k1 * 3 * sizeof *median);
    st__free(ctx, cls, k1 * sizeof *cls);
    return rc;
}

static bool write_quality(st_jw *w, const scheme *s)
{
    return st__jw_key(w, "silhouette") && st__jw_number(w, s->sil) && st__jw_key(w, "davies_bouldin") &&
           st__jw_number(w, s->db) && st__jw_key(w, "calinski_harabasz") && st__jw_number(w, s->ch);
}

/* Adds a string column filled from per-row names (NULL row name = "No purchase"). */
static st_status add_names(st_table *t, const char *col, const scheme *s, size_t n)
{
    st_status rc = st_table_add_str(t, col);
    size_t j = st_table_ncols(t) - 1;
    for (size_t i = 0; rc == ST_OK && i < n; i++)
        rc = st_table_set_str(t, j, i, s->lab[i] < 0 ? "No purchase" : s->names[s->lab[i]]);
    return rc;
}

st_status st__stage_segment(st_stage_env *env)
{
    st_context *ctx = env->ctx;
    st_table *t = env->customers;
    long jr = st_table_find(t, "recency_days"), jf = st_table_find(t, "orders"), jm = st_table_find(t, "revenue");
    if (jr < 0 || jf < 0 || jm < 0 || !st_table_f64(t, (size_t)jr) || !st_table_f64(t, (size_t)jf) ||
        !st_table_f64(t, (size_t)jm))
        return st__stage_skip(env, "segment", "the customer table has no numeric recency_days, orders and revenue");
    size_t n = st_table_nrows(t);
    /* Copies: adding columns may move the table's arrays. */
    double *R = st__malloc(ctx, n * sizeof *R), *F = st__malloc(ctx, n * sizeof *F);
    double *M = st__malloc(ctx, n * sizeof *M);
    size_t *keep = st__malloc(ctx, n * sizeof *keep);
    if (!R || !F || !M || !keep) {
        st__free(ctx, R, 0);
        st__free(ctx, F, 0);
        st__free(ctx, M, 0);
        st__free(ctx, keep, 0);
        return ST_ENOMEM;
    }
    memcpy(R, st_table_f64(t, (size_t)jr), n * sizeof *R);
    memcpy(F, st_table_f64(t, (size_t)jf), n * sizeof *F);
    memcpy(M, st_table_f64(t, (size_t)jm), n * sizeof *M);
    /* Logs without amounts (e.g. Taobao UserBehavior) give revenue 0 everywhere: M is then the order count,
    ** as classic RFM does without a money column. */
    bool no_money = true;
    for (size_t i = 0; i < n && no_money; i++) no_money = !(isfinite(M[i]) && M[i] != 0);
    if (no_money) memcpy(M, F, n * sizeof *M);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(R[i]) && isfinite(F[i]) && isfinite(M[i])) keep[m++] = i;

    st_status rc = ST_OK;
    scheme sc[3] = {{"rfm", NULL, 0, NULL, NAN, NAN, NAN}, {"rfm8", NULL, 0, NULL, NAN, NAN, NAN},
                    {"som", NULL, 0, NULL, NAN, NAN, NAN}};
    int32_t *rs = NULL, *fs = NULL, *ms = NULL, *bmu = NULL, *ul = NULL, *tmp = NULL, *cls = NULL;
    double *x = NULL, *z = NULL, *zs = NULL, *col = NULL, qe = NAN, te = NAN;
    size_t *rows = NULL, msil = 0;
    st_som *som = NULL;
    st_buf csv, js;
    st__buf_init(&csv, ctx);
    st__buf_init(&js, ctx);
    char *p1 = NULL, *p2 = NULL;
    st_som_options so;
    st_som_options_init(&so);
    if (m < 10) {
        rc = st__stage_skip(env, "segment", "fewer than 10 customers with a purchase");
        goto done;
    }

    for (int s = 0; s < 3; s++) {
        sc[s].lab = st__malloc(ctx, n * sizeof(int32_t));
        if (!sc[s].lab) goto oom;
    }
    rs = st__malloc(ctx, n * sizeof *rs);
    fs = st__malloc(ctx, n * sizeof *fs);
    ms = st__malloc(ctx, n * sizeof *ms);
    x = st__malloc(ctx, m * 3 * sizeof *x);
    z = st__malloc(ctx, m * 3 * sizeof *z);
    bmu = st__malloc(ctx, m * sizeof *bmu);
    col = st__malloc(ctx, n * sizeof *col);
    if (!rs || !fs || !ms || !x || !z || !bmu || !col) goto oom;

    /* Classic RFM and the eight-class cube (NaN rows come back as "No purchase"). */
    if ((rc = st_rfm_scores(ctx, R, F, M, n, rs, fs, ms)) != ST_OK) goto done;
    if ((rc = st_rfm8(ctx, R, F, M, n, sc[1].lab)) != ST_OK) goto done;
    sc[0].k = ST_RFM_OTHERS + 1;
    sc[1].k = 8;
    sc[0].names = st__calloc(ctx, sc[0].k, sizeof *sc[0].names);
    sc[1].names = st__calloc(ctx, sc[1].k, sizeof *sc[1].names);
    if (!sc[0].names || !sc[1].names) goto oom;
    for (size_t g = 0; g < sc[0].k; g++) snprintf(sc[0].names[g], SEG_NAME_CAP, "%s", st_rfm_segment_name((int)g));
    for (size_t g = 0; g < sc[1].k; g++) snprintf(sc[1].names[g], SEG_NAME_CAP, "%s", st_rfm8_name((int)g));
    for (size_t i = 0; i < n; i++) {
        int seg = st_rfm_segment(rs[i], fs[i], ms[i]);
        sc[0].lab[i] = seg == ST_RFM_NO_PURCHASE ? -1 : seg;
    }

    /* Improved SOM on z-scored R, F, M; about 5 sqrt(m) units (Vesanto's rule of thumb), side 2 to 10. */
    for (size_t q = 0; q < m; q++) {
        x[q * 3] = R[keep[q]];
        x[q * 3 + 1] = F[keep[q]];
        x[q * 3 + 2] = M[keep[q]];
    }
    if ((rc = st_scale_columns(ctx, x, m, 3, ST_SCALE_ZSCORE, z)) != ST_OK) goto done;
    size_t side = (size_t)ceil(sqrt(5.0 * sqrt((double)m)));
    side = side < 2 ? 2 : side > 10 ? 10 : side;
    so.rows = so.cols = side;
    so.seed = SEG_SEED;
    if ((rc = st_som_train(ctx, z, m, 3, &so, &som)) != ST_OK) goto done;
    ul = st__malloc(ctx, st_som_units(som) * sizeof *ul);
    if (!ul) goto oom;
    if ((rc = st_som_bmu(ctx, som, z, m, bmu)) != ST_OK) goto done;
    {
        /* Never ask for more segments than units that hold customers. */
        size_t hit = 0, U = st_som_units(som);
        for (size_t u = 0; u < U; u++) ul[u] = 0;
        for (size_t q = 0; q < m; q++) ul[bmu[q]] = 1;
        for (size_t u = 0; u < U; u++) hit += (size_t)ul[u];
        sc[2].k = hit < SEG_MAX_K ? hit : SEG_MAX_K;
    }
    if ((rc = st_som_cluster(ctx, som, z, m, sc[2].k, SEG_SEED, ul)) != ST_OK) goto done;
    if ((rc = st_som_quality(ctx, som, z, m, &qe, &te)) != ST_OK) goto done;
    for (size_t i = 0; i < n; i++) sc[2].lab[i] = -1;
    for (size_t q = 0; q < m; q++) sc[2].lab[keep[q]] = ul[bmu[q]];
    cls = st__malloc(ctx, sc[2].k * sizeof *cls);
    sc[2].names = st__calloc(ctx, sc[2].k, sizeof *sc[2].names);
    if (!cls || !sc[2].names) goto oom;
    if ((rc = st_segment_classes(ctx, sc[2].lab, n, sc[2].k, R, F, M, cls)) != ST_OK) goto done;
    for (size_t g = 0; g < sc[2].k; g++) {
        int dup = 1;
        for (size_t q = 0; q < g; q++) dup += cls[q] == cls[g];
        if (dup > 1) snprintf(sc[2].names[g], SEG_NAME_CAP, "%s %d", st_value_segment_name(cls[g]), dup);
        else snprintf(sc[2].names[g], SEG_NAME_CAP, "%s", st_value_segment_name(cls[g]));
    }

    /* Quality on z-scored features: exact up to SEG_SIL_SAMPLE customers, else a seeded sample. */
    msil = m < SEG_SIL_SAMPLE ? m : SEG_SIL_SAMPLE;
    rows = st__malloc(ctx, m * sizeof *rows);
    zs = st__malloc(ctx, msil * 3 * sizeof *zs);
    tmp = st__malloc(ctx, msil * sizeof *tmp);
    if (!rows || !zs || !tmp) goto oom;
    for (size_t q = 0; q < m; q++) rows[q] = q;
    if (msil < m) {
        st_rng g;
        st__rng_seed(&g, SEG_SEED);
        for (size_t q = 0; q < msil; q++) {
            size_t j = q + (size_t)st__rng_below(&g, m - q);
            size_t tt = rows[q];
            rows[q] = rows[j];
            rows[j] = tt;
        }
    }
    for (size_t q = 0; q < msil; q++) {
        memcpy(zs + q * 3, z + rows[q] * 3, 3 * sizeof *zs);
        rows[q] = keep[rows[q]]; /* now a table row, for the labels */
    }
    for (int s = 0; s < 3 && rc == ST_OK; s++) rc = quality(ctx, &sc[s], zs, rows, msil, tmp);
    if (rc) goto done;

    /* Columns. */
    const char *sn[4] = {"r_score", "f_score", "m_score", "rfm_score"};
    for (int c = 0; c < 4 && rc == ST_OK; c++) {
        for (size_t i = 0; i < n; i++) {
            double v = c == 0 ? rs[i] : c == 1 ? fs[i] : c == 2 ? ms[i] : 100.0 * rs[i] + 10.0 * fs[i] + ms[i];
            col[i] = rs[i] > 0 ? v : (double)NAN;
        }
        rc = st_table_add_f64(t, sn[c], ST_COL_F64, col);
    }
    if (rc == ST_OK) rc = add_names(t, "rfm_segment", &sc[0], n);
    if (rc == ST_OK) rc = add_names(t, "rfm8_segment", &sc[1], n);
    if (rc == ST_OK) {
        for (size_t i = 0; i < n; i++) col[i] = sc[2].lab[i] < 0 ? (double)NAN : (double)sc[2].lab[i];
        rc = st_table_add_f64(t, "som_segment_id", ST_COL_F64, col);
    }
    if (rc == ST_OK) rc = add_names(t, "som_segment", &sc[2], n);
    if (rc == ST_OK) {
        for (size_t i = 0; i < n; i++) col[i] = (double)NAN;
        for (size_t q = 0; q < m; q++) col[keep[q]] = (double)bmu[q];
        rc = st_table_add_f64(t, "som_bmu", ST_COL_F64, col);
    }
    if (rc) goto done;

    /* segments.csv */
    if (!st__buf_puts(&csv, "method,segment,count,share,r_mean,r_median,f_mean,f_median,m_mean,m_median,strategy\n"))
        goto oom;
    for (int s = 0; s < 3 && rc == ST_OK; s++) rc = profile_rows(ctx, &csv, &sc[s], n, R, F, M);
    if (rc) goto done;
    p1 = st__path_join(ctx, env->out_dir, "segments.csv");
    if (!p1) goto oom;
    if ((rc = st__write_file_atomic(ctx, p1, csv.data, csv.len)) != ST_OK) goto done;

    /* metrics.json */
    st_jw w;
    st__jw_init(&w, &js, 2);
    bool ok = st__jw_begin_object(&w) && st__jw_key(&w, "features") && st__jw_begin_array(&w) &&
              st__jw_string(&w, "recency_days") && st__jw_string(&w, "orders") && st__jw_string(&w, "revenue") &&
              st__jw_end_array(&w) && st__jw_key(&w, "scale") && st__jw_string(&w, "zscore") &&
              st__jw_key(&w, "customers") && st__jw_int(&w, (long long)m) && st__jw_key(&w, "silhouette_rows") &&
              st__jw_int(&w, (long long)msil);
    for (int s = 0; ok && s < 3; s++) {
        ok = st__jw_key(&w, sc[s].method) && st__jw_begin_object(&w) && write_quality(&w, &sc[s]);
        if (ok && s == 2)
            ok = st__jw_key(&w, "quantization_error") && st__jw_number(&w, qe) &&
                 st__jw_key(&w, "topographic_error") && st__jw_number(&w, te);
        ok = ok && st__jw_end_object(&w);
    }
    ok = ok && st__jw_end_object(&w) && st__buf_putc(&js, '\n');
    if (!ok) goto oom;
    p2 = st__path_join(ctx, env->out_dir, "metrics.json");
    if (!p2) goto oom;
    if ((rc = st__write_file_atomic(ctx, p2, js.data, js.len)) != ST_OK) goto done;

    /* summary */
    st_jw *sw = env->summary;
    char grid[32];
    snprintf(grid, sizeof grid, "%zux%zu", so.rows, so.cols);
    ok = st__jw_key(sw, "segment") && st__jw_begin_object(sw) && st__jw_key(sw, "monetary") &&
         st__jw_string(sw, no_money ? "orders" : "revenue") && st__jw_key(sw, "customers") &&
         st__jw_int(sw, (long long)n) && st__jw_key(sw, "with_purchase") && st__jw_int(sw, (long long)m) &&
         st__jw_key(sw, "no_purchase") && st__jw_int(sw, (long long)(n - m)) && st__jw_key(sw, "files") &&
         st__jw_begin_array(sw) && st__jw_string(sw, "segments.csv") && st__jw_string(sw, "metrics.json") &&
         st__jw_end_array(sw) && st__jw_key(sw, "som_grid") && st__jw_string(sw, grid) && st__jw_key(sw, "som_k") &&
         st__jw_int(sw, (long long)sc[2].k);
    for (int s = 0; ok && s < 3; s++) {
        ok = st__jw_key(sw, sc[s].method) && st__jw_begin_object(sw) && write_quality(sw, &sc[s]) &&
             st__jw_key(sw, "segments") && st__jw_begin_object(sw);
        for (size_t g = 0; ok && g < sc[s].k; g++) {
            size_t c = 0;
            for (size_t i = 0; i < n; i++) c += sc[s].lab[i] == (int32_t)g;
            if (c) ok = st__jw_key(sw, sc[s].names[g]) && st__jw_int(sw, (long long)c);
        }
        ok = ok && st__jw_end_object(sw) && st__jw_end_object(sw);
    }
    ok = ok && st__jw_end_object(sw);
    if (!ok) goto oom;
    rc = ST_OK;
    goto done;
oom:
    rc = st__error(ctx, ST_ENOMEM, "segment stage: out of memory");
done:
    for (int s = 0; s < 3; s++) {
        st__free(ctx, sc[s].lab, n * sizeof(int32_t));
        st__free(ctx, sc[s].names, 0);
    }
    st_som_free(som);
    st__buf_free(&csv);
    st__buf_free(&js);
    st__free(ctx, p1, 0);
    st__free(ctx, p2, 0);
    st__free(ctx, rs, 0);
    st__free(ctx, fs, 0);
    st__free(ctx, ms, 0);
    st__free(ctx, bmu, 0);
    st__free(ctx, ul, 0);
    st__free(ctx, tmp, 0);
    st__free(ctx, cls, 0);
    st__free(ctx, x, 0);
    st__free(ctx, z, 0);
    st__free(ctx, zs, 0);
    st__free(ctx, col, 0);
    st__free(ctx, rows, 0);
    st__free(ctx, R, 0);
    st__free(ctx, F, 0);
    st__free(ctx, M, 0);
    st__free(ctx, keep, 0);
    return rc;
}
