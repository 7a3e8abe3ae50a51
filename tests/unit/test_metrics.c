/* test_metrics.c -- silhouette, Davies-Bouldin and Calinski-Harabasz against values stored from
** scikit-learn 1.x on the same data (40 points, 4 labels of arbitrary values, one singleton), plus the
** edge cases: label count outside [2, n-1], duplicates, and the threaded path matching the serial one. */
#include "strata.h"
#include "test.h"

#include <stdint.h>

/* numpy default_rng(7), 3 clusters + a singleton, rows shuffled; values rounded to 3 decimals. */
static const double FX[] = {0.695,-1.344,-0.458,-0.176,3.794,0.702,0.06,1.34,-0.492,9.0,9.0,9.0,3.667,4.439,2.324,2.359,5.0,3.762,-0.891,-0.455,-0.992,1.801,3.075,3.577,-0.444,5.166,0.653,2.696,3.353,2.879,0.105,-0.93,-0.029,-0.235,-1.267,0.271,0.52,2.966,-0.079,-1.53,-0.478,-0.979,0.001,0.299,-0.274,-0.539,-0.049,0.113,2.803,1.886,2.988,3.689,2.673,2.631,-2.035,3.696,-0.9,1.813,2.421,2.804,1.052,3.995,0.583,2.811,3.683,2.933,-0.033,0.884,-0.584,-1.291,4.347,-1.688,0.164,6.245,-0.832,-0.024,4.668,-0.34,2.205,3.647,1.008,0.035,2.946,0.26,-1.225,0.076,1.359,1.453,3.859,3.119,-0.112,0.11,0.064,-0.809,1.061,-0.808,-0.62,0.49,0.357,-1.901,-1.29,-1.842,2.75,4.524,2.572,2.537,2.903,4.257,3.203,2.537,3.127,3.899,4.145,1.676,0.157,-0.187,-2.517,-0.624,4.205,0.493};
static const int32_t FL[] = {5,1,5,7,-2,-2,5,-2,1,-2,5,5,1,5,5,5,-2,-2,1,-2,1,-2,5,1,1,1,-2,1,5,-2,5,5,5,5,-2,-2,-2,-2,5,1};
/* silhouette_score, davies_bouldin_score, calinski_harabasz_score, silhouette_samples[0] */
static const double F_SIL = 0.5406788321373013, F_DB = 0.4981447756040985, F_CH = 76.0855677011528, F_S0 = 0.6215781486218841;

/* The metrics line and the profile comparison document (non-finite numbers and 0/0 rates as null). */
static void to_json(st_context *ctx)
{
    char *js = NULL;
    size_t len = 0;
    CHECK_EQ_INT(st_metrics_to_json(ctx, 0.5, NAN, 1e300, 3, &js, &len), ST_OK);
    CHECK_STR(js, "{\"silhouette\": 0.5, \"davies_bouldin\": null, \"calinski_harabasz\": 1e+300, \"rows\": 3}\n");
    CHECK_EQ_INT(len, strlen(js));
    st_free(ctx, js);
    CHECK_EQ_INT(st_metrics_to_json(ctx, 0, 0, 0, 0, NULL, NULL), ST_EINVAL);

    const char *beh[] = {"view", "buy"}, *models[] = {"A", "B"};
    const double om[] = {0.25, 0.75}, sil[] = {0.5, NAN}, db[] = {1, 2};
    const size_t nc[] = {4, 0}, nk[] = {1, 0}, nv[] = {2, 0};
    CHECK_EQ_INT(st_profile_compare_to_json(ctx, beh, om, 2, models, 2, nc, nk, nv, sil, db, &js, NULL), ST_OK);
    CHECK_STR(js, "{\n  \"behaviour_weights\": {\"view\": 0.25, \"buy\": 0.75},\n"
                  "  \"A\": {\"customers\": 4, \"key_customers\": 1, \"key_rate\": 0.25, \"non_valuable\": 2, "
                  "\"non_valuable_rate\": 0.5, \"silhouette\": 0.5, \"davies_bouldin\": 1},\n"
                  "  \"B\": {\"customers\": 0, \"key_customers\": 0, \"key_rate\": null, \"non_valuable\": 0, "
                  "\"non_valuable_rate\": null, \"silhouette\": null, \"davies_bouldin\": 2}\n}\n");
    st_free(ctx, js);
    CHECK_EQ_INT(st_profile_compare_to_json(ctx, beh, om, 2, NULL, 2, nc, nk, nv, sil, db, &js, NULL), ST_EINVAL);
    CHECK(js == NULL);
}

int main(void)
{
    st_context *ctx;
    if (st_context_new(&ctx)) return 1;
    to_json(ctx);
    size_t n = 40, d = 3;
    double sil, db, ch, samples[40];
    CHECK_EQ_INT(st_metric_silhouette(ctx, FX, n, d, FL, &sil, samples), ST_OK);
    CHECK_NEAR(sil, F_SIL, 1e-12);
    CHECK_NEAR(samples[0], F_S0, 1e-12);
    CHECK_NEAR(samples[3], 0.0, 0); /* row 3 is alone in its cluster */
    CHECK_EQ_INT(st_metric_davies_bouldin(ctx, FX, n, d, FL, &db), ST_OK);
    CHECK_NEAR(db, F_DB, 1e-12);
    CHECK_EQ_INT(st_metric_calinski_harabasz(ctx, FX, n, d, FL, &ch), ST_OK);
    CHECK_REL(ch, F_CH, 1e-12);

    /* Label counts: 1 label and n labels are refused, as in sklearn. */
    int32_t one[4] = {3, 3, 3, 3}, all[4] = {0, 1, 2, 3};
    const double x4[] = {0, 1, 2, 3};
    CHECK_EQ_INT(st_metric_silhouette(ctx, x4, 4, 1, one, &sil, NULL), ST_EDATA);
    CHECK_EQ_INT(st_metric_silhouette(ctx, x4, 4, 1, all, &sil, NULL), ST_EDATA);
    CHECK_EQ_INT(st_metric_davies_bouldin(ctx, x4, 4, 1, all, &db), ST_EDATA);
    CHECK_EQ_INT(st_metric_calinski_harabasz(ctx, x4, 4, 1, one, &ch), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "2 to n_samples - 1") != NULL);

    /* Hand-computed 1-D case: {0, 1} vs {3}: s(0) = (3 - 1)/3, s(1) = (2 - 1)/2, singleton 0. */
    const double x3[] = {0, 1, 3};
    int32_t l3[3] = {0, 0, 1};
    CHECK_EQ_INT(st_metric_silhouette(ctx, x3, 3, 1, l3, &sil, samples), ST_OK);
    CHECK_NEAR(samples[0], 2.0 / 3, 1e-15);
    CHECK_NEAR(samples[1], 0.5, 1e-15);
    CHECK_NEAR(sil, (2.0 / 3 + 0.5) / 3, 1e-15);
    /* CH: centroids 0.5 and 3, mean 4/3: extra = 2*(5/6)^2 + (5/3)^2, intra = 0.5; (n-k)/(k-1) = 1. */
    CHECK_EQ_INT(st_metric_calinski_harabasz(ctx, x3, 3, 1, l3, &ch), ST_OK);
    CHECK_NEAR(ch, (2 * 25.0 / 36 + 25.0 / 9) / 0.5, 1e-12);
    /* DB: s = (0.5, 0), M = 2.5: both rows give 0.5/2.5. */
    CHECK_EQ_INT(st_metric_davies_bouldin(ctx, x3, 3, 1, l3, &db), ST_OK);
    CHECK_NEAR(db, 0.2, 1e-15);
    /* Duplicated points: a = b = 0 gives 0; W = 0 gives CH 1; all s = 0 gives DB 0. */
    const double xd[] = {1, 1, 2, 2};
    int32_t ld[4] = {0, 0, 1, 1};
    CHECK_EQ_INT(st_metric_calinski_harabasz(ctx, xd, 4, 1, ld, &ch), ST_OK);
    CHECK_NEAR(ch, 1.0, 0);
    CHECK_EQ_INT(st_metric_davies_bouldin(ctx, xd, 4, 1, ld, &db), ST_OK);
    CHECK_NEAR(db, 0.0, 0);
    CHECK_EQ_INT(st_metric_silhouette(ctx, xd, 4, 1, ld, &sil, NULL), ST_OK);
    CHECK_NEAR(sil, 1.0, 0);
    const double xs[] = {1, 1, 1, 1};
    CHECK_EQ_INT(st_metric_silhouette(ctx, xs, 4, 1, ld, &sil, NULL), ST_OK);
    CHECK_NEAR(sil, 0.0, 0);

    /* The blocked, threaded path (n >= 2000) equals a direct O(n^2) computation. */
    size_t nb = 2500;
    double *xb = malloc(nb * 2 * sizeof *xb), *sb = malloc(nb * sizeof *sb);
    int32_t *lb = malloc(nb * sizeof *lb);
    uint64_t s = 12345;
    for (size_t i = 0; i < nb * 2; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        xb[i] = (double)(s >> 11) / 9007199254740992.0 + (double)((i / 2) % 3);
    }
    for (size_t i = 0; i < nb; i++) lb[i] = (int32_t)(i % 3);
    st_context_set_threads(ctx, 2);
    CHECK_EQ_INT(st_metric_silhouette(ctx, xb, nb, 2, lb, &sil, sb), ST_OK);
    double tot = 0, maxdiff = 0;
    for (size_t i = 0; i < nb; i++) {
        double sum[3] = {0, 0, 0};
        for (size_t j = 0; j < nb; j++) {
            double dx = xb[i * 2] - xb[j * 2], dy = xb[i * 2 + 1] - xb[j * 2 + 1];
            sum[lb[j]] += sqrt(dx * dx + dy * dy);
        }
        size_t cnt = nb / 3 + (i % 3 < nb % 3);
        double a = sum[lb[i]] / (double)(cnt - 1), b = INFINITY;
        for (int l = 0; l < 3; l++)
            if (l != lb[i]) {
                double v = sum[l] / (double)(nb / 3 + ((size_t)l < nb % 3));
                if (v < b) b = v;
            }
        double si = (b - a) / (a > b ? a : b);
        tot += si;
        if (fabs(si - sb[i]) > maxdiff) maxdiff = fabs(si - sb[i]);
    }
    CHECK(maxdiff < 1e-12);
    CHECK_NEAR(sil, tot / (double)nb, 1e-12);
    st_context_set_threads(ctx, 1);
    double sil1;
    CHECK_EQ_INT(st_metric_silhouette(ctx, xb, nb, 2, lb, &sil1, NULL), ST_OK);
    CHECK_NEAR(sil1, sil, 1e-12);
    free(xb);
    free(sb);
    free(lb);
    st_context_free(ctx);
    T_DONE();
}
