/*
** design.h -- the learn stage's feature design inside the library: a design bound to a table (columns found
** by name, categorical values mapped to level indices once), filled into blocks of rows, and written to or
** read from a JSON member of a model file. Shared by the linear models and the MLP.
*/
#ifndef STRATA_LEARN_DESIGN_H
#define STRATA_LEARN_DESIGN_H

#include "core/internal.h"
#include "core/json.h"

/* Rows per parallel job of a prediction (the fits and predictions never hold n x p values). */
#define ST__DESIGN_BLOCK 4096

/* Rows per block of the design matrix for p columns: about 64 KiB of values, so a block stays in cache
** while it is summed. */
static inline size_t st__design_block_rows(size_t p)
{
    size_t r = 8192 / (p ? p : 1);
    return r < 16 ? 16 : r > 4096 ? 4096 : r;
}

/* One feature: a numeric column (one design column) or a categorical one (nlevels design columns). */
typedef struct st__feature {
    char *name;
    bool categorical;
    double mean, sd;  /* numeric: standardisation (0 and 1 when not standardised) */
    char **levels;    /* categorical: sorted by strcmp */
    size_t nlevels;
    size_t first;     /* its first design column */
} st__feature;

struct st_design {
    st_context *ctx;
    st__feature *f;
    size_t nf;
    size_t ncols;
    char **colnames; /* ncols names: "recency", "channel=Web" */
    bool standardize;
};

/* A design bound to a table: per feature the numeric values, or the design level (-1: unseen or missing)
** of every row. */
typedef struct st__design_binding {
    const st_design *d;
    size_t n;
    const double **f64;   /* nf: numeric F64 / DATE column, else NULL */
    const int32_t **i32;  /* nf: numeric I32 column, else NULL */
    int32_t **code;       /* nf: categorical codes per row (owned), else NULL */
    const unsigned char *mask; /* rows with a zero entry read as all zeros (their values may be missing) */
} st__design_binding;

/* Binds d to t: finds its columns and maps categorical values; checks that no numeric feature is missing on
** a row with a non-zero mask entry (mask NULL: every row). Rows off the mask are filled with zeros. Errors: ST_EINVAL (a column absent, a text column
** for a numeric feature), ST_EDATA (source:row of a missing value), ST_ENOMEM. */
st_status st__design_bind(st_context *ctx, const st_design *d, const st_table *t, const char *source,
                          const unsigned char *mask, st__design_binding *b);
void st__design_unbind(st_context *ctx, st__design_binding *b);
/* Rows row0..row0+nrows-1 into x (row i at x + i * ldx, ncols values). Never fails. */
void st__design_fill(const st__design_binding *b, size_t row0, size_t nrows, double *x, size_t ldx);

/* Column pointers of rows row0..row0+nrows-1: cols[k] is design column k. A numeric column used as it is
** points into the table; the others are made in x (column k at x + k * ldc, ldc >= nrows). Never fails. */
void st__design_cols(const st__design_binding *b, size_t row0, size_t nrows, double *x, size_t ldc,
                     const double **cols);

/* The design as the value of a JSON member (the caller wrote the key), and back from a parsed value. */
bool st__design_write(st_jw *w, const st_design *d);
st_status st__design_read(st_context *ctx, const st_json *v, const char *name, st_design **out);

/* "source:row" naming (row 2 = first data row). */
static inline const char *st__src(const char *source) { return source ? source : "data"; }

#endif
