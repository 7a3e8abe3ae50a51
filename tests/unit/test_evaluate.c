/*
** test_evaluate.c -- classifier evaluation (src/eval/evaluate.c) on small hand-checked cases: ties in the
** scores (ROC AUC counts a tied positive/negative pair as 1/2; average precision steps at distinct scores),
** gain with ties kept in file order, the threshold taken as >=, the reliability bins, multi-class with a class
** that is only predicted, the ST_EDATA errors (one class, a label not 0/1, a NaN score, a missing label), and
** allocation failures.
*/
#include "core/internal.h"
#include "core/json.h"
#include "failalloc.h"
#include "test.h"

static const double Y[5] = {1, 0, 1, 0, 1};
static const double S[5] = {0.9, 0.9, 0.3, 0.1, 0.5};

static void binary_hand(void)
{
    st_context *ctx = NULL;
    CHECK(st_context_new(&ctx) == ST_OK);
    st_eval_binary e;
    CHECK(st_eval_binary_compute(ctx, Y, S, 5, 0.5, &e) == ST_OK);
    /* Pairs (pos, neg): (.9,.9) 1/2, (.9,.1) 1, (.3,.9) 0, (.3,.1) 1, (.5,.9) 0, (.5,.1) 1 -> 3.5 / 6. */
    CHECK_NEAR(e.roc_auc, 3.5 / 6.0, 1e-15);
    /* Steps at .9 (P 1/2, R 1/3), .5 (P 2/3, R 2/3), .3 (P 3/4, R 1). */
    CHECK_NEAR(e.average_precision, (0.5 + 2.0 / 3.0 + 0.75) / 3.0, 1e-15);
    CHECK_NEAR(e.brier, (0.01 + 0.81 + 0.49 + 0.01 + 0.25) / 5.0, 1e-15);
    CHECK_NEAR(e.log_loss, -(log(0.9) + log(0.1) + log(0.3) + log(0.9) + log(0.5)) / 5.0, 1e-15);
    CHECK_EQ_INT(e.tp, 2);
    CHECK_EQ_INT(e.fp, 1);
    CHECK_EQ_INT(e.tn, 1);
    CHECK_EQ_INT(e.fn, 1);
    CHECK_NEAR(e.precision, 2.0 / 3.0, 1e-15);
    CHECK_NEAR(e.recall, 2.0 / 3.0, 1e-15);
    CHECK_NEAR(e.f1, 2.0 / 3.0, 1e-15);
    CHECK_NEAR(e.balanced_accuracy, (2.0 / 3.0 + 0.5) / 2.0, 1e-15);
    CHECK_NEAR(e.accuracy, 0.6, 1e-15);
    /* Top ceil(i 5 / 10) rows = 1,1,2,2,3,3,4,4,5,5; order rows 0 (pos), 1 (neg, tied: file order), 4, 2, 3. */
    static const double gain[10] = {1, 1, 1, 1, 2, 2, 3, 3, 3, 3};
    for (int i = 0; i < 10; i++) CHECK_NEAR(e.gain[i], gain[i] / 3.0, 1e-15);
    CHECK(e.scores_in_unit == 1);
    CHECK_EQ_INT(e.rel_count[0], 0);
    CHECK(isnan(e.rel_mean_score[0]));
    CHECK_EQ_INT(e.rel_count[1], 1);
    CHECK_EQ_INT(e.rel_count[3], 1);
    CHECK_EQ_INT(e.rel_count[5], 1); /* 0.5 opens [0.5, 0.6) */
    CHECK_EQ_INT(e.rel_count[9], 2);
    CHECK_NEAR(e.rel_positive_rate[9], 0.5, 1e-15);

    /* The tied pair swapped in the file: the negative comes first in the gain. */
    const double y2[5] = {0, 1, 1, 0, 1};
    CHECK(st_eval_binary_compute(ctx, y2, S, 5, 0.5, &e) == ST_OK);
    CHECK_NEAR(e.gain[0], 0.0, 0);
    CHECK_NEAR(e.roc_auc, 3.5 / 6.0, 1e-15);

    /* Threshold exactly at a score counts it positive; a score of 1.0 falls in the last bin. */
    const double s3[4] = {0.25, 0.5, 0.5, 1.0}, y3[4] = {0, 1, 0, 1};
    CHECK(st_eval_binary_compute(ctx, y3, s3, 4, 0.5, &e) == ST_OK);
    CHECK_EQ_INT(e.tp, 2);
    CHECK_EQ_INT(e.fp, 1);
    CHECK_EQ_INT(e.rel_count[9], 1);
    CHECK_NEAR(e.roc_auc, (1.0 + 0.5 + 1.0 + 1.0) / 4.0, 1e-15);

    /* Scores outside [0, 1]: rank metrics stay, Brier, log loss and reliability are undefined (null). */
    const double s4[4] = {-1, 2, 3, 0.5};
    CHECK(st_eval_binary_compute(ctx, y3, s4, 4, 0.5, &e) == ST_OK);
    CHECK(isnan(e.brier) && isnan(e.log_loss) && e.scores_in_unit == 0);
    char *text = NULL;
    size_t len = 0;
    CHECK(st_eval_binary_json(ctx, y3, s4, 4, 0.5, &text, &len) == ST_OK);
    st_json *j = NULL;
    CHECK(text && st__json_parse(ctx, text, len, "eval", &j) == ST_OK);
    CHECK(st__json_type(st__json_get(j, "reliability")) == ST_JSON_NULL);
    CHECK(st__json_type(st__json_get(j, "brier")) == ST_JSON_NULL);
    st__json_free(ctx, j);
    st_free(ctx, text);

    CHECK(st_eval_binary_json(ctx, Y, S, 5, 0.5, &text, &len) == ST_OK);
    CHECK(text && st__json_parse(ctx, text, len, "eval", &j) == ST_OK);
    CHECK_STR(st__json_string(st__json_get(j, "kind")), "binary");
    CHECK_NEAR(st__json_number(st__json_get(j, "roc_auc")), 3.5 / 6.0, 1e-15);
    CHECK_EQ_INT(st__json_len(st__json_get(j, "gain")), 10);
    CHECK_EQ_INT(st__json_len(st__json_get(j, "reliability")), 10);
    CHECK_NEAR(st__json_number(st__json_get(st__json_at(st__json_get(j, "reliability"), 9), "count")), 2, 0);
    st__json_free(ctx, j);
    st_free(ctx, text);
    st_context_free(ctx);
}

static void binary_errors(void)
{
    st_context *ctx = NULL;
    CHECK(st_context_new(&ctx) == ST_OK);
    st_eval_binary e;
    const double ones[3] = {1, 1, 1}, s[3] = {0.1, 0.2, 0.3};
    CHECK(st_eval_binary_compute(ctx, ones, s, 3, 0.5, &e) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "only one class") != NULL);
    CHECK(strstr(st_errmsg(ctx), "AUC") != NULL);
    const double two[3] = {1, 2, 0};
    CHECK(st_eval_binary_compute(ctx, two, s, 3, 0.5, &e) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 2") != NULL);
    const double y[3] = {1, 0, 0}, sn[3] = {0.1, 0.2, NAN};
    CHECK(st_eval_binary_compute(ctx, y, sn, 3, 0.5, &e) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 3") != NULL);
    const double ymiss[3] = {1, NAN, 0};
    CHECK(st_eval_binary_compute(ctx, ymiss, s, 3, 0.5, &e) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 2: label is missing") != NULL);
    CHECK(st_eval_binary_compute(ctx, y, s, 0, 0.5, &e) == ST_EDATA);
    CHECK(st_eval_binary_compute(ctx, NULL, s, 3, 0.5, &e) == ST_EINVAL);
    CHECK(st_eval_binary_compute(ctx, y, s, 3, NAN, &e) == ST_EINVAL);
    char *text = (char *)1;
    CHECK(st_eval_binary_json(ctx, ones, s, 3, 0.5, &text, NULL) == ST_EDATA);
    CHECK(text == NULL);
    st_context_free(ctx);
}

static void multiclass(void)
{
    st_context *ctx = NULL;
    CHECK(st_context_new(&ctx) == ST_OK);
    const char *t[5] = {"a", "b", "a", "c", "b"}, *p[5] = {"a", "a", "b", "c", "b"};
    char *text = NULL;
    size_t len = 0;
    CHECK(st_eval_multiclass_json(ctx, t, p, 5, &text, &len) == ST_OK);
    st_json *j = NULL;
    CHECK(text && st__json_parse(ctx, text, len, "eval", &j) == ST_OK);
    CHECK_NEAR(st__json_number(st__json_get(j, "accuracy")), 0.6, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(j, "balanced_accuracy")), 2.0 / 3.0, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(j, "macro_f1")), 2.0 / 3.0, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(j, "weighted_f1")), 0.6, 1e-15);
    const st_json *pc = st__json_get(j, "per_class");
    CHECK_EQ_INT(st__json_len(pc), 3);
    CHECK_STR(st__json_key(pc, 0), "a");
    CHECK_NEAR(st__json_number(st__json_get(st__json_get(pc, "c"), "f1")), 1.0, 0);
    CHECK_NEAR(st__json_number(st__json_get(st__json_get(pc, "b"), "support")), 2, 0);
    st__json_free(ctx, j);
    st_free(ctx, text);

    /* "y" is only predicted: precision 0 (0 of 1), recall 0/0 -> 0, left out of balanced accuracy. */
    const char *t2[2] = {"x", "x"}, *p2[2] = {"x", "y"};
    CHECK(st_eval_multiclass_json(ctx, t2, p2, 2, &text, &len) == ST_OK);
    CHECK(text && st__json_parse(ctx, text, len, "eval", &j) == ST_OK);
    CHECK_NEAR(st__json_number(st__json_get(j, "balanced_accuracy")), 0.5, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(j, "macro_f1")), 1.0 / 3.0, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(j, "weighted_f1")), 2.0 / 3.0, 1e-15);
    CHECK_NEAR(st__json_number(st__json_get(st__json_get(st__json_get(j, "per_class"), "y"), "precision")), 0, 0);
    st__json_free(ctx, j);
    st_free(ctx, text);

    const char *t3[2] = {"x", ""};
    CHECK(st_eval_multiclass_json(ctx, t3, p2, 2, &text, &len) == ST_EDATA);
    CHECK(strstr(st_errmsg(ctx), "row 2") != NULL);
    CHECK(text == NULL);
    st_context_free(ctx);
}

static st_status job_binary(t_failer *f, void *arg)
{
    (void)arg;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    char *text = NULL;
    st_status rc = st_eval_binary_json(ctx, Y, S, 5, 0.5, &text, NULL);
    if (rc == ST_OK) CHECK(text != NULL);
    if (rc != ST_OK) CHECK(text == NULL && st_errmsg(ctx)[0] != '\0');
    st_free(ctx, text);
    st_context_free(ctx);
    return rc;
}

static st_status job_multi(t_failer *f, void *arg)
{
    (void)arg;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    const char *t[5] = {"a", "b", "a", "c", "b"}, *p[5] = {"a", "a", "b", "c", "b"};
    char *text = NULL;
    st_status rc = st_eval_multiclass_json(ctx, t, p, 5, &text, NULL);
    if (rc != ST_OK) CHECK(text == NULL && st_errmsg(ctx)[0] != '\0');
    st_free(ctx, text);
    st_context_free(ctx);
    return rc;
}

int main(void)
{
    binary_hand();
    binary_errors();
    multiclass();
    t_alloc_torture("st_eval_binary_json", job_binary, NULL);
    t_alloc_torture("st_eval_multiclass_json", job_multi, NULL);
    T_DONE();
}
