/*
** compress.c -- the compressed rows every BTYD fit works on: customers with equal (x, t, T) merged into
** one row whose weight is the sum of theirs, in (x, t, T) order.
**
** Rows are merged as they arrive (st__uniq_add), so memory follows the unique rows -- a quarter of a
** million for a million customers with daily data -- and the input is read once. The distinct values of
** x, and of t and T together, are interned in small hash tables (a few hundred values with daily or weekly
** data, whatever the number of customers); rows live in one group per x, each a 16-byte record of weight
** and the two time ids, found through the group's own hash table. st__uniq_finish turns ids into ranks and
** sorts each group by (rank t, rank T) -- a radix sort for large groups -- so the result is the same
** whatever the order the rows came in, and weights are summed in the order the rows were added. Page
** faults on fresh memory are a large part of a big fit's time on a virtual machine, which is why nothing
** here copies the whole input or keeps a row wider than it needs.
*/
#include "value/btyd.h"

#include <stdlib.h>
#include <string.h>

/* ---- hashing doubles by their bits ---- */

static uint64_t dbits(double v)
{
    uint64_t b;
    v += 0.0; /* -0 -> +0: the comparison treats them as equal */
    memcpy(&b, &v, sizeof b);
    return b;
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* ---- a set of doubles: ids in order of first appearance ---- */

void st__dset_free(st__dset *s)
{
    if (!s) return;
    st__free(s->ctx, s->slot, s->cap * sizeof *s->slot);
    st__free(s->ctx, s->val, s->vcap * sizeof *s->val);
    memset(s, 0, sizeof *s);
}

static int dset_grow(st__dset *s)
{
    size_t nc = s->cap ? 2 * s->cap : 256;
    uint32_t *ns = st__calloc(s->ctx, nc, sizeof *ns);
    if (!ns) return -1;
    for (size_t k = 0; k < s->n; k++) {
        size_t h = (size_t)mix(dbits(s->val[k])) & (nc - 1);
        while (ns[h]) h = (h + 1) & (nc - 1);
        ns[h] = (uint32_t)(k + 1);
    }
    st__free(s->ctx, s->slot, s->cap * sizeof *s->slot);
    s->slot = ns;
    s->cap = nc;
    return 0;
}

long st__dset_intern(st__dset *s, double v)
{
    if (2 * (s->n + 1) > s->cap && dset_grow(s)) return -1;
    uint64_t b = dbits(v);
    size_t h = (size_t)mix(b) & (s->cap - 1);
    while (s->slot[h]) {
        uint32_t id = s->slot[h] - 1;
        if (dbits(s->val[id]) == b) return (long)id;
        h = (h + 1) & (s->cap - 1);
    }
    if (s->n >= UINT32_MAX - 1) return -1;
    if (s->n == s->vcap) {
        size_t nc = s->vcap ? 2 * s->vcap : 128;
        double *nv = st__realloc_array(s->ctx, s->val, s->vcap, nc, sizeof *nv);
        if (!nv) return -1;
        s->val = nv;
        s->vcap = nc;
    }
    s->val[s->n] = v + 0.0;
    s->slot[h] = (uint32_t)(s->n + 1);
    return (long)s->n++;
}

/* ---- unique rows, grouped by x ---- */

void st__uniq_init(st__uniq *u, st_context *ctx)
{
    memset(u, 0, sizeof *u);
    u->ctx = ctx;
    u->xs.ctx = ctx;
    u->vs.ctx = ctx;
}

static void group_free(st_context *ctx, st__uqgroup *g)
{
    st__free(ctx, g->r, g->cap * sizeof *g->r);
    memset(g, 0, sizeof *g);
}

void st__uniq_free(st__uniq *u)
{
    if (!u) return;
    for (size_t k = 0; k < u->xs.n && u->g; k++) group_free(u->ctx, &u->g[k]);
    st__free(u->ctx, u->g, u->gcap * sizeof *u->g);
    st__dset_free(&u->xs);
    st__dset_free(&u->vs);
    st_context *ctx = u->ctx;
    st__uniq_init(u, ctx);
}

/* Marks an empty place of a group's table (time ids stay below UINT32_MAX - 1). */
#define EMPTY UINT32_MAX

static size_t pair_hash(uint32_t t, uint32_t T) { return (size_t)mix((uint64_t)t << 32 | T); }

/* Puts g's rows (a table or a plain array) into a new open-addressing table of at least 2 * need places:
** one cache line per lookup, which is most of the cost of merging a million rows. */
static int group_rehash(st_context *ctx, st__uqgroup *g, size_t need)
{
    size_t nc = 16;
    while (nc < 2 * need) nc *= 2;
    st__idrow *nt = st__realloc_array(ctx, NULL, 0, nc, sizeof *nt);
    if (!nt) return -1;
    for (size_t h = 0; h < nc; h++) nt[h].t = EMPTY;
    size_t len = g->hashed ? g->cap : g->n;
    for (size_t k = 0; k < len; k++) {
        if (g->r[k].t == EMPTY) continue;
        size_t h = pair_hash(g->r[k].t, g->r[k].T) & (nc - 1);
        while (nt[h].t != EMPTY) h = (h + 1) & (nc - 1);
        nt[h] = g->r[k];
    }
    st__free(ctx, g->r, g->cap * sizeof *g->r);
    g->r = nt;
    g->cap = nc;
    g->hashed = 1;
    return 0;
}

/* Makes room for the group of a new x, before the x is interned; 0 or -1 when memory runs out. */
static int group_room(st__uniq *u)
{
    if (u->xs.n < u->gcap) return 0;
    size_t nc = u->gcap ? 2 * u->gcap : 64;
    st__uqgroup *ng = st__realloc_array(u->ctx, u->g, u->gcap, nc, sizeof *ng);
    if (!ng) return -1;
    memset(ng + u->gcap, 0, (nc - u->gcap) * sizeof *ng);
    u->g = ng;
    u->gcap = nc;
    return 0;
}

/* Interns x (making room for its group first), t and T; returns 0 or -1 when memory runs out. */
static int intern3(st__uniq *u, double x, double t, double T, uint32_t *xi, uint32_t *ti, uint32_t *Ti)
{
    if (group_room(u)) return -1;
    long a = st__dset_intern(&u->xs, x);
    long b = a < 0 ? -1 : st__dset_intern(&u->vs, t);
    long c = b < 0 ? -1 : st__dset_intern(&u->vs, T);
    if (c < 0) return -1;
    *xi = (uint32_t)a;
    *ti = (uint32_t)b;
    *Ti = (uint32_t)c;
    return 0;
}

static int add_ids(st__uniq *u, uint32_t xi, uint32_t a, uint32_t b, double w)
{
    st__uqgroup *g = &u->g[xi];
    if ((!g->hashed || 2 * (g->n + 1) > g->cap) && group_rehash(u->ctx, g, g->n + 1)) return -1;
    u->sorted = 0;
    size_t h = pair_hash(a, b) & (g->cap - 1);
    for (;;) {
        st__idrow *q = &g->r[h];
        if (q->t == EMPTY) break;
        if (q->t == a && q->T == b) {
            q->w += w;
            return 0;
        }
        h = (h + 1) & (g->cap - 1);
    }
    g->r[h] = (st__idrow){w, a, b};
    g->n++;
    u->n++;
    return 0;
}

int st__uniq_add(st__uniq *u, double x, double t, double T, double w)
{
    uint32_t xi, ti, Ti;
    if (intern3(u, x, t, T, &xi, &ti, &Ti)) return -1;
    return add_ids(u, xi, ti, Ti, w);
}

int st__uniq_add_many(st__uniq *u, const double *x, const double *t, const double *T, const double *w, size_t n)
{
    /* In blocks: the ids first (small tables, in cache), then a prefetch of every row's place in its group's
    ** table, then the adds -- so the cache misses of a block overlap instead of following one another. */
    enum { BLOCK = 32 };
    uint32_t xi[BLOCK], ti[BLOCK], Ti[BLOCK];
    for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
        size_t m = n - i0 < BLOCK ? n - i0 : BLOCK;
        for (size_t k = 0; k < m; k++)
            if (intern3(u, x[i0 + k], t[i0 + k], T ? T[i0 + k] : 0.0, &xi[k], &ti[k], &Ti[k])) return -1;
        for (size_t k = 0; k < m; k++) {
            const st__uqgroup *g = &u->g[xi[k]];
            if (g->hashed) __builtin_prefetch(&g->r[pair_hash(ti[k], Ti[k]) & (g->cap - 1)], 1);
        }
        for (size_t k = 0; k < m; k++)
            if (add_ids(u, xi[k], ti[k], Ti[k], w ? w[i0 + k] : 1.0)) return -1;
    }
    return 0;
}

int st__uniq_merge(st__uniq *dst, const st__uniq *src)
{
    if (dst == src) {
        /* every row is found again: its weight doubles */
        for (size_t k = 0; k < dst->xs.n; k++) {
            st__uqgroup *g = &dst->g[k];
            size_t len = g->hashed ? g->cap : g->n;
            for (size_t i = 0; i < len; i++)
                if (g->r[i].t != EMPTY) g->r[i].w += g->r[i].w;
        }
        return 0;
    }
    /* src's ids in dst: x ids (with room for their groups), then time ids */
    size_t nx = src->xs.n, nv = src->vs.n;
    uint32_t *map = st__realloc_array(dst->ctx, NULL, 0, nx + nv ? nx + nv : 1, sizeof *map);
    if (!map) return -1;
    int rc = 0;
    for (size_t k = 0; k < nx && !rc; k++) {
        long id = group_room(dst) ? -1 : st__dset_intern(&dst->xs, src->xs.val[k]);
        if (id < 0) rc = -1;
        else map[k] = (uint32_t)id;
    }
    for (size_t v = 0; v < nv && !rc; v++) {
        long id = st__dset_intern(&dst->vs, src->vs.val[v]);
        if (id < 0) rc = -1;
        else map[nx + v] = (uint32_t)id;
    }
    for (size_t k = 0; k < nx && !rc; k++) {
        const st__uqgroup *g = &src->g[k];
        size_t len = g->hashed ? g->cap : g->n;
        st__uqgroup *dg = &dst->g[map[k]];
        for (size_t i = 0; i < len && !rc; i++) {
            if (g->r[i].t == EMPTY) continue;
            uint32_t a = map[nx + g->r[i].t], b = map[nx + g->r[i].T];
            if (dg->hashed && i + 8 < len && g->r[i + 8].t != EMPTY)
                __builtin_prefetch(&dg->r[pair_hash(map[nx + g->r[i + 8].t], map[nx + g->r[i + 8].T]) & (dg->cap - 1)], 1);
            if (add_ids(dst, map[k], a, b, g->r[i].w)) rc = -1;
        }
    }
    st__free(dst->ctx, map, (nx + nv ? nx + nv : 1) * sizeof *map);
    return rc;
}

/* ---- sorting ---- */

typedef struct rankv {
    double v;
    uint32_t id;
} rankv;

static int rankv_cmp(const void *pa, const void *pb)
{
    const rankv *a = pa, *b = pb;
    return a->v < b->v ? -1 : a->v > b->v;
}

/* Ranking a set in two steps, so that nothing changes unless every allocation succeeded: prepare sorts the
** values into tmp and allocates the new table; commit sets rank[id] = the rank of value id and rebuilds s
** with ids = ranks. */
static int rank_prepare(st__dset *s, rankv **tmp, uint32_t **ns)
{
    size_t n = s->n;
    *tmp = st__realloc_array(s->ctx, NULL, 0, n ? n : 1, sizeof **tmp);
    *ns = st__calloc(s->ctx, s->cap ? s->cap : 1, sizeof **ns);
    if (!*tmp || !*ns) return -1;
    for (size_t k = 0; k < n; k++) {
        (*tmp)[k].v = s->val[k];
        (*tmp)[k].id = (uint32_t)k;
    }
    qsort(*tmp, n, sizeof **tmp, rankv_cmp);
    return 0;
}

static void rank_commit(st__dset *s, rankv *tmp, uint32_t *ns, uint32_t *rank)
{
    for (size_t k = 0; k < s->n; k++) {
        rank[tmp[k].id] = (uint32_t)k;
        s->val[k] = tmp[k].v;
    }
    for (size_t k = 0; k < s->n; k++) {
        size_t h = (size_t)mix(dbits(s->val[k])) & (s->cap - 1);
        while (ns[h]) h = (h + 1) & (s->cap - 1);
        ns[h] = (uint32_t)(k + 1);
    }
    st__free(s->ctx, s->slot, s->cap * sizeof *s->slot);
    s->slot = ns;
}

static unsigned bits_for(uint64_t v)
{
    unsigned b = 0;
    while (b < 64 && (v >> b) != 0) b++;
    return b;
}

/* LSD radix sort of a[0..n) on bits [lo, hi), 11 bits a pass, stable; tmp has room for n. Returns the buffer
** holding the result. */
static uint64_t *radix_sort(uint64_t *a, uint64_t *tmp, size_t n, unsigned lo, unsigned hi)
{
    enum { DIGIT = 11, BUCKETS = 1 << DIGIT };
    size_t count[BUCKETS];
    for (unsigned shift = lo; shift < hi; shift += DIGIT) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++) count[(a[i] >> shift) & (BUCKETS - 1)]++;
        size_t sum = 0, nonzero = 0;
        for (size_t b = 0; b < BUCKETS; b++) {
            size_t c = count[b];
            nonzero += c != 0;
            count[b] = sum;
            sum += c;
        }
        if (nonzero <= 1) continue; /* every key has this digit: the pass would move nothing */
        for (size_t i = 0; i < n; i++) tmp[count[(a[i] >> shift) & (BUCKETS - 1)]++] = a[i];
        uint64_t *s = a;
        a = tmp;
        tmp = s;
    }
    return a;
}

static int idrow_cmp(const void *pa, const void *pb)
{
    const st__idrow *a = pa, *b = pb;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    return a->T < b->T ? -1 : a->T > b->T;
}

/* Sorts the rows of one group by (t, T) (ranks, all pairs distinct). a and b have room for the group. */
static void sort_group(st__uqgroup *g, uint64_t nv, uint64_t *a, uint64_t *b)
{
    size_t n = g->n;
    unsigned ib = bits_for(n - 1), kb = bits_for(nv * nv - 1);
    if (n <= 64 || !a || kb + ib > 64) {
        qsort(g->r, n, sizeof *g->r, idrow_cmp);
        return;
    }
    for (size_t i = 0; i < n; i++) a[i] = ((uint64_t)g->r[i].t * nv + g->r[i].T) << ib | (uint64_t)i;
    uint64_t *s = radix_sort(a, b, n, ib, ib + kb);
    /* Apply the permutation in place, cycle by cycle: position j takes row src(j); a position that is done
    ** gets its own index, so the scan skips it as a fixed point. */
    uint64_t mask = ib == 64 ? UINT64_MAX : (((uint64_t)1 << ib) - 1);
    for (size_t j = 0; j < n; j++) {
        if ((size_t)(s[j] & mask) == j) continue;
        st__idrow keep = g->r[j];
        size_t k = j;
        for (;;) {
            size_t src = (size_t)(s[k] & mask);
            s[k] = (uint64_t)k;
            if (src == j) {
                g->r[k] = keep;
                break;
            }
            g->r[k] = g->r[src];
            k = src;
        }
    }
}

int st__uniq_finish(st__uniq *u)
{
    if (u->sorted) return 0;
    size_t nx = u->xs.n, nv = u->vs.n, big = 0;
    for (size_t k = 0; k < nx; k++) big = u->g[k].n > big ? u->g[k].n : big;
    uint32_t *xr = st__realloc_array(u->ctx, NULL, 0, nx ? nx : 1, sizeof *xr);
    uint32_t *vr = st__realloc_array(u->ctx, NULL, 0, nv ? nv : 1, sizeof *vr);
    st__uqgroup *ng = st__realloc_array(u->ctx, NULL, 0, u->gcap ? u->gcap : 1, sizeof *ng);
    rankv *xt = NULL, *vt = NULL;
    uint32_t *xns = NULL, *vns = NULL;
    int rc = -1;
    if (!xr || !vr || !ng || rank_prepare(&u->xs, &xt, &xns) || rank_prepare(&u->vs, &vt, &vns)) {
        st__free(u->ctx, xns, (u->xs.cap ? u->xs.cap : 1) * sizeof *xns);
        st__free(u->ctx, vns, (u->vs.cap ? u->vs.cap : 1) * sizeof *vns);
        goto done;
    }
    rank_commit(&u->xs, xt, xns, xr);
    rank_commit(&u->vs, vt, vns, vr);
    /* Scratch for the radix sort of the largest group; without it the groups are sorted by qsort. */
    uint64_t *a = big > 64 ? st__realloc_array(u->ctx, NULL, 0, big, sizeof *a) : NULL;
    uint64_t *b = a ? st__realloc_array(u->ctx, NULL, 0, big, sizeof *b) : NULL;
    if (a && !b) {
        st__free(u->ctx, a, big * sizeof *a);
        a = NULL;
        st_clear_error(u->ctx);
    }
    size_t total = 0;
    for (size_t k = 0; k < nx; k++) {
        st__uqgroup *g = &u->g[k];
        /* The table becomes a plain array of its rows (a later add hashes them again). */
        size_t m = 0, len = g->hashed ? g->cap : g->n;
        for (size_t i = 0; i < len; i++) {
            if (g->r[i].t == EMPTY || !(g->r[i].w > 0.0)) continue;
            g->r[m].w = g->r[i].w;
            g->r[m].t = vr[g->r[i].t];
            g->r[m].T = vr[g->r[i].T];
            m++;
        }
        g->n = m;
        g->hashed = 0;
        if (m > 1) sort_group(g, nv, a, b);
        total += m;
        ng[xr[k]] = *g;
    }
    st__free(u->ctx, a, big * sizeof *a);
    st__free(u->ctx, b, big * sizeof *b);
    if (u->gcap > nx) memset(ng + nx, 0, (u->gcap - nx) * sizeof *ng);
    st__free(u->ctx, u->g, u->gcap * sizeof *u->g);
    u->g = ng;
    ng = NULL;
    u->n = total;
    u->sorted = 1;
    rc = 0;
done:
    st__free(u->ctx, xt, (nx ? nx : 1) * sizeof *xt);
    st__free(u->ctx, vt, (nv ? nv : 1) * sizeof *vt);
    st__free(u->ctx, xr, (nx ? nx : 1) * sizeof *xr);
    st__free(u->ctx, vr, (nv ? nv : 1) * sizeof *vr);
    st__free(u->ctx, ng, (u->gcap ? u->gcap : 1) * sizeof *ng);
    return rc;
}

size_t st__uniq_rows(const st__uniq *u, st__btyd_row *out)
{
    size_t m = 0;
    for (size_t k = 0; k < u->xs.n; k++) {
        const st__uqgroup *g = &u->g[k];
        for (size_t i = 0; i < g->n; i++)
            out[m++] = (st__btyd_row){u->xs.val[k], u->vs.val[g->r[i].t], u->vs.val[g->r[i].T], g->r[i].w};
    }
    return m;
}
