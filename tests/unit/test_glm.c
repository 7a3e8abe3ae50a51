/* The learn stage's linear models: the Newton accumulator's gradient and Hessian against finite differences of
** its objective, the merge laws (empty is the identity; split-then-merge equals one pass) directly and through
** serialized bytes, truncated and foreign states refused, identical fits on 1-4 threads, the separable /
** collinear errors without a penalty, the one-hot encoding (sorted levels, unseen and missing levels as all
** zeros), missing values and non-binary labels reported with file:row, the model's JSON round trip, and
** exact least squares. */
#include "strata.h"
#include "test.h"
#include "learn/glm.h"

#include <stdint.h>

static uint64_t rs = 88172645463325252u;
static double unif(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (double)(rs >> 11) * 0x1.0p-53;
}
static double gauss(void) { return sqrt(-2.0 * log(1.0 - unif())) * cos(6.283185307179586 * unif()); }

/* n rows: x0 (scale 1), x1 (scale 5), grp (text: a, b, c), y (0/1 from a logistic model), z (continuous). */
static st_table *make_table(st_context *ctx, size_t n)
{
    st_table *t;
    if (st_table_new(ctx, "id", n, &t)) return NULL;
    double *x0 = malloc(n * sizeof *x0), *x1 = malloc(n * sizeof *x1), *y = malloc(n * sizeof *y),
           *z = malloc(n * sizeof *z);
    static const char *const g[3] = {"b", "c", "a"};
    int rc = st_table_add_str(t, "grp");
    for (size_t i = 0; i < n; i++) {
        x0[i] = gauss();
        x1[i] = 5.0 * gauss();
        size_t k = (size_t)(unif() * 3.0);
        double f = -0.3 + 0.9 * x0[i] - 0.1 * x1[i] + (k == 1 ? 0.8 : 0.0);
        y[i] = unif() < 1.0 / (1.0 + exp(-f)) ? 1.0 : 0.0;
        z[i] = f + gauss();
        rc |= st_table_set_str(t, 1, i, g[k]);
    }
    rc |= st_table_add_f64(t, "x0", ST_COL_F64, x0);
    rc |= st_table_add_f64(t, "x1", ST_COL_F64, x1);
    rc |= st_table_add_f64(t, "y", ST_COL_F64, y);
    rc |= st_table_add_f64(t, "z", ST_COL_F64, z);
    free(x0);
    free(x1);
    free(y);
    free(z);
    if (rc) {
        st_table_free(t);
        return NULL;
    }
    return t;
}

static const char *const NUM[2] = {"x0", "x1"};
static const char *const CAT[1] = {"grp"};

/* The design matrix of t (row-major n x p) and the label column. */
static double *design_of(st_context *ctx, const st_design *d, const st_table *t)
{
    size_t n = st_table_nrows(t), p = st_design_ncols(d);
    double *x = malloc(n * p * sizeof *x);
    if (x && st_design_matrix(ctx, d, t, "t", 0, n, x, p)) {
        free(x);
        return NULL;
    }
    return x;
}

static double objective_at(st_context *ctx, st_glm_kind kind, size_t p, const double *b, const double *x, size_t n,
                           const double *y, const double *w, double C)
{
    st_glm_acc *a;
    double obj = NAN;
    if (st_glm_acc_new(ctx, kind, p, b, &a)) return NAN;
    if (!st_glm_acc_add(a, x, n, p, y, w)) st_glm_acc_finalize(a, C, &obj, NULL, NULL, NULL, NULL);
    st_glm_acc_free(a);
    return obj;
}

static void test_derivatives(st_context *ctx, st_glm_kind kind)
{
    st_table *t = make_table(ctx, 400);
    st_design *d;
    CHECK(t && st_design_new(ctx, t, "t", NUM, 2, CAT, 1, 0, NULL, &d) == ST_OK);
    size_t n = st_table_nrows(t), p = st_design_ncols(d), q = p + 1;
    CHECK_EQ_INT(p, 5);
    double *x = design_of(ctx, d, t);
    const double *y = st_table_f64(t, (size_t)st_table_find(t, kind == ST_GLM_LOGISTIC ? "y" : "z"));
    double w[400];
    for (size_t i = 0; i < n; i++) w[i] = 0.5 + unif();
    double b[6] = {0.2, -0.4, 0.07, 0.3, -0.2, 0.1}, g[6], h[36];
    st_glm_acc *a;
    CHECK(st_glm_acc_new(ctx, kind, p, b, &a) == ST_OK);
    CHECK(st_glm_acc_add(a, x, n, p, y, w) == ST_OK);
    double C = 0.7, obj;
    CHECK(st_glm_acc_finalize(a, C, &obj, g, h, NULL, NULL) == ST_OK);
    for (size_t j = 0; j < q; j++) {
        double e = 1e-5, bp[6], bm[6];
        memcpy(bp, b, sizeof b);
        memcpy(bm, b, sizeof b);
        bp[j] += e;
        bm[j] -= e;
        double fd = (objective_at(ctx, kind, p, bp, x, n, y, w, C) - objective_at(ctx, kind, p, bm, x, n, y, w, C)) /
                    (2 * e);
        CHECK_NEAR(g[j], fd, 1e-6 * (1.0 + fabs(fd)));
        /* the Hessian's column j from differences of the gradient */
        st_glm_acc *ap, *am;
        double gp[6], gm[6];
        CHECK(st_glm_acc_new(ctx, kind, p, bp, &ap) == ST_OK && st_glm_acc_new(ctx, kind, p, bm, &am) == ST_OK);
        st_glm_acc_add(ap, x, n, p, y, w);
        st_glm_acc_add(am, x, n, p, y, w);
        st_glm_acc_finalize(ap, C, NULL, gp, NULL, NULL, NULL);
        st_glm_acc_finalize(am, C, NULL, gm, NULL, NULL, NULL);
        for (size_t k = 0; k < q; k++) CHECK_NEAR(h[k * q + j], (gp[k] - gm[k]) / (2 * e), 1e-5 * (1.0 + fabs(h[k * q + j])));
        st_glm_acc_free(ap);
        st_glm_acc_free(am);
    }
    /* the column-major path of the fit sums the same (to rounding) */
    st_glm_acc *c;
    double *xc = malloc(n * p * sizeof *xc), *scr = malloc(4 * n * sizeof *scr), gc[6], hcm[36], objc;
    const double *cols[5];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++) xc[j * n + i] = x[i * p + j];
    for (size_t j = 0; j < p; j++) cols[j] = xc + j * n;
    CHECK(st_glm_acc_new(ctx, kind, p, b, &c) == ST_OK);
    st__glm_acc_add_cols(c, cols, n, y, w, scr);
    st_glm_acc_finalize(c, C, &objc, gc, hcm, NULL, NULL);
    CHECK_REL(objc, obj, 1e-13);
    for (size_t j = 0; j < q; j++) CHECK_NEAR(gc[j], g[j], 1e-12 * (1.0 + fabs(g[j])));
    for (size_t j = 0; j < q * q; j++) CHECK_NEAR(hcm[j], h[j], 1e-12 * (1.0 + fabs(h[j])));
    st_glm_acc_free(c);
    free(xc);
    free(scr);
    st_glm_acc_free(a);
    free(x);
    st_design_free(d);
    st_table_free(t);
}

static void test_merge_and_bytes(st_context *ctx)
{
    st_table *t = make_table(ctx, 1000);
    st_design *d;
    CHECK(t && st_design_new(ctx, t, "t", NUM, 2, CAT, 1, 0, NULL, &d) == ST_OK);
    size_t n = st_table_nrows(t), p = st_design_ncols(d), q = p + 1;
    double *x = design_of(ctx, d, t);
    const double *y = st_table_f64(t, (size_t)st_table_find(t, "y"));
    double b[6] = {0.1, 0.5, -0.05, 0.0, 0.6, -0.1};
    st_glm_acc *one, *parts[3], *empty;
    CHECK(st_glm_acc_new(ctx, ST_GLM_LOGISTIC, p, b, &one) == ST_OK);
    CHECK(st_glm_acc_add(one, x, n, p, y, NULL) == ST_OK);
    size_t cut[4] = {0, 137, 600, n};
    for (int k = 0; k < 3; k++) {
        CHECK(st_glm_acc_new(ctx, ST_GLM_LOGISTIC, p, b, &parts[k]) == ST_OK);
        CHECK(st_glm_acc_add(parts[k], x + cut[k] * p, cut[k + 1] - cut[k], p, y + cut[k], NULL) == ST_OK);
    }
    /* through bytes: serialize each part, read back, merge */
    st_glm_acc *m = NULL;
    for (int k = 0; k < 3; k++) {
        char *buf;
        size_t len;
        CHECK(st_glm_acc_serialize(ctx, parts[k], &buf, &len) == ST_OK);
        st_glm_acc *r;
        CHECK(st_glm_acc_deserialize(ctx, buf, len, &r) == ST_OK);
        /* canonical: read and written back gives the same bytes */
        char *buf2;
        size_t len2;
        CHECK(st_glm_acc_serialize(ctx, r, &buf2, &len2) == ST_OK);
        CHECK(len2 == len && memcmp(buf, buf2, len) == 0);
        st_free(ctx, buf2);
        if (k == 0) {
            /* every truncation is refused */
            size_t bad = 0;
            for (size_t cutlen = 0; cutlen < len; cutlen++) {
                st_glm_acc *z = NULL;
                bad += st_glm_acc_deserialize(ctx, buf, cutlen, &z) == ST_EFORMAT && !z;
            }
            CHECK_EQ_INT(bad, len);
            /* a flipped payload byte fails the checksum */
            buf[len - 3] ^= 1;
            st_glm_acc *z = NULL;
            CHECK(st_glm_acc_deserialize(ctx, buf, len, &z) == ST_EFORMAT);
            buf[len - 3] ^= 1;
        }
        st_free(ctx, buf);
        if (!m)
            m = r;
        else {
            CHECK(st_glm_acc_merge(m, r) == ST_OK);
            st_glm_acc_free(r);
        }
    }
    double o1, o2, g1[6], g2[6], h1[36], h2[36], n1, n2, w1, w2;
    st_glm_acc_finalize(one, 2.0, &o1, g1, h1, &n1, &w1);
    st_glm_acc_finalize(m, 2.0, &o2, g2, h2, &n2, &w2);
    CHECK_REL(o1, o2, 1e-13);
    CHECK(n1 == 1000 && n2 == 1000 && w1 == 1000 && w2 == 1000);
    for (size_t j = 0; j < q; j++) CHECK_NEAR(g1[j], g2[j], 1e-11 * (1 + fabs(g1[j])));
    for (size_t j = 0; j < q * q; j++) CHECK_NEAR(h1[j], h2[j], 1e-11 * (1 + fabs(h1[j])));
    /* empty is the identity, on both sides: bytes unchanged */
    char *before, *after;
    size_t lb, la;
    CHECK(st_glm_acc_serialize(ctx, one, &before, &lb) == ST_OK);
    CHECK(st_glm_acc_new(ctx, ST_GLM_LOGISTIC, p, b, &empty) == ST_OK);
    CHECK(st_glm_acc_merge(one, empty) == ST_OK);
    CHECK(st_glm_acc_serialize(ctx, one, &after, &la) == ST_OK);
    CHECK(lb == la && memcmp(before, after, lb) == 0);
    st_free(ctx, after);
    CHECK(st_glm_acc_merge(empty, one) == ST_OK);
    CHECK(st_glm_acc_serialize(ctx, empty, &after, &la) == ST_OK);
    CHECK(lb == la && memcmp(before, after, lb) == 0);
    st_free(ctx, after);
    st_free(ctx, before);
    /* states at other coefficients or of another kind do not merge; a state of another kind is refused */
    st_glm_acc *other;
    double b2[6] = {0};
    CHECK(st_glm_acc_new(ctx, ST_GLM_LOGISTIC, p, b2, &other) == ST_OK);
    CHECK(st_glm_acc_merge(one, other) == ST_EINVAL);
    st_glm_acc_free(other);
    CHECK(st_glm_acc_new(ctx, ST_GLM_LINEAR, p, b, &other) == ST_OK);
    CHECK(st_glm_acc_merge(one, other) == ST_EINVAL);
    st_glm_acc_free(other);
    /* a label not 0/1 and a negative weight are refused with the row */
    double yb[2] = {0, 2}, wneg[2] = {1, -1};
    CHECK(st_glm_acc_add(one, x, 2, p, yb, NULL) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 2") != NULL);
    CHECK(st_glm_acc_add(one, x, 2, p, y, wneg) == ST_EDATA);
    st_btyd_acc *ba;
    char *bb;
    size_t bl;
    CHECK(st_btyd_acc_new(ctx, ST_BTYD_BGNBD, &ba) == ST_OK && st_btyd_acc_serialize(ctx, ba, &bb, &bl) == ST_OK);
    st_glm_acc *z = NULL;
    CHECK(st_glm_acc_deserialize(ctx, bb, bl, &z) == ST_EFORMAT && !z);
    CHECK(strstr(st_errmsg(ctx), "btyd_acc") != NULL);
    st_free(ctx, bb);
    st_btyd_acc_free(ba);
    for (int k = 0; k < 3; k++) st_glm_acc_free(parts[k]);
    st_glm_acc_free(one);
    st_glm_acc_free(m);
    st_glm_acc_free(empty);
    free(x);
    st_design_free(d);
    st_table_free(t);
}

static void test_threads(st_context *ctx)
{
    st_table *t = make_table(ctx, 100000); /* several chunks */
    st_glm_options o;
    st_glm_options_init(&o);
    o.C = 0.5;
    o.class_weight_balanced = 1;
    st_glm *ref = NULL;
    for (int th = 1; th <= 4; th++) {
        st_context_set_threads(ctx, th);
        st_glm *m;
        CHECK(st_glm_fit(ctx, t, "t", "y", NUM, 2, CAT, 1, &o, &m) == ST_OK);
        CHECK(st_glm_converged(m) && st_glm_gradient_max(m) < 1e-8);
        if (!ref) {
            ref = m;
            continue;
        }
        CHECK(st_glm_intercept(m) == st_glm_intercept(ref));
        for (size_t k = 0; k < 5; k++) CHECK(st_glm_coef(m, k) == st_glm_coef(ref, k));
        CHECK(st_glm_iterations(m) == st_glm_iterations(ref));
        st_glm_free(m);
    }
    st_context_set_threads(ctx, 1);
    st_glm_free(ref);
    st_table_free(t);
}

static void test_errors(st_context *ctx)
{
    /* separable: y = x0 > 0 */
    st_table *t;
    double x0[8] = {-3, -2, -1, -0.5, 0.5, 1, 2, 3}, y[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    CHECK(st_table_new(ctx, "id", 8, &t) == ST_OK);
    st_table_add_f64(t, "x0", ST_COL_F64, x0);
    st_table_add_f64(t, "y", ST_COL_F64, y);
    st_glm_options o;
    st_glm_options_init(&o);
    o.C = 0.0;
    st_glm *m = NULL;
    st_status rc = st_glm_fit(ctx, t, "sep.csv", "y", NUM, 1, NULL, 0, &o, &m);
    CHECK(rc == ST_EDATA && !m);
    CHECK(strstr(st_errmsg(ctx), "separable") != NULL);
    st_glm_free(m);
    m = NULL;
    o.C = 1.0; /* the penalty makes it well posed */
    CHECK(st_glm_fit(ctx, t, "sep.csv", "y", NUM, 1, NULL, 0, &o, &m) == ST_OK);
    CHECK(m && st_glm_coef(m, 0) > 0.5);
    st_glm_free(m);
    m = NULL;
    /* a third label value, a missing feature, a missing label: file:row */
    st_table_f64_mut(t, 2)[5] = 2.0;
    CHECK(st_glm_fit(ctx, t, "sep.csv", "y", NUM, 1, NULL, 0, &o, &m) == ST_EDATA && !m);
    CHECK(strstr(st_errmsg(ctx), "sep.csv:7") && strstr(st_errmsg(ctx), "not binary"));
    st_table_f64_mut(t, 2)[5] = NAN;
    CHECK(st_glm_fit(ctx, t, "sep.csv", "y", NUM, 1, NULL, 0, &o, &m) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "sep.csv:7") && strstr(st_errmsg(ctx), "missing"));
    st_table_f64_mut(t, 2)[5] = 1.0;
    st_table_f64_mut(t, 1)[2] = NAN;
    CHECK(st_glm_fit(ctx, t, "sep.csv", "y", NUM, 1, NULL, 0, &o, &m) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "sep.csv:4") && strstr(st_errmsg(ctx), "x0"));
    /* a single class, an unknown column, the label as a feature */
    for (int i = 0; i < 8; i++) st_table_f64_mut(t, 2)[i] = 1.0;
    st_table_f64_mut(t, 1)[2] = 0.0;
    CHECK(st_glm_fit(ctx, t, "sep.csv", "y", NUM, 1, NULL, 0, &o, &m) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "single class") != NULL);
    const char *nope[1] = {"nope"}, *lab[1] = {"y"};
    CHECK(st_glm_fit(ctx, t, "sep.csv", "y", nope, 1, NULL, 0, &o, &m) == ST_EINVAL);
    CHECK(st_glm_fit(ctx, t, "sep.csv", "y", lab, 1, NULL, 0, &o, &m) == ST_EINVAL);
    CHECK(st_glm_fit(ctx, t, "sep.csv", "nope", NUM, 1, NULL, 0, &o, &m) == ST_EINVAL);
    st_table_free(t);
}

static void test_encoding(st_context *ctx)
{
    st_table *t = make_table(ctx, 2000);
    st_glm_options o;
    st_glm_options_init(&o);
    st_glm *m;
    CHECK(st_glm_fit(ctx, t, "t", "y", NUM, 2, CAT, 1, &o, &m) == ST_OK);
    const st_design *d = st_glm_design(m);
    CHECK_EQ_INT(st_design_ncols(d), 5);
    CHECK_STR(st_design_col_name(d, 0), "x0");
    CHECK_STR(st_design_col_name(d, 2), "grp=a");
    CHECK_STR(st_design_col_name(d, 3), "grp=b");
    CHECK_STR(st_design_col_name(d, 4), "grp=c");
    CHECK_STR(st_glm_class(m, 0), "0");
    CHECK_STR(st_glm_class(m, 1), "1");
    /* predict on rows with a seen, an unseen and a missing level */
    st_table *p;
    CHECK(st_table_new(ctx, "id", 3, &p) == ST_OK);
    double px0[3] = {0.3, 0.3, 0.3}, px1[3] = {-1, -1, -1}, s[3];
    st_table_add_f64(p, "x1", ST_COL_F64, px1); /* columns found by name, in any order */
    st_table_add_str(p, "grp");
    st_table_add_f64(p, "x0", ST_COL_F64, px0);
    st_table_set_str(p, 2, 0, "c");
    st_table_set_str(p, 2, 1, "zebra");
    CHECK(st_glm_predict(ctx, m, p, "p", s) == ST_OK);
    double f0 = st_glm_intercept(m) + 0.3 * st_glm_coef(m, 0) - st_glm_coef(m, 1);
    CHECK_REL(s[0], 1 / (1 + exp(-(f0 + st_glm_coef(m, 4)))), 1e-14);
    CHECK_REL(s[1], 1 / (1 + exp(-f0)), 1e-14);
    CHECK_REL(s[2], s[1], 0);
    /* the JSON round trip predicts the same */
    char *js;
    size_t jl;
    CHECK(st_glm_to_json(ctx, m, &js, &jl) == ST_OK);
    st_glm *back;
    CHECK(st_glm_from_json(ctx, js, jl, &back) == ST_OK);
    double s2[3];
    CHECK(st_glm_predict(ctx, back, p, "p", s2) == ST_OK);
    CHECK(memcmp(s, s2, sizeof s) == 0);
    CHECK(strstr(js, "\"grp=a\"") && strstr(js, "\"levels\": [\"a\", \"b\", \"c\"]"));
    /* a tampered file: coefficient names must match the design */
    char *q = strstr(js, "\"name\": \"grp=b\"");
    if (q) q[13] = 'x';
    st_glm *bad = NULL;
    CHECK(st_glm_from_json(ctx, js, jl, &bad) == ST_EFORMAT && !bad);
    st_free(ctx, js);
    st_glm_free(back);
    /* a text label: the positive class is the second in sorted order */
    st_table_add_str(t, "ytxt");
    size_t jy = (size_t)st_table_find(t, "y"), jt = (size_t)st_table_find(t, "ytxt");
    for (size_t i = 0; i < 2000; i++) st_table_set_str(t, jt, i, st_table_f64(t, jy)[i] == 1.0 ? "yes" : "no");
    st_glm *mt;
    CHECK(st_glm_fit(ctx, t, "t", "ytxt", NUM, 2, CAT, 1, &o, &mt) == ST_OK);
    CHECK_STR(st_glm_class(mt, 1), "yes");
    CHECK_REL(st_glm_coef(mt, 0), st_glm_coef(m, 0), 1e-12);
    st_glm_free(mt);
    /* standardised features: without a penalty the predictions do not change */
    st_glm *u, *us;
    o.C = 0;
    CHECK(st_glm_fit(ctx, t, "t", "y", NUM, 2, NULL, 0, &o, &u) == ST_OK);
    o.standardize = 1;
    CHECK(st_glm_fit(ctx, t, "t", "y", NUM, 2, NULL, 0, &o, &us) == ST_OK);
    CHECK(st_design_col_sd(st_glm_design(us), 1) > 4.0 && st_design_col_sd(st_glm_design(u), 1) == 1.0);
    double a1[3], a2[3];
    st_glm_predict(ctx, u, p, "p", a1);
    st_glm_predict(ctx, us, p, "p", a2);
    CHECK_REL(a1[0], a2[0], 1e-10);
    CHECK_REL(st_glm_coef(us, 1), st_glm_coef(u, 1) * st_design_col_sd(st_glm_design(us), 1), 1e-9);
    st_glm_free(u);
    st_glm_free(us);
    st_glm_free(m);
    st_table_free(p);
    st_table_free(t);
}

/* A fit on the rows of a mask equals the fit on a table of those rows alone, whatever the other rows hold
** (missing values, a third label value); sample weights of 2 equal repeated rows. */
static void test_mask_and_weights(st_context *ctx)
{
    st_table *t = make_table(ctx, 3000), *sub, *dup;
    size_t n = 3000, ns = 0;
    unsigned char *mask = malloc(n);
    for (size_t i = 0; i < n; i++) ns += (mask[i] = (unsigned char)(i % 3 != 0));
    CHECK(st_table_new(ctx, "id", ns, &sub) == ST_OK);
    const char *cols[4] = {"x0", "x1", "y", "z"};
    double *buf = malloc(2 * n * sizeof *buf);
    for (int c = 0; c < 4; c++) {
        const double *v = st_table_f64(t, (size_t)st_table_find(t, cols[c]));
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (mask[i]) buf[k++] = v[i];
        st_table_add_f64(sub, cols[c], ST_COL_F64, buf);
    }
    st_table_add_str(sub, "grp");
    size_t gs = (size_t)st_table_find(sub, "grp"), gt = (size_t)st_table_find(t, "grp");
    for (size_t i = 0, k = 0; i < n; i++)
        if (mask[i]) st_table_set_str(sub, gs, k++, st_table_str(t, gt, i));
    /* spoil the rows off the mask */
    size_t jx0 = (size_t)st_table_find(t, "x0"), jy = (size_t)st_table_find(t, "y");
    for (size_t i = 0; i < n; i += 3) {
        st_table_f64_mut(t, jx0)[i] = NAN;
        st_table_f64_mut(t, jy)[i] = 7.0;
    }
    for (int kind = 0; kind < 2; kind++) {
        st_glm_options o;
        st_glm_options_init(&o);
        o.kind = (st_glm_kind)kind;
        o.class_weight_balanced = 1;
        const char *label = kind ? "z" : "y";
        st_glm *a, *b;
        o.row_mask = mask;
        CHECK(st_glm_fit(ctx, t, "t", label, NUM, 2, CAT, 1, &o, &a) == ST_OK);
        o.row_mask = NULL;
        CHECK(st_glm_fit(ctx, sub, "sub", label, NUM, 2, CAT, 1, &o, &b) == ST_OK);
        CHECK(st_glm_nobs(a) == (double)ns);
        CHECK_REL(st_glm_intercept(a), st_glm_intercept(b), 1e-10);
        for (size_t k = 0; k < 5; k++) CHECK_REL(st_glm_coef(a, k), st_glm_coef(b, k), 1e-10);
        st_glm_free(a);
        st_glm_free(b);
    }
    /* weight 2 on every row of sub = sub stacked twice */
    CHECK(st_table_new(ctx, "id", 2 * ns, &dup) == ST_OK);
    for (int c = 0; c < 4; c++) {
        const double *v = st_table_f64(sub, (size_t)st_table_find(sub, cols[c]));
        for (size_t i = 0; i < 2 * ns; i++) buf[i] = v[i % ns];
        st_table_add_f64(dup, cols[c], ST_COL_F64, buf);
    }
    st_table_add_str(dup, "grp");
    for (size_t i = 0; i < 2 * ns; i++) st_table_set_str(dup, 5, i, st_table_str(sub, gs, i % ns));
    double *w2 = malloc(ns * sizeof *w2);
    for (size_t i = 0; i < ns; i++) w2[i] = 2.0;
    st_glm_options o;
    st_glm_options_init(&o);
    st_glm *a, *b;
    o.sample_weight = w2;
    CHECK(st_glm_fit(ctx, sub, "sub", "y", NUM, 2, CAT, 1, &o, &a) == ST_OK);
    o.sample_weight = NULL;
    CHECK(st_glm_fit(ctx, dup, "dup", "y", NUM, 2, CAT, 1, &o, &b) == ST_OK);
    for (size_t k = 0; k < 5; k++) CHECK_REL(st_glm_coef(a, k), st_glm_coef(b, k), 1e-10);
    w2[3] = -1.0;
    st_glm *c = NULL;
    o.sample_weight = w2;
    CHECK(st_glm_fit(ctx, sub, "sub", "y", NUM, 2, CAT, 1, &o, &c) == ST_EDATA && !c);
    CHECK(strstr(st_errmsg(ctx), "sub:5") != NULL);
    st_glm_free(a);
    st_glm_free(b);
    free(w2);
    free(buf);
    free(mask);
    st_table_free(dup);
    st_table_free(sub);
    st_table_free(t);
}

/* A feature in the hundreds of millions: rounding of the gradient's sums keeps max |g| above 1e-8, and the fit
** still stops, converged, at the same optimum (scaled coefficient). */
static void test_rounding_floor(st_context *ctx)
{
    st_table *t = make_table(ctx, 50000);
    st_glm_options o;
    st_glm_options_init(&o);
    o.C = 0;
    st_glm *a, *b;
    CHECK(st_glm_fit(ctx, t, "t", "y", NUM, 2, NULL, 0, &o, &a) == ST_OK);
    double *x1 = st_table_f64_mut(t, (size_t)st_table_find(t, "x1"));
    for (size_t i = 0; i < 50000; i++) x1[i] *= 1e8;
    CHECK(st_glm_fit(ctx, t, "t", "y", NUM, 2, NULL, 0, &o, &b) == ST_OK);
    CHECK(st_glm_converged(b));
    CHECK_REL(st_glm_coef(b, 1) * 1e8, st_glm_coef(a, 1), 1e-9);
    CHECK_REL(st_glm_coef(b, 0), st_glm_coef(a, 0), 1e-9);
    CHECK(st_glm_iterations(b) < 30);
    st_glm_free(a);
    st_glm_free(b);
    st_table_free(t);
}

static void test_linear(st_context *ctx)
{
    /* y = 1 + 2 x0 - 3 x1 exactly: least squares recovers it; ridge shrinks the slopes */
    st_table *t;
    double x0[6] = {0, 1, 2, 3, 4, 5}, x1[6] = {1, 0, 1, 0, 2, 1}, y[6];
    for (int i = 0; i < 6; i++) y[i] = 1 + 2 * x0[i] - 3 * x1[i];
    CHECK(st_table_new(ctx, "id", 6, &t) == ST_OK);
    st_table_add_f64(t, "x0", ST_COL_F64, x0);
    st_table_add_f64(t, "x1", ST_COL_F64, x1);
    st_table_add_f64(t, "y", ST_COL_F64, y);
    st_glm_options o;
    st_glm_options_init(&o);
    o.kind = ST_GLM_LINEAR;
    o.C = 0;
    st_glm *m;
    CHECK(st_glm_fit(ctx, t, "lin", "y", NUM, 2, NULL, 0, &o, &m) == ST_OK);
    CHECK_NEAR(st_glm_intercept(m), 1, 1e-12);
    CHECK_NEAR(st_glm_coef(m, 0), 2, 1e-12);
    CHECK_NEAR(st_glm_coef(m, 1), -3, 1e-12);
    CHECK(st_glm_class(m, 0) == NULL);
    st_glm_free(m);
    o.C = 0.1;
    CHECK(st_glm_fit(ctx, t, "lin", "y", NUM, 2, NULL, 0, &o, &m) == ST_OK);
    CHECK(fabs(st_glm_coef(m, 0)) < 2 && fabs(st_glm_coef(m, 1)) < 3);
    st_glm_free(m);
    st_table_free(t);
}

int main(void)
{
    st_context *ctx;
    if (st_context_new(&ctx)) return 1;
    st_context_set_threads(ctx, 1);
    test_derivatives(ctx, ST_GLM_LOGISTIC);
    test_derivatives(ctx, ST_GLM_LINEAR);
    test_merge_and_bytes(ctx);
    test_threads(ctx);
    test_errors(ctx);
    test_encoding(ctx);
    test_linear(ctx);
    test_mask_and_weights(ctx);
    test_rounding_floor(ctx);
    st_context_free(ctx);
    T_DONE();
}
