/*
** json.c -- the RFC 8259 reader (text -> read-only tree) and the streaming writer declared in json.h.
** The tree lives in one arena: values pile up on a scratch stack and every array or object is copied into
** the arena as one block when it closes, so a large array of numbers costs no allocation per number.
*/
#include "core/json.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define JSON_MAX_DEPTH 256
#define JSON_MAX_FILE ((size_t)1 << 30)
#define ARENA_FIRST_CHUNK ((size_t)16 << 10)
#define ARENA_MAX_CHUNK ((size_t)64 << 20)

/* 16 bytes: inputs are bounded below 4 GiB, so every count fits in 32 bits. */
struct st_json {
    unsigned char type; /* st_json_type */
    bool b;
    uint32_t len; /* bytes of a string, elements of an array, members of an object */
    union {
        double num;
        const char *str;
        st_json *kids; /* objects: len values, then len key pointers in the same block */
    } u;
};

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t size;
} arena_chunk;

/* The root node comes first so that st__json_free can get back to the arena from the root pointer. */
typedef struct json_doc {
    st_json root;
    arena_chunk *chunks;
    char *cur;
    size_t left;
    size_t next_size;
} json_doc;

static void *arena_alloc(st_context *ctx, json_doc *d, size_t n)
{
    if (n > SIZE_MAX / 2) {
        st__error(ctx, ST_ENOMEM, "JSON tree too large");
        return NULL;
    }
    n = (n + 7) & ~(size_t)7;
    if (n > d->left) {
        size_t want = d->next_size;
        /* a block bigger than the usual chunk gets a chunk of its own, so the current one stays usable */
        if (n > want / 2) want = n;
        arena_chunk *c = st__malloc(ctx, sizeof(arena_chunk) + want);
        if (!c) return NULL;
        c->size = sizeof(arena_chunk) + want;
        if (want == n && d->chunks) {
            c->next = d->chunks->next;
            d->chunks->next = c;
            return c + 1;
        }
        c->next = d->chunks;
        d->chunks = c;
        d->cur = (char *)(c + 1);
        d->left = want;
        if (d->next_size < ARENA_MAX_CHUNK) d->next_size *= 2;
    }
    void *p = d->cur;
    d->cur += n;
    d->left -= n;
    return p;
}

static void doc_free(st_context *ctx, json_doc *d)
{
    arena_chunk *c = d->chunks;
    while (c) {
        arena_chunk *next = c->next;
        st__free(ctx, c, c->size);
        c = next;
    }
    st__free(ctx, d, sizeof *d);
}

/* ---- reader ------------------------------------------------------------------------------------------ */

typedef struct parser {
    st_context *ctx;
    const char *start, *p, *end;
    const char *name;
    json_doc *doc;
    st_json *vals; /* scratch stack of finished values whose container is still open */
    size_t nvals, capvals;
    const char **keys;
    size_t nkeys, capkeys;
    int depth;
    bool wide_ldbl;
} parser;

/* Reports "name:line:column: message" for the byte at pos; columns count characters, not bytes. */
static st_status perr(parser *P, const char *pos, st_status code, const char *fmt, ...) ST_PRINTF(4, 5);
static st_status perr(parser *P, const char *pos, st_status code, const char *fmt, ...)
{
    size_t line = 1, col = 1;
    for (const char *q = P->start; q < pos; q++) {
        unsigned char c = (unsigned char)*q;
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0) msg[0] = '\0';
    return st__error(P->ctx, code, "%s:%zu:%zu: %s", P->name, line, col, msg);
}

/* Describes the byte at pos for a message: 'x', end of input, or its hex code. */
static const char *describe(const parser *P, const char *pos, char *tmp, size_t cap)
{
    if (pos >= P->end) return "end of input";
    unsigned char c = (unsigned char)*pos;
    if (c >= 0x20 && c < 0x7F)
        snprintf(tmp, cap, "'%c'", (char)c);
    else
        snprintf(tmp, cap, "byte 0x%02X", (unsigned)c);
    return tmp;
}

static st_status unexpected(parser *P, const char *pos, const char *expected)
{
    char tmp[16];
    if (pos >= P->end) return perr(P, pos, ST_EPARSE, "unexpected end of input, expected %s", expected);
    return perr(P, pos, ST_EPARSE, "unexpected %s, expected %s", describe(P, pos, tmp, sizeof tmp), expected);
}

static void skip_ws(parser *P)
{
    const char *p = P->p, *end = P->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    P->p = p;
}

static bool push_val(parser *P, const st_json *v)
{
    if (P->nvals == P->capvals) {
        size_t ncap = P->capvals ? P->capvals * 2 : 256;
        st_json *nv = st__realloc_array(P->ctx, P->vals, P->capvals, ncap, sizeof *nv);
        if (!nv) return false;
        P->vals = nv;
        P->capvals = ncap;
    }
    P->vals[P->nvals++] = *v;
    return true;
}

static bool push_key(parser *P, const char *k)
{
    if (P->nkeys == P->capkeys) {
        size_t ncap = P->capkeys ? P->capkeys * 2 : 64;
        const char **nk = st__realloc_array(P->ctx, (void *)P->keys, P->capkeys, ncap, sizeof *nk);
        if (!nk) return false;
        P->keys = nk;
        P->capkeys = ncap;
    }
    P->keys[P->nkeys++] = k;
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Four hex digits at q (q + 4 <= lim) or -1. */
static long hex4(const char *q, const char *lim)
{
    if (lim - q < 4) return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(q[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Length of the valid UTF-8 sequence at q (before lim), or 0. Rejects overlong forms, surrogates and code
** points past U+10FFFF, as RFC 3629 asks. */
static size_t utf8_len(const unsigned char *q, const unsigned char *lim)
{
    unsigned char c = q[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if ((size_t)(lim - q) < n) return 0;
    if (q[1] < lo || q[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if ((q[i] & 0xC0) != 0x80) return 0;
    return n;
}

static size_t put_utf8(char *dst, unsigned long cp)
{
    if (cp < 0x80) {
        dst[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        dst[0] = (char)(0xC0 | (cp >> 6));
        dst[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        dst[0] = (char)(0xE0 | (cp >> 12));
        dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    dst[0] = (char)(0xF0 | (cp >> 18));
    dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    dst[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* P->p is at the opening quote. The decoded text never is longer than the raw text (an escape of 6 or 12
** bytes yields at most 3 or 4), so the raw length sizes the arena block. */
static st_status parse_string(parser *P, const char **out, size_t *outlen)
{
    const char *open = P->p, *q = open + 1, *end = P->end;
    const char *close = q;
    for (;;) {
        if (close >= end) return perr(P, open, ST_EPARSE, "unterminated string");
        if (*close == '"') break;
        if (*close == '\\') {
            if (end - close < 2) return perr(P, open, ST_EPARSE, "unterminated string");
            close += 2;
        } else {
            close++;
        }
    }
    char *dst = arena_alloc(P->ctx, P->doc, (size_t)(close - q) + 1);
    if (!dst) return ST_ENOMEM;
    size_t n = 0;
    while (q < close) {
        unsigned char c = (unsigned char)*q;
        if (c >= 0x20 && c < 0x80 && c != '\\') {
            dst[n++] = (char)c;
            q++;
        } else if (c < 0x20) {
            return perr(P, q, ST_EPARSE, "control character (byte 0x%02X) in string; write it as \\u%04X",
                        (unsigned)c, (unsigned)c);
        } else if (c >= 0x80) {
            size_t k = utf8_len((const unsigned char *)q, (const unsigned char *)close);
            if (k == 0) return perr(P, q, ST_EPARSE, "invalid UTF-8 in string");
            memcpy(dst + n, q, k);
            n += k;
            q += k;
        } else {
            char e = q[1];
            switch (e) {
            case '"': dst[n++] = '"'; break;
            case '\\': dst[n++] = '\\'; break;
            case '/': dst[n++] = '/'; break;
            case 'b': dst[n++] = '\b'; break;
            case 'f': dst[n++] = '\f'; break;
            case 'n': dst[n++] = '\n'; break;
            case 'r': dst[n++] = '\r'; break;
            case 't': dst[n++] = '\t'; break;
            case 'u': {
                long cp = hex4(q + 2, close);
                if (cp < 0) return perr(P, q, ST_EPARSE, "invalid \\u escape: expected four hex digits");
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return perr(P, q, ST_EPARSE, "unpaired low surrogate \\u%04lX", cp);
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    long lo = (close - q >= 12 && q[6] == '\\' && q[7] == 'u') ? hex4(q + 8, close) : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return perr(P, q, ST_EPARSE, "high surrogate \\u%04lX not followed by a low surrogate", cp);
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    q += 6;
                }
                n += put_utf8(dst + n, (unsigned long)cp);
                q += 4;
                break;
            }
            default: {
                char tmp[16];
                return perr(P, q, ST_EPARSE, "invalid escape: backslash followed by %s",
                            describe(P, q + 1, tmp, sizeof tmp));
            }
            }
            q += 2;
        }
    }
    dst[n] = '\0';
    *out = dst;
    *outlen = n;
    P->p = close + 1;
    return ST_OK;
}

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#if LDBL_MANT_DIG >= 64
/* Whether long double arithmetic really carries 64 bits here: not under valgrind, nor when a host program
** has set the x87 precision to 53 bits. Checked once per parse; volatile keeps it from being folded. */
static bool ldbl_is_wide(void)
{
    volatile long double one = 1.0L, eps = 1.0L / 18446744073709551616.0L * 4096.0L; /* 2^-52 */
    return one + eps / 2.0L != one;
}

/* For 16 to 19 digits (shortest round-trip output is mostly 17): m and 10^|e| (|e| <= 27, 5^27 < 2^64) are
** exact in a 64-bit long double, so one operation rounds once to 64 bits. Rounding that again to 53 bits is
** wrong only when the first result sits exactly halfway between two doubles; then strtod decides. */
static bool ldbl_path(uint64_t m, long e10, double *out)
{
    static const long double pow10l_exact[] = {
        1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,  1e10L, 1e11L, 1e12L, 1e13L,
        1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};
    long double p = pow10l_exact[e10 < 0 ? -e10 : e10];
    long double r = e10 < 0 ? (long double)m / p : (long double)m * p;
    double d = (double)r;
    if ((long double)d != r) {
        double nb = nextafter(d, (long double)d < r ? (double)INFINITY : -(double)INFINITY);
        long double half = ((long double)d + (long double)nb) / 2.0L;
        if (half == r) return false;
    }
    *out = d;
    return true;
}
#else
static bool ldbl_is_wide(void) { return false; }

static bool ldbl_path(uint64_t m, long e10, double *out)
{
    (void)m;
    (void)e10;
    (void)out;
    return false;
}
#endif

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Checks the JSON number grammar while collecting up to 19 significant digits. When the digits fit in 53
** bits and the power of ten is exact in a double (|e| <= 22), one correctly rounded multiply or divide gives
** the right answer (Clinger's fast path); up to 19 digits usually take the long double path above; the
** rest (more digits, far exponents, halfway cases) goes to strtod on a NUL-terminated copy. */
static st_status parse_number(parser *P, double *out)
{
    const char *start = P->p, *q = start, *end = P->end;
    bool neg = false, many = false;
    uint64_t m = 0;
    int ndig = 0;
    long e10 = 0;
    if (*q == '-') {
        neg = true;
        q++;
    }
    if (q >= end || !is_digit(*q)) return unexpected(P, q, "a digit in the number");
    if (*q == '0') {
        q++;
        if (q < end && is_digit(*q)) return perr(P, q, ST_EPARSE, "invalid number: leading zero");
    } else {
        while (q < end && is_digit(*q)) {
            if (ndig < 19) {
                m = m * 10 + (uint64_t)(*q - '0');
                ndig++;
            } else {
                many = true;
                e10++;
            }
            q++;
        }
    }
    if (q < end && *q == '.') {
        q++;
        if (q >= end || !is_digit(*q)) return unexpected(P, q, "a digit after the decimal point");
        while (q < end && is_digit(*q)) {
            int d = *q - '0';
            if (m == 0 && d == 0) {
                e10--;
            } else if (ndig < 19) {
                m = m * 10 + (uint64_t)d;
                ndig++;
                e10--;
            } else {
                many = true;
            }
            q++;
        }
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        bool eneg = false;
        if (q < end && (*q == '+' || *q == '-')) eneg = *q++ == '-';
        if (q >= end || !is_digit(*q)) return unexpected(P, q, "a digit in the exponent");
        long ev = 0;
        while (q < end && is_digit(*q)) {
            if (ev < 100000) ev = ev * 10 + (*q - '0');
            q++;
        }
        e10 += eneg ? -ev : ev;
    }
    P->p = q;
    double x;
    if (m == 0) {
        x = 0.0;
    } else if (!many && m <= ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
        x = (double)m;
        x = e10 < 0 ? x / pow10_exact[-e10] : x * pow10_exact[e10];
    } else if (!many && e10 >= -27 && e10 <= 27 && P->wide_ldbl && ldbl_path(m, e10, &x)) {
        /* x is set */
    } else {
        char small[80];
        size_t len = (size_t)(q - start);
        char *buf = small;
        if (len >= sizeof small) {
            buf = st__malloc(P->ctx, len + 1);
            if (!buf) return ST_ENOMEM;
        }
        memcpy(buf, start, len);
        buf[len] = '\0';
        char *endp;
        x = strtod(buf, &endp);
        bool whole = endp == buf + len;
        if (buf != small) st__free(P->ctx, buf, len + 1);
        if (!whole) return perr(P, start, ST_EPARSE, "invalid number");
        if (isinf(x)) return perr(P, start, ST_EPARSE, "number out of range (beyond +-1.8e308)");
        x = fabs(x);
    }
    *out = neg ? -x : x;
    return ST_OK;
}

static st_status parse_value(parser *P, st_json *v);

static st_status close_container(parser *P, st_json *v, unsigned char type, size_t base, size_t kbase)
{
    size_t n = P->nvals - base;
    size_t bytes, kbytes = 0;
    if (!st__mul_ok(n, sizeof(st_json), &bytes) ||
        (type == ST_JSON_OBJECT && !st__mul_ok(n, sizeof(char *), &kbytes)))
        return st__error(P->ctx, ST_ENOMEM, "JSON tree too large");
    v->type = type;
    v->b = false;
    v->len = (uint32_t)n;
    v->u.kids = NULL;
    if (n) {
        st_json *kids = arena_alloc(P->ctx, P->doc, bytes + kbytes);
        if (!kids) return ST_ENOMEM;
        memcpy(kids, P->vals + base, bytes);
        if (kbytes) memcpy((void *)(kids + n), (const void *)(P->keys + kbase), kbytes);
        v->u.kids = kids;
    }
    P->nvals = base;
    P->nkeys = kbase;
    P->depth--;
    return ST_OK;
}

static st_status enter(parser *P)
{
    if (++P->depth > JSON_MAX_DEPTH)
        return perr(P, P->p, ST_ELIMIT, "nesting deeper than %d levels", JSON_MAX_DEPTH);
    P->p++;
    return ST_OK;
}

static st_status parse_array(parser *P, st_json *v)
{
    st_status rc = enter(P);
    if (rc) return rc;
    size_t base = P->nvals;
    skip_ws(P);
    if (P->p < P->end && *P->p == ']') {
        P->p++;
        return close_container(P, v, ST_JSON_ARRAY, base, P->nkeys);
    }
    for (;;) {
        st_json item;
        rc = parse_value(P, &item);
        if (rc) return rc;
        if (!push_val(P, &item)) return ST_ENOMEM;
        skip_ws(P);
        if (P->p < P->end && *P->p == ',') {
            P->p++;
            continue;
        }
        if (P->p < P->end && *P->p == ']') break;
        return unexpected(P, P->p, "',' or ']' in the array");
    }
    P->p++;
    return close_container(P, v, ST_JSON_ARRAY, base, P->nkeys);
}

static st_status parse_object(parser *P, st_json *v)
{
    st_status rc = enter(P);
    if (rc) return rc;
    size_t base = P->nvals, kbase = P->nkeys;
    skip_ws(P);
    if (P->p < P->end && *P->p == '}') {
        P->p++;
        return close_container(P, v, ST_JSON_OBJECT, base, kbase);
    }
    for (;;) {
        skip_ws(P);
        if (P->p >= P->end || *P->p != '"') return unexpected(P, P->p, "a string key");
        const char *key;
        size_t klen;
        rc = parse_string(P, &key, &klen);
        if (rc) return rc;
        skip_ws(P);
        if (P->p >= P->end || *P->p != ':') return unexpected(P, P->p, "':' after the key");
        P->p++;
        st_json item;
        rc = parse_value(P, &item);
        if (rc) return rc;
        if (!push_val(P, &item) || !push_key(P, key)) return ST_ENOMEM;
        skip_ws(P);
        if (P->p < P->end && *P->p == ',') {
            P->p++;
            continue;
        }
        if (P->p < P->end && *P->p == '}') break;
        return unexpected(P, P->p, "',' or '}' in the object");
    }
    P->p++;
    return close_container(P, v, ST_JSON_OBJECT, base, kbase);
}

static st_status parse_literal(parser *P, st_json *v, const char *word, unsigned char type, bool b)
{
    size_t n = strlen(word);
    if ((size_t)(P->end - P->p) < n || memcmp(P->p, word, n) != 0) {
        char tmp[16];
        return perr(P, P->p, ST_EPARSE, "unexpected %s, expected a JSON value", describe(P, P->p, tmp, sizeof tmp));
    }
    P->p += n;
    v->type = type;
    v->b = b;
    v->len = 0;
    v->u.kids = NULL;
    return ST_OK;
}

static st_status parse_value(parser *P, st_json *v)
{
    skip_ws(P);
    if (P->p >= P->end) return unexpected(P, P->p, "a JSON value");
    switch (*P->p) {
    case '{': return parse_object(P, v);
    case '[': return parse_array(P, v);
    case '"': {
        v->type = ST_JSON_STRING;
        v->b = false;
        size_t n = 0;
        st_status rc = parse_string(P, &v->u.str, &n);
        v->len = (uint32_t)n;
        return rc;
    }
    case 't': return parse_literal(P, v, "true", ST_JSON_BOOL, true);
    case 'f': return parse_literal(P, v, "false", ST_JSON_BOOL, false);
    case 'n': return parse_literal(P, v, "null", ST_JSON_NULL, false);
    default:
        if (*P->p == '-' || is_digit(*P->p)) {
            v->type = ST_JSON_NUMBER;
            v->b = false;
            v->len = 0;
            return parse_number(P, &v->u.num);
        }
        return unexpected(P, P->p, "a JSON value");
    }
}

st_status st__json_parse(st_context *ctx, const char *text, size_t len, const char *name, st_json **out)
{
    if (!out) return st__error(ctx, ST_EINVAL, "st__json_parse: out is NULL");
    *out = NULL;
    if (!text && len) return st__error(ctx, ST_EINVAL, "st__json_parse: text is NULL");
    if (!text) text = "";
    if (len > UINT32_MAX - 1) return st__error(ctx, ST_ELIMIT, "%s: JSON text larger than 4 GiB", name ? name : "<json>");
    json_doc *d = st__malloc(ctx, sizeof *d);
    if (!d) return ST_ENOMEM;
    memset(d, 0, sizeof *d);
    d->next_size = ARENA_FIRST_CHUNK;
    /* the input size bounds the tree: start with a chunk in proportion, so big inputs take few chunks */
    while (d->next_size < ARENA_MAX_CHUNK && d->next_size < len) d->next_size *= 2;

    parser P;
    memset(&P, 0, sizeof P);
    P.ctx = ctx;
    P.start = P.p = text;
    P.end = text + len;
    P.name = name ? name : "<json>";
    P.doc = d;
    P.wide_ldbl = ldbl_is_wide();
    /* RFC 8259 section 8.1: a parser may ignore a byte order mark */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) P.p += 3;

    st_status rc = parse_value(&P, &d->root);
    if (!rc) {
        skip_ws(&P);
        if (P.p < P.end) {
            char tmp[16];
            rc = perr(&P, P.p, ST_EPARSE, "unexpected %s after the JSON value", describe(&P, P.p, tmp, sizeof tmp));
        }
    }
    st__free(ctx, P.vals, P.capvals * sizeof *P.vals);
    st__free(ctx, (void *)P.keys, P.capkeys * sizeof *P.keys);
    if (rc) {
        doc_free(ctx, d);
        return rc;
    }
    *out = &d->root;
    return ST_OK;
}

st_status st__json_parse_file(st_context *ctx, const char *path, st_json **out)
{
    if (!out) return st__error(ctx, ST_EINVAL, "st__json_parse_file: out is NULL");
    *out = NULL;
    if (!path) return st__error(ctx, ST_EINVAL, "st__json_parse_file: path is NULL");
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    FILE *fp = stdin;
    if (!is_stdin) {
        fp = fopen(path, "rb");
        if (!fp) return st__error(ctx, ST_EIO, "%s: cannot open: %s", path, strerror(errno));
        struct stat sb;
        if (fstat(fileno(fp), &sb) != 0) {
            int e = errno;
            fclose(fp);
            return st__error(ctx, ST_EIO, "%s: cannot stat: %s", path, strerror(e));
        }
        if (S_ISDIR(sb.st_mode)) {
            fclose(fp);
            return st__error(ctx, ST_EIO, "%s: is a directory", path);
        }
        if (S_ISREG(sb.st_mode)) {
            if ((uint64_t)sb.st_size > (uint64_t)JSON_MAX_FILE) {
                fclose(fp);
                return st__error(ctx, ST_ELIMIT, "%s: file larger than 1 GiB", name);
            }
            /* A regular file is mapped rather than copied: half the memory touched and no copy, which
            ** halves the time for a large MDP.json. (Truncating the file while it is parsed would fault.) */
            size_t n = (size_t)sb.st_size;
            void *map = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fileno(fp), 0) : MAP_FAILED;
            if (map != MAP_FAILED) {
                fclose(fp);
                st_status rc = st__json_parse(ctx, map, n, name, out);
                munmap(map, n);
                return rc;
            }
        }
    }
    char *data = NULL;
    size_t len = 0, cap = 0;
    st_status rc = st__read_stream(ctx, fp, name, JSON_MAX_FILE, &data, &len, &cap);
    if (!is_stdin) fclose(fp);
    if (!rc) rc = st__json_parse(ctx, data, len, name, out);
    st__free(ctx, data, cap);
    return rc;
}

void st__json_free(st_context *ctx, st_json *root)
{
    if (root) doc_free(ctx, (json_doc *)(void *)root);
}

st_json_type st__json_type(const st_json *v) { return v ? (st_json_type)v->type : ST_JSON_NULL; }

double st__json_number(const st_json *v) { return v && v->type == ST_JSON_NUMBER ? v->u.num : (double)NAN; }

bool st__json_bool(const st_json *v) { return v && v->type == ST_JSON_BOOL && v->b; }

const char *st__json_string(const st_json *v) { return v && v->type == ST_JSON_STRING ? v->u.str : NULL; }

size_t st__json_string_len(const st_json *v) { return v && v->type == ST_JSON_STRING ? v->len : 0; }

size_t st__json_len(const st_json *v)
{
    return v && (v->type == ST_JSON_ARRAY || v->type == ST_JSON_OBJECT) ? v->len : 0;
}

const st_json *st__json_at(const st_json *v, size_t i)
{
    if (!v || (v->type != ST_JSON_ARRAY && v->type != ST_JSON_OBJECT) || i >= v->len) return NULL;
    return &v->u.kids[i];
}

const char *st__json_key(const st_json *v, size_t i)
{
    if (!v || v->type != ST_JSON_OBJECT || i >= v->len) return NULL;
    const char *const *keys = (const char *const *)(const void *)(v->u.kids + v->len);
    return keys[i];
}

const st_json *st__json_get(const st_json *obj, const char *key)
{
    /* an empty object has no kids array: NULL + 0 is undefined behaviour */
    if (!obj || !key || obj->type != ST_JSON_OBJECT || obj->len == 0) return NULL;
    const char *const *keys = (const char *const *)(const void *)(obj->u.kids + obj->len);
    for (size_t i = 0; i < obj->len; i++)
        if (strcmp(keys[i], key) == 0) return &obj->u.kids[i];
    return NULL;
}

/* ---- writer ------------------------------------------------------------------------------------------ */

void st__jw_init(st_jw *w, st_buf *b, int indent)
{
    memset(w, 0, sizeof *w);
    w->b = b;
    w->indent = indent < 0 ? 0 : indent;
}

static bool newline_indent(st_jw *w, int depth)
{
    if (w->indent <= 0) return true;
    size_t n = (size_t)w->indent * (size_t)depth;
    if (!st__buf_reserve(w->b, n + 1)) return false;
    w->b->data[w->b->len++] = '\n';
    memset(w->b->data + w->b->len, ' ', n);
    w->b->len += n;
    w->b->data[w->b->len] = '\0';
    return true;
}

/* Separator before a value or key: nothing after a key, else a comma after a sibling and a fresh line. */
static bool before_item(st_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return true;
    }
    if (w->depth == 0) return true;
    if (w->need_comma[w->depth] && !st__buf_putc(w->b, ',')) return false;
    bool first = !w->need_comma[w->depth];
    w->need_comma[w->depth] = true;
    if (w->one_line[w->depth]) return first || st__buf_putc(w->b, ' ');
    return newline_indent(w, w->depth);
}

static bool open_container(st_jw *w, char c, bool one_line)
{
    if (!before_item(w)) return false;
    if (w->depth + 1 >= (int)(sizeof w->need_comma / sizeof w->need_comma[0])) {
        st__error(w->b->ctx, ST_ELIMIT, "JSON writer: nesting deeper than %d levels",
                  (int)(sizeof w->need_comma / sizeof w->need_comma[0]) - 1);
        return false;
    }
    if (!st__buf_putc(w->b, c)) return false;
    bool in_line = w->depth > 0 && w->one_line[w->depth];
    w->depth++;
    w->need_comma[w->depth] = false;
    w->one_line[w->depth] = one_line || in_line;
    return true;
}

static bool close_container_w(st_jw *w, char c)
{
    if (w->depth <= 0) {
        st__error(w->b->ctx, ST_EINVAL, "JSON writer: unbalanced close");
        return false;
    }
    bool had_items = w->need_comma[w->depth] && !w->one_line[w->depth];
    w->depth--;
    w->after_key = false;
    if (had_items && !newline_indent(w, w->depth)) return false;
    return st__buf_putc(w->b, c);
}

static bool jw_null(st_jw *w);
static bool jw_string_n(st_jw *w, const char *s, size_t n);

static bool jw_begin_object(st_jw *w) { return open_container(w, '{', false); }
static bool jw_end_object(st_jw *w) { return close_container_w(w, '}'); }
static bool jw_begin_array(st_jw *w) { return open_container(w, '[', false); }
static bool jw_end_array(st_jw *w) { return close_container_w(w, ']'); }

static bool put_string(st_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (!st__buf_putc(b, '"')) return false;
    size_t run = 0; /* bytes that need no escape are appended in runs */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (i > run && !st__buf_append(b, s + run, i - run)) return false;
        run = i + 1;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t k = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        if (!st__buf_append(b, esc, k)) return false;
    }
    if (n > run && !st__buf_append(b, s + run, n - run)) return false;
    return st__buf_putc(b, '"');
}

static bool jw_key(st_jw *w, const char *key)
{
    if (!before_item(w)) return false;
    if (!put_string(w->b, key, strlen(key))) return false;
    if (!st__buf_append(w->b, ": ", w->indent > 0 ? 2 : 1)) return false;
    w->after_key = true;
    return true;
}

static bool jw_number(st_jw *w, double x)
{
    if (!before_item(w)) return false;
    if (!isfinite(x)) return st__buf_append(w->b, "null", 4);
    if (x == 0.0 && signbit(x)) return st__buf_append(w->b, "-0", 2); /* keep the sign through a round trip */
    return st__buf_put_double(w->b, x);
}

static bool jw_int(st_jw *w, long long x)
{
    if (!before_item(w)) return false;
    return st__buf_printf(w->b, "%lld", x);
}

static bool jw_string(st_jw *w, const char *s)
{
    if (!s) return jw_null(w);
    return jw_string_n(w, s, strlen(s));
}

static bool jw_string_n(st_jw *w, const char *s, size_t n)
{
    if (!before_item(w)) return false;
    return put_string(w->b, s, n);
}

static bool jw_bool(st_jw *w, bool x)
{
    if (!before_item(w)) return false;
    return x ? st__buf_append(w->b, "true", 4) : st__buf_append(w->b, "false", 5);
}

static bool jw_null(st_jw *w)
{
    if (!before_item(w)) return false;
    return st__buf_append(w->b, "null", 4);
}


/* The public writers: once one fails, the writer stays failed and every later call returns false at once
** (SQLite's sqlite3_str), so a caller may write a whole document and check st__jw_ok once. */
#define JW_STICKY(call) \
    do {                \
        if (w->failed) return false; \
        if (!(call)) w->failed = true; \
        return !w->failed; \
    } while (0)
bool st__jw_begin_object(st_jw *w) { JW_STICKY(jw_begin_object(w)); }
bool st__jw_end_object(st_jw *w) { JW_STICKY(jw_end_object(w)); }
bool st__jw_begin_array(st_jw *w) { JW_STICKY(jw_begin_array(w)); }
bool st__jw_begin_object_inline(st_jw *w) { JW_STICKY(open_container(w, '{', true)); }
bool st__jw_begin_array_inline(st_jw *w) { JW_STICKY(open_container(w, '[', true)); }
bool st__jw_end_array(st_jw *w) { JW_STICKY(jw_end_array(w)); }
bool st__jw_key(st_jw *w, const char *key) { JW_STICKY(jw_key(w, key)); }
bool st__jw_number(st_jw *w, double x) { JW_STICKY(jw_number(w, x)); }
bool st__jw_int(st_jw *w, long long x) { JW_STICKY(jw_int(w, x)); }
bool st__jw_string(st_jw *w, const char *s) { JW_STICKY(jw_string(w, s)); }
bool st__jw_string_n(st_jw *w, const char *s, size_t n) { JW_STICKY(jw_string_n(w, s, n)); }
bool st__jw_bool(st_jw *w, bool x) { JW_STICKY(jw_bool(w, x)); }
bool st__jw_null(st_jw *w) { JW_STICKY(jw_null(w)); }
bool st__jw_ok(const st_jw *w) { return !w->failed; }
bool st__jw_kv_num(st_jw *w, const char *key, double x) { return st__jw_key(w, key) && st__jw_number(w, x); }
bool st__jw_kv_int(st_jw *w, const char *key, long long x) { return st__jw_key(w, key) && st__jw_int(w, x); }
bool st__jw_kv_str(st_jw *w, const char *key, const char *s) { return st__jw_key(w, key) && st__jw_string(w, s); }
bool st__jw_kv_bool(st_jw *w, const char *key, bool x) { return st__jw_key(w, key) && st__jw_bool(w, x); }

st_status st__jw_finish(st_jw *w, const char *what, char **out, size_t *len)
{
    *out = NULL;
    if (!st__jw_ok(w) || w->depth != 0 || !st__buf_putc(w->b, '\n')) {
        st__buf_free(w->b);
        if (w->depth != 0 && st__jw_ok(w)) return st__error(w->b->ctx, ST_EINVAL, "%s: unbalanced JSON", what);
        return st__error(w->b->ctx, ST_ENOMEM, "%s: out of memory", what);
    }
    if (len) *len = w->b->len;
    *out = w->b->data;
    w->b->data = NULL;
    w->b->len = w->b->cap = 0;
    return ST_OK;
}

bool st__jw_value(st_jw *w, const st_json *v)
{
    switch (st__json_type(v)) {
    case ST_JSON_NULL: return st__jw_null(w);
    case ST_JSON_BOOL: return st__jw_bool(w, v->b);
    case ST_JSON_NUMBER: return st__jw_number(w, v->u.num);
    case ST_JSON_STRING: return st__jw_string_n(w, v->u.str, v->len);
    case ST_JSON_ARRAY:
        if (!st__jw_begin_array(w)) return false;
        for (size_t i = 0; i < v->len; i++)
            if (!st__jw_value(w, &v->u.kids[i])) return false;
        return st__jw_end_array(w);
    case ST_JSON_OBJECT:
        if (!st__jw_begin_object(w)) return false;
        for (size_t i = 0; i < v->len; i++) {
            if (!st__jw_key(w, st__json_key(v, i)) || !st__jw_value(w, &v->u.kids[i])) return false;
        }
        return st__jw_end_object(w);
    }
    return false;
}
