/*
** serial.c -- the frame and the fixed-width little-endian fields of serial.h. Integers are assembled byte by
** byte, so the format is the same on every host whatever its endianness or alignment rules.
*/
#include "core/serial.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* Frame layout: magic, version, kind length, kind, payload length, crc. */
#define HEAD_FIXED 24 /* 4 + 4 + 4 + 8 + 4, without the kind */

uint32_t st__crc32(const void *p, size_t n)
{
    const unsigned char *s = p;
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) { /* zlib takes uInt lengths */
        uInt step = n > 0x40000000u ? 0x40000000u : (uInt)n;
        crc = crc32(crc, s, step);
        s += step;
        n -= step;
    }
    return (uint32_t)crc;
}

static void put_le(unsigned char *d, uint64_t v, size_t n)
{
    for (size_t k = 0; k < n; k++) d[k] = (unsigned char)(v >> (8 * k));
}

static uint64_t get_le(const unsigned char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t k = 0; k < n; k++) v |= (uint64_t)s[k] << (8 * k);
    return v;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Writer                                                                                                 */

static void w_raw(st__wbuf *w, const void *p, size_t n)
{
    if (w->err) return;
    if (!st__buf_append(&w->b, p, n)) w->err = ST_ENOMEM;
}

/* The fixed-width fields: straight into the buffer when it has room (it usually has: serializers reserve
** their size first). */
static void w_le(st__wbuf *w, uint64_t v, size_t n)
{
    if (w->err) return;
    if (w->b.cap - w->b.len <= n && !st__buf_reserve(&w->b, n)) {
        w->err = ST_ENOMEM;
        return;
    }
    put_le((unsigned char *)w->b.data + w->b.len, v, n);
    w->b.len += n;
}

void st__wbuf_begin(st__wbuf *w, st_context *ctx, const char *kind, uint32_t version)
{
    st__buf_init(&w->b, ctx);
    w->err = ST_OK;
    size_t k = strlen(kind);
    if (k == 0 || k > ST_SERIAL_KIND_MAX) /* a programming error: kinds are constants */
        w->err = st__error(ctx, ST_EINVAL, "a state's kind tag must have 1 to %d bytes", ST_SERIAL_KIND_MAX);
    w_raw(w, ST_SERIAL_MAGIC, 4);
    w_le(w, version, 4);
    w_le(w, k, 4);
    w_raw(w, kind, k);
    w_le(w, 0, 8); /* payload length and crc: st__wbuf_finish */
    w_le(w, 0, 4);
    w->payload = HEAD_FIXED + k;
}

void st__wbuf_reserve(st__wbuf *w, size_t extra)
{
    if (!w->err && !st__buf_reserve(&w->b, extra)) w->err = ST_ENOMEM;
}

void st__wbuf_u8(st__wbuf *w, uint8_t v) { w_raw(w, &v, 1); }
void st__wbuf_u32(st__wbuf *w, uint32_t v) { w_le(w, v, 4); }
void st__wbuf_u64(st__wbuf *w, uint64_t v) { w_le(w, v, 8); }
void st__wbuf_i32(st__wbuf *w, int32_t v) { w_le(w, (uint32_t)v, 4); }
void st__wbuf_i64(st__wbuf *w, int64_t v) { w_le(w, (uint64_t)v, 8); }

void st__wbuf_f64(st__wbuf *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    w_le(w, bits, 8);
}

void st__wbuf_bytes(st__wbuf *w, const void *p, size_t n)
{
    if (w->err) return;
    if (n > UINT32_MAX) {
        w->err = st__error(w->b.ctx, ST_ELIMIT, "cannot serialize a string of %zu bytes (at most %u)", n,
                           (unsigned)UINT32_MAX);
        return;
    }
    w_le(w, n, 4);
    w_raw(w, p, n);
}

st_status st__wbuf_finish(st__wbuf *w, char **buf, size_t *len)
{
    if (w->err) {
        st__wbuf_abandon(w);
        return w->err;
    }
    unsigned char *d = (unsigned char *)w->b.data;
    size_t L = w->b.len - w->payload;
    put_le(d + w->payload - 12, L, 8);
    put_le(d + w->payload - 4, st__crc32(d + w->payload, L), 4);
    *buf = w->b.data;
    *len = w->b.len;
    w->b.data = NULL;
    w->b.len = w->b.cap = 0;
    return ST_OK;
}

void st__wbuf_abandon(st__wbuf *w) { st__buf_free(&w->b); }

/* ---------------------------------------------------------------------------------------------------- */
/* Reader                                                                                                 */

static bool r_fail(st__rbuf *r, const char *fmt, va_list ap)
{
    if (r->failed) return false;
    r->failed = true;
    char msg[ST_ERRMSG_CAP];
    vsnprintf(msg, sizeof msg, fmt, ap);
    st__error(r->ctx, ST_EFORMAT, "%s state: %s", r->kind, msg);
    return false;
}

bool st__rbuf_fail(st__rbuf *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    r_fail(r, fmt, ap);
    va_end(ap);
    return false;
}

/* The next n bytes, or NULL (and the reader failed) when fewer remain. */
static const unsigned char *r_take(st__rbuf *r, const char *what, size_t n)
{
    if (r->failed) return NULL;
    if (n > r->len - r->pos) {
        st__rbuf_fail(r, "truncated reading %s at byte %zu (%zu bytes needed, %zu left)", what, r->pos, n,
                      r->len - r->pos);
        return NULL;
    }
    const unsigned char *s = r->p + r->pos;
    r->pos += n;
    return s;
}

static bool r_le(st__rbuf *r, const char *what, size_t n, uint64_t *v)
{
    const unsigned char *s = r_take(r, what, n);
    *v = s ? get_le(s, n) : 0;
    return s != NULL;
}

bool st__rbuf_u8(st__rbuf *r, const char *what, uint8_t *v)
{
    uint64_t x;
    bool ok = r_le(r, what, 1, &x);
    *v = (uint8_t)x;
    return ok;
}

bool st__rbuf_bool(st__rbuf *r, const char *what, bool *v)
{
    uint8_t x;
    *v = false;
    if (!st__rbuf_u8(r, what, &x)) return false;
    if (x > 1) return st__rbuf_fail(r, "%s is %u, not 0 or 1", what, (unsigned)x);
    *v = x != 0;
    return true;
}

bool st__rbuf_u32(st__rbuf *r, const char *what, uint32_t *v)
{
    uint64_t x;
    bool ok = r_le(r, what, 4, &x);
    *v = (uint32_t)x;
    return ok;
}

bool st__rbuf_u64(st__rbuf *r, const char *what, uint64_t *v) { return r_le(r, what, 8, v); }

bool st__rbuf_i32(st__rbuf *r, const char *what, int32_t *v)
{
    uint32_t x;
    bool ok = st__rbuf_u32(r, what, &x);
    memcpy(v, &x, sizeof x); /* two's complement reinterpretation, without implementation-defined casts */
    return ok;
}

bool st__rbuf_i64(st__rbuf *r, const char *what, int64_t *v)
{
    uint64_t x;
    bool ok = r_le(r, what, 8, &x);
    memcpy(v, &x, sizeof x);
    return ok;
}

bool st__rbuf_f64(st__rbuf *r, const char *what, double *v)
{
    uint64_t x;
    bool ok = r_le(r, what, 8, &x);
    memcpy(v, &x, sizeof x);
    return ok;
}

bool st__rbuf_bytes(st__rbuf *r, const char *what, const char **p, size_t *n)
{
    uint32_t m;
    *p = NULL;
    *n = 0;
    if (!st__rbuf_u32(r, what, &m)) return false;
    const unsigned char *s = r_take(r, what, m);
    if (!s) return false;
    *p = (const char *)s;
    *n = m;
    return true;
}

bool st__rbuf_need(st__rbuf *r, const char *what, size_t count, size_t item_bytes)
{
    if (r->failed) return false;
    size_t left = r->len - r->pos;
    if (item_bytes && count > left / item_bytes)
        return st__rbuf_fail(r, "truncated: %zu %s of %zu bytes each do not fit in the %zu bytes left", count,
                             what, item_bytes, left);
    return true;
}

bool st__rbuf_count(st__rbuf *r, const char *what, size_t item_bytes, size_t *n)
{
    uint64_t c;
    *n = 0;
    if (!st__rbuf_u64(r, what, &c)) return false;
    size_t left = r->len - r->pos;
    if (c > left / (item_bytes ? item_bytes : 1))
        return st__rbuf_fail(r, "%llu %s cannot fit in the %zu bytes left", (unsigned long long)c, what, left);
    *n = (size_t)c;
    return true;
}

st_status st__rbuf_end(st__rbuf *r)
{
    if (!r->failed && r->pos != r->len)
        st__rbuf_fail(r, "%zu unread bytes after the end of the state", r->len - r->pos);
    return r->failed ? ST_EFORMAT : ST_OK;
}

st_status st__rbuf_begin(st__rbuf *r, st_context *ctx, const void *p, size_t len, const char *kind,
                         uint32_t max_version, uint32_t *version)
{
    r->ctx = ctx;
    r->p = p;
    r->len = p ? len : 0;
    r->pos = 0;
    r->kind = kind;
    r->failed = false;
    *version = 0;
    const unsigned char *magic = r_take(r, "the magic number", 4);
    if (!magic) return ST_EFORMAT;
    if (memcmp(magic, ST_SERIAL_MAGIC, 4) != 0) {
        st__rbuf_fail(r, "not a Strata partial state (the first bytes are not \"" ST_SERIAL_MAGIC "\")");
        return ST_EFORMAT;
    }
    uint32_t ver, klen;
    st__rbuf_u32(r, "the format version", &ver);
    st__rbuf_u32(r, "the kind length", &klen);
    if (r->failed) return ST_EFORMAT;
    if (klen == 0 || klen > ST_SERIAL_KIND_MAX) {
        st__rbuf_fail(r, "the kind tag has %u bytes (1 to %d allowed)", (unsigned)klen, ST_SERIAL_KIND_MAX);
        return ST_EFORMAT;
    }
    const unsigned char *k = r_take(r, "the kind", klen);
    if (!k) return ST_EFORMAT;
    char got[ST_SERIAL_KIND_MAX + 1];
    for (uint32_t i = 0; i < klen; i++) got[i] = (k[i] >= 0x20 && k[i] < 0x7f) ? (char)k[i] : '?';
    got[klen] = '\0';
    if (klen != strlen(kind) || memcmp(k, kind, klen) != 0) {
        st__rbuf_fail(r, "this is a \"%s\" state, not a \"%s\" one", got, kind);
        return ST_EFORMAT;
    }
    if (ver == 0 || ver > max_version) {
        st__rbuf_fail(r, "format version %u is not one this library reads (1 to %u)", (unsigned)ver,
                      (unsigned)max_version);
        return ST_EFORMAT;
    }
    uint64_t L;
    uint32_t crc;
    st__rbuf_u64(r, "the payload length", &L);
    st__rbuf_u32(r, "the checksum", &crc);
    if (r->failed) return ST_EFORMAT;
    size_t left = r->len - r->pos;
    if (L != left) {
        st__rbuf_fail(r, "the header gives %llu payload bytes, %zu are present (%s)", (unsigned long long)L, left,
                      L > left ? "truncated" : "trailing bytes");
        return ST_EFORMAT;
    }
    if (st__crc32(r->p + r->pos, left) != crc) {
        st__rbuf_fail(r, "checksum mismatch: the bytes are corrupted");
        return ST_EFORMAT;
    }
    /* the reader now covers the payload: positions in messages count from its start */
    r->p += r->pos;
    r->len = left;
    r->pos = 0;
    *version = ver;
    return ST_OK;
}
