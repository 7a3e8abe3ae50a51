/* The summary accumulator: lifetimes' conventions on a hand-computed case, and the merge laws
** (empty is identity; split-then-merge equals one pass, whatever the split). */
#include "test.h"
#include "features/summary.h"
#include "unit/summary_events.h"
#include <unistd.h>
#include <stdlib.h>

static st_summary_acc *make(st_context *ctx, const st_summarize_options *o, size_t from, size_t to)
{
    st_summary_acc *a = NULL;
    CHECK_EQ_INT(st_summary_acc_new(ctx, o, 1, &a), ST_OK);
    for (size_t k = from; k < to; k++) {
        const ev *e = &events[k];
        CHECK_EQ_INT(st_summary_acc_add(a, e->cust, strlen(e->cust), e->day, e->beh, strlen(e->beh), e->amount), ST_OK);
    }
    return a;
}

/* Writes the table as CSV text for comparison. */
static char *dump(st_context *ctx, st_table *t)
{
    char path[] = "/tmp/strata_test_summaryXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    CHECK_EQ_INT(st_table_write_csv(ctx, t, path), ST_OK);
    FILE *fp = fopen(path, "rb");
    static char buf[4][4096];
    static int which = 0;
    char *b = buf[which++ % 4];
    size_t n = fread(b, 1, 4095, fp);
    b[n] = '\0';
    fclose(fp);
    remove(path);
    return b;
}

static double col(st_table *t, const char *name, size_t row)
{
    long j = st_table_find(t, name);
    CHECK(j >= 0);
    return j >= 0 ? st_table_f64(t, (size_t)j)[row] : 0;
}

int main(void)
{
    st_context *ctx;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    st_summarize_options o;
    st_summarize_options_init(&o);
    o.event_col = "event";
    o.unit = ST_UNIT_WEEK;

    st_summary_acc *one = make(ctx, &o, 0, NEV);
    st_table *t1 = NULL;
    st_ingest_report rep;
    CHECK_EQ_INT(st_summary_acc_finalize(one, &t1, &rep), ST_OK);
    /* a: purchase days 100 (10+5), 107 (20), 121 (30); end = 130 (last event day) */
    CHECK_EQ_INT(st_table_nrows(t1), 4);
    CHECK_STR(st_table_str(t1, 0, 0), "a");
    CHECK_NEAR(col(t1, "frequency", 0), 2, 0);
    CHECK_NEAR(col(t1, "recency", 0), 3, 1e-12);
    CHECK_NEAR(col(t1, "T", 0), 30.0 / 7, 1e-12);
    CHECK_NEAR(col(t1, "monetary_value", 0), 25, 1e-12);
    CHECK_NEAR(col(t1, "recency_days", 0), 9, 0);
    CHECK_NEAR(col(t1, "revenue", 0), 65, 1e-12);
    CHECK_NEAR(col(t1, "count_cart", 0), 1, 0);
    CHECK_NEAR(col(t1, "days_since_cart", 0), 40, 0);
    /* b: purchases 102 (7) and a free one on 130 (0): two purchase days, monetary value 0 */
    CHECK_NEAR(col(t1, "frequency", 1), 1, 0);
    CHECK_NEAR(col(t1, "monetary_value", 1), 0, 0);
    /* c: only a fav and a return: no purchase, empty recency and T */
    CHECK_NEAR(col(t1, "frequency", 2), 0, 0);
    CHECK(isnan(col(t1, "recency", 2)) && isnan(col(t1, "T", 2)));
    CHECK_NEAR(col(t1, "days_since_fav", 2), 27, 0);
    CHECK_EQ_INT(rep.nonpositive_purchases, 1);
    CHECK_EQ_INT(rep.zero_amount_purchases, 1);
    char *want = dump(ctx, t1);

    /* split-then-merge equals one pass, for every split point and both merge orders of the halves */
    for (size_t cut = 0; cut <= NEV; cut++) {
        st_summary_acc *x = make(ctx, &o, 0, cut), *y = make(ctx, &o, cut, NEV);
        CHECK_EQ_INT(st_summary_acc_merge(x, y), ST_OK);
        st_table *t2 = NULL;
        CHECK_EQ_INT(st_summary_acc_finalize(x, &t2, NULL), ST_OK);
        char *got = dump(ctx, t2);
        if (strcmp(got, want) != 0) {
            t_failures++;
            fprintf(stderr, "split at %zu differs:\n%s\nvs\n%s\n", cut, got, want);
        }
        st_table_free(t2);
        st_summary_acc_free(x);
        st_summary_acc_free(y);
    }
    /* empty is the identity, on either side */
    st_summary_acc *e = make(ctx, &o, 0, 0), *full = make(ctx, &o, 0, NEV);
    CHECK_EQ_INT(st_summary_acc_merge(full, e), ST_OK);
    st_table *t3 = NULL;
    CHECK_EQ_INT(st_summary_acc_finalize(full, &t3, NULL), ST_OK);
    CHECK_STR(dump(ctx, t3), want);
    st_summary_acc *e2 = make(ctx, &o, 0, 0), *full2 = make(ctx, &o, 0, NEV);
    CHECK_EQ_INT(st_summary_acc_merge(e2, full2), ST_OK);
    st_table *t4 = NULL;
    CHECK_EQ_INT(st_summary_acc_finalize(e2, &t4, NULL), ST_OK);
    CHECK_STR(dump(ctx, t4), want);
    /* an empty accumulator alone has nothing to say */
    st_summary_acc *e3 = make(ctx, &o, 0, 0);
    st_table *t5 = NULL;
    CHECK_EQ_INT(st_summary_acc_finalize(e3, &t5, NULL), ST_EEMPTY);
    CHECK(t5 == NULL);

    /* calibration: customers whose first purchase is after it are left out */
    o.has_calibration_end = 1;
    o.calibration_end = 105;
    st_summary_acc *cal = make(ctx, &o, 0, NEV);
    st_table *tc = NULL;
    CHECK_EQ_INT(st_summary_acc_finalize(cal, &tc, NULL), ST_OK);
    CHECK_EQ_INT(st_table_nrows(tc), 3); /* a, b, c (c has no purchase at all, d's first event is after) */
    CHECK_NEAR(col(tc, "frequency_holdout", 0), 2, 0);
    CHECK_NEAR(col(tc, "monetary_value_holdout", 0), 25, 1e-12);
    CHECK_NEAR(col(tc, "duration_holdout", 0), 25.0 / 7, 1e-12);

    /* the public add: behaviour names decide purchases; bad arguments are refused */
    st_summarize_options o2;
    st_summarize_options_init(&o2);
    st_summary_acc *pub = NULL;
    CHECK_EQ_INT(st_summary_acc_new(ctx, &o2, 1, &pub), ST_OK);
    CHECK_EQ_INT(st_summary_acc_add(pub, "x", 1, 19000, "purchase", 8, 5.0), ST_OK);
    CHECK_EQ_INT(st_summary_acc_add(pub, "x", 1, 19003, NULL, 0, 7.0), ST_OK);
    CHECK_EQ_INT(st_summary_acc_add(pub, "x", 1, 19004, "view", 4, 0), ST_OK);
    CHECK_EQ_INT(st_summary_acc_add(pub, "", 0, 19004, "view", 4, 0), ST_EINVAL);
    st_table *tp = NULL;
    CHECK_EQ_INT(st_summary_acc_finalize(pub, &tp, NULL), ST_OK);
    CHECK_NEAR(col(tp, "frequency", 0), 1, 0);
    CHECK_NEAR(col(tp, "T", 0), 4, 0);
    CHECK_NEAR(col(tp, "count_view", 0), 1, 0);
    /* finalizing again gives the same table */
    st_table *tp2 = NULL;
    CHECK_EQ_INT(st_summary_acc_finalize(pub, &tp2, NULL), ST_OK);
    CHECK_STR(dump(ctx, tp), dump(ctx, tp2));
    st_table_free(tp);
    st_table_free(tp2);
    st_summary_acc_free(pub);
    o2.calibration_end = 10;
    o2.observation_end = 5;
    o2.has_calibration_end = o2.has_observation_end = 1;
    CHECK_EQ_INT(st_summary_acc_new(ctx, &o2, 1, &pub), ST_EINVAL);
    CHECK(pub == NULL);

    st_table_free(t1);
    st_table_free(t3);
    st_table_free(t4);
    st_table_free(tc);
    st_summary_acc_free(one);
    st_summary_acc_free(e);
    st_summary_acc_free(full);
    st_summary_acc_free(e2);
    st_summary_acc_free(full2);
    st_summary_acc_free(e3);
    st_summary_acc_free(cal);
    st_context_free(ctx);
    T_DONE();
}
