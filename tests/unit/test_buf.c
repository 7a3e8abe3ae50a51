/*
** test_buf.c -- the number formatter behind every CSV and JSON the library writes (st__buf_put_double):
** byte for byte what the plain definition gives -- integers as integers, else the first of %.15g, %.16g,
** %.17g that strtod reads back as the same double -- over millions of doubles drawn to hit every path
** (short decimals, the exact integer path for 1e-4 <= |x| < 1e15, printf outside it, ties, powers of two).
*/
#include "core/internal.h"
#include "test.h"

#include <stdint.h>

static void reference(double x, char *out)
{
    if (isnan(x)) {
        out[0] = '\0';
        return;
    }
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(out, 40, "%s%lld", signbit(x) && x == 0.0 ? "-" : "", (long long)x);
        return;
    }
    if (isinf(x)) {
        snprintf(out, 40, "%s", x > 0 ? "inf" : "-inf");
        return;
    }
    for (int p = 15; p <= 17; p++) {
        snprintf(out, 40, "%.*g", p, x);
        if (strtod(out, NULL) == x) return;
    }
}

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

int main(void)
{
    st_context *ctx;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    st_buf b;
    st__buf_init(&b, ctx);
    uint64_t seed = 1;
    char want[48];
    long bad = 0, n = 0;
    for (long i = 0; i < 1500000; i++) {
        double x;
        uint64_t r = next(&seed);
        switch (i % 6) {
        case 0: /* uniform in (0, 1): needs 16-17 digits */
            x = (double)(r >> 11) * 0x1p-53;
            break;
        case 1: /* any magnitude from 1e-8 to 1e17 */
            x = ldexp((double)((r >> 11) | 1), (int)(r % 80) - 80);
            break;
        case 2: /* short decimals and their neighbours */
            x = (double)(r % 100000000) / 1000.0;
            if (r & 1) x = nextafter(x, r & 2 ? 1e300 : 0.0);
            break;
        case 3: /* around the bounds of the exact path and powers of ten and two */
        {
            static const double edges[] = {1e-4, 1e-3, 0.1, 1.0, 10.0, 1e9, 1e14, 1e15, 0.5, 0.25, 1024.0, 1e-5};
            x = edges[r % 12];
            for (uint64_t k = (r >> 8) % 4; k > 0; k--) x = nextafter(x, r & 16 ? 1e300 : 0.0);
            break;
        }
        case 4: /* random bits, all exponents */
            memcpy(&x, &r, sizeof x);
            break;
        default: /* predictions: probabilities times counts */
            x = (double)(r % 1000) * ((double)(r >> 20) * 0x1p-44) / 7.0;
            break;
        }
        if (r & 4) x = -x;
        b.len = 0;
        if (b.data) b.data[0] = '\0';
        CHECK(st__buf_put_double(&b, x));
        reference(x, want);
        n++;
        if (strcmp(b.data ? b.data : "", want) != 0) {
            if (bad++ < 10) fprintf(stderr, "%.17g: got %s, want %s\n", x, b.data, want);
        }
    }
    CHECK_EQ_INT(bad, 0);
    printf("%ld doubles formatted, %ld differ from the reference\n", n, bad);
    st__buf_free(&b);
    st_context_free(ctx);
    T_DONE();
}
