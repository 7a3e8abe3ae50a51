/* Partial states of the BTYD accumulator (st_btyd_acc_serialize / _deserialize): a round trip gives the same
** bytes and a fit equal to the last bit; the merge laws hold through bytes (split, serialize, deserialize,
** merge = one pass; empty is the identity); every truncation and a state of another kind give ST_EFORMAT;
** resealed states with a bad row or rows out of order are refused. */
#include "strata.h"
#include "test.h"
#include "core/serial.h"

#include <stdint.h>

#define N 600

static double X[N], TX[N], TT[N];

/* Integer days, so that rows repeat and weights add up exactly. */
static void make_rows(st_btyd_kind kind)
{
    uint64_t s = 12345;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        unsigned r = (unsigned)(s >> 33);
        if (kind == ST_BTYD_BGBB) {
            TT[i] = 6;
            TX[i] = r % 7;
            X[i] = TX[i] == 0 ? 0 : (r / 7) % (unsigned)(TX[i] + 1);
            if (X[i] == 0) TX[i] = 0;
        } else if (kind == ST_BTYD_GG) {
            X[i] = r % 5;
            TX[i] = 5 + (r / 5) % 40; /* the mean spend */
            TT[i] = 0;
        } else {
            TT[i] = 20 + r % 30;
            X[i] = (r / 30) % 5;
            TX[i] = X[i] == 0 ? 0 : (double)((r / 150) % (unsigned)(TT[i] + 1));
        }
    }
}

static st_btyd_acc *acc_of(st_context *ctx, st_btyd_kind kind, size_t from, size_t to)
{
    st_btyd_acc *a = NULL;
    CHECK_EQ_INT(st_btyd_acc_new(ctx, kind, &a), ST_OK);
    for (size_t i = from; a && i < to; i++) CHECK_EQ_INT(st_btyd_acc_add(a, X[i], TX[i], TT[i], 1.0), ST_OK);
    return a;
}

static st_btyd_acc *through_bytes(st_context *ctx, st_btyd_acc *a)
{
    char *buf = NULL;
    size_t len = 0;
    st_btyd_acc *b = NULL;
    CHECK_EQ_INT(st_btyd_acc_serialize(ctx, a, &buf, &len), ST_OK);
    CHECK_EQ_INT(st_btyd_acc_deserialize(ctx, buf, len, &b), ST_OK);
    st_free(ctx, buf);
    return b;
}

static bool same_bytes(st_context *ctx, st_btyd_acc *a, st_btyd_acc *b)
{
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    bool same = st_btyd_acc_serialize(ctx, a, &x, &nx) == ST_OK && st_btyd_acc_serialize(ctx, b, &y, &ny) == ST_OK &&
                nx == ny && memcmp(x, y, nx) == 0;
    st_free(ctx, x);
    st_free(ctx, y);
    return same;
}

static bool same_fit(st_btyd_acc *a, st_btyd_acc *b)
{
    st_btyd_model *m = NULL, *n = NULL;
    bool same = st_btyd_acc_fit(a, 0.0, 7, &m) == ST_OK && st_btyd_acc_fit(b, 0.0, 7, &n) == ST_OK;
    for (size_t k = 0; same && k < st_btyd_nparams(m); k++) {
        double p = st_btyd_param(m, k), q = st_btyd_param(n, k);
        same = memcmp(&p, &q, sizeof p) == 0;
    }
    st_btyd_free(m);
    st_btyd_free(n);
    return same;
}

static void test_kind(st_context *ctx, st_btyd_kind kind)
{
    make_rows(kind);
    st_btyd_acc *one = acc_of(ctx, kind, 0, N), *a1 = acc_of(ctx, kind, 0, N / 3), *a2 = acc_of(ctx, kind, N / 3, N);
    st_btyd_acc *empty = acc_of(ctx, kind, 0, 0);
    /* round trip */
    st_btyd_acc *r = through_bytes(ctx, one);
    CHECK(r && same_bytes(ctx, one, r));
    CHECK(r && st_btyd_acc_rows(r) == st_btyd_acc_rows(one));
    CHECK(r && same_fit(one, r));
    /* split, through bytes, merge = one pass; empty through bytes is the identity, either side */
    st_btyd_acc *b1 = through_bytes(ctx, a1), *b2 = through_bytes(ctx, a2), *e = through_bytes(ctx, empty);
    CHECK_EQ_INT(st_btyd_acc_merge(b1, b2), ST_OK);
    CHECK_EQ_INT(st_btyd_acc_merge(b1, e), ST_OK);
    CHECK(same_bytes(ctx, b1, one));
    CHECK(same_fit(b1, one));
    CHECK_EQ_INT(st_btyd_acc_merge(e, one), ST_OK);
    CHECK(same_bytes(ctx, e, one));
    /* damage: every truncation, and the frame of another kind */
    char *buf = NULL;
    size_t len = 0;
    CHECK_EQ_INT(st_btyd_acc_serialize(ctx, one, &buf, &len), ST_OK);
    int bad = 0;
    for (size_t k = 0; buf && k < len; k++) {
        st_btyd_acc *t = (st_btyd_acc *)&t;
        bad += st_btyd_acc_deserialize(ctx, buf, k, &t) != ST_EFORMAT || t != NULL;
    }
    CHECK_EQ_INT(bad, 0);
    st_summary_acc *s = NULL;
    CHECK_EQ_INT(st_summary_acc_deserialize(ctx, buf, len, NULL, &s), ST_EFORMAT);
    /* resealed after damage: rows swapped (out of order), a negative weight */
    size_t head = 24 + strlen("btyd_acc"), rows = head + 20;
    if (buf && len >= rows + 64) {
        char *c = malloc(len);
        for (int which = 0; c && which < 2; which++) {
            memcpy(c, buf, len);
            if (which == 0) {
                char tmp[32];
                memcpy(tmp, c + rows, 32);
                memcpy(c + rows, c + rows + 32, 32);
                memcpy(c + rows + 32, tmp, 32);
            } else {
                double w = -1;
                memcpy(c + rows + 24, &w, 8); /* little-endian hosts, as the format */
            }
            uint32_t crc = st__crc32(c + head, len - head);
            for (int k = 0; k < 4; k++) c[head - 4 + (size_t)k] = (char)(crc >> (8 * k));
            st_btyd_acc *t = NULL;
            CHECK_EQ_INT(st_btyd_acc_deserialize(ctx, c, len, &t), ST_EFORMAT);
            CHECK(t == NULL);
            CHECK(strstr(st_errmsg(ctx), "btyd_acc state") != NULL);
        }
        free(c);
    }
    st_free(ctx, buf);
    st_btyd_acc_free(one);
    st_btyd_acc_free(a1);
    st_btyd_acc_free(a2);
    st_btyd_acc_free(empty);
    st_btyd_acc_free(r);
    st_btyd_acc_free(b1);
    st_btyd_acc_free(b2);
    st_btyd_acc_free(e);
}

int main(void)
{
    st_context *ctx = NULL;
    if (st_context_new(&ctx) != ST_OK) return 1;
    test_kind(ctx, ST_BTYD_BGNBD);
    test_kind(ctx, ST_BTYD_BGBB);
    test_kind(ctx, ST_BTYD_GG);
    char *buf = NULL;
    size_t len = 0;
    st_btyd_acc *a = NULL;
    CHECK_EQ_INT(st_btyd_acc_serialize(ctx, NULL, &buf, &len), ST_EINVAL);
    CHECK_EQ_INT(st_btyd_acc_deserialize(ctx, NULL, 3, &a), ST_EINVAL);
    st_context_free(ctx);
    T_DONE();
}
