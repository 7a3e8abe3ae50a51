/*
** weights.c -- indicator weights for value stratification: min-max normalisation, the entropy weight
** method (seed 000 section 2.3), AHP from a pairwise comparison matrix, and the multiplicative
** AHP x entropy combination of seed 002 (eq. 2). Also the column scalers used before clustering.
*/
#include "core/internal.h"
#include "core/json.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static st_status check_matrix(st_context *ctx, const char *fn, const double *x, size_t n, size_t d,
                              const void *out)
{
    if (!x || !out) return st__error(ctx, ST_EINVAL, "%s: NULL argument", fn);
    if (n == 0 || d == 0) return st__error(ctx, ST_EINVAL, "%s: empty matrix (%zu x %zu)", fn, n, d);
    size_t nd;
    if (!st__mul_ok(n, d, &nd)) return st__error(ctx, ST_ENOMEM, "%s: matrix size overflows", fn);
    for (size_t i = 0; i < nd; i++)
        if (!isfinite(x[i]))
            return st__error(ctx, ST_EDATA, "%s: row %zu column %zu is not a finite number", fn, i / d + 1,
                             i % d + 1);
    return ST_OK;
}

static void column_range(const double *x, size_t n, size_t d, size_t j, double *lo, double *hi)
{
    double a = x[j], b = x[j];
    for (size_t i = 1; i < n; i++) {
        double v = x[i * d + j];
        if (v < a) a = v;
        if (v > b) b = v;
    }
    *lo = a;
    *hi = b;
}

st_status st_minmax_normalize(st_context *ctx, const double *x, size_t n, size_t d, const int *cost,
                              double *out)
{
    st_status rc = check_matrix(ctx, "minmax", x, n, d, out);
    if (rc) return rc;
    for (size_t j = 0; j < d; j++) {
        double lo, hi;
        column_range(x, n, d, j, &lo, &hi);
        double span = hi - lo;
        int rev = cost && cost[j];
        for (size_t i = 0; i < n; i++) {
            double v = x[i * d + j];
            /* A constant column has no spread to scale; 0 keeps it out of entropy sums and distances. */
            out[i * d + j] = span > 0 ? (rev ? (hi - v) / span : (v - lo) / span) : 0.0;
        }
    }
    return ST_OK;
}

st_status st_weights_entropy(st_context *ctx, const double *x, size_t n, size_t d, const int *cost,
                             double *entropy, double *weights)
{
    st_status rc = check_matrix(ctx, "entropy weights", x, n, d, weights);
    if (rc) return rc;
    double dsum = 0;
    double logn = n > 1 ? log((double)n) : 0.0;
    for (size_t j = 0; j < d; j++) {
        double lo, hi;
        column_range(x, n, d, j, &lo, &hi);
        double span = hi - lo;
        double e = 1.0;
        if (span > 0 && n > 1) {
            int rev = cost && cost[j];
            double s = 0;
            for (size_t i = 0; i < n; i++) {
                double v = x[i * d + j];
                s += rev ? (hi - v) / span : (v - lo) / span;
            }
            /* s >= 1 because min-max puts one value at exactly 1. */
            double h = 0;
            for (size_t i = 0; i < n; i++) {
                double v = x[i * d + j];
                double p = (rev ? (hi - v) / span : (v - lo) / span) / s;
                if (p > 0) h -= p * log(p); /* 0 ln 0 = 0 */
            }
            e = h / logn;
            if (e > 1) e = 1; /* rounding can push a near-uniform column a hair past 1 */
            if (e < 0) e = 0;
        }
        if (entropy) entropy[j] = e;
        weights[j] = 1.0 - e;
        dsum += 1.0 - e;
    }
    for (size_t j = 0; j < d; j++) weights[j] = dsum > 0 ? weights[j] / dsum : 1.0 / (double)d;
    return ST_OK;
}

/* Saaty's classic random consistency index, n = 1..15 (the 1.48 at n = 12 is as published). */
static const double saaty_ri[16] = {0, 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48,
                                    1.56, 1.57, 1.59};

st_status st_ahp_weights(st_context *ctx, const double *a, size_t m, double *weights, double *lambda_max,
                         double *ci, double *cr)
{
    if (!a || !weights) return st__error(ctx, ST_EINVAL, "ahp: NULL argument");
    if (m == 0) return st__error(ctx, ST_EINVAL, "ahp: empty matrix");
    if (m > 15) return st__error(ctx, ST_ERANGE, "ahp: %zu indicators; the random index is tabled to 15", m);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            double v = a[i * m + j];
            if (!isfinite(v) || v <= 0)
                return st__error(ctx, ST_EDATA, "ahp: cell (%zu,%zu) = %g is not a positive number", i + 1,
                                 j + 1, v);
        }
    for (size_t i = 0; i < m; i++) {
        if (fabs(a[i * m + i] - 1.0) > 1e-6)
            return st__error(ctx, ST_EDATA, "ahp: diagonal cell (%zu,%zu) = %g, expected 1", i + 1, i + 1,
                             a[i * m + i]);
        for (size_t j = i + 1; j < m; j++)
            if (fabs(a[i * m + j] * a[j * m + i] - 1.0) > 1e-6)
                return st__error(ctx, ST_EDATA,
                                 "ahp: not reciprocal: cell (%zu,%zu) = %g but cell (%zu,%zu) = %g", i + 1, j + 1,
                                 a[i * m + j], j + 1, i + 1, a[j * m + i]);
    }
    double v[15], nv[15];
    for (size_t i = 0; i < m; i++) v[i] = 1.0 / (double)m;
    /* Power iteration: a positive matrix has a simple dominant (Perron) eigenvalue with a positive
    ** eigenvector, and the ratio of the next eigenvalue is small for near-consistent matrices. */
    int converged = 0;
    double lam = (double)m;
    for (int it = 0; it < 10000 && !converged; it++) {
        double s = 0;
        for (size_t i = 0; i < m; i++) {
            double t = 0;
            for (size_t j = 0; j < m; j++) t += a[i * m + j] * v[j];
            nv[i] = t;
            s += t;
        }
        lam = s; /* sum(Av) with sum(v) = 1 */
        double diff = 0;
        for (size_t i = 0; i < m; i++) {
            nv[i] /= s;
            diff = fmax(diff, fabs(nv[i] - v[i]));
            v[i] = nv[i];
        }
        if (diff <= 1e-15) converged = 1;
    }
    for (size_t i = 0; i < m; i++) weights[i] = v[i];
    double c = m > 2 ? (lam - (double)m) / (double)(m - 1) : 0.0;
    if (lambda_max) *lambda_max = lam;
    if (ci) *ci = c;
    if (cr) *cr = m > 2 ? c / saaty_ri[m] : 0.0;
    if (!converged) return st__error(ctx, ST_ECONVERGE, "ahp: power iteration did not converge");
    return ST_OK;
}

st_status st_weights_combine(st_context *ctx, const double *theta, const double *eta, size_t m, double *out)
{
    if (!theta || !eta || !out) return st__error(ctx, ST_EINVAL, "combine weights: NULL argument");
    if (m == 0) return st__error(ctx, ST_EINVAL, "combine weights: no weights");
    double s = 0;
    for (size_t i = 0; i < m; i++) {
        if (!isfinite(theta[i]) || !isfinite(eta[i]) || theta[i] < 0 || eta[i] < 0)
            return st__error(ctx, ST_EDATA, "combine weights: weight %zu is negative or not finite", i + 1);
        s += theta[i] * eta[i];
    }
    if (!(s > 0)) return st__error(ctx, ST_EDATA, "combine weights: every product theta*eta is 0");
    for (size_t i = 0; i < m; i++) out[i] = theta[i] * eta[i] / s;
    return ST_OK;
}

st_status st_scale_columns(st_context *ctx, const double *x, size_t n, size_t d, st_scale how, double *out)
{
    if (how == ST_SCALE_MINMAX) return st_minmax_normalize(ctx, x, n, d, NULL, out);
    st_status rc = check_matrix(ctx, "scale", x, n, d, out);
    if (rc) return rc;
    if (how == ST_SCALE_NONE) {
        if (out != x) memmove(out, x, n * d * sizeof *x);
        return ST_OK;
    }
    if (how != ST_SCALE_ZSCORE) return st__error(ctx, ST_EINVAL, "scale: unknown method %d", (int)how);
    for (size_t j = 0; j < d; j++) {
        double mean = 0;
        for (size_t i = 0; i < n; i++) mean += x[i * d + j];
        mean /= (double)n;
        double var = 0;
        for (size_t i = 0; i < n; i++) {
            double t = x[i * d + j] - mean;
            var += t * t;
        }
        double sd = sqrt(var / (double)n);
        for (size_t i = 0; i < n; i++) out[i * d + j] = sd > 0 ? (x[i * d + j] - mean) / sd : 0.0;
    }
    return ST_OK;
}

/* ---- the AHP matrix as text ---- */

/* A cell as a positive-or-not finite number: a decimal or a fraction p/q (q != 0), spaces around allowed. */
static bool ahp_number(const char *s, size_t n, double *out)
{
    char buf[64];
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') s++, n -= 2;
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double a = strtod(buf, &end), b = 1.0;
    if (end == buf) return false;
    while (*end == ' ') end++;
    if (*end == '/') {
        const char *q = end + 1;
        b = strtod(q, &end);
        if (end == q || b == 0.0) return false;
        while (*end == ' ') end++;
    }
    if (*end || !isfinite(a) || !isfinite(b) || !isfinite(a / b)) return false;
    *out = a / b;
    return true;
}

/* The cells of one line: start offsets and lengths (commas separate; no quoted commas in a matrix). */
static size_t ahp_cells(const char *s, size_t n, size_t *at, size_t *len, size_t max)
{
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || s[i] == ',') {
            if (k < max) {
                at[k] = start;
                len[k] = i - start;
            }
            k++;
            start = i + 1;
        }
    return k;
}

st_status st_ahp_parse(st_context *ctx, const char *text, size_t len, const char *name, size_t m, double *a)
{
    enum { MAXC = 64 };
    if (!text || !a) return st__error(ctx, ST_EINVAL, "st_ahp_parse: NULL argument");
    if (!name) name = "<matrix>";
    if (m == 0 || m > MAXC - 1) return st__error(ctx, ST_EINVAL, "st_ahp_parse: m must be 1 to %d", MAXC - 1);
    size_t at[MAXC], cl[MAXC];
    size_t pos = 0, line = 0, rows = 0, width = 0, first_line = 0;
    int first = 1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) pos = 3;
    while (pos < len) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl ? 1 : 0);
        line++;
        if (n && s[n - 1] == '\r') n--;
        size_t blank = 0;
        while (blank < n && (s[blank] == ' ' || s[blank] == '\t')) blank++;
        if (blank == n) continue;
        size_t k = ahp_cells(s, n, at, cl, MAXC);
        if (k > MAXC) return st__error(ctx, ST_ELIMIT, "%s:%zu: more than %d cells", name, line, MAXC);
        /* A leading cell that is not a number is a row name. */
        double v;
        size_t c0 = k > 1 && !ahp_number(s + at[0], cl[0], &v) ? 1 : 0;
        size_t bad = k, nums = 0;
        for (size_t c = c0; c < k; c++) {
            if (ahp_number(s + at[c], cl[c], &v)) nums++;
            else if (bad == k) bad = c;
        }
        if (first) {
            first = 0;
            if (nums == 0) continue; /* a header row: no cell is a number */
        }
        if (bad < k)
            return st__error(ctx, ST_EPARSE, "%s:%zu:%zu: '%.*s' is not a number or a fraction like 1/3", name,
                             line, at[bad] + 1, (int)(cl[bad] > 40 ? 40 : cl[bad]), s + at[bad]);
        size_t nv = k - c0;
        if (rows == 0) {
            width = nv;
            first_line = line;
            if (width != m)
                return st__error(ctx, ST_EPARSE,
                                 "%s:%zu: %zu values in the row, expected %zu: the matrix must be %zu x %zu, one row "
                                 "and column per indicator", name, line, nv, m, m, m);
        } else if (nv != width) {
            return st__error(ctx, ST_EPARSE, "%s:%zu: %zu values in the row, but %zu on line %zu: the matrix must be "
                             "square (%zu x %zu)", name, line, nv, width, first_line, m, m);
        }
        if (rows == m)
            return st__error(ctx, ST_EPARSE, "%s:%zu: row %zu of a matrix with %zu columns: it must be square (%zu x %zu)",
                             name, line, rows + 1, width, m, m);
        for (size_t c = 0; c < nv; c++) ahp_number(s + at[c0 + c], cl[c0 + c], &a[rows * m + c]);
        rows++;
    }
    if (rows == 0) return st__error(ctx, ST_EPARSE, "%s: no matrix rows (expected %zu x %zu)", name, m, m);
    if (rows < m)
        return st__error(ctx, ST_EPARSE, "%s:%zu: the matrix ends after %zu rows of %zu values: it must be square (%zu x %zu)",
                         name, line, rows, width, m, m);
    return ST_OK;
}

st_status st_ahp_read(st_context *ctx, const char *path, size_t m, double *a)
{
    enum { MAXF = 1 << 20 };
    if (!path || !a) return st__error(ctx, ST_EINVAL, "st_ahp_read: NULL argument");
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp) return st__error(ctx, ST_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = st__malloc(ctx, MAXF + 1);
    if (!buf) {
        if (!is_stdin) fclose(fp);
        return ST_ENOMEM;
    }
    size_t n = fread(buf, 1, MAXF + 1, fp);
    int err = ferror(fp);
    if (!is_stdin) fclose(fp);
    st_status rc;
    if (err) rc = st__error(ctx, ST_EIO, "%s: read error", name);
    else if (n > MAXF) rc = st__error(ctx, ST_ELIMIT, "%s: larger than 1 MiB: not a pairwise comparison matrix", name);
    else rc = st_ahp_parse(ctx, buf, n, name, m, a);
    st__free(ctx, buf, MAXF + 1);
    return rc;
}

/* "key": {name: v, ...} on one line, or null. */
static void write_map(st_jw *w, const char *key, const char *const *names, const double *v, size_t d)
{
    st__jw_key(w, key);
    if (!v) {
        st__jw_null(w);
        return;
    }
    st__jw_begin_object_inline(w);
    for (size_t j = 0; j < d; j++) st__jw_kv_num(w, names[j], v[j]);
    st__jw_end_object(w);
}

st_status st_weights_to_json(st_context *ctx, const char *const *names, size_t d, const double *entropy,
                             const double *entropy_weights, const double *ahp_weights, double lambda_max,
                             double ci, double cr, const double *combined, size_t rows, char **out, size_t *len)
{
    if (!out) return st__error(ctx, ST_EINVAL, "st_weights_to_json: NULL argument");
    *out = NULL;
    if ((d && (!names || !entropy || !entropy_weights || !combined)))
        return st__error(ctx, ST_EINVAL, "st_weights_to_json: NULL argument");
    for (size_t j = 0; j < d; j++)
        if (!names[j]) return st__error(ctx, ST_EINVAL, "st_weights_to_json: NULL name");
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__jw_begin_object(&w);
    write_map(&w, "entropy", names, entropy, d);
    write_map(&w, "entropy_weights", names, entropy_weights, d);
    write_map(&w, "ahp_weights", names, ahp_weights, d);
    st__jw_kv_num(&w, "lambda_max", ahp_weights ? lambda_max : (double)NAN);
    st__jw_kv_num(&w, "ci", ahp_weights ? ci : (double)NAN);
    st__jw_kv_num(&w, "cr", ahp_weights ? cr : (double)NAN);
    st__jw_kv_int(&w, "rows", (long long)rows);
    write_map(&w, "combined_weights", names, combined, d);
    st__jw_end_object(&w);
    return st__jw_finish(&w, "st_weights_to_json", out, len);
}
