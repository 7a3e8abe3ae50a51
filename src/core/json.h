/*
** json.h -- a small JSON reader (into a read-only tree) and a streaming writer, for model files, MDP.json,
** POLICY.json, metrics and summaries. Internal: public functions exchange JSON as text or files.
*/
#ifndef STRATA_JSON_H
#define STRATA_JSON_H

#include "core/internal.h"

typedef enum st_json_type {
    ST_JSON_NULL = 0,
    ST_JSON_BOOL,
    ST_JSON_NUMBER,
    ST_JSON_STRING,
    ST_JSON_ARRAY,
    ST_JSON_OBJECT
} st_json_type;

typedef struct st_json st_json;

/* Parses RFC 8259 JSON text (len bytes). name is used in error messages ("name:line:column: ..."). Limits:
** nesting depth 256, strings up to len. Errors: ST_EPARSE, ST_ELIMIT, ST_ENOMEM. *out is NULL on failure. */
st_status st__json_parse(st_context *ctx, const char *text, size_t len, const char *name, st_json **out);
/* Reads and parses a file ("-" = standard input; regular files are mapped, not copied). Errors: ST_EIO,
** ST_ELIMIT (larger than 1 GiB) plus those of st__json_parse. */
st_status st__json_parse_file(st_context *ctx, const char *path, st_json **out);
void st__json_free(st_context *ctx, st_json *root);

/* Accessors; all accept NULL (then return the zero value / NULL). */
st_json_type st__json_type(const st_json *v);
double st__json_number(const st_json *v);       /* NaN when not a number */
bool st__json_bool(const st_json *v);
const char *st__json_string(const st_json *v);  /* NULL when not a string; NUL-terminated (may hold \0) */
size_t st__json_string_len(const st_json *v);   /* bytes of a string (it may hold \0), else 0 */
size_t st__json_len(const st_json *v);          /* elements of an array or members of an object, else 0 */
const st_json *st__json_at(const st_json *v, size_t i);   /* array element or object member value */
const char *st__json_key(const st_json *v, size_t i);     /* object member key */
const st_json *st__json_get(const st_json *obj, const char *key); /* first member with that key */

/* Streaming writer into an st_buf: pretty-printed with `indent` spaces (0 = compact). Commas and
** indentation are handled for the caller. Non-finite numbers are written as null, -0 as -0, strings with
** control characters escaped (\u00XX). Each call returns false on allocation failure, nesting deeper than
** 256 (ST_ELIMIT) or an unbalanced end (ST_EINVAL); the error is on the buffer's context. The error is
** sticky: after a failure every call returns false without writing, so a document can be written as plain
** statements and checked once with st__jw_ok. */
typedef struct st_jw {
    st_buf *b;
    int indent;
    int depth;
    bool need_comma[257]; /* one per open container: as deep as the reader accepts */
    bool one_line[257];   /* per open container: written on one line (st__jw_begin_object_inline) */
    bool after_key;
    bool failed; /* a call failed: the writer is stuck (st__jw_ok) */
} st_jw;

void st__jw_init(st_jw *w, st_buf *b, int indent);
bool st__jw_begin_object(st_jw *w);
bool st__jw_end_object(st_jw *w);
bool st__jw_begin_array(st_jw *w);
bool st__jw_end_array(st_jw *w);
/* A container on one line inside a pretty-printed document: {"a": 1, "b": [2, 3]} (items separated by ", ",
** no line breaks); containers opened inside it are on the same line. Closed with st__jw_end_object/array. */
bool st__jw_begin_object_inline(st_jw *w);
bool st__jw_begin_array_inline(st_jw *w);
bool st__jw_key(st_jw *w, const char *key);
bool st__jw_number(st_jw *w, double x);
bool st__jw_int(st_jw *w, long long x);
bool st__jw_string(st_jw *w, const char *s); /* NULL writes null */
bool st__jw_bool(st_jw *w, bool x);
bool st__jw_null(st_jw *w);
/* A string of n bytes (may hold \0). */
bool st__jw_string_n(st_jw *w, const char *s, size_t n);
/* True while no call has failed. */
bool st__jw_ok(const st_jw *w);
/* "key": value in one call. */
bool st__jw_kv_num(st_jw *w, const char *key, double x);
bool st__jw_kv_int(st_jw *w, const char *key, long long x);
bool st__jw_kv_str(st_jw *w, const char *key, const char *s); /* NULL writes null */
bool st__jw_kv_bool(st_jw *w, const char *key, bool x);
/* Ends a document written into w's buffer: on success appends a newline, hands the NUL-terminated text to
** *out (*len bytes without the NUL, len may be NULL; release with st_free) and returns ST_OK; after a failed
** call frees the buffer, sets *out NULL and returns ST_ENOMEM (or the failure's code) naming `what`. */
st_status st__jw_finish(st_jw *w, const char *what, char **out, size_t *len);
/* Writes a parsed value and everything below it (keys holding \0 are cut there). */
bool st__jw_value(st_jw *w, const st_json *v);

#endif
