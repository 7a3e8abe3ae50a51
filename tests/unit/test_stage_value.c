/*
** test_stage_value.c -- the value stage of `strata run` on the CDNOW summary (weeks) plus a customer with
** no purchase: models written, columns added, figures in the summary. Skipped without ../shared/data.
*/
#include "pipeline/stage_value.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/cdnow/cdnow_customers_summary_with_spend.csv", STRATA_SHARED_DATA);
    FILE *fp = fopen(path, "r");
    if (!fp) return T_SKIP;
    char line[512];
    double (*rows)[4] = malloc(3000 * sizeof *rows);
    size_t n = 0;
    if (!fgets(line, sizeof line, fp)) return 1;
    while (n < 2999 && fgets(line, sizeof line, fp)) {
        char *p = line, *end;
        strtod(p, &end); /* ID */
        for (int j = 0; j < 4; j++) {
            p = end + 1;
            rows[n][j] = strtod(p, &end);
        }
        n++;
    }
    fclose(fp);
    CHECK_EQ_INT(n, 2357);
    st_context *ctx;
    if (st_context_new(&ctx)) return 1;
    st_table *t;
    size_t N = n + 1;
    CHECK_EQ_INT(st_table_new(ctx, "customer_id", N, &t), ST_OK);
    double *cols = malloc(4 * N * sizeof *cols);
    for (size_t i = 0; i < N; i++)
        for (int j = 0; j < 4; j++) cols[(size_t)j * N + i] = i < n ? rows[i][j] : (double)NAN;
    const char *names[4] = {"frequency", "recency", "T", "monetary_value"};
    for (int j = 0; j < 4; j++) CHECK_EQ_INT(st_table_add_f64(t, names[j], ST_COL_F64, cols + (size_t)j * N), ST_OK);

    char dir[] = "/tmp/strata_stage_value_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    st_run_options opts;
    st_run_options_init(&opts);
    opts.summarize.unit = ST_UNIT_WEEK;
    opts.out_dir = dir;
    opts.pareto_nbd = 1;
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    st__jw_begin_object(&w);
    st_stage_env env = {ctx, t, dir, &opts, NULL, 0, &w, NULL};
    st_status rc = st__stage_value(&env);
    CHECK_EQ_INT(rc, ST_OK);
    if (rc) fprintf(stderr, "%s\n", st_errmsg(ctx));
    st__jw_end_object(&w);
    st__buf_putc(&b, '\0');
    CHECK(strstr(b.data, "\"value\"") != NULL);
    CHECK(strstr(b.data, "\"clv_total\"") != NULL);
    CHECK(strstr(b.data, "\"pnbd\"") != NULL);
    long jpp = st_table_find(t, "p_alive_pnbd");
    CHECK(jpp > 0);
    if (jpp > 0) {
        const double *pp = st_table_f64(t, (size_t)jpp);
        for (size_t i = 0; i < n; i++) CHECK(pp[i] >= 0.0 && pp[i] <= 1.0);
        CHECK(isnan(pp[n]));
    }
    long jp = st_table_find(t, "p_alive"), je = st_table_find(t, "expected_purchases"), jc = st_table_find(t, "clv");
    CHECK(jp > 0 && je > 0 && jc > 0);
    if (jp > 0 && je > 0 && jc > 0) {
        const double *pa = st_table_f64(t, (size_t)jp), *ex = st_table_f64(t, (size_t)je), *clv = st_table_f64(t, (size_t)jc);
        double sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            CHECK(pa[i] >= 0.0 && pa[i] <= 1.0);
            CHECK(ex[i] >= 0.0 && clv[i] >= 0.0);
            sum += ex[i];
        }
        CHECK(isnan(pa[n]) && isnan(ex[n]) && isnan(clv[n]));
        /* CET(52) summed over CDNOW customers with the BG/NBD MLE (about 1,0xx purchases in 52 weeks) */
        CHECK(sum > 500 && sum < 3000);
        printf("sum expected purchases (52 weeks): %.2f\n", sum);
    }
    char p1[1200], p2[1200];
    snprintf(p1, sizeof p1, "%s/models/bgnbd.json", dir);
    snprintf(p2, sizeof p2, "%s/models/gg.json", dir);
    st_btyd_model *m = NULL;
    CHECK_EQ_INT(st_btyd_load(ctx, p1, &m), ST_OK);
    CHECK_NEAR(st_btyd_param(m, 0), 0.2426, 1e-4);
    CHECK_STR(st_btyd_time_unit(m), "week");
    st_btyd_free(m);
    CHECK_EQ_INT(st_btyd_load(ctx, p2, &m), ST_OK);
    CHECK_NEAR(st_btyd_param(m, 1), 3.74, 0.01);
    st_btyd_free(m);
    char p3[1200];
    snprintf(p3, sizeof p3, "%s/models/pnbd.json", dir);
    CHECK_EQ_INT(st_btyd_load(ctx, p3, &m), ST_OK);
    CHECK_NEAR(st_btyd_param(m, 0), 0.5533, 1e-3);
    st_btyd_free(m);
    unlink(p3);
    unlink(p1);
    unlink(p2);
    snprintf(p1, sizeof p1, "%s/models", dir);
    rmdir(p1);
    rmdir(dir);
    st__buf_free(&b);
    st_table_free(t);
    st_context_free(ctx);
    free(cols);
    free(rows);
    T_DONE();
}
