/*
** test_linalg.c -- num/linalg: LU and Cholesky solves against known solutions, the SPD inverse against
** the identity, and gemv / gemm in every transpose combination against a naive triple loop, always with
** leading dimensions larger than the row length so a wrong stride shows.
*/
#include "num/linalg.h"
#include "test.h"

#define LD 7 /* every matrix below lives in a buffer with rows LD doubles apart */

static void test_lu(void)
{
    /* A x = b with x = (1, -2, 3); the first pivot must come from row 2. */
    double a[3 * LD] = {0};
    const double A[3][3] = {{0.0, 2.0, 1.0}, {1.0, 1.0, 1.0}, {4.0, -1.0, 2.0}};
    const double x[3] = {1.0, -2.0, 3.0};
    double b[3];
    for (int i = 0; i < 3; i++) {
        b[i] = 0.0;
        for (int j = 0; j < 3; j++) {
            a[i * LD + j] = A[i][j];
            b[i] += A[i][j] * x[j];
        }
        a[i * LD + 3] = 1e300; /* padding beyond n must not be read as part of the matrix */
    }
    CHECK_EQ_INT(st__lu_solve(a, 3, LD, b), 0);
    for (int i = 0; i < 3; i++) CHECK_NEAR(b[i], x[i], 1e-14);

    double s[4] = {1.0, 2.0, 2.0, 4.0}, sb[2] = {1.0, 1.0};
    CHECK_EQ_INT(st__lu_solve(s, 2, 2, sb), -1);
    CHECK_EQ_INT(st__lu_solve(NULL, 0, 0, NULL), 0);
}

static void test_cholesky(void)
{
    /* A = L L^T with L = [[2,0,0],[1,3,0],[-1,2,1]]. */
    const double L[3][3] = {{2, 0, 0}, {1, 3, 0}, {-1, 2, 1}};
    double A[3][3], a[3 * LD];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            A[i][j] = 0.0;
            for (int k = 0; k < 3; k++) A[i][j] += L[i][k] * L[j][k];
            a[i * LD + j] = A[i][j];
        }
    a[0 * LD + 2] = 99.0; /* the strict upper triangle is neither read nor written */
    CHECK_EQ_INT(st__chol(a, 3, LD), 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j <= i; j++) CHECK_NEAR(a[i * LD + j], L[i][j], 1e-15);
    CHECK(a[0 * LD + 2] == 99.0);

    const double x[3] = {0.5, -1.0, 2.0};
    double b[3];
    for (int i = 0; i < 3; i++) {
        b[i] = 0.0;
        for (int j = 0; j < 3; j++) b[i] += A[i][j] * x[j];
    }
    st__chol_solve(a, 3, LD, b);
    for (int i = 0; i < 3; i++) CHECK_NEAR(b[i], x[i], 1e-14);

    double inv[3 * LD], c[3 * LD];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) c[i * LD + j] = A[i][j];
    CHECK_EQ_INT(st__spd_inverse(c, 3, LD, inv, LD), 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double v = 0.0;
            for (int k = 0; k < 3; k++) v += A[i][k] * inv[k * LD + j];
            CHECK_NEAR(v, i == j ? 1.0 : 0.0, 1e-13);
        }

    double notpd[4] = {1.0, 2.0, 2.0, 1.0}, ninv[4];
    CHECK_EQ_INT(st__chol(notpd, 2, 2), -1);
    double notpd2[4] = {1.0, 2.0, 2.0, 1.0};
    CHECK_EQ_INT(st__spd_inverse(notpd2, 2, 2, ninv, 2), -1);
    double nan1[1] = {(double)NAN};
    CHECK_EQ_INT(st__chol(nan1, 1, 1), -1);
}

/* Entry (i, j) of op(X) for X stored row-major with leading dimension ld. */
static double op_at(const double *x, size_t ld, int trans, size_t i, size_t j)
{
    return trans ? x[j * ld + i] : x[i * ld + j];
}

static void fill(double *x, size_t n, double seed)
{
    for (size_t i = 0; i < n; i++) x[i] = sin(seed + 1.7 * (double)i) * 3.0;
}

static void test_gemv(void)
{
    enum { M = 4, N = 3 };
    double a[M * LD], x[M], y[M], y0[M];
    fill(a, M * LD, 0.3);
    fill(x, M, 1.1);
    fill(y0, M, 2.9);
    for (int trans = 0; trans <= 1; trans++) {
        size_t ny = trans ? N : M, nx = trans ? M : N;
        for (int bcase = 0; bcase < 3; bcase++) {
            double alpha = 1.5, beta = bcase == 0 ? 0.0 : bcase == 1 ? 1.0 : -0.25;
            for (size_t i = 0; i < ny; i++) y[i] = bcase == 0 ? (double)NAN : y0[i];
            st__gemv(trans, M, N, alpha, a, LD, x, beta, y);
            for (size_t i = 0; i < ny; i++) {
                double ref = 0.0;
                for (size_t j = 0; j < nx; j++) ref += op_at(a, LD, trans, i, j) * x[j];
                ref = alpha * ref + (beta == 0.0 ? 0.0 : beta * y0[i]);
                CHECK_NEAR(y[i], ref, 1e-13);
            }
        }
    }
    for (size_t i = 0; i < M; i++) y[i] = y0[i];
    st__gemv(false, M, N, 0.0, a, LD, x, 2.0, y);
    for (size_t i = 0; i < M; i++) CHECK(y[i] == 2.0 * y0[i]);
}

static void test_gemm(void)
{
    enum { M = 3, N = 4, K = 5 };
    double a[K * LD], b[K * LD], c[M * LD], c0[M * LD];
    fill(a, K * LD, 0.7);
    fill(b, K * LD, 1.9);
    fill(c0, M * LD, 3.3);
    for (int ta = 0; ta <= 1; ta++)
        for (int tb = 0; tb <= 1; tb++)
            for (int bcase = 0; bcase < 2; bcase++) {
                double alpha = -0.75, beta = bcase ? 0.5 : 0.0;
                for (size_t i = 0; i < M * LD; i++) c[i] = bcase ? c0[i] : (double)NAN;
                for (size_t i = 0; i < M; i++) c[i * LD + N] = 123.0; /* beyond n: untouched */
                st__gemm(ta, tb, M, N, K, alpha, a, LD, b, LD, beta, c, LD);
                for (size_t i = 0; i < M; i++) {
                    for (size_t j = 0; j < N; j++) {
                        double ref = 0.0;
                        for (size_t p = 0; p < K; p++) ref += op_at(a, LD, ta, i, p) * op_at(b, LD, tb, p, j);
                        ref = alpha * ref + (beta == 0.0 ? 0.0 : beta * c0[i * LD + j]);
                        CHECK_NEAR(c[i * LD + j], ref, 1e-12);
                    }
                    CHECK(c[i * LD + N] == 123.0);
                }
            }
}

int main(void)
{
    test_lu();
    test_cholesky();
    test_gemv();
    test_gemm();
    T_DONE();
}
