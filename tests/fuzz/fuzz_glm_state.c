/*
** fuzz_glm_state.c -- fuzz target for st_glm_acc_deserialize (the Newton-step sums of logistic and linear
** regression). The input is tried as it is and resealed (fuzz_state.h). A failure must leave no accumulator
** and a message; whatever loads must write back to exactly the bytes it was read from, merge with its own
** copy and finalize. Any broken promise aborts. Seeds: states written by st_glm_acc_serialize (logistic and
** linear, 0, 2 and 5 design columns, empty and with rows).
*/
#include "strata.h"
#include "fuzz.h"
#include "fuzz_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, st_context *ctx)
{
    fprintf(stderr, "fuzz_glm_state: %s (%s)\n", what, st_errmsg(ctx));
    abort();
}

static void try_state(st_context *ctx, const char *data, size_t size)
{
    st_glm_acc *a = (st_glm_acc *)&a;
    st_status rc = st_glm_acc_deserialize(ctx, data, size, &a);
    if (rc != ST_OK) {
        if (a) fail("failed load left an accumulator", ctx);
        if (rc != ST_EFORMAT && rc != ST_ENOMEM) fail("load failed with another status than ST_EFORMAT", ctx);
        if (!st_errmsg(ctx)[0]) fail("failed load left no message", ctx);
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    if (st_glm_acc_serialize(ctx, a, &buf, &len) != ST_OK) fail("cannot serialize a loaded state", ctx);
    if (len != size || memcmp(buf, data, len) != 0) fail("a loaded state writes back other bytes", ctx);
    st_glm_acc *b = NULL;
    if (st_glm_acc_deserialize(ctx, buf, len, &b) != ST_OK) fail("written state does not load", ctx);
    if (st_glm_acc_merge(b, a) != ST_OK) fail("cannot merge a loaded state", ctx);
    double obj;
    if (st_glm_acc_finalize(b, 1.0, &obj, NULL, NULL, NULL, NULL) != ST_OK) fail("cannot finalize", ctx);
    st_glm_acc_free(b);
    st_free(ctx, buf);
    st_glm_acc_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_state(data, size, try_state); }
