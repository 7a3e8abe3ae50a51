/*
** table_matrix.c -- numeric table columns as one row-major matrix (what clustering, metrics and models
** take), optionally without the rows that hold a missing or infinite value.
*/
#include "core/internal.h"

#include <math.h>

st_status st_table_matrix(st_context *ctx, const st_table *t, const char *const *cols, size_t d, int finite_only,
                          double **x, size_t **rows, size_t *m)
{
    if (x) *x = NULL;
    if (rows) *rows = NULL;
    if (!t || !cols || !x || !m || d == 0) return st__error(ctx, ST_EINVAL, "table matrix: NULL argument or no column");
    *m = 0;
    enum { MAXD = 256 };
    const double *cp[MAXD];
    const double **cv = d <= MAXD ? cp : st__malloc(ctx, d * sizeof *cv);
    if (!cv) return st__error(ctx, ST_ENOMEM, "table matrix: out of memory");
    st_status rc = ST_OK;
    for (size_t j = 0; j < d && rc == ST_OK; j++) {
        long c = cols[j] ? st_table_find(t, cols[j]) : -1;
        if (c < 0) rc = st__error(ctx, ST_ENOTFOUND, "no column '%s' in the table", cols[j] ? cols[j] : "(null)");
        else if (!(cv[j] = st_table_f64(t, (size_t)c)))
            rc = st__error(ctx, ST_EINVAL, "column '%s' is not numeric", cols[j]);
    }
    size_t n = st_table_nrows(t), nd = 0;
    if (rc == ST_OK && (!st__mul_ok(n ? n : 1, d, &nd) || nd > SIZE_MAX / sizeof(double)))
        rc = st__error(ctx, ST_ENOMEM, "table matrix: size overflows");
    double *a = rc == ST_OK ? st__malloc(ctx, nd * sizeof *a) : NULL;
    size_t *r = rc == ST_OK && rows ? st__malloc(ctx, (n ? n : 1) * sizeof *r) : NULL;
    if (rc == ST_OK && (!a || (rows && !r))) rc = st__error(ctx, ST_ENOMEM, "table matrix: out of memory");
    if (rc == ST_OK) {
        /* Row-major writes in order with d column streams read: kinder to the cache than column by column. */
        size_t q = 0;
        for (size_t i = 0; i < n; i++) {
            double *row = a + q * d;
            bool ok = true;
            for (size_t j = 0; j < d; j++) {
                row[j] = cv[j][i];
                ok = ok && isfinite(row[j]);
            }
            if (ok || !finite_only) {
                if (r) r[q] = i;
                q++;
            }
        }
        *m = q;
        *x = a;
        if (rows) *rows = r;
    } else {
        st__free(ctx, a, 0);
        st__free(ctx, r, 0);
    }
    if (cv != cp) st__free(ctx, (void *)cv, d * sizeof *cv);
    return rc;
}

void st_table_matrix_free(st_context *ctx, double *x, size_t *rows)
{
    st__free(ctx, x, 0);
    st__free(ctx, rows, 0);
}
