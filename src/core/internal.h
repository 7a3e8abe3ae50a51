/*
** internal.h -- what every library file shares and no user sees: the context layout, the allocation
** wrappers (all memory goes through the context's hook), error reporting, and overflow-checked sizes.
*/
#ifndef STRATA_INTERNAL_H
#define STRATA_INTERNAL_H

#include "strata.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_ERRMSG_CAP 512

struct st_context {
    st_alloc_fn alloc;
    void *alloc_ud;
    st_progress_fn progress;
    void *progress_ud;
    int nthreads;
    uint64_t bytes_read; /* raw input bytes read by the event reader (st_context_bytes_read) */
    st_status errcode;
    char errmsg[ST_ERRMSG_CAP];
};

#if defined(__GNUC__)
#define ST_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ST_PRINTF(a, b)
#endif

/* Records code and a formatted message on ctx and returns code, so callers write
** `return st__error(ctx, ST_EINVAL, "...")`. */
st_status st__error(st_context *ctx, st_status code, const char *fmt, ...) ST_PRINTF(3, 4);

/* Allocation through the context hook. st__malloc(ctx, 0) returns a non-NULL unique pointer. Failures are
** recorded on ctx as ST_ENOMEM (the caller still checks for NULL and unwinds). */
void *st__malloc(st_context *ctx, size_t n);
void *st__calloc(st_context *ctx, size_t count, size_t size);
/* Resizes p (of old size osize) to count*size bytes; on failure p stays valid and NULL is returned. */
void *st__realloc_array(st_context *ctx, void *p, size_t ocount, size_t count, size_t size);
void st__free(st_context *ctx, void *p, size_t osize);
char *st__strdup(st_context *ctx, const char *s);
/* A hint that a fresh block of n bytes about to be filled should get transparent huge pages (madvise); only
** a hint: failure or a platform without it changes nothing. */
void st__huge_pages(void *p, size_t n);
char *st__strndup(st_context *ctx, const char *s, size_t n);

/* a*b without overflow: false when it would overflow. */
static inline bool st__mul_ok(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b) return false;
    *out = a * b;
    return true;
}

/* a / b rounded toward minus infinity (b > 0): day numbers and periods before 1970 count down, not toward 0. */
static inline int64_t st__floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* The UTC day number (days since 1970-01-01) of an instant in seconds since the epoch. */
static inline int64_t st__day_of_seconds(int64_t secs) { return st__floor_div(secs, 86400); }

/* Equality of short byte strings without a libc call (keys, dates and event names are a few bytes). */
static inline bool st__eq_bytes(const char *a, const char *b, size_t n)
{
    while (n >= 8) {
        uint64_t x, y;
        __builtin_memcpy(&x, a, 8);
        __builtin_memcpy(&y, b, 8);
        if (x != y) return false;
        a += 8;
        b += 8;
        n -= 8;
    }
    while (n--)
        if (*a++ != *b++) return false;
    return true;
}

/* Calls the progress callback; returns ST_ECANCELLED (recorded on ctx) when it asks to stop. */
st_status st__progress(st_context *ctx, const char *stage, double fraction);

/* Growable byte buffer (for building output). */
typedef struct st_buf {
    char *data;
    size_t len, cap;
    st_context *ctx;
} st_buf;

void st__buf_init(st_buf *b, st_context *ctx);
void st__buf_free(st_buf *b);
bool st__buf_reserve(st_buf *b, size_t extra);
bool st__buf_append(st_buf *b, const void *p, size_t n);
bool st__buf_puts(st_buf *b, const char *s);
bool st__buf_putc(st_buf *b, char c);
bool st__buf_printf(st_buf *b, const char *fmt, ...) ST_PRINTF(2, 3);
/* Appends x in the shortest decimal form that reads back to the same double ("" for NaN). */
bool st__buf_put_double(st_buf *b, double x);
/* Appends a CSV field, quoted when it holds the delimiter, a quote, CR or LF. */
bool st__buf_put_csv_field(st_buf *b, const char *s, size_t n, char delim);

/* Files: mkdir -p, reading a whole stream, atomic outputs (st__atomic_open / commit / abort). */
#include "core/fs.h"

#endif
