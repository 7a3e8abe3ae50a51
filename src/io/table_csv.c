/*
** table_csv.c -- reads any CSV with a header into a customer table, for the stages and commands that take a
** table rather than an event log (fit, predict, segment, metrics, ...). Columns whose every non-empty value
** is a number become numeric; the rest stay strings. One scan parses every record while its columns may
** still be numeric; a second scan runs only when some non-key column turned out to hold strings.
*/
#include "core/table.h"
#include "io/csv.h"
#include "io/number.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define TABLE_MAX_LINE (1u << 20)
#define TABLE_MAX_FIELDS 4096

/* A regular uncompressed file is read with one read() into a buffer of its size. Leaves *out NULL (and
** returns ST_OK) when that does not apply, so gzip, pipes and open errors take the zlib path below. */
static st_status read_plain(st_context *ctx, const char *path, char **out, size_t *len)
{
    *out = NULL;
    /* stat first: opening a named pipe just to look at it would block, or take bytes from its writer */
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return ST_OK;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return ST_OK;
    unsigned char magic[2];
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 2 || (uint64_t)st.st_size >= SIZE_MAX / 4 ||
        pread(fd, magic, 2, 0) != 2 || (magic[0] == 0x1f && magic[1] == 0x8b)) {
        close(fd);
        return ST_OK;
    }
    /* one byte more than the size, so end of file shows up without growing the buffer */
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = st__malloc(ctx, cap);
    st_status rc = buf ? ST_OK : ST_ENOMEM;
    if (buf) st__huge_pages(buf, cap);
    while (rc == ST_OK) {
        if (n == cap) { /* the file grew while we read it */
            char *nb = st__realloc_array(ctx, buf, cap, cap * 2, 1);
            if (!nb) {
                rc = ST_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) rc = st__error(ctx, ST_EIO, "%s: read error: %s", path, strerror(errno));
        if (got <= 0) break;
        n += (size_t)got;
    }
    close(fd);
    if (rc) {
        st__free(ctx, buf, cap);
        return rc;
    }
    *out = buf;
    *len = n;
    return ST_OK;
}

/* Reads the whole (possibly gzipped) file or standard input into memory. */
static st_status slurp(st_context *ctx, const char *path, char **out, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    if (!is_stdin) {
        st_status rc = read_plain(ctx, path, out, len);
        if (rc || *out) return rc;
    }
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

/* A numeric cell: spaces and tabs around it are ignored; empty, NA, nan and NaN are missing. Anything
** strtod reads whole is a number too (so "1e-3", "0x10" and "inf" are numbers). */
static bool parse_cell(const char *s, size_t n, double *out)
{
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n == 0) {
        *out = NAN;
        return true;
    }
    if (st__number_fast(s, n, out)) return true;
    /* "NA" is compared as a C string, so a NUL byte may follow it */
    if ((n == 3 && (memcmp(s, "nan", 3) == 0 || memcmp(s, "NaN", 3) == 0)) ||
        (n >= 2 && n < 64 && s[0] == 'N' && s[1] == 'A' && (n == 2 || s[2] == '\0'))) {
        *out = NAN;
        return true;
    }
    return st__number_strtod(s, n, out);
}

/* The common record -- no quotes, every numeric cell empty or a plain decimal -- in one pass over its bytes
** without the field table. Returns false for anything else (quotes, spaces, exponents, NA, wrong field
** counts, overlong records): the general scanner then redoes the record and overwrites what was stored. */
static bool fast_record(const char *p, const char *end, size_t ncols, long keycol, const bool *numeric,
                        double *const *vals, size_t i, st_csv_field *keyf, const char **next)
{
    const char *start = p;
    for (size_t j = 0; j < ncols; j++) {
        const char *f = p;
        if (p < end && *p == '"') return false;
        while (p < end && *p != ',' && *p != '\n') p++;
        size_t n = (size_t)(p - f);
        if (j + 1 < ncols) {
            if (p == end || *p != ',') return false;
        } else {
            if (p < end && *p == ',') return false;
            if (n && f[n - 1] == '\r') n--;
            if ((size_t)(p - start) > TABLE_MAX_LINE) return false;
            *next = p < end ? p + 1 : p;
        }
        p++;
        if ((long)j == keycol) {
            keyf->p = f;
            keyf->len = n;
        } else if (numeric[j]) {
            if (n == 0) vals[j][i] = NAN;
            else if (!st__number_fast(f, n, &vals[j][i])) return false;
        }
    }
    return true;
}

/* Appends key cell f of row i to the key pool, laid out as st_table keeps string columns. */
static st_status add_key(st_context *ctx, char **pool, size_t *len, size_t *cap, size_t *off, size_t i,
                         const st_csv_field *f)
{
    if (*cap - *len < f->len + 1) {
        size_t nc = *cap;
        while (nc - *len < f->len + 1) nc *= 2;
        char *np = st__realloc_array(ctx, *pool, *cap, nc, 1);
        if (!np) return ST_ENOMEM;
        *pool = np;
        *cap = nc;
    }
    st__csv_unescape(f, *pool + *len);
    /* a key is a C string: like st_table_set_str, it ends at a NUL byte */
    size_t n = strlen(*pool + *len);
    off[i] = n ? *len : 0;
    *len += n ? n + 1 : 0;
    return ST_OK;
}

/* Key pool for key == NULL: "1", "2", ... laid out as st_table keeps string columns (pool[0] is ""). */
static st_status number_rows(st_context *ctx, size_t nrows, char **pool, size_t *pool_len, size_t *pool_cap,
                             size_t *off)
{
    size_t total = 1;
    for (size_t i = 1, w = 1, lim = 10; i <= nrows; i++) {
        if (i == lim) {
            w++;
            lim = lim > SIZE_MAX / 10 ? SIZE_MAX : lim * 10;
        }
        total += w + 1;
    }
    char *p = st__malloc(ctx, total);
    if (!p) return ST_ENOMEM;
    st__huge_pages(p, total);
    p[0] = '\0';
    size_t len = 1;
    for (size_t i = 0; i < nrows; i++) {
        char d[24];
        size_t k = sizeof d, v = i + 1;
        do {
            d[--k] = (char)('0' + (int)(v % 10));
            v /= 10;
        } while (v);
        off[i] = len;
        memcpy(p + len, d + k, sizeof d - k);
        len += sizeof d - k;
        p[len++] = '\0';
    }
    *pool = p;
    *pool_len = len;
    *pool_cap = total;
    return ST_OK;
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
    size_t ncols = 0, nrows = 0, maxrows = 0;
    char **names = NULL;
    bool *numeric = NULL;
    double **vals = NULL;
    size_t *colidx = NULL;
    char *kpool = NULL, *tmp = NULL;
    size_t klen = 0, kcap = 0, *koff = NULL;
    uint64_t line = 1;
    const char *next, *body = p;
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
        body = p = next;
    }
    long keycol = -1;
    if (rc == ST_OK && key)
        for (size_t j = 0; j < ncols; j++)
            if (strcmp(names[j], key) == 0) keycol = (long)j;
    /* With the key column missing the result is an error; the scan only looks for the errors that come
    ** before that one, so nothing is parsed or stored. */
    bool store = !key || keycol >= 0;
    if (rc == ST_OK && store) {
        /* every record but the last ends with a line feed: this bounds the row count */
        maxrows = 1;
        for (const char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++) maxrows++;
        if (maxrows > SIZE_MAX / sizeof(double)) rc = st__error(ctx, ST_ENOMEM, "%s: too many rows", fname);
    }
    if (rc == ST_OK && store) {
        numeric = st__calloc(ctx, ncols, sizeof *numeric);
        vals = st__calloc(ctx, ncols, sizeof *vals);
        if (!numeric || !vals) rc = ST_ENOMEM;
        for (size_t j = 0; j < ncols && rc == ST_OK; j++) {
            numeric[j] = (long)j != keycol;
            if (numeric[j] && !(vals[j] = st__malloc(ctx, maxrows * sizeof(double)))) rc = ST_ENOMEM;
            if (vals[j]) st__huge_pages(vals[j], maxrows * sizeof(double));
        }
        if (rc == ST_OK && keycol >= 0) {
            kcap = 1u << 16;
            kpool = st__malloc(ctx, kcap);
            koff = st__malloc(ctx, maxrows * sizeof *koff);
            if (!kpool || !koff) {
                rc = ST_ENOMEM;
            } else {
                kpool[0] = '\0';
                st__huge_pages(koff, maxrows * sizeof *koff);
            }
            klen = 1;
        }
    }
    /* the scan: record shapes are checked, key cells stored, cells of still-numeric columns parsed */
    st_csv_field keyf = {NULL, 0, false, false};
    while (rc == ST_OK) {
        if (store && ncols > 1 && nrows < maxrows &&
            fast_record(p, end, ncols, keycol, numeric, vals, nrows, &keyf, &next)) {
            if (keycol >= 0) rc = add_key(ctx, &kpool, &klen, &kcap, koff, nrows, &keyf);
            nrows++;
            line++;
            p = next;
            continue;
        }
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
        size_t i = nrows++;
        line += sc.newlines;
        p = next;
        if (!store) continue;
        if (i >= maxrows) { /* cannot happen (see the bound above); kept so a slip cannot overrun */
            rc = st__error(ctx, ST_ELIMIT, "%s:%llu: row count past its bound", fname, (unsigned long long)line);
            break;
        }
        for (size_t j = 0; j < ncols && rc == ST_OK; j++) {
            const st_csv_field *f = &sc.fields[j];
            if ((long)j == keycol) {
                rc = add_key(ctx, &kpool, &klen, &kcap, koff, i, f);
            } else if (numeric[j]) {
                /* an escaped quote leaves a '"' in the cell, which no number has */
                if (f->has_escape || !parse_cell(f->p, f->len, &vals[j][i])) {
                    numeric[j] = false;
                    st__free(ctx, vals[j], 0);
                    vals[j] = NULL;
                }
            }
        }
    }
    if (rc == ST_OK && nrows == 0) rc = st__error(ctx, ST_EEMPTY, "%s: no data rows after the header", fname);
    if (rc == ST_OK && key && keycol < 0)
        rc = st__error(ctx, ST_ENOTFOUND, "%s:1: no column '%s' in the header", fname, key);
    const char *keyname = key;
    if (!keyname) {
        keyname = "row";
        for (size_t j = 0; rc == ST_OK && j < ncols; j++)
            if (strcmp(names[j], "row") == 0) keyname = "row_number";
    }
    if (rc == ST_OK && !*keyname) rc = st__error(ctx, ST_EINVAL, "st_table_new: key name is empty");
    if (rc == ST_OK && keycol < 0) {
        if (!(koff = st__malloc(ctx, nrows * sizeof *koff))) rc = ST_ENOMEM;
        else st__huge_pages(koff, nrows * sizeof *koff);
        if (rc == ST_OK) rc = number_rows(ctx, nrows, &kpool, &klen, &kcap, koff);
    }
    if (rc == ST_OK) {
        /* the table owns (and on failure frees) the key pool and offsets from here */
        rc = st__table_new_owned_keys(ctx, keyname, nrows, kpool, klen, kcap, koff, out);
        kpool = NULL;
        koff = NULL;
    }
    /* columns in file order: numeric ones take their arrays, string ones are filled by a second scan */
    size_t nstr = 0;
    if (rc == ST_OK && !(colidx = st__calloc(ctx, ncols, sizeof *colidx))) rc = ST_ENOMEM;
    for (size_t j = 0; j < ncols && rc == ST_OK; j++) {
        if ((long)j == keycol) continue;
        if (numeric[j]) {
            rc = st__table_add_f64_owned(*out, names[j], ST_COL_F64, vals[j]);
            vals[j] = NULL;
        } else {
            rc = st_table_add_str(*out, names[j]);
            colidx[j] = st_table_ncols(*out) - 1;
            nstr++;
        }
    }
    if (rc == ST_OK && nstr && !(tmp = st__malloc(ctx, TABLE_MAX_LINE + 1))) rc = ST_ENOMEM;
    for (size_t i = 0; rc == ST_OK && nstr && i < nrows;) {
        /* the first scan accepted every record, so this one meets the same records and no errors */
        st__csv_scan(&sc, body, end, true, &next);
        body = next;
        if (sc.nfields == 1 && sc.fields[0].len == 0 && !sc.fields[0].quoted) continue;
        for (size_t j = 0; j < ncols && rc == ST_OK; j++) {
            if ((long)j == keycol || numeric[j]) continue;
            st__csv_unescape(&sc.fields[j], tmp);
            rc = st_table_set_str(*out, colidx[j], i, tmp);
        }
        i++;
    }
    if (rc != ST_OK) {
        st_table_free(*out);
        *out = NULL;
    }
    st__free(ctx, tmp, 0);
    st__free(ctx, colidx, 0);
    st__free(ctx, kpool, kcap);
    st__free(ctx, koff, 0);
    if (vals)
        for (size_t j = 0; j < ncols; j++) st__free(ctx, vals[j], 0);
    st__free(ctx, vals, 0);
    st__free(ctx, numeric, 0);
    if (names)
        for (size_t j = 0; j < ncols; j++) st__free(ctx, names[j], 0);
    st__free(ctx, names, 0);
    st__csv_scanner_free(ctx, &sc);
    st__free(ctx, data, 0);
    return rc;
}
