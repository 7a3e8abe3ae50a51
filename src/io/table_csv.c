/*
** table_csv.c -- reads any CSV with a header into a customer table, for the stages and commands that take a
** table rather than an event log (fit, predict, segment, metrics, ...). Columns whose every non-empty value
** is a number become numeric; the rest stay strings.
*/
#include "core/table.h"
#include "io/csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define TABLE_MAX_LINE (1u << 20)
#define TABLE_MAX_FIELDS 4096

/* Reads the whole (possibly gzipped) file or standard input into memory. */
static st_status slurp(st_context *ctx, const char *path, char **out, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    gzFile g = is_stdin ? gzdopen(0, "rb") : gzopen(path, "rb");
    if (!g) return st__error(ctx, ST_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1u << 16, n = 0;
    char *buf = st__malloc(ctx, cap);
    st_status rc = buf ? ST_OK : ST_ENOMEM;
    while (rc == ST_OK) {
        if (cap - n < (1u << 15)) {
            char *nb = st__realloc_array(ctx, buf, cap, cap * 2, 1);
            if (!nb) {
                rc = ST_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        int got = gzread(g, buf + n, (unsigned)(cap - n));
        if (got < 0) {
            int e;
            rc = st__error(ctx, ST_EIO, "%s: read error: %s", path, gzerror(g, &e));
        } else if (got == 0) {
            break;
        }
        n += (size_t)(got > 0 ? got : 0);
    }
    gzclose(g);
    if (rc) {
        st__free(ctx, buf, cap);
        return rc;
    }
    *out = buf;
    *len = n;
    return ST_OK;
}

static bool parse_cell(const char *s, size_t n, double *out)
{
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n == 0) {
        *out = NAN;
        return true;
    }
    if (n >= 64) return false;
    char tmp[64];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if ((n == 3 && (strcmp(tmp, "nan") == 0 || strcmp(tmp, "NaN") == 0)) || strcmp(tmp, "NA") == 0) {
        *out = NAN;
        return true;
    }
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end != tmp + n) return false;
    *out = v;
    return true;
}

st_status st_table_read_csv(st_context *ctx, const char *path, const char *key, st_table **out)
{
    if (!ctx) return ST_EINVAL;
    if (!path || !out) return st__error(ctx, ST_EINVAL, "st_table_read_csv: NULL argument");
    *out = NULL;
    const char *fname = strcmp(path, "-") == 0 ? "<stdin>" : path;
    char *data = NULL;
    size_t len = 0;
    st_status rc = slurp(ctx, path, &data, &len);
    if (rc) return rc;
    const char *p = data, *end = data + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    st_csv_scanner sc;
    if (st__csv_scanner_init(ctx, &sc, ',', TABLE_MAX_LINE, TABLE_MAX_FIELDS) != ST_OK) {
        st__free(ctx, data, 0);
        return ST_ENOMEM;
    }
    /* pass 1: header, record boundaries */
    size_t ncols = 0, nrows = 0, caprows = 0;
    const char **starts = NULL;
    uint64_t *lines = NULL;
    char **names = NULL;
    uint64_t line = 1;
    const char *next;
    st_csv_result r = st__csv_scan(&sc, p, end, true, &next);
    if (r == ST_CSV_END) rc = st__error(ctx, ST_EEMPTY, "%s: the file is empty", fname);
    else if (r != ST_CSV_RECORD) rc = st__error(ctx, ST_EPARSE, "%s:1: malformed header", fname);
    if (rc == ST_OK) {
        ncols = sc.nfields;
        names = st__calloc(ctx, ncols, sizeof *names);
        if (!names) rc = ST_ENOMEM;
        for (size_t j = 0; j < ncols && rc == ST_OK; j++) {
            names[j] = st__malloc(ctx, sc.fields[j].len + 1);
            if (!names[j]) rc = ST_ENOMEM;
            else st__csv_unescape(&sc.fields[j], names[j]);
        }
        line += sc.newlines;
        p = next;
    }
    while (rc == ST_OK) {
        r = st__csv_scan(&sc, p, end, true, &next);
        if (r == ST_CSV_END) break;
        if (r != ST_CSV_RECORD) {
            rc = st__error(ctx, r == ST_CSV_BAD_QUOTE ? ST_EPARSE : ST_ELIMIT, "%s:%llu:%zu: %s", fname,
                           (unsigned long long)line, sc.error_field,
                           r == ST_CSV_BAD_QUOTE ? "unbalanced quotes" : "record too long or too many fields");
            break;
        }
        if (sc.nfields == 1 && sc.fields[0].len == 0 && !sc.fields[0].quoted) {
            line += sc.newlines;
            p = next;
            continue;
        }
        if (sc.nfields != ncols) {
            rc = st__error(ctx, ST_EPARSE, "%s:%llu: wrong field count: expected %zu fields, found %zu", fname,
                           (unsigned long long)line, ncols, sc.nfields);
            break;
        }
        if (nrows == caprows) {
            size_t nc = caprows ? caprows * 2 : 1024;
            const char **ns = st__realloc_array(ctx, (void *)starts, caprows, nc, sizeof *ns);
            if (!ns) {
                rc = ST_ENOMEM;
                break;
            }
            starts = ns;
            uint64_t *nl = st__realloc_array(ctx, lines, caprows, nc, sizeof *nl);
            if (!nl) {
                rc = ST_ENOMEM;
                break;
            }
            lines = nl;
            caprows = nc;
        }
        starts[nrows] = p;
        lines[nrows++] = line;
        line += sc.newlines;
        p = next;
    }
    if (rc == ST_OK && nrows == 0) rc = st__error(ctx, ST_EEMPTY, "%s: no data rows after the header", fname);
    long keycol = -1;
    if (rc == ST_OK && key) {
        for (size_t j = 0; j < ncols; j++)
            if (strcmp(names[j], key) == 0) keycol = (long)j;
        if (keycol < 0) rc = st__error(ctx, ST_ENOTFOUND, "%s:1: no column '%s' in the header", fname, key);
    }
    /* pass 2: decide column types */
    bool *numeric = NULL;
    double **vals = NULL;
    if (rc == ST_OK) {
        numeric = st__calloc(ctx, ncols, sizeof *numeric);
        vals = st__calloc(ctx, ncols, sizeof *vals);
        if (!numeric || !vals) rc = ST_ENOMEM;
        for (size_t j = 0; j < ncols && rc == ST_OK; j++) {
            numeric[j] = (long)j != keycol;
            if (numeric[j] && !(vals[j] = st__malloc(ctx, nrows * sizeof(double)))) rc = ST_ENOMEM;
        }
    }
    const char *keyname = key;
    if (!keyname) {
        keyname = "row";
        for (size_t j = 0; rc == ST_OK && j < ncols; j++)
            if (strcmp(names[j], "row") == 0) keyname = "row_number";
    }
    if (rc == ST_OK) rc = st_table_new(ctx, keyname, nrows, out);
    char *tmp = NULL;
    if (rc == ST_OK && !(tmp = st__malloc(ctx, TABLE_MAX_LINE + 1))) rc = ST_ENOMEM;
    for (size_t i = 0; i < nrows && rc == ST_OK; i++) {
        st__csv_scan(&sc, starts[i], end, true, &next);
        for (size_t j = 0; j < ncols && rc == ST_OK; j++) {
            const st_csv_field *f = &sc.fields[j];
            if ((long)j == keycol) {
                st__csv_unescape(f, tmp);
                rc = st_table_set_str(*out, 0, i, tmp);
            } else if (numeric[j]) {
                size_t n = f->has_escape ? st__csv_unescape(f, tmp) : f->len;
                if (!parse_cell(f->has_escape ? tmp : f->p, n, &vals[j][i])) numeric[j] = false;
            }
        }
    }
    if (rc == ST_OK && !key) {
        char num[32];
        for (size_t i = 0; i < nrows && rc == ST_OK; i++) {
            snprintf(num, sizeof num, "%zu", i + 1);
            rc = st_table_set_str(*out, 0, i, num);
        }
    }
    /* add columns in file order: numeric ones take their arrays, string ones are filled now */
    for (size_t j = 0; j < ncols && rc == ST_OK; j++) {
        if ((long)j == keycol) continue;
        if (numeric[j]) {
            rc = st__table_add_f64_owned(*out, names[j], ST_COL_F64, vals[j]);
            vals[j] = NULL;
        } else {
            rc = st_table_add_str(*out, names[j]);
            size_t cj = st_table_ncols(*out) - 1;
            for (size_t i = 0; i < nrows && rc == ST_OK; i++) {
                st__csv_scan(&sc, starts[i], end, true, &next);
                st__csv_unescape(&sc.fields[j], tmp);
                rc = st_table_set_str(*out, cj, i, tmp);
            }
        }
    }
    (void)lines;
    if (rc != ST_OK) {
        st_table_free(*out);
        *out = NULL;
    }
    st__free(ctx, tmp, 0);
    if (vals)
        for (size_t j = 0; j < ncols; j++) st__free(ctx, vals[j], 0);
    st__free(ctx, vals, 0);
    st__free(ctx, numeric, 0);
    if (names)
        for (size_t j = 0; j < ncols; j++) st__free(ctx, names[j], 0);
    st__free(ctx, names, 0);
    st__free(ctx, (void *)starts, 0);
    st__free(ctx, lines, 0);
    st__csv_scanner_free(ctx, &sc);
    st__free(ctx, data, 0);
    return rc;
}
