/*
** fuzz_glm_model.c -- fuzz target for the linear models' MODEL.json (st_glm_from_json): whatever loads must
** write back to JSON that loads to the same coefficients bit for bit, and scoring a small fixed table must
** either succeed (logistic scores in [0, 1] or NaN) or fail with a status. Any broken promise aborts.
*/
#include "strata.h"
#include "fuzz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, st_context *ctx)
{
    fprintf(stderr, "fuzz_glm_model: %s (%s)\n", what, st_errmsg(ctx));
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 0;
    st_glm *m = NULL;
    if (st_glm_from_json(ctx, (const char *)data, size, &m) != ST_OK) {
        if (m) fail("failed load left a model", ctx);
        st_context_free(ctx);
        return 0;
    }
    char *js = NULL;
    size_t len = 0;
    st_glm *b = NULL;
    if (st_glm_to_json(ctx, m, &js, &len) != ST_OK) fail("cannot write a loaded model", ctx);
    if (st_glm_from_json(ctx, js, len, &b) != ST_OK) fail("written model does not load", ctx);
    size_t p = st_design_ncols(st_glm_design(m));
    if (p != st_design_ncols(st_glm_design(b))) fail("round trip changed the design", ctx);
    for (size_t k = 0; k <= p; k++) {
        double x = k ? st_glm_coef(m, k - 1) : st_glm_intercept(m), y = k ? st_glm_coef(b, k - 1) : st_glm_intercept(b);
        if (memcmp(&x, &y, sizeof x) != 0) fail("round trip changed a coefficient", ctx);
    }
    /* score a table with the columns a seed model uses (others: a status) */
    st_table *t = NULL;
    if (st_table_new(ctx, "id", 3, &t) == ST_OK) {
        const double x0[3] = {0, 1.5, -2}, x1[3] = {3, 0, 1};
        st_table_add_f64(t, "x0", ST_COL_F64, x0);
        st_table_add_f64(t, "x1", ST_COL_F64, x1);
        st_table_add_str(t, "grp");
        st_table_set_str(t, 3, 0, "a");
        st_table_set_str(t, 3, 1, "zebra");
        double s[3];
        if (st_glm_predict(ctx, m, t, "t", s) == ST_OK && st_glm_kind_of(m) == ST_GLM_LOGISTIC)
            for (int i = 0; i < 3; i++)
                if (!(isnan(s[i]) || (s[i] >= 0.0 && s[i] <= 1.0))) fail("a logistic score out of [0, 1]", ctx);
        st_table_free(t);
    }
    st_glm_free(b);
    st_free(ctx, js);
    st_glm_free(m);
    st_context_free(ctx);
    return 0;
}
