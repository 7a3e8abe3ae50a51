/*
** time.c -- UTC time parsing without the C library's locale- and timezone-dependent functions:
** ISO 8601 dates and date-times, a strptime-style subset, unix seconds/milliseconds, and civil <-> day
** conversion (proleptic Gregorian, after Howard Hinnant's days_from_civil).
*/
#include "core/internal.h"

#include <string.h>

int64_t st_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void st_civil_from_days(int64_t z, int64_t *year, int *month, int *day)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y = yoe + era * 400;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    const int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    if (year) *year = y + (m <= 2);
    if (month) *month = m;
    if (day) *day = d;
}

size_t st_format_date(int64_t days, char *buf, size_t cap)
{
    int64_t y;
    int m, d;
    st_civil_from_days(days, &y, &m, &d);
    if (!buf || cap < 11 || y < 0 || y > 9999) {
        if (buf && cap) buf[0] = '\0';
        return 0;
    }
    buf[0] = (char)('0' + (y / 1000) % 10);
    buf[1] = (char)('0' + (y / 100) % 10);
    buf[2] = (char)('0' + (y / 10) % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
    return 10;
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads between min and max digits at s[*i]; false when fewer than min. */
static bool digits(const char *s, size_t len, size_t *i, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int k = 0;
    while (k < max && *i < len && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    if (k < min) return false;
    *out = v;
    return true;
}

static bool valid_ymdhms(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t se)
{
    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo)) return false;
    return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && se >= 0 && se <= 60;
}

static int64_t combine(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t se, int64_t off)
{
    return st_days_from_civil(y, (int)mo, (int)d) * 86400 + h * 3600 + mi * 60 + se - off;
}

/* Parses a timezone designator at s[*i]: Z, +hh, +hhmm, +hh:mm. */
static bool parse_offset(const char *s, size_t len, size_t *i, int64_t *off)
{
    if (*i < len && (s[*i] == 'Z' || s[*i] == 'z')) {
        (*i)++;
        *off = 0;
        return true;
    }
    if (*i >= len || (s[*i] != '+' && s[*i] != '-')) return false;
    int sign = s[*i] == '-' ? -1 : 1;
    (*i)++;
    int64_t hh, mm = 0;
    if (!digits(s, len, i, 2, 2, &hh)) return false;
    if (*i < len && s[*i] == ':') (*i)++;
    if (*i < len && s[*i] >= '0' && s[*i] <= '9' && !digits(s, len, i, 2, 2, &mm)) return false;
    if (hh > 23 || mm > 59) return false;
    *off = sign * (hh * 3600 + mm * 60);
    return true;
}

st_status st_time_parse_iso(const char *s, size_t len, int64_t *out)
{
    if (!s || !out) return ST_EINVAL;
    size_t i = 0;
    int64_t y, mo, d, h = 0, mi = 0, se = 0, off = 0;
    if (!digits(s, len, &i, 4, 4, &y) || i >= len || s[i++] != '-') return ST_EPARSE;
    if (!digits(s, len, &i, 1, 2, &mo) || i >= len || s[i++] != '-') return ST_EPARSE;
    if (!digits(s, len, &i, 1, 2, &d)) return ST_EPARSE;
    if (i < len && (s[i] == 'T' || s[i] == ' ' || s[i] == 't')) {
        i++;
        if (!digits(s, len, &i, 1, 2, &h) || i >= len || s[i++] != ':') return ST_EPARSE;
        if (!digits(s, len, &i, 2, 2, &mi)) return ST_EPARSE;
        if (i < len && s[i] == ':') {
            i++;
            if (!digits(s, len, &i, 2, 2, &se)) return ST_EPARSE;
            if (i < len && (s[i] == '.' || s[i] == ',')) {
                i++;
                int64_t frac;
                if (!digits(s, len, &i, 1, 9, &frac)) return ST_EPARSE;
                while (i < len && s[i] >= '0' && s[i] <= '9') i++;
            }
        }
        if (i < len && !parse_offset(s, len, &i, &off)) return ST_EPARSE;
    }
    if (i != len) return ST_EPARSE;
    if (!valid_ymdhms(y, mo, d, h, mi, se)) return ST_EPARSE;
    *out = combine(y, mo, d, h, mi, se, off);
    return ST_OK;
}

static const char *const month_names[12] = {"january", "february", "march",     "april",   "may",      "june",
                                             "july",    "august",   "september", "october", "november", "december"};

static bool parse_month_name(const char *s, size_t len, size_t *i, int64_t *mo)
{
    for (int m = 0; m < 12; m++) {
        const char *name = month_names[m];
        size_t full = strlen(name), k = 0;
        while (k < full && *i + k < len && (s[*i + k] | 0x20) == name[k]) k++;
        if (k == full || (k == 3 && (*i + 3 >= len || !((s[*i + 3] | 0x20) >= 'a' && (s[*i + 3] | 0x20) <= 'z')))) {
            *i += k;
            *mo = m + 1;
            return true;
        }
    }
    return false;
}

/* Parses unix seconds (or milliseconds when scale is 1000) written as an integer or decimal. */
static st_status parse_unix(const char *s, size_t len, int64_t scale, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    int64_t v = 0;
    size_t start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (v > (INT64_MAX - 9) / 10) return ST_EPARSE;
        v = v * 10 + (s[i++] - '0');
    }
    if (i == start) return ST_EPARSE;
    int64_t frac_ms = 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t fs = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == fs) return ST_EPARSE;
        (void)frac_ms;
    }
    if (i != len) return ST_EPARSE;
    int64_t secs = v / scale;
    if (neg) secs = -secs - ((v % scale) != 0);
    if (secs > INT64_C(253402300799) || secs < INT64_C(-62135596800)) return ST_EPARSE;
    *out = secs;
    return ST_OK;
}

st_status st_time_parse(const char *fmt, const char *s, size_t len, int64_t *out)
{
    if (!s || !out) return ST_EINVAL;
    if (!fmt) return st_time_parse_iso(s, len, out);
    if (strcmp(fmt, "unix") == 0) return parse_unix(s, len, 1, out);
    if (strcmp(fmt, "unix_ms") == 0) return parse_unix(s, len, 1000, out);
    int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, se = 0, off = 0, yday = -1;
    size_t i = 0;
    /* A format that packs fields without separators (%Y%m%d) is fixed-width throughout. */
    bool packed_format = false;
    for (const char *f = fmt; f[0] && f[1]; f++) {
        if (f[0] == '%' && f[1] == '%') {
            f++;
            continue;
        }
        if (f[0] == '%' && f[2] == '%' && f[3] != '%') packed_format = true;
    }
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            if (i >= len || s[i] != *f) return ST_EPARSE;
            i++;
            continue;
        }
        f++;
        if (*f == '\0') return ST_EINVAL; /* a format ending in a lone '%' */
        /* Without a separator after this field (e.g. %Y%m%d), numbers take their full width. */
        bool packed = packed_format || (f[1] != '\0' && f[1] >= '0' && f[1] <= '9');
        int w2min = packed ? 2 : 1;
        switch (*f) {
        case 'Y': if (!digits(s, len, &i, 4, 4, &y)) return ST_EPARSE; break;
        case 'y':
            if (!digits(s, len, &i, 2, 2, &y)) return ST_EPARSE;
            y += y < 69 ? 2000 : 1900;
            break;
        case 'm': if (!digits(s, len, &i, w2min, 2, &mo)) return ST_EPARSE; break;
        case 'd': if (!digits(s, len, &i, w2min, 2, &d)) return ST_EPARSE; break;
        case 'H': if (!digits(s, len, &i, w2min, 2, &h)) return ST_EPARSE; break;
        case 'M': if (!digits(s, len, &i, w2min, 2, &mi)) return ST_EPARSE; break;
        case 'S': if (!digits(s, len, &i, w2min, 2, &se)) return ST_EPARSE; break;
        case 'j': if (!digits(s, len, &i, packed ? 3 : 1, 3, &yday)) return ST_EPARSE; break;
        case 'b': case 'B': case 'h':
            if (!parse_month_name(s, len, &i, &mo)) return ST_EPARSE;
            break;
        case 'f': {
            int64_t frac;
            if (!digits(s, len, &i, 1, 9, &frac)) return ST_EPARSE;
            break;
        }
        case 'z': if (!parse_offset(s, len, &i, &off)) return ST_EPARSE; break;
        case '%': if (i >= len || s[i++] != '%') return ST_EPARSE; break;
        default: return ST_EINVAL;
        }
    }
    if (i != len) return ST_EPARSE;
    if (yday >= 0) {
        if (yday < 1 || yday > (is_leap(y) ? 366 : 365)) return ST_EPARSE;
        if (!valid_ymdhms(y, 1, 1, h, mi, se)) return ST_EPARSE;
        *out = (st_days_from_civil(y, 1, 1) + yday - 1) * 86400 + h * 3600 + mi * 60 + se - off;
        return ST_OK;
    }
    if (!valid_ymdhms(y, mo, d, h, mi, se)) return ST_EPARSE;
    *out = combine(y, mo, d, h, mi, se, off);
    return ST_OK;
}

/* Checks a format once, so a bad --time-format is reported as such and not as a bad row. */
st_status st__time_format_check(const char *fmt);
st_status st__time_format_check(const char *fmt)
{
    if (!fmt || strcmp(fmt, "unix") == 0 || strcmp(fmt, "unix_ms") == 0) return ST_OK;
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') continue;
        f++;
        if (!*f || !strchr("YymdHMSjbBhfz%", *f)) return ST_EINVAL;
    }
    return ST_OK;
}

static const char *const unit_names[] = {"day", "week", "month", "year"};
static const double unit_days[] = {1.0, 7.0, 30.4375, 365.25};

st_status st_unit_parse(const char *name, st_unit *out)
{
    if (!name || !out) return ST_EINVAL;
    for (int u = 0; u < 4; u++)
        if (strcmp(name, unit_names[u]) == 0) {
            *out = (st_unit)u;
            return ST_OK;
        }
    return ST_EINVAL;
}

const char *st_unit_name(st_unit u) { return (unsigned)u < 4 ? unit_names[u] : ""; }

double st_unit_days(st_unit u) { return (unsigned)u < 4 ? unit_days[u] : 0.0; }
