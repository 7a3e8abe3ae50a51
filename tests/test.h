/*
** test.h -- the unit-test harness: a few assertion macros with tolerance, a failure count, and a skip
** exit code (77) that CTest reports as skipped. Each tests/unit/test_*.c is one executable.
*/
#ifndef STRATA_TEST_H
#define STRATA_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failures = 0;
static int t_checks = 0;

#define T_SKIP 77

#define CHECK(cond)                                                                                            \
    do {                                                                                                       \
        t_checks++;                                                                                            \
        if (!(cond)) {                                                                                         \
            t_failures++;                                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                           \
        }                                                                                                      \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                                     \
    do {                                                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                                                    \
        t_checks++;                                                                                            \
        if (a_ != b_) {                                                                                        \
            t_failures++;                                                                                      \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, a_, b_);     \
        }                                                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                                                        \
    do {                                                                                                       \
        const char *a_ = (a), *b_ = (b);                                                                       \
        t_checks++;                                                                                            \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                               \
            t_failures++;                                                                                      \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, #b,          \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                                   \
        }                                                                                                      \
    } while (0)

/* |a - b| <= tol (absolute). */
#define CHECK_NEAR(a, b, tol)                                                                                  \
    do {                                                                                                       \
        double a_ = (a), b_ = (b), t_ = (tol);                                                                 \
        t_checks++;                                                                                            \
        if (!(fabs(a_ - b_) <= t_)) {                                                                          \
            t_failures++;                                                                                      \
            fprintf(stderr, "%s:%d: %s ~ %s failed: %.17g vs %.17g (tol %g)\n", __FILE__, __LINE__, #a, #b,    \
                    a_, b_, t_);                                                                               \
        }                                                                                                      \
    } while (0)

/* |a - b| <= rel * max(|a|, |b|) (relative, as GSL's gsl_test_rel). */
#define CHECK_REL(a, b, rel)                                                                                   \
    do {                                                                                                       \
        double a_ = (a), b_ = (b), r_ = (rel);                                                                 \
        double m_ = fabs(a_) > fabs(b_) ? fabs(a_) : fabs(b_);                                                 \
        t_checks++;                                                                                            \
        if (!(fabs(a_ - b_) <= r_ * m_)) {                                                                     \
            t_failures++;                                                                                      \
            fprintf(stderr, "%s:%d: %s ~ %s failed: %.17g vs %.17g (rel %g)\n", __FILE__, __LINE__, #a, #b,    \
                    a_, b_, r_);                                                                               \
        }                                                                                                      \
    } while (0)

#define T_DONE()                                                                                               \
    do {                                                                                                       \
        printf("%d checks, %d failed\n", t_checks, t_failures);                                                \
        return t_failures ? 1 : 0;                                                                             \
    } while (0)

#endif
