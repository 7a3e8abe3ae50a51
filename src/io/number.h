/*
** number.h -- the one decimal-number parser shared by the CSV readers (events and tables), so both agree
** on every value: an exact fast path for plain decimals, strtod for everything else.
*/
#ifndef STRATA_NUMBER_H
#define STRATA_NUMBER_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* [+-]digits[.digits] with 1 to 15 digits in all. The mantissa is then an exact double and so are the
** powers of ten up to 1e15, so one correctly rounded division gives the same double as strtod (Clinger's
** fast path). Returns false, leaving *out alone, for anything else: the caller falls back to strtod. */
static inline bool st__number_fast(const char *s, size_t n, double *out)
{
    static const double p10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = 0, digits = 0, frac = 0;
    bool neg = false;
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    uint64_t m = 0; /* may wrap past 19 digits; the value is then rejected below */
    for (; i < n && (unsigned)(s[i] - '0') < 10u; i++, digits++) m = m * 10 + (uint64_t)(s[i] - '0');
    if (i < n && s[i] == '.')
        for (i++; i < n && (unsigned)(s[i] - '0') < 10u; i++, frac++) m = m * 10 + (uint64_t)(s[i] - '0');
    digits += frac;
    if (i != n || digits == 0 || digits > 15) return false;
    double v = (double)m;
    if (frac) v /= p10[frac];
    *out = neg ? -v : v;
    return true;
}

/* strtod over exactly s[0..n), which must be consumed whole (n < 64, longer is not a number here). Accepts
** what strtod accepts: exponents, hex, inf, nan, leading white space other than what callers trim. */
static inline bool st__number_strtod(const char *s, size_t n, double *out)
{
    if (n >= 64) return false;
    char tmp[64];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end != tmp + n) return false;
    *out = v;
    return true;
}

#endif
