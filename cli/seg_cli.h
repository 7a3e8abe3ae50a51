/*
** seg_cli.h -- what the segment-stage subcommands (weights, score, segment, metrics, profile) share:
** reading a table with its id column, picking numeric feature columns into a row-major matrix, label
** columns as integer codes, comma lists, and small JSON output helpers. Uses only strata.h.
*/
#ifndef STRATA_SEG_CLI_H
#define STRATA_SEG_CLI_H

#include "cli.h"

/* Reads path with key column id (NULL: "customer_id" when present, else rows are numbered). Prints the
** error and returns NULL on failure. */
st_table *segcli_read(const char *cmd, st_context *ctx, const char *path, const char *id);

/* Splits a comma-separated list into *items (malloc'd array of malloc'd strings); returns the count, or
** 0 after printing an error for an empty list or item. */
size_t segcli_split(const char *cmd, const char *opt, const char *list, char ***items);
void segcli_free_list(char **items, size_t n);

/* Column indices of names[0..d-1] in t, which must be numeric columns. Returns false after printing. */
bool segcli_columns(const char *cmd, const st_table *t, char *const *names, size_t d, size_t *cols);

/* A row-major n x d matrix of columns cols of t (malloc'd). */
double *segcli_matrix(const st_table *t, const size_t *cols, size_t d);

/* Rows of x (n x d) with every value finite: writes their indices to keep and returns how many. */
size_t segcli_finite_rows(const double *x, size_t n, size_t d, size_t *keep);

/* The values of column col as int32 codes (numbers must be integers; strings are numbered in order of
** first appearance). names (may be NULL) receives a malloc'd array of the distinct string labels (for
** string columns; NULL for numeric) and nnames its length. Rows with an empty or missing value get
** INT32_MIN. Returns NULL after printing on failure. */
int32_t *segcli_labels(const char *cmd, const st_table *t, size_t col, char ***names, size_t *nnames);

/* Reads an AHP matrix CSV of m indicators with st_ahp_read (an optional header row; m rows; an optional
** first column of row names; cells are decimals or fractions like 1/3) into a (m*m, malloc'd). Returns
** NULL after printing the error. */
double *segcli_read_ahp(const char *cmd, st_context *ctx, const char *path, size_t m);

/* The weights of `strata weights` and `strata score`: entropy (e_j, eta_j), AHP (theta_j, lambda_max, ci,
** cr; has_ahp 0 when no matrix was given, then theta is uniform) and combined omega_j, over the rows of
** x (n x d) with every value finite. */
typedef struct segcli_weights {
    double *entropy, *eta, *theta, *omega;
    double lambda_max, ci, cr;
    int has_ahp;
    size_t rows_used;
} segcli_weights;

/* Computes w for columns names of t (cost: the --cost list, may be NULL; ahp_path may be NULL). Returns a
** CLI exit code; on success the normalised matrix (n x d, NaN rows kept as NaN) goes to *xnorm when not NULL. */
int segcli_compute_weights(const char *cmd, st_context *ctx, const st_table *t, char *const *names, size_t d,
                           const char *cost, const char *ahp_path, segcli_weights *w, double **xnorm);
void segcli_weights_free(segcli_weights *w);

#endif
