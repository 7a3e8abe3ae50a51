/*
** test_lp_scipy.c -- num/lp.h against scipy.optimize.linprog (method "highs") on 300 seeded random LPs:
** feasible by construction (b = A x0 (+ slack) for a random x0 >= 0, with zeros in x0 and zero slacks for
** degenerate vertices, small integer coefficients for ties), bounded by a sum row or not, minimised and
** maximised, plus infeasible and unbounded variants. Checks: the same status, objectives equal to 1e-9
** relative, x feasible to 1e-9, strong duality b'y = c'x. Skips (77) without /usr/bin/python3 and scipy.
*/
#include "core/rng.h"
#include "num/lp.h"
#include "test.h"

#include <stdint.h>
#include <unistd.h>

#define NPROB 300
#define MAXN 40
#define MAXM 30

typedef struct prob {
    size_t n, m_eq, m_ub;
    int maximize;
    double c[MAXN], Ae[MAXM * MAXN], be[MAXM], Au[MAXM * MAXN], bu[MAXM];
} prob;

static prob P[NPROB];

static double draw(st_rng *g, int integer)
{
    if (integer) return (double)((int)st__rng_below(g, 7) - 3);
    return 2.0 * st__rng_uniform(g) - 1.0;
}

static void make(prob *p, uint64_t seed)
{
    st_rng g;
    st__rng_seed_stream(&g, 99, seed);
    int integer = st__rng_below(&g, 3) == 0;
    p->n = 2 + st__rng_below(&g, MAXN - 1);
    p->m_eq = st__rng_below(&g, p->n / 2 + 1);
    if (p->m_eq > 12) p->m_eq = 12;
    p->m_ub = 1 + st__rng_below(&g, 20);
    p->maximize = (int)st__rng_below(&g, 2);
    int kind = (int)st__rng_below(&g, 10); /* 0: infeasible, 1: maybe unbounded (no sum row), else bounded */
    double x0[MAXN];
    for (size_t j = 0; j < p->n; j++) x0[j] = st__rng_below(&g, 3) == 0 ? 0.0 : 3.0 * st__rng_uniform(&g);
    for (size_t j = 0; j < p->n; j++) p->c[j] = draw(&g, integer);
    for (size_t i = 0; i < p->m_eq; i++) {
        double s = 0;
        for (size_t j = 0; j < p->n; j++) s += (p->Ae[i * p->n + j] = draw(&g, integer)) * x0[j];
        p->be[i] = s;
    }
    for (size_t i = 0; i < p->m_ub; i++) {
        double s = 0;
        for (size_t j = 0; j < p->n; j++) s += (p->Au[i * p->n + j] = draw(&g, integer)) * x0[j];
        p->bu[i] = s + (st__rng_below(&g, 3) == 0 ? 0.0 : st__rng_uniform(&g));
    }
    if (kind != 1) { /* sum x <= 3 n bounds the polytope */
        size_t i = p->m_ub - 1;
        for (size_t j = 0; j < p->n; j++) p->Au[i * p->n + j] = 1.0;
        p->bu[i] = 3.0 * (double)p->n;
    }
    if (kind == 0) { /* x_0 >= 1 + 3n contradicts the sum row */
        size_t i = 0;
        for (size_t j = 0; j < p->n; j++) p->Au[i * p->n + j] = j == 0 ? -1.0 : 0.0;
        p->bu[i] = -1.0 - 3.0 * (double)p->n;
    }
}

static void put_matrix(FILE *f, const double *a, size_t m, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < m; i++) {
        fprintf(f, "%s[", i ? "," : "");
        for (size_t j = 0; j < n; j++) fprintf(f, "%s%.17g", j ? "," : "", a[i * n + j]);
        fputc(']', f);
    }
    fputc(']', f);
}

int main(void)
{
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import scipy.optimize' 2>/dev/null") != 0) {
        printf("skipped: /usr/bin/python3 with scipy is missing\n");
        return T_SKIP;
    }
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 1;
    char dir[] = "/tmp/strata_lp_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char path[256], cmd[1024];
    snprintf(path, sizeof path, "%s/lps.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    for (int k = 0; k < NPROB; k++) {
        prob *p = &P[k];
        make(p, (uint64_t)k);
        fprintf(f, "{\"max\": %d, \"c\": [", p->maximize);
        for (size_t j = 0; j < p->n; j++) fprintf(f, "%s%.17g", j ? "," : "", p->c[j]);
        fprintf(f, "], \"Ae\": ");
        put_matrix(f, p->Ae, p->m_eq, p->n);
        fprintf(f, ", \"be\": ");
        put_matrix(f, p->be, 1, p->m_eq);
        fprintf(f, ", \"Au\": ");
        put_matrix(f, p->Au, p->m_ub, p->n);
        fprintf(f, ", \"bu\": ");
        put_matrix(f, p->bu, 1, p->m_ub);
        fprintf(f, "}\n");
    }
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c '\n"
             "import json, sys\n"
             "import numpy as np\n"
             "from scipy.optimize import linprog\n"
             "for line in open(sys.argv[1]):\n"
             "    d = json.loads(line)\n"
             "    c = np.array(d[\"c\"]) * (-1 if d[\"max\"] else 1)\n"
             "    Ae = np.array(d[\"Ae\"]) if d[\"Ae\"] else None\n"
             "    be = np.array(d[\"be\"][0]) if d[\"Ae\"] else None\n"
             "    r = linprog(c, A_ub=np.array(d[\"Au\"]), b_ub=np.array(d[\"bu\"][0]), A_eq=Ae, b_eq=be,\n"
             "                bounds=(0, None), method=\"highs\")\n"
             "    obj = -r.fun if (d[\"max\"] and r.status == 0) else (r.fun if r.status == 0 else 0)\n"
             "    print(r.status, repr(float(obj)))\n"
             "' %s",
             path);
    FILE *py = popen(cmd, "r");
    if (!py) return 1;
    double worst = 0.0, worst_feas = 0.0, worst_dual = 0.0;
    int counts[4] = {0};
    for (int k = 0; k < NPROB; k++) {
        int pst;
        double pobj;
        if (fscanf(py, "%d %lf", &pst, &pobj) != 2) {
            CHECK(!"scipy output");
            break;
        }
        prob *p = &P[k];
        double x[MAXN], ye[MAXM], yu[MAXM];
        st__lp lp = {p->n, p->m_eq, p->m_ub, p->c, p->Ae, p->be, p->Au, p->bu, p->maximize, 0};
        st__lp_result r = {0};
        r.x = x;
        r.y_eq = ye;
        r.y_ub = yu;
        CHECK_EQ_INT(st__lp_solve(ctx, &lp, &r), ST_OK);
        /* scipy: 0 optimal, 2 infeasible, 3 unbounded */
        int want = pst == 0 ? ST__LP_OPTIMAL : pst == 2 ? ST__LP_INFEASIBLE : pst == 3 ? ST__LP_UNBOUNDED : -1;
        if ((int)r.status != want) {
            fprintf(stderr, "problem %d (n %zu, eq %zu, ub %zu): status %d, scipy %d\n", k, p->n, p->m_eq, p->m_ub,
                    (int)r.status, pst);
            CHECK(0);
            continue;
        }
        counts[r.status]++;
        if (r.status != ST__LP_OPTIMAL) continue;
        double rel = fabs(r.objective - pobj) / fmax(1.0, fabs(pobj));
        if (rel > worst) worst = rel;
        if (rel > 1e-9) fprintf(stderr, "problem %d: objective %.17g, scipy %.17g\n", k, r.objective, pobj);
        CHECK(rel <= 1e-9);
        double dual = 0.0;
        for (size_t i = 0; i < p->m_eq; i++) {
            double s = 0;
            for (size_t j = 0; j < p->n; j++) s += p->Ae[i * p->n + j] * x[j];
            worst_feas = fmax(worst_feas, fabs(s - p->be[i]) / fmax(1.0, fabs(p->be[i])));
            dual += ye[i] * p->be[i];
        }
        for (size_t i = 0; i < p->m_ub; i++) {
            double s = 0;
            for (size_t j = 0; j < p->n; j++) s += p->Au[i * p->n + j] * x[j];
            worst_feas = fmax(worst_feas, (s - p->bu[i]) / fmax(1.0, fabs(p->bu[i])));
            dual += yu[i] * p->bu[i];
            CHECK(p->maximize ? yu[i] >= -1e-9 : yu[i] <= 1e-9);
        }
        for (size_t j = 0; j < p->n; j++) CHECK(x[j] >= 0.0);
        worst_dual = fmax(worst_dual, fabs(dual - r.objective) / fmax(1.0, fabs(r.objective)));
    }
    pclose(py);
    CHECK(worst_feas <= 1e-9);
    CHECK(worst_dual <= 1e-9);
    CHECK(counts[ST__LP_OPTIMAL] > 200 && counts[ST__LP_INFEASIBLE] > 10 && counts[ST__LP_UNBOUNDED] > 3);
    printf("%d optimal, %d infeasible, %d unbounded; max relative objective error vs HiGHS %.3g, "
           "max infeasibility %.3g, max duality gap %.3g\n",
           counts[0], counts[1], counts[2], worst, worst_feas, worst_dual);
    unlink(path);
    rmdir(dir);
    st_context_free(ctx);
    T_DONE();
}
