/*
** serial.h -- the one byte format for partial states (accumulators shipped between threads, MPI ranks and
** database workers): a framed, versioned, little-endian, checksummed record. docs/architecture.md,
** "Partial states", describes the layout; st__wbuf writes one, st__rbuf reads one without ever reading past
** its end or allocating more than the bytes present justify.
**
** Frame (every integer little-endian):
**   "STRT"  u32 version  u32 k  kind[k]  u64 L  u32 crc32(payload)  payload[L]
** The version is that of the kind's payload layout; the kind is a short ASCII tag ("summary_acc"), so a
** state of one kind is refused by another's reader. The CRC is zlib's (IEEE 802.3, as Python's zlib.crc32).
*/
#ifndef STRATA_SERIAL_H
#define STRATA_SERIAL_H

#include "core/internal.h"

#define ST_SERIAL_MAGIC "STRT"
#define ST_SERIAL_KIND_MAX 64 /* longest kind tag */

/* Writer: a growable buffer with a sticky error, so a state is written as plain statements and checked once
** (st__wbuf_finish). */
typedef struct st__wbuf {
    st_buf b;
    st_status err;   /* first failure (ST_ENOMEM, ST_ELIMIT); ST_OK while writing */
    size_t payload;  /* offset of the payload (after st__wbuf_begin) */
} st__wbuf;

/* Starts a state of kind (1..ST_SERIAL_KIND_MAX ASCII bytes) and payload layout version. */
void st__wbuf_begin(st__wbuf *w, st_context *ctx, const char *kind, uint32_t version);
/* Reserves room for about extra more bytes (a hint; failure is sticky like any write). */
void st__wbuf_reserve(st__wbuf *w, size_t extra);
void st__wbuf_u8(st__wbuf *w, uint8_t v);
void st__wbuf_u32(st__wbuf *w, uint32_t v);
void st__wbuf_u64(st__wbuf *w, uint64_t v);
void st__wbuf_i32(st__wbuf *w, int32_t v);
void st__wbuf_i64(st__wbuf *w, int64_t v);
void st__wbuf_f64(st__wbuf *w, double v); /* the bit pattern: NaN payloads and -0 survive */
/* n bytes after a u32 length (n > UINT32_MAX gives ST_ELIMIT). */
void st__wbuf_bytes(st__wbuf *w, const void *p, size_t n);
/* Fills in the payload length and checksum and hands over the buffer (*buf from the context's allocator,
** release with st_free; *len its size). On an earlier failure frees everything and returns it (ST_ENOMEM,
** ST_ELIMIT, ST_EINVAL for a bad kind tag; message on the context). */
st_status st__wbuf_finish(st__wbuf *w, char **buf, size_t *len);
/* Frees the buffer of an unfinished state (after a failure elsewhere). */
void st__wbuf_abandon(st__wbuf *w);

/* Reader over len bytes at p (not copied: they must outlive the reader). Every read names what it reads;
** the first failure records ST_EFORMAT with "<kind> state: ..." on the context, makes the reader fail every
** later read (results zeroed) and is returned by st__rbuf_end. */
typedef struct st__rbuf {
    st_context *ctx;
    const unsigned char *p;
    size_t len, pos;
    const char *kind;
    bool failed;
} st__rbuf;

/* Checks the frame of len bytes at p: magic, kind, version in 1..max_version (*version receives it),
** payload length and checksum; the reader then covers the payload only. Errors: ST_EFORMAT. */
st_status st__rbuf_begin(st__rbuf *r, st_context *ctx, const void *p, size_t len, const char *kind,
                         uint32_t max_version, uint32_t *version);
bool st__rbuf_u8(st__rbuf *r, const char *what, uint8_t *v);
bool st__rbuf_bool(st__rbuf *r, const char *what, bool *v); /* a u8 that must be 0 or 1 */
bool st__rbuf_u32(st__rbuf *r, const char *what, uint32_t *v);
bool st__rbuf_u64(st__rbuf *r, const char *what, uint64_t *v);
bool st__rbuf_i32(st__rbuf *r, const char *what, int32_t *v);
bool st__rbuf_i64(st__rbuf *r, const char *what, int64_t *v);
bool st__rbuf_f64(st__rbuf *r, const char *what, double *v);
/* Length-prefixed bytes (see st__wbuf_bytes): *p points into the input, not NUL-terminated. */
bool st__rbuf_bytes(st__rbuf *r, const char *what, const char **p, size_t *n);
/* A u64 count of items that each take at least item_bytes (> 0) of what follows: fails unless that many
** bytes remain, so a hostile count cannot make the caller allocate more than the input justifies. */
bool st__rbuf_count(st__rbuf *r, const char *what, size_t item_bytes, size_t *n);
/* Fails (as a read would) unless count items of item_bytes each remain. */
bool st__rbuf_need(st__rbuf *r, const char *what, size_t count, size_t item_bytes);
/* Records a format error found by the caller (a value out of range, a duplicate key); returns false. */
bool st__rbuf_fail(st__rbuf *r, const char *fmt, ...) ST_PRINTF(2, 3);
/* ST_OK when every read succeeded and the payload was read to its end, else ST_EFORMAT. */
st_status st__rbuf_end(st__rbuf *r);

/* zlib's CRC-32 of n bytes (any n). */
uint32_t st__crc32(const void *p, size_t n);

#endif
