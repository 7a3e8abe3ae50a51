/*
** fuzz_policy.c -- fuzz target for POLICY.json (st_policy_from_json_file), read against a fixed MDP of
** 3 states and 2 actions; the input is written to a private temporary file (fuzz_tmp.h). A failure must
** be ST_EPARSE, ST_ELIMIT, ST_EFORMAT or ST_ENOMEM with a message and no policy; whatever loads must have the
** model's states, actions below 2 and path states below 3, and write (st_policy_to_json_file) to a file
** that loads to the same actions, values (non-finite ones come back as NaN) and path. Any broken promise
** aborts.
*/
#include "strata.h"
#include "fuzz.h"
#include "fuzz_tmp.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, st_context *ctx)
{
    fprintf(stderr, "fuzz_policy: %s (%s)\n", what, st_errmsg(ctx));
    abort();
}

static st_mdp *model(st_context *ctx)
{
    static const double P[2 * 3 * 3] = {0.5, 0.5, 0, 0, 0.5, 0.5, 0, 0, 1, 1, 0, 0, 0.2, 0.8, 0, 0.1, 0.1, 0.8};
    static const double R[3 * 2] = {1, 0, 2, -1, 0, 3};
    st_mdp *m = NULL;
    if (st_mdp_new_dense(ctx, 3, 2, P, R, &m) != ST_OK) fail("cannot build the model", ctx);
    return m;
}

static bool same_value(double x, double y) { return isfinite(x) ? x == y : isnan(y); }

static void check(st_context *ctx, const st_policy *p, const st_policy *q)
{
    size_t S = st_policy_nstates(p), N = st_policy_horizon(p);
    if (S != 3) fail("a loaded policy has another number of states", ctx);
    if (q && (st_policy_nstates(q) != S || st_policy_horizon(q) != N)) fail("round trip changed the sizes", ctx);
    for (size_t s = 0; s < S; s++)
        for (size_t k = 0; k <= N; k++) {
            if (k < N || N == 0) {
                long a = st_policy_action(p, s, k);
                if (a < 0 || a >= 2) fail("a loaded action is out of range", ctx);
                if (q && st_policy_action(q, s, k) != a) fail("round trip changed an action", ctx);
            }
            long x = st_policy_path(p, s, k);
            if (x < -1 || x >= 3) fail("a loaded path state is out of range", ctx);
            if (q && st_policy_path(q, s, k) != x) fail("round trip changed a path state", ctx);
            if (q && !same_value(st_policy_value(p, s, k), st_policy_value(q, s, k)))
                fail("round trip changed a value", ctx);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 0;
    st_mdp *m = model(ctx);
    const char *path = fuzz_tmp_write(data, size);
    if (!path) {
        st_mdp_free(m);
        st_context_free(ctx);
        return 0;
    }
    st_policy *p = (st_policy *)&p;
    st_status rc = st_policy_from_json_file(ctx, m, path, &p);
    if (rc != ST_OK) {
        if (p) fail("failed load left a policy", ctx);
        if (rc != ST_EPARSE && rc != ST_ELIMIT && rc != ST_EFORMAT && rc != ST_ENOMEM) fail("load failed with an undocumented status", ctx);
        if (!st_errmsg(ctx)[0]) fail("failed load left no message", ctx);
    } else {
        check(ctx, p, NULL);
        st_policy *q = NULL;
        if (st_policy_to_json_file(ctx, p, m, path) != ST_OK) fail("cannot write a loaded policy", ctx);
        if (st_policy_from_json_file(ctx, m, path, &q) != ST_OK) fail("written policy does not load", ctx);
        check(ctx, p, q);
        st_policy_free(q);
        st_policy_free(p);
    }
    st_mdp_free(m);
    st_context_free(ctx);
    return 0;
}
