/*
** mdp_sim.c -- Monte-Carlo value of a policy on an MDP: simulated customers follow the policy for a number
** of periods. Customer i always draws from stream (seed, i), so policies compared under one seed see
** common random numbers and their difference has a much smaller error than each total.
*/
#include "decide/mdp.h"
#include "core/rng.h"

#include <math.h>

static uint32_t next_state(const st_mdp *m, size_t r, st_rng *g)
{
    double u = st__rng_uniform(g), acc = 0.0;
    size_t lo = m->P.rowptr[r], hi = m->P.rowptr[r + 1];
    for (size_t k = lo; k < hi; k++) {
        acc += m->P.val[k];
        if (u < acc) return m->P.col[k];
    }
    return m->P.col[hi - 1]; /* rounding left u above the last partial sum */
}

st_status st_mdp_simulate(st_context *ctx, const st_mdp *m, const st_policy *p, uint64_t customers,
                          size_t periods, double discount, long start, uint64_t seed, double *out_mean,
                          double *out_stderr)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !p) return st__error(ctx, ST_EINVAL, "st_mdp_simulate: NULL model or policy");
    if (p->S != m->S || p->A != m->A)
        return st__error(ctx, ST_EDATA, "the policy (%zu states, %zu actions) does not fit the model (%zu, %zu)",
                         p->S, p->A, m->S, m->A);
    if (customers == 0 || periods == 0)
        return st__error(ctx, ST_EINVAL, "simulation needs at least one customer and one period");
    if (!(discount > 0.0 && discount <= 1.0))
        return st__error(ctx, ST_EINVAL, "simulation discount must be in (0, 1], got %g", discount);
    if (start >= 0 && (size_t)start >= m->S)
        return st__error(ctx, ST_EINVAL, "start state %ld out of range (%zu states)", start, m->S);
    size_t S = m->S, A = m->A, N = p->horizon;
    double mean = 0.0, m2 = 0.0;
    for (uint64_t i = 0; i < customers; i++) {
        st_rng g;
        st__rng_seed_stream(&g, seed, i);
        /* The start is drawn first so that it does not depend on the policy. */
        size_t s = start >= 0 ? (size_t)start : (size_t)st__rng_below(&g, S);
        double total = 0.0, w = 1.0;
        for (size_t t = 0; t < periods; t++) {
            size_t k = N == 0 ? 0 : t < N ? t : N - 1;
            uint32_t a = p->action[k * S + s];
            size_t r = s * A + a;
            total += w * m->R[r];
            w *= discount;
            s = next_state(m, r, &g);
        }
        double d = total - mean;
        mean += d / (double)(i + 1);
        m2 += d * (total - mean);
        if ((i & 16383u) == 16383u) {
            st_status rc = st__progress(ctx, "mdp simulate", (double)(i + 1) / (double)customers);
            if (rc) return rc;
        }
    }
    if (out_mean) *out_mean = mean;
    if (out_stderr) *out_stderr = customers > 1 ? sqrt(m2 / (double)(customers - 1) / (double)customers) : 0.0;
    return ST_OK;
}
