/*
** stats.c -- selection, quantiles, ranks and the normal / Student t / chi-square distributions behind
** num/stats.h. Each tail probability is computed on its own side (never as 1 minus the other), so small
** p-values keep their relative precision.
*/
#include "num/stats.h"

#include "num/specfun.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#define SQRT1_2 0.70710678118654752440
#define SQRT1_2_LO (-4.833646656726457e-17) /* 1/sqrt 2 - (double)(1/sqrt 2) */
#define TWO_OVER_SQRTPI 1.12837916709551257390
#define INV_SQRT_2PI 0.39894228040143267794
#define PI 3.14159265358979323846
/* Beyond this many degrees of freedom the t distribution is the normal to better than 1e-12. */
#define T_NORMAL_DF 1e12

double st__select_kth(double *x, size_t n, size_t k)
{
    if (k >= n) return (double)NAN;
    size_t lo = 0, hi = n; /* the answer lies in x[lo..hi) */
    while (hi - lo > 1) {
        /* Median of three as the pivot, then a three-way partition: heavy ties (counts, days, the few
        ** values of an MDP's V*) end at once. */
        double a = x[lo], b = x[lo + (hi - lo) / 2], c = x[hi - 1];
        double p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            double v = x[i];
            if (v < p) {
                x[i++] = x[lt];
                x[lt++] = v;
            } else if (v > p) {
                x[i] = x[--gt];
                x[gt] = v;
            } else {
                i++;
            }
        }
        /* Now x[lo..lt) < p, x[lt..gt) == p, x[gt..hi) > p. */
        if (k < lt) hi = lt;
        else if (k >= gt) lo = gt;
        else return p;
    }
    return x[lo];
}

/* numpy's _lerp: a + (b - a) t, or b - (b - a)(1 - t) from t = 0.5 on, so t = 1 gives b exactly. */
static double lerp_numpy(double a, double b, double t)
{
    double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

static bool quantile_args(size_t n, double p, size_t *lo, double *g)
{
    if (n == 0 || !(p >= 0.0 && p <= 1.0)) return false;
    double h = (double)(n - 1) * p;
    double fl = floor(h);
    *lo = (size_t)fl;
    if (*lo > n - 1) *lo = n - 1;
    *g = h - fl;
    return true;
}

double st__quantile_sorted(const double *x, size_t n, double p)
{
    size_t lo;
    double g;
    if (!quantile_args(n, p, &lo, &g)) return (double)NAN;
    if (isnan(x[0]) || isnan(x[n - 1])) return (double)NAN;
    size_t hi = lo + 1 < n ? lo + 1 : n - 1;
    return lerp_numpy(x[lo], x[hi], g);
}

double st__quantile(double *x, size_t n, double p)
{
    size_t lo;
    double g;
    if (!quantile_args(n, p, &lo, &g)) return (double)NAN;
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i])) return (double)NAN;
    double a = st__select_kth(x, n, lo), b = a;
    /* After selection everything past lo is >= x[lo]; the next order statistic is their minimum. */
    if (lo + 1 < n) {
        b = x[lo + 1];
        for (size_t i = lo + 2; i < n; i++)
            if (x[i] < b) b = x[i];
    }
    return lerp_numpy(a, b, g);
}

typedef struct rank_item {
    double v;
    size_t i;
} rank_item;

static int rank_cmp(const void *pa, const void *pb)
{
    const rank_item *a = pa, *b = pb;
    if (a->v < b->v) return -1;
    if (a->v > b->v) return 1;
    return (a->i > b->i) - (a->i < b->i);
}

st_status st__rank_average(st_context *ctx, const double *x, size_t n, double *rank)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i])) return st__error(ctx, ST_EINVAL, "ranks: value %zu is NaN", i);
    size_t bytes;
    if (!st__mul_ok(n, sizeof(rank_item), &bytes)) return st__error(ctx, ST_ENOMEM, "ranks: %zu values", n);
    rank_item *it = st__malloc(ctx, bytes);
    if (!it) return ST_ENOMEM;
    for (size_t i = 0; i < n; i++) it[i] = (rank_item){x[i], i};
    qsort(it, n, sizeof *it, rank_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && it[j].v == it[i].v) j++;
        /* positions i..j-1 hold ranks i+1..j; their average is (i + 1 + j) / 2 */
        double r = 0.5 * ((double)i + 1.0 + (double)j);
        for (size_t k = i; k < j; k++) rank[it[k].i] = r;
        i = j;
    }
    st__free(ctx, it, bytes);
    return ST_OK;
}

double st__norm_pdf(double x) { return INV_SQRT_2PI * exp(-0.5 * x * x); }

/* Cephes' ndtr (scipy.special.ndtr) with one refinement: in the tails erfc(|x|/sqrt 2) is corrected to first
** order for the rounding of |x|/sqrt 2 (found with fma, plus the low part of 1/sqrt 2), which the tail would
** otherwise amplify by x^2 (1e-14 at x = -10). */
double st__norm_cdf(double x)
{
    if (isnan(x)) return x;
    double u = x * SQRT1_2, z = fabs(u);
    if (z < SQRT1_2) return 0.5 + 0.5 * erf(u);
    double du = fma(x, SQRT1_2, -u) + x * SQRT1_2_LO; /* exact x / sqrt 2 = u + du */
    double dz = u > 0.0 ? du : -du;
    double y = 0.5 * (erfc(z) - TWO_OVER_SQRTPI * exp(-z * z) * dz);
    return u > 0.0 ? 1.0 - y : y;
}

double st__norm_sf(double x) { return st__norm_cdf(-x); }

/* Wichura, "The percentage points of the normal distribution", Applied Statistics 37 (1988), algorithm
** AS 241 (PPND16): rational approximations in three ranges, about 1e-16 relative. */
static double poly7(const double *c, double r)
{
    return ((((((c[7] * r + c[6]) * r + c[5]) * r + c[4]) * r + c[3]) * r + c[2]) * r + c[1]) * r + c[0];
}

double st__norm_ppf(double p)
{
    static const double a[8] = {3.3871328727963666080e0,  1.3314166789178437745e+2, 1.9715909503065514427e+3,
                                1.3731693765509461125e+4, 4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                3.3430575583588128105e+4, 2.5090809287301226727e+3};
    static const double b[8] = {1.0,
                                4.2313330701600911252e+1, 6.8718700749205790830e+2, 5.3941960214247511077e+3,
                                2.1213794301586595867e+4, 3.9307895800092710610e+4, 2.8729085735721942674e+4,
                                5.2264952788528545610e+3};
    static const double c[8] = {1.42343711074968357734e0,  4.63033784615654529590e0,  5.76949722146069140550e0,
                                3.64784832476320460504e0,  1.27045825245236838258e0,  2.41780725177450611770e-1,
                                2.27238449892691845833e-2, 7.74545014278341407640e-4};
    static const double d[8] = {1.0,
                                2.05319162663775882187e0,  1.67638483018380384940e0,  6.89767334985100004550e-1,
                                1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
                                1.05075007164441684324e-9};
    static const double e[8] = {6.65790464350110377720e0,  5.46378491116411436990e0,  1.78482653991729133580e0,
                                2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                2.71155556874348757815e-5, 2.01033439929228813265e-7};
    static const double f[8] = {1.0,
                                5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
                                7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
                                2.04426310338993978564e-15};
    if (!(p >= 0.0 && p <= 1.0)) return (double)NAN;
    if (p == 0.0) return -HUGE_VAL;
    if (p == 1.0) return HUGE_VAL;
    double q = p - 0.5;
    if (fabs(q) <= 0.425) {
        double r = 0.180625 - q * q;
        return q * poly7(a, r) / poly7(b, r);
    }
    double r = sqrt(-log(q < 0.0 ? p : 1.0 - p)), v;
    if (r <= 5.0) {
        r -= 1.6;
        v = poly7(c, r) / poly7(d, r);
    } else {
        r -= 5.0;
        v = poly7(e, r) / poly7(f, r);
    }
    return q < 0.0 ? -v : v;
}

double st__norm_isf(double q) { return -st__norm_ppf(q); }

/* P(T > t) for t >= 0: I_x(df/2, 1/2) / 2 with x = df / (df + t^2), y = t^2 / (df + t^2) and their logarithms
** formed from r = t^2/df (or df/t^2) without rounding x first; *upper gets it, *lower the other side. */
static void t_tails(double t, double df, double *upper, double *lower)
{
    double x, y, lnx, lny;
    if (t * t < df) {
        double r = t / df * t;
        x = 1.0 / (1.0 + r);
        y = r / (1.0 + r);
        lnx = -log1p(r);
        lny = log(r) - log1p(r);
    } else {
        double r = df / t / t;
        x = r / (1.0 + r);
        y = 1.0 / (1.0 + r);
        lnx = log(r) - log1p(r);
        lny = -log1p(r);
    }
    double p, q;
    st__ibeta_pair_ln(0.5 * df, 0.5, x, y, lnx, lny, &p, &q);
    *upper = 0.5 * p;
    *lower = 0.5 + 0.5 * q;
}

double st__t_pdf(double t, double df)
{
    if (isnan(t) || !(df > 0.0)) return (double)NAN;
    if (df > T_NORMAL_DF) return st__norm_pdf(t);
    double at = fabs(t);
    /* ln(1 + t^2/df), kept finite when t^2 overflows */
    double l1p = at > 1e100 ? 2.0 * log(at) - log(df) + log1p(df / at / at) : log1p(at / df * at);
    return exp(-0.5 * log(df) - st__lbeta(0.5 * df, 0.5) - 0.5 * (df + 1.0) * l1p);
}

double st__t_sf(double t, double df)
{
    if (isnan(t) || !(df > 0.0)) return (double)NAN;
    if (df > T_NORMAL_DF) return st__norm_sf(t);
    double upper, lower;
    t_tails(fabs(t), df, &upper, &lower);
    return t >= 0.0 ? upper : lower;
}

double st__t_cdf(double t, double df) { return st__t_sf(-t, df); }

/* The upper quantile for 0 < q < 0.5 (t > 0): Newton steps on g(s) = ln sf(e^s) - ln q in s = ln t, which is
** nearly linear in both tails, from the better of a Cornish-Fisher start (good for large df) and the
** power-tail start sf(t) ~ K df^((df-1)/2) t^-df (good for small q); a bracket catches any overshoot. */
static double t_isf_upper(double q, double df)
{
    double lq = log(q);
    double z = st__norm_isf(q), z2 = z * z;
    double g1 = (z2 + 1.0) * z / 4.0;
    double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
    double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
    double g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
    double cand[2];
    cand[0] = z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
    double lk = -0.5 * log(df) - st__lbeta(0.5 * df, 0.5);
    cand[1] = exp((lk + 0.5 * (df - 1.0) * log(df) - lq) / df);
    double s = NAN, best = HUGE_VAL;
    for (int c = 0; c < 2; c++) {
        if (!(cand[c] > 0.0) || !isfinite(cand[c])) continue;
        double gc = fabs(log(st__t_sf(cand[c], df)) - lq);
        if (!(gc >= best)) {
            best = gc;
            s = log(cand[c]);
        }
    }
    if (isnan(s)) s = 0.0;
    double slo = -HUGE_VAL, shi = HUGE_VAL;
    for (int it = 0; it < 200; it++) {
        double t = exp(s), S = st__t_sf(t, df);
        double g = log(S) - lq;
        if (g == 0.0) break;
        if (g > 0.0) slo = s;
        else shi = s;
        double sn = s - g / (-t * st__t_pdf(t, df) / S);
        if (!isfinite(sn) || sn <= slo || sn >= shi) {
            if (isfinite(slo) && isfinite(shi)) sn = 0.5 * (slo + shi);
            else sn = g > 0.0 ? s + 1.0 : s - 1.0;
        }
        double step = fabs(sn - s);
        s = sn;
        if (step < 1e-15 || shi - slo < 1e-15) break;
    }
    return exp(s);
}

double st__t_isf(double q, double df)
{
    if (!(q >= 0.0 && q <= 1.0) || !(df > 0.0)) return (double)NAN;
    if (q == 0.0) return HUGE_VAL;
    if (q == 1.0) return -HUGE_VAL;
    if (q == 0.5) return 0.0;
    if (q > 0.5) return -st__t_isf(1.0 - q, df);
    if (df > T_NORMAL_DF) return st__norm_isf(q);
    if (df == 1.0) return q < 0.25 ? 1.0 / tan(PI * q) : tan(PI * (0.5 - q));
    if (df == 2.0) return (1.0 - 2.0 * q) / sqrt(2.0 * q * (1.0 - q));
    return t_isf_upper(q, df);
}

double st__t_ppf(double p, double df) { return -st__t_isf(p, df); }

double st__chi2_cdf(double x, double df)
{
    if (isnan(x) || !(df > 0.0)) return (double)NAN;
    if (x <= 0.0) return 0.0;
    return st__gamma_p(0.5 * df, 0.5 * x);
}

double st__chi2_sf(double x, double df)
{
    if (isnan(x) || !(df > 0.0)) return (double)NAN;
    if (x <= 0.0) return 1.0;
    return st__gamma_q(0.5 * df, 0.5 * x);
}
