/*
** csv.c -- the record scanner: one pass over the bytes, fields as views into the buffer. Quoted fields may
** span lines; their line ends are counted so error positions stay physical line numbers.
*/
#include "io/csv.h"

#include <string.h>

st_status st__csv_scanner_init(st_context *ctx, st_csv_scanner *s, char delim, size_t max_line, size_t max_fields)
{
    memset(s, 0, sizeof *s);
    s->delim = delim;
    s->max_line = max_line;
    s->max_fields = max_fields;
    s->fields = st__calloc(ctx, max_fields + 1, sizeof *s->fields);
    return s->fields ? ST_OK : ST_ENOMEM;
}

void st__csv_scanner_free(st_context *ctx, st_csv_scanner *s)
{
    st__free(ctx, s->fields, 0);
    s->fields = NULL;
}

const char *st__csv_skip_line(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl + 1 : end;
}

st_csv_result st__csv_scan(st_csv_scanner *s, const char *p, const char *end, bool at_eof, const char **next)
{
    const char *start = p;
    const char delim = s->delim;
    size_t nf = 0;
    s->newlines = 0;
    if (p >= end) return ST_CSV_END;
    for (;;) {
        if (nf >= s->max_fields) {
            s->error_field = nf + 1;
            s->error_line_offset = 0;
            return ST_CSV_TOO_MANY;
        }
        st_csv_field *f = &s->fields[nf++];
        if (p < end && *p == '"') {
            /* Quoted field: runs to the closing quote; "" is an escaped quote. */
            const char *q = p + 1;
            size_t nl_inside = 0;
            bool esc = false;
            for (;;) {
                const char *quote = memchr(q, '"', (size_t)(end - q));
                const char *stop = quote ? quote : end;
                for (const char *c = memchr(q, '\n', (size_t)(stop - q)); c; c = memchr(c + 1, '\n', (size_t)(stop - c - 1)))
                    nl_inside++;
                if ((size_t)(stop - start) > s->max_line) {
                    s->error_field = nf;
                    s->error_line_offset = 0;
                    return ST_CSV_TOO_LONG;
                }
                if (!quote) {
                    if (!at_eof) return ST_CSV_NEED_MORE;
                    s->error_field = nf;
                    s->error_line_offset = 0;
                    s->error_unclosed = true;
                    return ST_CSV_BAD_QUOTE;
                }
                if (quote + 1 < end && quote[1] == '"') {
                    esc = true;
                    q = quote + 2;
                    continue;
                }
                if (quote + 1 == end && !at_eof) return ST_CSV_NEED_MORE;
                f->p = p + 1;
                f->len = (size_t)(quote - p - 1);
                f->quoted = true;
                f->has_escape = esc;
                p = quote + 1;
                break;
            }
            s->newlines += nl_inside;
            if (p == end) {
                s->nfields = nf;
                *next = p;
                s->newlines++;
                return ST_CSV_RECORD;
            }
            if (*p == delim) {
                p++;
                continue;
            }
            if (*p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n'))) {
                if (*p == '\r') {
                    if (p + 1 == end && !at_eof) return ST_CSV_NEED_MORE;
                    p++;
                }
                if (p < end) p++;
                s->newlines++;
                s->nfields = nf;
                *next = p;
                return ST_CSV_RECORD;
            }
            s->error_field = nf;
            s->error_line_offset = s->newlines;
            s->error_unclosed = false;
            return ST_CSV_BAD_QUOTE;
        }
        /* Unquoted field: runs to the delimiter or the line end. */
        const char *q = p;
        while (q < end && *q != delim && *q != '\n') q++;
        if ((size_t)(q - start) > s->max_line) {
            s->error_field = nf;
            s->error_line_offset = 0;
            return ST_CSV_TOO_LONG;
        }
        if (q == end && !at_eof) return ST_CSV_NEED_MORE;
        f->p = p;
        f->quoted = false;
        f->has_escape = false;
        if (q < end && *q == delim) {
            f->len = (size_t)(q - p);
            p = q + 1;
            continue;
        }
        /* line end (or end of input): drop a CR before LF */
        size_t len = (size_t)(q - p);
        if (len && p[len - 1] == '\r') len--;
        f->len = len;
        s->newlines++;
        s->nfields = nf;
        *next = q < end ? q + 1 : q;
        return ST_CSV_RECORD;
    }
}

size_t st__csv_unescape(const st_csv_field *f, char *dst)
{
    if (!f->has_escape) {
        memcpy(dst, f->p, f->len);
        dst[f->len] = '\0';
        return f->len;
    }
    size_t n = 0;
    for (size_t i = 0; i < f->len; i++) {
        dst[n++] = f->p[i];
        if (f->p[i] == '"' && i + 1 < f->len && f->p[i + 1] == '"') i++;
    }
    dst[n] = '\0';
    return n;
}
