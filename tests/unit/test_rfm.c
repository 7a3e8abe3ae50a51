/* test_rfm.c -- RFM quintiles (ties share a score, R reversed), segment priority and reachability, the
** eight-class cube and the value-segment names. */
#include "strata.h"
#include "test.h"

#include <stdint.h>

int main(void)
{
    st_context *ctx;
    if (st_context_new(&ctx)) return 1;
    /* 10 customers: distinct recency, tied frequency, a NaN row. */
    const double rec[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NAN};
    const double fr[] = {1, 1, 1, 1, 1, 1, 2, 2, 3, 9, 0};
    const double mo[] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 0};
    int32_t r[11], f[11], m[11];
    CHECK_EQ_INT(st_rfm_scores(ctx, rec, fr, mo, 11, r, f, m), ST_OK);
    /* R: below = number of larger values; day 1 has 9 larger -> 1 + 45/10 = 5; day 10 -> 1. */
    CHECK_EQ_INT(r[0], 5);
    CHECK_EQ_INT(r[1], 5);
    CHECK_EQ_INT(r[2], 4);
    CHECK_EQ_INT(r[9], 1);
    /* F: six tied 1s share score 1; the 2s have 6 below -> 1 + 30/10 = 4; 3 -> 1 + 40/10 = 5. */
    for (int i = 0; i < 6; i++) CHECK_EQ_INT(f[i], 1);
    CHECK_EQ_INT(f[6], 4);
    CHECK_EQ_INT(f[7], 4);
    CHECK_EQ_INT(f[8], 5);
    CHECK_EQ_INT(m[0], 1);
    CHECK_EQ_INT(m[9], 5);
    CHECK_EQ_INT(r[10], 0);
    CHECK_EQ_INT(st_rfm_segment(r[10], f[10], m[10]), ST_RFM_NO_PURCHASE);
    CHECK_STR(st_rfm_segment_name(ST_RFM_NO_PURCHASE), "No purchase");
    /* Order independence: reversed rows give the same scores. */
    double rec2[10], fr2[10], mo2[10];
    int32_t r2[10], f2[10], m2[10];
    for (int i = 0; i < 10; i++) {
        rec2[i] = rec[9 - i];
        fr2[i] = fr[9 - i];
        mo2[i] = mo[9 - i];
    }
    CHECK_EQ_INT(st_rfm_scores(ctx, rec2, fr2, mo2, 10, r2, f2, m2), ST_OK);
    for (int i = 0; i < 10; i++) CHECK(r2[i] == r[9 - i] && f2[i] == f[9 - i] && m2[i] == m[9 - i]);

    /* Priority order and every segment reachable. */
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(5, 5, 5)), "Champions");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(1, 5, 5)), "Can't Lose Them");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(3, 3, 3)), "Loyal Customers");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(2, 2, 2)), "Need Attention");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(1, 2, 2)), "At Risk");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(5, 1, 1)), "New Customers");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(3, 1, 1)), "Promising");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(5, 2, 2)), "Potential Loyalist");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(2, 1, 1)), "About To Sleep");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(1, 1, 1)), "Lost");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(1, 2, 1)), "Hibernating");
    CHECK_STR(st_rfm_segment_name(st_rfm_segment(1, 1, 5)), "Others");
    int seen[13] = {0};
    for (int a = 1; a <= 5; a++)
        for (int b = 1; b <= 5; b++)
            for (int c = 1; c <= 5; c++) seen[st_rfm_segment(a, b, c)]++;
    for (int s = 0; s < 12; s++) CHECK(seen[s] > 0);

    /* Eight classes: strict comparisons with the means (R: 5.5 days, F: 2.2, M: 55). */
    int32_t cls[11];
    CHECK_EQ_INT(st_rfm8_classes(ctx, rec, fr, mo, 11, cls), ST_OK);
    CHECK_EQ_INT(cls[0], 4);  /* recent, low F, low M: general development */
    CHECK_EQ_INT(cls[9], 3);  /* old, F 9, M 100: key retention */
    CHECK_EQ_INT(cls[5], 1);  /* day 6 > 5.5, F 1, M 60: key recovery */
    CHECK_EQ_INT(cls[10], -1);
    CHECK_STR(st_rfm8_name(7), "Key value");
    CHECK_STR(st_rfm8_name(0), "General recovery");
    CHECK_STR(st_rfm8_name(-1), "No purchase");
    CHECK_EQ_INT(st_rfm_class(1, 5, 5, 2, 2, 2), 7);
    CHECK_STR(st_value_segment_name(7), "Key customers");
    CHECK_STR(st_value_segment_name(0), "Non-valuable");
    CHECK(strncmp(st_value_segment_strategy(7), "retain", 6) == 0);
    CHECK(strncmp(st_value_segment_strategy(5), "nurture", 7) == 0);
    CHECK(strncmp(st_value_segment_strategy(0), "activate", 8) == 0);
    const double nanv[] = {NAN};
    CHECK_EQ_INT(st_rfm8_classes(ctx, nanv, nanv, nanv, 1, cls), ST_EEMPTY);

    /* Profiles: counts, means and medians per segment; NaN left out; label -1 skipped. */
    const int32_t pl[] = {0, 0, 0, 1, 1, -1};
    const double pr[] = {1, 2, 9, NAN, 4, 100}, pf[] = {1, 1, 4, 2, 2, 100}, pm[] = {10, 20, 60, 5, 7, 100};
    size_t cnt[2];
    double mean[6], med[6];
    CHECK_EQ_INT(st_segment_profile(ctx, pl, 6, 2, pr, pf, pm, cnt, mean, med), ST_OK);
    CHECK_EQ_INT(cnt[0], 3);
    CHECK_EQ_INT(cnt[1], 2);
    CHECK_NEAR(mean[0], 4.0, 1e-15);
    CHECK_NEAR(med[0], 2.0, 0);
    CHECK_NEAR(mean[3], 4.0, 0); /* the NaN recency is left out */
    CHECK_NEAR(med[5], 6.0, 0);  /* even count: mean of the middle two */
    CHECK_NEAR(mean[2], 30.0, 1e-15);
    const int32_t bad[] = {0, 2};
    CHECK_EQ_INT(st_segment_profile(ctx, bad, 2, 2, pr, pf, pm, cnt, mean, med), ST_EINVAL);
    /* Classes: population means over rows with finite R, F, M (row 3 left out): R 23.2, F 21.6, M 39.4. */
    int32_t cl[2];
    CHECK_EQ_INT(st_segment_classes(ctx, pl, 6, 2, pr, pf, pm, cl), ST_OK);
    CHECK_EQ_INT(cl[0], 4); /* mean R 4 is high (recent), F 2 and M 30 low */
    CHECK_EQ_INT(cl[1], 4);

    /* MB-RFM: two behaviours; behaviour 1 constant count -> entropy weight 0 -> omega (1, 0). */
    const double days[] = {1, 5, 3, NAN, 10, 2}, counts[] = {1, 7, 2, 7, 3, 7};
    const double ahp[] = {1, 3, 1.0 / 3, 1};
    double om[2], rr[3], ff[3];
    CHECK_EQ_INT(st_mbrfm_scores(ctx, days, counts, 3, 2, ahp, om, rr, ff), ST_OK);
    CHECK_NEAR(om[0], 1.0, 1e-15);
    CHECK_NEAR(om[1], 0.0, 0);
    CHECK_NEAR(rr[1], 3.0, 1e-15);
    CHECK_NEAR(ff[2], 3.0, 1e-15);
    /* Equal subjective weights, both informative: omega = eta, and NaN days use the column's largest. */
    const double counts2[] = {1, 1, 2, 3, 3, 2};
    CHECK_EQ_INT(st_mbrfm_scores(ctx, days, counts2, 3, 2, NULL, om, rr, ff), ST_OK);
    CHECK_NEAR(om[0] + om[1], 1.0, 1e-15);
    CHECK_NEAR(rr[1], om[0] * 3 + om[1] * 5, 1e-13);
    st_context_free(ctx);
    T_DONE();
}
