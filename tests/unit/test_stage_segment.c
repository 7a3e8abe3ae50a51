/* test_stage_segment.c -- the segment stage of `strata run` on a small synthetic customer table: columns
** added, "No purchase" for customers without a purchase, segments.csv and metrics.json written, the
** summary object well formed; and the skip path. */
#include "pipeline/stage_segment.h"
#include "core/json.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static double lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static st_status run_stage(st_context *ctx, st_table *t, const char *dir, st_buf *b)
{
    st_jw w;
    st__jw_init(&w, b, 0);
    st__jw_begin_object(&w);
    st_stage_env env = {ctx, t, dir, NULL, NULL, 0, &w, NULL};
    st_status rc = st__stage_segment(&env);
    st__jw_end_object(&w);
    return rc;
}

int main(void)
{
    st_context *ctx;
    if (st_context_new(&ctx)) return 1;
    char dir[] = "/tmp/strata_stage_segment_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    size_t n = 300;
    st_table *t;
    CHECK_EQ_INT(st_table_new(ctx, "customer_id", n, &t), ST_OK);
    double *r = malloc(n * sizeof *r), *f = malloc(n * sizeof *f), *m = malloc(n * sizeof *m);
    uint64_t s = 11;
    for (size_t i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%zu", i);
        st_table_set_str(t, 0, i, id);
        int g = (int)(i % 3);
        r[i] = i % 50 == 7 ? (double)NAN : (g == 0 ? 10 : g == 1 ? 100 : 300) + 20 * lcg(&s);
        f[i] = isnan(r[i]) ? 0 : (g == 0 ? 8 : 2) + (double)(int)(3 * lcg(&s));
        m[i] = isnan(r[i]) ? 0 : f[i] * (20 + 10 * lcg(&s));
    }
    CHECK_EQ_INT(st_table_add_f64(t, "recency_days", ST_COL_F64, r), ST_OK);
    CHECK_EQ_INT(st_table_add_f64(t, "orders", ST_COL_F64, f), ST_OK);
    CHECK_EQ_INT(st_table_add_f64(t, "revenue", ST_COL_F64, m), ST_OK);
    st_buf b;
    st__buf_init(&b, ctx);
    CHECK_EQ_INT(run_stage(ctx, t, dir, &b), ST_OK);
    st_json *j = NULL;
    CHECK_EQ_INT(st__json_parse(ctx, b.data, b.len, "summary", &j), ST_OK);
    const st_json *seg = st__json_get(j, "segment");
    CHECK(seg != NULL);
    CHECK_NEAR(st__json_number(st__json_get(seg, "no_purchase")), 6, 0);
    CHECK(st__json_get(st__json_get(seg, "som"), "silhouette") != NULL);
    st__json_free(ctx, j);
    long c = st_table_find(t, "som_segment");
    CHECK(c > 0);
    if (c > 0) {
        CHECK_STR(st_table_str(t, (size_t)c, 7), "No purchase");
        CHECK(strcmp(st_table_str(t, (size_t)c, 0), "No purchase") != 0);
    }
    CHECK(st_table_find(t, "rfm_segment") > 0 && st_table_find(t, "rfm8_segment") > 0);
    CHECK(st_table_find(t, "rfm_score") > 0 && st_table_find(t, "som_bmu") > 0);
    long rc8 = st_table_find(t, "rfm8_segment");
    if (rc8 > 0) CHECK_STR(st_table_str(t, (size_t)rc8, 7), "No purchase");
    char path[256];
    snprintf(path, sizeof path, "%s/metrics.json", dir);
    CHECK_EQ_INT(st__json_parse_file(ctx, path, &j), ST_OK);
    double sil = st__json_number(st__json_get(st__json_get(j, "som"), "silhouette"));
    CHECK(sil > 0.3 && sil <= 1);
    st__json_free(ctx, j);
    unlink(path);
    snprintf(path, sizeof path, "%s/segments.csv", dir);
    st_table *p = NULL;
    CHECK_EQ_INT(st_table_read_csv(ctx, path, NULL, &p), ST_OK);
    CHECK(p && st_table_nrows(p) > 10);
    st_table_free(p);
    unlink(path);
    st__buf_free(&b);
    st_table_free(t);

    /* No usable columns: skipped, not failed. */
    CHECK_EQ_INT(st_table_new(ctx, "customer_id", 3, &t), ST_OK);
    st__buf_init(&b, ctx);
    CHECK_EQ_INT(run_stage(ctx, t, dir, &b), ST_OK);
    CHECK(strstr(b.data, "skipped") != NULL);
    st__buf_free(&b);
    st_table_free(t);
    rmdir(dir);
    free(r);
    free(f);
    free(m);
    st_context_free(ctx);
    T_DONE();
}
