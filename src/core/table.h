/*
** table.h -- internal access to the customer table, for stages that build it in bulk.
*/
#ifndef STRATA_TABLE_H
#define STRATA_TABLE_H

#include "core/internal.h"

/* Creates a table whose key column takes ownership of pool (pool_cap bytes, allocated with st__malloc)
** holding NUL-terminated keys at offsets off[0..nrows-1] (off also owned, nrows entries). On failure both
** are freed. */
st_status st__table_new_owned_keys(st_context *ctx, const char *key_name, size_t nrows, char *pool,
                                   size_t pool_len, size_t pool_cap, size_t *off, st_table **out);

/* Appends a numeric column that takes ownership of values (nrows doubles from st__malloc). values is
** freed on failure. */
st_status st__table_add_f64_owned(st_table *t, const char *name, st_coltype type, double *values);

st_context *st__table_ctx(const st_table *t);

#endif
