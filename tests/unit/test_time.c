/* Time parsing: ISO 8601, strptime-style formats, unix times, civil <-> day conversion. */
#include "test.h"
#include "strata.h"

static int64_t iso(const char *s)
{
    int64_t t = -1;
    CHECK_EQ_INT(st_time_parse_iso(s, strlen(s), &t), ST_OK);
    return t;
}

static st_status fmt(const char *f, const char *s, int64_t *t) { return st_time_parse(f, s, strlen(s), t); }

int main(void)
{
    int64_t t;
    CHECK_EQ_INT(iso("1970-01-01"), 0);
    CHECK_EQ_INT(iso("2024-02-29"), 19782LL * 86400);
    CHECK_EQ_INT(iso("2024-01-01T00:00:00Z"), 1704067200);
    CHECK_EQ_INT(iso("2024-01-01 01:02:03"), 1704067200 + 3723);
    CHECK_EQ_INT(iso("2024-01-01T01:00:00+02:00"), 1704067200 - 3600);
    CHECK_EQ_INT(iso("2024-01-01T01:00:00-0230"), 1704067200 + 3600 + 9000);
    CHECK_EQ_INT(iso("2024-01-01T01:00"), 1704067200 + 3600);
    CHECK_EQ_INT(iso("2024-01-01T01:00:00.123456"), 1704067200 + 3600);
    CHECK_EQ_INT(iso("1969-12-31T23:59:59Z"), -1);
    const char *bad[] = {"2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "2024-01-01T24:00:00", "2024-01-01T10:60",
                         "2024/01/01", "24-01-01", "2024-01-01x", "", "2024-01-01T10:00:00+25:00", "2024-01-01 10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (st_time_parse_iso(bad[i], strlen(bad[i]), &t) != ST_EPARSE) {
            fprintf(stderr, "accepted bad ISO time '%s'\n", bad[i]);
            t_failures++;
        }
    }
    /* exactly len bytes are read */
    CHECK_EQ_INT(st_time_parse_iso("2024-01-02garbage", 10, &t), ST_OK);
    CHECK_EQ_INT(t, 1704153600);

    CHECK_EQ_INT(fmt("%Y%m%d", "19970101", &t), ST_OK);
    CHECK_EQ_INT(t, 852076800);
    CHECK_EQ_INT(fmt("%Y%m%d", "1997011", &t), ST_EPARSE);
    CHECK_EQ_INT(fmt("%d/%m/%Y %H:%M", "5/3/2024 7:05", &t), ST_OK);
    CHECK_EQ_INT(t, iso("2024-03-05T07:05:00"));
    CHECK_EQ_INT(fmt("%d %b %Y", "05 Mar 2024", &t), ST_OK);
    CHECK_EQ_INT(t, iso("2024-03-05"));
    CHECK_EQ_INT(fmt("%d %B %Y", "5 september 2024", &t), ST_OK);
    CHECK_EQ_INT(t, iso("2024-09-05"));
    CHECK_EQ_INT(fmt("%Y-%j", "2024-060", &t), ST_OK);
    CHECK_EQ_INT(t, iso("2024-02-29"));
    CHECK_EQ_INT(fmt("%Y-%j", "2023-366", &t), ST_EPARSE);
    CHECK_EQ_INT(fmt("%y-%m-%d", "69-01-01", &t), ST_OK);
    CHECK_EQ_INT(t, iso("1969-01-01"));
    CHECK_EQ_INT(fmt("%Y-%m-%dT%H:%M:%S%z", "2024-01-01T00:00:00+0100", &t), ST_OK);
    CHECK_EQ_INT(t, 1704067200 - 3600);
    CHECK_EQ_INT(fmt("%Y-%m-%d %H:%M:%S.%f", "2024-01-01 00:00:01.250", &t), ST_OK);
    CHECK_EQ_INT(t, 1704067201);
    CHECK_EQ_INT(fmt("100%% %Y", "100% 2024", &t), ST_OK);
    CHECK_EQ_INT(fmt("%Q", "x", &t), ST_EINVAL);
    /* a lone '%' at the end of the format is an unknown conversion (it was read past the terminator) */
    CHECK_EQ_INT(fmt("x%", "x", &t), ST_EINVAL);
    CHECK_EQ_INT(fmt("%Y-%", "2024-", &t), ST_EINVAL);
    CHECK_EQ_INT(fmt("%Y-%m-%d", "2024-02-30", &t), ST_EPARSE);

    CHECK_EQ_INT(fmt("unix", "1511544070", &t), ST_OK);
    CHECK_EQ_INT(t, 1511544070);
    CHECK_EQ_INT(fmt("unix", "1511544070.75", &t), ST_OK);
    CHECK_EQ_INT(t, 1511544070);
    CHECK_EQ_INT(fmt("unix", "-1", &t), ST_OK);
    CHECK_EQ_INT(t, -1);
    CHECK_EQ_INT(fmt("unix_ms", "1704153600500", &t), ST_OK);
    CHECK_EQ_INT(t, 1704153600);
    CHECK_EQ_INT(fmt("unix_ms", "-1", &t), ST_OK);
    CHECK_EQ_INT(t, -1);
    CHECK_EQ_INT(fmt("unix", "12abc", &t), ST_EPARSE);
    CHECK_EQ_INT(fmt("unix", "", &t), ST_EPARSE);
    CHECK_EQ_INT(fmt("unix", "99999999999999999999999", &t), ST_EPARSE);

    /* civil <-> days round trip over 800 years, and known points */
    for (int64_t d = -200000; d <= 100000; d += 7) {
        int64_t y;
        int m, dd;
        st_civil_from_days(d, &y, &m, &dd);
        if (st_days_from_civil(y, m, dd) != d) {
            t_failures++;
            fprintf(stderr, "civil round trip failed at %lld\n", (long long)d);
            break;
        }
    }
    CHECK_EQ_INT(st_days_from_civil(2000, 3, 1), 11017);
    char buf[16];
    CHECK_EQ_INT(st_format_date(19782, buf, sizeof buf), 10);
    CHECK_STR(buf, "2024-02-29");
    CHECK_EQ_INT(st_format_date(0, buf, 5), 0);
    T_DONE();
}
