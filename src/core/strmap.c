/*
** strmap.c -- the string interner of strmap.h: open addressing with linear probing over a power-of-two
** table of 32-bit ids (at most half full), keys in one arena, stored hashes so rehashing reads no key.
*/
#include "core/strmap.h"

#include <string.h>

uint64_t st__hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xff51afd7ed558ccdULL);
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, s, 8);
        h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
        s += 8;
        n -= 8;
    }
    uint64_t v = 0;
    memcpy(&v, s, n);
    h = (h ^ v) * 0x94d049bb133111ebULL;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h;
}

void st__strmap_init(st__strmap *m, st_context *ctx, size_t max_ids)
{
    memset(m, 0, sizeof *m);
    m->ctx = ctx;
    m->max_ids = max_ids && max_ids < UINT32_MAX - 1 ? max_ids : UINT32_MAX - 1;
}

void st__strmap_free(st__strmap *m)
{
    if (!m) return;
    st__free(m->ctx, m->slot, m->cap * sizeof *m->slot);
    st__free(m->ctx, m->hash, m->idcap * sizeof *m->hash);
    st__free(m->ctx, m->off, m->idcap * sizeof *m->off);
    st__free(m->ctx, m->len, m->idcap * sizeof *m->len);
    st__free(m->ctx, m->keys, m->keys_cap);
    memset(m, 0, sizeof *m);
}

static bool rehash(st__strmap *m, size_t ncap)
{
    uint32_t *t = st__calloc(m->ctx, ncap, sizeof *t);
    if (!t) return false;
    size_t mask = ncap - 1;
    for (size_t i = 0; i < m->n; i++) {
        size_t s = (size_t)m->hash[i] & mask;
        while (t[s]) s = (s + 1) & mask;
        t[s] = (uint32_t)(i + 1);
    }
    st__free(m->ctx, m->slot, m->cap * sizeof *m->slot);
    m->slot = t;
    m->cap = ncap;
    return true;
}

static bool grow_ids(st__strmap *m)
{
    size_t ncap = m->idcap ? m->idcap * 2 : 256;
    uint64_t *h = st__realloc_array(m->ctx, m->hash, m->idcap, ncap, sizeof *h);
    if (!h) return false;
    m->hash = h;
    size_t *o = st__realloc_array(m->ctx, m->off, m->idcap, ncap, sizeof *o);
    if (!o) return false;
    m->off = o;
    uint32_t *l = st__realloc_array(m->ctx, m->len, m->idcap, ncap, sizeof *l);
    if (!l) return false;
    m->len = l;
    m->idcap = ncap;
    return true;
}

long st__strmap_find(const st__strmap *m, const char *p, size_t n)
{
    if (!m->cap) return -1;
    uint64_t h = st__hash_bytes(p, n);
    size_t mask = m->cap - 1;
    for (size_t s = (size_t)h & mask; m->slot[s]; s = (s + 1) & mask) {
        uint32_t i = m->slot[s] - 1;
        if (m->hash[i] == h && m->len[i] == n && st__eq_bytes(m->keys + m->off[i], p, n)) return (long)i;
    }
    return -1;
}

st_status st__strmap_intern_h(st__strmap *m, const char *p, size_t n, uint64_t h, uint32_t *id)
{
    if (!m->cap && !rehash(m, 1024)) return ST_ENOMEM;
    size_t mask = m->cap - 1, s = (size_t)h & mask;
    for (; m->slot[s]; s = (s + 1) & mask) {
        uint32_t i = m->slot[s] - 1;
        if (m->hash[i] == h && m->len[i] == n && st__eq_bytes(m->keys + m->off[i], p, n)) {
            *id = i;
            return ST_OK;
        }
    }
    if (m->n >= m->max_ids) return st__error(m->ctx, ST_ELIMIT, "more than %zu distinct keys", m->max_ids);
    if (n > UINT32_MAX - 1) return st__error(m->ctx, ST_ELIMIT, "key longer than %u bytes", (unsigned)(UINT32_MAX - 1));
    if (m->n == m->idcap && !grow_ids(m)) return ST_ENOMEM;
    if (m->keys_len + n + 1 > m->keys_cap) {
        size_t ncap = m->keys_cap ? m->keys_cap : 4096;
        while (ncap < m->keys_len + n + 1) ncap *= 2;
        char *k = st__realloc_array(m->ctx, m->keys, m->keys_cap, ncap, 1);
        if (!k) return ST_ENOMEM;
        m->keys = k;
        m->keys_cap = ncap;
    }
    uint32_t i = (uint32_t)m->n++;
    memcpy(m->keys + m->keys_len, p, n);
    m->keys[m->keys_len + n] = '\0';
    m->off[i] = m->keys_len;
    m->len[i] = (uint32_t)n;
    m->hash[i] = h;
    m->keys_len += n + 1;
    m->slot[s] = i + 1;
    if (m->n * 2 > m->cap && !rehash(m, m->cap * 2)) {
        m->n--; /* the key stays in the arena, unreachable; the map is as before */
        m->keys_len -= n + 1;
        m->slot[s] = 0;
        return ST_ENOMEM;
    }
    *id = i;
    return ST_OK;
}

st_status st__strmap_merge(st__strmap *into, const st__strmap *from, uint32_t *remap)
{
    for (size_t j = 0; j < from->n; j++) {
        st_status rc = st__strmap_intern_h(into, from->keys + from->off[j], from->len[j], from->hash[j], &remap[j]);
        if (rc != ST_OK) return rc;
    }
    return ST_OK;
}

void st__strmap_write(st__wbuf *w, const st__strmap *m)
{
    st__wbuf_u64(w, m->n);
    for (size_t i = 0; i < m->n; i++) st__wbuf_bytes(w, m->keys + m->off[i], m->len[i]);
}

st_status st__strmap_read(st__rbuf *r, st__strmap *m, const char *what)
{
    size_t n;
    if (!st__rbuf_count(r, what, 4, &n)) return ST_EFORMAT; /* a key takes at least its 4-byte length */
    if (n > m->max_ids) {
        st__rbuf_fail(r, "%zu distinct %ss (at most %zu)", n, what, m->max_ids);
        return ST_EFORMAT;
    }
    for (size_t i = 0; i < n; i++) {
        const char *p;
        size_t len;
        uint32_t id;
        if (!st__rbuf_bytes(r, what, &p, &len)) return ST_EFORMAT;
        st_status rc = st__strmap_intern(m, p, len, &id);
        if (rc == ST_ELIMIT) { /* a key of UINT32_MAX bytes: n <= max_ids */
            st__rbuf_fail(r, "a %s of %zu bytes is too long", what, len);
            return ST_EFORMAT;
        }
        if (rc != ST_OK) return rc;
        if (id != i) {
            st__rbuf_fail(r, "%s \"%.*s\" appears twice", what, len > 64 ? 64 : (int)len, p);
            return ST_EFORMAT;
        }
    }
    return ST_OK;
}
