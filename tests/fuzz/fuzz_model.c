/*
** fuzz_model.c -- fuzz target for MODEL.json (st_btyd_from_json): whatever loads must write back to JSON
** that loads to the same parameters bit for bit, and predictions on a few fixed customers must either be
** finite with P(alive) in [0, 1] or fail with a status. Any broken promise aborts.
*/
#include "strata.h"
#include "fuzz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, st_context *ctx)
{
    fprintf(stderr, "fuzz_model: %s (%s)\n", what, st_errmsg(ctx));
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 0;
    st_btyd_model *m = NULL;
    if (st_btyd_from_json(ctx, (const char *)data, size, &m) != ST_OK) {
        if (m) fail("failed load left a model", ctx);
        st_context_free(ctx);
        return 0;
    }
    char *js = NULL;
    size_t len = 0;
    st_btyd_model *b = NULL;
    if (st_btyd_to_json(ctx, m, &js, &len) != ST_OK) fail("cannot write a loaded model", ctx);
    if (st_btyd_from_json(ctx, js, len, &b) != ST_OK) fail("written model does not load", ctx);
    for (size_t k = 0; k < st_btyd_nparams(m); k++) {
        double x = st_btyd_param(m, k), y = st_btyd_param(b, k);
        if (memcmp(&x, &y, sizeof x) != 0) fail("round trip changed a parameter", ctx);
    }
    if (st_btyd_kind_of(m) != ST_BTYD_GG) {
        const double x[4] = {0, 2, 26, 5}, tx[4] = {0, 4, 30, 6}, T[4] = {6, 6, 31, 6};
        double pa[4], ex[4];
        if (st_btyd_predict(ctx, m, x, tx, T, 4, 5, pa, ex) == ST_OK)
            for (int i = 0; i < 4; i++)
                if (!(pa[i] >= 0.0 && pa[i] <= 1.0) || !isfinite(ex[i]) || ex[i] < 0.0)
                    fail("prediction out of range with ST_OK", ctx);
    }
    st_btyd_free(b);
    st_btyd_json_free(ctx, js);
    st_btyd_free(m);
    st_context_free(ctx);
    return 0;
}
