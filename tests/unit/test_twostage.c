/*
** test_twostage.c -- the two-stage model and the network classifier: undoing class weights, the incremental
** score against its definition, labels from a randomised test and from a class column (with file:row
** errors), the RFM baselines and the model's figures on a hand-made table, the gain curve, MODEL.json round
** trips, and the same bytes for the same seed on 1 and 2 threads; st_mlpc on text classes.
*/
#include "strata.h"
#include "test.h"
#include "core/json.h"

#include <stdint.h>

static st_table *table(st_context *ctx, size_t n)
{
    st_table *t = NULL;
    CHECK(st_table_new(ctx, "id", n, &t) == ST_OK);
    return t;
}

static void add_str(st_table *t, const char *name, const char *const *v, size_t n)
{
    CHECK(st_table_add_str(t, name) == ST_OK);
    long j = st_table_find(t, name);
    for (size_t i = 0; i < n; i++) CHECK(st_table_set_str(t, (size_t)j, i, v[i]) == ST_OK);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (s) s[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return s;
}

static const st_json *path2(const st_json *v, const char *a, const char *b)
{
    v = st__json_get(v, a);
    return b ? st__json_get(v, b) : v;
}

static void test_unweight(st_context *ctx)
{
    /* q_k = p_k w_k / sum_j p_j w_j, then back */
    const double p[2][3] = {{0.2, 0.3, 0.5}, {0.01, 0.09, 0.9}}, w[3] = {4.0, 2.5, 0.4};
    double q[6];
    for (int i = 0; i < 2; i++) {
        double s = 0;
        for (int k = 0; k < 3; k++) s += p[i][k] * w[k];
        for (int k = 0; k < 3; k++) q[3 * i + k] = p[i][k] * w[k] / s;
    }
    CHECK(st_probs_unweight(ctx, q, 2, 3, w) == ST_OK);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 3; k++) CHECK_NEAR(q[3 * i + k], p[i][k], 1e-15);
    /* binary pairs (1 - q, q) with BCE weights */
    double b[2] = {0.7, 0.3}, wb[2] = {1.0, 3.0};
    double qb = 0.3 * 3.0 / (0.3 * 3.0 + 0.7);
    b[0] = 1 - qb;
    b[1] = qb;
    CHECK(st_probs_unweight(ctx, b, 1, 2, wb) == ST_OK);
    CHECK_NEAR(b[1], 0.3, 1e-15);
    /* zero weight: that class gets 0; bad weights refused */
    double z[3] = {0.2, 0.3, 0.5}, wz[3] = {1, 0, 1};
    CHECK(st_probs_unweight(ctx, z, 1, 3, wz) == ST_OK);
    CHECK_NEAR(z[1], 0.0, 0.0);
    CHECK_NEAR(z[0] + z[2], 1.0, 1e-15);
    double wn[3] = {1, -1, 1};
    CHECK(st_probs_unweight(ctx, z, 1, 3, wn) == ST_EINVAL);
    CHECK(st_probs_unweight(ctx, z, 1, 1, wz) == ST_EINVAL);
}

static void test_incremental(void)
{
    /* with r_T, r_C and pi: q = P(treated | responder) and p_resp = P(responder); the score is r_T - r_C */
    const double rt[] = {0.3, 0.05, 0.2, 0.6, 0.01}, rc[] = {0.1, 0.2, 0.2, 0.59, 0.3}, pis[] = {0.5, 0.3, 2.0 / 3.0};
    for (size_t a = 0; a < 5; a++)
        for (size_t b = 0; b < 3; b++) {
            double pi = pis[b], pr = pi * rt[a] + (1 - pi) * rc[a], q = pi * rt[a] / pr;
            CHECK_NEAR(st_twostage_incremental(pr, q, pi), rt[a] - rc[a], 1e-15);
        }
    CHECK_NEAR(st_twostage_incremental(0.3, 1.0, 0.25), 1.2, 1e-15);   /* r_C = 0: p_resp / pi */
    CHECK_NEAR(st_twostage_incremental(0.3, 0.0, 0.25), -0.4, 1e-15);  /* r_T = 0: -p_resp / (1 - pi) */
    CHECK_NEAR(st_twostage_incremental(0.3, 0.25, 0.25), 0.0, 1e-17);  /* q = pi: no effect */
}

/* A small randomised test: arm text, 0/1 response, two features. */
static st_table *small_test(st_context *ctx, size_t n)
{
    st_table *t = table(ctx, n);
    double *x1 = malloc(n * sizeof *x1), *x2 = malloc(n * sizeof *x2), *y = malloc(n * sizeof *y);
    const char **arm = malloc(n * sizeof *arm);
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x1[i] = (double)(s >> 40) / (double)(1ull << 24);
        x2[i] = (double)(i % 7);
        arm[i] = i % 3 == 0 ? "ctl" : i % 3 == 1 ? "A" : "B";
        /* responders: the treated with x1 > 0.5, and every tenth row */
        y[i] = ((i % 3 != 0) && x1[i] > 0.5) || i % 10 == 0 ? 1.0 : 0.0;
    }
    CHECK(st_table_add_f64(t, "x1", ST_COL_F64, x1) == ST_OK);
    CHECK(st_table_add_f64(t, "x2", ST_COL_F64, x2) == ST_OK);
    CHECK(st_table_add_f64(t, "resp", ST_COL_F64, y) == ST_OK);
    add_str(t, "arm", arm, n);
    free(x1);
    free(x2);
    free(y);
    free(arm);
    return t;
}

static void test_labels(st_context *ctx)
{
    size_t n = 600;
    st_table *t = small_test(ctx, n);
    const char *num[] = {"x1", "x2"};
    st_twostage_options o;
    st_twostage_options_init(&o);
    o.numeric = num;
    o.nnumeric = 2;
    o.treatment_col = "arm";
    o.control = "ctl";
    o.response_col = "resp";
    o.epochs = 3;
    o.splc_after = 1;
    st_twostage *m = NULL;
    CHECK(st_twostage_fit(ctx, t, "t.csv", &o, &m) == ST_OK);
    CHECK_NEAR(st_twostage_pi(m), 400.0 / 600.0, 1e-15);
    /* the counts in MODEL.json: engaged = treated responders, unengaged = control responders */
    size_t eng = 0, uneng = 0;
    const double *y = st_table_f64(t, (size_t)st_table_find(t, "resp"));
    for (size_t i = 0; i < n; i++) {
        eng += y[i] == 1.0 && i % 3 != 0;
        uneng += y[i] == 1.0 && i % 3 == 0;
    }
    CHECK(st_twostage_save(ctx, m, "test_twostage_m.json") == ST_OK);
    size_t len;
    char *text = slurp("test_twostage_m.json", &len);
    st_json *root = NULL;
    CHECK(text && st__json_parse(ctx, text, len, "m", &root) == ST_OK);
    CHECK_EQ_INT((long long)st__json_number(path2(root, "counts", "engaged")), (long long)eng);
    CHECK_EQ_INT((long long)st__json_number(path2(root, "counts", "unengaged")), (long long)uneng);
    CHECK_EQ_INT((long long)st__json_number(path2(root, "counts", "inactive")), (long long)(n - eng - uneng));
    /* balanced weights n / (3 n_k) */
    CHECK_NEAR(st__json_number(st__json_at(st__json_get(root, "class_weight"), 0)), (double)n / (3.0 * (double)eng), 1e-15);
    st__json_free(ctx, root);
    free(text);

    /* round trip: the same bytes again and the same scores */
    st_twostage *m2 = NULL;
    CHECK(st_twostage_load(ctx, "test_twostage_m.json", &m2) == ST_OK);
    CHECK(st_twostage_save(ctx, m2, "test_twostage_m2.json") == ST_OK);
    size_t l1, l2;
    char *a = slurp("test_twostage_m.json", &l1), *b = slurp("test_twostage_m2.json", &l2);
    CHECK(a && b && l1 == l2 && memcmp(a, b, l1) == 0);
    free(a);
    free(b);
    st_twostage_score *s1 = calloc(n, sizeof *s1), *s2 = calloc(n, sizeof *s2);
    CHECK(st_twostage_predict(ctx, m, t, "t.csv", s1) == ST_OK);
    CHECK(st_twostage_predict(ctx, m2, t, "t.csv", s2) == ST_OK);
    CHECK(memcmp(s1, s2, n * sizeof *s1) == 0);
    for (size_t i = 0; i < n; i++) {
        CHECK_NEAR(s1[i].p_engaged + s1[i].p_unengaged + s1[i].p_inactive, 1.0, 1e-12);
        CHECK(s1[i].segment == (s1[i].stage1_class == 2 ? 2 : s1[i].prompted_score > 0.5 ? 0 : 1));
        CHECK_NEAR(s1[i].incremental_score,
                   st_twostage_incremental(s1[i].p_engaged + s1[i].p_unengaged, s1[i].prompted_score, 400.0 / 600.0),
                   0.0);
    }
    free(s1);
    free(s2);
    st_twostage_free(m2);
    st_twostage_free(m);
    remove("test_twostage_m.json");
    remove("test_twostage_m2.json");

    /* labels from a class column: a value that is none of the three names its row */
    const char *cls[5] = {"e", "u", "i", "x", "e"};
    st_table *c = table(ctx, 5);
    double xs[5] = {1, 2, 3, 4, 5};
    CHECK(st_table_add_f64(c, "x1", ST_COL_F64, xs) == ST_OK);
    add_str(c, "cls", cls, 5);
    st_twostage_options oc;
    st_twostage_options_init(&oc);
    oc.numeric = num;
    oc.nnumeric = 1;
    oc.class_col = "cls";
    oc.engaged = "e";
    oc.unengaged = "u";
    oc.inactive = "i";
    CHECK(st_twostage_fit(ctx, c, "c.csv", &oc, &m) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "c.csv:5:") != NULL);
    CHECK(st_table_set_str(c, (size_t)st_table_find(c, "cls"), 3, "u") == ST_OK);
    oc.epochs = 2;
    CHECK(st_twostage_fit(ctx, c, "c.csv", &oc, &m) == ST_OK);
    CHECK_NEAR(st_twostage_pi(m), 0.5, 0.0); /* 2 engaged, 2 unengaged */
    st_twostage_free(m);
    /* both or neither label source */
    o.class_col = "cls";
    CHECK(st_twostage_fit(ctx, t, "t.csv", &o, &m) == ST_EINVAL);
    st_table_free(c);
    st_table_free(t);
}

/* The RFM baselines and the model's figures on five customers worked out by hand. */
static void test_eval_truth(st_context *ctx)
{
    st_table *t = table(ctx, 5);
    const double r[5] = {1, 2, 3, 4, 5}, f[5] = {50, 40, 30, 10, 20}, mo[5] = {500, 400, 300, 100, 200};
    const double truth[5] = {1, 0, 1, 0, 0}, ps[5] = {0.9, 0.8, 0.7, 0.6, 0.5}, inc[5] = {0.1, 0.2, 0.3, 0.4, 0.5};
    const char *seg[5] = {"prompted", "organic", "prompted", "inactive", "prompted"};
    CHECK(st_table_add_f64(t, "R", ST_COL_F64, r) == ST_OK);
    CHECK(st_table_add_f64(t, "F", ST_COL_F64, f) == ST_OK);
    CHECK(st_table_add_f64(t, "M", ST_COL_F64, mo) == ST_OK);
    CHECK(st_table_add_f64(t, "truth", ST_COL_F64, truth) == ST_OK);
    CHECK(st_table_add_f64(t, "prompted_score", ST_COL_F64, ps) == ST_OK);
    CHECK(st_table_add_f64(t, "incremental_score", ST_COL_F64, inc) == ST_OK);
    add_str(t, "segment", seg, 5);
    /* segments: Champions (rows 1, 2), Loyal Customers (3), About To Sleep (4), At Risk (5) */
    int32_t rs[5], fs[5], ms[5];
    CHECK(st_rfm_scores(ctx, r, f, mo, 5, rs, fs, ms) == ST_OK);
    const int want[5] = {ST_RFM_CHAMPIONS, ST_RFM_CHAMPIONS, ST_RFM_LOYAL, ST_RFM_ABOUT_TO_SLEEP, ST_RFM_AT_RISK};
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(st_rfm_segment(rs[i], fs[i], ms[i]), want[i]);
    st_twostage_eval_options o;
    st_twostage_eval_options_init(&o);
    o.truth_col = "truth";
    o.recency_col = "R";
    o.frequency_col = "F";
    o.monetary_col = "M";
    char *text = NULL;
    size_t len = 0;
    CHECK(st_twostage_eval_json(ctx, t, "s.csv", &o, &text, &len) == ST_OK);
    st_json *root = NULL;
    CHECK(text && st__json_parse(ctx, text, len, "eval", &root) == ST_OK);
    /* model: predicted rows 1, 3, 5; tp 2, fp 1, fn 0, tn 2 */
    const st_json *mj = st__json_get(root, "model");
    CHECK_NEAR(st__json_number(st__json_get(mj, "precision")), 2.0 / 3.0, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(mj, "recall")), 1.0, 0.0);
    CHECK_NEAR(st__json_number(st__json_get(mj, "balanced_accuracy")), (1.0 + 2.0 / 3.0) / 2.0, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(mj, "weighted_f1")), 0.8, 1e-15); /* F1 0.8 for both classes */
    /* Champions: rows 1, 2; tp 1, fp 1, fn 1, tn 2: F1 1/2 and 2/3, weighted (2 * 1/2 + 3 * 2/3) / 5 */
    const st_json *bj = st__json_get(st__json_get(root, "baselines"), "Champions");
    CHECK_NEAR(st__json_number(st__json_get(bj, "precision")), 0.5, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(bj, "recall")), 0.5, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(bj, "balanced_accuracy")), (0.5 + 2.0 / 3.0) / 2.0, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(bj, "weighted_f1")), 0.6, 1e-15);
    /* Loyal Customers: row 3; tp 1, fn 1, tn 3: F1 2/3 and 6/7 */
    bj = st__json_get(st__json_get(root, "baselines"), "Loyal Customers");
    CHECK_NEAR(st__json_number(st__json_get(bj, "precision")), 1.0, 0.0);
    CHECK_NEAR(st__json_number(st__json_get(bj, "balanced_accuracy")), 0.75, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(bj, "weighted_f1")), (2.0 * 2.0 / 3.0 + 3.0 * 6.0 / 7.0) / 5.0, 1e-15);
    /* Potential Loyalist: nobody; F1 0 and 3/4 */
    bj = st__json_get(st__json_get(root, "baselines"), "Potential Loyalist");
    CHECK_NEAR(st__json_number(st__json_get(bj, "precision")), 0.0, 0.0);
    CHECK_NEAR(st__json_number(st__json_get(bj, "balanced_accuracy")), 0.5, 0.0);
    CHECK_NEAR(st__json_number(st__json_get(bj, "weighted_f1")), 0.45, 1e-15);
    /* gain by prompted_score: top ceil(i 5 / 10) rows = 1, 1, 2, 2, 3, 3, 4, 4, 5, 5 */
    const double g[10] = {0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1};
    const st_json *gj = st__json_get(root, "gain");
    CHECK_EQ_INT(st__json_len(gj), 10);
    for (size_t k = 0; k < 10; k++) CHECK_NEAR(st__json_number(st__json_at(gj, k)), g[k], 0.0);
    /* by incremental_score (ascending with the rows): rows 5, 4, 3, 2, 1 */
    const double gi[10] = {0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5, 1, 1};
    gj = st__json_get(root, "gain_incremental");
    for (size_t k = 0; k < 10; k++) CHECK_NEAR(st__json_number(st__json_at(gj, k)), gi[k], 0.0);
    st__json_free(ctx, root);
    st_free(ctx, text);
    /* a truth that is not 0/1 names its row */
    st_table_f64_mut(t, (size_t)st_table_find(t, "truth"))[3] = 2;
    CHECK(st_twostage_eval_json(ctx, t, "s.csv", &o, &text, &len) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "s.csv:5:") != NULL);
    st_table_free(t);
}

static void test_eval_test(st_context *ctx)
{
    /* targeting: 4 treated rows by incremental_score, responses 1 0 1 0 from the top; 2 control rows */
    st_table *t = table(ctx, 6);
    const double inc[6] = {0.4, 0.3, 0.2, 0.1, 0.5, 0.0}, resp[6] = {1, 0, 1, 0, 1, 0};
    const char *arm[6] = {"T", "T", "T", "T", "C", "C"};
    CHECK(st_table_add_f64(t, "incremental_score", ST_COL_F64, inc) == ST_OK);
    CHECK(st_table_add_f64(t, "prompted_score", ST_COL_F64, inc) == ST_OK);
    CHECK(st_table_add_f64(t, "y", ST_COL_F64, resp) == ST_OK);
    add_str(t, "arm", arm, 6);
    st_twostage_eval_options o;
    st_twostage_eval_options_init(&o);
    o.treatment_col = "arm";
    o.control = "C";
    o.response_col = "y";
    o.top = 0.5;
    char *text = NULL;
    size_t len = 0;
    st_status erc = st_twostage_eval_json(ctx, t, "s.csv", &o, &text, &len);
    if (erc) fprintf(stderr, "%s\n", st_errmsg(ctx));
    CHECK(erc == ST_OK);
    st_json *root = NULL;
    CHECK(text && st__json_parse(ctx, text, len, "eval", &root) == ST_OK);
    const st_json *tg = st__json_get(root, "targeting");
    CHECK_EQ_INT(st__json_len(tg), 10);
    /* top 10%: ceil(0.4) = 1 row (response 1); all treated respond at 0.5: lift 2 */
    const st_json *e = st__json_at(tg, 0);
    CHECK_NEAR(st__json_number(st__json_get(e, "response_top")), 1.0, 0.0);
    CHECK_NEAR(st__json_number(st__json_get(e, "response_random")), 0.5, 0.0);
    CHECK_NEAR(st__json_number(st__json_get(e, "lift")), 2.0, 0.0);
    /* top 30%: 2 rows, 1 response: lift 1; the interval from the delta method */
    e = st__json_at(tg, 2);
    CHECK_NEAR(st__json_number(st__json_get(e, "lift")), 1.0, 0.0);
    double v = 0.5 / (2 * 0.5) + 0.5 / (4 * 0.5) - 2 * 0.5 / (4 * 0.5), h = 1.959963984540054 * sqrt(v);
    CHECK_NEAR(st__json_number(st__json_at(st__json_get(e, "lift_ci"), 0)), exp(-h), 1e-15);
    CHECK_NEAR(st__json_number(st__json_at(st__json_get(e, "lift_ci"), 1)), exp(h), 1e-15);
    e = st__json_at(tg, 9);
    CHECK_NEAR(st__json_number(st__json_get(e, "lift")), 1.0, 0.0);
    CHECK(st__json_type(st__json_get(root, "qini_auc")) == ST_JSON_NUMBER);
    CHECK(st__json_type(st__json_get(root, "uplift_at_k")) == ST_JSON_NUMBER);
    st__json_free(ctx, root);
    st_free(ctx, text);
    st_table_free(t);
}

/* Same seed, same bytes on 1 and 2 threads (fit and scores), on a simulated campaign. */
static void test_determinism(void)
{
    char *out[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    st_twostage_score *sc[2] = {NULL, NULL};
    size_t n = 0;
    for (int k = 0; k < 2; k++) {
        st_context *ctx = NULL;
        CHECK(st_context_new(&ctx) == ST_OK);
        st_context_set_threads(ctx, k + 1);
        st_campaign_options co;
        st_campaign_options_init(&co);
        co.customers = 20000;
        co.seed = 9;
        st_table *t = NULL;
        CHECK(st_simulate_campaign(ctx, &co, &t) == ST_OK);
        const char *num[] = {"recency", "history", "mens", "womens", "newbie"}, *cat[] = {"zip_code", "channel"};
        st_twostage_options o;
        st_twostage_options_init(&o);
        o.numeric = num;
        o.nnumeric = 5;
        o.categorical = cat;
        o.ncategorical = 2;
        o.treatment_col = "segment";
        o.control = "No E-Mail";
        o.response_col = "visit";
        o.epochs = 4;
        o.splc_after = 2;
        o.seed = 77;
        st_twostage *m = NULL;
        CHECK(st_twostage_fit(ctx, t, "camp", &o, &m) == ST_OK);
        const char *path = k ? "test_twostage_d2.json" : "test_twostage_d1.json";
        CHECK(st_twostage_save(ctx, m, path) == ST_OK);
        out[k] = slurp(path, &len[k]);
        remove(path);
        n = st_table_nrows(t);
        sc[k] = calloc(n, sizeof *sc[k]);
        CHECK(st_twostage_predict(ctx, m, t, "camp", sc[k]) == ST_OK);
        st_twostage_free(m);
        st_table_free(t);
        st_context_free(ctx);
    }
    CHECK(out[0] && out[1] && len[0] == len[1] && memcmp(out[0], out[1], len[0]) == 0);
    CHECK(sc[0] && sc[1] && memcmp(sc[0], sc[1], n * sizeof *sc[0]) == 0);
    for (int k = 0; k < 2; k++) {
        free(out[k]);
        free(sc[k]);
    }
}

static void test_mlpc(st_context *ctx)
{
    size_t n = 900;
    st_table *t = table(ctx, n);
    double *x = malloc(n * sizeof *x);
    const char **lab = malloc(n * sizeof *lab);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)(i % 30);
        lab[i] = x[i] < 10 ? "low" : x[i] < 20 ? "mid" : "high";
    }
    CHECK(st_table_add_f64(t, "x", ST_COL_F64, x) == ST_OK);
    add_str(t, "y", lab, n);
    const char *num[] = {"x"};
    st_mlpc_options o;
    st_mlpc_options_init(&o);
    o.epochs = 60;
    o.lr = 0.03;
    st_mlpc *m = NULL;
    CHECK(st_mlpc_fit(ctx, t, "t.csv", "y", num, 1, NULL, 0, &o, &m) == ST_OK);
    CHECK_EQ_INT(st_mlpc_nclasses(m), 3);
    CHECK_STR(st_mlpc_class(m, 0), "high"); /* sorted by strcmp */
    CHECK_STR(st_mlpc_class(m, 2), "mid");
    double *p = malloc(n * 3 * sizeof *p), *p2 = malloc(n * 3 * sizeof *p2);
    CHECK(st_mlpc_predict(ctx, m, t, "t.csv", p) == ST_OK);
    size_t right = 0;
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        for (size_t k = 1; k < 3; k++)
            if (p[3 * i + k] > p[3 * i + best]) best = k;
        right += strcmp(st_mlpc_class(m, best), lab[i]) == 0;
    }
    CHECK(right >= n * 9 / 10); /* three intervals of one feature are learnable */
    CHECK(st_mlpc_save(ctx, m, "test_twostage_c.json") == ST_OK);
    st_mlpc *m2 = NULL;
    CHECK(st_mlpc_load(ctx, "test_twostage_c.json", &m2) == ST_OK);
    remove("test_twostage_c.json");
    CHECK(st_mlpc_predict(ctx, m2, t, "t.csv", p2) == ST_OK);
    CHECK(memcmp(p, p2, n * 3 * sizeof *p) == 0);
    st_mlpc_free(m2);
    st_mlpc_free(m);
    /* class weights must match the classes; a missing label names its row */
    double w2[2] = {1, 2};
    o.class_weight = w2;
    o.nclass_weight = 2;
    CHECK(st_mlpc_fit(ctx, t, "t.csv", "y", num, 1, NULL, 0, &o, &m) == ST_EINVAL);
    o.class_weight = NULL;
    o.nclass_weight = 0;
    CHECK(st_table_set_str(t, (size_t)st_table_find(t, "y"), 6, "") == ST_OK);
    CHECK(st_mlpc_fit(ctx, t, "t.csv", "y", num, 1, NULL, 0, &o, &m) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "t.csv:8:") != NULL);
    free(p);
    free(p2);
    free(x);
    free(lab);
    st_table_free(t);
}

int main(void)
{
    st_context *ctx = NULL;
    CHECK(st_context_new(&ctx) == ST_OK);
    test_unweight(ctx);
    test_incremental();
    test_labels(ctx);
    test_eval_truth(ctx);
    test_eval_test(ctx);
    test_determinism();
    test_mlpc(ctx);
    st_context_free(ctx);
    T_DONE();
}
