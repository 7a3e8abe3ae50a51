/*
** linalg.h -- small dense linear algebra on row-major matrices with an explicit leading dimension (the
** distance in doubles between the starts of two rows), so callers can pass sub-blocks: LU solve,
** Cholesky factor / solve / SPD inverse, and BLAS-shaped gemv and gemm. No allocation, no context.
*/
#ifndef STRATA_NUM_LINALG_H
#define STRATA_NUM_LINALG_H

#include <stdbool.h>
#include <stddef.h>

/* Solves A x = b for the n x n matrix a (row i at a + i * lda, lda >= n) by LU with partial pivoting.
** a is overwritten by its elimination; b (n values) becomes x. Returns 0, or -1 when a pivot column has
** no non-zero (or has a NaN) entry: the matrix is singular and a, b hold partial work. */
int st__lu_solve(double *a, size_t n, size_t lda, double *b);

/* Cholesky factor A = L L^T of the symmetric positive definite n x n matrix a, in place: only the lower
** triangle (diagonal included) is read, and it is overwritten by L; the strict upper triangle is not
** touched. Returns 0, or -1 when a is not positive definite (a pivot <= 0 or NaN). */
int st__chol(double *a, size_t n, size_t lda);

/* Solves L L^T x = b in place for b (n values), with L as left in the lower triangle by st__chol. */
void st__chol_solve(const double *l, size_t n, size_t ldl, double *b);

/* Inverse of the symmetric positive definite n x n matrix a into inv (row i at inv + i * ldi); a's lower
** triangle is overwritten by its Cholesky factor. Returns 0, or -1 when a is not positive definite (inv is
** then unspecified). */
int st__spd_inverse(double *a, size_t n, size_t lda, double *inv, size_t ldi);

/* y = alpha * op(A) x + beta * y, A m x n (row i at a + i * lda), op(A) = A (y has m values, x n) or A^T
** when trans (y has n values, x m). As in BLAS, y is not read when beta == 0 (it may hold NaN). */
void st__gemv(bool trans, size_t m, size_t n, double alpha, const double *a, size_t lda, const double *x,
              double beta, double *y);

/* C = alpha * op(A) op(B) + beta * C with C m x n, op(A) m x k and op(B) k x n; op(X) = X^T when its flag
** is set, and A, B, C are stored row-major with leading dimensions lda, ldb, ldc (of the stored, not the
** transposed, matrix). C is not read when beta == 0. C must not overlap A or B. */
void st__gemm(bool transa, bool transb, size_t m, size_t n, size_t k, double alpha, const double *a,
              size_t lda, const double *b, size_t ldb, double beta, double *c, size_t ldc);

#endif
