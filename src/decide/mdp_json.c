/*
** mdp_json.c -- MDP.json and POLICY.json: reading (dense or sparse P, R[state][action], named states and
** actions with costs) and writing (sparse P, one entry per line, so hand edits and diffs stay readable).
** Format version 1; docs/mdp.md is the specification.
*/
#include "decide/mdp.h"
#include "core/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MDP_FORMAT "strata-mdp"
#define POLICY_FORMAT "strata-policy"
#define FORMAT_VERSION 1

static bool put_str(st_buf *b, const char *s)
{
    st_jw w;
    st__jw_init(&w, b, 0);
    return st__jw_string(&w, s);
}

static bool put_num(st_buf *b, double x)
{
    if (!isfinite(x)) return st__buf_puts(b, "null");
    return st__buf_put_double(b, x);
}

/* An index held in a JSON number: integral, >= 0 and < limit. */
static bool get_index(const st_json *v, size_t limit, uint32_t *out)
{
    if (st__json_type(v) != ST_JSON_NUMBER) return false;
    double d = st__json_number(v);
    if (!(d >= 0.0 && d < (double)limit) || d != floor(d)) return false;
    *out = (uint32_t)d;
    return true;
}

static st_status check_header(st_context *ctx, const st_json *root, const char *name, const char *format)
{
    if (st__json_type(root) != ST_JSON_OBJECT)
        return st__error(ctx, ST_EFORMAT, "%s: expected a JSON object at the top level", name);
    const st_json *f = st__json_get(root, "format");
    if (f && (st__json_type(f) != ST_JSON_STRING || strcmp(st__json_string(f), format) != 0))
        return st__error(ctx, ST_EFORMAT, "%s: \"format\" must be \"%s\"", name, format);
    const st_json *v = st__json_get(root, "version");
    if (v && !(st__json_type(v) == ST_JSON_NUMBER && st__json_number(v) == FORMAT_VERSION))
        return st__error(ctx, ST_EFORMAT, "%s: unsupported \"version\" (this build reads version %d)", name,
                         FORMAT_VERSION);
    return ST_OK;
}

static const st_json *get_array(st_context *ctx, const st_json *root, const char *name, const char *key,
                                st_status *rc)
{
    const st_json *v = st__json_get(root, key);
    if (!v) *rc = st__error(ctx, ST_EFORMAT, "%s: missing \"%s\"", name, key);
    else if (st__json_type(v) != ST_JSON_ARRAY) *rc = st__error(ctx, ST_EFORMAT, "%s: \"%s\" must be an array", name, key);
    else if (st__json_len(v) == 0) *rc = st__error(ctx, ST_EFORMAT, "%s: \"%s\" is empty", name, key);
    else return v;
    return NULL;
}

static st_status read_names(st_mdp *m, const st_json *states, const st_json *actions, const char *name)
{
    st_context *ctx = m->ctx;
    st_status rc;
    for (size_t s = 0; s < m->S; s++) {
        const st_json *e = st__json_at(states, s);
        if (st__json_type(e) == ST_JSON_OBJECT) e = st__json_get(e, "name");
        const char *n = st__json_string(e);
        if (!n || !*n) return st__error(ctx, ST_EFORMAT, "%s: \"states\"[%zu] must be a non-empty name", name, s);
        if ((rc = st_mdp_set_state_name(m, s, n))) return rc;
    }
    for (size_t a = 0; a < m->A; a++) {
        const st_json *e = st__json_at(actions, a), *nm = e;
        double cost = 0.0;
        if (st__json_type(e) == ST_JSON_OBJECT) {
            nm = st__json_get(e, "name");
            const st_json *c = st__json_get(e, "cost");
            if (c) {
                if (st__json_type(c) != ST_JSON_NUMBER || !isfinite(st__json_number(c)))
                    return st__error(ctx, ST_EFORMAT, "%s: \"actions\"[%zu].cost must be a number", name, a);
                cost = st__json_number(c);
            }
        }
        const char *n = st__json_string(nm);
        if (!n || !*n)
            return st__error(ctx, ST_EFORMAT, "%s: \"actions\"[%zu] must be a name or an object with \"name\"",
                             name, a);
        if ((rc = st_mdp_set_action(m, a, n, cost))) return rc;
    }
    return ST_OK;
}

/* P as [[action, state, next, probability], ...]: one pass counts entries per row, a second places them. */
static st_status read_sparse(st_mdp *m, const st_json *P, const char *name)
{
    st_context *ctx = m->ctx;
    size_t n = st__json_len(P), A = m->A, S = m->S;
    for (size_t k = 0; k < n; k++) {
        const st_json *e = st__json_at(P, k);
        uint32_t a, s, j;
        if (st__json_type(e) != ST_JSON_ARRAY || st__json_len(e) != 4 ||
            st__json_type(st__json_at(e, 3)) != ST_JSON_NUMBER)
            return st__error(ctx, ST_EFORMAT, "%s: \"P\"[%zu] must be [action, state, next, probability]", name, k);
        if (!get_index(st__json_at(e, 0), A, &a) || !get_index(st__json_at(e, 1), S, &s) ||
            !get_index(st__json_at(e, 2), S, &j))
            return st__error(ctx, ST_EFORMAT, "%s: \"P\"[%zu]: action, state and next must be whole numbers below "
                             "%zu, %zu and %zu", name, k, A, S, S);
        m->P.rowptr[(size_t)s * A + a + 1]++;
    }
    size_t *cur;
    st_status rc = st__mdp_alloc_entries(m, &cur);
    if (rc) return rc;
    for (size_t k = 0; k < n; k++) {
        const st_json *e = st__json_at(P, k);
        uint32_t a = (uint32_t)st__json_number(st__json_at(e, 0)), s = (uint32_t)st__json_number(st__json_at(e, 1));
        uint32_t j = (uint32_t)st__json_number(st__json_at(e, 2));
        st__mdp_put(m, cur, (size_t)s * A + a, j, st__json_number(st__json_at(e, 3)));
    }
    rc = st__mdp_finish(m, cur, name);
    st__free(ctx, cur, 0);
    return rc;
}

/* P as [action][state][next]. */
static st_status read_dense(st_mdp *m, const st_json *P, const char *name)
{
    st_context *ctx = m->ctx;
    size_t A = m->A, S = m->S;
    if (st__json_len(P) != A)
        return st__error(ctx, ST_EFORMAT, "%s: dense \"P\" has %zu matrices for %zu actions", name,
                         st__json_len(P), A);
    for (size_t a = 0; a < A; a++) {
        const st_json *Pa = st__json_at(P, a);
        if (st__json_type(Pa) != ST_JSON_ARRAY || st__json_len(Pa) != S)
            return st__error(ctx, ST_EFORMAT, "%s: \"P\"[%zu] must hold %zu rows (one per state)", name, a, S);
        for (size_t s = 0; s < S; s++) {
            const st_json *row = st__json_at(Pa, s);
            if (st__json_type(row) != ST_JSON_ARRAY || st__json_len(row) != S)
                return st__error(ctx, ST_EFORMAT, "%s: \"P\"[%zu][%zu] must hold %zu probabilities", name, a, s, S);
            size_t c = 0;
            for (size_t j = 0; j < S; j++) {
                const st_json *x = st__json_at(row, j);
                if (st__json_type(x) != ST_JSON_NUMBER)
                    return st__error(ctx, ST_EFORMAT, "%s: \"P\"[%zu][%zu][%zu] is not a number", name, a, s, j);
                c += st__json_number(x) != 0.0;
            }
            m->P.rowptr[s * A + a + 1] = c;
        }
    }
    size_t *cur;
    st_status rc = st__mdp_alloc_entries(m, &cur);
    if (rc) return rc;
    for (size_t a = 0; a < A; a++)
        for (size_t s = 0; s < S; s++) {
            const st_json *row = st__json_at(st__json_at(P, a), s);
            for (size_t j = 0; j < S; j++) {
                double p = st__json_number(st__json_at(row, j));
                if (p != 0.0) st__mdp_put(m, cur, s * A + a, (uint32_t)j, p);
            }
        }
    rc = st__mdp_finish(m, cur, name);
    st__free(ctx, cur, 0);
    return rc;
}

/* Sparse entries gathered by the fast scanner below, in file order. */
typedef struct triplets {
    uint32_t *a, *s, *n;
    double *p;
    size_t len, cap;
} triplets;

static st_status read_triplets(st_mdp *m, const triplets *T, const char *name)
{
    st_context *ctx = m->ctx;
    size_t A = m->A, S = m->S;
    for (size_t k = 0; k < T->len; k++) {
        if (T->a[k] >= A || T->s[k] >= S || T->n[k] >= S)
            return st__error(ctx, ST_EFORMAT, "%s: \"P\"[%zu]: action, state and next must be whole numbers below "
                             "%zu, %zu and %zu", name, k, A, S, S);
        m->P.rowptr[(size_t)T->s[k] * A + T->a[k] + 1]++;
    }
    size_t *cur;
    st_status rc = st__mdp_alloc_entries(m, &cur);
    if (rc) return rc;
    for (size_t k = 0; k < T->len; k++) st__mdp_put(m, cur, (size_t)T->s[k] * A + T->a[k], T->n[k], T->p[k]);
    rc = st__mdp_finish(m, cur, name);
    st__free(ctx, cur, 0);
    return rc;
}

static st_status mdp_from_tree(st_context *ctx, const st_json *root, const char *name, const triplets *T,
                               st_mdp **out)
{
    st_status rc = check_header(ctx, root, name, MDP_FORMAT);
    if (rc) return rc;
    const st_json *states = get_array(ctx, root, name, "states", &rc);
    if (!states) return rc;
    const st_json *actions = get_array(ctx, root, name, "actions", &rc);
    if (!actions) return rc;
    const st_json *P = T ? NULL : get_array(ctx, root, name, "P", &rc);
    if (!P && !T) return rc;
    const st_json *R = get_array(ctx, root, name, "R", &rc);
    if (!R) return rc;
    size_t S = st__json_len(states), A = st__json_len(actions);
    st_mdp *m;
    if ((rc = st__mdp_alloc(ctx, S, A, &m))) return rc;
    if ((rc = read_names(m, states, actions, name))) goto fail;
    if (st__json_len(R) != S) {
        rc = st__error(ctx, ST_EFORMAT, "%s: \"R\" has %zu rows for %zu states", name, st__json_len(R), S);
        goto fail;
    }
    for (size_t s = 0; s < S; s++) {
        const st_json *row = st__json_at(R, s);
        if (st__json_type(row) != ST_JSON_ARRAY || st__json_len(row) != A) {
            rc = st__error(ctx, ST_EFORMAT, "%s: \"R\"[%zu] must hold %zu rewards (one per action)", name, s, A);
            goto fail;
        }
        for (size_t a = 0; a < A; a++) {
            const st_json *x = st__json_at(row, a);
            if (st__json_type(x) != ST_JSON_NUMBER) {
                rc = st__error(ctx, ST_EFORMAT, "%s: \"R\"[%zu][%zu] is not a number", name, s, a);
                goto fail;
            }
            m->R[s * A + a] = st__json_number(x);
        }
    }
    /* A sparse entry is a list of numbers; a dense P nests one level deeper. */
    const st_json *first = st__json_at(P, 0);
    if (T)
        rc = read_triplets(m, T, name);
    else if (st__json_type(first) == ST_JSON_ARRAY && st__json_type(st__json_at(first, 0)) == ST_JSON_ARRAY)
        rc = read_dense(m, P, name);
    else
        rc = read_sparse(m, P, name);
    if (rc) goto fail;
    *out = m;
    return ST_OK;
fail:
    st_mdp_free(m);
    return rc;
}

/* ---- the fast path ----
** A large MDP.json is almost all sparse "P" entries. Building a JSON tree for millions of four-number
** arrays costs far more than the solve, so the scanner below reads the top-level object itself: the
** sparse "P" goes straight into arrays, every other member is copied as text into a small document that
** the JSON reader parses. Anything it does not expect (a dense P, escapes in keys, malformed text) sends
** the whole file down the general path, which also produces the file:line:column messages. */

typedef struct scan {
    const char *p, *end;
} scan;

static void skip_ws(scan *sc)
{
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\n' || *sc->p == '\r' || *sc->p == '\t')) sc->p++;
}

static bool eat(scan *sc, char c)
{
    skip_ws(sc);
    if (sc->p < sc->end && *sc->p == c) {
        sc->p++;
        return true;
    }
    return false;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* A JSON number. Integers and decimals whose digits fit 2^53 with at most 22 fraction digits are exact
** as mantissa / 10^k (both exact doubles, one correctly rounded division); the rest goes to strtod. */
static bool scan_number(scan *sc, double *out)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    skip_ws(sc);
    const char *q = sc->p, *e = sc->end, *start = q;
    bool neg = q < e && *q == '-';
    if (neg) q++;
    if (q >= e || !is_digit(*q)) return false;
    uint64_t mant = 0;
    int digits = 0, frac = 0;
    bool slow = false;
    if (*q == '0') {
        q++;
        if (q < e && is_digit(*q)) return false;
    } else {
        for (; q < e && is_digit(*q); q++, digits++) mant = digits < 19 ? mant * 10 + (uint64_t)(*q - '0') : mant;
    }
    if (q < e && *q == '.') {
        q++;
        if (q >= e || !is_digit(*q)) return false;
        for (; q < e && is_digit(*q); q++, frac++, digits++) mant = digits < 19 ? mant * 10 + (uint64_t)(*q - '0') : mant;
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        slow = true;
        q++;
        if (q < e && (*q == '+' || *q == '-')) q++;
        if (q >= e || !is_digit(*q)) return false;
        while (q < e && is_digit(*q)) q++;
    }
    if (!slow && digits <= 19 && mant <= ((uint64_t)1 << 53) && frac <= 22) {
        double x = (double)mant / pow10[frac];
        *out = neg ? -x : x;
    } else {
        /* strtod on a NUL-terminated copy: the text itself may be a mapped file with no NUL after it. */
        char tmp[128], *endp;
        size_t n = (size_t)(q - start);
        if (n >= sizeof tmp) return false;
        memcpy(tmp, start, n);
        tmp[n] = '\0';
        *out = strtod(tmp, &endp);
        if (endp != tmp + n) return false;
    }
    sc->p = q;
    return true;
}

static bool scan_index(scan *sc, uint32_t *out)
{
    double d;
    if (!scan_number(sc, &d) || !(d >= 0.0 && d < 4294967296.0) || d != floor(d)) return false;
    *out = (uint32_t)d;
    return true;
}

/* Moves past one JSON value (not validated: the JSON reader sees it later). */
static bool skip_value(scan *sc)
{
    skip_ws(sc);
    int depth = 0;
    while (sc->p < sc->end) {
        char c = *sc->p;
        if (c == '"') {
            for (sc->p++; sc->p < sc->end && *sc->p != '"'; sc->p++)
                if (*sc->p == '\\') sc->p++;
            if (sc->p >= sc->end) return false;
            sc->p++;
            if (depth == 0) return true;
            continue;
        }
        if (c == '[' || c == '{') {
            depth++;
        } else if (c == ']' || c == '}') {
            if (depth == 0) return true;
            if (--depth == 0) {
                sc->p++;
                return true;
            }
        } else if (c == ',' && depth == 0) {
            return true;
        }
        sc->p++;
    }
    return depth == 0;
}

static bool push_triplet(st_context *ctx, triplets *T, uint32_t a, uint32_t s, uint32_t n, double p)
{
    if (T->len == T->cap) {
        size_t nc = T->cap ? T->cap * 2 : 4096;
        uint32_t *na = st__realloc_array(ctx, T->a, T->cap, nc, sizeof *na);
        if (na) T->a = na;
        uint32_t *ns = na ? st__realloc_array(ctx, T->s, T->cap, nc, sizeof *ns) : NULL;
        if (ns) T->s = ns;
        uint32_t *nn = ns ? st__realloc_array(ctx, T->n, T->cap, nc, sizeof *nn) : NULL;
        if (nn) T->n = nn;
        double *np = nn ? st__realloc_array(ctx, T->p, T->cap, nc, sizeof *np) : NULL;
        if (!np) return false;
        T->p = np;
        T->cap = nc;
    }
    T->a[T->len] = a;
    T->s[T->len] = s;
    T->n[T->len] = n;
    T->p[T->len] = p;
    T->len++;
    return true;
}

static void free_triplets(st_context *ctx, triplets *T)
{
    st__free(ctx, T->a, T->cap * sizeof *T->a);
    st__free(ctx, T->s, T->cap * sizeof *T->s);
    st__free(ctx, T->n, T->cap * sizeof *T->n);
    st__free(ctx, T->p, T->cap * sizeof *T->p);
}

/* Returns ST_OK when handled (*out set or a validation error recorded: *handled true), or leaves
** *handled false to send the text down the general path. ST_ENOMEM is final. */
static st_status fast_read(st_context *ctx, const char *text, size_t len, const char *name, st_mdp **out,
                           bool *handled)
{
    *handled = false;
    scan sc = {text, text + len};
    triplets T = {0};
    /* An entry takes at least 10 bytes ("[0,0,0,1],"), so len / 10 entries is enough: one allocation, and
    ** the pages never touched are never faulted in. */
    T.cap = len / 10 + 16;
    T.a = st__realloc_array(ctx, NULL, 0, T.cap, sizeof *T.a);
    T.s = st__realloc_array(ctx, NULL, 0, T.cap, sizeof *T.s);
    T.n = st__realloc_array(ctx, NULL, 0, T.cap, sizeof *T.n);
    T.p = st__realloc_array(ctx, NULL, 0, T.cap, sizeof *T.p);
    if (!T.a || !T.s || !T.n || !T.p) {
        free_triplets(ctx, &T);
        *handled = true;
        return ST_ENOMEM;
    }
    st_buf rest;
    st__buf_init(&rest, ctx);
    bool have_p = false, ok = eat(&sc, '{') && st__buf_putc(&rest, '{');
    st_status rc = ST_OK;
    bool first = true; /* no member copied into rest yet */
    if (ok && eat(&sc, '}')) ok = false; /* an empty object: the general path explains */
    while (ok) {
        ok = eat(&sc, '"');
        const char *key = sc.p;
        while (ok && sc.p < sc.end && *sc.p != '"' && *sc.p != '\\') sc.p++;
        ok = ok && sc.p < sc.end && *sc.p == '"';
        if (!ok) break;
        size_t klen = (size_t)(sc.p - key);
        sc.p++;
        ok = eat(&sc, ':');
        skip_ws(&sc);
        scan look = sc;
        bool sparse = klen == 1 && key[0] == 'P' && !have_p && eat(&look, '[') && eat(&look, '[') &&
                      (skip_ws(&look), look.p < look.end && (is_digit(*look.p) || *look.p == '-'));
        if (ok && sparse) {
            eat(&sc, '[');
            do {
                uint32_t a, s, n;
                double p;
                ok = eat(&sc, '[') && scan_index(&sc, &a) && eat(&sc, ',') && scan_index(&sc, &s) &&
                     eat(&sc, ',') && scan_index(&sc, &n) && eat(&sc, ',') && scan_number(&sc, &p) && eat(&sc, ']');
                if (ok && !push_triplet(ctx, &T, a, s, n, p)) {
                    rc = ST_ENOMEM;
                    ok = false;
                }
            } while (ok && eat(&sc, ','));
            ok = ok && eat(&sc, ']');
            have_p = ok;
        } else if (ok) {
            const char *v = sc.p;
            ok = skip_value(&sc) && (first || st__buf_putc(&rest, ',')) && st__buf_putc(&rest, '"') &&
                 st__buf_append(&rest, key, klen) && st__buf_puts(&rest, "\":") &&
                 st__buf_append(&rest, v, (size_t)(sc.p - v));
            if (!(klen == 1 && key[0] == 'P')) first = false;
        }
        if (!ok) break;
        if (eat(&sc, ',')) continue;
        ok = eat(&sc, '}');
        break;
    }
    skip_ws(&sc);
    ok = ok && have_p && sc.p == sc.end && st__buf_putc(&rest, '}');
    if (ok) {
        st_json *root;
        if (st__json_parse(ctx, rest.data, rest.len, name, &root) == ST_OK) {
            *handled = true;
            rc = mdp_from_tree(ctx, root, name, &T, out);
            st__json_free(ctx, root);
        } else if (st_errcode(ctx) == ST_ENOMEM) {
            rc = ST_ENOMEM;
        }
    }
    if (rc == ST_ENOMEM) *handled = true;
    free_triplets(ctx, &T);
    st__buf_free(&rest);
    return rc;
}

/* Reads all of path ("-" = standard input, or a file that cannot be mapped) into memory. */
static st_status read_all(st_context *ctx, const char *path, char **data, size_t *len, size_t *cap)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp) return st__error(ctx, ST_EIO, "%s: cannot open: %s", path, strerror(errno));
    *data = NULL;
    *len = *cap = 0;
    st_status rc = ST_OK;
    /* A regular file is read in one piece into a buffer of its size (+1 for the NUL, +1 to see EOF). */
    struct stat sb;
    if (!is_stdin && fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (uint64_t)sb.st_size < (uint64_t)SIZE_MAX / 2) {
        *data = st__malloc(ctx, (size_t)sb.st_size + 2);
        if (!*data) {
            fclose(fp);
            return ST_ENOMEM;
        }
        *cap = (size_t)sb.st_size + 2;
    }
    for (;;) {
        if (*cap - *len < 2) {
            size_t nc = *cap ? *cap * 2 : (size_t)1 << 20;
            char *nd = st__realloc_array(ctx, *data, *cap, nc, 1);
            if (!nd) {
                rc = ST_ENOMEM;
                break;
            }
            *data = nd;
            *cap = nc;
        }
        size_t got = fread(*data + *len, 1, *cap - *len - 1, fp);
        *len += got;
        if (got == 0) {
            if (ferror(fp)) rc = st__error(ctx, ST_EIO, "%s: read error: %s", path, strerror(errno));
            break;
        }
    }
    if (!is_stdin) fclose(fp);
    if (rc) {
        st__free(ctx, *data, *cap);
        *data = NULL;
        return rc;
    }
    (*data)[*len] = '\0';
    return ST_OK;
}

static st_status mdp_from_text(st_context *ctx, const char *text, size_t len, const char *name, st_mdp **out)
{
    bool handled;
    st_status rc = fast_read(ctx, text, len, name, out, &handled);
    if (handled) return rc;
    st_json *root;
    if ((rc = st__json_parse(ctx, text, len, name, &root))) return rc;
    rc = mdp_from_tree(ctx, root, name, NULL, out);
    st__json_free(ctx, root);
    return rc;
}

st_status st_mdp_from_json(st_context *ctx, const char *text, size_t len, const char *name, st_mdp **out)
{
    if (!ctx) return ST_EINVAL;
    if (!text || !out) return st__error(ctx, ST_EINVAL, "st_mdp_from_json: NULL argument");
    *out = NULL;
    return mdp_from_text(ctx, text, len, name ? name : "MDP.json", out);
}

st_status st_mdp_from_json_file(st_context *ctx, const char *path, st_mdp **out)
{
    if (!ctx) return ST_EINVAL;
    if (!path || !out) return st__error(ctx, ST_EINVAL, "st_mdp_from_json_file: NULL argument");
    *out = NULL;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    /* A regular file is mapped, not copied: copying 50 MB through read() costs as much as scanning it. */
    if (strcmp(path, "-") != 0) {
        int fd = open(path, O_RDONLY);
        struct stat sb;
        if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
            (uint64_t)sb.st_size < (uint64_t)SIZE_MAX / 2) {
            size_t n = (size_t)sb.st_size;
            void *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
            close(fd);
            if (map != MAP_FAILED) {
                st_status rc = mdp_from_text(ctx, map, n, name, out);
                munmap(map, n);
                return rc;
            }
        } else if (fd >= 0) {
            close(fd);
        }
    }
    char *data = NULL;
    size_t len = 0, cap = 0;
    st_status rc = read_all(ctx, path, &data, &len, &cap);
    if (rc) return rc;
    rc = mdp_from_text(ctx, data, len, name, out);
    st__free(ctx, data, cap);
    return rc;
}

static bool put_header(st_buf *b, const char *format)
{
    return st__buf_puts(b, "{\n  \"format\": ") && put_str(b, format) &&
           st__buf_printf(b, ",\n  \"version\": %d,\n", FORMAT_VERSION);
}

static bool put_name_list(st_buf *b, const char *key, char *const *names, size_t n)
{
    bool ok = st__buf_printf(b, "  \"%s\": [", key);
    for (size_t i = 0; ok && i < n; i++) ok = (i == 0 || st__buf_puts(b, ", ")) && put_str(b, names[i]);
    return ok && st__buf_puts(b, "],\n");
}

st_status st_mdp_to_json_file(st_context *ctx, const st_mdp *m, const char *path)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !path) return st__error(ctx, ST_EINVAL, "st_mdp_to_json_file: NULL argument");
    st_buf b;
    st__buf_init(&b, ctx);
    bool ok = put_header(&b, MDP_FORMAT) && put_name_list(&b, "states", m->state_name, m->S) &&
              st__buf_puts(&b, "  \"actions\": [\n");
    for (size_t a = 0; ok && a < m->A; a++)
        ok = st__buf_puts(&b, "    {\"name\": ") && put_str(&b, m->action_name[a]) &&
             st__buf_puts(&b, ", \"cost\": ") && put_num(&b, m->cost[a]) &&
             st__buf_puts(&b, a + 1 < m->A ? "},\n" : "}\n");
    ok = ok && st__buf_puts(&b, "  ],\n  \"P\": [\n");
    size_t nnz = m->P.rowptr[m->S * m->A], done = 0;
    for (size_t s = 0; ok && s < m->S; s++)
        for (size_t a = 0; ok && a < m->A; a++) {
            size_t r = s * m->A + a;
            for (size_t k = m->P.rowptr[r]; ok && k < m->P.rowptr[r + 1]; k++) {
                ok = st__buf_printf(&b, "    [%zu, %zu, %u, ", a, s, m->P.col[k]) && put_num(&b, m->P.val[k]) &&
                     st__buf_puts(&b, ++done < nnz ? "],\n" : "]\n");
            }
        }
    ok = ok && st__buf_puts(&b, "  ],\n  \"R\": [\n");
    for (size_t s = 0; ok && s < m->S; s++) {
        ok = st__buf_puts(&b, "    [");
        for (size_t a = 0; ok && a < m->A; a++)
            ok = (a == 0 || st__buf_puts(&b, ", ")) && put_num(&b, m->R[s * m->A + a]);
        ok = ok && st__buf_puts(&b, s + 1 < m->S ? "],\n" : "]\n");
    }
    ok = ok && st__buf_puts(&b, "  ]\n}\n");
    st_status rc = ok ? st__write_file_atomic(ctx, path, b.data, b.len) : ST_ENOMEM;
    st__buf_free(&b);
    return rc;
}

static const char *method_name(st_mdp_method k)
{
    switch (k) {
    case ST_MDP_BACKWARD: return "backward";
    case ST_MDP_VALUE: return "value";
    case ST_MDP_POLICY: return "policy";
    case ST_MDP_RELATIVE: return "relative";
    default: return "fixed";
    }
}

st_status st_policy_to_json_file(st_context *ctx, const st_policy *p, const st_mdp *m, const char *path)
{
    if (!ctx) return ST_EINVAL;
    if (!p || !m || !path) return st__error(ctx, ST_EINVAL, "st_policy_to_json_file: NULL argument");
    if (p->S != m->S || p->A != m->A)
        return st__error(ctx, ST_EDATA, "the policy (%zu states, %zu actions) does not fit the model (%zu, %zu)",
                         p->S, p->A, m->S, m->A);
    st_buf b;
    st__buf_init(&b, ctx);
    size_t S = p->S, N = p->horizon;
    bool ok = put_header(&b, POLICY_FORMAT) && st__buf_puts(&b, "  \"method\": ") &&
              put_str(&b, method_name(p->method)) && st__buf_puts(&b, ",\n  \"discount\": ") &&
              put_num(&b, p->discount) && st__buf_printf(&b, ",\n  \"iterations\": %zu,\n", p->iterations);
    if (ok && N) ok = st__buf_printf(&b, "  \"horizon\": %zu,\n", N);
    if (ok && p->method == ST_MDP_RELATIVE)
        ok = st__buf_puts(&b, "  \"average_reward\": ") && put_num(&b, p->average_reward) && st__buf_puts(&b, ",\n");
    ok = ok && put_name_list(&b, "states", m->state_name, S) && put_name_list(&b, "actions", m->action_name, m->A);
    if (!N) {
        ok = ok && st__buf_puts(&b, "  \"policy\": [");
        for (size_t s = 0; ok && s < S; s++) ok = st__buf_printf(&b, s ? ", %u" : "%u", p->action[s]);
        ok = ok && st__buf_puts(&b, "],\n  \"values\": [");
        for (size_t s = 0; ok && s < S; s++) ok = (s == 0 || st__buf_puts(&b, ", ")) && put_num(&b, p->value[s]);
        ok = ok && st__buf_puts(&b, "]\n}\n");
    } else {
        ok = ok && st__buf_puts(&b, "  \"policy\": [\n");
        for (size_t s = 0; ok && s < S; s++) {
            ok = st__buf_puts(&b, "    [");
            for (size_t k = 0; ok && k < N; k++) ok = st__buf_printf(&b, k ? ", %u" : "%u", p->action[k * S + s]);
            ok = ok && st__buf_puts(&b, s + 1 < S ? "],\n" : "]\n");
        }
        ok = ok && st__buf_puts(&b, "  ],\n  \"values\": [\n");
        for (size_t s = 0; ok && s < S; s++) {
            ok = st__buf_puts(&b, "    [");
            for (size_t k = 0; ok && k <= N; k++)
                ok = (k == 0 || st__buf_puts(&b, ", ")) && put_num(&b, p->value[k * S + s]);
            ok = ok && st__buf_puts(&b, s + 1 < S ? "],\n" : "]\n");
        }
        ok = ok && st__buf_puts(&b, p->path ? "  ],\n  \"path\": [\n" : "  ]\n}\n");
        for (size_t s = 0; ok && p->path && s < S; s++) {
            ok = st__buf_puts(&b, "    [");
            for (size_t k = 0; ok && k <= N; k++) ok = st__buf_printf(&b, k ? ", %u" : "%u", p->path[k * S + s]);
            ok = ok && st__buf_puts(&b, s + 1 < S ? "],\n" : "]\n");
        }
        if (p->path) ok = ok && st__buf_puts(&b, "  ]\n}\n");
    }
    st_status rc = ok ? st__write_file_atomic(ctx, path, b.data, b.len) : ST_ENOMEM;
    st__buf_free(&b);
    return rc;
}

static st_status policy_from_tree(st_context *ctx, const st_mdp *m, const st_json *root, const char *name,
                                  st_policy **out)
{
    st_status rc = check_header(ctx, root, name, POLICY_FORMAT);
    if (rc) return rc;
    const st_json *pol = get_array(ctx, root, name, "policy", &rc);
    if (!pol) return rc;
    const st_json *val = get_array(ctx, root, name, "values", &rc);
    if (!val) return rc;
    size_t S = m->S;
    if (st__json_len(pol) != S || st__json_len(val) != S)
        return st__error(ctx, ST_EFORMAT, "%s: \"policy\" and \"values\" must list the model's %zu states", name, S);
    bool finite = st__json_type(st__json_at(pol, 0)) == ST_JSON_ARRAY;
    size_t N = finite ? st__json_len(st__json_at(pol, 0)) : 0;
    if (finite && N == 0) return st__error(ctx, ST_EFORMAT, "%s: \"policy\"[0] is empty", name);
    const st_json *path = finite ? st__json_get(root, "path") : NULL;
    if (path && (st__json_type(path) != ST_JSON_ARRAY || st__json_len(path) != S)) path = NULL;
    st_policy *p;
    if ((rc = st__policy_alloc(ctx, S, m->A, N, path != NULL, &p))) return rc;
    const st_json *meth = st__json_get(root, "method");
    const char *ms = st__json_string(meth);
    p->method = !ms ? ST_MDP_FIXED : !strcmp(ms, "backward") ? ST_MDP_BACKWARD : !strcmp(ms, "value") ? ST_MDP_VALUE
              : !strcmp(ms, "policy") ? ST_MDP_POLICY : !strcmp(ms, "relative") ? ST_MDP_RELATIVE : ST_MDP_FIXED;
    const st_json *d = st__json_get(root, "discount");
    if (st__json_type(d) == ST_JSON_NUMBER) p->discount = st__json_number(d);
    const st_json *g = st__json_get(root, "average_reward");
    if (st__json_type(g) == ST_JSON_NUMBER) p->average_reward = st__json_number(g);
    const st_json *it = st__json_get(root, "iterations");
    /* a count past what size_t holds (or NaN) is not converted: that would be undefined behaviour */
    if (st__json_type(it) == ST_JSON_NUMBER && st__json_number(it) >= 0 && st__json_number(it) < 0x1p53)
        p->iterations = (size_t)st__json_number(it);
    for (size_t s = 0; s < S; s++) {
        const st_json *ps = st__json_at(pol, s), *vs = st__json_at(val, s), *qs = path ? st__json_at(path, s) : NULL;
        if (!finite) {
            if (!get_index(ps, m->A, &p->action[s])) {
                rc = st__error(ctx, ST_EFORMAT, "%s: \"policy\"[%zu] must be an action index below %zu", name, s, m->A);
                goto fail;
            }
            if (st__json_type(vs) == ST_JSON_NUMBER) p->value[s] = st__json_number(vs);
            else if (st__json_type(vs) == ST_JSON_NULL) p->value[s] = (double)NAN;
            else {
                rc = st__error(ctx, ST_EFORMAT, "%s: \"values\"[%zu] is not a number", name, s);
                goto fail;
            }
            continue;
        }
        if (st__json_type(ps) != ST_JSON_ARRAY || st__json_len(ps) != N || st__json_type(vs) != ST_JSON_ARRAY ||
            st__json_len(vs) != N + 1 || (qs && (st__json_type(qs) != ST_JSON_ARRAY || st__json_len(qs) != N + 1))) {
            rc = st__error(ctx, ST_EFORMAT, "%s: state %zu: a finite-horizon policy needs %zu actions, %zu values "
                           "(and %zu path states)", name, s, N, N + 1, N + 1);
            goto fail;
        }
        for (size_t k = 0; k <= N; k++) {
            if (k < N && !get_index(st__json_at(ps, k), m->A, &p->action[k * S + s])) {
                rc = st__error(ctx, ST_EFORMAT, "%s: \"policy\"[%zu][%zu] must be an action index below %zu", name, s,
                               k, m->A);
                goto fail;
            }
            const st_json *x = st__json_at(vs, k);
            p->value[k * S + s] = st__json_type(x) == ST_JSON_NUMBER ? st__json_number(x) : (double)NAN;
            if (qs && !get_index(st__json_at(qs, k), S, &p->path[k * S + s])) {
                rc = st__error(ctx, ST_EFORMAT, "%s: \"path\"[%zu][%zu] must be a state index below %zu", name, s, k, S);
                goto fail;
            }
        }
    }
    *out = p;
    return ST_OK;
fail:
    st_policy_free(p);
    return rc;
}

st_status st_policy_from_json_file(st_context *ctx, const st_mdp *m, const char *path, st_policy **out)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !path || !out) return st__error(ctx, ST_EINVAL, "st_policy_from_json_file: NULL argument");
    *out = NULL;
    st_json *root;
    st_status rc = st__json_parse_file(ctx, path, &root);
    if (rc) return rc;
    rc = policy_from_tree(ctx, m, root, path, out);
    st__json_free(ctx, root);
    return rc;
}
