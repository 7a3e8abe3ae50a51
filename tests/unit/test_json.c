/*
** test_json.c -- the JSON reader and writer: values and accessors, escapes and surrogate pairs, number
** edge cases, every error with its line:column, the nesting limit, round trips and a large array.
*/
#include "core/json.h"
#include "test.h"

#include <float.h>
#include <stdint.h>
#include <unistd.h>

static st_context *ctx;

static st_json *parse(const char *text)
{
    st_json *v = NULL;
    st_status rc = st__json_parse(ctx, text, strlen(text), "t.json", &v);
    if (rc) fprintf(stderr, "unexpected parse failure: %s\n", st_errmsg(ctx));
    return v;
}

/* Parses text that must fail with code and a message starting with want. */
static void check_error(const char *text, size_t len, st_status code, const char *want, int line)
{
    st_json *v = (st_json *)(uintptr_t)1;
    st_status rc = st__json_parse(ctx, text, len, "t.json", &v);
    t_checks++;
    if (rc != code || v != NULL || strncmp(st_errmsg(ctx), want, strlen(want)) != 0) {
        t_failures++;
        fprintf(stderr, "%s:%d: error case: got status %d \"%s\", want %d \"%s...\"\n", __FILE__, line, (int)rc,
                st_errmsg(ctx), (int)code, want);
    }
}
#define CHECK_ERR(text, code, want) check_error(text, strlen(text), code, want, __LINE__)

static double num(const char *text)
{
    st_json *v = parse(text);
    double x = st__json_number(v);
    st__json_free(ctx, v);
    return x;
}

/* Writes v with the given indent into a fresh string (caller frees with st__buf_free). */
static void write_value(const st_json *v, int indent, st_buf *b)
{
    st__buf_init(b, ctx);
    st_jw w;
    st__jw_init(&w, b, indent);
    CHECK(st__jw_value(&w, v));
}

static bool same(const st_json *a, const st_json *b)
{
    if (st__json_type(a) != st__json_type(b)) return false;
    switch (st__json_type(a)) {
    case ST_JSON_NULL: return true;
    case ST_JSON_BOOL: return st__json_bool(a) == st__json_bool(b);
    case ST_JSON_NUMBER: {
        double x = st__json_number(a), y = st__json_number(b);
        return memcmp(&x, &y, sizeof x) == 0;
    }
    case ST_JSON_STRING:
        return st__json_string_len(a) == st__json_string_len(b) &&
               memcmp(st__json_string(a), st__json_string(b), st__json_string_len(a)) == 0;
    case ST_JSON_ARRAY:
    case ST_JSON_OBJECT:
        if (st__json_len(a) != st__json_len(b)) return false;
        for (size_t i = 0; i < st__json_len(a); i++) {
            if (st__json_type(a) == ST_JSON_OBJECT && strcmp(st__json_key(a, i), st__json_key(b, i)) != 0)
                return false;
            if (!same(st__json_at(a, i), st__json_at(b, i))) return false;
        }
        return true;
    }
    return false;
}

static void round_trip(const char *text, int indent)
{
    st_json *a = parse(text);
    CHECK(a != NULL);
    st_buf b;
    write_value(a, indent, &b);
    st_json *c = NULL;
    CHECK_EQ_INT(st__json_parse(ctx, b.data, b.len, "rt", &c), ST_OK);
    CHECK(same(a, c));
    st__json_free(ctx, a);
    st__json_free(ctx, c);
    st__buf_free(&b);
}

static void test_values(void)
{
    st_json *v = parse(" {\"a\": 1, \"b\": [true, false, null, \"x\"], \"c\": {}, \"a\": 2, \"d\": []}\n");
    CHECK(v != NULL);
    CHECK_EQ_INT(st__json_type(v), ST_JSON_OBJECT);
    CHECK_EQ_INT(st__json_len(v), 5);
    CHECK_STR(st__json_key(v, 0), "a");
    CHECK_STR(st__json_key(v, 3), "a");
    CHECK(st__json_key(v, 5) == NULL);
    CHECK_NEAR(st__json_number(st__json_get(v, "a")), 1.0, 0); /* duplicate keys: the first one wins */
    CHECK_NEAR(st__json_number(st__json_at(v, 3)), 2.0, 0);
    const st_json *arr = st__json_get(v, "b");
    CHECK_EQ_INT(st__json_len(arr), 4);
    CHECK(st__json_bool(st__json_at(arr, 0)));
    CHECK(!st__json_bool(st__json_at(arr, 1)));
    CHECK_EQ_INT(st__json_type(st__json_at(arr, 1)), ST_JSON_BOOL);
    CHECK_EQ_INT(st__json_type(st__json_at(arr, 2)), ST_JSON_NULL);
    CHECK_STR(st__json_string(st__json_at(arr, 3)), "x");
    CHECK(st__json_at(arr, 4) == NULL);
    CHECK(st__json_key(arr, 0) == NULL);
    CHECK_EQ_INT(st__json_type(st__json_get(v, "c")), ST_JSON_OBJECT);
    CHECK_EQ_INT(st__json_len(st__json_get(v, "c")), 0);
    CHECK_EQ_INT(st__json_type(st__json_get(v, "d")), ST_JSON_ARRAY);
    CHECK(st__json_get(v, "zz") == NULL);
    /* a lookup in an empty object (no kids array) finds nothing, without arithmetic on a NULL pointer */
    CHECK(st__json_get(st__json_get(v, "c"), "a") == NULL);
    CHECK(st__json_get(arr, "a") == NULL);
    CHECK(isnan(st__json_number(arr)));
    CHECK(st__json_string(arr) == NULL);
    st__json_free(ctx, v);

    /* NULL is accepted everywhere */
    CHECK_EQ_INT(st__json_type(NULL), ST_JSON_NULL);
    CHECK(isnan(st__json_number(NULL)));
    CHECK(!st__json_bool(NULL));
    CHECK(st__json_string(NULL) == NULL);
    CHECK_EQ_INT(st__json_len(NULL), 0);
    CHECK(st__json_at(NULL, 0) == NULL);
    CHECK(st__json_get(NULL, "a") == NULL);
    st__json_free(ctx, NULL);

    /* any value at the top level, a byte order mark is skipped */
    v = parse("\"top\"");
    CHECK_STR(st__json_string(v), "top");
    st__json_free(ctx, v);
    v = parse("\xEF\xBB\xBF[1]");
    CHECK_EQ_INT(st__json_len(v), 1);
    st__json_free(ctx, v);
    v = parse("null");
    CHECK(v != NULL);
    CHECK_EQ_INT(st__json_type(v), ST_JSON_NULL);
    st__json_free(ctx, v);
}

static void test_strings(void)
{
    st_json *v = parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
    CHECK_STR(st__json_string(v), "a\"b\\c/d\b\f\n\r\t");
    st__json_free(ctx, v);
    v = parse("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"");
    CHECK_STR(st__json_string(v), "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    st__json_free(ctx, v);
    v = parse("\"x\\u0000y\"");
    CHECK_EQ_INT(st__json_string_len(v), 3);
    CHECK(memcmp(st__json_string(v), "x\0y", 4) == 0);
    st__json_free(ctx, v);
    v = parse("\"caf\xC3\xA9 \xF0\x9F\x98\x80\""); /* raw UTF-8 passes through */
    CHECK_STR(st__json_string(v), "caf\xC3\xA9 \xF0\x9F\x98\x80");
    st__json_free(ctx, v);
    v = parse("\"\"");
    CHECK_STR(st__json_string(v), "");
    st__json_free(ctx, v);

    /* the writer escapes quotes, backslashes and control characters */
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    CHECK(st__jw_begin_array(&w));
    CHECK(st__jw_string(&w, "q\"b\\n\nt\t\x01\x1f\x7f/\xC3\xA9"));
    CHECK(st__jw_string_n(&w, "a\0b", 3));
    CHECK(st__jw_end_array(&w));
    CHECK_STR(b.data, "[\"q\\\"b\\\\n\\nt\\t\\u0001\\u001f\x7f/\xC3\xA9\",\"a\\u0000b\"]");
    st__buf_free(&b);
}

static void test_numbers(void)
{
    CHECK_NEAR(num("0"), 0.0, 0);
    CHECK(!signbit(num("0")));
    CHECK(num("-0") == 0.0 && signbit(num("-0")));
    CHECK(signbit(num("-0.0e5")));
    CHECK(num("1e308") == 1e308);
    CHECK(num("-1.7976931348623157e308") == -DBL_MAX);
    CHECK(num("1e-320") == 1e-320); /* subnormal */
    CHECK(num("4.9406564584124654e-324") == 4.9406564584124654e-324);
    CHECK(num("1e-400") == 0.0);
    CHECK(num("123") == 123.0);
    CHECK(num("-45.25") == -45.25);
    CHECK(num("0.1") == 0.1);
    CHECK(num("3.141592653589793") == 3.141592653589793);
    CHECK(num("2.2250738585072014e-308") == 2.2250738585072014e-308);
    CHECK(num("1E2") == 100.0);
    CHECK(num("1e+2") == 100.0);
    CHECK(num("12345678901234567890123") == 12345678901234567890123.0);
    CHECK(num("9007199254740993") == 9007199254740993.0); /* 2^53 + 1: rounds like strtod */
    CHECK(num("0.30000000000000004") == 0.30000000000000004);
    CHECK(num("0.000001234") == 0.000001234);
    CHECK(num("123456789012345678e-10") == 123456789012345678e-10);
    CHECK(num("1e22") == 1e22);
    CHECK(num("1e23") == 1e23);
    CHECK(num("0.0000000000000000000000000000001") == 1e-31);
    /* a long number goes through the heap buffer */
    char longnum[400];
    memset(longnum, '1', 300);
    memcpy(longnum + 300, ".5e-250", 8);
    CHECK(num(longnum) == strtod(longnum, NULL));

    /* random digit strings of 1 to 21 digits with exponents around the fast paths agree with strtod */
    uint64_t s = 42;
    int mismatches = 0;
    for (int i = 0; i < 100000; i++) {
        char t[64];
        size_t n = 0;
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        if (s >> 63) t[n++] = '-';
        int nd = 1 + (int)((s >> 20) % 21), dot = (int)((s >> 30) % (unsigned)(nd + 1));
        for (int k = 0; k < nd; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            if (k == dot && k > 0) t[n++] = '.';
            t[n++] = (char)('0' + (k == 0 ? 1 + (s >> 33) % 9 : (s >> 33) % 10));
        }
        snprintf(t + n, sizeof t - n, "e%d", (int)((s >> 40) % 61) - 30);
        double want = strtod(t, NULL), got = num(t);
        if (memcmp(&want, &got, sizeof want) != 0 && mismatches++ < 5) fprintf(stderr, "number %s: %.17g\n", t, got);
    }
    CHECK_EQ_INT(mismatches, 0);

    /* the writer: shortest round trip, -0 kept, non-finite as null */
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    CHECK(st__jw_begin_array(&w));
    CHECK(st__jw_number(&w, 0.1));
    CHECK(st__jw_number(&w, -0.0));
    CHECK(st__jw_number(&w, 1e308));
    CHECK(st__jw_number(&w, 1e-320));
    CHECK(st__jw_number(&w, (double)NAN));
    CHECK(st__jw_number(&w, (double)INFINITY));
    CHECK(st__jw_number(&w, -(double)INFINITY));
    CHECK(st__jw_number(&w, 42.0));
    CHECK(st__jw_int(&w, -9007199254740993LL));
    CHECK(st__jw_bool(&w, true));
    CHECK(st__jw_null(&w));
    CHECK(st__jw_end_array(&w));
    CHECK_STR(b.data, "[0.1,-0,1e+308,9.99988867182683e-321,null,null,null,42,-9007199254740993,true,null]");
    st_json *v = NULL;
    CHECK_EQ_INT(st__json_parse(ctx, b.data, b.len, "w", &v), ST_OK);
    CHECK(st__json_number(st__json_at(v, 3)) == 1e-320);
    st__json_free(ctx, v);
    st__buf_free(&b);
}

static void test_errors(void)
{
    CHECK_ERR("", ST_EPARSE, "t.json:1:1: unexpected end of input");
    CHECK_ERR("   \n  ", ST_EPARSE, "t.json:2:3: unexpected end of input");
    CHECK_ERR("[1,\n  x]", ST_EPARSE, "t.json:2:3: unexpected 'x', expected a JSON value");
    CHECK_ERR("[1 2]", ST_EPARSE, "t.json:1:4: unexpected '2', expected ',' or ']'");
    CHECK_ERR("[1,]", ST_EPARSE, "t.json:1:4: unexpected ']'");
    CHECK_ERR("[1", ST_EPARSE, "t.json:1:3: unexpected end of input, expected ',' or ']'");
    CHECK_ERR("{\"a\" 1}", ST_EPARSE, "t.json:1:6: unexpected '1', expected ':'");
    CHECK_ERR("{\"a\":1,}", ST_EPARSE, "t.json:1:8: unexpected '}', expected a string key");
    CHECK_ERR("{a:1}", ST_EPARSE, "t.json:1:2: unexpected 'a', expected a string key");
    CHECK_ERR("{\"a\":1 \"b\":2}", ST_EPARSE, "t.json:1:8: unexpected '\"', expected ',' or '}'");
    CHECK_ERR("{\"a\":", ST_EPARSE, "t.json:1:6: unexpected end of input, expected a JSON value");
    CHECK_ERR("\"abc", ST_EPARSE, "t.json:1:1: unterminated string");
    CHECK_ERR("\"abc\\", ST_EPARSE, "t.json:1:1: unterminated string");
    CHECK_ERR("\"a\nb\"", ST_EPARSE, "t.json:1:3: control character (byte 0x0A)");
    CHECK_ERR("\"a\\qb\"", ST_EPARSE, "t.json:1:3: invalid escape: backslash followed by 'q'");
    CHECK_ERR("\"\\u12\"", ST_EPARSE, "t.json:1:2: invalid \\u escape");
    CHECK_ERR("\"\\u12g4\"", ST_EPARSE, "t.json:1:2: invalid \\u escape");
    CHECK_ERR("\"\\ud800\"", ST_EPARSE, "t.json:1:2: high surrogate \\uD800 not followed by a low surrogate");
    CHECK_ERR("\"\\ud800\\u0041\"", ST_EPARSE, "t.json:1:2: high surrogate");
    CHECK_ERR("\"\\udc00\"", ST_EPARSE, "t.json:1:2: unpaired low surrogate \\uDC00");
    CHECK_ERR("\"\xC3\"", ST_EPARSE, "t.json:1:2: invalid UTF-8 in string");
    CHECK_ERR("\"\xC0\xAF\"", ST_EPARSE, "t.json:1:2: invalid UTF-8"); /* overlong */
    CHECK_ERR("\"\xED\xA0\x80\"", ST_EPARSE, "t.json:1:2: invalid UTF-8"); /* encoded surrogate */
    CHECK_ERR("\"\xF4\x90\x80\x80\"", ST_EPARSE, "t.json:1:2: invalid UTF-8"); /* past U+10FFFF */
    CHECK_ERR("\"\xC3\xA9\xC3\"", ST_EPARSE, "t.json:1:3: invalid UTF-8"); /* columns count characters */
    CHECK_ERR("tru", ST_EPARSE, "t.json:1:1: unexpected 't', expected a JSON value");
    CHECK_ERR("nul", ST_EPARSE, "t.json:1:1: unexpected 'n'");
    CHECK_ERR("True", ST_EPARSE, "t.json:1:1: unexpected 'T'");
    CHECK_ERR("truex", ST_EPARSE, "t.json:1:5: unexpected 'x' after the JSON value");
    CHECK_ERR("1 2", ST_EPARSE, "t.json:1:3: unexpected '2' after the JSON value");
    CHECK_ERR("{} x", ST_EPARSE, "t.json:1:4: unexpected 'x' after the JSON value");
    CHECK_ERR("[1]\n\n  \x01", ST_EPARSE, "t.json:3:3: unexpected byte 0x01 after the JSON value");
    CHECK_ERR("-", ST_EPARSE, "t.json:1:2: unexpected end of input, expected a digit in the number");
    CHECK_ERR("-a", ST_EPARSE, "t.json:1:2: unexpected 'a', expected a digit in the number");
    CHECK_ERR("01", ST_EPARSE, "t.json:1:2: invalid number: leading zero");
    CHECK_ERR("-012", ST_EPARSE, "t.json:1:3: invalid number: leading zero");
    CHECK_ERR("1.", ST_EPARSE, "t.json:1:3: unexpected end of input, expected a digit after the decimal point");
    CHECK_ERR("1.e5", ST_EPARSE, "t.json:1:3: unexpected 'e', expected a digit after the decimal point");
    CHECK_ERR(".5", ST_EPARSE, "t.json:1:1: unexpected '.', expected a JSON value");
    CHECK_ERR("+1", ST_EPARSE, "t.json:1:1: unexpected '+'");
    CHECK_ERR("1e", ST_EPARSE, "t.json:1:3: unexpected end of input, expected a digit in the exponent");
    CHECK_ERR("1e+", ST_EPARSE, "t.json:1:4: unexpected end of input, expected a digit in the exponent");
    CHECK_ERR("[1e400]", ST_EPARSE, "t.json:1:2: number out of range");
    CHECK_ERR("-1e999999999999", ST_EPARSE, "t.json:1:1: number out of range");
    CHECK_ERR("NaN", ST_EPARSE, "t.json:1:1: unexpected 'N'");
    CHECK_ERR("[Infinity]", ST_EPARSE, "t.json:1:2: unexpected 'I'");
    CHECK_ERR("0x10", ST_EPARSE, "t.json:1:2: unexpected 'x' after the JSON value");
    CHECK_ERR("[1,2,3]\n// comment", ST_EPARSE, "t.json:2:1: unexpected '/'");
    CHECK_ERR("['a']", ST_EPARSE, "t.json:1:2: unexpected '''");
    check_error("[1,\0]", 5, ST_EPARSE, "t.json:1:4: unexpected byte 0x00", __LINE__);
    check_error("\"a\0\"", 4, ST_EPARSE, "t.json:1:3: control character (byte 0x00)", __LINE__);

    /* the name defaults when NULL; out is NULL after failure */
    st_json *v = (st_json *)(uintptr_t)1;
    CHECK_EQ_INT(st__json_parse(ctx, "[", 1, NULL, &v), ST_EPARSE);
    CHECK(v == NULL);
    CHECK(strncmp(st_errmsg(ctx), "<json>:1:2:", 11) == 0);
    CHECK_EQ_INT(st__json_parse(ctx, "[]", 2, "x", NULL), ST_EINVAL);
}

static void test_depth(void)
{
    char buf[1200];
    /* 256 levels parse; 257 do not */
    memset(buf, '[', 256);
    memset(buf + 256, ']', 256);
    st_json *v = NULL;
    CHECK_EQ_INT(st__json_parse(ctx, buf, 512, "deep", &v), ST_OK);
    CHECK(v != NULL);
    /* ... and write back at the same depth */
    st_buf b;
    write_value(v, 0, &b);
    CHECK_EQ_INT(b.len, 512);
    st__buf_free(&b);
    st__json_free(ctx, v);
    memset(buf, '[', 257);
    memset(buf + 257, ']', 257);
    check_error(buf, 514, ST_ELIMIT, "t.json:1:257: nesting deeper than 256 levels", __LINE__);
    /* objects count too, and a huge run of brackets stops early without deep recursion */
    size_t n = 0;
    for (int i = 0; i < 200; i++) n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"a\":");
    memset(buf + n, '[', 100);
    check_error(buf, n + 100, ST_ELIMIT, "t.json:1:1057: nesting deeper", __LINE__);

    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    for (int i = 0; i < 256; i++) CHECK(st__jw_begin_array(&w));
    CHECK(!st__jw_begin_array(&w));
    CHECK_EQ_INT(st_errcode(ctx), ST_ELIMIT);
    st__buf_free(&b);
}

static void test_writer_layout(void)
{
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    CHECK(st__jw_begin_object(&w));
    CHECK(st__jw_key(&w, "a"));
    CHECK(st__jw_int(&w, 1));
    CHECK(st__jw_key(&w, "b"));
    CHECK(st__jw_begin_array(&w));
    CHECK(st__jw_number(&w, 1.5));
    CHECK(st__jw_string(&w, "x"));
    CHECK(st__jw_end_array(&w));
    CHECK(st__jw_key(&w, "c"));
    CHECK(st__jw_begin_object(&w));
    CHECK(st__jw_end_object(&w));
    CHECK(st__jw_key(&w, "d"));
    CHECK(st__jw_begin_array(&w));
    CHECK(st__jw_end_array(&w));
    CHECK(st__jw_end_object(&w));
    CHECK_STR(b.data, "{\n  \"a\": 1,\n  \"b\": [\n    1.5,\n    \"x\"\n  ],\n  \"c\": {},\n  \"d\": []\n}");
    st__buf_free(&b);

    st__buf_init(&b, ctx);
    st__jw_init(&w, &b, 0);
    CHECK(st__jw_begin_object(&w));
    CHECK(st__jw_key(&w, "a\"k"));
    CHECK(st__jw_begin_array(&w));
    CHECK(st__jw_int(&w, 1));
    CHECK(st__jw_begin_object(&w));
    CHECK(st__jw_end_object(&w));
    CHECK(st__jw_end_array(&w));
    CHECK(st__jw_key(&w, "b"));
    CHECK(st__jw_null(&w));
    CHECK(st__jw_end_object(&w));
    CHECK_STR(b.data, "{\"a\\\"k\":[1,{}],\"b\":null}");
    CHECK(!st__jw_end_object(&w)); /* unbalanced */
    st__buf_free(&b);
}

static void test_round_trips(void)
{
    const char *docs[] = {
        "{\"a\":[1,2.5,-0,1e308,1e-320,0.1,123456789.123456789],\"b\":{\"c\":\"\\u0000x\\n\\\"\"},\"d\":[]}",
        "[[[]],{},[{}],\"\xF0\x9F\x98\x80\",true,false,null,-1.5e-7,9007199254740993]",
        "{\"k\":{\"k\":{\"k\":[\"\\u001f\\u007f\\ud83d\\ude00\"]}},\"k\":1}",
        "\"just a string\"",
        "3.25",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        round_trip(docs[i], 0);
        round_trip(docs[i], 2);
        round_trip(docs[i], 7);
    }
}

static void test_big_array_and_file(void)
{
    /* 200k numbers in a nested layout like an MDP's transition table, through a file */
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    CHECK(st__jw_begin_object(&w));
    CHECK(st__jw_key(&w, "P"));
    CHECK(st__jw_begin_array(&w));
    uint64_t s = 12345;
    for (int i = 0; i < 200; i++) {
        CHECK(st__jw_begin_array(&w));
        for (int j = 0; j < 1000; j++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double x = (double)(s >> 11) / 9007199254740992.0 * (j % 3 == 0 ? 1e-5 : 1.0);
            CHECK(st__jw_number(&w, x));
        }
        CHECK(st__jw_end_array(&w));
    }
    CHECK(st__jw_end_array(&w));
    CHECK(st__jw_end_object(&w));

    char path[64];
    snprintf(path, sizeof path, "test_json_%ld.json", (long)getpid());
    CHECK_EQ_INT(st__write_file_atomic(ctx, path, b.data, b.len), ST_OK);
    st_json *v = NULL;
    CHECK_EQ_INT(st__json_parse_file(ctx, path, &v), ST_OK);
    const st_json *P = st__json_get(v, "P");
    CHECK_EQ_INT(st__json_len(P), 200);
    s = 12345;
    int bad = 0;
    for (size_t i = 0; i < 200; i++) {
        const st_json *row = st__json_at(P, i);
        if (st__json_len(row) != 1000) bad++;
        for (size_t j = 0; j < 1000; j++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double x = (double)(s >> 11) / 9007199254740992.0 * (j % 3 == 0 ? 1e-5 : 1.0);
            if (st__json_number(st__json_at(row, j)) != x) bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    st__json_free(ctx, v);
    remove(path);
    st__buf_free(&b);

    CHECK_EQ_INT(st__json_parse_file(ctx, "/nonexistent/x.json", &v), ST_EIO);
    CHECK(v == NULL);
    CHECK(strstr(st_errmsg(ctx), "/nonexistent/x.json") != NULL);

    /* the size bound is checked before reading (a sparse file costs no disk) */
    snprintf(path, sizeof path, "test_json_%ld.big", (long)getpid());
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fclose(fp);
        if (truncate(path, ((off_t)1 << 30) + 1) == 0) {
            CHECK_EQ_INT(st__json_parse_file(ctx, path, &v), ST_ELIMIT);
            CHECK(strstr(st_errmsg(ctx), "larger than 1 GiB") != NULL);
        }
        remove(path);
    }
    CHECK_EQ_INT(st__json_parse_file(ctx, ".", &v), ST_EIO);

    /* errors in files carry the file name */
    snprintf(path, sizeof path, "test_json_%ld.json", (long)getpid());
    CHECK_EQ_INT(st__write_file_atomic(ctx, path, "{\n\"a\": tru\n}", 12), ST_OK);
    CHECK_EQ_INT(st__json_parse_file(ctx, path, &v), ST_EPARSE);
    char want[128];
    snprintf(want, sizeof want, "%s:2:6: unexpected 't'", path);
    CHECK(strncmp(st_errmsg(ctx), want, strlen(want)) == 0);
    remove(path);
}

/* Every allocation failure point unwinds cleanly with ST_ENOMEM. */
static long fail_after = -1;
static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    if (fail_after-- == 0) return NULL;
    return realloc(ptr, nsize);
}

static void test_alloc_failures(void)
{
    st_context *fctx;
    CHECK_EQ_INT(st_context_new_with_alloc(failing_alloc, NULL, &fctx), ST_OK);
    const char *text = "{\"a\":[1,2,3,\"a long string with \\u00e9scapes\"],\"b\":{\"c\":[[],[1e40]]}}";
    size_t len = strlen(text);
    int ok = 0;
    for (long k = 0; k < 100; k++) {
        fail_after = k;
        st_json *v = NULL;
        st_status rc = st__json_parse(fctx, text, len, "f", &v);
        if (rc == ST_OK) {
            ok = 1;
            st__json_free(fctx, v);
            break;
        }
        CHECK_EQ_INT(rc, ST_ENOMEM);
        CHECK(v == NULL);
    }
    CHECK(ok);
    fail_after = -1;
    st_context_free(fctx);
}

/* The writer's error is sticky: after a failed call nothing more is written and st__jw_ok stays false. */
static void test_writer_sticky(void)
{
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    CHECK(st__jw_begin_object(&w));
    CHECK(st__jw_kv_int(&w, "a", 1));
    CHECK(st__jw_kv_str(&w, "s", NULL));
    CHECK(st__jw_kv_bool(&w, "t", true));
    CHECK(st__jw_kv_num(&w, "x", 0.5));
    CHECK(st__jw_end_object(&w));
    CHECK(st__jw_ok(&w));
    CHECK_STR(b.data, "{\"a\":1,\"s\":null,\"t\":true,\"x\":0.5}");
    size_t len = b.len;
    CHECK(!st__jw_end_object(&w)); /* unbalanced: the writer fails ... */
    CHECK(!st__jw_ok(&w));
    CHECK(!st__jw_begin_array(&w)); /* ... and stays failed, writing nothing */
    CHECK(!st__jw_kv_int(&w, "b", 2));
    CHECK_EQ_INT(b.len, len);
    st__buf_free(&b);
}

/* One-line containers inside a pretty-printed document, and a one-line document. */
static void test_writer_inline(void)
{
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__jw_begin_object(&w);
    st__jw_key(&w, "m");
    st__jw_begin_object_inline(&w);
    st__jw_kv_num(&w, "a", 0.5);
    st__jw_key(&w, "b");
    st__jw_begin_array(&w);
    st__jw_int(&w, 1);
    st__jw_int(&w, 2);
    st__jw_end_array(&w);
    st__jw_end_object(&w);
    st__jw_key(&w, "e");
    st__jw_begin_object_inline(&w);
    st__jw_end_object(&w);
    st__jw_kv_int(&w, "n", 3);
    st__jw_end_object(&w);
    CHECK(st__jw_ok(&w));
    CHECK_STR(b.data, "{\n  \"m\": {\"a\": 0.5, \"b\": [1, 2]},\n  \"e\": {},\n  \"n\": 3\n}");
    b.len = 0;
    st__jw_init(&w, &b, 2);
    st__jw_begin_array_inline(&w);
    st__jw_null(&w);
    st__jw_string(&w, "x");
    st__jw_end_array(&w);
    CHECK(st__jw_ok(&w));
    CHECK_STR(b.data, "[null, \"x\"]");
    st__buf_free(&b);
}

int main(void)
{
    if (st_context_new(&ctx) != ST_OK) return 1;
    test_writer_sticky();
    test_writer_inline();
    test_values();
    test_strings();
    test_numbers();
    test_errors();
    test_depth();
    test_writer_layout();
    test_round_trips();
    test_big_array_and_file();
    test_alloc_failures();
    st_context_free(ctx);
    T_DONE();
}
