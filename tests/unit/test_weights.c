/* test_weights.c -- entropy weights, AHP and combined weights against hand-computed values. */
#include "strata.h"
#include "test.h"

#include <string.h>

/* st_ahp_parse: the same matrix with and without a header, row names, CRLF, a BOM and blank lines; the
** errors name line and column. */
static void ahp_parse(st_context *ctx)
{
    static const char *const same[] = {
        "1,3,5\n1/3,1,3\n1/5,1/3,1\n",
        "a,b,c\n1,3,5\n1/3,1,3\n1/5,1/3,1",
        "\xEF\xBB\xBFname,a,b,c\r\na,1,3,5\r\nb, 1/3 ,1,3\r\n\r\nc,0.2,1/3,1\r\n\r\n",
        "x,1,3,5\ny,1/3,1,3\nz,1/5,1/3,1\n",
    };
    const double want[9] = {1, 3, 5, 1.0 / 3, 1, 3, 0.2, 1.0 / 3, 1};
    for (size_t k = 0; k < sizeof same / sizeof same[0]; k++) {
        double a[9];
        CHECK_EQ_INT(st_ahp_parse(ctx, same[k], strlen(same[k]), "m.csv", 3, a), ST_OK);
        for (int i = 0; i < 9; i++) CHECK_NEAR(a[i], want[i], 0);
    }
    double a[9];
    const char *bad = "1,3,5\n1/3,1,3\n1/5,1/0,1\n";
    CHECK_EQ_INT(st_ahp_parse(ctx, bad, strlen(bad), "m.csv", 3, a), ST_EPARSE);
    CHECK(strstr(st_errmsg(ctx), "m.csv:3:5:") != NULL);
    bad = "1,3\n1/3,1\n1,1\n";
    CHECK_EQ_INT(st_ahp_parse(ctx, bad, strlen(bad), "m.csv", 2, a), ST_EPARSE);
    CHECK(strstr(st_errmsg(ctx), "m.csv:3:") != NULL && strstr(st_errmsg(ctx), "square") != NULL);
    bad = "a,b\n";
    CHECK_EQ_INT(st_ahp_parse(ctx, bad, strlen(bad), NULL, 2, a), ST_EPARSE);
    CHECK_EQ_INT(st_ahp_parse(ctx, bad, strlen(bad), NULL, 0, a), ST_EINVAL);
}

/* The weights document: maps on one line, null without AHP, non-finite numbers as null. */
static void to_json(st_context *ctx)
{
    const char *names[] = {"a", "b\"q"};
    const double e[] = {0.5, 1}, eta[] = {1, 0}, theta[] = {0.25, 0.75}, om[] = {NAN, 0};
    char *js = NULL;
    size_t len = 0;
    CHECK_EQ_INT(st_weights_to_json(ctx, names, 2, e, eta, theta, 2, 0.125, -0, om, 7, &js, &len), ST_OK);
    CHECK_STR(js, "{\n  \"entropy\": {\"a\": 0.5, \"b\\\"q\": 1},\n"
                  "  \"entropy_weights\": {\"a\": 1, \"b\\\"q\": 0},\n"
                  "  \"ahp_weights\": {\"a\": 0.25, \"b\\\"q\": 0.75},\n"
                  "  \"lambda_max\": 2,\n  \"ci\": 0.125,\n  \"cr\": 0,\n  \"rows\": 7,\n"
                  "  \"combined_weights\": {\"a\": null, \"b\\\"q\": 0}\n}\n");
    CHECK_EQ_INT(len, strlen(js));
    st_free(ctx, js);
    CHECK_EQ_INT(st_weights_to_json(ctx, names, 1, e, eta, NULL, 2, 0.125, 0, eta, 1, &js, NULL), ST_OK);
    CHECK_STR(js, "{\n  \"entropy\": {\"a\": 0.5},\n  \"entropy_weights\": {\"a\": 1},\n  \"ahp_weights\": null,\n"
                  "  \"lambda_max\": null,\n  \"ci\": null,\n  \"cr\": null,\n  \"rows\": 1,\n"
                  "  \"combined_weights\": {\"a\": 1}\n}\n");
    st_free(ctx, js);
    CHECK_EQ_INT(st_weights_to_json(ctx, NULL, 1, e, eta, NULL, 0, 0, 0, eta, 1, &js, NULL), ST_EINVAL);
    CHECK(js == NULL);
    CHECK_EQ_INT(st_weights_to_json(ctx, names, 1, e, eta, NULL, 0, 0, 0, eta, 1, NULL, NULL), ST_EINVAL);
}

int main(void)
{
    st_context *ctx;
    if (st_context_new(&ctx)) return 1;
    ahp_parse(ctx);
    to_json(ctx);

    /* col0 normalises to 0, .5, 1 (p = 0, 1/3, 2/3), col1 is constant, col2 to 0, 0, 1 (p = 0, 0, 1). */
    const double x[] = {1, 5, 1, 2, 5, 1, 3, 5, 4};
    double e[3], w[3];
    CHECK_EQ_INT(st_weights_entropy(ctx, x, 3, 3, NULL, e, w), ST_OK);
    double h0 = -(1.0 / 3 * log(1.0 / 3) + 2.0 / 3 * log(2.0 / 3)) / log(3.0);
    CHECK_NEAR(e[0], h0, 1e-14);
    CHECK_NEAR(e[1], 1.0, 0);
    CHECK_NEAR(e[2], 0.0, 0);
    double dsum = (1 - h0) + 1.0;
    CHECK_NEAR(w[0], (1 - h0) / dsum, 1e-14);
    CHECK_NEAR(w[1], 0.0, 0);
    CHECK_NEAR(w[2], 1.0 / dsum, 1e-14);
    /* A cost column reverses to 1, .5, 0: same entropy. */
    int cost[3] = {1, 0, 0};
    double wc[3];
    CHECK_EQ_INT(st_weights_entropy(ctx, x, 3, 3, cost, NULL, wc), ST_OK);
    CHECK_NEAR(wc[0], w[0], 1e-14);
    double nx[9];
    CHECK_EQ_INT(st_minmax_normalize(ctx, x, 3, 3, cost, nx), ST_OK);
    CHECK_NEAR(nx[0], 1.0, 0);
    CHECK_NEAR(nx[3], 0.5, 0);
    CHECK_NEAR(nx[6], 0.0, 0);
    CHECK_NEAR(nx[4], 0.0, 0);
    /* n = 2: a varying column has e = 0; n = 1 and all-constant give equal weights, never NaN. */
    const double x2[] = {1, 7, 2, 7};
    CHECK_EQ_INT(st_weights_entropy(ctx, x2, 2, 2, NULL, e, w), ST_OK);
    CHECK_NEAR(e[0], 0.0, 0);
    CHECK_NEAR(w[0], 1.0, 0);
    CHECK_NEAR(w[1], 0.0, 0);
    CHECK_EQ_INT(st_weights_entropy(ctx, x2, 1, 2, NULL, e, w), ST_OK);
    CHECK_NEAR(w[0], 0.5, 0);
    CHECK_NEAR(w[1], 0.5, 0);
    const double x3[] = {4, 4, 4, 4};
    CHECK_EQ_INT(st_weights_entropy(ctx, x3, 2, 2, NULL, e, w), ST_OK);
    CHECK_NEAR(w[0], 0.5, 0);
    CHECK(!isnan(e[0]) && e[0] == 1.0);
    const double xn[] = {1, NAN};
    CHECK_EQ_INT(st_weights_entropy(ctx, xn, 2, 1, NULL, e, w), ST_EDATA);

    /* AHP: a consistent matrix gives 4/7, 2/7, 1/7 and CR 0. */
    const double a1[] = {1, 2, 4, 0.5, 1, 2, 0.25, 0.5, 1};
    double lam, ci, cr, th[3];
    CHECK_EQ_INT(st_ahp_weights(ctx, a1, 3, th, &lam, &ci, &cr), ST_OK);
    CHECK_NEAR(th[0], 4.0 / 7, 1e-12);
    CHECK_NEAR(th[2], 1.0 / 7, 1e-12);
    CHECK_NEAR(lam, 3.0, 1e-12);
    CHECK_NEAR(cr, 0.0, 1e-12);
    /* Inconsistent 3x3: numpy.linalg.eig gives these. */
    const double a2[] = {1, 3, 5, 1.0 / 3, 1, 3, 1.0 / 5, 1.0 / 3, 1};
    CHECK_EQ_INT(st_ahp_weights(ctx, a2, 3, th, &lam, &ci, &cr), ST_OK);
    CHECK_NEAR(th[0], 0.6369855717447568, 1e-12);
    CHECK_NEAR(th[1], 0.2582849943744952, 1e-12);
    CHECK_NEAR(th[2], 0.10472943388074796, 1e-12);
    CHECK_NEAR(lam, 3.0385110905581727, 1e-12);
    CHECK_NEAR(ci, 0.01925554527908635, 1e-12);
    CHECK_NEAR(cr, 0.03319921599842474, 1e-12);
    /* n <= 2: CR is 0 by definition. */
    const double a3[] = {1, 3, 1.0 / 3, 1};
    CHECK_EQ_INT(st_ahp_weights(ctx, a3, 2, th, &lam, &ci, &cr), ST_OK);
    CHECK_NEAR(th[0], 0.75, 1e-14);
    CHECK_NEAR(cr, 0.0, 0);
    const double a4[] = {1};
    CHECK_EQ_INT(st_ahp_weights(ctx, a4, 1, th, &lam, &ci, &cr), ST_OK);
    CHECK_NEAR(th[0], 1.0, 0);
    /* Refused: not reciprocal, not positive. */
    const double a5[] = {1, 3, 0.5, 1};
    CHECK_EQ_INT(st_ahp_weights(ctx, a5, 2, th, NULL, NULL, NULL), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "reciprocal") != NULL);
    const double a6[] = {1, -1, -1, 1};
    CHECK_EQ_INT(st_ahp_weights(ctx, a6, 2, th, NULL, NULL, NULL), ST_EDATA);
    const double a7[] = {1, 3, 0.3333333, 1}; /* within 1e-6 relative */
    CHECK_EQ_INT(st_ahp_weights(ctx, a7, 2, th, NULL, NULL, NULL), ST_OK);

    /* Combined: theta * eta normalised; eta = 0 zeroes the indicator. */
    const double t3[] = {0.5, 0.3, 0.2}, e3[] = {0.2, 0.0, 0.8};
    double om[3];
    CHECK_EQ_INT(st_weights_combine(ctx, t3, e3, 3, om), ST_OK);
    CHECK_NEAR(om[0], 0.1 / 0.26, 1e-15);
    CHECK_NEAR(om[1], 0.0, 0);
    CHECK_NEAR(om[2], 0.16 / 0.26, 1e-15);
    const double z3[] = {0, 0, 0};
    CHECK_EQ_INT(st_weights_combine(ctx, t3, z3, 3, om), ST_EDATA);

    /* z-score scaling uses the population sd; a constant column becomes 0. */
    const double s[] = {1, 3, 3, 3};
    double so[4];
    CHECK_EQ_INT(st_scale_columns(ctx, s, 2, 2, ST_SCALE_ZSCORE, so), ST_OK);
    CHECK_NEAR(so[0], -1.0, 1e-15);
    CHECK_NEAR(so[2], 1.0, 1e-15);
    CHECK_NEAR(so[1], 0.0, 0);
    st_context_free(ctx);
    T_DONE();
}
