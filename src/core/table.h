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

/* st_table_write_csv of columns first .. ncols - 1 only (first = 1 leaves out the row number key that
** st_table_read_csv adds). Errors: as st_table_write_csv, ST_EINVAL (first >= ncols). */
st_status st__table_write_csv_from(st_context *ctx, const st_table *t, const char *path, size_t first);

/* Renames column j (the name is copied). Errors: ST_EINVAL (j out of range, a name in use), ST_ENOMEM. */
st_status st__table_rename(st_table *t, size_t j, const char *name);

/* Frees the n names for output columns: a column of t called names[k] is renamed to names[k] + suffix
** (the suffix repeated until the name is free), so a scorer can append its own columns under their
** documented names (an input's "segment" column becomes "segment_input"). Errors: ST_EINVAL, ST_ENOMEM. */
st_status st__table_free_names(st_table *t, const char *const *names, size_t n, const char *suffix);

#endif
