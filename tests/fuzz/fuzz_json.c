/*
** fuzz_json.c -- fuzz target for the JSON reader and writer: whatever parses must write back (compact and
** indented) to text that parses to the same tree, and writing that tree again must give the same bytes.
** Inputs that fail must fail with a "fuzz:line:column:" message. Any broken promise aborts.
*/
#include "core/json.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, st_context *ctx)
{
    fprintf(stderr, "fuzz_json: %s (%s)\n", what, st_errmsg(ctx));
    abort();
}

static int same(const st_json *a, const st_json *b)
{
    st_json_type t = st__json_type(a);
    if (t != st__json_type(b)) return 0;
    switch (t) {
    case ST_JSON_NULL: return 1;
    case ST_JSON_BOOL: return st__json_bool(a) == st__json_bool(b);
    case ST_JSON_NUMBER: {
        double x = st__json_number(a), y = st__json_number(b);
        return memcmp(&x, &y, sizeof x) == 0; /* bit for bit: -0 stays -0 */
    }
    case ST_JSON_STRING:
        return st__json_string_len(a) == st__json_string_len(b) &&
               memcmp(st__json_string(a), st__json_string(b), st__json_string_len(a)) == 0;
    case ST_JSON_ARRAY:
    case ST_JSON_OBJECT:
        if (st__json_len(a) != st__json_len(b)) return 0;
        for (size_t i = 0; i < st__json_len(a); i++) {
            if (t == ST_JSON_OBJECT && strcmp(st__json_key(a, i), st__json_key(b, i)) != 0) return 0;
            if (!same(st__json_at(a, i), st__json_at(b, i))) return 0;
        }
        return 1;
    }
    return 0;
}

static void write_tree(st_context *ctx, const st_json *v, int indent, st_buf *b)
{
    st__buf_init(b, ctx);
    st_jw w;
    st__jw_init(&w, b, indent);
    if (!st__jw_value(&w, v)) fail("writer failed on a parsed tree", ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 0;
    st_json *a = NULL;
    st_status rc = st__json_parse(ctx, (const char *)data, size, "fuzz", &a);
    if (rc != ST_OK) {
        if (a != NULL) fail("failed parse left a tree", ctx);
        if ((rc != ST_EPARSE && rc != ST_ELIMIT) || strncmp(st_errmsg(ctx), "fuzz:", 5) != 0)
            fail("unexpected status or message without a position", ctx);
        st_context_free(ctx);
        return 0;
    }
    for (int indent = 0; indent <= 2; indent += 2) {
        st_buf b1, b2;
        write_tree(ctx, a, indent, &b1);
        st_json *c = NULL;
        if (st__json_parse(ctx, b1.data, b1.len, "fuzz", &c) != ST_OK) fail("written text does not parse", ctx);
        /* keys are NUL-terminated, so one holding \u0000 is cut there; compare with that in mind */
        if (!same(a, c)) fail("round trip changed the tree", ctx);
        write_tree(ctx, c, indent, &b2);
        if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0) fail("writing is not stable", ctx);
        st__json_free(ctx, c);
        st__buf_free(&b1);
        st__buf_free(&b2);
    }
    st__json_free(ctx, a);
    st_context_free(ctx);
    return 0;
}
