/*
** test_uplift.c -- uplift evaluation (src/eval/uplift.c): scikit-uplift's own test vectors, the ten-row
** vectors of ../shared/reference/decision_anchors.md (section 1.1), the tie order, curve thinning, the table
** front end with arm columns and file:line errors, policy values by hand, and allocation failures.
*/
#include "failalloc.h"
#include "strata.h"
#include "test.h"

#include <math.h>
#include <string.h>

static st_uplift_eval *eval(st_context *ctx, const double *y, const double *t, const double *s, size_t n, double k,
                            size_t bins, size_t points)
{
    st_uplift_eval_options o;
    st_uplift_eval_options_init(&o);
    o.k = k;
    o.bins = bins;
    o.curve_points = points;
    st_uplift_eval *e = NULL;
    st_status rc = st_uplift_eval_new(ctx, y, t, s, n, &o, &e);
    if (rc) fprintf(stderr, "st_uplift_eval_new: %s\n", st_errmsg(ctx));
    CHECK_EQ_INT(rc, ST_OK);
    return e;
}

static void check_curve(const st_uplift_eval *e, st_uplift_curve c, const double *wx, const double *wy, size_t m)
{
    const double *x, *y;
    size_t n = st_uplift_eval_curve(e, c, &x, &y);
    CHECK_EQ_INT(n, m);
    for (size_t i = 0; i < n && i < m; i++) {
        CHECK_NEAR(x[i], wx[i], 0.0);
        CHECK_NEAR(y[i], wy[i], 1e-12);
    }
}

/* sklift/tests/test_metrics.py */
static void sklift_vectors(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    const double s2[2] = {0.1, 0.3};
    const double a_y[2] = {0, 1}, a_t[2] = {1, 0}, b_y[2] = {1, 0}, b_t[2] = {0, 1};
    st_uplift_eval *e = eval(ctx, a_y, a_t, s2, 2, 0.5, 1, 0);
    CHECK_NEAR(st_uplift_eval_scores(e)->qini_auc, 1.0, 1e-15);
    CHECK_NEAR(st_uplift_eval_scores(e)->uplift_auc, 0.0, 1e-15);
    st_uplift_eval_free(e);
    e = eval(ctx, b_y, b_t, s2, 2, 0.5, 1, 0);
    CHECK_NEAR(st_uplift_eval_scores(e)->qini_auc, 1.0, 1e-15);
    CHECK_NEAR(st_uplift_eval_scores(e)->uplift_auc, 1.0, 1e-15);
    st_uplift_eval_free(e);
    /* make_predictions(binary=True): y = [0, 1, 0], t = [0, 1, 1]; one run of equal scores */
    const double y[3] = {0, 1, 0}, t[3] = {0, 1, 1}, s[3] = {0.5, 0.5, 0.5};
    e = eval(ctx, y, t, s, 3, 0.5, 1, 0);
    check_curve(e, ST_UPLIFT_UPLIFT, (const double[]){0, 3}, (const double[]){0, 1.5}, 2);
    check_curve(e, ST_UPLIFT_QINI, (const double[]){0, 3}, (const double[]){0, 1}, 2);
    check_curve(e, ST_UPLIFT_UPLIFT_PERFECT, (const double[]){0, 1, 2, 3}, (const double[]){0, 1, 2, 1.5}, 4);
    check_curve(e, ST_UPLIFT_QINI_PERFECT, (const double[]){0, 1, 3}, (const double[]){0, 1, 1}, 3);
    st_uplift_eval_free(e);
    st_context_free(ctx);
}

/* decision_anchors.md 1.1, the ten rows (curves; AUCs to the figures given) and the port's other figures */
static const double Y10[10] = {1, 0, 1, 0, 0, 1, 0, 0, 1, 0}, T10[10] = {1, 1, 1, 0, 0, 0, 1, 0, 1, 0},
                    S10[10] = {.9, .8, .7, .6, .5, .4, .3, .2, .1, .05};

static void anchors(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    st_uplift_eval *e = eval(ctx, Y10, T10, S10, 10, 0.3, 3, 0);
    const st_uplift_scores *s = st_uplift_eval_scores(e);
    const double x[11] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    check_curve(e, ST_UPLIFT_QINI, x, (const double[]){0, 1, 1, 2, 2, 2, 1, 2.0 / 3, 1, 1.75, 2}, 11);
    check_curve(e, ST_UPLIFT_UPLIFT, x, (const double[]){0, 1, 1, 2, 8.0 / 3, 10.0 / 3, 2, 7.0 / 6, 2, 3.15, 4}, 11);
    CHECK_NEAR(s->qini_auc, 0.227778, 5e-7);
    CHECK_NEAR(s->uplift_auc, 0.014660, 5e-7);
    CHECK_NEAR(s->qini_auc, 0.22777777777777786, 1e-13); /* the numpy port's figures */
    CHECK_NEAR(s->uplift_auc, 0.014660493827160484, 1e-13);
    CHECK_EQ_INT(s->n_treatment, 5);
    CHECK_EQ_INT(s->binary_outcome, 1);
    CHECK_EQ_INT(s->curve_points, 11);
    /* top 3 rows are all treated: no control mean, NaN as numpy's mean of nothing */
    CHECK_EQ_INT(s->k_overall, 3);
    CHECK(isnan(s->uplift_at_k_overall));
    CHECK_EQ_INT(s->k_treatment, 1);
    CHECK_NEAR(s->uplift_at_k_by_group, 1.0, 0);
    CHECK_NEAR(s->weighted_average_uplift, 0.5, 1e-15);
    size_t nb;
    const st_uplift_bin *b = st_uplift_eval_bins(e, &nb);
    CHECK_EQ_INT(nb, 3);
    CHECK_EQ_INT(b[0].percentile_lo, 0);
    CHECK_EQ_INT(b[0].percentile_hi, 33);
    CHECK_EQ_INT(b[1].percentile_hi, 67);
    CHECK_EQ_INT(b[2].percentile_hi, 100);
    CHECK_EQ_INT(b[0].n_treatment, 3); /* array_split: 4, 3, 3 rows */
    CHECK_EQ_INT(b[0].n_control, 1);
    CHECK_NEAR(b[0].uplift, 2.0 / 3, 1e-15);
    CHECK_NEAR(b[1].uplift, -0.5, 1e-15);
    CHECK_NEAR(b[2].uplift, 1.0, 1e-15);
    char *text = NULL;
    size_t len = 0;
    CHECK_EQ_INT(st_uplift_eval_json(ctx, e, &text, &len), ST_OK);
    CHECK(text && strstr(text, "\"overall\": null") && strstr(text, "\"percentile\": \"33-67\""));
    CHECK(text && strlen(text) == len);
    st_free(ctx, text);
    st_uplift_eval_free(e);
    /* Thinned curves: 4 of 11 points at positions round(j 10 / 3) = 0, 3, 7, 10; the AUC is unchanged. */
    e = eval(ctx, Y10, T10, S10, 10, 0.3, 3, 4);
    check_curve(e, ST_UPLIFT_QINI, (const double[]){0, 3, 7, 10}, (const double[]){0, 2, 2.0 / 3, 2}, 4);
    CHECK_NEAR(st_uplift_eval_scores(e)->qini_auc, 0.22777777777777786, 1e-13);
    CHECK_EQ_INT(st_uplift_eval_scores(e)->curve_points, 11);
    st_uplift_eval_free(e);
    /* bins 8: labels round(12.5) = 12, round(37.5) = 38, round(62.5) = 62, round(87.5) = 88 (half to even) */
    e = eval(ctx, Y10, T10, S10, 10, 0.3, 8, 0);
    b = st_uplift_eval_bins(e, &nb);
    CHECK_EQ_INT(nb, 8);
    CHECK_EQ_INT(b[0].percentile_hi, 12);
    CHECK_EQ_INT(b[2].percentile_hi, 38);
    CHECK_EQ_INT(b[4].percentile_hi, 62);
    CHECK_EQ_INT(b[6].percentile_hi, 88);
    CHECK_EQ_INT(b[0].n_treatment + b[0].n_control, 2); /* 10 = 2 + 2 + 1 x 6 */
    CHECK_EQ_INT(b[2].n_treatment + b[2].n_control, 1);
    st_uplift_eval_free(e);
    st_context_free(ctx);
}

/* Among equal scores the later row comes first (argsort(kind="mergesort")[::-1]); -0 equals 0. */
static void ties(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    const double y[4] = {0, 1, 1, 0}, t[4] = {1, 1, 0, 0}, s[4] = {1, 1, -0.0, 0};
    st_uplift_eval *e = eval(ctx, y, t, s, 4, 1, 1, 0);
    const st_uplift_scores *sc = st_uplift_eval_scores(e);
    /* by_group with k = 1 row each: the treated row 2 (y 1) and the control row 4 (y 0) */
    CHECK_NEAR(sc->uplift_at_k_by_group, 1.0, 0);
    /* overall top 1: row 2, treated only */
    CHECK(isnan(sc->uplift_at_k_overall));
    CHECK_EQ_INT(sc->curve_points, 3); /* two runs: {1, 1} and {-0, 0} */
    st_uplift_eval_free(e);
    st_context_free(ctx);
}

/* Continuous outcome: both perfect curves rank by y t - y (1 - t). */
static void continuous(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    const double y[4] = {10, 0, 5, 2}, t[4] = {1, 1, 0, 0}, s[4] = {0.4, 0.3, 0.2, 0.1};
    st_uplift_eval *e = eval(ctx, y, t, s, 4, 0.5, 1, 0);
    CHECK_EQ_INT(st_uplift_eval_scores(e)->binary_outcome, 0);
    /* oracle order: treated 10 (score 10), treated 0 (0), control 2 (-2), control 5 (-5) */
    check_curve(e, ST_UPLIFT_QINI_PERFECT, (const double[]){0, 1, 2, 3, 4}, (const double[]){0, 10, 10, 6, 3}, 5);
    check_curve(e, ST_UPLIFT_UPLIFT_PERFECT, (const double[]){0, 1, 2, 3, 4},
                (const double[]){0, 10, 10, 9, 6}, 5);
    /* the score's order is the oracle's but for the two control rows: qini 0 10 10 0 3 */
    check_curve(e, ST_UPLIFT_QINI, (const double[]){0, 1, 2, 3, 4}, (const double[]){0, 10, 10, 0, 3}, 5);
    st_uplift_eval_free(e);
    st_context_free(ctx);
}

static void errors(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    st_uplift_eval_options o;
    st_uplift_eval_options_init(&o);
    o.bins = 2;
    st_uplift_eval *e = NULL;
    double y[4] = {0, 1, 0, 1}, t[4] = {0, 1, 2, 1}, s[4] = {1, 2, 3, 4};
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, t, s, 4, &o, &e), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 3: treatment 2 is not 0 or 1") != NULL);
    CHECK(e == NULL);
    t[2] = 0;
    y[1] = NAN;
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, t, s, 4, &o, &e), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 2: outcome is missing") != NULL);
    y[1] = 1;
    s[3] = INFINITY;
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, t, s, 4, &o, &e), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 4: score is infinite") != NULL);
    s[3] = 4;
    const double all1[4] = {1, 1, 1, 1};
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, all1, s, 4, &o, &e), ST_EDATA);
    o.bins = 4;
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, t, s, 4, &o, &e), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "4 bins") != NULL);
    o.bins = 2;
    o.k = 1.5;
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, t, s, 4, &o, &e), ST_EINVAL);
    o.k = 0;
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, t, s, 4, &o, &e), ST_EINVAL);
    o.k = 3; /* a count above the 2 treated rows */
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, t, s, 4, &o, &e), ST_EDATA);
    o.k = 4;
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, t, s, 4, &o, &e), ST_EDATA);
    o.k = 0.3;
    o.curve_points = 1;
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, t, s, 4, &o, &e), ST_EINVAL);
    o.curve_points = 0;
    CHECK_EQ_INT(st_uplift_eval_new(ctx, y, t, s, 0, &o, &e), ST_EDATA);
    CHECK_EQ_INT(st_uplift_eval_new(ctx, NULL, t, s, 4, &o, &e), ST_EINVAL);
    CHECK(st_uplift_eval_scores(NULL) == NULL);
    CHECK_EQ_INT(st_uplift_eval_curve(NULL, ST_UPLIFT_QINI, NULL, NULL), 0);
    st_uplift_eval_free(NULL);
    st_context_free(ctx);
}

/* A table: arm names, 0/1 numbers, and the file:line messages. */
static st_table *arm_table(st_context *ctx, const char *const *arm, const double *y, const double *s, size_t n)
{
    st_table *t = NULL;
    CHECK_EQ_INT(st_table_new(ctx, "row", n, &t), ST_OK);
    CHECK_EQ_INT(st_table_add_str(t, "arm"), ST_OK);
    for (size_t i = 0; i < n; i++) st_table_set_str(t, 1, i, arm[i]);
    CHECK_EQ_INT(st_table_add_f64(t, "y", ST_COL_F64, y), ST_OK);
    CHECK_EQ_INT(st_table_add_f64(t, "s", ST_COL_F64, s), ST_OK);
    return t;
}

static void table(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    const char *arm[10] = {"a", "b", "a", "c", "c", "c", "b", "c", "a", "c"};
    /* rows of arm a or b are the treated rows of the anchors */
    st_table *t = arm_table(ctx, arm, Y10, S10, 10);
    st_uplift_eval_options o;
    st_uplift_eval_options_init(&o);
    o.treatment_col = "arm";
    o.outcome_col = "y";
    o.score_col = "s";
    o.bins = 3;
    st_uplift_eval *e = NULL;
    CHECK_EQ_INT(st_uplift_eval_table(ctx, t, "x.csv", &o, &e), ST_EINVAL); /* names need a control */
    CHECK(strstr(st_errmsg(ctx), "--control") != NULL);
    o.control = "c";
    CHECK_EQ_INT(st_uplift_eval_table(ctx, t, "x.csv", &o, &e), ST_OK);
    CHECK_NEAR(st_uplift_eval_scores(e)->qini_auc, 0.22777777777777786, 1e-13);
    st_uplift_eval_free(e);
    o.arm = "a"; /* rows of b are left out: 8 rows */
    CHECK_EQ_INT(st_uplift_eval_table(ctx, t, "x.csv", &o, &e), ST_OK);
    CHECK_EQ_INT(st_uplift_eval_scores(e)->n, 8);
    CHECK_EQ_INT(st_uplift_eval_scores(e)->n_treatment, 3);
    st_uplift_eval_free(e);
    o.arm = "z";
    CHECK_EQ_INT(st_uplift_eval_table(ctx, t, "x.csv", &o, &e), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "no row has the arm 'z'") != NULL);
    o.arm = NULL;
    o.control = "zz";
    CHECK_EQ_INT(st_uplift_eval_table(ctx, t, "x.csv", &o, &e), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "control arm 'zz'") != NULL);
    o.control = "c";
    st_table_set_str(t, 1, 4, "");
    CHECK_EQ_INT(st_uplift_eval_table(ctx, t, "x.csv", &o, &e), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "x.csv:6: missing arm") != NULL);
    st_table_set_str(t, 1, 4, "c");
    st_table_f64_mut(t, 2)[6] = NAN;
    CHECK_EQ_INT(st_uplift_eval_table(ctx, t, "x.csv", &o, &e), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "x.csv:8: outcome 'y' is missing (NaN)") != NULL);
    st_table_f64_mut(t, 2)[6] = 0;
    /* a numeric treatment column without a control must hold 0 and 1 */
    CHECK_EQ_INT(st_table_add_f64(t, "t", ST_COL_F64, T10), ST_OK);
    o.treatment_col = "t";
    o.control = NULL;
    CHECK_EQ_INT(st_uplift_eval_table(ctx, t, "x.csv", &o, &e), ST_OK);
    CHECK_NEAR(st_uplift_eval_scores(e)->qini_auc, 0.22777777777777786, 1e-13);
    st_uplift_eval_free(e);
    st_table_f64_mut(t, 4)[2] = 2;
    CHECK_EQ_INT(st_uplift_eval_table(ctx, t, "x.csv", &o, &e), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "x.csv:4: treatment 2 is not 0 or 1") != NULL);
    o.outcome_col = "nope";
    CHECK_EQ_INT(st_uplift_eval_table(ctx, t, "x.csv", &o, &e), ST_EINVAL);
    st_table_free(t);
    st_context_free(ctx);
}

/* IPW policy value by hand: 6 rows, arms c (control, 3 rows), a (3 rows); shares 1/2. */
static void policy(void)
{
    st_context *ctx;
    st_context_new(&ctx);
    const char *arm[6] = {"c", "a", "c", "a", "c", "a"}, *pol[6] = {"a", "a", "c", "c", "a", "a"};
    const double y[6] = {1, 2, 3, 4, 5, 6}, s[6] = {0};
    st_table *t = arm_table(ctx, arm, y, s, 6);
    CHECK_EQ_INT(st_table_add_str(t, "pol"), ST_OK);
    for (size_t i = 0; i < 6; i++) st_table_set_str(t, 4, i, pol[i]);
    char *json = NULL;
    size_t len = 0;
    CHECK_EQ_INT(st_uplift_policy_json(ctx, t, "p.csv", "arm", "c", "y", "pol", &json, &len), ST_OK);
    /* z = 1[A = pi] y / 0.5: rows 2 (a, a): 4, row 3 (c, c): 6, row 6 (a, a): 12, others 0 -> value 22/6 */
    CHECK(json && strstr(json, "\"policy\": {\"value\": 3.6666666666666665") != NULL);
    /* all-control: mean of arm c = 3; all-a: 4 */
    CHECK(json && strstr(json, "\"name\": \"c\", \"n\": 3, \"share\": 0.5, \"assigned\": 2, \"value\": 3,") != NULL);
    CHECK(json && strstr(json, "\"name\": \"a\", \"n\": 3, \"share\": 0.5, \"assigned\": 4, \"value\": 4,") != NULL);
    st_free(ctx, json);
    st_table_set_str(t, 4, 3, "b");
    CHECK_EQ_INT(st_uplift_policy_json(ctx, t, "p.csv", "arm", "c", "y", "pol", &json, &len), ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "p.csv:5: policy 'b'") != NULL);
    st_table_set_str(t, 4, 3, "c");
    CHECK_EQ_INT(st_uplift_policy_json(ctx, t, "p.csv", "arm", "x", "y", "pol", &json, &len), ST_EDATA);
    CHECK_EQ_INT(st_uplift_policy_json(ctx, t, "p.csv", "arm", NULL, "y", "pol", &json, &len), ST_EINVAL);
    st_table_free(t);
    st_context_free(ctx);
}

static st_status job_eval(t_failer *f, void *arg)
{
    const double *y = arg;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    st_uplift_eval *e = NULL;
    st_uplift_eval_options o;
    st_uplift_eval_options_init(&o);
    o.bins = 3;
    st_status rc = st_uplift_eval_new(ctx, y, T10, S10, 10, &o, &e);
    char *text = NULL;
    if (rc == ST_OK) rc = st_uplift_eval_json(ctx, e, &text, NULL);
    if (rc != ST_OK) CHECK(text == NULL && st_errmsg(ctx)[0] != '\0');
    st_free(ctx, text);
    st_uplift_eval_free(e);
    st_context_free(ctx);
    return rc;
}

int main(void)
{
    sklift_vectors();
    anchors();
    ties();
    continuous();
    errors();
    table();
    policy();
    static const double yc[10] = {1.5, 0, 2, 0, 0, 7, 0, 0, 1, 0};
    t_alloc_torture("st_uplift_eval binary", job_eval, (void *)Y10);
    t_alloc_torture("st_uplift_eval continuous", job_eval, (void *)yc);
    T_DONE();
}
