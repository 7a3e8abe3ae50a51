/*
** fuzz_mdp.c -- fuzz target for MDP.json text (st_mdp_from_json), whose sparse "P" goes through the
** hand-written scanner of src/decide/mdp_json.c (fast_read) and everything else through the JSON reader.
** A failure must be one of the documented statuses with a message and no model; whatever loads must write
** (st_mdp_to_json_file) to a file that loads to the same model: sizes, names, costs and rewards equal,
** probabilities equal to rounding (every load divides a row by its sum). Any broken promise aborts.
*/
#include "strata.h"
#include "fuzz.h"
#include "fuzz_tmp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, st_context *ctx)
{
    fprintf(stderr, "fuzz_mdp: %s (%s)\n", what, st_errmsg(ctx));
    abort();
}

static void same_model(st_context *ctx, const st_mdp *a, const st_mdp *b)
{
    size_t S = st_mdp_nstates(a), A = st_mdp_nactions(a);
    if (S != st_mdp_nstates(b) || A != st_mdp_nactions(b) || st_mdp_nnz(a) != st_mdp_nnz(b))
        fail("round trip changed the sizes", ctx);
    for (size_t s = 0; s < S; s++)
        if (strcmp(st_mdp_state_name(a, s), st_mdp_state_name(b, s)) != 0) fail("round trip changed a state name", ctx);
    for (size_t k = 0; k < A; k++) {
        if (strcmp(st_mdp_action_name(a, k), st_mdp_action_name(b, k)) != 0) fail("round trip changed an action name", ctx);
        if (st_mdp_action_cost(a, k) != st_mdp_action_cost(b, k)) fail("round trip changed a cost", ctx);
    }
    /* all (s, a, s') only for small models: the fuzzer's inputs are */
    if (S > 64 || A > 16) return;
    for (size_t s = 0; s < S; s++)
        for (size_t k = 0; k < A; k++) {
            if (st_mdp_reward(a, s, k) != st_mdp_reward(b, s, k)) fail("round trip changed a reward", ctx);
            double sum = 0;
            for (size_t n = 0; n < S; n++) {
                double p = st_mdp_prob(a, s, k, n), q = st_mdp_prob(b, s, k, n);
                if (!(p >= 0 && p <= 1) || fabs(p - q) > 1e-12) fail("round trip changed a probability", ctx);
                sum += p;
            }
            if (fabs(sum - 1) > 1e-9) fail("a loaded row does not sum to 1", ctx);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 0;
    st_mdp *m = (st_mdp *)&m;
    st_status rc = st_mdp_from_json(ctx, (const char *)data, size, "fuzz.json", &m);
    if (rc != ST_OK) {
        if (m) fail("failed load left a model", ctx);
        if (rc != ST_EPARSE && rc != ST_ELIMIT && rc != ST_EFORMAT && rc != ST_EINVAL && rc != ST_EDATA && rc != ST_ENOMEM)
            fail("load failed with an undocumented status", ctx);
        if (!st_errmsg(ctx)[0]) fail("failed load left no message", ctx);
        st_context_free(ctx);
        return 0;
    }
    const char *path = fuzz_tmp();
    if (path) {
        st_mdp *b = NULL;
        if (st_mdp_to_json_file(ctx, m, path) != ST_OK) fail("cannot write a loaded model", ctx);
        if (st_mdp_from_json_file(ctx, path, &b) != ST_OK) fail("written model does not load", ctx);
        same_model(ctx, m, b);
        st_mdp_free(b);
    }
    st_mdp_free(m);
    st_context_free(ctx);
    return 0;
}
