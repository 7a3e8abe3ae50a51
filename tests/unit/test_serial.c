/* The byte format of partial states (core/serial.h): the exact frame and field bytes, round trips of every
** field type at its extremes, clean ST_EFORMAT on truncation at every length, foreign kinds, newer versions,
** flipped bytes and hostile counts; the interner's serialization; the writer under allocation failure. */
#include "test.h"
#include "failalloc.h"
#include "core/serial.h"
#include "core/strmap.h"

#include <stdint.h>

static const unsigned char *ub(const char *p) { return (const unsigned char *)p; }

/* A copy of n bytes in a block of exactly n bytes, so that AddressSanitizer sees any read past the end. */
static char *exact_copy(const char *p, size_t n)
{
    char *q = malloc(n ? n : 1);
    if (n) memcpy(q, p, n);
    return q;
}

static bool has(const char *msg, const char *part) { return strstr(msg, part) != NULL; }

/* A state of kind "test" holding one of each field. */
static st_status write_sample(st_context *ctx, char **buf, size_t *len)
{
    st__wbuf w;
    st__wbuf_begin(&w, ctx, "test", 3);
    st__wbuf_u32(&w, 0x01020304u);
    st__wbuf_u8(&w, 0xAB);
    st__wbuf_u64(&w, UINT64_MAX);
    st__wbuf_i32(&w, INT32_MIN);
    st__wbuf_i64(&w, INT64_MIN);
    st__wbuf_f64(&w, -0.0);
    uint64_t nan_bits = 0x7FF8000000000123ULL;
    double nan;
    memcpy(&nan, &nan_bits, sizeof nan);
    st__wbuf_f64(&w, nan);
    st__wbuf_f64(&w, -INFINITY);
    st__wbuf_bytes(&w, "hello", 5);
    st__wbuf_bytes(&w, NULL, 0);
    st__wbuf_i32(&w, -2);
    return st__wbuf_finish(&w, buf, len);
}

/* Reads the sample back; returns st__rbuf_end's status (or the frame's). */
static st_status read_sample(st_context *ctx, const char *buf, size_t len, bool check_values)
{
    st__rbuf r;
    uint32_t ver;
    st_status rc = st__rbuf_begin(&r, ctx, buf, len, "test", 3, &ver);
    if (rc != ST_OK) return rc;
    uint32_t u32;
    uint8_t u8;
    uint64_t u64;
    int32_t i32, m2;
    int64_t i64;
    double z, nan, inf;
    const char *s, *e;
    size_t sn, en;
    st__rbuf_u32(&r, "the u32", &u32);
    st__rbuf_u8(&r, "the u8", &u8);
    st__rbuf_u64(&r, "the u64", &u64);
    st__rbuf_i32(&r, "the i32", &i32);
    st__rbuf_i64(&r, "the i64", &i64);
    st__rbuf_f64(&r, "the zero", &z);
    st__rbuf_f64(&r, "the nan", &nan);
    st__rbuf_f64(&r, "the infinity", &inf);
    st__rbuf_bytes(&r, "the greeting", &s, &sn);
    st__rbuf_bytes(&r, "the empty string", &e, &en);
    st__rbuf_i32(&r, "the last i32", &m2);
    rc = st__rbuf_end(&r);
    if (check_values && rc == ST_OK) {
        CHECK_EQ_INT(ver, 3);
        CHECK_EQ_INT(u32, 0x01020304u);
        CHECK_EQ_INT(u8, 0xAB);
        CHECK(u64 == UINT64_MAX);
        CHECK(i32 == INT32_MIN);
        CHECK(i64 == INT64_MIN);
        CHECK(z == 0 && signbit(z));
        uint64_t bits;
        memcpy(&bits, &nan, sizeof bits);
        CHECK(bits == 0x7FF8000000000123ULL);
        CHECK(isinf(inf) && inf < 0);
        CHECK(sn == 5 && memcmp(s, "hello", 5) == 0);
        CHECK_EQ_INT(en, 0);
        CHECK_EQ_INT(m2, -2);
    }
    return rc;
}

static void test_layout(st_context *ctx)
{
    CHECK_EQ_INT(st__crc32("123456789", 9), 0xCBF43926u); /* the CRC-32 check value */
    CHECK_EQ_INT(st__crc32("", 0), 0);
    char *buf = NULL;
    size_t len = 0;
    CHECK_EQ_INT(write_sample(ctx, &buf, &len), ST_OK);
    size_t L = 4 + 1 + 8 + 4 + 8 + 8 + 8 + 8 + (4 + 5) + 4 + 4;
    CHECK_EQ_INT(len, 24 + 4 + L);
    const unsigned char *p = ub(buf);
    CHECK(memcmp(p, "STRT", 4) == 0);
    CHECK(p[4] == 3 && p[5] == 0 && p[6] == 0 && p[7] == 0);   /* version, little-endian */
    CHECK(p[8] == 4 && p[9] == 0 && p[10] == 0 && p[11] == 0); /* kind length */
    CHECK(memcmp(p + 12, "test", 4) == 0);
    uint64_t got_len = 0;
    for (int k = 7; k >= 0; k--) got_len = got_len << 8 | p[16 + k];
    CHECK_EQ_INT(got_len, L);
    uint32_t crc = (uint32_t)p[24] | (uint32_t)p[25] << 8 | (uint32_t)p[26] << 16 | (uint32_t)p[27] << 24;
    CHECK_EQ_INT(crc, st__crc32(p + 28, L));
    const unsigned char *q = p + 28;
    CHECK(q[0] == 4 && q[1] == 3 && q[2] == 2 && q[3] == 1); /* u32 0x01020304 */
    CHECK(q[4] == 0xAB);
    CHECK(q[13] == 0x00 && q[14] == 0x00 && q[15] == 0x00 && q[16] == 0x80); /* INT32_MIN */
    CHECK(q[25] == 0 && q[32] == 0x80);                                       /* -0.0: only the sign bit */
    CHECK_EQ_INT(read_sample(ctx, buf, len, true), ST_OK);
    st_free(ctx, buf);
}

static void test_truncation_and_damage(st_context *ctx)
{
    char *buf = NULL;
    size_t len = 0;
    CHECK_EQ_INT(write_sample(ctx, &buf, &len), ST_OK);
    /* every proper prefix fails cleanly, with a message */
    for (size_t n = 0; n < len; n++) {
        char *c = exact_copy(buf, n);
        st_clear_error(ctx);
        CHECK_EQ_INT(read_sample(ctx, c, n, false), ST_EFORMAT);
        CHECK(has(st_errmsg(ctx), "test state: "));
        free(c);
    }
    st_clear_error(ctx);
    CHECK_EQ_INT(read_sample(ctx, NULL, 0, false), ST_EFORMAT);
    CHECK(has(st_errmsg(ctx), "truncated reading the magic number"));
    /* every flipped byte is caught (by the frame checks or the checksum) */
    for (size_t k = 0; k < len; k++) {
        char *c = exact_copy(buf, len);
        c[k] = (char)(c[k] ^ 0x10);
        CHECK_EQ_INT(read_sample(ctx, c, len, false), ST_EFORMAT);
        free(c);
    }
    CHECK(has(st_errmsg(ctx), "checksum mismatch"));
    /* trailing bytes */
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    CHECK_EQ_INT(read_sample(ctx, longer, len + 1, false), ST_EFORMAT);
    CHECK(has(st_errmsg(ctx), "trailing bytes"));
    free(longer);
    /* another kind, another magic, a newer version */
    st__rbuf r;
    uint32_t ver;
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "summary_acc", 1, &ver), ST_EFORMAT);
    CHECK(has(st_errmsg(ctx), "summary_acc state: this is a \"test\" state, not a \"summary_acc\" one"));
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "test", 2, &ver), ST_EFORMAT);
    CHECK(has(st_errmsg(ctx), "format version 3"));
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, "{\"json\": 1}", 11, "test", 3, &ver), ST_EFORMAT);
    CHECK(has(st_errmsg(ctx), "not a Strata partial state"));
    /* a read past the payload names what it was reading; the reader then stays failed */
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "test", 3, &ver), ST_OK);
    uint64_t big;
    for (int k = 0; k < 8; k++) CHECK(st__rbuf_u64(&r, "padding", &big)); /* 64 of the 66 bytes */
    CHECK(!st__rbuf_u64(&r, "the ninth u64", &big));
    CHECK(has(st_errmsg(ctx), "truncated reading the ninth u64"));
    CHECK(big == 0);
    uint8_t small = 7;
    CHECK(!st__rbuf_u8(&r, "a byte", &small)); /* would fit, but the reader has failed */
    CHECK(small == 0);
    CHECK_EQ_INT(st__rbuf_end(&r), ST_EFORMAT);
    /* unread bytes at the end */
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "test", 3, &ver), ST_OK);
    CHECK_EQ_INT(st__rbuf_end(&r), ST_EFORMAT);
    CHECK(has(st_errmsg(ctx), "unread bytes"));
    st_free(ctx, buf);
}

static void test_hostile_counts(st_context *ctx)
{
    st__wbuf w;
    st__wbuf_begin(&w, ctx, "test", 1);
    st__wbuf_u64(&w, UINT64_MAX / 2); /* a count */
    st__wbuf_u32(&w, 0xFFFFFFF0u);    /* a byte length */
    st__wbuf_u8(&w, 2);               /* a bool */
    char *buf;
    size_t len;
    CHECK_EQ_INT(st__wbuf_finish(&w, &buf, &len), ST_OK);
    st__rbuf r;
    uint32_t ver;
    size_t n = 1;
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "test", 1, &ver), ST_OK);
    CHECK(!st__rbuf_count(&r, "customers", 4, &n));
    CHECK(n == 0);
    CHECK(has(st_errmsg(ctx), "customers cannot fit in the 5 bytes left"));
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "test", 1, &ver), ST_OK);
    uint64_t skip;
    const char *p;
    st__rbuf_u64(&r, "skip", &skip);
    CHECK(!st__rbuf_bytes(&r, "a name", &p, &n));
    CHECK(p == NULL && n == 0);
    CHECK(has(st_errmsg(ctx), "truncated reading a name"));
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "test", 1, &ver), ST_OK);
    uint32_t skip32;
    bool flag = true;
    st__rbuf_u64(&r, "skip", &skip);
    st__rbuf_u32(&r, "skip", &skip32);
    CHECK(!st__rbuf_bool(&r, "the flag", &flag));
    CHECK(!flag);
    CHECK(has(st_errmsg(ctx), "the flag is 2, not 0 or 1"));
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "test", 1, &ver), ST_OK);
    CHECK(st__rbuf_need(&r, "bytes", 13, 1));
    CHECK(!st__rbuf_need(&r, "columns", SIZE_MAX / 2, 8));
    st_free(ctx, buf);
    /* a length beyond the u32 prefix is refused before anything is read from p */
    st__wbuf_begin(&w, ctx, "test", 1);
    st__wbuf_bytes(&w, "x", (size_t)UINT32_MAX + 1);
    st__wbuf_u8(&w, 1); /* ignored after the failure */
    buf = NULL;
    CHECK_EQ_INT(st__wbuf_finish(&w, &buf, &len), ST_ELIMIT);
    CHECK(buf == NULL);
    st__wbuf_begin(&w, ctx, "", 1);
    CHECK_EQ_INT(st__wbuf_finish(&w, &buf, &len), ST_EINVAL);
    CHECK(buf == NULL);
}

static void test_strmap(st_context *ctx)
{
    st__strmap m, back;
    st__strmap_init(&m, ctx, 0);
    const char *keys[] = {"alice", "bob", "", "carol\nwith a newline", "dave"};
    for (size_t k = 0; k < 5; k++) {
        uint32_t id;
        CHECK_EQ_INT(st__strmap_intern(&m, keys[k], strlen(keys[k]), &id), ST_OK);
    }
    st__wbuf w;
    st__wbuf_begin(&w, ctx, "map", 1);
    st__strmap_write(&w, &m);
    char *buf;
    size_t len;
    CHECK_EQ_INT(st__wbuf_finish(&w, &buf, &len), ST_OK);
    st__rbuf r;
    uint32_t ver;
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "map", 1, &ver), ST_OK);
    st__strmap_init(&back, ctx, 0);
    CHECK_EQ_INT(st__strmap_read(&r, &back, "key"), ST_OK);
    CHECK_EQ_INT(st__rbuf_end(&r), ST_OK);
    CHECK_EQ_INT(back.n, 5);
    for (uint32_t k = 0; k < 5; k++) CHECK_STR(st__strmap_key(&back, k), keys[k]);
    st__strmap_free(&back);
    /* more keys than the map takes */
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "map", 1, &ver), ST_OK);
    st__strmap_init(&back, ctx, 4);
    CHECK_EQ_INT(st__strmap_read(&r, &back, "key"), ST_EFORMAT);
    CHECK(has(st_errmsg(ctx), "5 distinct keys (at most 4)"));
    st__strmap_free(&back);
    st_free(ctx, buf);
    /* a duplicate key */
    st__wbuf_begin(&w, ctx, "map", 1);
    st__wbuf_u64(&w, 2);
    st__wbuf_bytes(&w, "x", 1);
    st__wbuf_bytes(&w, "x", 1);
    CHECK_EQ_INT(st__wbuf_finish(&w, &buf, &len), ST_OK);
    CHECK_EQ_INT(st__rbuf_begin(&r, ctx, buf, len, "map", 1, &ver), ST_OK);
    st__strmap_init(&back, ctx, 0);
    CHECK_EQ_INT(st__strmap_read(&r, &back, "key"), ST_EFORMAT);
    CHECK(has(st_errmsg(ctx), "key \"x\" appears twice"));
    st__strmap_free(&back);
    st_free(ctx, buf);
    st__strmap_free(&m);
}

/* The writer and the map reader under allocation failure: ST_ENOMEM, nothing leaked. */
static st_status torture_job(t_failer *f, void *arg)
{
    (void)arg;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    st__strmap m, back;
    st__strmap_init(&m, ctx, 0);
    st__strmap_init(&back, ctx, 0);
    st_status rc = ST_OK;
    char key[32];
    for (int k = 0; k < 3000 && rc == ST_OK; k++) {
        uint32_t id;
        int n = snprintf(key, sizeof key, "customer-%d", k);
        rc = st__strmap_intern(&m, key, (size_t)n, &id);
    }
    char *buf = NULL;
    size_t len = 0;
    if (rc == ST_OK) {
        st__wbuf w;
        st__wbuf_begin(&w, ctx, "map", 1);
        st__strmap_write(&w, &m);
        for (int k = 0; k < 1000; k++) st__wbuf_f64(&w, k * 0.5);
        rc = st__wbuf_finish(&w, &buf, &len);
    }
    if (rc == ST_OK) {
        st__rbuf r;
        uint32_t ver;
        rc = st__rbuf_begin(&r, ctx, buf, len, "map", 1, &ver);
        if (rc == ST_OK) rc = st__strmap_read(&r, &back, "key");
        for (int k = 0; k < 1000 && rc == ST_OK; k++) {
            double x;
            st__rbuf_f64(&r, "x", &x);
            CHECK(x == k * 0.5);
        }
        if (rc == ST_OK) rc = st__rbuf_end(&r);
        if (rc == ST_OK) CHECK_EQ_INT(back.n, 3000);
    }
    if (rc != ST_OK) CHECK(st_errmsg(ctx)[0] != '\0');
    st_free(ctx, buf);
    st__strmap_free(&m);
    st__strmap_free(&back);
    st_context_free(ctx);
    return rc;
}

int main(void)
{
    st_context *ctx;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    test_layout(ctx);
    test_truncation_and_damage(ctx);
    test_hostile_counts(ctx);
    test_strmap(ctx);
    t_alloc_torture("serial", torture_job, NULL);
    st_context_free(ctx);
    T_DONE();
}
