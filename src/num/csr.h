/*
** csr.h -- compressed sparse rows, the one sparse matrix of the library: row r holds the entries
** [rowptr[r], rowptr[r + 1]) of col / val, columns ascending within a row. An MDP's transitions are one (row
** s * A + a, column = next state); item-item similarities and absorbing Markov chains are the next users.
*/
#ifndef STRATA_NUM_CSR_H
#define STRATA_NUM_CSR_H

#include "core/internal.h"

typedef struct st__csr {
    size_t nrows;
    size_t *rowptr; /* nrows + 1 offsets */
    uint32_t *col;  /* column of each entry, ascending within a row */
    double *val;
} st__csr;

/* Entries of the matrix. */
static inline size_t st__csr_nnz(const st__csr *a) { return a->rowptr ? a->rowptr[a->nrows] : 0; }

/* Row r times the dense vector x. */
static inline double st__csr_row_dot(const st__csr *a, size_t r, const double *x)
{
    double s = 0.0;
    for (size_t k = a->rowptr[r]; k < a->rowptr[r + 1]; k++) s += a->val[k] * x[a->col[k]];
    return s;
}

/* The entry (r, c), 0 when absent (binary search over the row). */
static inline double st__csr_get(const st__csr *a, size_t r, uint32_t c)
{
    size_t lo = a->rowptr[r], hi = a->rowptr[r + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->col[mid] < c) lo = mid + 1;
        else hi = mid;
    }
    return lo < a->rowptr[r + 1] && a->col[lo] == c ? a->val[lo] : 0.0;
}

/* Frees the arrays (the struct itself is the caller's) and empties it. */
static inline void st__csr_free(st_context *ctx, st__csr *a)
{
    size_t nnz = st__csr_nnz(a);
    st__free(ctx, a->col, nnz * sizeof *a->col);
    st__free(ctx, a->val, nnz * sizeof *a->val);
    st__free(ctx, a->rowptr, (a->nrows + 1) * sizeof *a->rowptr);
    a->rowptr = NULL;
    a->col = NULL;
    a->val = NULL;
    a->nrows = 0;
}

#endif
