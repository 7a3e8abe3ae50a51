/* The CSV record scanner: quoting, escapes, CRLF, line counting inside quotes, limits, streaming. */
#include "test.h"
#include "io/csv.h"

static st_csv_scanner sc;

static st_csv_result scan(const char *s, bool eof, const char **next) { return st__csv_scan(&sc, s, s + strlen(s), eof, next); }

static void field_is(size_t j, const char *want)
{
    char buf[256];
    st__csv_unescape(&sc.fields[j], buf);
    CHECK_STR(buf, want);
}

int main(void)
{
    st_context *ctx;
    CHECK_EQ_INT(st_context_new(&ctx), ST_OK);
    CHECK_EQ_INT(st__csv_scanner_init(ctx, &sc, ',', 64, 8), ST_OK);
    const char *next;
    const char *in = "a,b,c\n";
    CHECK_EQ_INT(scan(in, true, &next), ST_CSV_RECORD);
    CHECK_EQ_INT(sc.nfields, 3);
    field_is(2, "c");
    CHECK(next == in + 6);
    CHECK_EQ_INT(scan("a,\"b,\"\"x\"\"\",c\r\n", true, &next), ST_CSV_RECORD);
    CHECK_EQ_INT(sc.nfields, 3);
    field_is(1, "b,\"x\"");
    field_is(2, "c");
    CHECK(sc.fields[1].quoted && sc.fields[1].has_escape);
    /* a quoted line end counts as a line */
    CHECK_EQ_INT(scan("\"multi\nline\",2\nnext\n", true, &next), ST_CSV_RECORD);
    CHECK_EQ_INT(sc.newlines, 2);
    field_is(0, "multi\nline");
    CHECK_STR(next, "next\n");
    /* empty fields and a last record without a line end */
    CHECK_EQ_INT(scan(",,", true, &next), ST_CSV_RECORD);
    CHECK_EQ_INT(sc.nfields, 3);
    CHECK_EQ_INT(sc.fields[0].len, 0);
    /* streaming: an incomplete record asks for more unless at EOF */
    CHECK_EQ_INT(scan("a,b", false, &next), ST_CSV_NEED_MORE);
    CHECK_EQ_INT(scan("a,\"b", false, &next), ST_CSV_NEED_MORE);
    CHECK_EQ_INT(scan("a,b\r", false, &next), ST_CSV_NEED_MORE);
    CHECK_EQ_INT(scan("", true, &next), ST_CSV_END);
    /* errors */
    CHECK_EQ_INT(scan("a,\"b\nc,d\n", true, &next), ST_CSV_BAD_QUOTE);
    CHECK(sc.error_unclosed);
    CHECK_EQ_INT(sc.error_field, 2);
    CHECK_EQ_INT(scan("a,\"b\"x,c\n", true, &next), ST_CSV_BAD_QUOTE);
    CHECK(!sc.error_unclosed);
    CHECK_EQ_INT(scan("1,2,3,4,5,6,7,8,9\n", true, &next), ST_CSV_TOO_MANY);
    CHECK_EQ_INT(scan("0123456789012345678901234567890123456789012345678901234567890123456789\n", true, &next), ST_CSV_TOO_LONG);
    CHECK_EQ_INT(scan("\"0123456789012345678901234567890123456789012345678901234567890123456789\"\n", true, &next),
                 ST_CSV_TOO_LONG);
    /* skip-line resynchronisation */
    in = "bad\"line\ngood\n";
    CHECK_STR(st__csv_skip_line(in, in + strlen(in)), "good\n");
    st__csv_scanner_free(ctx, &sc);
    /* another delimiter */
    CHECK_EQ_INT(st__csv_scanner_init(ctx, &sc, ';', 64, 8), ST_OK);
    CHECK_EQ_INT(scan("a;b,c;\"d;e\"\n", true, &next), ST_CSV_RECORD);
    CHECK_EQ_INT(sc.nfields, 3);
    field_is(1, "b,c");
    field_is(2, "d;e");
    st__csv_scanner_free(ctx, &sc);
    st_context_free(ctx);
    T_DONE();
}
