/*
** test_cmdp_scipy.c -- st_mdp_solve_constrained against the same occupancy-measure LP built with numpy and
** solved by scipy.optimize.linprog (method "highs") on 30 seeded random MDPs of 3 to 120 states with binding,
** loose and no budgets: objectives (the value from the start distribution) equal to 1e-9 relative.
** Skips (77) without /usr/bin/python3 and scipy.
*/
#include "strata.h"
#include "core/rng.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define NMDP 30

int main(void)
{
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import scipy.optimize' 2>/dev/null") != 0) {
        printf("skipped: /usr/bin/python3 with scipy is missing\n");
        return T_SKIP;
    }
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 1;
    char dir[] = "/tmp/strata_cmdp_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char path[256], cmd[1536];
    snprintf(path, sizeof path, "%s/mdps.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    double ours[NMDP];
    for (uint64_t k = 0; k < NMDP; k++) {
        st_rng g;
        st__rng_seed_stream(&g, 21, k);
        size_t S = k < 25 ? 3 + st__rng_below(&g, 20) : 120, A = 2 + st__rng_below(&g, 3);
        double gamma = k % 2 ? 0.9 : 0.97;
        double *P = calloc(A * S * S, sizeof *P), *R = malloc(S * A * sizeof *R), *C = malloc(S * A * sizeof *C);
        double *mu = malloc(S * sizeof *mu), *pi = malloc(S * A * sizeof *pi);
        if (!P || !R || !C || !mu || !pi) return 1;
        for (size_t a = 0; a < A; a++)
            for (size_t s = 0; s < S; s++) {
                double tot = 0;
                for (int e = 0; e < 4; e++) { /* 4 random successors: sparse rows, unreachable states */
                    size_t j = st__rng_below(&g, S);
                    double w = st__rng_uniform(&g);
                    P[(a * S + s) * S + j] += w;
                    tot += w;
                }
                for (size_t j = 0; j < S; j++) P[(a * S + s) * S + j] /= tot;
            }
        for (size_t r = 0; r < S * A; r++) {
            size_t a = r % A;
            C[r] = a == 0 ? 0.0 : (double)a * st__rng_uniform(&g);
            R[r] = st__rng_uniform(&g) + (double)a * st__rng_uniform(&g);
        }
        double tot = 0;
        for (size_t s = 0; s < S; s++) tot += mu[s] = s % 3 == 0 ? st__rng_uniform(&g) : 0.0;
        for (size_t s = 0; s < S; s++) mu[s] /= tot;
        st_mdp *m = NULL;
        CHECK_EQ_INT(st_mdp_new_dense(ctx, S, A, P, R, &m), ST_OK);
        double v, c;
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, gamma, mu, C, (double)INFINITY, pi, NULL, &v, &c, NULL), ST_OK);
        double B = k % 3 == 0 ? (double)INFINITY : k % 3 == 1 ? 0.3 * c : 2 * c;
        CHECK_EQ_INT(st_mdp_solve_constrained(ctx, m, gamma, mu, C, B, pi, NULL, &ours[k], NULL, NULL), ST_OK);
        char bs[32] = "null";
        if (!isinf(B)) snprintf(bs, sizeof bs, "%.17g", B);
        fprintf(f, "{\"S\": %zu, \"A\": %zu, \"g\": %.17g, \"B\": %s, \"P\": [", S, A, gamma, bs);
        for (size_t i = 0; i < A * S * S; i++) fprintf(f, "%s%.17g", i ? "," : "", P[i]);
        fprintf(f, "], \"R\": [");
        for (size_t i = 0; i < S * A; i++) fprintf(f, "%s%.17g", i ? "," : "", R[i]);
        fprintf(f, "], \"C\": [");
        for (size_t i = 0; i < S * A; i++) fprintf(f, "%s%.17g", i ? "," : "", C[i]);
        fprintf(f, "], \"mu\": [");
        for (size_t i = 0; i < S; i++) fprintf(f, "%s%.17g", i ? "," : "", mu[i]);
        fprintf(f, "]}\n");
        st_mdp_free(m);
        free(P), free(R), free(C), free(mu), free(pi);
    }
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c '\n"
             "import json, sys\n"
             "import numpy as np\n"
             "from scipy.optimize import linprog\n"
             "for line in open(sys.argv[1]):\n"
             "    d = json.loads(line)\n"
             "    S, A, g = d[\"S\"], d[\"A\"], d[\"g\"]\n"
             "    P = np.array(d[\"P\"]).reshape(A, S, S)\n"
             "    R = np.array(d[\"R\"]); C = np.array(d[\"C\"])\n"
             "    Aeq = np.zeros((S, S * A))\n"
             "    for s in range(S):\n"
             "        for a in range(A):\n"
             "            Aeq[s, s * A + a] += 1\n"
             "            Aeq[:, s * A + a] -= g * P[a, s]\n"
             "    kw = dict(A_ub=C[None, :], b_ub=[d[\"B\"]]) if d[\"B\"] is not None else {}\n"
             "    r = linprog(-R, A_eq=Aeq, b_eq=np.array(d[\"mu\"]), bounds=(0, None), method=\"highs\", **kw)\n"
             "    print(r.status, repr(float(-r.fun)))\n"
             "' %s",
             path);
    FILE *py = popen(cmd, "r");
    if (!py) return 1;
    double worst = 0;
    for (int k = 0; k < NMDP; k++) {
        int st;
        double obj;
        if (fscanf(py, "%d %lf", &st, &obj) != 2) {
            CHECK(!"scipy output");
            break;
        }
        CHECK_EQ_INT(st, 0);
        double rel = fabs(ours[k] - obj) / fmax(1, fabs(obj));
        if (rel > 1e-9) fprintf(stderr, "MDP %d: %.17g, scipy %.17g\n", k, ours[k], obj);
        worst = fmax(worst, rel);
    }
    pclose(py);
    CHECK(worst <= 1e-9);
    printf("%d constrained MDPs: max relative error of the value vs scipy HiGHS %.3g\n", NMDP, worst);
    unlink(path);
    rmdir(dir);
    st_context_free(ctx);
    T_DONE();
}
