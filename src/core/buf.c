/*
** buf.c -- growable output buffers, shortest round-trip number formatting and CSV field quoting (files
** written atomically are in fs.c).
*/
#include "core/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

void st__buf_init(st_buf *b, st_context *ctx)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->ctx = ctx;
}

void st__buf_free(st_buf *b)
{
    st__free(b->ctx, b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}

bool st__buf_reserve(st_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap && b->data) return true;
    if (extra > SIZE_MAX / 2 - b->len) {
        st__error(b->ctx, ST_ENOMEM, "buffer size overflow");
        return false;
    }
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->len + extra + 1) ncap *= 2;
    char *p = st__realloc_array(b->ctx, b->data, b->cap, ncap, 1);
    if (!p) return false;
    b->data = p;
    b->cap = ncap;
    return true;
}

bool st__buf_append(st_buf *b, const void *p, size_t n)
{
    if (!st__buf_reserve(b, n)) return false;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

bool st__buf_puts(st_buf *b, const char *s) { return st__buf_append(b, s, strlen(s)); }

bool st__buf_putc(st_buf *b, char c)
{
    if (!st__buf_reserve(b, 1)) return false;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return true;
}

bool st__buf_printf(st_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return false;
    if ((size_t)n < sizeof small) return st__buf_append(b, small, (size_t)n);
    if (!st__buf_reserve(b, (size_t)n)) return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

/* Values with few decimals (money, days, ratios of small integers) print exactly and fast: the smallest k
** for which m = round(x * 10^k) satisfies m / 10^k == x (both exact integers, so the division is correctly
** rounded and strtod of the decimal m*10^-k gives x back) yields the shortest decimal with k fraction digits. */
static bool put_short_decimal(char *out, double x, int *len)
{
    static const double p10[9] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    double ax = fabs(x);
    for (int k = 1; k <= 8; k++) {
        double m = nearbyint(ax * p10[k]);
        if (m >= 9007199254740992.0) return false;
        if (m / p10[k] != ax) continue;
        unsigned long long u = (unsigned long long)m;
        char digits[24];
        int nd = 0;
        do {
            digits[nd++] = (char)('0' + (u % 10));
            u /= 10;
        } while (u);
        while (nd <= k) digits[nd++] = '0';
        int n = 0;
        if (x < 0) out[n++] = '-';
        for (int i = nd - 1; i >= 0; i--) {
            out[n++] = digits[i];
            if (i == k) out[n++] = '.';
        }
        /* strip trailing zeros of the fraction (m may end in 0 only when k is not minimal; keep it exact) */
        while (out[n - 1] == '0') n--;
        if (out[n - 1] == '.') n--;
        *len = n;
        return true;
    }
    return false;
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 st_u128;

/* %.{p}g for p = 15, 16, 17 (the first that reads back as x) for 1e-4 <= |x| < 1e15, in exact integer
** arithmetic instead of printf and strtod, with the same bytes as those. x = M / 2^s exactly (M < 2^53,
** s <= 66 here); for precision p and decimal exponent d (10^d <= |x| < 10^(d+1)), m = x * 10^k rounded half
** to even with k = p - 1 - d, and m / 10^k reads back as x when it lies within half a gap of x:
** 2 |m 2^s - M 10^k| < 10^k (equality: M even), the gap below a power of two being half as wide. Every
** product stays below 2^127. Returns false when x is outside that range (the caller uses printf). */
static bool put_g_exact(char *out, double x, int *len)
{
    double ax = fabs(x);
    if (!(ax >= 1e-4 && ax < 1e15)) return false;
    int e2;
    double fr = frexp(ax, &e2); /* ax = fr * 2^e2, fr in [0.5, 1) */
    uint64_t M = (uint64_t)ldexp(fr, 53);
    int s = 53 - e2;
    if (s < 0 || s > 66) return false;
    static const uint64_t p10[20] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
                                     100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
                                     1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
                                     1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
                                     1000000000000000000ULL, 10000000000000000000ULL};
    /* the decimal exponent, exactly: 10^d <= M / 2^s < 10^(d+1) (log10 alone can be one off near 10^d) */
    int d = (int)floor(log10(ax));
    if (d < -4 || d > 14) return false;
#define ST_POW10_LE(dd) ((dd) >= 0 ? ((st_u128)p10[(dd)] << s) <= (st_u128)M : ((st_u128)1 << s) <= (st_u128)M * p10[-(dd)])
    while (d > -4 && !ST_POW10_LE(d)) d--;
    while (d < 14 && ST_POW10_LE(d + 1)) d++;
#undef ST_POW10_LE
    bool lower_half = M == ((uint64_t)1 << 52); /* the gap below x is half the gap above */
    for (int p = 15; p <= 17; p++) {
        int k, dd = d;
        uint64_t m = 0;
        for (int tries = 0; tries < 3; tries++) {
            k = p - 1 - dd;
            if (k < 0 || k > 19) return false;
            /* m = round_half_even(M * 10^k / 2^s) */
            st_u128 num = (st_u128)M * p10[k];
            st_u128 q = num >> s, r = num - (q << s), half = s ? (st_u128)1 << (s - 1) : 0;
            if (s && (r > half || (r == half && (q & 1)))) q++;
            if (q >= p10[p]) {
                dd++;
                continue;
            }
            m = (uint64_t)q;
            break;
        }
        if (!m) return false;
        k = p - 1 - dd;
        if (dd < -4 || dd >= p) return false; /* %g would use an exponent: leave it to printf */
        /* does m / 10^k read back as x? */
        st_u128 a = (st_u128)m << s, b = (st_u128)M * p10[k];
        st_u128 diff = a > b ? a - b : b - a, lim = p10[k];
        st_u128 twice = diff << 1;
        if (a < b && lower_half) twice <<= 1;
        bool ok = twice < lim || (twice == lim && (M & 1) == 0);
        if (!ok && p < 17) continue;
        if (!ok) return false; /* cannot happen: 17 digits always read back */
        /* fixed notation: p digits of m with the point after dd + 1 of them, trailing zeros stripped */
        char dg[20];
        for (int i = p - 1; i >= 0; i--) {
            dg[i] = (char)('0' + (int)(m % 10));
            m /= 10;
        }
        int last = p - 1;
        int intdigits = dd + 1; /* digits before the point (<= 0: "0." and -dd-1 zeros first) */
        while (last >= 0 && last >= intdigits && dg[last] == '0') last--;
        int n = 0;
        if (x < 0) out[n++] = '-';
        if (intdigits <= 0) {
            out[n++] = '0';
            out[n++] = '.';
            for (int i = 0; i < -intdigits; i++) out[n++] = '0';
            for (int i = 0; i <= last; i++) out[n++] = dg[i];
        } else {
            for (int i = 0; i < intdigits; i++) out[n++] = dg[i];
            if (last >= intdigits) {
                out[n++] = '.';
                for (int i = intdigits; i <= last; i++) out[n++] = dg[i];
            }
        }
        *len = n;
        return true;
    }
    return false;
}
#endif

/* Integers print as integers; other values with the fewest significant digits (up to 17) that read back
** to the same double. Most values in a customer table need 15 or fewer, so try that first. */
bool st__buf_put_double(st_buf *b, double x)
{
    if (isnan(x)) return true;
    if (!st__buf_reserve(b, 40)) return false;
    char *out = b->data + b->len;
    int n;
    if (x == floor(x) && fabs(x) < 1e15) {
        long long v = (long long)x;
        /* hand-rolled: this is the hot path of table output */
        char tmp[24];
        int k = 0;
        unsigned long long u = v < 0 ? (unsigned long long)(-v) : (unsigned long long)v;
        do {
            tmp[k++] = (char)('0' + (u % 10));
            u /= 10;
        } while (u);
        n = 0;
        if (v < 0 || signbit(x)) out[n++] = '-'; /* -0 stays -0, so the round trip is exact */
        while (k) out[n++] = tmp[--k];
    } else if (isinf(x)) {
        n = snprintf(out, 40, "%s", x > 0 ? "inf" : "-inf");
    } else if (fabs(x) < 1e9 && fabs(x) >= 1e-4 && put_short_decimal(out, x, &n)) {
        /* done */
#if defined(__SIZEOF_INT128__)
    } else if (put_g_exact(out, x, &n)) {
        /* done */
#endif
    } else {
        n = snprintf(out, 40, "%.15g", x);
        if (strtod(out, NULL) != x) {
            n = snprintf(out, 40, "%.16g", x);
            if (strtod(out, NULL) != x) n = snprintf(out, 40, "%.17g", x);
        }
    }
    b->len += (size_t)n;
    b->data[b->len] = '\0';
    return true;
}

bool st__buf_put_csv_field(st_buf *b, const char *s, size_t n, char delim)
{
    bool quote = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == delim || c == '"' || c == '\n' || c == '\r') {
            quote = true;
            break;
        }
    }
    if (!quote) return st__buf_append(b, s, n);
    if (!st__buf_putc(b, '"')) return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' && !st__buf_putc(b, '"')) return false;
        if (!st__buf_putc(b, s[i])) return false;
    }
    return st__buf_putc(b, '"');
}
