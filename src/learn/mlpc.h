/*
** mlpc.h -- the learn stage's network classifier inside the library: text labels of a table column and the
** matrix of a design over every row, shared with the two-stage model of the pipeline.
*/
#ifndef STRATA_LEARN_MLPC_H
#define STRATA_LEARN_MLPC_H

#include "core/internal.h"

/* Row i's label of column j of t as text into b (cleared first): a string or categorical column's value,
** a number in its shortest form ("1", "2.5"), "" when missing. false on allocation failure. */
bool st__label_text(const st_table *t, size_t j, size_t i, st_buf *b);

/* The design matrix of every row of t (n x st_design_ncols(d), row-major, one allocation, released with
** st__free(ctx, *x, 0)). Errors: those of st_design_matrix, ST_ELIMIT (more than 2^40 values). */
st_status st__design_matrix_all(st_context *ctx, const st_design *d, const st_table *t, const char *source,
                                double **x);

#endif
