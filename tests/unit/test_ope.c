/*
** test_ope.c -- the off-policy estimators of st_ope_estimate on simulated logs with known logging
** probabilities: 10 customer types, 3 actions, logging probabilities a softmax per type, Bernoulli rewards
** with known means, so the target policy's true value is exact. Over 400 seeded replications of 2,000 rows
** the mean IPW, SNIPW and DR estimates (DR with a reward model that is off by +0.1 everywhere) lie within 3
** standard errors of the truth, for a deterministic and a stochastic target, the reported standard errors
** match the spread of the estimates across replications, and the direct method with the wrong model is
** biased by the model's error (so the check can fail). Then the argument and domain errors.
*/
#include "strata.h"
#include "core/rng.h"
#include "failalloc.h"
#include "test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define K 10
#define A 3
#define N 2000
#define REPS 400

static double mu[K][A], m[K][A], pdet[K][A], psto[K][A];

static void softmax(double *p, const double *z)
{
    double s = 0;
    for (int a = 0; a < A; a++) s += p[a] = exp(z[a]);
    for (int a = 0; a < A; a++) p[a] /= s;
}

/* st_ope_json with a fitted reward model, from reading the CSV on, through a failing allocator. */
static st_status ope_job(t_failer *f, void *arg)
{
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    st_table *t = NULL;
    char *json = NULL;
    st_status rc = st_table_read_csv(ctx, (const char *)arg, NULL, &t);
    if (!rc) {
        st_ope_options o;
        st_ope_options_init(&o);
        const char *feat[] = {"x"};
        o.action_col = "action", o.propensity_col = "p", o.reward_col = "r", o.policy_col = "pol";
        o.features = feat, o.nfeatures = 1;
        rc = st_ope_json(ctx, t, "log.csv", &o, &json, NULL);
    }
    if (rc == ST_ENOMEM) CHECK(st_errmsg(ctx)[0] != 0);
    st_free(ctx, json);
    st_table_free(t);
    st_context_free(ctx);
    return rc;
}

int main(void)
{
    {
        char path[] = "/tmp/strata_ope_XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f) return 1;
        fputs("id,action,p,r,pol,x\n1,a,0.5,1,b,1\n2,b,0.5,2,b,2\n3,a,0.5,0,a,3\n4,b,0.5,3,a,5\n5,a,0.5,2,b,4\n",
              f);
        fclose(f);
        t_alloc_torture("st_ope_json", ope_job, path);
        unlink(path);
    }
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 1;
    st_rng g;
    st__rng_seed(&g, 7);
    double truth_det = 0, truth_sto = 0;
    for (int k = 0; k < K; k++) {
        double z[A], z2[A];
        for (int a = 0; a < A; a++) {
            z[a] = 1.5 * st__rng_normal(&g);
            z2[a] = st__rng_normal(&g);
            m[k][a] = 0.05 + 0.55 * st__rng_uniform(&g);
        }
        softmax(mu[k], z);
        softmax(psto[k], z2);
        int best = 0;
        for (int a = 1; a < A; a++)
            if (m[k][a] > m[k][best]) best = a;
        for (int a = 0; a < A; a++) pdet[k][a] = a == best;
        for (int a = 0; a < A; a++) {
            truth_det += pdet[k][a] * m[k][a] / K;
            truth_sto += psto[k][a] * m[k][a] / K;
        }
    }
    static uint32_t act[N];
    static double prop[N], rew[N], tdet[N * A], tsto[N * A], q[N * A];
    double sum[2][ST_OPE_NESTIMATORS] = {{0}}, sq[2][ST_OPE_NESTIMATORS] = {{0}}, se_mean[2][ST_OPE_NESTIMATORS] = {{0}};
    for (uint64_t rep = 0; rep < REPS; rep++) {
        st__rng_seed_stream(&g, 2024, rep);
        for (size_t i = 0; i < N; i++) {
            int k = (int)st__rng_below(&g, K);
            double u = st__rng_uniform(&g), c = 0;
            int a = 0;
            while (a < A - 1 && u > (c += mu[k][a])) a++;
            act[i] = (uint32_t)a;
            prop[i] = mu[k][a];
            rew[i] = st__rng_uniform(&g) < m[k][a] ? 1.0 : 0.0;
            for (int b = 0; b < A; b++) {
                tdet[i * A + b] = pdet[k][b];
                tsto[i * A + b] = psto[k][b];
                q[i * A + b] = m[k][b] + 0.1;
            }
        }
        for (int pol = 0; pol < 2; pol++) {
            st_ope_result r;
            CHECK_EQ_INT(st_ope_estimate(ctx, N, A, act, prop, rew, pol ? tsto : tdet, q, &r), ST_OK);
            for (int e = 0; e < ST_OPE_NESTIMATORS; e++) {
                sum[pol][e] += r.value[e];
                sq[pol][e] += r.value[e] * r.value[e];
                se_mean[pol][e] += r.se[e] / REPS;
            }
        }
    }
    for (int pol = 0; pol < 2; pol++) {
        double truth = pol ? truth_sto : truth_det;
        printf("%s target, truth %.5f:\n", pol ? "stochastic" : "deterministic", truth);
        for (int e = ST_OPE_IPW; e < ST_OPE_NESTIMATORS; e++) {
            double mean = sum[pol][e] / REPS, sd = sqrt((sq[pol][e] / REPS - mean * mean) * REPS / (REPS - 1));
            double z = (mean - truth) / (sd / sqrt(REPS));
            printf("  %-5s mean %.5f  (%+.2f SE of the mean), sd across replications %.5f, mean reported se %.5f\n",
                   (const char *[]){"", "ipw", "snipw", "dm", "dr"}[e], mean, z, sd, se_mean[pol][e]);
            if (e == ST_OPE_DM) {
                CHECK(fabs(mean - truth - 0.1) < 3 * sd / sqrt(REPS)); /* biased by the model's error */
                CHECK(fabs(z) > 10);
                continue;
            }
            CHECK(fabs(z) <= 3.0);
            /* the reported standard error estimates the spread of the estimator */
            CHECK(fabs(se_mean[pol][e] / sd - 1.0) < 0.15);
        }
    }

    /* Errors and edge cases. */
    {
        uint32_t a2[2] = {0, 1};
        double p2[2] = {0.5, 0.5}, r2[2] = {1, 0}, t2[4] = {1, 0, 1, 0}, q2[4] = {0, 0, 0, 0};
        st_ope_result r;
        CHECK_EQ_INT(st_ope_estimate(ctx, 2, 2, a2, p2, r2, t2, NULL, &r), ST_OK);
        CHECK_NEAR(r.value[ST_OPE_IPW], 1.0, 1e-15);   /* (2 * 1 + 0) / 2 */
        CHECK_NEAR(r.value[ST_OPE_SNIPW], 1.0, 1e-15);
        CHECK(isnan(r.value[ST_OPE_DR]) && isnan(r.value[ST_OPE_DM]));
        CHECK_NEAR(r.support, 0.5, 0);
        CHECK_NEAR(r.effective_sample_size, 1.0, 1e-15);
        CHECK_EQ_INT(st_ope_estimate(ctx, 2, 2, a2, p2, r2, t2, q2, &r), ST_OK);
        CHECK_NEAR(r.value[ST_OPE_DR], 1.0, 1e-15);
        double bad_p[2] = {0.5, 0};
        CHECK_EQ_INT(st_ope_estimate(ctx, 2, 2, a2, bad_p, r2, t2, q2, &r), ST_EDATA);
        CHECK_STR(st_errmsg(ctx), "row 2: logging propensity 0 is not in (0, 1]");
        double nan_r[2] = {1, (double)NAN};
        CHECK_EQ_INT(st_ope_estimate(ctx, 2, 2, a2, p2, nan_r, t2, q2, &r), ST_EDATA);
        CHECK_STR(st_errmsg(ctx), "row 2: reward is missing");
        double bad_t[4] = {0.5, 0.6, 1, 0};
        CHECK_EQ_INT(st_ope_estimate(ctx, 2, 2, a2, p2, r2, bad_t, q2, &r), ST_EDATA);
        uint32_t bad_a[2] = {0, 2};
        CHECK_EQ_INT(st_ope_estimate(ctx, 2, 2, bad_a, p2, r2, t2, q2, &r), ST_EINVAL);
        CHECK_EQ_INT(st_ope_estimate(ctx, 0, 2, a2, p2, r2, t2, q2, &r), ST_EEMPTY);
        CHECK_EQ_INT(st_ope_estimate(ctx, 2, 2, a2, p2, r2, NULL, q2, &r), ST_EINVAL);
        /* no row where the target agrees with the log: SNIPW undefined, IPW 0 */
        double t0[4] = {0, 1, 1, 0};
        CHECK_EQ_INT(st_ope_estimate(ctx, 2, 2, a2, p2, r2, t0, NULL, &r), ST_OK);
        CHECK(isnan(r.value[ST_OPE_SNIPW]));
        CHECK_NEAR(r.value[ST_OPE_IPW], 0, 0);
    }
    st_context_free(ctx);
    T_DONE();
}
