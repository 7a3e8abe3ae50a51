/*
** strmap.h -- the one string interner: byte strings -> dense ids 0, 1, 2, ... in order of first insertion.
** Keys live back to back in one arena (NUL-terminated), so a million customer ids cost their bytes plus
** about 24 bytes each (offset, length, hash, table slot). Used for customer ids and behaviour names.
*/
#ifndef STRATA_STRMAP_H
#define STRATA_STRMAP_H

#include "core/internal.h"
#include "core/serial.h"

typedef struct st__strmap {
    st_context *ctx;
    uint32_t *slot;   /* table slot -> id + 1; 0 = empty; size cap (a power of two) */
    size_t cap;
    uint64_t *hash;   /* id -> hash, for rehashing without touching the keys */
    size_t *off;      /* id -> offset of its key in keys */
    uint32_t *len;    /* id -> key length */
    size_t n, idcap;
    char *keys;
    size_t keys_len, keys_cap;
    size_t max_ids;   /* ids beyond this are refused (ST_ELIMIT) */
} st__strmap;

/* The hash of a byte string (the same on every machine and thread count). */
uint64_t st__hash_bytes(const char *s, size_t n);

/* An empty map; max_ids = 0 means the default (UINT32_MAX - 1). Never fails (allocates on first use). */
void st__strmap_init(st__strmap *m, st_context *ctx, size_t max_ids);
void st__strmap_free(st__strmap *m);

/* The id of key p[0..n), adding it when new (*added set when not NULL). Returns ST_OK, ST_ENOMEM, or
** ST_ELIMIT past max_ids (message on the map's context). h must be st__hash_bytes(p, n). */
st_status st__strmap_intern_h(st__strmap *m, const char *p, size_t n, uint64_t h, uint32_t *id);
static inline st_status st__strmap_intern(st__strmap *m, const char *p, size_t n, uint32_t *id)
{
    return st__strmap_intern_h(m, p, n, st__hash_bytes(p, n), id);
}

/* The id of key p[0..n), or -1 when absent. */
long st__strmap_find(const st__strmap *m, const char *p, size_t n);

/* Key of an id: NUL-terminated, owned by the map, valid until the map grows or is freed. */
static inline const char *st__strmap_key(const st__strmap *m, uint32_t id) { return m->keys + m->off[id]; }
static inline size_t st__strmap_len(const st__strmap *m, uint32_t id) { return m->len[id]; }

/* Adds every key of from to into, in from's id order; remap[i] (from->n entries, allocated by the caller)
** receives into's id of from's key i. from is unchanged. Errors: ST_ENOMEM, ST_ELIMIT. */
st_status st__strmap_merge(st__strmap *into, const st__strmap *from, uint32_t *remap);

/* Serialization (core/serial.h): the key count (u64), then each key as length-prefixed bytes, in id order. */
void st__strmap_write(st__wbuf *w, const st__strmap *m);

/* Reads keys written by st__strmap_write into the empty map m, so each gets the id it had. what names a key
** in messages ("customer id"). Errors: ST_EFORMAT (truncated, a duplicate key, more keys than m's max_ids;
** recorded on r), ST_ENOMEM. */
st_status st__strmap_read(st__rbuf *r, st__strmap *m, const char *what);

#endif
