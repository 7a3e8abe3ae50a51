/*
** sort.h -- the stable order of a column of doubles, by an LSD radix sort on their bits: what ranking metrics
** (uplift curves, gains) need on tens of millions of rows, where a comparison sort is the bottleneck.
*/
#ifndef STRATA_NUM_SORT_H
#define STRATA_NUM_SORT_H

#include "core/internal.h"

/* Most rows st__argsort_desc orders (indices are 32-bit). */
#define ST__ARGSORT_MAX ((size_t)UINT32_MAX)

/* order[0..n) receives the rows of x[0..n) from the largest value to the smallest, as numpy's
** argsort(x, kind="mergesort")[::-1]: among equal values the later row comes first; -0 equals 0. When
** group_end is not NULL, group_end[j] = 1 when position j ends a run of equal values (j = n - 1 or the
** value at j + 1 differs), else 0. x must hold no NaN. Errors: ST_ELIMIT (n > ST__ARGSORT_MAX), ST_ENOMEM. */
st_status st__argsort_desc(st_context *ctx, const double *x, size_t n, uint32_t *order, unsigned char *group_end);

#endif
