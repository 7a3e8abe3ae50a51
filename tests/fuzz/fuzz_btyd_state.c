/*
** fuzz_btyd_state.c -- fuzz target for st_btyd_acc_deserialize. The input is tried as it is, and again
** with its frame's length and CRC-32 rewritten to match (so mutations reach the payload checks instead of
** stopping at the checksum). A failure must leave no accumulator and a message; whatever loads must write
** back to exactly the bytes it was read from and merge with its own copy. Any broken promise aborts.
** Seeds: states of the four model kinds written by st_btyd_acc_serialize.
*/
#include "strata.h"
#include "fuzz.h"
#include "fuzz_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, st_context *ctx)
{
    fprintf(stderr, "fuzz_btyd_state: %s (%s)\n", what, st_errmsg(ctx));
    abort();
}

static void try_state(st_context *ctx, const char *data, size_t size)
{
    st_btyd_acc *a = (st_btyd_acc *)&a;
    st_status rc = st_btyd_acc_deserialize(ctx, data, size, &a);
    if (rc != ST_OK) {
        if (a) fail("failed load left an accumulator", ctx);
        if (rc != ST_EFORMAT) fail("load failed with another status than ST_EFORMAT", ctx);
        if (!st_errmsg(ctx)[0]) fail("failed load left no message", ctx);
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    if (st_btyd_acc_serialize(ctx, a, &buf, &len) != ST_OK) fail("cannot serialize a loaded state", ctx);
    if (len != size || memcmp(buf, data, len) != 0) fail("a loaded state writes back other bytes", ctx);
    /* no fit: the optimiser's time is not the reader's; rows as held */
    (void)st_btyd_acc_rows(a);
    st_btyd_acc *b = NULL;
    if (st_btyd_acc_deserialize(ctx, buf, len, &b) != ST_OK) fail("written state does not load", ctx);
    if (st_btyd_acc_merge(b, a) != ST_OK) fail("cannot merge a loaded state", ctx);
    st_btyd_acc_free(b);
    st_free(ctx, buf);
    st_btyd_acc_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_state(data, size, try_state); }
