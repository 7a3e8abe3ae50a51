/*
** fuzz_summary_state.c -- fuzz target for st_summary_acc_deserialize. The input is tried as it is, and again
** with its frame's length and CRC-32 rewritten to match (so mutations reach the payload checks instead of
** stopping at the checksum). A failure must leave no accumulator and a message; whatever loads must write
** back to exactly the bytes it was read from, finalize with a status, and merge. Any broken promise aborts.
** Seeds: tests/fuzz/gen_summary_state.py.
*/
#include "strata.h"
#include "fuzz.h"
#include "fuzz_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, st_context *ctx)
{
    fprintf(stderr, "fuzz_summary_state: %s (%s)\n", what, st_errmsg(ctx));
    abort();
}

static void try_state(st_context *ctx, const char *data, size_t size)
{
    st_summary_acc *a = (st_summary_acc *)&a;
    st_status rc = st_summary_acc_deserialize(ctx, data, size, NULL, &a);
    if (rc != ST_OK) {
        if (a) fail("failed load left an accumulator", ctx);
        if (rc != ST_EFORMAT) fail("load failed with another status than ST_EFORMAT", ctx);
        if (!st_errmsg(ctx)[0]) fail("failed load left no message", ctx);
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    if (st_summary_acc_serialize(ctx, a, &buf, &len) != ST_OK) fail("cannot serialize a loaded state", ctx);
    if (len != size || memcmp(buf, data, len) != 0) fail("a loaded state writes back other bytes", ctx);
    st_table *t = NULL;
    rc = st_summary_acc_finalize(a, &t, NULL);
    if (rc != ST_OK && rc != ST_EEMPTY && rc != ST_EINVAL) fail("finalize failed with an unexpected status", ctx);
    if ((rc == ST_OK) != (t != NULL)) fail("finalize status and table disagree", ctx);
    st_table_free(t);
    st_summary_acc *b = NULL;
    if (st_summary_acc_deserialize(ctx, buf, len, NULL, &b) != ST_OK) fail("written state does not load", ctx);
    if (st_summary_acc_merge(b, a) != ST_OK) fail("cannot merge a loaded state", ctx);
    st_summary_acc_free(b);
    st_free(ctx, buf);
    st_summary_acc_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_state(data, size, try_state); }
