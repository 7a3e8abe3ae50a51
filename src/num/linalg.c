/*
** linalg.c -- the dense kernels behind num/linalg.h. They are written for the small and medium sizes the
** models use (MDP evaluation up to a few thousand states, Hessians of a handful of parameters, Gram
** matrices of a few hundred columns); loops run along rows so the inner access is contiguous.
*/
#include "num/linalg.h"

#include <math.h>

int st__lu_solve(double *a, size_t n, size_t lda, double *b)
{
    for (size_t c = 0; c < n; c++) {
        size_t piv = c;
        double pmax = fabs(a[c * lda + c]);
        for (size_t i = c + 1; i < n; i++)
            if (fabs(a[i * lda + c]) > pmax) {
                pmax = fabs(a[i * lda + c]);
                piv = i;
            }
        if (!(pmax > 0.0)) return -1;
        if (piv != c) {
            for (size_t j = 0; j < n; j++) {
                double t = a[c * lda + j];
                a[c * lda + j] = a[piv * lda + j];
                a[piv * lda + j] = t;
            }
            double t = b[c];
            b[c] = b[piv];
            b[piv] = t;
        }
        const double *prow = a + c * lda;
        for (size_t i = c + 1; i < n; i++) {
            double *irow = a + i * lda;
            if (irow[c] == 0.0) continue;
            double f = irow[c] / prow[c];
            irow[c] = 0.0;
            for (size_t j = c + 1; j < n; j++) irow[j] -= f * prow[j];
            b[i] -= f * b[c];
        }
    }
    for (size_t c = n; c-- > 0;) {
        const double *row = a + c * lda;
        double acc = b[c];
        for (size_t j = c + 1; j < n; j++) acc -= row[j] * b[j];
        b[c] = acc / row[c];
    }
    return 0;
}

int st__chol(double *a, size_t n, size_t lda)
{
    for (size_t j = 0; j < n; j++) {
        double *rj = a + j * lda;
        double s = rj[j];
        for (size_t k = 0; k < j; k++) s -= rj[k] * rj[k];
        if (!(s > 0.0)) return -1;
        rj[j] = sqrt(s);
        for (size_t i = j + 1; i < n; i++) {
            double *ri = a + i * lda;
            double v = ri[j];
            for (size_t k = 0; k < j; k++) v -= ri[k] * rj[k];
            ri[j] = v / rj[j];
        }
    }
    return 0;
}

void st__chol_solve(const double *l, size_t n, size_t ldl, double *b)
{
    for (size_t i = 0; i < n; i++) {
        const double *ri = l + i * ldl;
        double v = b[i];
        for (size_t k = 0; k < i; k++) v -= ri[k] * b[k];
        b[i] = v / ri[i];
    }
    for (size_t i = n; i-- > 0;) {
        double v = b[i];
        for (size_t k = i + 1; k < n; k++) v -= l[k * ldl + i] * b[k];
        b[i] = v / l[i * ldl + i];
    }
}

int st__spd_inverse(double *a, size_t n, size_t lda, double *inv, size_t ldi)
{
    if (st__chol(a, n, lda) != 0) return -1;
    /* Row c of inv receives the solution for e_c (column c of the inverse), then the square is transposed
    ** so inv[i][c] is exactly that solution's entry i even where rounding leaves it slightly asymmetric. */
    for (size_t c = 0; c < n; c++) {
        double *x = inv + c * ldi;
        for (size_t i = 0; i < n; i++) x[i] = i == c ? 1.0 : 0.0;
        st__chol_solve(a, n, lda, x);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double t = inv[i * ldi + j];
            inv[i * ldi + j] = inv[j * ldi + i];
            inv[j * ldi + i] = t;
        }
    return 0;
}

void st__gemv(bool trans, size_t m, size_t n, double alpha, const double *a, size_t lda, const double *x,
              double beta, double *y)
{
    size_t ny = trans ? n : m;
    for (size_t i = 0; i < ny; i++) y[i] = beta == 0.0 ? 0.0 : beta * y[i];
    if (alpha == 0.0) return;
    if (!trans) {
        for (size_t i = 0; i < m; i++) {
            const double *ri = a + i * lda;
            double acc = 0.0;
            for (size_t j = 0; j < n; j++) acc += ri[j] * x[j];
            y[i] += alpha * acc;
        }
    } else {
        for (size_t i = 0; i < m; i++) {
            const double *ri = a + i * lda;
            double ax = alpha * x[i];
            if (ax == 0.0) continue;
            for (size_t j = 0; j < n; j++) y[j] += ax * ri[j];
        }
    }
}

void st__gemm(bool transa, bool transb, size_t m, size_t n, size_t k, double alpha, const double *a,
              size_t lda, const double *b, size_t ldb, double beta, double *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++) {
        double *ci = c + i * ldc;
        for (size_t j = 0; j < n; j++) ci[j] = beta == 0.0 ? 0.0 : beta * ci[j];
    }
    if (alpha == 0.0 || k == 0) return;
    for (size_t i = 0; i < m; i++) {
        double *ci = c + i * ldc;
        if (!transb) {
            /* C[i,:] += alpha * op(A)[i,p] * B[p,:]: the inner loop walks a row of B and of C. */
            for (size_t p = 0; p < k; p++) {
                double aip = alpha * (transa ? a[p * lda + i] : a[i * lda + p]);
                if (aip == 0.0) continue;
                const double *bp = b + p * ldb;
                for (size_t j = 0; j < n; j++) ci[j] += aip * bp[j];
            }
        } else {
            /* op(B)[p,j] = B[j,p]: C[i,j] is a dot product of op(A)'s row i with B's row j. */
            for (size_t j = 0; j < n; j++) {
                const double *bj = b + j * ldb;
                double acc = 0.0;
                if (transa)
                    for (size_t p = 0; p < k; p++) acc += a[p * lda + i] * bj[p];
                else
                    for (size_t p = 0; p < k; p++) acc += a[i * lda + p] * bj[p];
                ci[j] += alpha * acc;
            }
        }
    }
}
