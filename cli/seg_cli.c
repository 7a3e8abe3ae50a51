/*
** seg_cli.c -- shared helpers of the segment-stage subcommands (see seg_cli.h).
*/
#include "seg_cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

st_table *segcli_read(const char *cmd, st_context *ctx, const char *path, const char *id)
{
    st_table *t = NULL;
    st_status rc = st_table_read_csv(ctx, path, id ? id : "customer_id", &t);
    if (rc == ST_ENOTFOUND && !id) {
        st_clear_error(ctx);
        rc = st_table_read_csv(ctx, path, NULL, &t);
    }
    if (rc) {
        cli_fail(cmd, ctx, rc);
        return NULL;
    }
    return t;
}

void segcli_free_list(char **items, size_t n)
{
    if (!items) return;
    for (size_t i = 0; i < n; i++) free(items[i]);
    free(items);
}

size_t segcli_split(const char *cmd, const char *opt, const char *list, char ***items)
{
    *items = NULL;
    size_t n = 1;
    for (const char *p = list; *p; p++) n += *p == ',';
    char **v = calloc(n, sizeof *v);
    if (!v) return 0;
    const char *p = list;
    for (size_t i = 0; i < n; i++) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0) {
            cli_error(cmd, CLI_USAGE, "%s: empty name in '%s'", opt, list);
            segcli_free_list(v, n);
            return 0;
        }
        v[i] = malloc(len + 1);
        if (!v[i]) {
            segcli_free_list(v, n);
            return 0;
        }
        memcpy(v[i], p, len);
        v[i][len] = '\0';
        p = e ? e + 1 : p + len;
    }
    *items = v;
    return n;
}

bool segcli_columns(const char *cmd, const st_table *t, char *const *names, size_t d, size_t *cols)
{
    for (size_t j = 0; j < d; j++) {
        long c = st_table_find(t, names[j]);
        if (c < 0) {
            cli_error(cmd, CLI_FAIL, "no column '%s' in the table", names[j]);
            return false;
        }
        if (!st_table_f64(t, (size_t)c)) {
            cli_error(cmd, CLI_FAIL, "column '%s' is not numeric", names[j]);
            return false;
        }
        cols[j] = (size_t)c;
    }
    return true;
}

double *segcli_matrix(const st_table *t, const size_t *cols, size_t d)
{
    size_t n = st_table_nrows(t);
    double *x = malloc((n ? n : 1) * d * sizeof *x);
    if (!x) return NULL;
    /* Row-major writes in order, d column streams read: much kinder to the cache than column by column. */
    const double *cp[64];
    if (d > 64) {
        for (size_t j = 0; j < d; j++) {
            const double *c = st_table_f64(t, cols[j]);
            for (size_t i = 0; i < n; i++) x[i * d + j] = c[i];
        }
        return x;
    }
    for (size_t j = 0; j < d; j++) cp[j] = st_table_f64(t, cols[j]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) x[i * d + j] = cp[j][i];
    return x;
}

size_t segcli_finite_rows(const double *x, size_t n, size_t d, size_t *keep)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        bool ok = true;
        for (size_t j = 0; j < d; j++) ok = ok && isfinite(x[i * d + j]);
        if (ok) keep[m++] = i;
    }
    return m;
}

int32_t *segcli_labels(const char *cmd, const st_table *t, size_t col, char ***names, size_t *nnames)
{
    size_t n = st_table_nrows(t);
    int32_t *lab = malloc((n ? n : 1) * sizeof *lab);
    if (names) *names = NULL;
    if (nnames) *nnames = 0;
    if (!lab) return NULL;
    const double *v = st_table_f64(t, col);
    if (v) {
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(v[i])) {
                lab[i] = INT32_MIN;
            } else if (v[i] != floor(v[i]) || fabs(v[i]) > 2147483647.0) {
                cli_error(cmd, CLI_FAIL, "label column '%s' row %zu: %g is not an integer",
                          st_table_col_name(t, col), i + 1, v[i]);
                free(lab);
                return NULL;
            } else {
                lab[i] = (int32_t)v[i];
            }
        }
        return lab;
    }
    /* Strings: number them in order of first appearance (a linear scan per new name is fine for the
    ** handful of segments a label column holds; many distinct labels fall back to the same result). */
    size_t cap = 16, k = 0;
    char **nm = malloc(cap * sizeof *nm);
    if (!nm) {
        free(lab);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = st_table_str(t, col, i);
        if (!s || !*s) {
            lab[i] = INT32_MIN;
            continue;
        }
        size_t q = 0;
        while (q < k && strcmp(nm[q], s) != 0) q++;
        if (q == k) {
            if (k == cap) {
                char **nn = realloc(nm, 2 * cap * sizeof *nm);
                if (!nn) break;
                nm = nn;
                cap *= 2;
            }
            nm[k] = malloc(strlen(s) + 1);
            if (!nm[k]) break;
            strcpy(nm[k], s);
            k++;
        }
        lab[i] = (int32_t)q;
    }
    if (names) {
        *names = nm;
        *nnames = k;
    } else {
        segcli_free_list(nm, k);
    }
    return lab;
}

double *segcli_read_ahp(const char *cmd, st_context *ctx, const char *path, size_t m)
{
    double *a = malloc((m ? m * m : 1) * sizeof *a);
    if (!a) {
        cli_error(cmd, CLI_FAIL, "out of memory");
        return NULL;
    }
    st_status rc = st_ahp_read(ctx, path, m, a);
    if (rc) {
        cli_fail(cmd, ctx, rc);
        free(a);
        return NULL;
    }
    return a;
}
