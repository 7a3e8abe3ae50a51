/*
** test_csr.c -- num/csr.h: entries, a row times a vector, lookups of present and absent entries, freeing.
*/
#include "num/csr.h"
#include "test.h"

int main(void)
{
    st_context *ctx;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    /* [[0, 2, 0], [0, 0, 0], [1, 0, 3]] */
    st__csr a = {3, NULL, NULL, NULL};
    a.rowptr = st__malloc(ctx, 4 * sizeof *a.rowptr);
    a.col = st__malloc(ctx, 3 * sizeof *a.col);
    a.val = st__malloc(ctx, 3 * sizeof *a.val);
    const size_t rp[] = {0, 1, 1, 3};
    const uint32_t cl[] = {1, 0, 2};
    const double vl[] = {2, 1, 3};
    memcpy(a.rowptr, rp, sizeof rp);
    memcpy(a.col, cl, sizeof cl);
    memcpy(a.val, vl, sizeof vl);
    CHECK_EQ_INT(st__csr_nnz(&a), 3);
    const double x[] = {10, 100, 1000};
    CHECK_NEAR(st__csr_row_dot(&a, 0, x), 200, 0);
    CHECK_NEAR(st__csr_row_dot(&a, 1, x), 0, 0);
    CHECK_NEAR(st__csr_row_dot(&a, 2, x), 3010, 0);
    CHECK_NEAR(st__csr_get(&a, 0, 1), 2, 0);
    CHECK_NEAR(st__csr_get(&a, 0, 0), 0, 0);
    CHECK_NEAR(st__csr_get(&a, 1, 2), 0, 0);
    CHECK_NEAR(st__csr_get(&a, 2, 2), 3, 0);
    CHECK_NEAR(st__csr_get(&a, 2, 1), 0, 0);
    st__csr_free(ctx, &a);
    CHECK(a.rowptr == NULL && a.col == NULL && a.val == NULL);
    CHECK_EQ_INT(st__csr_nnz(&a), 0);
    st__csr_free(ctx, &a); /* twice is harmless */
    st_context_free(ctx);
    T_DONE();
}
