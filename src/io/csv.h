/*
** csv.h -- an RFC 4180 record scanner over an in-memory buffer. It never copies: fields point into the
** buffer (quoted fields point inside the quotes and may hold doubled quotes, see st__csv_unescape).
** Streaming readers call it on a window and refill when it asks for more.
*/
#ifndef STRATA_CSV_H
#define STRATA_CSV_H

#include "core/internal.h"

typedef struct st_csv_field {
    const char *p;
    size_t len;
    bool quoted;   /* p/len are inside the quotes; "" escapes may remain (has_escape) */
    bool has_escape;
} st_csv_field;

typedef enum st_csv_result {
    ST_CSV_RECORD = 0,    /* a record was scanned; *next is after its line end */
    ST_CSV_NEED_MORE,     /* the buffer ends inside a record and more input may follow */
    ST_CSV_END,           /* no bytes left */
    ST_CSV_BAD_QUOTE,     /* unbalanced quote, or a character after a closing quote */
    ST_CSV_TOO_LONG,      /* the record is longer than max_line */
    ST_CSV_TOO_MANY       /* more than max_fields fields */
} st_csv_result;

typedef struct st_csv_scanner {
    char delim;
    size_t max_line;
    size_t max_fields;
    st_csv_field *fields;  /* capacity max_fields (allocated by st__csv_scanner_init) */
    size_t nfields;
    size_t newlines;       /* line ends inside the last record (1 for a normal record, more for quoted LF) */
    size_t error_field;    /* on an error: the 1-based field where it was found */
    size_t error_line_offset; /* on an error: line ends between the record start and the error */
    bool error_unclosed;      /* ST_CSV_BAD_QUOTE: the quote is never closed (else: junk after it) */
} st_csv_scanner;

st_status st__csv_scanner_init(st_context *ctx, st_csv_scanner *s, char delim, size_t max_line, size_t max_fields);
void st__csv_scanner_free(st_context *ctx, st_csv_scanner *s);

/* Scans one record starting at p. at_eof says whether bytes after end may still come. A final record
** without a line end is accepted at EOF. CR LF line ends are accepted (the CR is not part of the field). */
st_csv_result st__csv_scan(st_csv_scanner *s, const char *p, const char *end, bool at_eof, const char **next);

/* Where to resume after a bad record in skip mode: after the next line end at or after p (or end). */
const char *st__csv_skip_line(const char *p, const char *end);

/* Copies a field's text into dst (capacity at least f->len + 1) with "" unescaped; returns its length. */
size_t st__csv_unescape(const st_csv_field *f, char *dst);

#endif
