/*
** fuzz_time.c -- fuzz target for st_time_parse. The first byte picks the format: below the length of the
** fixed list, that format (NULL = ISO 8601) and the rest of the input is the time string; otherwise the
** bytes up to the first NUL are the format (copied to an exact-size buffer, so a read past its terminator
** is caught) and the bytes after it the time string (not NUL-terminated: exactly len bytes are read).
** Promises: the status is ST_OK, ST_EPARSE or ST_EINVAL; ST_EINVAL only for a format st__time_format_check
** rejects; ST_OK leaves an instant within years 1..9999 give or take a day of offset, and fails to write
** nothing on error. Any broken promise aborts.
*/
#include "strata.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

st_status st__time_format_check(const char *fmt);

static const char *const formats[] = {NULL,          "unix",          "unix_ms",       "%Y-%m-%d",
                                      "%Y%m%d",      "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S%z", "%y%j",
                                      "%d %b %Y",    "%Y-%j %H:%M:%S.%f", "%%%Y%%",     "%H%M%S"};
#define NFORMATS (sizeof formats / sizeof formats[0])

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_time: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *fmt;
    char *own = NULL;
    const char *s;
    size_t len;
    if (data[0] < NFORMATS) {
        fmt = formats[data[0]];
        s = (const char *)data + 1;
        len = size - 1;
    } else {
        const uint8_t *nul = memchr(data + 1, 0, size - 1);
        size_t flen = nul ? (size_t)(nul - (data + 1)) : size - 1;
        own = malloc(flen + 1);
        if (!own) return 0;
        memcpy(own, data + 1, flen);
        own[flen] = '\0';
        fmt = own;
        s = nul ? (const char *)nul + 1 : (const char *)data + size;
        len = nul ? size - 2 - flen : 0;
    }
    int64_t t = INT64_MIN;
    st_status rc = st_time_parse(fmt, s, len, &t);
    if (rc == ST_OK) {
        /* 0001-01-01 and 9999-12-31T23:59:60, widened by a day for the offset */
        if (t < INT64_C(-62135596800) - 86400 || t > INT64_C(253402300800) + 86400) fail("instant out of range");
    } else if (rc == ST_EPARSE || rc == ST_EINVAL) {
        if (t != INT64_MIN) fail("a failed parse wrote its output");
        if (rc == ST_EINVAL && st__time_format_check(fmt) == ST_OK) fail("ST_EINVAL for a format the check accepts");
    } else {
        fail("unexpected status");
    }
    free(own);
    return 0;
}
