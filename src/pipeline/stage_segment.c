/*
** stage_segment.c -- the segment stage of `strata run`: classic RFM, the eight-class cube and the
** improved SOM over recency_days, orders and revenue; segment columns on the customer table, per-segment
** profiles in DIR/segments.csv and quality figures in DIR/metrics.json.
*/
#include "pipeline/stage_segment.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SEG_SEED 42
#define SEG_MAX_K 7              /* seed 002 reports seven customer types */
#define SEG_SOM_TRAIN 20000      /* the SOM trains on a seeded sample of this many customers */

typedef struct scheme {
    const char *method;
    st_segmentation *seg;
    const int32_t *lab;    /* m labels, one per customer with a purchase */
    st_segment_quality q;
} scheme;

static bool put_field(st_buf *b, const char *s) { return st__buf_put_csv_field(b, s, strlen(s), ','); }

/* Appends the profile rows of one scheme to the segments.csv buffer; "No purchase" is its own row. */
static st_status profile_rows(st_context *ctx, st_buf *b, const scheme *s, size_t n, const size_t *rows, size_t m,
                              const double *R, const double *F, const double *M)
{
    size_t k = st_segmentation_k(s->seg), k1 = k + 1;
    int32_t *lab = st__malloc(ctx, n * sizeof *lab);
    size_t *count = st__calloc(ctx, k1, sizeof *count);
    double *mean = st__calloc(ctx, k1 * 3, sizeof *mean), *median = st__calloc(ctx, k1 * 3, sizeof *median);
    int32_t *cls = st__calloc(ctx, k1, sizeof *cls);
    st_status rc = lab && count && mean && median && cls ? ST_OK : ST_ENOMEM;
    if (rc == ST_OK) {
        for (size_t i = 0; i < n; i++) lab[i] = (int32_t)k;
        for (size_t q = 0; q < m; q++) lab[rows[q]] = s->lab[q];
        rc = st_segment_profile(ctx, lab, n, k1, R, F, M, count, mean, median);
    }
    if (rc == ST_OK) rc = st_segment_classes(ctx, lab, n, k1, R, F, M, cls);
    for (size_t g = 0; rc == ST_OK && g < k1; g++) {
        if (count[g] == 0) continue;
        bool ok = put_field(b, s->method) && st__buf_putc(b, ',') &&
                  put_field(b, st_segmentation_name(s->seg, g < k ? (long)g : -1)) && st__buf_putc(b, ',') &&
                  st__buf_put_double(b, (double)count[g]) && st__buf_putc(b, ',') &&
                  st__buf_put_double(b, (double)count[g] / (double)n);
        for (int c = 0; ok && c < 6; c++)
            ok = st__buf_putc(b, ',') && st__buf_put_double(b, (c % 2 ? median : mean)[g * 3 + (size_t)(c / 2)]);
        ok = ok && st__buf_putc(b, ',') && put_field(b, st_value_segment_strategy(g < k ? cls[g] : -1)) &&
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

static void write_quality(st_jw *w, const st_segment_quality *q)
{
    st__jw_kv_num(w, "silhouette", q->silhouette);
    st__jw_kv_num(w, "davies_bouldin", q->davies_bouldin);
    st__jw_kv_num(w, "calinski_harabasz", q->calinski_harabasz);
}

/* Adds a categorical column of segment names ("No purchase", the last level, for customers without a
** purchase): 4 bytes a customer, each name stored once. */
static st_status add_names(st_context *ctx, st_table *t, const char *col, const scheme *s, size_t n,
                           const size_t *rows, size_t m)
{
    size_t k = st_segmentation_k(s->seg);
    const char **levels = st__malloc(ctx, (k + 1) * sizeof *levels);
    int32_t *codes = st__malloc(ctx, (n ? n : 1) * sizeof *codes);
    st_status rc = levels && codes ? ST_OK : ST_ENOMEM;
    for (size_t c = 0; rc == ST_OK && c < k; c++) levels[c] = st_segmentation_name(s->seg, (long)c);
    if (rc == ST_OK) levels[k] = st_segmentation_name(s->seg, -1);
    for (size_t i = 0, q = 0; rc == ST_OK && i < n; i++) {
        bool has = q < m && rows[q] == i;
        codes[i] = has ? s->lab[q] : (int32_t)k;
        q += has;
    }
    if (rc == ST_OK) rc = st_table_add_cat(t, col, codes, levels, k + 1);
    st__free(ctx, levels, 0);
    st__free(ctx, codes, 0);
    return rc;
}

/* A numeric column from m per-customer values (NaN for customers without a purchase). */
static st_status add_num(st_table *t, const char *name, double *col, size_t n, const size_t *rows, size_t m,
                         const int32_t *v)
{
    for (size_t i = 0; i < n; i++) col[i] = (double)NAN;
    for (size_t q = 0; q < m; q++) col[rows[q]] = (double)v[q];
    return st_table_add_f64(t, name, ST_COL_F64, col);
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
    /* Logs without amounts (e.g. Taobao UserBehavior) give revenue 0 everywhere: M is then the order count,
    ** as classic RFM does without a money column. */
    const double *rev = st_table_f64(t, (size_t)jm);
    bool no_money = true;
    for (size_t i = 0; i < n && no_money; i++) no_money = !(isfinite(rev[i]) && rev[i] != 0);
    const char *cols[3] = {"recency_days", "orders", no_money ? "orders" : "revenue"};
    /* One matrix of the customers with a purchase, shared by every scheme and the metrics. */
    double *x = NULL, *z = NULL, *col = NULL, *R = NULL;
    size_t *rows = NULL, m = 0;
    st_status rc = st_table_matrix(ctx, t, cols, 3, 1, &x, &rows, &m);
    if (rc) return rc;
    scheme sc[3] = {{"rfm", NULL, NULL, {0}}, {"rfm8", NULL, NULL, {0}}, {"som", NULL, NULL, {0}}};
    st_buf csv, js;
    st__buf_init(&csv, ctx);
    st__buf_init(&js, ctx);
    char *p1 = NULL, *p2 = NULL;
    st_segment_options so;
    st_segment_options_init(&so);
    if (m < 10) {
        rc = st__stage_skip(env, "segment", "fewer than 10 customers with a purchase");
        goto done;
    }
    so.seed = SEG_SEED;
    so.quality = 0; /* all three schemes are scored together below */
    so.method = ST_SEGMENT_RFM;
    if ((rc = st_segment_run(ctx, x, m, 3, &so, &sc[0].seg)) != ST_OK) goto done;
    so.method = ST_SEGMENT_RFM8;
    if ((rc = st_segment_run(ctx, x, m, 3, &so, &sc[1].seg)) != ST_OK) goto done;
    /* Improved SOM on z-scored R, F, M; about 5 sqrt(m) units (Vesanto's rule of thumb), side 2 to 10;
    ** trained on a seeded sample of SEG_SOM_TRAIN customers (20 epochs of it are 40 times Kohonen's 500
    ** steps per unit on the largest grid), then every customer mapped. */
    size_t side = (size_t)ceil(sqrt(5.0 * sqrt((double)m)));
    side = side < 2 ? 2 : side > 10 ? 10 : side;
    so.method = ST_SEGMENT_SOM;
    so.som.rows = so.som.cols = side;
    so.k = SEG_MAX_K;
    so.k_at_most = 1;
    so.som_train_rows = SEG_SOM_TRAIN;
    if ((rc = st_segment_run(ctx, x, m, 3, &so, &sc[2].seg)) != ST_OK) goto done;
    for (int s = 0; s < 3; s++) sc[s].lab = st_segmentation_labels(sc[s].seg);

    /* Quality of the three schemes on the z-scored features, with one silhouette sample for all. */
    z = st__malloc(ctx, m * 3 * sizeof *z);
    col = st__malloc(ctx, n * sizeof *col);
    if (!z || !col) goto oom;
    if ((rc = st_scale_columns(ctx, x, m, 3, ST_SCALE_ZSCORE, z)) != ST_OK) goto done;
    {
        const int32_t *labs[3] = {sc[0].lab, sc[1].lab, sc[2].lab};
        st_segment_quality q[3];
        if ((rc = st_segment_evaluate(ctx, z, m, 3, labs, 3, ST_SILHOUETTE_ROWS, SEG_SEED, q)) != ST_OK) goto done;
        for (int s = 0; s < 3; s++) sc[s].q = q[s];
    }
    const st_segment_quality *sq = st_segmentation_quality(sc[2].seg);

    /* Columns. */
    const char *sn[4] = {"r_score", "f_score", "m_score", "rfm_score"};
    for (int c = 0; c < 4 && rc == ST_OK; c++)
        rc = add_num(t, sn[c], col, n, rows, m, st_segmentation_scores(sc[0].seg, c));
    if (rc == ST_OK) rc = add_names(ctx, t, "rfm_segment", &sc[0], n, rows, m);
    if (rc == ST_OK) rc = add_names(ctx, t, "rfm8_segment", &sc[1], n, rows, m);
    if (rc == ST_OK) rc = add_num(t, "som_segment_id", col, n, rows, m, sc[2].lab);
    if (rc == ST_OK) rc = add_names(ctx, t, "som_segment", &sc[2], n, rows, m);
    if (rc == ST_OK) rc = add_num(t, "som_bmu", col, n, rows, m, st_segmentation_bmu(sc[2].seg));
    if (rc) goto done;

    /* segments.csv (R, F, M of every customer, NaN without a purchase) */
    R = st__malloc(ctx, 3 * n * sizeof *R);
    if (!R) goto oom;
    for (size_t i = 0; i < 3 * n; i++) R[i] = (double)NAN;
    for (size_t q = 0; q < m; q++)
        for (size_t j = 0; j < 3; j++) R[j * n + rows[q]] = x[q * 3 + j];
    if (!st__buf_puts(&csv, "method,segment,count,share,r_mean,r_median,f_mean,f_median,m_mean,m_median,strategy\n"))
        goto oom;
    for (int s = 0; s < 3 && rc == ST_OK; s++) rc = profile_rows(ctx, &csv, &sc[s], n, rows, m, R, R + n, R + 2 * n);
    if (rc) goto done;
    p1 = st__path_join(ctx, env->out_dir, "segments.csv");
    if (!p1) goto oom;
    if ((rc = st__write_file_atomic(ctx, p1, csv.data, csv.len)) != ST_OK) goto done;

    /* metrics.json */
    st_jw w;
    st__jw_init(&w, &js, 2);
    st__jw_begin_object(&w);
    st__jw_key(&w, "features");
    st__jw_begin_array(&w);
    st__jw_string(&w, "recency_days");
    st__jw_string(&w, "orders");
    st__jw_string(&w, "revenue");
    st__jw_end_array(&w);
    st__jw_kv_str(&w, "scale", "zscore");
    st__jw_kv_int(&w, "customers", (long long)m);
    st__jw_kv_int(&w, "silhouette_rows", (long long)sc[0].q.silhouette_rows);
    for (int s = 0; s < 3; s++) {
        st__jw_key(&w, sc[s].method);
        st__jw_begin_object(&w);
        write_quality(&w, &sc[s].q);
        if (s == 2) {
            st__jw_kv_num(&w, "quantization_error", sq->quantization_error);
            st__jw_kv_num(&w, "topographic_error", sq->topographic_error);
        }
        st__jw_end_object(&w);
    }
    st__jw_end_object(&w);
    bool ok = st__jw_ok(&w) && st__buf_putc(&js, '\n');
    if (!ok) goto oom;
    p2 = st__path_join(ctx, env->out_dir, "metrics.json");
    if (!p2) goto oom;
    if ((rc = st__write_file_atomic(ctx, p2, js.data, js.len)) != ST_OK) goto done;

    /* summary */
    st_jw *sw = env->summary;
    char grid[32];
    snprintf(grid, sizeof grid, "%zux%zu", so.som.rows, so.som.cols);
    st__jw_key(sw, "segment");
    st__jw_begin_object(sw);
    st__jw_kv_str(sw, "monetary", no_money ? "orders" : "revenue");
    st__jw_kv_int(sw, "customers", (long long)n);
    st__jw_kv_int(sw, "with_purchase", (long long)m);
    st__jw_kv_int(sw, "no_purchase", (long long)(n - m));
    st__jw_key(sw, "files");
    st__jw_begin_array(sw);
    st__jw_string(sw, "segments.csv");
    st__jw_string(sw, "metrics.json");
    st__jw_end_array(sw);
    st__jw_kv_str(sw, "som_grid", grid);
    st__jw_kv_int(sw, "som_k", (long long)st_segmentation_k(sc[2].seg));
    for (int s = 0; s < 3; s++) {
        size_t k = st_segmentation_k(sc[s].seg);
        size_t *cnt = st__calloc(ctx, k, sizeof *cnt);
        if (!cnt) goto oom;
        for (size_t q = 0; q < m; q++) cnt[sc[s].lab[q]]++;
        st__jw_key(sw, sc[s].method);
        st__jw_begin_object(sw);
        write_quality(sw, &sc[s].q);
        st__jw_key(sw, "segments");
        st__jw_begin_object(sw);
        for (size_t g = 0; g < k; g++)
            if (cnt[g]) st__jw_kv_int(sw, st_segmentation_name(sc[s].seg, (long)g), (long long)cnt[g]);
        st__jw_end_object(sw);
        st__jw_end_object(sw);
        st__free(ctx, cnt, k * sizeof *cnt);
    }
    st__jw_end_object(sw);
    ok = st__jw_ok(sw);
    if (!ok) goto oom;
    rc = ST_OK;
    goto done;
oom:
    rc = st__error(ctx, ST_ENOMEM, "segment stage: out of memory");
done:
    for (int s = 0; s < 3; s++) st_segmentation_free(sc[s].seg);
    st__buf_free(&csv);
    st__buf_free(&js);
    st__free(ctx, p1, 0);
    st__free(ctx, p2, 0);
    st__free(ctx, z, 0);
    st__free(ctx, col, 0);
    st__free(ctx, R, 0);
    st_table_matrix_free(ctx, x, rows);
    return rc;
}
