/* Partial states of the summary accumulator (st_summary_acc_serialize / _deserialize): a round trip gives a
** byte-identical table and a byte-identical state; the merge laws hold through serialization (empty is the
** identity; split, serialize, deserialize, merge = one pass); options are checked; truncated, flipped and
** resealed-but-corrupted bytes fail cleanly; allocation failure gives ST_ENOMEM without leaks. */
#include "test.h"
#include "failalloc.h"
#include "core/serial.h"
#include "features/summary.h"
#include "unit/summary_events.h"

#include <stdint.h>

static st_status add_events(st_summary_acc *a, size_t from, size_t to)
{
    st_status rc = ST_OK;
    for (size_t k = from; k < to && rc == ST_OK; k++) {
        const ev *e = &events[k];
        rc = st_summary_acc_add(a, e->cust, strlen(e->cust), e->day, e->beh, strlen(e->beh), e->amount);
    }
    return rc;
}

static st_summary_acc *make(st_context *ctx, const st_summarize_options *o, int has_money, size_t from, size_t to)
{
    st_summary_acc *a = NULL;
    CHECK_EQ_INT(st_summary_acc_new(ctx, o, has_money, &a), ST_OK);
    CHECK_EQ_INT(add_events(a, from, to), ST_OK);
    return a;
}

/* Same shape, names, types, keys and values bit for bit. */
static bool same_table(const st_table *x, const st_table *y)
{
    if (!x || !y || st_table_nrows(x) != st_table_nrows(y) || st_table_ncols(x) != st_table_ncols(y)) return false;
    size_t n = st_table_nrows(x);
    for (size_t j = 0; j < st_table_ncols(x); j++) {
        if (strcmp(st_table_col_name(x, j), st_table_col_name(y, j)) != 0) return false;
        if (st_table_col_type(x, j) != st_table_col_type(y, j)) return false;
        if (st_table_col_type(x, j) == ST_COL_STR) {
            for (size_t i = 0; i < n; i++)
                if (strcmp(st_table_str(x, j, i), st_table_str(y, j, i)) != 0) return false;
        } else if (n && memcmp(st_table_f64(x, j), st_table_f64(y, j), n * sizeof(double)) != 0) {
            return false;
        }
    }
    return true;
}

static bool same_report(const st_ingest_report *p, const st_ingest_report *q)
{
    return p->rows_used == q->rows_used && p->nonpositive_purchases == q->nonpositive_purchases &&
           p->zero_amount_purchases == q->zero_amount_purchases && p->after_observation_end == q->after_observation_end &&
           p->customers == q->customers && p->first_day == q->first_day && p->last_day == q->last_day &&
           p->observation_end == q->observation_end && p->calibration_end == q->calibration_end &&
           p->purchases == q->purchases && memcmp(&p->revenue, &q->revenue, sizeof p->revenue) == 0;
}

/* Serializes a, deserializes it (with opts, may be NULL) and frees the bytes. */
static st_summary_acc *through_bytes(st_context *ctx, const st_summary_acc *a, const st_summarize_options *opts)
{
    char *buf = NULL;
    size_t len = 0;
    st_summary_acc *b = NULL;
    CHECK_EQ_INT(st_summary_acc_serialize(ctx, a, &buf, &len), ST_OK);
    CHECK_EQ_INT(st_summary_acc_deserialize(ctx, buf, len, opts, &b), ST_OK);
    st_free(ctx, buf);
    return b;
}

/* Finalizes both and checks the tables and reports agree; frees nothing. */
static void check_same_finalize(st_summary_acc *want, st_summary_acc *got, const char *what)
{
    st_table *t1 = NULL, *t2 = NULL;
    st_ingest_report r1, r2;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    st_status s1 = st_summary_acc_finalize(want, &t1, &r1), s2 = st_summary_acc_finalize(got, &t2, &r2);
    CHECK_EQ_INT(s1, s2);
    if (s1 == ST_OK && s2 == ST_OK && (!same_table(t1, t2) || !same_report(&r1, &r2))) {
        t_failures++;
        fprintf(stderr, "%s: the table or report differs\n", what);
    }
    st_table_free(t1);
    st_table_free(t2);
}

/* Round trips under several option sets: same table, and the state of the copy is the same bytes. */
static void test_round_trip(st_context *ctx)
{
    st_summarize_options o;
    for (int variant = 0; variant < 4; variant++) {
        st_summarize_options_init(&o);
        o.unit = variant == 1 ? ST_UNIT_WEEK : ST_UNIT_DAY;
        if (variant >= 2) {
            o.has_calibration_end = 1;
            o.calibration_end = 105;
        }
        if (variant == 3) {
            o.has_observation_end = 1;
            o.observation_end = 126;
            o.customer_col = "CustomerID";
            o.purchase_value = "view"; /* views count as purchases: a different table, same law */
        }
        int has_money = variant != 2;
        st_summary_acc *one = make(ctx, &o, has_money, 0, NEV);
        st_summary_acc *copy = through_bytes(ctx, one, variant % 2 ? &o : NULL);
        if (!copy) continue;
        char *b1 = NULL, *b2 = NULL;
        size_t l1 = 0, l2 = 0;
        CHECK_EQ_INT(st_summary_acc_serialize(ctx, one, &b1, &l1), ST_OK);
        CHECK_EQ_INT(st_summary_acc_serialize(ctx, copy, &b2, &l2), ST_OK);
        CHECK(l1 == l2 && memcmp(b1, b2, l1) == 0);
        st_free(ctx, b1);
        st_free(ctx, b2);
        check_same_finalize(one, copy, "round trip");
        /* the copy keeps working as an accumulator: add the same late rows to both */
        CHECK_EQ_INT(st_summary_acc_add(one, "e", 1, 110, "purchase", 8, 4.5), ST_OK);
        CHECK_EQ_INT(st_summary_acc_add(copy, "e", 1, 110, "purchase", 8, 4.5), ST_OK);
        check_same_finalize(one, copy, "round trip, then add");
        st_summary_acc_free(one);
        st_summary_acc_free(copy);
    }
    /* the copy borrows neither the bytes nor the options' strings */
    st_summarize_options_init(&o);
    char *pv = malloc(16), *cc = malloc(16);
    strcpy(pv, "purchase");
    strcpy(cc, "who");
    o.purchase_value = pv;
    o.customer_col = cc;
    st_summary_acc *one = make(ctx, &o, 1, 0, NEV);
    char *buf = NULL;
    size_t len = 0;
    CHECK_EQ_INT(st_summary_acc_serialize(ctx, one, &buf, &len), ST_OK);
    char *heap = malloc(len);
    memcpy(heap, buf, len);
    st_free(ctx, buf);
    st_summary_acc *copy = NULL;
    CHECK_EQ_INT(st_summary_acc_deserialize(ctx, heap, len, &o, &copy), ST_OK);
    memset(heap, 0, len);
    free(heap);
    st_table *t = NULL;
    st_summary_acc_free(one);
    memset(pv, 'x', 15);
    memset(cc, 'x', 15);
    free(pv);
    free(cc);
    CHECK_EQ_INT(st_summary_acc_add(copy, "z", 1, 140, "purchase", 8, 1.0), ST_OK);
    CHECK_EQ_INT(st_summary_acc_finalize(copy, &t, NULL), ST_OK);
    CHECK_STR(st_table_col_name(t, 0), "who");
    CHECK_EQ_INT(st_table_nrows(t), 5);
    st_table_free(t);
    st_summary_acc_free(copy);
}

/* The merge laws through bytes: every split, both halves serialized and deserialized, merged = one pass. */
static void test_merge_laws(st_context *ctx)
{
    st_summarize_options o;
    st_summarize_options_init(&o);
    o.unit = ST_UNIT_WEEK;
    st_summary_acc *one = make(ctx, &o, 1, 0, NEV);
    for (size_t cut = 0; cut <= NEV; cut++) {
        st_summary_acc *x = make(ctx, &o, 1, 0, cut), *y = make(ctx, &o, 1, cut, NEV);
        st_summary_acc *x2 = through_bytes(ctx, x, &o), *y2 = through_bytes(ctx, y, NULL);
        if (x2 && y2) {
            CHECK_EQ_INT(st_summary_acc_merge(x2, y2), ST_OK);
            check_same_finalize(one, x2, "split, serialize, merge");
            /* and the merged state, once more through bytes */
            st_summary_acc *z = through_bytes(ctx, x2, &o);
            if (z) check_same_finalize(one, z, "split, serialize, merge, serialize");
            st_summary_acc_free(z);
        }
        st_summary_acc_free(x);
        st_summary_acc_free(y);
        st_summary_acc_free(x2);
        st_summary_acc_free(y2);
    }
    /* empty is the identity, on either side */
    st_summary_acc *e = make(ctx, &o, 1, 0, 0);
    st_summary_acc *e2 = through_bytes(ctx, e, &o);
    st_summary_acc *full = make(ctx, &o, 1, 0, NEV);
    CHECK_EQ_INT(st_summary_acc_merge(full, e2), ST_OK);
    check_same_finalize(one, full, "full + empty");
    CHECK_EQ_INT(st_summary_acc_merge(e2, one), ST_OK);
    check_same_finalize(one, e2, "empty + full");
    st_table *t = NULL;
    CHECK_EQ_INT(st_summary_acc_finalize(e, &t, NULL), ST_EEMPTY); /* the empty state alone */
    st_summary_acc *e3 = through_bytes(ctx, e, NULL);
    CHECK_EQ_INT(st_summary_acc_finalize(e3, &t, NULL), ST_EEMPTY);
    st_summary_acc_free(e);
    st_summary_acc_free(e2);
    st_summary_acc_free(e3);
    st_summary_acc_free(full);
    st_summary_acc_free(one);
}

/* Many customers and behaviours from a small generator, split three ways: in runs (merged through bytes =
** one pass) and interleaved (merged through bytes = merged directly; customer order then follows the merge). */
static void test_larger(st_context *ctx)
{
    st_summarize_options o;
    st_summarize_options_init(&o);
    o.has_calibration_end = 1;
    o.calibration_end = 19300;
    static const char *const beh[] = {"purchase", "view", "cart", "fav", "share", "return it"};
    st_summary_acc *one = NULL, *run[3], *mix[3];
    CHECK_EQ_INT(st_summary_acc_new(ctx, &o, 1, &one), ST_OK);
    for (int p = 0; p < 3; p++) {
        CHECK_EQ_INT(st_summary_acc_new(ctx, &o, 1, &run[p]), ST_OK);
        CHECK_EQ_INT(st_summary_acc_new(ctx, &o, 1, &mix[p]), ST_OK);
    }
    uint64_t s = 42;
    char id[32];
    for (int k = 0; k < 30000; k++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t)(s >> 33);
        int n = snprintf(id, sizeof id, "cust-%u", r % 2500);
        const char *b = beh[(r >> 12) % 6];
        int32_t day = 19000 + (int32_t)((r >> 4) % 400);
        double amount = (double)((r >> 8) % 10000) / 100.0 - 5.0;
        CHECK_EQ_INT(st_summary_acc_add(one, id, (size_t)n, day, b, strlen(b), amount), ST_OK);
        CHECK_EQ_INT(st_summary_acc_add(run[k / 10000], id, (size_t)n, day, b, strlen(b), amount), ST_OK);
        CHECK_EQ_INT(st_summary_acc_add(mix[(r >> 20) % 3], id, (size_t)n, day, b, strlen(b), amount), ST_OK);
    }
    st_summary_acc *run_b = through_bytes(ctx, run[0], &o), *mix_b = through_bytes(ctx, mix[0], NULL);
    for (int p = 1; p < 3 && run_b && mix_b; p++) {
        st_summary_acc *q = through_bytes(ctx, run[p], NULL), *q2 = through_bytes(ctx, mix[p], &o);
        CHECK_EQ_INT(st_summary_acc_merge(run_b, q), ST_OK);
        CHECK_EQ_INT(st_summary_acc_merge(mix_b, q2), ST_OK);
        CHECK_EQ_INT(st_summary_acc_merge(mix[0], mix[p]), ST_OK);
        st_summary_acc_free(q);
        st_summary_acc_free(q2);
    }
    if (run_b) check_same_finalize(one, run_b, "three runs through bytes");
    if (mix_b) check_same_finalize(mix[0], mix_b, "three interleaved parts through bytes");
    st_summary_acc_free(run_b);
    st_summary_acc_free(mix_b);
    for (int p = 0; p < 3; p++) {
        st_summary_acc_free(run[p]);
        st_summary_acc_free(mix[p]);
    }
    st_summary_acc_free(one);
}

static void test_options_and_arguments(st_context *ctx)
{
    st_summarize_options o, other;
    st_summarize_options_init(&o);
    o.has_observation_end = 1;
    o.observation_end = 200;
    st_summary_acc *a = make(ctx, &o, 1, 0, NEV);
    char *buf = NULL;
    size_t len = 0;
    CHECK_EQ_INT(st_summary_acc_serialize(ctx, a, &buf, &len), ST_OK);
    st_summary_acc *b = (st_summary_acc *)&b;
    const struct {
        const char *name;
        int field;
    } cases[] = {{"unit", 0}, {"observation end", 1}, {"observation end", 2}, {"calibration end", 3},
                 {"purchase value", 4}, {"customer column", 5}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        other = o;
        switch (cases[k].field) {
        case 0: other.unit = ST_UNIT_MONTH; break;
        case 1: other.observation_end = 201; break;
        case 2: other.has_observation_end = 0; break;
        case 3: other.has_calibration_end = 1; other.calibration_end = 150; break;
        case 4: other.purchase_value = "buy"; break;
        default: other.customer_col = "id"; break;
        }
        b = (st_summary_acc *)&b;
        CHECK_EQ_INT(st_summary_acc_deserialize(ctx, buf, len, &other, &b), ST_EINVAL);
        CHECK(b == NULL);
        CHECK(strstr(st_errmsg(ctx), cases[k].name) != NULL);
    }
    /* fields the accumulator does not use may differ */
    other = o;
    other.time_col = "when";
    other.delimiter = ';';
    CHECK_EQ_INT(st_summary_acc_deserialize(ctx, buf, len, &other, &b), ST_OK);
    st_summary_acc_free(b);
    CHECK_EQ_INT(st_summary_acc_deserialize(ctx, buf, len, NULL, NULL), ST_EINVAL);
    CHECK_EQ_INT(st_summary_acc_deserialize(ctx, NULL, 10, NULL, &b), ST_EINVAL);
    CHECK_EQ_INT(st_summary_acc_deserialize(NULL, buf, len, NULL, &b), ST_EINVAL);
    CHECK_EQ_INT(st_summary_acc_deserialize(ctx, NULL, 0, NULL, &b), ST_EFORMAT);
    CHECK_EQ_INT(st_summary_acc_serialize(ctx, NULL, &buf, &len), ST_EINVAL);
    CHECK_EQ_INT(st_summary_acc_serialize(ctx, a, NULL, &len), ST_EINVAL);
    CHECK_EQ_INT(st_summary_acc_serialize(NULL, a, &buf, &len), ST_EINVAL);
    st_free(ctx, buf);
    st_summary_acc_free(a);
}

/* Offset of the payload and of the checksum in a frame (kind length at bytes 8..11). */
static size_t payload_at(const char *buf) { return 24 + (size_t)(unsigned char)buf[8]; }

static void reseal(char *buf, size_t len)
{
    size_t p = payload_at(buf);
    uint32_t crc = st__crc32(buf + p, len - p);
    for (int k = 0; k < 4; k++) buf[p - 4 + (size_t)k] = (char)(crc >> (8 * k));
}

/* A state that deserialized from damaged bytes must behave: finalize, serialize, merge give a status. */
static void exercise(st_context *ctx, st_summary_acc *a)
{
    st_table *t = NULL;
    st_status rc = st_summary_acc_finalize(a, &t, NULL);
    CHECK(rc == ST_OK || rc == ST_EEMPTY || rc == ST_EINVAL);
    CHECK((rc == ST_OK) == (t != NULL));
    st_table_free(t);
    char *buf = NULL;
    size_t len = 0;
    CHECK_EQ_INT(st_summary_acc_serialize(ctx, a, &buf, &len), ST_OK);
    st_summary_acc *b = NULL;
    CHECK_EQ_INT(st_summary_acc_deserialize(ctx, buf, len, NULL, &b), ST_OK);
    if (b) CHECK_EQ_INT(st_summary_acc_merge(b, a), ST_OK);
    st_summary_acc_free(b);
    st_free(ctx, buf);
}

static void test_damage(st_context *ctx)
{
    st_summarize_options o;
    st_summarize_options_init(&o);
    o.has_calibration_end = 1;
    o.calibration_end = 110;
    st_summary_acc *a = make(ctx, &o, 1, 0, NEV);
    char *buf = NULL;
    size_t len = 0;
    CHECK_EQ_INT(st_summary_acc_serialize(ctx, a, &buf, &len), ST_OK);
    st_summary_acc *b;
    /* every truncation */
    for (size_t n = 0; n < len; n++) {
        char *c = malloc(n ? n : 1);
        memcpy(c, buf, n);
        b = (st_summary_acc *)&b;
        CHECK_EQ_INT(st_summary_acc_deserialize(ctx, c, n, NULL, &b), ST_EFORMAT);
        CHECK(b == NULL);
        CHECK(strstr(st_errmsg(ctx), "summary_acc state: ") != NULL);
        free(c);
    }
    /* every flipped bit: refused by the frame or the checksum; resealed, the payload checks take over */
    size_t ok = 0, refused = 0;
    for (size_t k = 0; k < len; k++)
        for (int bit = 0; bit < 8; bit++) {
            char *c = malloc(len);
            memcpy(c, buf, len);
            c[k] = (char)(c[k] ^ (1 << bit));
            b = (st_summary_acc *)&b;
            CHECK_EQ_INT(st_summary_acc_deserialize(ctx, c, len, NULL, &b), ST_EFORMAT);
            CHECK(b == NULL);
            if (k >= payload_at(buf)) {
                reseal(c, len);
                st_status rc = st_summary_acc_deserialize(ctx, c, len, NULL, &b);
                CHECK(rc == ST_OK || rc == ST_EFORMAT);
                if (rc == ST_OK) {
                    ok++;
                    exercise(ctx, b);
                    st_summary_acc_free(b);
                } else {
                    refused++;
                    CHECK(b == NULL);
                }
            }
            free(c);
        }
    CHECK(ok > 0 && refused > 0);
    printf("resealed single-bit flips of the payload: %zu load, %zu refused\n", ok, refused);
    st_free(ctx, buf);
    /* a foreign state */
    st__wbuf w;
    st__wbuf_begin(&w, ctx, "btyd_acc", 1);
    st__wbuf_u64(&w, 0);
    CHECK_EQ_INT(st__wbuf_finish(&w, &buf, &len), ST_OK);
    CHECK_EQ_INT(st_summary_acc_deserialize(ctx, buf, len, NULL, &b), ST_EFORMAT);
    CHECK_STR(st_errmsg(ctx), "summary_acc state: this is a \"btyd_acc\" state, not a \"summary_acc\" one");
    st_free(ctx, buf);
    st_summary_acc_free(a);
}

/* A state whose purchase names a customer that does not exist, and one with a hostile purchase count. */
static void test_hostile(st_context *ctx)
{
    for (int which = 0; which < 3; which++) {
        st__wbuf w;
        st__wbuf_begin(&w, ctx, "summary_acc", 1);
        st__wbuf_u8(&w, 1);                          /* has_money */
        st__wbuf_u32(&w, 0);                         /* unit */
        st__wbuf_u8(&w, 0);
        st__wbuf_i64(&w, 0);
        st__wbuf_u8(&w, which == 2);                 /* a calibration end far out of range */
        st__wbuf_i64(&w, which == 2 ? INT64_MIN + 1 : 0);
        st__wbuf_bytes(&w, "purchase", 8);
        st__wbuf_bytes(&w, "customer_id", 11);
        st__wbuf_u8(&w, 1);
        st__wbuf_i32(&w, 10);
        st__wbuf_i32(&w, 10);
        for (int k = 0; k < 4; k++) st__wbuf_u64(&w, 0);
        st__wbuf_u64(&w, 1);                         /* one customer */
        st__wbuf_bytes(&w, "a", 1);
        st__wbuf_i32(&w, 10);
        st__wbuf_u64(&w, 0);                         /* no behaviours */
        st__wbuf_u64(&w, which == 1 ? UINT64_MAX / 16 : 1);
        st__wbuf_u32(&w, which == 0 ? 1 : 0);         /* customer 1 of 1 */
        st__wbuf_i32(&w, 10);
        st__wbuf_f64(&w, 1.0);
        char *buf;
        size_t len;
        CHECK_EQ_INT(st__wbuf_finish(&w, &buf, &len), ST_OK);
        st_summary_acc *b = NULL;
        CHECK_EQ_INT(st_summary_acc_deserialize(ctx, buf, len, NULL, &b), ST_EFORMAT);
        const char *want[] = {"purchase 0 is of customer 1, beyond the 1 customers", "purchases cannot fit",
                              "calibration end -9223372036854775807 is out of range"};
        CHECK(strstr(st_errmsg(ctx), want[which]) != NULL);
        st_free(ctx, buf);
    }
}

/* Two corners the fuzzer found in finalize, through the public API: an accumulator with customers but no
** purchase at all, and purchase days at both ends of the int32 range (recency spans more than INT32_MAX). */
static void test_corners(st_context *ctx)
{
    st_summarize_options o;
    st_summarize_options_init(&o);
    st_summary_acc *a = NULL;
    st_table *t = NULL;
    CHECK_EQ_INT(st_summary_acc_new(ctx, &o, 1, &a), ST_OK);
    CHECK_EQ_INT(st_summary_acc_add(a, "v", 1, 100, "view", 4, 0), ST_OK);
    CHECK_EQ_INT(st_summary_acc_finalize(a, &t, NULL), ST_OK);
    CHECK_EQ_INT(st_table_nrows(t), 1);
    st_table_free(t);
    st_summary_acc_free(a);
    CHECK_EQ_INT(st_summary_acc_new(ctx, &o, 1, &a), ST_OK);
    CHECK_EQ_INT(st_summary_acc_add(a, "x", 1, INT32_MIN + 1, NULL, 0, 1.0), ST_OK);
    CHECK_EQ_INT(st_summary_acc_add(a, "x", 1, INT32_MAX, NULL, 0, 2.0), ST_OK);
    st_summary_acc *b = through_bytes(ctx, a, NULL);
    if (b) CHECK_EQ_INT(st_summary_acc_finalize(b, &t, NULL), ST_OK);
    if (t) {
        long j = st_table_find(t, "recency");
        CHECK(j > 0 && st_table_f64(t, (size_t)j)[0] == 4294967294.0);
    }
    st_table_free(t);
    st_summary_acc_free(a);
    st_summary_acc_free(b);
}

/* An accumulator that borrows a reader's maps, whose ids run ahead of its arrays (customers and a behaviour
** the reader interned for another sink): the state holds them as having no events, and finalizes the same. */
static void test_borrowed(st_context *ctx)
{
    st_summarize_options o;
    st_summarize_options_init(&o);
    st__strmap ids, beh;
    st__strmap_init(&ids, ctx, 0);
    st__strmap_init(&beh, ctx, 64);
    st_summary_acc *a = NULL;
    CHECK_EQ_INT(st__summary_acc_new_borrowed(ctx, &o, 1, &ids, &beh, &a), ST_OK);
    uint32_t c0, c1, c2, b0, b1;
    CHECK_EQ_INT(st__strmap_intern(&ids, "p", 1, &c0), ST_OK);
    CHECK_EQ_INT(st__strmap_intern(&ids, "q", 1, &c1), ST_OK);
    CHECK_EQ_INT(st__strmap_intern(&beh, "view", 4, &b0), ST_OK);
    CHECK_EQ_INT(st__summary_add_id(a, c0, 50, -1, true, 3.0), ST_OK);
    CHECK_EQ_INT(st__summary_add_id(a, c1, 52, (long)b0, false, 0), ST_OK);
    CHECK_EQ_INT(st__summary_add_id(a, c0, 60, -1, true, 4.0), ST_OK);
    CHECK_EQ_INT(st__strmap_intern(&ids, "r", 1, &c2), ST_OK); /* no event in this sink */
    CHECK_EQ_INT(st__strmap_intern(&beh, "cart", 4, &b1), ST_OK);
    st_summary_acc *b = through_bytes(ctx, a, &o);
    if (b) {
        check_same_finalize(a, b, "borrowed maps");
        CHECK_EQ_INT(st_summary_acc_add(b, "s", 1, 61, NULL, 0, 1.0), ST_OK); /* and it owns its maps */
    }
    st_summary_acc_free(b);
    st_summary_acc_free(a);
    st__strmap_free(&ids);
    st__strmap_free(&beh);
}

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/summary_state/%s", STRATA_SOURCE_DIR, name);
    FILE *fp = fopen(path, "rb");
    CHECK(fp != NULL);
    if (!fp) return NULL;
    char *b = malloc(1 << 16);
    *len = fread(b, 1, 1 << 16, fp);
    fclose(fp);
    return b;
}

/* The seeds that tests/fuzz/gen_summary_state.py writes from the documented format, independently of the C
** writer: the valid ones load, and valid_small.bin is what the C writer makes of the same events. */
static void test_written_elsewhere(st_context *ctx)
{
    const char *valid[] = {"valid_small.bin", "valid_empty.bin", "valid_calibration.bin", "valid_no_money.bin",
                           "valid_odd_keys.bin"};
    for (size_t k = 0; k < sizeof valid / sizeof valid[0]; k++) {
        size_t len = 0;
        char *b = slurp(valid[k], &len);
        st_summary_acc *a = NULL;
        if (b) CHECK_EQ_INT(st_summary_acc_deserialize(ctx, b, len, NULL, &a), ST_OK);
        if (a) exercise(ctx, a);
        st_summary_acc_free(a);
        free(b);
    }
    st_summarize_options o;
    st_summarize_options_init(&o);
    o.unit = ST_UNIT_WEEK;
    st_summary_acc *a = make(ctx, &o, 1, 0, NEV);
    char *buf = NULL, *want;
    size_t len = 0, wlen = 0;
    CHECK_EQ_INT(st_summary_acc_serialize(ctx, a, &buf, &len), ST_OK);
    if ((want = slurp("valid_small.bin", &wlen)) != NULL) CHECK(len == wlen && memcmp(buf, want, len) == 0);
    free(want);
    st_free(ctx, buf);
    st_summary_acc_free(a);
}

/* Build, serialize, deserialize, merge, finalize under allocation failure. */
static st_status torture_job(t_failer *f, void *arg)
{
    (void)arg;
    st_context *ctx = t_failing_context(f);
    if (!ctx) return ST_ENOMEM;
    st_summarize_options o;
    st_summarize_options_init(&o);
    st_summary_acc *x = NULL, *y = NULL, *x2 = NULL, *y2 = NULL;
    char *bx = NULL, *by = NULL;
    size_t lx = 0, ly = 0;
    st_table *t = NULL;
    st_status rc = st_summary_acc_new(ctx, &o, 1, &x);
    if (rc == ST_OK) rc = st_summary_acc_new(ctx, &o, 1, &y);
    if (rc == ST_OK) rc = add_events(x, 0, NEV / 2);
    if (rc == ST_OK) rc = add_events(y, NEV / 2, NEV);
    if (rc == ST_OK) rc = st_summary_acc_serialize(ctx, x, &bx, &lx);
    if (rc == ST_OK) rc = st_summary_acc_serialize(ctx, y, &by, &ly);
    if (rc == ST_OK) rc = st_summary_acc_deserialize(ctx, bx, lx, &o, &x2);
    if (rc == ST_OK) rc = st_summary_acc_deserialize(ctx, by, ly, NULL, &y2);
    if (rc == ST_OK) rc = st_summary_acc_merge(x2, y2);
    if (rc == ST_OK) rc = st_summary_acc_finalize(x2, &t, NULL);
    if (rc == ST_OK) CHECK_EQ_INT(st_table_nrows(t), 4);
    if (rc != ST_OK) CHECK(st_errmsg(ctx)[0] != '\0');
    st_table_free(t);
    st_free(ctx, bx);
    st_free(ctx, by);
    st_summary_acc_free(x);
    st_summary_acc_free(y);
    st_summary_acc_free(x2);
    st_summary_acc_free(y2);
    st_context_free(ctx);
    return rc;
}

int main(void)
{
    st_context *ctx;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    test_round_trip(ctx);
    test_merge_laws(ctx);
    test_larger(ctx);
    test_options_and_arguments(ctx);
    test_damage(ctx);
    test_hostile(ctx);
    test_written_elsewhere(ctx);
    test_corners(ctx);
    test_borrowed(ctx);
    t_alloc_torture("summary state", torture_job, NULL);
    st_context_free(ctx);
    T_DONE();
}
