/* test_segmentation.c -- the library's whole-segmentation entry points: st_table_matrix (columns to a
** matrix, non-finite rows dropped), st_value_strata / st_stratum_strategy (quantile and given cuts, ties to
** the lower stratum), st_segment_evaluate (exact below the sample size, one sample for several labellings,
** the same bits for any thread count) and st_segment_run (rows set aside, names de-duplicated, SOM on a
** training sample, JSON). */
#include <strata.h>

#include "failalloc.h"
#include "test.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* n customers in three groups: R (days), F, M; every 50th row has no purchase (NaN). */
static double *customers(size_t n)
{
    double *x = malloc(n * 3 * sizeof *x);
    uint64_t s = 7;
    for (size_t i = 0; i < n; i++) {
        int g = (int)(i % 3);
        x[i * 3] = i % 50 == 7 ? (double)NAN : (g == 0 ? 10 : g == 1 ? 100 : 300) + 20 * lcg(&s);
        x[i * 3 + 1] = (g == 0 ? 8 : 2) + (double)(int)(3 * lcg(&s));
        x[i * 3 + 2] = x[i * 3 + 1] * (20 + 10 * lcg(&s));
    }
    return x;
}

static void test_matrix(st_context *ctx)
{
    st_table *t;
    CHECK_EQ_INT(st_table_new(ctx, "id", 4, &t), ST_OK);
    double a[4] = {1, NAN, 3, 4}, b[4] = {5, 6, INFINITY, 8};
    CHECK_EQ_INT(st_table_add_f64(t, "a", ST_COL_F64, a), ST_OK);
    CHECK_EQ_INT(st_table_add_f64(t, "b", ST_COL_F64, b), ST_OK);
    CHECK_EQ_INT(st_table_add_str(t, "s"), ST_OK);
    const char *cols[2] = {"b", "a"};
    double *x = NULL;
    size_t *rows = NULL, m = 9;
    CHECK_EQ_INT(st_table_matrix(ctx, t, cols, 2, 1, &x, &rows, &m), ST_OK);
    CHECK_EQ_INT((int)m, 2);
    CHECK(x && rows && rows[0] == 0 && rows[1] == 3 && x[0] == 5 && x[1] == 1 && x[2] == 8 && x[3] == 4);
    st_table_matrix_free(ctx, x, rows);
    CHECK_EQ_INT(st_table_matrix(ctx, t, cols, 2, 0, &x, NULL, &m), ST_OK);
    CHECK_EQ_INT((int)m, 4);
    CHECK(isnan(x[3]) && isinf(x[4]));
    st_table_matrix_free(ctx, x, NULL);
    const char *bad[1] = {"nosuch"};
    CHECK_EQ_INT(st_table_matrix(ctx, t, bad, 1, 1, &x, &rows, &m), ST_ENOTFOUND);
    CHECK(x == NULL && rows == NULL);
    CHECK_STR(st_errmsg(ctx), "no column 'nosuch' in the table");
    const char *str[1] = {"s"};
    CHECK_EQ_INT(st_table_matrix(ctx, t, str, 1, 1, &x, &rows, &m), ST_EINVAL);
    st_table_free(t);
}

static void test_strata(st_context *ctx)
{
    /* Terciles of 9 values: cuts sorted[3] = 4 and sorted[6] = 7; ties at a cut fall to the lower stratum. */
    double v[10] = {9, 1, 4, 7, 2, 8, 5, 3, 6, NAN};
    int32_t s[10];
    CHECK_EQ_INT(st_value_strata(ctx, v, 10, 3, NULL, 0, s), ST_OK);
    int32_t want[10] = {1, 3, 3, 2, 3, 1, 2, 3, 2, 0};
    for (int i = 0; i < 10; i++) CHECK_EQ_INT(s[i], want[i]);
    double cuts[1] = {5};
    CHECK_EQ_INT(st_value_strata(ctx, v, 10, 2, cuts, 1, s), ST_OK);
    CHECK(s[0] == 1 && s[6] == 2 && s[8] == 1 && s[9] == 0);
    CHECK_EQ_INT(st_value_strata(ctx, v, 10, 3, cuts, 1, s), ST_EINVAL);
    double desc[2] = {5, 1};
    CHECK_EQ_INT(st_value_strata(ctx, v, 10, 3, desc, 2, s), ST_EINVAL);
    CHECK_EQ_INT(st_value_strata(ctx, v, 10, 0, NULL, 0, s), ST_EINVAL);
    CHECK_EQ_INT(st_value_strata(ctx, v, 10, 1, NULL, 0, s), ST_OK);
    CHECK(s[0] == 1 && s[9] == 0);
    CHECK_STR(st_stratum_strategy(1, 3), "retain");
    CHECK_STR(st_stratum_strategy(2, 3), "nurture");
    CHECK_STR(st_stratum_strategy(3, 3), "activate");
    CHECK_STR(st_stratum_strategy(1, 1), "activate");
    CHECK_STR(st_stratum_strategy(0, 3), "");
    CHECK_STR(st_stratum_strategy(4, 3), "");
}

static void test_evaluate(st_context *ctx)
{
    size_t n = 3000;
    double *x = customers(n);
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i * 3])) x[i * 3] = 50;
    int32_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    for (size_t i = 0; i < n; i++) {
        a[i] = (int32_t)(i % 3);
        b[i] = x[i * 3] < 120 ? 5 : -2;
    }
    const int32_t *labs[2] = {a, b};
    st_segment_quality q[2], q1;
    /* Below the sample size: the exact metrics, as the single-metric functions give them. */
    CHECK_EQ_INT(st_segment_evaluate(ctx, x, n, 3, labs, 2, 0, 1, q), ST_OK);
    double sil, db, ch;
    CHECK_EQ_INT(st_metric_silhouette(ctx, x, n, 3, b, &sil, NULL), ST_OK);
    CHECK_EQ_INT(st_metric_davies_bouldin(ctx, x, n, 3, b, &db), ST_OK);
    CHECK_EQ_INT(st_metric_calinski_harabasz(ctx, x, n, 3, b, &ch), ST_OK);
    /* (several labellings sum each row's distances in other runs: equal up to rounding) */
    CHECK_NEAR(q[1].silhouette, sil, 1e-12);
    CHECK(q[1].davies_bouldin == db && q[1].calinski_harabasz == ch);
    CHECK(q[0].k == 3 && q[1].k == 2 && q[0].rows == n && q[0].silhouette_rows == n);
    /* A sample: one labelling alone gives the same value as in company (up to rounding); any thread
    ** count, same bits. */
    CHECK_EQ_INT(st_segment_evaluate(ctx, x, n, 3, labs, 2, 1000, 9, q), ST_OK);
    CHECK_EQ_INT(st_segment_evaluate(ctx, x, n, 3, labs + 1, 1, 1000, 9, &q1), ST_OK);
    CHECK_NEAR(q[1].silhouette, q1.silhouette, 1e-12);
    CHECK(q1.silhouette_rows == 1000);
    CHECK(q[1].davies_bouldin == db); /* DB and CH always use every row */
    for (int nt = 1; nt <= 3; nt++) {
        st_context_set_threads(ctx, nt);
        CHECK_EQ_INT(st_segment_evaluate(ctx, x, n, 3, labs, 1, 2500, 9, &q1), ST_OK);
        CHECK(q1.silhouette == q[0].silhouette || nt == 1);
        if (nt == 1) q[0] = q1;
    }
    st_context_set_threads(ctx, 2);
    /* One label: no figures, no error. */
    for (size_t i = 0; i < n; i++) a[i] = 4;
    CHECK_EQ_INT(st_segment_evaluate(ctx, x, n, 3, labs, 1, 0, 1, &q1), ST_OK);
    CHECK(q1.k == 1 && isnan(q1.silhouette) && isnan(q1.davies_bouldin));
    free(a);
    free(b);
    free(x);
}

static void test_run(st_context *ctx)
{
    size_t n = 1500;
    double *x = customers(n);
    st_segment_options o;
    st_segment_options_init(&o);
    CHECK(o.silhouette_rows == ST_SILHOUETTE_ROWS && o.quality == 1 && o.seed == 42);
    st_segmentation *s = NULL;
    CHECK_EQ_INT(st_segment_run(ctx, x, n, 3, &o, &s), ST_OK);
    const int32_t *lab = st_segmentation_labels(s);
    CHECK_EQ_INT((int)st_segmentation_rows(s), 1500);
    CHECK_EQ_INT((int)st_segmentation_segmented(s), 1470);
    CHECK(lab[7] == -1 && lab[0] >= 0);
    CHECK_STR(st_segmentation_name(s, -1), "No purchase");
    CHECK_STR(st_segmentation_name(s, ST_RFM_CHAMPIONS), "Champions");
    CHECK(st_segmentation_name(s, 99) == NULL);
    const int32_t *r = st_segmentation_scores(s, 0), *f = st_segmentation_scores(s, 1);
    CHECK(st_segmentation_scores(s, 3)[0] == 100 * r[0] + 10 * f[0] + st_segmentation_scores(s, 2)[0]);
    CHECK(st_segmentation_scores(s, 0)[7] == 0 && st_segmentation_scores(s, 4) == NULL);
    CHECK(st_segmentation_bmu(s) == NULL && st_segmentation_som(s) == NULL);
    st_segmentation_free(s);

    /* SOM with more segments than value classes: repeated names get " 2"; a training sample. */
    o.method = ST_SEGMENT_SOM;
    o.som.rows = o.som.cols = 5;
    o.k = 6;
    o.som_train_rows = 500;
    CHECK_EQ_INT(st_segment_run(ctx, x, n, 3, &o, &s), ST_OK);
    size_t k = st_segmentation_k(s);
    CHECK_EQ_INT((int)k, 6);
    for (size_t g = 0; g < k; g++)
        for (size_t h = 0; h < g; h++)
            CHECK(strcmp(st_segmentation_name(s, (long)g), st_segmentation_name(s, (long)h)) != 0);
    const st_segment_quality *q = st_segmentation_quality(s);
    CHECK(q->silhouette > 0 && q->silhouette_rows == 1470 && q->quantization_error > 0 && isnan(q->inertia));
    CHECK(st_segmentation_bmu(s)[7] == -1 && st_segmentation_unit_labels(s) != NULL);
    char *json = NULL;
    size_t len = 0;
    CHECK_EQ_INT(st_segmentation_to_json(ctx, s, &json, &len), ST_OK);
    CHECK(json && strlen(json) == len && strstr(json, "\"method\": \"som\"") && strstr(json, "\"topographic_error\""));
    st_segmentation_json_free(ctx, json);
    /* Same options, other thread count: same labels and figures. */
    st_context_set_threads(ctx, 1);
    st_segmentation *s1 = NULL;
    CHECK_EQ_INT(st_segment_run(ctx, x, n, 3, &o, &s1), ST_OK);
    CHECK(memcmp(st_segmentation_labels(s1), st_segmentation_labels(s), n * sizeof(int32_t)) == 0);
    CHECK(st_segmentation_quality(s1)->silhouette == q->silhouette);
    CHECK(st_segmentation_quality(s1)->quantization_error == q->quantization_error);
    st_segmentation_free(s1);
    st_context_set_threads(ctx, 2);
    st_segmentation_free(s);

    /* k at most the units hit; too many segments otherwise is an error. */
    o.som.rows = o.som.cols = 2;
    o.k = 7;
    CHECK_EQ_INT(st_segment_run(ctx, x, n, 3, &o, &s), ST_EDATA);
    CHECK(s == NULL);
    o.k_at_most = 1;
    CHECK_EQ_INT(st_segment_run(ctx, x, n, 3, &o, &s), ST_OK);
    CHECK(st_segmentation_k(s) <= 4);
    st_segmentation_free(s);

    /* k-means on two features: no R, F, M, so "Segment i". rfm needs three. */
    o.method = ST_SEGMENT_KMEANS;
    o.k = 3;
    double *x2 = malloc(n * 2 * sizeof *x2);
    for (size_t i = 0; i < n; i++) {
        x2[i * 2] = x[i * 3 + 1];
        x2[i * 2 + 1] = x[i * 3 + 2];
    }
    CHECK_EQ_INT(st_segment_run(ctx, x2, n, 2, &o, &s), ST_OK);
    CHECK_STR(st_segmentation_name(s, 0), "Segment 0");
    CHECK(st_segmentation_quality(s)->inertia > 0);
    st_segmentation_free(s);
    o.method = ST_SEGMENT_RFM;
    CHECK_EQ_INT(st_segment_run(ctx, x2, n, 2, &o, &s), ST_EINVAL);
    for (size_t i = 0; i < n; i++) x2[i * 2] = (double)NAN;
    o.method = ST_SEGMENT_KMEANS;
    CHECK_EQ_INT(st_segment_run(ctx, x2, n, 2, &o, &s), ST_EEMPTY);
    free(x2);
    free(x);
}

/* Every allocation of a SOM segmentation (training sample, quality) and of the strata failing in turn. */
static st_status alloc_job(t_failer *f, void *arg)
{
    const double *x = arg;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    st_segment_options o;
    st_segment_options_init(&o);
    o.method = ST_SEGMENT_SOM;
    o.som.rows = o.som.cols = 3;
    o.som.epochs = 2;
    o.k = 3;
    o.som_train_rows = 100;
    o.silhouette_rows = 150;
    st_segmentation *s = NULL;
    st_status rc = st_segment_run(ctx, x, 300, 3, &o, &s);
    char *json = NULL;
    if (rc == ST_OK) rc = st_segmentation_to_json(ctx, s, &json, NULL);
    st_segmentation_json_free(ctx, json);
    st_segmentation_free(s);
    int32_t st[300];
    if (rc == ST_OK) rc = st_value_strata(ctx, x + 1, 300, 3, NULL, 0, st);
    if (rc != ST_OK && st_errmsg(ctx)[0] == '\0') {
        t_failures++;
        fprintf(stderr, "failure %d without a message\n", rc);
    }
    st_context_free(ctx);
    return rc;
}

int main(void)
{
    st_context *ctx;
    if (st_context_new(&ctx)) return 1;
    test_matrix(ctx);
    test_strata(ctx);
    test_evaluate(ctx);
    test_run(ctx);
    double *x = customers(300);
    t_alloc_torture("st_segment_run (som) + st_value_strata", alloc_job, x);
    free(x);
    st_context_free(ctx);
    T_DONE();
}
