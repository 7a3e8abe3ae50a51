/*
** context.c -- the st_context handle: allocation hook, last error, progress callback, thread count.
** Every other file allocates and reports errors through the helpers defined here.
*/
#define _DEFAULT_SOURCE /* madvise */
#include "core/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *st_version(void) { return ST_VERSION_STRING; }

const char *st_strerror(st_status code)
{
    switch (code) {
    case ST_OK: return "ok";
    case ST_ENOMEM: return "out of memory";
    case ST_EINVAL: return "invalid argument";
    case ST_EIO: return "input/output error";
    case ST_EPARSE: return "malformed input";
    case ST_ENOTFOUND: return "not found";
    case ST_EEMPTY: return "no data";
    case ST_ERANGE: return "value out of range";
    case ST_ECONVERGE: return "did not converge";
    case ST_ECANCELLED: return "cancelled";
    case ST_EFORMAT: return "wrong file format or version";
    case ST_ELIMIT: return "input exceeds a limit";
    case ST_EDATA: return "invalid data";
    }
    return "unknown status";
}

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

st_status st_context_new_with_alloc(st_alloc_fn alloc, void *ud, st_context **out)
{
    if (!out) return ST_EINVAL;
    *out = NULL;
    if (!alloc) return ST_EINVAL;
    st_context *ctx = alloc(ud, NULL, 0, sizeof *ctx);
    if (!ctx) return ST_ENOMEM;
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = alloc;
    ctx->alloc_ud = ud;
    ctx->nthreads = 2;
    *out = ctx;
    return ST_OK;
}

st_status st_context_new(st_context **out) { return st_context_new_with_alloc(default_alloc, NULL, out); }

void st_context_free(st_context *ctx)
{
    if (!ctx) return;
    ctx->alloc(ctx->alloc_ud, ctx, sizeof *ctx, 0);
}

const char *st_errmsg(const st_context *ctx)
{
    if (!ctx) return "no context (NULL)";
    return ctx->errmsg;
}

st_status st_errcode(const st_context *ctx) { return ctx ? ctx->errcode : ST_EINVAL; }

void st_clear_error(st_context *ctx)
{
    if (!ctx) return;
    ctx->errcode = ST_OK;
    ctx->errmsg[0] = '\0';
}

void st_context_set_progress(st_context *ctx, st_progress_fn fn, void *ud)
{
    if (!ctx) return;
    ctx->progress = fn;
    ctx->progress_ud = ud;
}

void st_free(st_context *ctx, void *p)
{
    if (ctx && p) st__free(ctx, p, 0);
}

uint64_t st_context_bytes_read(const st_context *ctx) { return ctx ? ctx->bytes_read : 0; }

void st_context_set_threads(st_context *ctx, int nthreads)
{
    if (!ctx) return;
    if (nthreads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nthreads = n > 0 ? (int)(n > 256 ? 256 : n) : 1;
    }
    ctx->nthreads = nthreads;
}

int st_context_threads(const st_context *ctx)
{
    if (!ctx || ctx->nthreads < 1) return 1;
    return ctx->nthreads;
}

st_status st__error(st_context *ctx, st_status code, const char *fmt, ...)
{
    if (!ctx) return code;
    ctx->errcode = code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    va_end(ap);
    if (n < 0) ctx->errmsg[0] = '\0';
    return code;
}

st_status st__progress(st_context *ctx, const char *stage, double fraction)
{
    if (ctx && ctx->progress && ctx->progress(ctx->progress_ud, stage, fraction) != 0)
        return st__error(ctx, ST_ECANCELLED, "%s: cancelled by the progress callback", stage);
    return ST_OK;
}

void *st__malloc(st_context *ctx, size_t n)
{
    void *p = ctx->alloc(ctx->alloc_ud, NULL, 0, n ? n : 1);
    if (!p) st__error(ctx, ST_ENOMEM, "out of memory (allocating %zu bytes)", n);
    return p;
}

void *st__calloc(st_context *ctx, size_t count, size_t size)
{
    size_t n;
    if (!st__mul_ok(count, size, &n)) {
        st__error(ctx, ST_ENOMEM, "size overflow (%zu x %zu bytes)", count, size);
        return NULL;
    }
    void *p = st__malloc(ctx, n);
    if (p) memset(p, 0, n ? n : 1);
    return p;
}

void *st__realloc_array(st_context *ctx, void *p, size_t ocount, size_t count, size_t size)
{
    size_t n, on;
    if (!st__mul_ok(count, size, &n) || !st__mul_ok(ocount, size, &on)) {
        st__error(ctx, ST_ENOMEM, "size overflow (%zu x %zu bytes)", count, size);
        return NULL;
    }
    void *q = ctx->alloc(ctx->alloc_ud, p, p ? on : 0, n ? n : 1);
    if (!q) st__error(ctx, ST_ENOMEM, "out of memory (allocating %zu bytes)", n);
    return q;
}

void st__free(st_context *ctx, void *p, size_t osize)
{
    if (p) ctx->alloc(ctx->alloc_ud, p, osize, 0);
}

char *st__strndup(st_context *ctx, const char *s, size_t n)
{
    if (n == SIZE_MAX) {
        st__error(ctx, ST_ENOMEM, "size overflow");
        return NULL;
    }
    char *p = st__malloc(ctx, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *st__strdup(st_context *ctx, const char *s) { return st__strndup(ctx, s, strlen(s)); }

/* In a virtual machine the page faults of touching tens of megabytes cost more than the work done on them;
** transparent huge pages over the interior of the block make them 512 times fewer. */
void st__huge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t hp = (uintptr_t)1 << 21;
    uintptr_t a = ((uintptr_t)p + hp - 1) & ~(hp - 1), b = ((uintptr_t)p + n) & ~(hp - 1);
    if (p && n >= 2 * hp && b > a) (void)madvise((void *)a, (size_t)(b - a), MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}
