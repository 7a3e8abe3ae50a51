/*
** fuzz_mlp.c -- fuzz target for a network's MODEL.json (st_mlp_from_json). A failure must be one of the
** documented statuses with a message and no network; whatever loads must predict finite-or-NaN outputs
** without a crash, and write (st_mlp_to_json) text that loads to bit-identical parameters and writes the
** same bytes again. Any broken promise aborts.
*/
#include "strata.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, st_context *ctx)
{
    fprintf(stderr, "fuzz_mlp: %s (%s)\n", what, st_errmsg(ctx));
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 0;
    st_mlp *m = (st_mlp *)1;
    st_status rc = st_mlp_from_json(ctx, (const char *)data, size, "fuzz.json", &m);
    if (rc != ST_OK) {
        if (m) fail("a failed load left a network", ctx);
        if (rc != ST_EPARSE && rc != ST_ELIMIT && rc != ST_EFORMAT && rc != ST_EINVAL && rc != ST_ENOMEM)
            fail("an undocumented status", ctx);
        if (!st_errmsg(ctx)[0]) fail("a failure without a message", ctx);
        st_context_free(ctx);
        return 0;
    }
    size_t d = st_mlp_ninputs(m), k = st_mlp_noutputs(m);
    if (d <= 4096 && k <= 4096 && st_mlp_nparams(m) <= 1000000) {
        double *x = calloc(d, sizeof *x), *y = calloc(k, sizeof *y);
        if (x && y && st_mlp_predict(ctx, m, x, 1, y) != ST_OK) fail("predict failed on a loaded network", ctx);
        free(x);
        free(y);
    }
    char *j1 = NULL, *j2 = NULL;
    size_t n1 = 0, n2 = 0;
    st_mlp *r = NULL;
    if (st_mlp_to_json(ctx, m, &j1, &n1) != ST_OK) fail("a loaded network did not write", ctx);
    if (st_mlp_from_json(ctx, j1, n1, "again", &r) != ST_OK) fail("written text did not load", ctx);
    if (st_mlp_nparams(r) != st_mlp_nparams(m) ||
        memcmp(st_mlp_params(r), st_mlp_params(m), st_mlp_nparams(m) * sizeof(double)) != 0)
        fail("the round trip changed a parameter", ctx);
    if (st_mlp_to_json(ctx, r, &j2, &n2) != ST_OK || n1 != n2 || memcmp(j1, j2, n1) != 0)
        fail("writing again gave other bytes", ctx);
    st_free(ctx, j1);
    st_free(ctx, j2);
    st_mlp_free(r);
    st_mlp_free(m);
    st_context_free(ctx);
    return 0;
}
