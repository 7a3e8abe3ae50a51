/*
** lp.c -- the two-phase tableau simplex of lp.h. Rows with a negative right-hand side are negated first so
** every right-hand side is >= 0; <= rows start with their slack in the basis, the others with an artificial.
** Phase 1 minimises the sum of artificials, phase 2 the objective; Dantzig's rule prices, and after a run
** of degenerate pivots Bland's rule (lowest index enters and leaves) takes over until the objective moves,
** which rules out cycling. The final basis is refactorised from the original data (LU) for x and duals.
*/
#include "num/lp.h"
#include "num/linalg.h"

#include <math.h>
#include <string.h>

#define PIVOT_TOL 1e-9     /* smallest tableau entry accepted as a pivot */
#define COST_TOL 1e-9      /* reduced costs above -COST_TOL * scale count as optimal */
#define FEAS_TOL 1e-9      /* phase 1 ends infeasible above FEAS_TOL * max(1, |b|) */
#define DEGENERATE_RUN 50  /* degenerate pivots in a row before Bland's rule */

typedef struct tableau {
    size_t m, ncols;  /* constraint rows; columns before the right-hand side */
    size_t nreal;     /* structural + slack columns (artificials are nreal..ncols-1) */
    size_t w;         /* row width = ncols + 1 */
    double *t;        /* (m + 2) rows: constraints, phase-2 objective, phase-1 objective */
    size_t *basis;    /* m */
} tableau;

static double *row_of(tableau *T, size_t i) { return T->t + i * T->w; }

static void pivot(tableau *T, size_t r, size_t q)
{
    size_t w = T->w;
    double *pr = row_of(T, r);
    double inv = 1.0 / pr[q];
    for (size_t j = 0; j < w; j++) pr[j] *= inv;
    pr[q] = 1.0;
    for (size_t i = 0; i < T->m + 2; i++) {
        if (i == r) continue;
        double *ri = row_of(T, i);
        double f = ri[q];
        if (f == 0.0) continue;
        for (size_t j = 0; j < w; j++) ri[j] -= f * pr[j];
        ri[q] = 0.0;
    }
    T->basis[r] = q;
}

/* Runs the simplex on objective row `obj` over columns [0, ncand). Returns the LP status. */
static st__lp_status simplex(tableau *T, size_t obj, size_t ncand, double cscale, size_t max_iter, size_t *iter)
{
    double *d = row_of(T, obj);
    size_t degenerate = 0;
    bool bland = false;
    double ctol = COST_TOL * cscale;
    for (;;) {
        size_t q = SIZE_MAX;
        double best = -ctol;
        for (size_t j = 0; j < ncand; j++) {
            if (d[j] < best) {
                q = j;
                if (bland) break;
                best = d[j];
            }
        }
        if (q == SIZE_MAX) return ST__LP_OPTIMAL;
        if (*iter >= max_iter) return ST__LP_ITERATION_LIMIT;
        size_t r = SIZE_MAX;
        double rmin = INFINITY, rpiv = 0.0;
        for (size_t i = 0; i < T->m; i++) {
            double *ri = row_of(T, i);
            double a = ri[q];
            if (a <= PIVOT_TOL) continue;
            double rhs = ri[T->ncols] > 0.0 ? ri[T->ncols] : 0.0;
            double ratio = rhs / a;
            if (r == SIZE_MAX || ratio < rmin - 1e-12 * (1.0 + rmin)) {
                r = i, rmin = ratio, rpiv = a;
            } else if (ratio <= rmin + 1e-12 * (1.0 + rmin)) {
                /* ties: Bland takes the lowest basic index, Dantzig the largest pivot (stability) */
                if (bland ? T->basis[i] < T->basis[r] : a > rpiv) r = i, rpiv = a;
                if (ratio < rmin) rmin = ratio;
            }
        }
        if (r == SIZE_MAX) return ST__LP_UNBOUNDED;
        pivot(T, r, q);
        (*iter)++;
        if (rmin <= 0.0) {
            if (++degenerate >= DEGENERATE_RUN) bland = true;
        } else {
            degenerate = 0;
            bland = false;
        }
    }
}

static bool all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return false;
    return true;
}

/* Column j of the sign-adjusted constraint matrix, row i. */
static double coef(const st__lp *lp, const double *sign, size_t i, size_t j)
{
    size_t n = lp->n;
    if (j < n) return sign[i] * (i < lp->m_eq ? lp->A_eq[i * n + j] : lp->A_ub[(i - lp->m_eq) * n + j]);
    if (j < n + lp->m_ub) return i >= lp->m_eq && j - n == i - lp->m_eq ? sign[i] : 0.0;
    return 0.0;
}

/* Recomputes x_B and the duals from the original data for the final basis. Returns 1 when done, 0 when the
** basis matrix is singular or x_B comes out clearly negative (the tableau's values are kept then), -1 when
** out of memory. */
static int refine(st_context *ctx, const st__lp *lp, const tableau *T, const double *sign, const double *bsgn,
                   const double *cost, size_t *art_row, double *xall, double *u)
{
    size_t m = T->m;
    size_t mm;
    if (!st__mul_ok(m, m, &mm)) return false;
    double *B = st__malloc(ctx, (mm ? mm : 1) * sizeof *B);
    double *Bt = st__malloc(ctx, (mm ? mm : 1) * sizeof *Bt);
    double *xb = st__malloc(ctx, (m ? m : 1) * sizeof *xb);
    bool ok = B && Bt && xb;
    int ret = ok ? 0 : -1;
    if (ok) {
        for (size_t k = 0; k < m; k++) {
            size_t j = T->basis[k];
            for (size_t i = 0; i < m; i++) {
                double a = j < T->nreal ? coef(lp, sign, i, j) : (art_row[j - T->nreal] == i ? 1.0 : 0.0);
                B[i * m + k] = a;
                Bt[k * m + i] = a;
            }
            u[k] = j < T->nreal ? cost[j] : 0.0;
        }
        memcpy(xb, bsgn, m * sizeof *xb);
        ok = st__lu_solve(B, m, m, xb) == 0 && st__lu_solve(Bt, m, m, u) == 0;
    }
    if (ok) {
        double scale = 1.0;
        for (size_t i = 0; i < m; i++) scale = fmax(scale, fabs(bsgn[i]));
        for (size_t k = 0; k < m && ok; k++)
            if (!(xb[k] >= -1e-7 * scale)) ok = false;
        if (ok) {
            for (size_t j = 0; j < T->nreal; j++) xall[j] = 0.0;
            for (size_t k = 0; k < m; k++)
                if (T->basis[k] < T->nreal) xall[T->basis[k]] = xb[k] > 0.0 ? xb[k] : 0.0;
        }
    }
    st__free(ctx, B, mm * sizeof *B);
    st__free(ctx, Bt, mm * sizeof *Bt);
    st__free(ctx, xb, m * sizeof *xb);
    return ok ? 1 : ret;
}

st_status st__lp_solve(st_context *ctx, const st__lp *lp, st__lp_result *res)
{
    if (!lp || !res || !res->x || !lp->c || lp->n == 0 || (lp->m_eq && (!lp->A_eq || !lp->b_eq)) ||
        (lp->m_ub && (!lp->A_ub || !lp->b_ub)))
        return st__error(ctx, ST_EINVAL, "lp: NULL argument or no variables");
    size_t n = lp->n, m = lp->m_eq + lp->m_ub, sz;
    if (!all_finite(lp->c, n) || !all_finite(lp->b_eq ? lp->b_eq : lp->c, lp->b_eq ? lp->m_eq : 0) ||
        !all_finite(lp->b_ub ? lp->b_ub : lp->c, lp->b_ub ? lp->m_ub : 0) ||
        !st__mul_ok(lp->m_eq, n, &sz) || !all_finite(lp->A_eq ? lp->A_eq : lp->c, lp->A_eq ? sz : 0) ||
        !st__mul_ok(lp->m_ub, n, &sz) || !all_finite(lp->A_ub ? lp->A_ub : lp->c, lp->A_ub ? sz : 0))
        return st__error(ctx, ST_EINVAL, "lp: a coefficient is not finite");
    res->status = ST__LP_ITERATION_LIMIT;
    res->objective = (double)NAN;
    res->iterations = 0;

    st_status rc = ST_OK;
    tableau T = {0};
    double *sign = st__malloc(ctx, (m ? m : 1) * sizeof *sign);
    double *bsgn = st__malloc(ctx, (m ? m : 1) * sizeof *bsgn);
    size_t *art_row = st__malloc(ctx, (m ? m : 1) * sizeof *art_row);
    double *cost = NULL, *xall = NULL, *u = NULL;
    if (!sign || !bsgn || !art_row) goto nomem;
    size_t nart = 0;
    for (size_t i = 0; i < m; i++) {
        double b = i < lp->m_eq ? lp->b_eq[i] : lp->b_ub[i - lp->m_eq];
        sign[i] = b < 0.0 ? -1.0 : 1.0;
        bsgn[i] = fabs(b);
        if (i < lp->m_eq || b < 0.0) art_row[nart++] = i;
    }
    T.m = m;
    T.nreal = n + lp->m_ub;
    T.ncols = T.nreal + nart;
    T.w = T.ncols + 1;
    size_t cells;
    if (T.w < T.ncols || !st__mul_ok(m + 2, T.w, &cells) || !st__mul_ok(cells, sizeof(double), &sz)) goto nomem;
    T.t = st__calloc(ctx, cells, sizeof *T.t);
    T.basis = st__malloc(ctx, (m ? m : 1) * sizeof *T.basis);
    cost = st__malloc(ctx, T.nreal * sizeof *cost);
    xall = st__malloc(ctx, T.nreal * sizeof *xall);
    u = st__malloc(ctx, (m ? m : 1) * sizeof *u);
    if (!T.t || !T.basis || !cost || !xall || !u) goto nomem;

    double cscale = 1.0;
    for (size_t j = 0; j < T.nreal; j++) {
        cost[j] = j < n ? (lp->maximize ? -lp->c[j] : lp->c[j]) : 0.0;
        cscale = fmax(cscale, fabs(cost[j]));
    }
    size_t a = 0;
    for (size_t i = 0; i < m; i++) {
        double *ri = row_of(&T, i);
        for (size_t j = 0; j < T.nreal; j++) ri[j] = coef(lp, sign, i, j);
        ri[T.ncols] = bsgn[i];
        if (a < nart && art_row[a] == i) {
            ri[T.nreal + a] = 1.0;
            T.basis[i] = T.nreal + a;
            a++;
        } else {
            T.basis[i] = n + (i - lp->m_eq); /* its slack, coefficient +1 */
        }
    }
    /* Phase-2 row: reduced costs of c (basic slacks cost 0); phase-1 row: 1 on artificials, priced out. */
    double *d2 = row_of(&T, m), *d1 = row_of(&T, m + 1);
    memcpy(d2, cost, T.nreal * sizeof *d2);
    for (size_t k = 0; k < nart; k++) {
        const double *ri = row_of(&T, art_row[k]);
        for (size_t j = 0; j < T.nreal; j++) d1[j] -= ri[j];
        d1[T.ncols] -= ri[T.ncols];
    }
    size_t max_iter = lp->max_iter ? lp->max_iter : 50 * (m + T.ncols) + 10000;
    double bscale = 1.0;
    for (size_t i = 0; i < m; i++) bscale = fmax(bscale, bsgn[i]);

    if (nart) {
        st__lp_status s1 = simplex(&T, m + 1, T.ncols, 1.0, max_iter, &res->iterations);
        if (s1 == ST__LP_ITERATION_LIMIT) goto done;
        if (-d1[T.ncols] > FEAS_TOL * bscale) {
            res->status = ST__LP_INFEASIBLE;
            goto done;
        }
        /* Artificials still basic (at zero) leave for any real column with a non-zero entry in their row;
        ** a row with none is redundant and keeps its artificial, which can never move again. */
        for (size_t i = 0; i < m; i++) {
            if (T.basis[i] < T.nreal) continue;
            const double *ri = row_of(&T, i);
            size_t q = SIZE_MAX;
            double big = PIVOT_TOL;
            for (size_t j = 0; j < T.nreal; j++)
                if (fabs(ri[j]) > big) big = fabs(ri[j]), q = j;
            if (q != SIZE_MAX) pivot(&T, i, q);
        }
    }
    st__lp_status s2 = simplex(&T, m, T.nreal, cscale, max_iter, &res->iterations);
    res->status = s2;
    if (s2 != ST__LP_OPTIMAL) goto done;

    for (size_t j = 0; j < T.nreal; j++) xall[j] = 0.0;
    for (size_t i = 0; i < m; i++) {
        if (T.basis[i] >= T.nreal) continue;
        double v = row_of(&T, i)[T.ncols];
        xall[T.basis[i]] = v > 0.0 ? v : 0.0;
    }
    int refined = refine(ctx, lp, &T, sign, bsgn, cost, art_row, xall, u);
    if (refined < 0) goto nomem;
    double obj = 0.0;
    for (size_t j = 0; j < n; j++) {
        res->x[j] = xall[j];
        obj += lp->c[j] * xall[j];
    }
    res->objective = obj;
    /* u solves B^T u = cost_B for the minimised objective of the sign-adjusted rows, so the marginals of
    ** c'x are u (min) or -u (max) times the row's sign. Without a refined basis they are NaN. */
    for (size_t i = 0; i < m; i++) {
        double yi = refined ? (lp->maximize ? -u[i] : u[i]) * sign[i] : (double)NAN;
        if (i < lp->m_eq) {
            if (res->y_eq) res->y_eq[i] = yi;
        } else if (res->y_ub) {
            res->y_ub[i - lp->m_eq] = yi;
        }
    }
    goto done;

nomem:
    rc = st__error(ctx, ST_ENOMEM, "lp: out of memory for a %zu x %zu problem", m, n);
done:
    st__free(ctx, T.t, (m + 2) * T.w * sizeof(double));
    st__free(ctx, T.basis, m * sizeof *T.basis);
    st__free(ctx, cost, T.nreal * sizeof *cost);
    st__free(ctx, xall, T.nreal * sizeof *xall);
    st__free(ctx, u, m * sizeof *u);
    st__free(ctx, sign, m * sizeof *sign);
    st__free(ctx, bsgn, m * sizeof *bsgn);
    st__free(ctx, art_row, m * sizeof *art_row);
    return rc;
}
