/*
** strata.h -- the one public header of Strata, and its specification.
**
** Strata turns a customer event log into decisions: events -> customer table -> models -> decisions ->
** outputs. Every exported name starts with st_ (functions, types) or ST_ (macros, enum values).
**
** Conventions that hold for every function below unless its comment says otherwise:
**  - Fallible functions return st_status (ST_OK = 0) and write results through out-parameters; on failure
**    the out-parameters are left untouched (or set to NULL for handles) and nothing is leaked.
**  - A detailed message for the last failure is kept on the st_context (st_errmsg); never in a global.
**  - Handles come in st_x_new / st_x_free pairs; every *_free accepts NULL.
**  - Arrays cross the API as pointer + length; results allocated by the library are released by the
**    library's own *_free functions.
**  - Thread-safety: distinct handles may be used from distinct threads at once; one handle (including the
**    context) must not be used from two threads at the same time. The library keeps no global mutable state.
**  - The library never prints, never exits and never aborts.
*/
#ifndef STRATA_H
#define STRATA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ST_API marks the exported functions: the library is built with hidden visibility, so only what this
** header declares is visible in the shared library (internal st__ functions are not). */
#if defined(__GNUC__) || defined(__clang__)
#define ST_API __attribute__((visibility("default")))
#else
#define ST_API
#endif

#define ST_VERSION_MAJOR 0
#define ST_VERSION_MINOR 1
#define ST_VERSION_PATCH 0
#define ST_VERSION_STRING "0.1.0"

/* Returns ST_VERSION_STRING of the library actually linked. Never NULL. */
ST_API const char *st_version(void);

/* ======================================================================================================
** Core: status codes, context, allocation hook, progress callback
** ==================================================================================================== */

typedef enum st_status {
    ST_OK = 0,
    ST_ENOMEM = 1,     /* an allocation failed (or a size computation overflowed) */
    ST_EINVAL = 2,     /* an argument or option is invalid (the caller's mistake) */
    ST_EIO = 3,        /* a file could not be opened, read or written */
    ST_EPARSE = 4,     /* input data is malformed; the message names file:line:column */
    ST_ENOTFOUND = 5,  /* a named column, key or file does not exist */
    ST_EEMPTY = 6,     /* the input holds no usable data */
    ST_ERANGE = 7,     /* a value is out of the representable or allowed range */
    ST_ECONVERGE = 8,  /* an iterative method did not converge (results may still be written) */
    ST_ECANCELLED = 9, /* the progress callback asked to stop */
    ST_EFORMAT = 10,   /* a model or state file has the wrong format or version */
    ST_ELIMIT = 11,    /* an input exceeded a documented bound (line length, field count, ...) */
    ST_EDATA = 12      /* input data is well-formed but invalid: values outside their domain, files that do
                          not fit together (a model's rows not summing to 1, a policy for another model) */
} st_status;

/* A static English description of a status code; never NULL (unknown codes give "unknown status"). */
ST_API const char *st_strerror(st_status code);

/* The allocation hook, after Lua's lua_Alloc: with nsize == 0 it frees ptr (NULL allowed) and returns NULL;
** otherwise it behaves like realloc(ptr, nsize) (ptr may be NULL) and returns NULL on failure, leaving ptr
** valid. osize is the size of the block being resized or freed when the library knows it, else 0; hooks
** must not rely on it (it is a hint for accounting). When st_context_threads(ctx) > 1, the hook may be
** called from several worker threads at once, so it must be thread-safe (the default one is). Memory that
** zlib allocates while decompressing .gz input does not go through the hook. */
typedef void *(*st_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/* Progress callback: stage is a short static name ("read", "summarize", ...), fraction in [0, 1] or -1 when
** unknown. Return non-zero to cancel: the running call then returns ST_ECANCELLED. It is called from the
** thread that called into the library. */
typedef int (*st_progress_fn)(void *ud, const char *stage, double fraction);

typedef struct st_context st_context;

/* Creates a context with the C library's allocator. *out is set to NULL on failure.
** Errors: ST_EINVAL (out is NULL), ST_ENOMEM. */
ST_API st_status st_context_new(st_context **out);

/* Creates a context that allocates through alloc(ud, ...). Errors: ST_EINVAL (alloc or out NULL), ST_ENOMEM. */
ST_API st_status st_context_new_with_alloc(st_alloc_fn alloc, void *ud, st_context **out);

/* Frees the context. Every handle created from it must have been freed first. NULL is a no-op. */
ST_API void st_context_free(st_context *ctx);

/* Writes len bytes of data to path atomically: to a temporary file beside it, then renamed into place, so
** nothing half-written is ever left ("-" writes to standard output; a device such as /dev/null is written in
** place). For outputs a caller makes itself, such as a JSON document from st_segmentation_to_json.
** Errors: ST_EINVAL (NULL path, or NULL data with len > 0), ST_EIO. */
ST_API st_status st_file_write_atomic(st_context *ctx, const char *path, const void *data, size_t len);

/* Releases an array the library allocated through ctx's allocation hook and handed over (the functions that
** do so say "release with st_free"). NULL p is a no-op. */
ST_API void st_free(st_context *ctx, void *p);

/* The message of the last failure on ctx ("" when none). Owned by ctx, valid until the next call that
** fails on ctx or until st_context_free. A NULL ctx gives a static message. */
ST_API const char *st_errmsg(const st_context *ctx);

/* The status of the last failure on ctx (ST_OK when none). */
ST_API st_status st_errcode(const st_context *ctx);

/* Clears the last failure. NULL is a no-op. */
ST_API void st_clear_error(st_context *ctx);

/* Installs (or with fn NULL removes) the progress callback. NULL ctx is a no-op. */
ST_API void st_context_set_progress(st_context *ctx, st_progress_fn fn, void *ud);

/* Number of worker threads the library may use for large jobs (default: 2; 0 = number of online CPUs).
** NULL ctx is a no-op. */
ST_API void st_context_set_threads(st_context *ctx, int nthreads);

/* Effective number of worker threads (always >= 1). */
ST_API int st_context_threads(const st_context *ctx);

/* Raw bytes the event reader has taken from its inputs on this context so far (a whole .gz file counts its
** compressed size; standard input what it gave), summed over every read: a whole `st_run` reads its input
** once, so this equals the input size. 0 for NULL. Thread-safety: read it when no call is running. */
ST_API uint64_t st_context_bytes_read(const st_context *ctx);

/* ======================================================================================================
** Time: UTC instants as seconds since 1970-01-01T00:00:00Z; days as days since 1970-01-01.
** ==================================================================================================== */

/* Parses an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+hh[:mm]|-hh[:mm]])
** into seconds since the epoch (UTC; an explicit offset is applied). s need not be NUL-terminated: exactly
** len bytes are read. Errors: ST_EPARSE (not a valid date or time), ST_EINVAL (NULL arguments). Thread-safe. */
ST_API st_status st_time_parse_iso(const char *s, size_t len, int64_t *out_seconds);

/* Parses with a strptime-style format: %Y (4 digits), %m, %d, %H, %M, %S (1-2 digits, or exactly 2 when the
** format packs fields without separators, like %Y%m%d), %y, %j (day of year), %b (English month name or
** abbreviation), %f (fraction of a second, ignored), %z (+hhmm, +hh:mm, Z), %% and literal characters.
** The special formats "unix" and "unix_ms" read integer or decimal seconds / milliseconds since the epoch.
** Errors: ST_EPARSE, ST_EINVAL (unknown conversion in fmt). Thread-safe. */
ST_API st_status st_time_parse(const char *fmt, const char *s, size_t len, int64_t *out_seconds);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. Thread-safe. */
ST_API int64_t st_days_from_civil(int64_t year, int month, int day);
ST_API void st_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* Writes "YYYY-MM-DD" of days since the epoch into buf (at least 11 bytes); returns the length written. */
ST_API size_t st_format_date(int64_t days, char *buf, size_t cap);

/* ======================================================================================================
** The customer table: columnar, one array per feature, one row per customer.
** ==================================================================================================== */

typedef struct st_table st_table;

typedef enum st_coltype {
    ST_COL_F64 = 0,  /* double; NaN means missing (written as an empty field) */
    ST_COL_DATE = 1, /* double holding days since 1970-01-01; NaN missing; written as YYYY-MM-DD */
    ST_COL_STR = 2,  /* strings (the key column and labels) */
    ST_COL_I32 = 3,  /* 32-bit integers (counts, flags, arm indices); INT32_MIN means missing (written empty) */
    ST_COL_CAT = 4   /* categorical: a code per row into a list of levels (code -1 = missing, written empty);
                        written as the level's text */
} st_coltype;

/* Creates an empty table with nrows rows and a string key column named key_name (e.g. "customer_id").
** Errors: ST_EINVAL, ST_ENOMEM. */
ST_API st_status st_table_new(st_context *ctx, const char *key_name, size_t nrows, st_table **out);
ST_API void st_table_free(st_table *t);

ST_API size_t st_table_nrows(const st_table *t);
ST_API size_t st_table_ncols(const st_table *t);  /* including the key column, which is column 0 */

/* Column j's name and type; NULL / ST_COL_F64 when j is out of range. */
ST_API const char *st_table_col_name(const st_table *t, size_t j);
ST_API st_coltype st_table_col_type(const st_table *t, size_t j);

/* Index of the column called name, or -1 when there is none (or t/name is NULL). */
ST_API long st_table_find(const st_table *t, const char *name);

/* The values of a numeric (F64 or DATE) column; owned by t, valid until t changes shape or is freed.
** NULL when j is out of range or the column is not F64 or DATE. */
ST_API const double *st_table_f64(const st_table *t, size_t j);
ST_API double *st_table_f64_mut(st_table *t, size_t j);

/* Row i's string in a string column (j = 0 for the key), or its level in a categorical column; NULL when out
** of range or neither. An absent value is "". */
ST_API const char *st_table_str(const st_table *t, size_t j, size_t i);

/* Sets row i of a string column (copies s). Errors: ST_EINVAL, ST_ENOMEM. */
ST_API st_status st_table_set_str(st_table *t, size_t j, size_t i, const char *s);

/* Appends a numeric column; values (nrows of them) are copied, or the column is filled with NaN when values
** is NULL. Errors: ST_EINVAL (duplicate name, a type other than ST_COL_F64 or ST_COL_DATE), ST_ENOMEM. */
ST_API st_status st_table_add_f64(st_table *t, const char *name, st_coltype type, const double *values);

/* Appends a string column, every row "" . Errors: ST_EINVAL (duplicate name), ST_ENOMEM. */
ST_API st_status st_table_add_str(st_table *t, const char *name);

/* Appends an ST_COL_I32 column; values (nrows of them) are copied, or every row is missing (INT32_MIN) when
** values is NULL. Errors: ST_EINVAL (NULL t, duplicate name), ST_ENOMEM. */
ST_API st_status st_table_add_i32(st_table *t, const char *name, const int32_t *values);

/* Appends an ST_COL_CAT column: codes (nrows values, each -1 for missing or in [0, nlevels)) into levels
** (nlevels non-NULL strings); both are copied. A segment label costs 4 bytes a row this way, its text once.
** Errors: ST_EINVAL (NULL t, codes or levels with nlevels > 0, duplicate name, a code out of range, more
** than INT32_MAX levels), ST_ENOMEM. */
ST_API st_status st_table_add_cat(st_table *t, const char *name, const int32_t *codes, const char *const *levels,
                                  size_t nlevels);

/* The values of an ST_COL_I32 column, or the codes of an ST_COL_CAT column; owned by t, valid until t changes
** shape or is freed. NULL for other columns or j out of range. (st_table_str reads a categorical column's
** rows as their level text, "" when missing; st_table_f64 is NULL for both types.) */
ST_API const int32_t *st_table_i32(const st_table *t, size_t j);

/* The levels of an ST_COL_CAT column: their number (0 for other columns), and level k's text (NULL when out
** of range or not categorical). */
ST_API size_t st_table_cat_nlevels(const st_table *t, size_t j);
ST_API const char *st_table_cat_level(const st_table *t, size_t j, size_t k);

/* Reads a CSV table with a header row: the column key (NULL = number rows from 1 and call the key "row")
** is kept as strings, columns that parse entirely as numbers (empty = missing) become ST_COL_F64 and the
** rest ST_COL_STR. path "-" reads standard input; .gz files are decompressed.
** Errors: ST_EIO, ST_EPARSE (file:line:column), ST_ENOTFOUND (no such key column), ST_EEMPTY, ST_ENOMEM. */
ST_API st_status st_table_read_csv(st_context *ctx, const char *path, const char *key, st_table **out);
/* Reads only the named columns of a CSV table with a header row, for computations over a few columns of a
** long file (`strata abtest`): types[k] is ST_COL_F64 (every non-empty cell a number as st_table_read_csv
** reads it; empty, NA and nan are NaN) or ST_COL_CAT (the cell's text, NUL-ended as st_table_set_str; levels
** in order of first appearance, at most 65,536; empty = missing). The table's columns are names[0..n) in that
** order after a key column "row" ("row_number" when "row" is selected) whose keys are all empty. Records
** are checked as st_table_read_csv checks them (field count, quotes; blank lines skipped). path "-" reads
** standard input; .gz files are decompressed. Errors: ST_EINVAL (NULL arguments, n = 0, a name given twice, a
** type other than F64 or CAT), ST_EIO, ST_EPARSE (file:line[:field]), ST_ENOTFOUND (a column not in the
** header, file:1), ST_EDATA (a cell of an F64 column that is not a number, file:line), ST_ELIMIT, ST_EEMPTY,
** ST_ENOMEM. */
ST_API st_status st_table_read_csv_columns(st_context *ctx, const char *path, const char *const *names,
                                    const st_coltype *types, size_t n, st_table **out);

/* Writes the table as CSV (header first; numbers in the shortest form that reads back exactly; NaN as an
** empty field; dates as YYYY-MM-DD). path "-" writes to standard output; otherwise the file is written to a
** temporary name beside path and renamed into place, so nothing is half-written on failure.
** Errors: ST_EIO, ST_ENOMEM. */
ST_API st_status st_table_write_csv(st_context *ctx, const st_table *t, const char *path);

/* ======================================================================================================
** Ingest and summarize: event log -> customer table
** ==================================================================================================== */

/* The one time unit of the library: durations in customer tables and models (week = 7 days, month =
** 30.4375 days, year = 365.25 days). */
typedef enum st_unit { ST_UNIT_DAY = 0, ST_UNIT_WEEK = 1, ST_UNIT_MONTH = 2, ST_UNIT_YEAR = 3 } st_unit;

/* "day", "week", "month" or "year" -> the unit. Errors: ST_EINVAL (NULL or another name). Thread-safe. */
ST_API st_status st_unit_parse(const char *name, st_unit *out);
/* The unit's name; "" for a value outside the enum. */
ST_API const char *st_unit_name(st_unit u);
/* Days in one unit: 1, 7, 30.4375, 365.25; 0 for a value outside the enum. */
ST_API double st_unit_days(st_unit u);
typedef enum st_on_error { ST_ON_ERROR_FAIL = 0, ST_ON_ERROR_SKIP = 1 } st_on_error;

/* Options of st_summarize. Initialise with st_summarize_options_init, then change fields. All strings are
** borrowed for the duration of the call. */
typedef struct st_summarize_options {
    const char *customer_col;    /* default "customer_id" */
    const char *time_col;        /* default "date" */
    const char *time_format;     /* NULL = ISO 8601 date or date-time; else see st_time_parse */
    const char *amount_col;      /* NULL = "amount" when such a column exists, else none */
    const char *quantity_col;    /* with price_col: amount = quantity * price (then amount_col must be NULL) */
    const char *price_col;
    const char *event_col;       /* NULL = every row is a purchase */
    const char *purchase_value;  /* default "purchase": the event_col value that marks a purchase */
    char delimiter;              /* default ',' */
    int has_header;              /* default 1 */
    const char *columns;         /* comma-separated column names when has_header is 0 (or to rename) */
    st_unit unit;                /* unit of recency, T and durations (default day) */
    int has_observation_end;     /* 0: the last event day in the data */
    int64_t observation_end;     /* day number (days since epoch), inclusive */
    int has_calibration_end;     /* 1: also compute holdout columns */
    int64_t calibration_end;     /* day number, inclusive */
    st_on_error on_error;        /* default ST_ON_ERROR_FAIL */
    size_t max_line;             /* bound on one record in bytes (default 1 MiB) */
    size_t max_fields;           /* bound on fields per record (default 4096) */
} st_summarize_options;

ST_API void st_summarize_options_init(st_summarize_options *opts);

/* Counts of what a summarize run read and skipped. */
typedef struct st_ingest_report {
    uint64_t rows;                /* data rows read (header excluded) */
    uint64_t rows_used;           /* rows that contributed to the table */
    uint64_t skipped_bad_field_count;
    uint64_t skipped_bad_time;
    uint64_t skipped_bad_number;
    uint64_t skipped_missing_customer;
    uint64_t skipped_bad_quote;
    uint64_t nonpositive_purchases;  /* purchase rows with amount < 0: returns/cancellations, not purchases */
    uint64_t zero_amount_purchases;  /* purchase rows with amount 0 (free items): purchases with no spend */
    uint64_t after_observation_end;  /* rows later than --observation-end, ignored */
    uint64_t customers;
    int64_t first_day, last_day;     /* range of event days read (day numbers), valid when rows_used > 0 */
    int64_t observation_end, calibration_end;  /* the ends used (calibration_end = -1 when none) */
    uint64_t purchases;              /* purchase rows used */
    double revenue;                  /* sum of amounts of purchase rows used */
    uint64_t bytes_read;             /* raw bytes read from the inputs (a .gz counts its compressed size) */
} st_ingest_report;

/* Reads the event files paths[0..npaths-1] ("-" = standard input; *.gz decompressed) and builds the
** customer table: customer_id, frequency, recency, T, monetary_value [, frequency_holdout,
** monetary_value_holdout, duration_holdout], recency_days, orders, revenue, first_purchase, last_purchase
** [, count_<b>, days_since_<b> for each behaviour b]. The conventions are those of lifetimes'
** summary_data_from_transaction_data / calibration_and_holdout_data, documented in docs/summarize.md.
** report may be NULL. Uses st_context_threads threads for large plain files.
** Errors: ST_EIO, ST_EPARSE / ST_ELIMIT (with file:line:column, under ST_ON_ERROR_FAIL), ST_ENOTFOUND
** (a named column is missing), ST_EEMPTY (empty file, header only, no usable rows), ST_EINVAL, ST_ENOMEM,
** ST_ECANCELLED. */
ST_API st_status st_summarize(st_context *ctx, const char *const *paths, size_t npaths,
                       const st_summarize_options *opts, st_table **out, st_ingest_report *report);

/* The accumulator behind st_summarize, for callers that have events from elsewhere (a database aggregate,
** another reader, several machines): init, add rows, merge partial states, finalize into the table.
** Merging is exact: empty is the identity, and adding rows to two accumulators and merging gives the same
** table as adding them all to one (customers keep their order of first appearance: the receiving
** accumulator's, then the other's new ones). One accumulator must not be used from two threads at once;
** distinct ones may. */
typedef struct st_summary_acc st_summary_acc;

/* Creates an empty accumulator. opts gives the unit, the observation and calibration ends, the purchase
** value and the customer column name (the struct is copied; its strings are borrowed and must outlive the
** accumulator). has_money says
** whether amounts are meaningful (then negative purchase amounts are returns). Errors: ST_EINVAL, ST_ENOMEM. */
ST_API st_status st_summary_acc_new(st_context *ctx, const st_summarize_options *opts, int has_money, st_summary_acc **out);
ST_API void st_summary_acc_free(st_summary_acc *acc);

/* Adds one event: customer (customer_len bytes, not NUL-terminated, non-empty), its UTC day number,
** the behaviour (NULL = a purchase; otherwise a purchase when it equals opts->purchase_value) and the
** amount (used for purchases when has_money). A row after the observation end or a purchase with a negative
** amount is counted and ignored (still ST_OK). Errors: ST_EINVAL (empty customer), ST_ELIMIT (more than 64
** behaviours), ST_ENOMEM. */
ST_API st_status st_summary_acc_add(st_summary_acc *acc, const char *customer, size_t customer_len, int64_t day,
                             const char *behaviour, size_t behaviour_len, double amount);

/* Adds everything in from to into; from is unchanged. Both must come from the same options.
** Errors: ST_EINVAL, ST_ELIMIT, ST_ENOMEM. */
ST_API st_status st_summary_acc_merge(st_summary_acc *into, const st_summary_acc *from);

/* Builds the customer table (see st_summarize for the columns). report may be NULL; only its totals
** (rows_used, purchases, revenue, customers, days, ends, counts of returns) are filled. The accumulator may
** be finalized more than once. Errors: ST_EEMPTY (no rows, or no customer before the calibration end),
** ST_EINVAL (calibration end not before the observation end), ST_ENOMEM. */
ST_API st_status st_summary_acc_finalize(st_summary_acc *acc, st_table **out, st_ingest_report *report);

/* Writes the accumulator's whole partial state (customers in order with their first event day, behaviours
** with per-customer counts and last days, purchases, totals and counters, has_money, and the options that
** shape the table: unit, observation and calibration ends, purchase value, customer column name) as bytes
** that st_summary_acc_deserialize reads on any machine: the frame of docs/architecture.md, "Partial states"
** (magic "STRT", version, kind "summary_acc", length, CRC-32; little-endian). *buf (*len bytes, not
** NUL-terminated) comes from ctx's allocator: release it with st_free(ctx, *buf). acc is only read (errors
** go to ctx). Errors: ST_EINVAL (NULL argument), ST_ELIMIT (a key longer than 4 GiB), ST_ENOMEM.
** Thread-safety: nothing may change acc meanwhile; ctx must not be in use by another thread. */
ST_API st_status st_summary_acc_serialize(st_context *ctx, const st_summary_acc *acc, char **buf, size_t *len);

/* Rebuilds an accumulator from len bytes of st_summary_acc_serialize. The new accumulator owns everything
** it holds (it borrows neither buf nor opts) and is like any other: add, merge (either way with one made by
** st_summary_acc_new from the same options), finalize, serialize. opts NULL takes the state's options;
** otherwise unit, observation end, calibration end, purchase value and customer column must equal the
** state's (the state is never silently reinterpreted). The bytes are checked completely (frame, checksum,
** counts against the bytes present before anything is allocated, ids in range, no duplicate keys), so
** truncated, corrupted or foreign bytes fail cleanly. Errors: ST_EFORMAT (the message says what was being
** read and why), ST_EINVAL (NULL argument; options that differ from the state's, named in the message),
** ST_ENOMEM. *out is NULL on failure. Thread-safety: buf is only read, so several threads may deserialize
** the same bytes at once, each with its own context. */
ST_API st_status st_summary_acc_deserialize(st_context *ctx, const char *buf, size_t len,
                                            const st_summarize_options *opts, st_summary_acc **out);

/* ======================================================================================================
** Simulation: synthetic event logs with known truth (the BG/NBD + Gamma-Gamma story)
** ==================================================================================================== */

typedef struct st_simulate_options {
    uint64_t customers;    /* default 1000 */
    uint64_t seed;         /* default 42 */
    double weeks;          /* observation length in weeks (default 52) */
    int64_t start_day;     /* day number of the first day (default 2024-01-01) */
    double r, alpha;       /* purchase rate lambda ~ Gamma(shape r, rate alpha) per week (default 0.75, 4) */
    double a, b;           /* drop-out probability after each repeat purchase p ~ Beta(a, b) (0.8, 2.5) */
    double p, q, gamma;    /* spend: nu ~ Gamma(q, rate gamma), amount ~ Gamma(p, rate nu) (6, 4, 15) */
    int behaviours;        /* 1: also write view / fav / cart events around purchases */
    double views_per_purchase;  /* mean views per purchase (default 5), with --behaviours */
    double fav_prob, cart_prob; /* chance a purchase is preceded by a favourite / a cart (0.3 / 0.6) */
    double browse_rate;    /* extra views per active week, independent of purchases (default 0.5) */
    int with_time;         /* 1: write date-times (YYYY-MM-DD HH:MM:SS); 0: dates only (default 1) */
} st_simulate_options;

/* Fills opts with the defaults above. NULL is a no-op. */
ST_API void st_simulate_options_init(st_simulate_options *opts);

/* Writes the simulated event log as CSV to path ("-" = standard output; atomic temp + rename otherwise,
** but written in place when path exists and is not a regular file, e.g. /dev/null): header
** customer_id,date,amount or, with behaviours, customer_id,date,event,amount (event is view, fav, cart or
** purchase; amount empty for non-purchases). Customers 1..N in id order, each one's events in time order.
** The model (docs/simulate.md): first purchase uniform in the first quarter of the period, then
** Exponential(lambda) gaps, drop-out with probability p right after each repeat purchase (never after the
** first, as in the BG/NBD likelihood), amounts rounded to cents and at least 0.01.
** When truth_path is not NULL (it must differ from path), writes one row per customer:
** customer_id,lambda,p,nu,dropout_week,purchases,first_purchase (dropout_week empty while alive).
** rows_written (data rows of the log, header excluded) may be NULL. The output depends only on opts (each
** customer draws from its own stream of opts->seed), not on the number of threads (st_context_threads are
** used). Reports progress as stage "simulate". Nothing is left behind on failure.
** Errors: ST_EINVAL (ctx, opts or path NULL; a value out of range, named in the message), ST_EIO,
** ST_ENOMEM, ST_ECANCELLED. */
ST_API st_status st_simulate(st_context *ctx, const st_simulate_options *opts, const char *path,
                      const char *truth_path, uint64_t *rows_written);

/* A randomised e-mail campaign with known truth (`strata simulate campaign`, docs/simulate.md): per customer,
** Hillstrom-like covariates, a latent type (persuadable, sure thing, lost cause, sleeping dog) drawn from a
** documented multinomial logit of the covariates, an arm (treated with probability treated_share) and a
** response: sure things respond with probability respond whatever the arm, persuadables only when treated
** (background otherwise), sleeping dogs only when not treated, lost causes with probability background. */
typedef struct st_campaign_options {
    uint64_t customers;   /* default 10000; 1 to 2^31 */
    uint64_t seed;        /* default 42 */
    double treated_share; /* P(arm "E-Mail"), in (0, 1); default 0.5 */
    double respond;       /* response probability of a responding type, in [0, 1]; default 0.9 */
    double background;    /* response probability otherwise, in [0, 1]; default 0.02 */
} st_campaign_options;

/* Fills opts with the defaults above. NULL is a no-op. */
ST_API void st_campaign_options_init(st_campaign_options *opts);

/* Draws the campaign into a new table (*out, owned by the caller, release with st_table_free; NULL on
** failure). Columns: customer_id (key, "1".."N"), recency (1..12), history (dollars, cents), mens, womens,
** zip_code (Rural / Surburban / Urban, Hillstrom's spelling), newbie, channel (Multichannel / Phone / Web),
** segment (arm: "E-Mail" / "No E-Mail"), visit (the 0/1 response), type (the latent type), prompted (1 for
** a persuadable) and true_uplift (P(visit | treated, x) - P(visit | control, x), the expected uplift given
** the covariates). Customer i draws from stream i of seed, so the table depends only on opts.
** Thread-safe for distinct contexts. Errors: ST_EINVAL (NULL, customers out of range, a probability out of
** range), ST_ENOMEM. */
ST_API st_status st_simulate_campaign(st_context *ctx, const st_campaign_options *opts, st_table **out);

/* ======================================================================================================
** Pipeline: `strata run` -- the whole chain on an event log, one stage after another.
** ==================================================================================================== */

typedef struct st_run_options {
    st_summarize_options summarize;  /* input options */
    const char *out_dir;             /* created when missing */
    int pareto_nbd;                  /* 1: the value stage also fits Pareto/NBD (default 0) */
    const char *mdp_actions;         /* actions JSON of the MDP stage (NULL = the documented default set) */
} st_run_options;

ST_API void st_run_options_init(st_run_options *opts);

/* Runs every stage and writes DIR/customers.csv and DIR/summary.json (and the files later stages add).
** Errors: those of the stages, ST_EIO. */
ST_API st_status st_run(st_context *ctx, const char *const *paths, size_t npaths, const st_run_options *opts);

/* ---- value stage (BTYD models, CLV): declarations below this line ---- */

/* The "buy till you die" model family (docs/value.md). Inputs per customer, in one time unit throughout:
**   bgnbd, mbgnbd, pnbd: x = frequency (repeat purchases), tx = recency (first to last purchase), T = age
**                        (first purchase to end of calibration); 0 <= tx <= T, x = 0 => tx = 0.
**   bgbb:                x = repeat transactions, tx = period of the last one, T = number of periods n
**                        (integers, discrete time).
**   gg (Gamma-Gamma):    x = frequency, tx = mean repeat-purchase spend m; T is ignored (may be NULL);
**                        only rows with x > 0 and m > 0 are used.
** Parameters (in this order): bgnbd/mbgnbd r, alpha, a, b; pnbd r, alpha, s, beta; bgbb alpha, beta,
** gamma, delta; gg p, q, gamma. alpha and beta (pnbd) carry the time unit of the data. */
typedef enum st_btyd_kind {
    ST_BTYD_BGNBD = 0,
    ST_BTYD_MBGNBD = 1,
    ST_BTYD_PNBD = 2,
    ST_BTYD_BGBB = 3,
    ST_BTYD_GG = 4
} st_btyd_kind;

/* A fitted model: parameters, standard errors, log-likelihood, convergence, time unit. Immutable after
** st_btyd_fit / st_btyd_load except for st_btyd_set_time_unit; concurrent reads are safe. */
typedef struct st_btyd_model st_btyd_model;

/* "bgnbd", "mbgnbd", "pnbd", "bgbb", "gg"; NULL for an unknown kind. */
ST_API const char *st_btyd_kind_name(st_btyd_kind kind);
/* Parses one of those names. Errors: ST_EINVAL (unknown name or NULL arguments). */
ST_API st_status st_btyd_kind_parse(const char *name, st_btyd_kind *out);

/* Maximum-likelihood fit. Rows are compressed to unique (x, tx, T) with summed weights first; w == NULL
** means every row has weight 1 (weights must be finite and >= 0). The fit runs in log-parameter space with
** time rescaled internally (max T = 1), BFGS with analytic gradients (pnbd also tries seeded starting
** points: 2, or 4 when the first two disagree), and an optional L2 penalizer on the (rescaled) parameters,
** added to the mean negative log-likelihood as lifetimes does (0 = plain MLE). Large inputs (8192+ unique
** rows) are summed in two fixed halves, on two threads when st_context_threads allows; the result does not
** depend on the thread count. Standard errors come from the numeric
** Hessian of the total log-likelihood: V = J H^-1 J with J = diag(theta).
** A fit that ends without converging still gives a model (st_btyd_converged = 0) and returns ST_OK; the
** caller decides. gg with q <= 1 is returned flagged (st_btyd_warning) and refused by the predictions.
** Errors: ST_EINVAL (NULL arrays, bad kind), ST_EDATA (negative/NaN data or weights, tx > T, the row named
** in the message), ST_EEMPTY (no usable
** row), ST_ECONVERGE (the objective is not finite at any starting point), ST_ENOMEM. *out is NULL on
** failure. Thread-safety: uses only ctx and the arrays (the library's own lgamma: no signgam). */
ST_API st_status st_btyd_fit(st_context *ctx, st_btyd_kind kind, const double *x, const double *tx,
                       const double *T, const double *w, size_t n, double penalizer, uint64_t seed,
                       st_btyd_model **out);

/* The accumulator form of st_btyd_fit: add rows (compressed as they arrive, memory ~ unique rows), merge
** partial accumulators built on other threads, then fit. An empty accumulator merges as the identity.
** st_btyd_acc_add: an invalid row (w < 0 or NaN, tx > T, ...) gives ST_EDATA; rows gg would skip are skipped at fit time.
** st_btyd_acc_merge adds src's rows into dst (src unchanged; both must have the same kind, else ST_EINVAL).
** st_btyd_acc_fit is st_btyd_fit on the accumulated rows; the accumulator stays usable.
** st_btyd_acc_rows gives the number of unique rows held. One accumulator per thread. */
typedef struct st_btyd_acc st_btyd_acc;
ST_API st_status st_btyd_acc_new(st_context *ctx, st_btyd_kind kind, st_btyd_acc **out);
ST_API void st_btyd_acc_free(st_btyd_acc *acc);
ST_API st_status st_btyd_acc_add(st_btyd_acc *acc, double x, double tx, double T, double w);
ST_API st_status st_btyd_acc_merge(st_btyd_acc *dst, const st_btyd_acc *src);
ST_API size_t st_btyd_acc_rows(st_btyd_acc *acc);
ST_API st_status st_btyd_acc_fit(st_btyd_acc *acc, double penalizer, uint64_t seed, st_btyd_model **out);
/* The accumulator as bytes, for shipping partial states between threads, processes or machines: the frame
** of docs/architecture.md, "Partial states" (magic "STRT", version 1, kind "btyd_acc", length, CRC-32;
** little-endian), payload the model kind, the rows added and the unique rows (x, t, T, weight) in ascending
** order. Serializing sorts acc's rows in place (as st_btyd_acc_rows does), so it is not const; equal
** accumulators give equal bytes. *buf (*len bytes) comes from ctx's allocator: release it with
** st_free(ctx, *buf). Errors: ST_EINVAL (NULL argument), ST_ENOMEM. */
ST_API st_status st_btyd_acc_serialize(st_context *ctx, st_btyd_acc *acc, char **buf, size_t *len);
/* Rebuilds an accumulator from len bytes of st_btyd_acc_serialize; it merges with, fits like and
** serializes to the same bytes as the accumulator written. Errors: ST_EINVAL (NULL argument), ST_EFORMAT
** (a damaged or truncated state, another kind or version, a row the accumulator would not hold, rows out
** of order; nothing is returned), ST_ENOMEM. */
ST_API st_status st_btyd_acc_deserialize(st_context *ctx, const char *buf, size_t len, st_btyd_acc **out);

/* Frees the model; NULL is a no-op. */
ST_API void st_btyd_free(st_btyd_model *m);

/* Read accessors (NULL model or out-of-range i give 0 / NaN / NULL). */
ST_API st_btyd_kind st_btyd_kind_of(const st_btyd_model *m);
ST_API size_t st_btyd_nparams(const st_btyd_model *m);
ST_API const char *st_btyd_param_name(const st_btyd_model *m, size_t i);
ST_API double st_btyd_param(const st_btyd_model *m, size_t i);
ST_API double st_btyd_stderr(const st_btyd_model *m, size_t i);        /* NaN when the Hessian was not invertible */
ST_API void st_btyd_ci95(const st_btyd_model *m, size_t i, double *lo, double *hi);  /* Wald: theta -+ 1.96 se */
ST_API double st_btyd_loglik(const st_btyd_model *m);    /* total over customers (sum of w * ll), original units */
ST_API int st_btyd_converged(const st_btyd_model *m);    /* 1 converged, 0 not */
ST_API int st_btyd_iterations(const st_btyd_model *m);   /* BFGS iterations of the best start */
ST_API const char *st_btyd_status(const st_btyd_model *m);   /* "converged", "max_iterations", "line_search", ... */
ST_API const char *st_btyd_warning(const st_btyd_model *m);  /* "" or a warning such as q <= 1 for gg */
ST_API double st_btyd_nobs(const st_btyd_model *m);      /* sum of weights of the rows used */
ST_API const char *st_btyd_time_unit(const st_btyd_model *m); /* "day", "week", "month", "year" or "" (unknown) */

/* Sets the time unit the data were in ("day", "week", "month", "year", or "" for unknown; copied). Only
** used to convert annual discount rates in st_btyd_clv and written to MODEL.json.
** Errors: ST_EINVAL (NULL, or longer than 31 bytes). */
ST_API st_status st_btyd_set_time_unit(st_btyd_model *m, const char *unit);

/* MODEL.json: {"format": "strata-model", "version": 1, "model", "params", "std_errors", "ci95",
** "log_likelihood", "time_unit", "converged", "status", "iterations", "n_obs", "penalizer", "warning"}.
** st_btyd_to_json returns a NUL-terminated string to release with st_btyd_json_free; st_btyd_save
** writes it atomically to path. st_btyd_load reads such a file (other versions give ST_EFORMAT).
** Errors: ST_EIO, ST_EPARSE, ST_EFORMAT, ST_ENOMEM, ST_EINVAL. */
ST_API st_status st_btyd_to_json(st_context *ctx, const st_btyd_model *m, char **out, size_t *len);
ST_API void st_btyd_json_free(st_context *ctx, char *s);
ST_API st_status st_btyd_save(st_context *ctx, const st_btyd_model *m, const char *path);
ST_API st_status st_btyd_load(st_context *ctx, const char *path, st_btyd_model **out);
ST_API st_status st_btyd_from_json(st_context *ctx, const char *text, size_t len, st_btyd_model **out);

/* Per-customer predictions for n customers (same x, tx, T conventions as the fit; gg not accepted here):
** p_alive = P(alive at T) (bgbb: alive in period T+1); expected = conditional expected purchases in
** (T, T + horizon] (bgbb: in the next `horizon` periods, rounded down). Either output may be NULL.
** Runs on st_context_threads threads; each value is the same whatever their number.
** Errors: ST_EINVAL (NULL inputs, gg model, horizon < 0), ST_EDATA (a row outside 0 <= tx <= T or with
** x < 0, named in the message), ST_ERANGE (non-finite result). */
ST_API st_status st_btyd_predict(st_context *ctx, const st_btyd_model *m, const double *x, const double *tx,
                           const double *T, size_t n, double horizon, double *p_alive, double *expected);

/* Population expectation E[X(t)] for a new customer at each of n times (bgnbd, mbgnbd, pnbd; bgbb with t
** in whole periods). Errors: ST_EINVAL. */
ST_API st_status st_btyd_expected_population(st_context *ctx, const st_btyd_model *m, const double *t, size_t n,
                                       double *out);

/* P(X(t) = k) for k = 0..kmax (kmax + 1 values, written to the caller's out) for a new customer over
** (0, t]: bgnbd and mbgnbd (Fader-Hardie-Lee 2005, Batislam et al. 2007; negative-binomial tails from the
** incomplete beta, so tiny probabilities keep their digits), pnbd (Fader-Hardie note 013 eq. 24 as a
** series of positive terms), bgbb (Fader-Hardie-Shang 2010, t in whole periods: floor(t), at most
** 100000). Summed over all k the values give 1. Errors: ST_EINVAL (NULL m or out, gg, t <= 0 or not
** finite, bgbb beyond 100000 periods), ST_ERANGE (a value is not finite). Thread-safety: pure; any
** number of threads may call it on the same model. */
ST_API st_status st_btyd_pmf(st_context *ctx, const st_btyd_model *m, double t, size_t kmax, double *out);

/* The conditional PMF P(X(T, T+t) = k | x, tx, T) of one customer (the st_btyd_predict conventions) for
** k = 0..kmax (kmax + 1 values into the caller's out): (1 - P(alive at T)) [k = 0] + P(alive at T) *
** the new-customer PMF under the posterior parameters -- pnbd (r+x, alpha+T, s, beta+T) as in Fader-Hardie
** note 028; bgnbd (r+x, alpha+T, a, b+x) and mbgnbd (r+x, alpha+T, a, b+x+1), both with drop-out coins
** only after purchases; bgbb (alpha+x, beta+n-x, gamma, delta+n) over the next floor(t) periods (t < 1
** gives P(X = 0) = 1). Its mean is st_btyd_predict's expected purchases over the horizon t.
** Errors: ST_EINVAL (NULL m or out, gg, t <= 0 or not finite, bgbb beyond 100000 periods), ST_EDATA (x < 0,
** tx outside [0, T], bgbb x > n), ST_ERANGE (a value is not finite). Thread-safety: pure, as st_btyd_pmf. */
/* Churn score: P(no purchase in (T, T + horizon] | x, tx, T) for n customers, the k = 0 term of
** st_btyd_conditional_pmf; for bgnbd (1 - P(alive)) + P(alive) ((alpha + T) / (alpha + T + horizon))^(r + x),
** mbgnbd and pnbd likewise. Unlike 1 - P(alive) it ranks one-time buyers (BG/NBD sets their P(alive) to 1).
** A row with a NaN input gives NaN; horizon 0 (bgbb: under one period) gives 1. Errors: ST_EINVAL (NULL
** arrays with n > 0, gg, horizon < 0 or not finite), ST_EDATA (a row outside 0 <= tx <= T, named), ST_ERANGE.
** Thread-safety: pure, as st_btyd_pmf. */
ST_API st_status st_btyd_p_no_purchase(st_context *ctx, const st_btyd_model *m, const double *x, const double *tx,
                                const double *T, size_t n, double horizon, double *out);

ST_API st_status st_btyd_conditional_pmf(st_context *ctx, const st_btyd_model *m, double x, double tx, double T, double t,
                                   size_t kmax, double *out);

/* Expected mean spend per transaction E[M | x, m] from a gg model (x = 0 customers get the population
** mean). Errors: ST_EINVAL (not gg), ST_ERANGE (q <= 1: the expectation does not exist). */
ST_API st_status st_btyd_expected_spend(st_context *ctx, const st_btyd_model *gg, const double *x, const double *m,
                                  size_t n, double *out);

/* Pareto/NBD discounted expected residual transactions (closed form, continuous discounting) with the
** annual discount rate d converted to the model's time unit: delta = ln(1 + d) / units_per_year.
** Errors: ST_EINVAL (not pnbd, unknown time unit, d <= 0). */
ST_API st_status st_btyd_dert(st_context *ctx, const st_btyd_model *m, const double *x, const double *tx,
                        const double *T, size_t n, double annual_discount, double *out);

/* Discounted CLV over (T, T + horizon]: margin * E[spend] * sum_k (CET(t_k) - CET(t_{k-1})) / (1+d_u)^t_k
** with t_k = k * step (the last step ends at horizon) and d_u the annual rate converted to the model's time
** unit, d_u = (1 + annual_discount)^(1/units_per_year) - 1 (no hidden 30-day months). step <= 0 picks
** horizon / ceil(horizon) when horizon <= 104 time units, else horizon / 52. spend may be NULL (then
** m is used as the spend per transaction directly). At most 1000000 steps (horizon / step). Runs on
** st_context_threads threads; each value is the same whatever their number. Errors: ST_EINVAL (unknown time
** unit with a non-zero discount, bad kinds, too many steps), ST_EDATA (a row outside 0 <= tx <= T), ST_ERANGE (gg
** q <= 1, a CLV that is not finite; the message names the first such row). */
ST_API st_status st_btyd_clv(st_context *ctx, const st_btyd_model *m, const st_btyd_model *spend, const double *x,
                       const double *tx, const double *T, const double *mbar, size_t n, double horizon,
                       double step, double annual_discount, double margin, double *out);


/* The simple CLV formulas of the seed papers, per customer (n values; out may alias no input):
** st_clv_dcf: discounted cash flow sum_{t=1}^{L} (profit_i - cost) / (1 + rate)^t over a lifespan of L
**   periods (a fractional last period counts pro rata), with profit per period, cost per period and the
**   discount rate all per period.
** st_clv_simple: margin * aov_i * frequency_i * lifespan / (1 + discount), frequency in purchases per
**   period and lifespan in periods.
** Errors: ST_EINVAL (NULL arrays, lifespan < 0, rate or discount <= -1, non-finite options). */
ST_API st_status st_clv_dcf(st_context *ctx, const double *profit, size_t n, double cost, double rate, double lifespan,
                     double *out);
ST_API st_status st_clv_simple(st_context *ctx, const double *aov, const double *frequency, size_t n, double margin,
                        double lifespan, double discount, double *out);

/* Calibration-vs-holdout table (the lifetimes / BTYD plot as numbers): customers grouped by calibration
** frequency 0, 1, ..., kmax-1 and kmax+ (kmax + 1 groups); per group the number of customers, the mean
** actual holdout purchases and the mean predicted purchases over each customer's holdout duration.
** counts, actual, predicted each hold kmax + 1 values. Rows with a NaN input are skipped.
** Errors: ST_EINVAL (NULL arrays, gg model, kmax = 0), those of st_btyd_predict. */
ST_API st_status st_btyd_calibration_holdout(st_context *ctx, const st_btyd_model *m, const double *x, const double *tx,
                                       const double *T, const double *x_holdout, const double *duration,
                                       size_t n, size_t kmax, double *counts, double *actual,
                                       double *predicted);

/* Expected cumulative purchases of a cohort at the times t[0..nt) (bgnbd, mbgnbd, pnbd): sum over customers
** of E[X(t - birth_i)] for t > birth_i (birth = time of the first purchase, same unit as the model),
** i.e. the tracking curve of Hardie note 008; repeat purchases only. Errors: ST_EINVAL. */
ST_API st_status st_btyd_tracking(st_context *ctx, const st_btyd_model *m, const double *birth, size_t n, const double *t,
                            size_t nt, double *cumulative);

/* The actual side of a tracking curve, from event logs read with the input options in (those of
** st_summarize; one pass, any input it takes): every customer with a purchase has a birth, the time of its
** first purchase in periods of days_per_period days counted from the earliest purchase of the log (in the
** order of first appearance); incremental[k] counts the repeat purchases (distinct purchase days after the
** first, same-day purchases merged) in period k = floor((day - earliest) / days_per_period), k < *nperiods.
** *nperiods = 0 on entry means up to the last purchase, and receives the number used. births (*nbirths
** values) and incremental (*nperiods values) are new arrays to release with st_free(ctx, p).
** Errors: those of st_summarize, ST_EEMPTY (no purchase), ST_EINVAL. */
ST_API st_status st_tracking_from_events(st_context *ctx, const char *const *paths, size_t npaths,
                                  const st_summarize_options *in, double days_per_period, size_t *nperiods,
                                  double **births, size_t *nbirths, double **incremental);

/* ---- segment stage (weights, RFM, k-means, SOM, metrics): declarations below this line ---- */

/* Conventions of this section: a data matrix is `const double *x, size_t n, size_t d`, n rows of d values,
** row-major (x[i*d + j]); results go into caller arrays of the documented size. Every function is
** thread-safe for distinct contexts; none keeps state between calls. NULL required pointers give ST_EINVAL.
** Methods and conventions are described in docs/segment.md. */

/* Min-max normalisation of each column to [0, 1]: (x - min)/(max - min), or (max - x)/(max - min) for
** columns with cost[j] != 0 (smaller is better). cost may be NULL (all benefit). A constant column becomes
** all 0. out holds n*d values (may equal x). Errors: ST_EINVAL (NULL, n or d 0, a non-finite value). */
ST_API st_status st_minmax_normalize(st_context *ctx, const double *x, size_t n, size_t d, const int *cost,
                              double *out);

/* The entropy weight method (EWM) on n objects and d indicators: min-max normalise (cost[j] != 0 reverses
** column j; cost may be NULL), p_ij = x'_ij / sum_i x'_ij, e_j = -(1/ln n) sum_i p_ij ln p_ij with
** 0 ln 0 = 0, w_j = (1 - e_j) / sum_k (1 - e_k). A constant column carries no information: e_j = 1 and
** w_j = 0. When every column is constant (or n == 1) the weights are equal (1/d). Never NaN.
** entropy (may be NULL) and weights receive d values. Errors: ST_EINVAL (NULL, n or d 0, non-finite x). */
ST_API st_status st_weights_entropy(st_context *ctx, const double *x, size_t n, size_t d, const int *cost,
                             double *entropy, double *weights);

/* AHP: weights from an m x m pairwise comparison matrix a (row-major, a[i*m + j] = importance of i over j).
** The matrix must be positive and reciprocal (a_ii = 1, a_ij * a_ji = 1, both to a relative 1e-6), else
** ST_EINVAL with the offending cell in the message. weights (m values, sum 1) is the principal eigenvector
** (power iteration); lambda_max its eigenvalue; ci = (lambda_max - m)/(m - 1) and cr = ci / RI(m) with
** Saaty's classic random index (0, 0, .58, .90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57,
** 1.59); ci = cr = 0 when m <= 2. A CR >= 0.1 is returned as is (the caller decides whether to warn).
** lambda_max, ci and cr may be NULL. Errors: ST_EINVAL, ST_ERANGE (m > 15), ST_ECONVERGE (no convergence in
** 10000 iterations; weights are still written). */
ST_API st_status st_ahp_weights(st_context *ctx, const double *a, size_t m, double *weights, double *lambda_max,
                         double *ci, double *cr);

/* Reads an m x m pairwise comparison matrix for st_ahp_weights from CSV text into a (m*m values, row-major):
** one row per indicator, cells separated by commas, each a decimal or a fraction like 1/3. A first row in which
** no cell parses as a number is a header and is skipped; a first cell that is not a number is a row name.
** Blank lines and a UTF-8 byte order mark are ignored; name labels the messages (NULL = "<matrix>").
** st_ahp_read reads the file path ("-" = standard input; at most 1 MiB). Values are not checked for being
** positive or reciprocal here (st_ahp_weights does). Errors: ST_EPARSE with name:line[:column] (a cell that
** is not a number, rows of different lengths, not square, not m x m), ST_EINVAL (NULL, m 0 or above 63),
** ST_EIO, ST_ELIMIT, ST_ENOMEM. */
ST_API st_status st_ahp_parse(st_context *ctx, const char *text, size_t len, const char *name, size_t m, double *a);
ST_API st_status st_ahp_read(st_context *ctx, const char *path, size_t m, double *a);

/* Combined subjective/objective weights omega_i = theta_i eta_i / sum_j theta_j eta_j (seed 002, eq. 2).
** An indicator with eta_i = 0 (a constant column) gets omega_i = 0 whatever its AHP weight.
** out receives m values (may alias theta or eta). Errors: ST_EINVAL (NULL, m 0, negative or non-finite
** weights, or sum_j theta_j eta_j == 0). */
ST_API st_status st_weights_combine(st_context *ctx, const double *theta, const double *eta, size_t m, double *out);

/* The weights of d indicators as JSON text (what `strata weights --json` prints):
**   {"entropy": {name: e, ...}, "entropy_weights": {...}, "ahp_weights": {...} or null, "lambda_max",
**    "ci", "cr" (null without AHP), "rows", "combined_weights": {...}}
** one member a line, each map on one line; non-finite numbers are null. names, entropy, entropy_weights and
** combined hold d entries; ahp_weights may be NULL (no AHP: lambda_max, ci and cr are then ignored). *out is
** a NUL-terminated string ending in a newline (*len bytes, len may be NULL) to release with st_free(ctx, *out);
** NULL on failure. Errors: ST_EINVAL (NULL argument), ST_ENOMEM. Thread-safe for distinct contexts. */
ST_API st_status st_weights_to_json(st_context *ctx, const char *const *names, size_t d, const double *entropy,
                             const double *entropy_weights, const double *ahp_weights, double lambda_max,
                             double ci, double cr, const double *combined, size_t rows, char **out, size_t *len);

/* Column scaling before clustering. ZSCORE uses the population standard deviation (ddof 0, as
** scikit-learn's StandardScaler); a constant column becomes 0 under MINMAX and ZSCORE. */
typedef enum st_scale { ST_SCALE_NONE = 0, ST_SCALE_MINMAX = 1, ST_SCALE_ZSCORE = 2 } st_scale;

/* Scales the columns of x into out (n*d values, may equal x). Errors: ST_EINVAL (NULL, non-finite x). */
ST_API st_status st_scale_columns(st_context *ctx, const double *x, size_t n, size_t d, st_scale how, double *out);

/* Clustering quality, with scikit-learn's definitions and edge cases (sklearn.metrics). labels holds n
** cluster ids (any int32 values; they are label-encoded internally); the number of distinct labels must be
** in [2, n - 1], else ST_EINVAL. Distances are Euclidean. Uses st_context_threads threads when n is large. */

/* Mean silhouette coefficient: a = mean distance to the other members of its own cluster, b = smallest
** mean distance to another cluster, s = (b - a)/max(a, b); a sample alone in its cluster scores 0. Exact:
** O(n^2 d) time, O(n (k + d)) memory (the n x n distance matrix is never stored). samples (may be NULL)
** receives the n per-sample values. Errors: ST_EINVAL, ST_ENOMEM. */
ST_API st_status st_metric_silhouette(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *labels,
                        double *score, double *samples);

/* Davies-Bouldin index (lower is better): mean over clusters of max_j (s_i + s_j)/|c_i - c_j|, with s_i
** the mean distance of members to their centroid; 0 when all s_i or all centroid distances are 0.
** Errors: ST_EINVAL, ST_ENOMEM. */
ST_API st_status st_metric_davies_bouldin(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *labels,
                            double *score);

/* Calinski-Harabasz index: [sum_k n_k |c_k - c|^2 / (k - 1)] / [sum_i |x_i - c_{l_i}|^2 / (n - k)];
** 1 when the within-cluster dispersion is 0. Errors: ST_EINVAL, ST_ENOMEM. */
ST_API st_status st_metric_calinski_harabasz(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *labels,
                               double *score);

/* The three quality metrics as one line of JSON text (what `strata metrics --json` prints):
**   {"silhouette": s, "davies_bouldin": db, "calinski_harabasz": ch, "rows": rows}
** non-finite numbers are null. *out is a NUL-terminated string ending in a newline (*len bytes, len may be
** NULL) to release with st_free(ctx, *out); NULL on failure. Errors: ST_EINVAL (out NULL), ST_ENOMEM.
** Thread-safe for distinct contexts. */
ST_API st_status st_metrics_to_json(st_context *ctx, double silhouette, double davies_bouldin,
                             double calinski_harabasz, size_t rows, char **out, size_t *len);

/* k-means options. Initialise with st_kmeans_options_init. */
typedef struct st_kmeans_options {
    size_t k;         /* number of clusters (default 5) */
    int n_init;       /* restarts with different k-means++ seeds; the lowest inertia wins (default 3) */
    int max_iter;     /* Lloyd iterations per restart (default 300) */
    double tol;       /* stop when sum of squared centre shifts <= tol * mean column variance (1e-4) */
    uint64_t seed;    /* default 42 */
} st_kmeans_options;

ST_API void st_kmeans_options_init(st_kmeans_options *opts);

/* k-means: greedy k-means++ seeding (2 + floor(ln k) candidates per centre, as scikit-learn), Lloyd
** iterations until labels stop changing or the centre shift falls under tol, a final assignment so labels
** match the centres; an empty cluster is re-seeded at the point farthest from its centre. Deterministic for
** a seed whatever the thread count. w (may be NULL) holds n non-negative sample weights. centers receives
** k*d values, labels (may be NULL) n values in [0, k), inertia (may be NULL) the weighted sum of squared
** distances, n_iter (may be NULL) the Lloyd iterations of the best restart. Uses st_context_threads
** threads for the assignment step. Errors: ST_EINVAL (k 0 or more than the points with positive weight,
** non-finite data), ST_ENOMEM, ST_ECANCELLED. */
ST_API st_status st_kmeans_fit(st_context *ctx, const double *x, size_t n, size_t d, const double *w,
                    const st_kmeans_options *opts, double *centers, int32_t *labels, double *inertia,
                    int *n_iter);

/* Classic RFM quintile scores. Each score is 1 + floor(5 * below / n'), where below counts the valid values
** strictly worse than this one and n' the number of valid values: tied values share a score (independent
** of row order), and without ties the quintiles have equal counts. Recency is in days, smaller is better
** (so the most recent customers score 5); for frequency and monetary larger is better. A row with a NaN in
** any of the three gets 0 in all three scores ("No purchase"). r, f, m receive n scores.
** Errors: ST_EINVAL (NULL, n 0). */
ST_API st_status st_rfm_scores(st_context *ctx, const double *recency_days, const double *frequency,
                        const double *monetary, size_t n, int32_t *r, int32_t *f, int32_t *m);

/* The 11 named RFM segments, tried in this priority order (first match wins), with ST_RFM_OTHERS as the
** fallback and ST_RFM_NO_PURCHASE for scores of 0. Ranges (R, F, M) are in docs/segment.md. */
enum {
    ST_RFM_CHAMPIONS = 0, ST_RFM_CANT_LOSE = 1, ST_RFM_LOYAL = 2, ST_RFM_NEED_ATTENTION = 3, ST_RFM_AT_RISK = 4,
    ST_RFM_NEW = 5, ST_RFM_PROMISING = 6, ST_RFM_POTENTIAL_LOYALIST = 7, ST_RFM_ABOUT_TO_SLEEP = 8,
    ST_RFM_LOST = 9, ST_RFM_HIBERNATING = 10, ST_RFM_OTHERS = 11, ST_RFM_NO_PURCHASE = 12
};

/* The segment (ST_RFM_*) of one set of scores. */
ST_API int st_rfm_segment(int r, int f, int m);
/* The name of an ST_RFM_* segment ("Champions", ...); "Others" for unknown ids. Never NULL. */
ST_API const char *st_rfm_segment_name(int segment);

/* The eight-class RFM cube: a customer is high on R when recency_days < mean (strictly more recent), high
** on F when frequency > mean and on M when monetary > mean (strict; means over rows with no NaN). The class
** code is 4*R + 2*F + M (7 = key value ... 0 = general recovery); rows with a NaN get -1. cls receives n
** codes. Errors: ST_EINVAL (NULL, n 0), ST_EEMPTY (no valid row). */
ST_API st_status st_rfm8_classes(st_context *ctx, const double *recency_days, const double *frequency,
                  const double *monetary, size_t n, int32_t *cls);

/* Name of an rfm8 class code ("Key value", "Key development", "Key retention", "Key recovery", "General
** value", "General development", "General retention", "General recovery"; "No purchase" for -1). */
ST_API const char *st_rfm8_name(int cls);

/* Segment names for clusters from their centroid's R (days), F, M against the population means, as in seed
** 002: the class code is built as in st_rfm8_classes and named "Key customers", "Key developing", "Key retention",
** "Key recovery", "General maintenance", "General developing", "General retention", "Non-valuable". */
ST_API int st_rfm_class(double r_days, double f, double m, double mean_r_days, double mean_f, double mean_m);
ST_API const char *st_value_segment_name(int cls);
/* The default marketing strategy line of a class (starts with "retain", "nurture" or "activate"). */
ST_API const char *st_value_segment_strategy(int cls);

/* A trained self-organising map (opaque). */
typedef struct st_som st_som;

typedef enum st_som_topology { ST_SOM_RECT = 0, ST_SOM_HEX = 1 } st_som_topology;
typedef enum st_som_training { ST_SOM_ONLINE = 0, ST_SOM_BATCH = 1 } st_som_training;

/* SOM options (seed 002's improved SOM). Initialise with st_som_options_init. */
typedef struct st_som_options {
    size_t rows, cols;          /* grid (default 10 x 10) */
    st_som_topology topology;   /* default ST_SOM_HEX */
    st_som_training training;   /* default ST_SOM_ONLINE */
    int epochs;                 /* passes over the data (default 20) */
    double lambda0;             /* initial learning rate of online training (default 0.5) */
    double sigma0;              /* initial neighbourhood radius; 0 = max(rows, cols)/2 (default 0) */
    double sigma_min;           /* floor of the radius (default 0.5) */
    double time_constant;       /* T of lambda0 e^(-t/T), sigma0 e^(-t/T), in steps (samples for online,
                                ** epochs for batch); 0 = steps / max(1, ln(sigma0/sigma_min)) (default 0) */
    uint64_t seed;              /* initial codebook (random data rows) and sample order (default 42) */
} st_som_options;

ST_API void st_som_options_init(st_som_options *opts);

/* Trains a SOM on x. Online: one sample at a time in a seeded random order per epoch,
** w += lambda(t) h(t) (x - w) with h = exp(-d^2 / (2 sigma(t)^2)) on grid distance d (units with
** h < 1e-8 are left alone). Batch: each epoch
** sets w = sum h x / sum h (Kohonen's batch map) with sigma(t) for t the epoch. Hex grids offset odd rows
** by 1/2 and rows by sqrt(3)/2 so the six neighbours lie at distance 1. Deterministic for a seed.
** *out is NULL on failure. Errors: ST_EINVAL (NULL, n 0, empty grid, bad options, non-finite data),
** ST_ENOMEM, ST_ECANCELLED. */
ST_API st_status st_som_train(st_context *ctx, const double *x, size_t n, size_t d, const st_som_options *opts,
                       st_som **out);
ST_API void st_som_free(st_som *som);

ST_API size_t st_som_units(const st_som *som);  /* rows * cols (0 for NULL) */
ST_API size_t st_som_dim(const st_som *som);    /* d (0 for NULL) */
/* The codebook: units * d values, unit u = row * cols + col; owned by som. NULL for NULL. */
ST_API const double *st_som_codebook(const st_som *som);
/* Grid coordinates of unit u (hex rows offset as in st_som_train). No-op for NULL or u out of range. */
ST_API void st_som_unit_xy(const st_som *som, size_t u, double *gx, double *gy);

/* Best-matching unit of each of n rows of x (d = st_som_dim): the lowest unit index on ties. Uses
** st_context_threads threads for large n. Errors: ST_EINVAL, ST_ENOMEM. */
ST_API st_status st_som_bmu(st_context *ctx, const st_som *som, const double *x, size_t n, int32_t *bmu);

/* Quantization error (mean Euclidean distance of a row to its BMU) and topographic error (share of rows
** whose best and second-best units are not grid neighbours: 8-neighbourhood on rect grids, 6 on hex).
** qe or te may be NULL. Errors: ST_EINVAL, ST_ENOMEM. */
ST_API st_status st_som_quality(st_context *ctx, const st_som *som, const double *x, size_t n, double *qe,
                         double *te);

/* U-matrix: for each unit the mean codebook distance to its grid neighbours (units values).
** Errors: ST_EINVAL. */
ST_API st_status st_som_umatrix(const st_som *som, double *out);

/* Clusters the codebook into k segments by k-means on the prototypes weighted by their hit counts over x
** (units with no hits get the nearest segment), so a customer's segment is unit_labels[bmu]. unit_labels
** receives st_som_units values in [0, k). Errors: ST_EINVAL (k 0 or more than the units hit), ST_ENOMEM. */
ST_API st_status st_som_cluster(st_context *ctx, const st_som *som, const double *x, size_t n, size_t k,
                         uint64_t seed, int32_t *unit_labels);

/* Per-segment profile (seed 002 Table 1). labels holds n values in [0, k) (negative labels are skipped);
** r, f, m hold n values each (NaN values are left out of that column's figures). count receives k counts;
** mean and median (either may be NULL) receive k*3 values, segment-major (mean[s*3 + 0] is R, +1 F, +2 M),
** NaN for a segment with no finite value; the median of an even count is the mean of the middle two.
** Errors: ST_EINVAL (NULL, k 0, a label >= k), ST_ENOMEM. */
ST_API st_status st_segment_profile(st_context *ctx, const int32_t *labels, size_t n, size_t k, const double *r,
                             const double *f, const double *m, size_t *count, double *mean, double *median);

/* Value class (as st_rfm_class) of each of k clusters: its mean R (days), F, M against the population means
** over rows with finite R, F and M. cls receives k codes (-1 for a cluster without such rows), to be named
** with st_value_segment_name. Errors: ST_EINVAL (NULL, k 0, a label >= k), ST_EEMPTY, ST_ENOMEM. */
ST_API st_status st_segment_classes(st_context *ctx, const int32_t *labels, size_t n, size_t k, const double *r,
                             const double *f, const double *m, int32_t *cls);

/* Multi-behaviour RFM (seed 002 eqs. 1-3) over nb behaviours: days (n*nb, row-major) holds the days since
** each behaviour (NaN when the customer never did it: replaced by the column's largest value, i.e. as
** stale as the stalest customer), counts (n*nb) the behaviour counts. omega = st_weights_combine of the
** AHP weights of ahp (nb x nb; NULL = equal subjective weights) and the entropy weights of counts; then
** r_out[i] = sum_b omega_b days_ib and f_out[i] = sum_b omega_b counts_ib. omega (may be NULL) receives nb
** weights. Errors: ST_EINVAL (NULL, n or nb 0, bad AHP matrix, non-finite counts), ST_ENOMEM. */
ST_API st_status st_mbrfm_scores(st_context *ctx, const double *days, const double *counts, size_t n, size_t nb,
                   const double *ahp, double *omega, double *r_out, double *f_out);

/* A comparison of segmentation models as JSON text (what `strata profile --compare --json` prints):
**   {"behaviour_weights": {behaviour: omega, ...},
**    model: {"customers", "key_customers", "key_rate", "non_valuable", "non_valuable_rate", "silhouette",
**            "davies_bouldin"}, ... one member per model}
** one member a line, each object on one line; rates are key / customers and non_valuable / customers;
** non-finite numbers (a rate of 0 customers) are null. behaviours and omega hold nb entries (omega as from
** st_mbrfm_scores); models, customers, key_customers, non_valuable, silhouette and davies_bouldin hold
** nmodels entries. *out is a NUL-terminated string ending in a newline (*len bytes, len may be NULL) to
** release with st_free(ctx, *out); NULL on failure. Errors: ST_EINVAL (NULL argument), ST_ENOMEM.
** Thread-safe for distinct contexts. */
ST_API st_status st_profile_compare_to_json(st_context *ctx, const char *const *behaviours, const double *omega, size_t nb,
                             const char *const *models, size_t nmodels, const size_t *customers,
                             const size_t *key_customers, const size_t *non_valuable, const double *silhouette,
                             const double *davies_bouldin, char **out, size_t *len);

/* -- Table columns as a matrix --
** A row-major n x d matrix of the numeric columns cols[0..d-1] of t (by name). With finite_only, rows holding
** a missing (NaN) or infinite value are left out. *x receives m*d values and *rows (may be NULL) the m table
** rows they came from, in table order; release both with st_table_matrix_free. *m is the number of rows kept
** (0 is not an error: *x and *rows are then still valid, empty arrays). On failure *x and *rows are NULL.
** Thread-safe for distinct contexts (t is only read).
** Errors: ST_EINVAL (NULL argument, d 0, a string column: "column 'x' is not numeric"), ST_ENOTFOUND ("no
** column 'x' in the table"), ST_ENOMEM. */
ST_API st_status st_table_matrix(st_context *ctx, const st_table *t, const char *const *cols, size_t d, int finite_only,
                          double **x, size_t **rows, size_t *m);
/* Releases what st_table_matrix returned; NULL pointers are ignored. */
ST_API void st_table_matrix_free(st_context *ctx, double *x, size_t *rows);

/* -- One segmentation, end to end: what `strata segment`, `strata profile` and `strata run` share --
** (docs/segment.md, "Segmentation"). The silhouette is exact up to ST_SILHOUETTE_ROWS rows; above that it is
** computed on a seeded random sample of ST_SILHOUETTE_ROWS rows (a partial Fisher-Yates shuffle drawn from
** the options' seed); Davies-Bouldin and Calinski-Harabasz always use every row. */
#define ST_SILHOUETTE_ROWS 10000

typedef enum st_segment_method {
    ST_SEGMENT_RFM = 0,    /* classic RFM quintile scores and the 11 named segments */
    ST_SEGMENT_RFM8 = 1,   /* the eight-class cube */
    ST_SEGMENT_KMEANS = 2, /* k-means++ on the scaled features */
    ST_SEGMENT_SOM = 3     /* improved SOM on the scaled features, codebook clustered into k segments */
} st_segment_method;

/* Options of st_segment_run. Initialise with st_segment_options_init. */
typedef struct st_segment_options {
    st_segment_method method; /* default ST_SEGMENT_RFM */
    st_scale scale;           /* before k-means / SOM and for the quality metrics (default ST_SCALE_ZSCORE) */
    size_t k;                 /* segments of k-means and SOM (default 5) */
    int k_at_most;            /* SOM: when fewer than k units are hit, use that many segments instead of
                              ** failing (default 0) */
    int n_init;               /* k-means restarts (default 3) */
    uint64_t seed;            /* k-means, SOM training, codebook clustering, silhouette sample (default 42) */
    st_som_options som;       /* grid, topology, training, epochs, rates; som.seed is replaced by seed */
    size_t som_train_rows;    /* SOM: train on a seeded sample of at most this many rows, then map every row
                              ** through the map (0 = train on every row; default 0) */
    int quality;              /* compute the quality metrics (default 1) */
    size_t silhouette_rows;   /* silhouette sample size (default ST_SILHOUETTE_ROWS; 0 = every row, exact) */
} st_segment_options;

ST_API void st_segment_options_init(st_segment_options *opts);

/* Quality of a labelling. NaN for a figure that does not apply (fewer than 2 or more than rows - 1
** segments; inertia outside k-means; quantization and topographic error outside the SOM). */
typedef struct st_segment_quality {
    size_t rows;              /* rows scored */
    size_t k;                 /* distinct segments among them */
    size_t silhouette_rows;   /* rows the silhouette used: every row, or the sample */
    double silhouette, davies_bouldin, calinski_harabasz;
    double inertia;           /* k-means: weighted sum of squared distances to the centres */
    double quantization_error, topographic_error; /* SOM, over every segmented row */
} st_segment_quality;

/* Quality of L labellings (1 to 8) of the same n rows of x, by the sampling rule above (the sample is drawn
** once from seed, and the silhouette's distances are computed once for all L labellings). labels[l] holds n
** ids (any int32 values). q receives L results. Uses st_context_threads threads; results are bit-identical
** for any thread count. Errors: ST_EINVAL (NULL, L out of range, non-finite x), ST_ENOMEM. */
ST_API st_status st_segment_evaluate(st_context *ctx, const double *x, size_t n, size_t d, const int32_t *const *labels,
                              size_t L, size_t silhouette_rows, uint64_t seed, st_segment_quality *q);

/* A segmentation of n rows (opaque). */
typedef struct st_segmentation st_segmentation;

/* Segments the n rows of x (n x d, row-major; copied, not kept). Rows with a non-finite value are not
** segmented: their label is -1 and their name "No purchase". rfm and rfm8 read the first three columns as
** R (days since the last purchase), F and M and need d == 3. k-means and SOM segments are named from their
** centroid's mean R, F, M (the first three columns, unscaled) against the population means
** (st_segment_classes, st_value_segment_name), a repeated name getting " 2", " 3" in segment order; with
** d < 3 they are "Segment 0", "Segment 1", ... Same seed and options give the same result for any thread
** count. *out is NULL on failure. Thread-safe for distinct contexts.
** Errors: ST_EINVAL (NULL, bad options, d != 3 for rfm/rfm8, k more than the rows or the units hit), ST_EEMPTY
** (no row with every value finite), ST_ENOMEM, ST_ECANCELLED. */
ST_API st_status st_segment_run(st_context *ctx, const double *x, size_t n, size_t d, const st_segment_options *opts,
                         st_segmentation **out);
ST_API void st_segmentation_free(st_segmentation *s); /* NULL is a no-op */

/* Accessors; all accept NULL (0 / NULL). Arrays are owned by s and valid until st_segmentation_free. */
ST_API st_segment_method st_segmentation_method(const st_segmentation *s);
ST_API size_t st_segmentation_rows(const st_segmentation *s);      /* n */
ST_API size_t st_segmentation_segmented(const st_segmentation *s); /* rows with every value finite */
ST_API size_t st_segmentation_k(const st_segmentation *s);         /* ids are 0 .. k-1 (rfm 12, rfm8 8) */
ST_API const int32_t *st_segmentation_labels(const st_segmentation *s); /* n ids, -1 = not segmented */
/* Name of segment id (0 .. k-1), "No purchase" for -1, NULL for other ids. */
ST_API const char *st_segmentation_name(const st_segmentation *s, long id);
/* Value class (st_value_segment_name code) of a k-means / SOM segment; -1 for other methods, d < 3 or an
** empty segment. */
ST_API int st_segmentation_class(const st_segmentation *s, size_t id);
/* rfm: the n r, f, m scores and rfm_score = 100 r + 10 f + m (which = 0, 1, 2, 3); 0 when not segmented.
** NULL for other methods or which out of range. */
ST_API const int32_t *st_segmentation_scores(const st_segmentation *s, int which);
/* SOM: the map, the best-matching unit of each row (n values, -1 when not segmented) and the segment of
** each unit (st_som_units values). NULL for other methods. */
ST_API const st_som *st_segmentation_som(const st_segmentation *s);
ST_API const int32_t *st_segmentation_bmu(const st_segmentation *s);
ST_API const int32_t *st_segmentation_unit_labels(const st_segmentation *s);
/* The quality figures, on the scaled features of the segmented rows. With opts->quality 0 the silhouette,
** Davies-Bouldin and Calinski-Harabasz are NaN (k, inertia and the SOM's errors are still set). NULL for NULL. */
ST_API const st_segment_quality *st_segmentation_quality(const st_segmentation *s);

/* The quality as a JSON object: {"method", "rows", "rows_segmented", "k" (segments present), "silhouette",
** "silhouette_rows", "davies_bouldin", "calinski_harabasz", then "inertia" (k-means) or "quantization_error"
** and "topographic_error" (SOM)}; null for a figure that does not apply. *out is a NUL-terminated string
** (*len bytes, len may be NULL) to release with st_segmentation_json_free. Errors: ST_EINVAL, ST_ENOMEM. */
ST_API st_status st_segmentation_to_json(st_context *ctx, const st_segmentation *s, char **out, size_t *len);
ST_API void st_segmentation_json_free(st_context *ctx, char *json);

/* -- Value strata: retain / nurture / activate --
** Stratum of each of n values: 1 is the highest, k the lowest. cuts (ncuts = k - 1 ascending values) split
** the strata; with cuts NULL they are the quantiles sorted[j n' / k] (j = 1 .. k-1) of the n' finite values.
** A value is above a cut only when it exceeds it, so values tied at a cut fall to the lower stratum. A
** non-finite value gets stratum 0. stratum receives n values. Thread-safe for distinct contexts.
** Errors: ST_EINVAL (NULL, k 0, ncuts != k - 1 with cuts, cuts not ascending or not finite), ST_ENOMEM. */
ST_API st_status st_value_strata(st_context *ctx, const double *v, size_t n, size_t k, const double *cuts, size_t ncuts,
                          int32_t *stratum);
/* The strategy of stratum s of k: "retain" the top (s = 1, k > 1), "activate" the bottom (s = k), "nurture"
** the rest; "" for s outside [1, k]. A static string. */
ST_API const char *st_stratum_strategy(long s, size_t k);

/* ---- eval stage (classifier evaluation, A/B tests): declarations below this line ---- */

/* -- Classifier evaluation (docs/evaluate.md) --
** The figures of scikit-learn 1.2 for a binary score against 0/1 labels and for predicted against true class
** labels. Rows are numbered from 1 in error messages ("evaluate: row 7: label 2 is not 0 or 1"). */

/* Binary evaluation of n scores against n labels (each exactly 0 or 1). */
typedef struct st_eval_binary {
    size_t n, positives;
    double threshold;
    double roc_auc;           /* with ties: trapezoids between distinct scores (roc_auc_score) */
    double average_precision; /* step-wise sum over distinct scores of (R_k - R_k-1) P_k */
    double brier;             /* mean (y - p)^2; NaN unless every score is in [0, 1] */
    double log_loss;          /* scores clipped to [eps, 1 - eps], eps = DBL_EPSILON (1.2's eps="auto"); NaN
                                 unless every score is in [0, 1] */
    double precision, recall, f1, balanced_accuracy, accuracy; /* predicted positive when score >= threshold;
                                                                  0 when a ratio is 0/0 (zero_division) */
    size_t tp, fp, tn, fn;
    double gain[10]; /* gain[i-1]: share of all positives among the top ceil(i n / 10) rows by score, ties in
                        file order (a stable sort) */
    int scores_in_unit; /* 1 when every score is in [0, 1]: brier, log_loss and the reliability table are
                           defined */
    size_t rel_count[10];         /* bin b: scores s with b/10 <= s < (b+1)/10, the last bin [0.9, 1] */
    double rel_mean_score[10];    /* NaN for an empty bin */
    double rel_positive_rate[10]; /* observed share of label 1 in the bin; NaN for an empty bin */
} st_eval_binary;

/* Computes *out from label[0..n) and score[0..n). Thread-safe for distinct contexts; reads the arrays only.
** Errors: ST_EINVAL (NULL ctx, out, or arrays with n > 0; NaN threshold), ST_EDATA (no rows, a label other than
** 0 or 1, a NaN or infinite score, only one class in the label: AUC and average precision are undefined; the
** message names the row), ST_ENOMEM. */
ST_API st_status st_eval_binary_compute(st_context *ctx, const double *label, const double *score, size_t n,
                                        double threshold, st_eval_binary *out);
/* The same as EVAL.json text (docs/evaluate.md): *out receives NUL-terminated text (*len bytes, len may be
** NULL), owned by the caller, release with st_free; *out is NULL on failure. Errors: those of
** st_eval_binary_compute, ST_EINVAL (NULL out). */
ST_API st_status st_eval_binary_json(st_context *ctx, const double *label, const double *score, size_t n,
                                     double threshold, char **out, size_t *len);
/* Multi-class evaluation of n predicted labels pred against n true labels (NUL-terminated strings; classes are
** the sorted (strcmp) union of both): accuracy, balanced accuracy (mean recall over classes present in label),
** macro and support-weighted F1, per-class precision, recall, F1 and support, 0 for 0/0 (scikit-learn's
** default zero_division). *out as for st_eval_binary_json. Thread-safe for distinct contexts.
** Errors: ST_EINVAL (NULL ctx, out, or arrays with n > 0), ST_EDATA (no rows, an empty or NULL label or
** prediction: the message names the row), ST_ENOMEM. */
ST_API st_status st_eval_multiclass_json(st_context *ctx, const char *const *label, const char *const *pred,
                                         size_t n, char **out, size_t *len);
/* `strata evaluate` on a table read from the file named source (NULL: "data"): binary with score (label and
** score numeric columns) or multi-class with pred (numbers compared in their shortest decimal form); exactly
** one of score and pred. *out as for st_eval_binary_json. Messages name the data row as "FILE:LINE: ..."
** (line 2 = first data row) and the column ("s.csv:4: label 'y' is 2, not 0 or 1"). Thread-safe for distinct
** contexts; t is only read. Errors: ST_EINVAL (NULL ctx, t, label or out, not exactly one of score and pred),
** ST_EDATA (no such column, a non-numeric label or score column, naming the first value that is not a number,
** and those of st_eval_binary_compute / st_eval_multiclass_json at FILE:LINE), ST_ENOMEM. */
ST_API st_status st_eval_table_json(st_context *ctx, const st_table *t, const char *source, const char *label,
                             const char *score, const char *pred, double threshold, char **out, size_t *len);

/* -- A/B tests -- */

/* -- A/B test sample size (docs/abtest.md) --
** Sample size per arm to detect a change of a proportion from baseline to treatment with a two-sided test
** of level alpha and the given power, as statsmodels 0.13 computes it: effect_size is Cohen's h,
** 2 asin(sqrt(treatment)) - 2 asin(sqrt(baseline)) (proportion_effectsize(treatment, baseline)), and
** nobs1_exact the root of NormalIndPower's power equation (both tails: power = sf(z - h sqrt(m)) +
** cdf(-z - h sqrt(m)), m = nobs1 ratio / (1 + ratio), z = isf(alpha / 2)) found the way
** NormalIndPower.solve_power finds it (brentq_expanding from [2, 50], scipy brentq, xtol 1e-5), so it equals
** statsmodels' number, not only the root. nobs1 = ceil(nobs1_exact) (arm 1, the control), nobs2 =
** ceil(nobs1_exact * ratio). */
typedef struct st_abtest_power_result {
    double effect_size; /* Cohen's h */
    double nobs1_exact; /* statsmodels solve_power(nobs1=None) before rounding */
    double nobs1;       /* ceil(nobs1_exact) */
    double nobs2;       /* ceil(nobs1_exact * ratio) */
} st_abtest_power_result;
/* Fills *out. ctx may be NULL (no error message kept). Thread-safe (no shared state). Errors: ST_EINVAL (out
** NULL, baseline not in (0, 1), treatment not in [0, 1] or equal to baseline, alpha or power not in (0, 1),
** ratio not finite and > 0), ST_EDATA (no root above 2 per arm: the effect is too large for the normal
** approximation). */
ST_API st_status st_abtest_power(st_context *ctx, double baseline, double treatment, double alpha, double power,
                          double ratio, st_abtest_power_result *out);

/* -- A/B test analysis (docs/abtest.md) --
** The rows of t are customers; column arm_col (text, categorical or numeric) names each one's arm, the
** metric columns (numeric) its outcomes. A metric whose values are all 0 or 1 is binary, otherwise
** continuous. Arms are taken in order of first appearance; the control is the arm named control (NULL: the
** first arm). The JSON written to *json (release with st_free; *len bytes, len may be NULL) is
** {"arms": [{"name", "n", "metrics": {m: {"mean", "ci"}}}], "srm": {"chi2", "p_value"}, "comparisons":
** [{"treatment", "control", "metric", "kind", "diff", "diff_ci", "lift", "lift_ci", "statistic", "p_value",
** "p_adjusted", "prob_better"}], "cuped": [{"treatment", "metric", "theta", "diff", "diff_ci", "p_value",
** "variance_reduction"}]} ("cuped" empty when covariate is NULL), with statsmodels 0.13's figures: binary metrics the Wilson interval per
** arm, proportions_ztest (pooled, no continuity correction), the Newcombe interval of the difference, the
** log-adjusted ratio interval minus 1 for the lift, and P(p_t > p_c) under Beta(1 + s, 1 + n - s)
** posteriors (exact sum); continuous metrics the t interval per arm, Welch's t test and interval, the lift
** interval by the delta method (normal) and prob_better null; lift and lift_ci are null when the control rate
** or mean is 0. p_adjusted: multipletests of the treatments'
** p-values within each metric (correction). srm: scipy.stats.chisquare of the arm sizes against shares
** (nshares = number of arms, in arm order; NULL = equal). source names the data in messages ("file:row",
** row 2 = first data row). covariate (NULL = none) names a numeric pre-period column X: per treatment arm
** and metric, over the rows of that arm and the control, theta = cov(Y, X) / var(X), Y' = Y - theta (X -
** mean X), Welch's test and interval on Y', variance_reduction = 1 - var(Y') / var(Y). Thread-safe for
** distinct contexts; t is only read.
** Errors: ST_EINVAL (NULL arguments, no such arm, metric or covariate column, a non-numeric metric, alpha not in (0,
** 1), wrong number of shares), ST_EDATA (a missing arm or a NaN / infinite outcome or covariate at
** file:row, an absent control arm, fewer than 2 arms), ST_ELIMIT (more than 64 arms), ST_ENOMEM. */
typedef enum st_abtest_correction {
    ST_ABTEST_NONE = 0,
    ST_ABTEST_BONFERRONI = 1,
    ST_ABTEST_HOLM = 2
} st_abtest_correction;
ST_API st_status st_abtest_analyze(st_context *ctx, const st_table *t, const char *source, const char *arm_col,
                            const char *control, const char *const *metrics, size_t nmetrics, const char *covariate,
                            double alpha, st_abtest_correction correction, const double *shares, size_t nshares, char **json,
                            size_t *len);

/* -- Uplift evaluation (docs/uplift.md) --
** How well a score ranks customers by the effect of a treatment, from a randomised experiment: scikit-uplift
** 0.5.1's metrics (sklift.metrics) exactly. Rows sorted by score descending, ties with the later row first (as
** argsort(kind="mergesort")[::-1]); curves are evaluated at the last row of each run of equal scores and start
** at (0, 0). With N rows taken, n_t / n_c treated / control among them and Y_t / Y_c their summed outcomes:
**   qini curve   Y_t - Y_c n_t / n_c                       (the ratio is 0 when n_c = 0)
**   uplift curve (Y_t / n_t - Y_c / n_c) N                 (each ratio is 0 when its count is 0)
**   qini_auc     (AUC(qini) - AUC(line)) / (AUC(perfect qini) - AUC(line)), qini_auc_score(negative_effect=True):
**                the perfect qini curve ranks by y t - y (1 - t); the line joins (0, 0) to the curve's end
**   uplift_auc   the same with the uplift curve and sklift's perfect uplift curve (uplift_auc_score)
** AUC is the trapezoid rule over the points. Outcomes may be continuous (revenue; sklift refuses them): the
** curves and rates take the values as they are, and both perfect curves rank by y t - y (1 - t) (treated rows
** by outcome descending, then control rows by outcome ascending), the natural oracle (docs/uplift.md). */
typedef struct st_uplift_eval st_uplift_eval;

/* Options: initialise with st_uplift_eval_options_init. Strings are borrowed for the duration of the call. */
typedef struct st_uplift_eval_options {
    const char *treatment_col; /* st_uplift_eval_table: 0/1 numbers, or arm names with control */
    const char *control;       /* NULL: treatment_col holds 0/1; else the control arm's name (a numeric
                                  column's values are named by their shortest text, "0", "2.5") */
    const char *arm;           /* with control: NULL compares every other arm (together) with the control;
                                  else only this arm, the rows of the other arms being left out */
    const char *outcome_col;   /* outcome (numeric, finite) */
    const char *score_col;     /* predicted uplift (numeric, finite) */
    double k;                  /* uplift_at_k: in (0, 1) a fraction of the rows, a whole number >= 1 a count
                                  (< n); default 0.3 */
    size_t bins;               /* by_percentile and weighted_average_uplift bins, 1 <= bins < n; default 10 */
    size_t curve_points;       /* most points kept of each curve (>= 2), evenly spaced by position over the
                                  curve's points (first and last kept); 0 = every point; default 1000. The
                                  AUCs always use every point. */
} st_uplift_eval_options;

/* Fills the defaults above (column names NULL). NULL is a no-op. */
ST_API void st_uplift_eval_options_init(st_uplift_eval_options *opts);

typedef struct st_uplift_scores {
    size_t n, n_treatment, n_control;
    int binary_outcome;   /* 1 when every outcome is 0 or 1 */
    double k;             /* the k asked for */
    size_t bins;          /* the number of bins */
    size_t curve_points;  /* points of the whole qini (= uplift) curve, (0, 0) included */
    double qini_auc, uplift_auc;  /* NaN when the perfect curve has no area above the line (e.g. no response) */
    size_t k_overall;             /* rows taken: int(n k) (fraction) or k */
    size_t k_treatment, k_control;/* by_group: int(n_treatment k), int(n_control k) (fraction) or k each */
    double uplift_at_k_overall;   /* uplift_at_k(strategy="overall"): mean outcome of the treated minus that of
                                     the control rows among the top k_overall; NaN when either is empty */
    double uplift_at_k_by_group;  /* strategy="by_group": the top k_treatment treated and top k_control control
                                     rows; NaN when either count is 0 */
    double weighted_average_uplift; /* sum over bins of n_treatment uplift / sum of n_treatment (strategy
                                       "overall"); NaN when a bin lacks treated or control rows */
} st_uplift_scores;

/* One bin of uplift_by_percentile(strategy="overall"): the rows by score descending split as np.array_split
** (the first n % bins bins one row longer). Percentiles are Python's round(b 100 / bins) (half to even). */
typedef struct st_uplift_bin {
    long percentile_lo, percentile_hi; /* the label "lo-hi", e.g. 0-10 */
    size_t n_treatment, n_control;
    double response_rate_treatment, response_rate_control; /* mean outcome; NaN for an empty group */
    double uplift;                                         /* the difference; NaN when either is */
} st_uplift_bin;

typedef enum st_uplift_curve {
    ST_UPLIFT_QINI = 0,
    ST_UPLIFT_UPLIFT = 1,
    ST_UPLIFT_QINI_PERFECT = 2,
    ST_UPLIFT_UPLIFT_PERFECT = 3
} st_uplift_curve;

/* Evaluates score[0..n) against outcome[0..n) and treatment[0..n) (each exactly 0 or 1); opts NULL = defaults
** (column names are not used). *out (NULL on failure) is released with st_uplift_eval_free; it keeps ctx for
** that. Time O(n) plus one radix sort (two for a continuous outcome); the arrays are only read.
** Thread-safe for distinct contexts. Errors: ST_EINVAL (NULL ctx, out, arrays with n > 0; k not in (0, 1) and
** not a whole number >= 1; bins 0; curve_points 1), ST_EDATA (no rows; a treatment other than 0 or 1, a NaN or
** infinite outcome or score: the message names the row, from 1; no treated or no control row; bins >= n; a
** count k >= n, or above the treated or control rows), ST_ELIMIT (more than 2^32 - 1 rows), ST_ENOMEM. */
ST_API st_status st_uplift_eval_new(st_context *ctx, const double *outcome, const double *treatment,
                                    const double *score, size_t n, const st_uplift_eval_options *opts,
                                    st_uplift_eval **out);

/* The same on the columns of t named in opts (required: treatment_col, outcome_col, score_col). Treated =
** treatment 1, or with opts->control: arm != control (only arm opts->arm when given). source names the data in
** messages ("file:line", line 2 = first data row). Errors: those of st_uplift_eval_new, ST_EINVAL (a NULL
** column name, a column that is missing or not numeric, an arm-name column without control), ST_EDATA (at
** file:line: a missing treatment, a treatment other than 0 or 1, a missing (NaN) or infinite outcome or
** score; no row in the control arm or the chosen arm). */
ST_API st_status st_uplift_eval_table(st_context *ctx, const st_table *t, const char *source,
                                      const st_uplift_eval_options *opts, st_uplift_eval **out);

/* NULL is a no-op. */
ST_API void st_uplift_eval_free(st_uplift_eval *e);

/* The scores, owned by e (NULL for NULL e). */
ST_API const st_uplift_scores *st_uplift_eval_scores(const st_uplift_eval *e);

/* The kept points of a curve (x = rows taken, y = value), owned by e; returns their number (0 for NULL e or
** an unknown curve, with *x and *y NULL). x or y may be NULL. */
ST_API size_t st_uplift_eval_curve(const st_uplift_eval *e, st_uplift_curve which, const double **x,
                                   const double **y);

/* The percentile bins, owned by e; *nbins receives their number (nbins may be NULL). NULL for NULL e. */
ST_API const st_uplift_bin *st_uplift_eval_bins(const st_uplift_eval *e, size_t *nbins);

/* EVAL.json (docs/uplift.md): n, n_treatment, n_control, outcome ("binary" / "continuous"), k, bins,
** qini_auc, uplift_auc, uplift_at_k {overall, by_group}, weighted_average_uplift, by_percentile, qini_curve,
** uplift_curve, perfect_qini_curve, perfect_uplift_curve ([x, y] points); NaN is written as null. *out as for
** st_eval_binary_json. Errors: ST_EINVAL (NULL argument), ST_ENOMEM. */
ST_API st_status st_uplift_eval_json(st_context *ctx, const st_uplift_eval *e, char **out, size_t *len);

/* -- Policy value (docs/uplift.md) --
** The expected outcome per customer if each were given the arm named in column policy_col (e.g. best_arm of
** `strata uplift predict`), estimated from randomised data by inverse propensity weighting: with p_a the
** empirical share of arm a, z_i = 1[A_i = pi_i] y_i / p_{A_i}, value = mean z, se = sd(z) / sqrt(n) (sd with
** n - 1). Also each single-arm policy (all customers to arm a: value = mean outcome of arm a), and the
** policy minus the all-control policy and minus each single-arm policy with the standard error of the paired
** differences of z. The JSON (release with st_free) is {"n", "policy_column", "control", "arms": [{"name", "n", "share",
** "assigned", "value", "se"}], "policy": {"value", "se"}, "vs": [{"arm", "diff", "se"}]}, arms in order of first
** appearance, the control first. control NULL: treatment_col must hold 0/1 and the arms are "0" (control) and
** "1"; a numeric policy column's values are named by their shortest text. source names the data in messages.
** Thread-safe for distinct contexts. Errors: ST_EINVAL (NULL argument, a missing column, a non-numeric
** outcome), ST_EDATA (at file:line: a missing treatment or policy, a policy naming no arm, a NaN or infinite
** outcome, a 0/1 column holding another value; an absent control arm, fewer than 2 arms), ST_ELIMIT (more than
** 64 arms), ST_ENOMEM. */
ST_API st_status st_uplift_policy_json(st_context *ctx, const st_table *t, const char *source,
                                       const char *treatment_col, const char *control, const char *outcome_col,
                                       const char *policy_col, char **json, size_t *len);

/* -- Off-policy evaluation (docs/ope.md) --
** The mean reward per row a target policy pi would have earned, judged on a logged campaign whose rows hold
** the logged action a_i, its logging probability p_i = mu(a_i | x_i) (known: the campaign drew it) and the
** reward r_i. With w_i = pi(a_i | x_i) / p_i and, for a reward model, q_i(a) the predicted reward of action a
** for row i:
**   logged   mean r_i                                         se = sd(r) / sqrt(n)
**   ipw      mean w_i r_i                                     se = sd(w r) / sqrt(n)
**   snipw    sum w_i r_i / sum w_i                            se = sqrt(sum w_i^2 (r_i - V)^2) / sum w_i
**   dm       mean sum_a pi(a | x_i) q_i(a)                    se = sd / sqrt(n) (model error not included)
**   dr       mean [sum_a pi(a | x_i) q_i(a) + w_i (r_i - q_i(a_i))]   se = sd / sqrt(n)
** (sd with n - 1). IPW and DR are unbiased when the propensities are right (DR also when the model is right);
** SNIPW is consistent, with smaller variance. */
typedef enum st_ope_estimator {
    ST_OPE_LOGGED = 0, /* the logging policy's own mean reward */
    ST_OPE_IPW = 1,
    ST_OPE_SNIPW = 2,
    ST_OPE_DM = 3,
    ST_OPE_DR = 4,
    ST_OPE_NESTIMATORS = 5
} st_ope_estimator;

typedef struct st_ope_result {
    size_t n;                          /* rows */
    double value[ST_OPE_NESTIMATORS];  /* by st_ope_estimator; NaN when not computable (dm, dr without q) */
    double se[ST_OPE_NESTIMATORS];
    double mean_weight;                /* mean w_i: near 1 when the propensities and the policy fit together */
    double max_weight;
    double effective_sample_size;      /* (sum w)^2 / sum w^2 (Kish) */
    double support;                    /* share of rows with w_i > 0 */
} st_ope_result;

/* The estimates above from arrays: action[i] < nactions, propensity[i] in (0, 1], reward[i] finite, target
** n x nactions (row-major: pi(a | x_i) at target[i * nactions + a], each row in [0, 1] summing to 1 within
** 1e-6; a deterministic policy is a one-hot row), q n x nactions predicted rewards or NULL (then dm and dr are
** NaN). Errors: ST_EINVAL (NULL arguments, nactions 0, an action out of range), ST_EEMPTY (n = 0), ST_EDATA
** (a propensity, reward, probability or prediction out of its domain; the message names the row, 1-based),
** ST_ENOMEM. Thread-safe for distinct contexts. */
ST_API st_status st_ope_estimate(st_context *ctx, size_t n, size_t nactions, const uint32_t *action,
                                 const double *propensity, const double *reward, const double *target,
                                 const double *q, st_ope_result *out);

/* Columns and model of st_ope_json (st_ope_options_init: every pointer NULL, counts 0, ridge_C 0). */
typedef struct st_ope_options {
    const char *action_col;         /* logged action (names or numbers) */
    const char *propensity_col;     /* logging probability of the logged action, in (0, 1] */
    const char *reward_col;         /* reward (a number) */
    const char *policy_col;         /* the target policy's action per row (deterministic), or NULL with: */
    const char *policy_prob_prefix; /* stochastic target: columns <prefix><action> = pi(action | row) for every
                                       logged action, summing to 1 per row */
    const char *model_prefix;       /* reward model as columns <prefix><action> (e.g. "q_"), or NULL, or: */
    const char *const *features;    /* numeric features of a direct-method model: one linear regression of
                                       the reward per logged action on its rows (the learn stage's st_glm) */
    size_t nfeatures;
    const char *const *categorical; /* categorical features of that model (one-hot) */
    size_t ncategorical;
    double ridge_C;                 /* the regression's inverse L2 strength; 0 = none (ordinary least squares) */
} st_ope_options;

ST_API void st_ope_options_init(st_ope_options *o);

/* `strata ope`: the estimates of st_ope_estimate on the table t (a CSV read by st_table_read_csv; source names
** it in messages, whose rows are source:line with line 2 the first data row) as OPE.json, NUL-terminated in
** *json (release with st_free; *len its length, len may be NULL): {"format": "strata-ope", "version": 1, "n",
** "actions": [names in order of first appearance], "policy": {...}, "model": {...} or null, "estimates":
** {"logged"|"ipw"|"snipw"|"dm"|"dr": {"value", "se", "ci95": [lo, hi]}}, "diagnostics": {"mean_weight",
** "max_weight", "effective_sample_size", "support"}}. A deterministic policy's actions must be logged actions.
** The per-action regressions are fitted on the whole log (in-sample) and need each action's rows to determine
** the coefficients. Implemented in the pipeline (it joins the learn and eval stages). Thread-safe for distinct
** contexts. Errors: ST_EINVAL (NULL arguments, a missing column, neither or both of policy_col and
** policy_prob_prefix, both model_prefix and features), ST_EDATA (at source:line: a missing action, a text
** cell in a numeric column, a policy action that was never logged, the domain errors of st_ope_estimate; a
** regression that cannot be fitted), ST_EEMPTY, ST_ELIMIT (more than 64 actions), ST_ENOMEM. */
ST_API st_status st_ope_json(st_context *ctx, const st_table *t, const char *source, const st_ope_options *o,
                             char **json, size_t *len);

/* ---- learn stage (feature design, logistic and linear regression): declarations below this line ---- */

/* -- Feature design (docs/classify.md, "Encoding") --
** Turns columns of an st_table into the numeric columns of a design matrix, the same way at fit and at
** predict time. Numeric features (ST_COL_F64, ST_COL_DATE, ST_COL_I32) come first, in the order given, as
** they are, or standardised ((x - mean) / sd, population sd, sd 0 taken as 1, as scikit-learn's
** StandardScaler) when the design asks for it. Then each categorical feature (ST_COL_STR, ST_COL_CAT, or a
** numeric column written in its shortest decimal form) gives one 0/1 column per level seen when the design
** was made, levels sorted by strcmp, named "<column>=<level>". A level not in that list (unseen at predict
** time) and a missing value ("" or a missing code) give all zeros. A missing (NaN / empty / INT32_MIN)
** numeric feature is an error (ST_EDATA naming "source:row", row 2 = first data row). There is no intercept
** column: models add their own. A design is immutable after st_design_new, so one design may be read from
** several threads at once. */
typedef struct st_design st_design;

/* Makes the design of t's columns numeric[0..nnumeric) and categorical[0..ncategorical) (names borrowed
** for the call; a column may not appear twice). Levels, means and sds are taken over the rows of t whose
** row_mask entry is non-zero (row_mask NULL = every row). source names the data in messages (NULL: "data").
** standardize: 1 = standardise the numeric features, 0 = as they are.
** Errors: ST_EINVAL (NULL ctx / t / out, a name NULL, repeated or not a column of t, a text column given as
** numeric: "use it as categorical"), ST_EDATA (a missing numeric value at source:row, no selected row),
** ST_ELIMIT (more than 1,000,000 design columns), ST_ENOMEM. *out is NULL on failure. */
ST_API st_status st_design_new(st_context *ctx, const st_table *t, const char *source, const char *const *numeric,
                        size_t nnumeric, const char *const *categorical, size_t ncategorical, int standardize,
                        const unsigned char *row_mask, st_design **out);
ST_API void st_design_free(st_design *d);
/* Width of the design matrix (numeric features + levels of the categorical ones). */
ST_API size_t st_design_ncols(const st_design *d);
/* Name of design column k ("recency", "channel=Web"); NULL when k is out of range. Owned by d. */
ST_API const char *st_design_col_name(const st_design *d, size_t k);
/* Mean and sd used to standardise design column k (0 and 1 when not standardised or categorical). */
ST_API double st_design_col_mean(const st_design *d, size_t k);
ST_API double st_design_col_sd(const st_design *d, size_t k);
/* Fills rows row0 .. row0 + nrows - 1 of t into x (nrows x st_design_ncols(d), row i at x + i * ldx,
** ldx >= ncols), so a caller can work through a long table in blocks. t must have the design's columns
** (by name, any order and type that can be read as before). Errors: ST_EINVAL (NULL arguments, rows out of
** range, ldx too small, a column absent), ST_EDATA (a missing numeric value at source:row), ST_ENOMEM. */
ST_API st_status st_design_matrix(st_context *ctx, const st_design *d, const st_table *t, const char *source,
                           size_t row0, size_t nrows, double *x, size_t ldx);
/* The design as JSON text (the "design" member of MODEL.json, docs/classify.md; *out NUL-terminated, *len
** bytes, len may be NULL, release with st_free), and back. Errors: ST_EINVAL, ST_EPARSE, ST_EFORMAT (a
** member missing or of the wrong type), ST_ENOMEM. */
ST_API st_status st_design_to_json(st_context *ctx, const st_design *d, char **out, size_t *len);
ST_API st_status st_design_from_json(st_context *ctx, const char *text, size_t len, st_design **out);

/* -- Linear models: logistic and linear (ridge) regression (docs/classify.md) --
** Logistic: minimises sum_i s_i [log(1 + exp(f_i)) - y_i f_i] + ||beta||^2 / (2 C), f_i = b0 + x_i . beta,
** y_i in {0, 1}, s_i = sample weight x class weight: scikit-learn's LogisticRegression(C=C) objective (L2 on
** the coefficients, not the intercept; no penalty when C is 0 or infinite). Linear: minimises
** sum_i s_i (y_i - f_i)^2 / 2 + ||beta||^2 / (2 C), which is scikit-learn's Ridge(alpha = 1 / C) (and
** LinearRegression without a penalty). Both are solved by Newton's method (one step for the linear model)
** with step halving, each step by a Cholesky factorisation, to max |gradient of the objective| < tol (or, when
** rounding of the gradient's sums keeps it above tol, e.g. for features in the millions, until no step
** decreases the objective and Newton's predicted decrease is below 1e-12 of it: gradient_max > tol then). The
** design matrix is never held whole: rows are made in small blocks, in fixed chunks of the table whose
** sums are merged in chunk order, so results are identical for any thread count. */
typedef struct st_glm st_glm;
typedef enum st_glm_kind { ST_GLM_LOGISTIC = 0, ST_GLM_LINEAR = 1 } st_glm_kind;

/* Options (st_glm_options_init sets the defaults in brackets). Arrays are borrowed for the call. */
typedef struct st_glm_options {
    st_glm_kind kind;            /* [ST_GLM_LOGISTIC] */
    double C;                    /* [1] inverse L2 strength; 0 or INFINITY = no penalty */
    int class_weight_balanced;   /* [0] logistic only: class c weighs n / (2 n_c) (counts over the
                                    selected rows, before sample weights: scikit-learn's "balanced") */
    int standardize;             /* [0] standardise the numeric features (the design's flag) */
    double tol;                  /* [1e-8] convergence: max |gradient| below tol */
    int max_iter;                /* [100] Newton steps */
    const double *sample_weight; /* [NULL] one weight >= 0 per row of the table (NULL = 1) */
    const unsigned char *row_mask; /* [NULL] fit on rows with a non-zero entry only (NULL = all rows); the
                                      other rows are ignored, missing values and any label included (a T- or
                                      S-learner fits each arm this way) */
} st_glm_options;

ST_API void st_glm_options_init(st_glm_options *o);

/* Fits a model of column label on the design of t's numeric and categorical columns (st_design_new).
** Logistic labels: a numeric column with two distinct values (classes "0" and "1" for 0 / 1; the positive
** class is the larger value), or a text / categorical column with two distinct values (the positive class is
** the second in strcmp order, as scikit-learn's classes_[1]). Linear labels: a numeric column. source names
** the data in messages. Thread-safe for distinct contexts; uses st_context_threads(ctx) threads.
** Errors: ST_EINVAL (NULL arguments, an unknown column, the label among the features, C < 0 or NaN, tol <= 0,
** max_iter < 1), ST_EDATA (a missing label or feature at source:row, a label with a third value at
** source:row ("not binary"), a single class, a negative or non-finite weight, a singular system: with no
** penalty, separable classes or collinear features, named in the message), ST_ECONVERGE (max_iter steps
** without convergence; *out still receives the last iterate), ST_ENOMEM. */
ST_API st_status st_glm_fit(st_context *ctx, const st_table *t, const char *source, const char *label,
                     const char *const *numeric, size_t nnumeric, const char *const *categorical,
                     size_t ncategorical, const st_glm_options *o, st_glm **out);
ST_API void st_glm_free(st_glm *m);

ST_API st_glm_kind st_glm_kind_of(const st_glm *m);
ST_API const st_design *st_glm_design(const st_glm *m); /* owned by m */
ST_API const char *st_glm_label(const st_glm *m);
/* Class k (0 negative, 1 positive) of a logistic model as text; NULL for a linear model or k > 1. */
ST_API const char *st_glm_class(const st_glm *m, size_t k);
ST_API double st_glm_intercept(const st_glm *m);
/* Coefficient of design column k (st_design_col_name(st_glm_design(m), k)); NaN when out of range. */
ST_API double st_glm_coef(const st_glm *m, size_t k);
ST_API double st_glm_C(const st_glm *m);             /* INFINITY when unpenalised */
ST_API int st_glm_iterations(const st_glm *m);       /* Newton steps taken */
ST_API double st_glm_gradient_max(const st_glm *m);  /* max |gradient| at the solution */
ST_API double st_glm_objective(const st_glm *m);     /* the objective above at the solution */
ST_API double st_glm_nobs(const st_glm *m);          /* rows used (selected) */
ST_API int st_glm_converged(const st_glm *m);

/* Scores of rows 0..nrows(t)-1 into score: P(positive class) for a logistic model, the prediction for a
** linear one. t needs the design's feature columns (not the label). Thread-safe for distinct contexts; m is
** only read. Errors: ST_EINVAL (NULL arguments, a feature column absent), ST_EDATA (a missing numeric
** feature at source:row), ST_ENOMEM. */
ST_API st_status st_glm_predict(st_context *ctx, const st_glm *m, const st_table *t, const char *source, double *score);

/* MODEL.json (docs/classify.md): {"format": "strata-glm", "version": 1, "kind", "label", "classes",
** "options", "design", "intercept", "coefficients": [{"name", "value"}], "iterations", "gradient_max",
** "objective", "nobs", "converged"}. to_json: *out NUL-terminated, release with st_free. Errors: ST_EINVAL,
** ST_EIO, ST_EPARSE, ST_EFORMAT, ST_ELIMIT, ST_ENOMEM. */
ST_API st_status st_glm_to_json(st_context *ctx, const st_glm *m, char **out, size_t *len);
ST_API st_status st_glm_from_json(st_context *ctx, const char *text, size_t len, st_glm **out);
ST_API st_status st_glm_save(st_context *ctx, const st_glm *m, const char *path); /* atomic; "-" = stdout */
ST_API st_status st_glm_load(st_context *ctx, const char *path, st_glm **out);   /* "-" = stdin */

/* `strata classify predict`: reads the CSV at in_path (st_table_read_csv), scores it with m and writes the
** input columns (numbers in their shortest form, text as read) then "score" to out_path (atomic; "-" =
** standard output). Errors: those of st_table_read_csv and st_glm_predict, ST_EIO. */
ST_API st_status st_glm_predict_csv(st_context *ctx, const st_glm *m, const char *in_path, const char *out_path);

/* -- The Newton-step accumulator (partial state kind "glm_acc") --
** For a fixed coefficient vector b = (b0, beta) (q = p + 1 values, intercept first), sums over rows of the
** objective's data part and its gradient and Hessian with respect to b: loss = sum s_i l_i,
** g = sum s_i (p_i - y_i) (1, x_i), H = sum s_i h_i (1, x_i)(1, x_i)^T (logistic: p_i = sigmoid(f_i),
** h_i = p_i (1 - p_i); linear: p_i = f_i, h_i = 1). Sums are plain sums, so partial states over any split
** of the rows merge to the state of one pass (up to rounding; the fit merges in a fixed order). */
typedef struct st_glm_acc st_glm_acc; /* used by one thread at a time; distinct states are independent */
/* A state for p design columns at coefficients b (q values; NULL = zeros). Errors: ST_EINVAL, ST_ELIMIT
** (p > 10,000), ST_ENOMEM. */
ST_API st_status st_glm_acc_new(st_context *ctx, st_glm_kind kind, size_t p, const double *b, st_glm_acc **out);
ST_API void st_glm_acc_free(st_glm_acc *a);
/* Adds nrows rows: x (row i at x + i * ldx, p values), y (labels, 0/1 for logistic), w (weights, NULL = 1;
** rows of weight 0 add nothing). Errors: ST_EINVAL (NULL arguments, ldx < p), ST_EDATA (a non-finite value,
** a logistic label not 0 or 1, a negative weight; the message gives the row within the call, from 1). */
ST_API st_status st_glm_acc_add(st_glm_acc *a, const double *x, size_t nrows, size_t ldx, const double *y,
                         const double *w);
/* into += from. Errors: ST_EINVAL (different kind, width or coefficients). */
ST_API st_status st_glm_acc_merge(st_glm_acc *into, const st_glm_acc *from);
/* The sums with the penalty of C added (||beta||^2 / (2C) to the loss, beta / C to the gradient, 1/C to the
** Hessian's diagonal except the intercept's; C 0 or INFINITY: none): *objective, gradient (q values) and
** hessian (q x q, row-major, both triangles); any output may be NULL. Rows added and their weight sum go
** to *nrows and *wsum (NULL allowed). Errors: ST_EINVAL. */
ST_API st_status st_glm_acc_finalize(const st_glm_acc *a, double C, double *objective, double *gradient,
                              double *hessian, double *nrows, double *wsum);
/* Partial state bytes (docs/architecture.md, "Partial states"; payload: u32 kind, u64 p, u64 rows, f64
** weight sum, f64 loss, q coefficients, q gradient sums, the q (q + 1) / 2 lower-triangle Hessian sums row by
** row). *buf released with st_free. Errors: ST_EINVAL, ST_ENOMEM; deserialize: ST_EFORMAT. */
ST_API st_status st_glm_acc_serialize(st_context *ctx, const st_glm_acc *a, char **buf, size_t *len);
ST_API st_status st_glm_acc_deserialize(st_context *ctx, const char *buf, size_t len, st_glm_acc **out);

/* -- Uplift models (docs/uplift.md, "uplift fit / predict") --
** Per-customer treatment effects from a randomised experiment, built on the linear models above (logistic for
** a 0/1 outcome, linear (ridge) otherwise; categorical features one-hot). With several treatment arms, one
** model per arm against the control. Methods, for an arm a against the control c (t = 1 for arm a):
**   tlearner         mu_a fitted on arm a, mu_c on the control: uplift = mu_a(x) - mu_c(x)
**   slearner         one model on the rows of a and c with t as a feature: uplift = mu(x, 1) - mu(x, 0)
**   class-transform  logistic model of z = 1[y == t] on the rows of a and c: uplift = 2 P(z = 1 | x) - 1
**                    (binary outcomes; assumes a 50/50 split, as scikit-uplift's ClassTransformation)
**   xlearner         mu_a, mu_c as tlearner; D = y - mu_c(x) on arm a, D = mu_a(x) - y on the control; linear
**                    models tau_a, tau_c of D on each; uplift = g tau_c(x) + (1 - g) tau_a(x), g = n_a / (n_a +
**                    n_c) the arm's share (the propensity of randomised data). */
typedef enum st_uplift_method {
    ST_UPLIFT_TLEARNER = 0,
    ST_UPLIFT_SLEARNER = 1,
    ST_UPLIFT_CLASS_TRANSFORM = 2,
    ST_UPLIFT_XLEARNER = 3
} st_uplift_method;

/* "tlearner", "slearner", "class-transform", "xlearner" -> the method. Errors: ST_EINVAL. */
ST_API st_status st_uplift_method_parse(const char *name, st_uplift_method *out);
ST_API const char *st_uplift_method_name(st_uplift_method m); /* "" outside the enum */

/* Options (st_uplift_fit_options_init sets the defaults in brackets). Strings are borrowed for the call. */
typedef struct st_uplift_fit_options {
    const char *treatment_col;        /* arm names with control, or 0/1 numbers (control NULL: arms "0", "1") */
    const char *control;              /* [NULL] */
    const char *outcome_col;          /* 0/1: logistic models; any other numbers: linear models */
    const char *const *features;      /* numeric features (nfeatures of them) */
    size_t nfeatures;
    const char *const *categorical;   /* categorical features, one-hot (ncategorical) */
    size_t ncategorical;
    st_uplift_method method;          /* [ST_UPLIFT_TLEARNER] */
    double C;                         /* [1] the models' inverse L2 strength (st_glm_options.C) */
    int standardize;                  /* [1] standardise the numeric features */
    uint64_t seed;                    /* [0] recorded in the model; the methods draw nothing at random */
} st_uplift_fit_options;
ST_API void st_uplift_fit_options_init(st_uplift_fit_options *o);

typedef struct st_uplift_model st_uplift_model;

/* Fits on the rows of t. source names the data in messages (file:line, line 2 = first data row). Thread-safe
** for distinct contexts; uses st_context_threads(ctx) threads. Errors: ST_EINVAL (NULL arguments, a missing
** column, a feature that is also the treatment or outcome, no feature, class-transform with a continuous
** outcome, an arm-name column without control), ST_EDATA (at file:line: a missing treatment, a 0/1 treatment
** column with another value, a NaN or infinite outcome, a missing numeric feature; an absent control arm,
** fewer than 2 arms; a model that cannot be fitted, e.g. one class only in an arm), ST_ELIMIT (more than 64
** arms), ST_ENOMEM. *out is NULL on failure. */
ST_API st_status st_uplift_fit(st_context *ctx, const st_table *t, const char *source, const st_uplift_fit_options *o,
                               st_uplift_model **out);
ST_API void st_uplift_model_free(st_uplift_model *m);
/* Treatment arms of the model (the control excluded), in order of first appearance in the training data. */
ST_API size_t st_uplift_model_narms(const st_uplift_model *m);
ST_API const char *st_uplift_model_arm(const st_uplift_model *m, size_t k); /* NULL when out of range */
ST_API const char *st_uplift_model_control(const st_uplift_model *m);

/* uplift[i * narms + k] receives row i's uplift of arm k (rows 0 .. nrows(t) - 1). t needs the feature
** columns. Errors: ST_EINVAL (NULL arguments, a feature column absent), ST_EDATA (a missing numeric feature at
** source:row), ST_ENOMEM. */
ST_API st_status st_uplift_model_predict(st_context *ctx, const st_uplift_model *m, const st_table *t,
                                         const char *source, double *uplift);

/* `strata uplift predict`: reads in_path, writes its columns then uplift_<arm> per arm, best_arm (the arm of
** largest uplift when positive, ties to the first arm; else the control) and uplift (that arm's, 0 when no arm
** is positive) to out_path (atomic; "-" = standard output). Errors: those of st_table_read_csv and
** st_uplift_model_predict, ST_EIO. */
ST_API st_status st_uplift_predict_csv(st_context *ctx, const st_uplift_model *m, const char *in_path,
                                       const char *out_path);

/* MODEL.json (docs/uplift.md): {"format": "strata-uplift", "version": 1, "method", "treatment", "control",
** "outcome", "outcome_kind", "features", "categorical", "seed", "control_model" (tlearner, xlearner), "arms":
** [{"name", "n", "propensity", "models": {name: strata-glm model}}]}. to_json: *out released with st_free.
** Errors: ST_EINVAL, ST_EIO, ST_EPARSE, ST_EFORMAT (not an uplift model, a member missing or wrong),
** ST_ENOMEM. */
ST_API st_status st_uplift_model_to_json(st_context *ctx, const st_uplift_model *m, char **out, size_t *len);
ST_API st_status st_uplift_model_save(st_context *ctx, const st_uplift_model *m, const char *path);
ST_API st_status st_uplift_model_load(st_context *ctx, const char *path, st_uplift_model **out);

/* ---- decide stage (MDP, DQN, uplift): declarations below this line ---- */

/* -- Markov decision processes (docs/mdp.md) --
** A customer-state MDP: S states, A actions (each with a name and a cost), transition probabilities
** P(next | state, action) held sparse, and rewards R[state][action], the expected immediate reward of the
** action in the state net of its cost. Solvers return an st_policy: the action per state (per stage for a
** finite horizon) and the values. Ties between actions go to the lowest action index: an action is taken
** as tied with the best when its Q value is within 1e-9 * (1 + |best|).
** Thread-safety: the solvers, st_mdp_simulate and the accessors only read the st_mdp, so several threads
** may use one model at once, each with its own context; st_mdp_set_* must not run concurrently with them.
** Memory: 12 bytes per stored transition and 16 per (state, action) pair. */
typedef struct st_mdp st_mdp;
typedef struct st_policy st_policy;

/* Limits of the model: S and A at most ST_MDP_MAX_STATES / ST_MDP_MAX_ACTIONS. */
#define ST_MDP_MAX_STATES 100000000u
#define ST_MDP_MAX_ACTIONS 65536u

/* Builds an MDP from sparse entries: entry k says P(next[k] | state[k], action[k]) = prob[k]. R holds
** nstates * nactions rewards, row-major (R[s * nactions + a]). Zero probabilities are dropped; a repeated
** (action, state, next) is an error. Every (state, action) row must sum to 1 within 1e-9 and is then
** divided by its sum, so rows are stochastic to rounding. States are named "s0", "s1", ..., actions "a0",
** ... with cost 0 until set. All arrays are copied. Errors: ST_EINVAL (NULL arrays, zero sizes, sizes past
** the limits, an index out of range), ST_EDATA (a negative or non-finite probability or reward, a row that
** does not sum to 1, a duplicate entry; the message names the action and state), ST_ENOMEM. */
ST_API st_status st_mdp_new_sparse(st_context *ctx, size_t nstates, size_t nactions, size_t nnz,
                            const uint32_t *action, const uint32_t *state, const uint32_t *next,
                            const double *prob, const double *R, st_mdp **out);

/* Builds an MDP from a dense P[action][state][next] (nactions * nstates * nstates doubles, row-major) and
** R as above. Same validation and errors as st_mdp_new_sparse. */
ST_API st_status st_mdp_new_dense(st_context *ctx, size_t nstates, size_t nactions, const double *P,
                           const double *R, st_mdp **out);

/* Reads an MDP.json file ("-" = standard input) or text of len bytes (name is used in messages). Format:
** {"format": "strata-mdp", "version": 1, "states": [names], "actions": [{"name": ..., "cost": ...}],
**  "P": dense [action][state][next] or sparse [[action, state, next, probability], ...],
**  "R": [state][action]}; "format" and "version" may be omitted in hand-written files, "cost" defaults
** to 0, and an action may be given as a bare name. Errors: ST_EIO, ST_EPARSE (malformed JSON, with
** file:line:column), ST_ELIMIT (JSON nested deeper than 256 levels), ST_EFORMAT (wrong format or version,
** missing or mistyped members), ST_EINVAL or ST_EDATA (the validation of st_mdp_new_sparse), ST_ENOMEM. */
ST_API st_status st_mdp_from_json_file(st_context *ctx, const char *path, st_mdp **out);
ST_API st_status st_mdp_from_json(st_context *ctx, const char *text, size_t len, const char *name, st_mdp **out);

/* Writes the MDP as MDP.json (sparse P) to path ("-" = standard output; atomic otherwise).
** Errors: ST_EIO, ST_ENOMEM. */
ST_API st_status st_mdp_to_json_file(st_context *ctx, const st_mdp *m, const char *path);

/* Frees the MDP; NULL is a no-op. Policies solved from it stay valid (they do not refer to it). */
ST_API void st_mdp_free(st_mdp *m);

ST_API size_t st_mdp_nstates(const st_mdp *m);
ST_API size_t st_mdp_nactions(const st_mdp *m);
ST_API size_t st_mdp_nnz(const st_mdp *m);   /* stored non-zero transition probabilities */
/* Names (owned by m) and costs; NULL / NaN when the index is out of range. */
ST_API const char *st_mdp_state_name(const st_mdp *m, size_t s);
ST_API const char *st_mdp_action_name(const st_mdp *m, size_t a);
ST_API double st_mdp_action_cost(const st_mdp *m, size_t a);
/* Index of the state / action with that name, or -1. */
ST_API long st_mdp_find_state(const st_mdp *m, const char *name);
ST_API long st_mdp_find_action(const st_mdp *m, const char *name);
/* R[s][a] (NaN when out of range) and P(next | s, a) (0 when absent or out of range). */
ST_API double st_mdp_reward(const st_mdp *m, size_t s, size_t a);
ST_API double st_mdp_prob(const st_mdp *m, size_t s, size_t a, size_t next);
/* Renames a state, an action, sets an action's cost (informational: R is already net of it).
** Errors: ST_EINVAL (index out of range, NULL or empty name, non-finite cost), ST_ENOMEM. */
ST_API st_status st_mdp_set_state_name(st_mdp *m, size_t s, const char *name);
ST_API st_status st_mdp_set_action(st_mdp *m, size_t a, const char *name, double cost);

/* Finite horizon, backward induction: f_N = terminal (NULL = zeros, else nstates values),
** f_k(s) = max_a { R[s][a] + discount * sum_s' P(s'|s,a) f_{k+1}(s') } for k = N-1 .. 0, discount in
** (0, 1]. The policy has N stages; values have N + 1 columns (the last the terminal values). The most
** likely path forward from each state under the policy is kept (st_policy_path).
** Errors: ST_EINVAL (horizon 0 or above 1e6, discount outside (0, 1], non-finite terminal), ST_ENOMEM. */
ST_API st_status st_mdp_solve_backward(st_context *ctx, const st_mdp *m, double discount, size_t horizon,
                                const double *terminal, st_policy **out);

/* Infinite horizon, value iteration: Jacobi sweeps from V = 0 until span(V_n - V_{n-1}) <
** epsilon (1 - discount) / discount (epsilon <= 0: 0.01), at most max_iter sweeps (0: 100000); then the
** greedy policy is evaluated exactly and improved until stable (policy iteration warm-started from value
** iteration), so the values are V* and the policy optimal, not the last iterate of the sweeps.
** Evaluation: a dense LU solve up to ST_MDP_DENSE_EVAL_MAX states, Gauss-Seidel sweeps to a relative
** error bound of 1e-11 above it. st_policy_iterations counts the value-iteration sweeps. The sweeps use
** two threads (st_context_threads >= 2) on models of 2 million transitions or more; the result does not
** depend on the thread count.
** Errors: ST_EINVAL (discount outside (0, 1)), ST_ECONVERGE, ST_ENOMEM, ST_ECANCELLED. */
ST_API st_status st_mdp_solve_value(st_context *ctx, const st_mdp *m, double discount, double epsilon,
                             size_t max_iter, st_policy **out);
#define ST_MDP_DENSE_EVAL_MAX 600

/* Infinite horizon, policy iteration: starts from the policy greedy on R, evaluates exactly (as above),
** switches a state's action only when another is better by more than the tie tolerance, and stops when no
** state switches (at most max_iter rounds, 0: 1000). Errors as st_mdp_solve_value. */
ST_API st_status st_mdp_solve_policy(st_context *ctx, const st_mdp *m, double discount, size_t max_iter,
                              st_policy **out);

/* Average reward, relative value iteration (as MDPtoolbox): V_{n+1} = T(V_n) - g_n with T the undiscounted
** Bellman operator and g_n = V_n[last state]; stops when span(V_{n+1} - V_n) < epsilon (<= 0: 0.01) and
** reports the average reward g_n + min(V_{n+1} - V_n), within epsilon of the optimal gain for unichain
** models. Values are the relative values V_{n+1}. Errors: ST_ECONVERGE (max_iter sweeps, 0: 100000, then
** the policy is still returned in *out), ST_ENOMEM, ST_ECANCELLED. */
ST_API st_status st_mdp_solve_relative(st_context *ctx, const st_mdp *m, double epsilon, size_t max_iter,
                                st_policy **out);

/* A stationary policy taking action a everywhere, and the myopic policy (argmax of R[s][.]), for
** comparisons. Values are those of the policy evaluated at `discount` in (0, 1]; NaN at discount 1.
** Errors: ST_EINVAL, ST_ENOMEM, ST_ECONVERGE. */
ST_API st_status st_policy_constant(st_context *ctx, const st_mdp *m, size_t a, double discount, st_policy **out);
ST_API st_status st_policy_myopic(st_context *ctx, const st_mdp *m, double discount, st_policy **out);

ST_API void st_policy_free(st_policy *p);

typedef enum st_mdp_method {
    ST_MDP_BACKWARD = 0,
    ST_MDP_VALUE = 1,
    ST_MDP_POLICY = 2,
    ST_MDP_RELATIVE = 3,
    ST_MDP_FIXED = 4 /* st_policy_constant / st_policy_myopic */
} st_mdp_method;

ST_API st_mdp_method st_policy_method(const st_policy *p);
ST_API size_t st_policy_nstates(const st_policy *p);
/* Stages of a finite-horizon policy; 0 for a stationary (infinite-horizon) policy. */
ST_API size_t st_policy_horizon(const st_policy *p);
ST_API double st_policy_discount(const st_policy *p);       /* 1 for relative value iteration */
ST_API double st_policy_average_reward(const st_policy *p); /* NaN unless relative value iteration */
ST_API size_t st_policy_iterations(const st_policy *p);     /* sweeps or rounds of the solver */
/* Action in state s at stage k (k < horizon; ignored for stationary policies); -1 when out of range. */
ST_API long st_policy_action(const st_policy *p, size_t s, size_t k);
/* Value of state s at stage k (k <= horizon; the terminal value at k = horizon); NaN when out of range. */
ST_API double st_policy_value(const st_policy *p, size_t s, size_t k);
/* The most likely state at stage k on the path from state s at stage 0 (finite horizon only, k <=
** horizon; ties to the lowest state index); -1 when unavailable. */
ST_API long st_policy_path(const st_policy *p, size_t s, size_t k);

/* Writes POLICY.json: {"format": "strata-policy", "version": 1, "method", "discount", "states",
** "actions", "policy", "values", "iterations"} plus "horizon" and "path" for a finite horizon and
** "average_reward" for relative value iteration. Stationary: "policy" and "values" are lists over states;
** finite horizon: lists over states of lists over stages (values with horizon + 1 columns). m supplies the
** names and must be the model the policy was solved on. Errors: ST_EDATA (size mismatch), ST_EIO,
** ST_ENOMEM. */
ST_API st_status st_policy_to_json_file(st_context *ctx, const st_policy *p, const st_mdp *m, const char *path);

/* Reads POLICY.json for model m. Errors: ST_EIO, ST_EPARSE, ST_ELIMIT (JSON nested deeper than 256 levels),
** ST_EFORMAT (wrong format, version, sizes or action indices), ST_ENOMEM. */
ST_API st_status st_policy_from_json_file(st_context *ctx, const st_mdp *m, const char *path, st_policy **out);

/* Monte-Carlo value of following policy p on model m: `customers` trajectories of `periods` periods, each
** starting in state start (or, with start < 0, in a state drawn uniformly), summing discount^t times the
** reward R[s_t][a_t]. A finite-horizon policy uses stage t while t < horizon, then its last stage. The
** random stream depends only on seed and the customer index, so two policies simulated with one seed share
** common random numbers. out_mean and out_stderr (either may be NULL) receive the mean total and its
** standard error. Errors: ST_EINVAL (customers 0, discount outside (0, 1], start out of range), ST_EDATA
** (a policy of another model's size), ST_ENOMEM, ST_ECANCELLED. */
ST_API st_status st_mdp_simulate(st_context *ctx, const st_mdp *m, const st_policy *p, uint64_t customers,
                          size_t periods, double discount, long start, uint64_t seed, double *out_mean,
                          double *out_stderr);

/* Constrained MDP (docs/mdp.md, "Budgets"): the policy maximising the expected discounted reward
** E[sum_t discount^t R(s_t, a_t)] from the start distribution subject to a budget on the expected discounted
** cost E[sum_t discount^t C(s_t, a_t)] <= budget, by the occupancy-measure linear program (Altman 1999):
**   maximise sum rho(s,a) R[s][a]  over rho(s,a) >= 0
**   subject to sum_a rho(s',a) - discount sum_{s,a} P(s'|s,a) rho(s,a) = mu(s')  for every state s'
**              sum rho(s,a) C[s][a] <= budget,
** solved by a dense two-phase simplex. rho is the discounted expected number of visits to (s, a), so the
** objective is the value itself (sum_s mu(s) V(s)), not (1 - discount) times it. The optimal policy may be
** randomised: pi(a|s) = rho(s,a) / sum_a rho(s,a); with one budget row a basic optimum randomises in at most
** one state. A state with no occupancy (unreachable from mu) takes the action greedy on R - lambda C
** against the LP's dual values, ties to the lowest index.
**   start    nstates probabilities (>= 0, summing to 1 within 1e-9; renormalised), or NULL for uniform.
**   C        nstates * nactions costs C[s * nactions + a] (finite, any sign), or NULL for each action's
**            st_mdp_action_cost in every state.
**   budget   the bound; INFINITY drops the constraint (the unconstrained optimum, as st_mdp_solve_value).
**   policy   out, nstates * nactions: pi(a|s) at policy[s * nactions + a]; rows sum to 1. Required.
**   occupancy  out, nstates * nactions: rho(s, a); may be NULL.
**   out_value, out_cost  out: the expected discounted reward and cost from mu; may be NULL.
**   out_lambda  out: the budget's shadow price d value / d budget (>= 0; 0 when the budget does not bind
**            or is infinite): the multiplier of the Lagrangian R - lambda C; may be NULL.
** Cost: a dense tableau of about (S + 3) x (S A + 2 S + 3) doubles and O(S x S A) work per pivot; fine up to
** a few hundred states. Errors: ST_EINVAL (NULL m or policy, discount outside (0, 1), NaN budget),
** ST_EDATA (a negative, non-finite or unnormalised start, a non-finite cost, a budget below the least cost
** any policy reaches: the message gives that least cost), ST_ELIMIT (the tableau would pass 1 GiB),
** ST_ECONVERGE (the simplex hit its iteration limit), ST_ENOMEM. Outputs are untouched on error.
** Thread-safety: reads m only. */
ST_API st_status st_mdp_solve_constrained(st_context *ctx, const st_mdp *m, double discount, const double *start,
                                          const double *C, double budget, double *policy, double *occupancy,
                                          double *out_value, double *out_cost, double *out_lambda);

/* Estimation options (st_mdp_estimate_options_init sets smoothing 1 and everything else 0 / NULL).
** Arrays are borrowed for the call; each per-action array has nactions entries. */
typedef struct st_mdp_estimate_options {
    double smoothing;                /* Laplace / Dirichlet pseudo-count per cell; 0 = maximum likelihood */
    const double *cost;              /* cost of each action, subtracted from its mean reward (NULL = 0) */
    /* Actions with no observed transition are modelled from action 0 (the no-action chain): counts into the
    ** churn states are multiplied by churn_multiplier[a], the mean reward by reward_multiplier[a] (NULL =
    ** 1), so A/B-test effects can be encoded. */
    const double *reward_multiplier;
    const double *churn_multiplier;
    const uint32_t *churn_states;
    size_t nchurn;
} st_mdp_estimate_options;

ST_API void st_mdp_estimate_options_init(st_mdp_estimate_options *o);

/* Estimates an MDP from n observed transitions: customer-period k went from state[k] to next[k] under
** action[k] (action NULL = all action 0) and earned reward[k] (before any action cost). P(j | s, a) =
** (count(s, a, j) + smoothing) / (count(s, a) + smoothing * nstates), exactly normalised; a row with no
** observations and smoothing 0 stays in its state. R[s][a] = mean reward of (s, a) observations - cost[a]
** (0 - cost when none). The count table is dense: nstates <= 20000. Errors: ST_EINVAL (indices out of range,
** non-finite rewards, costs or multipliers, negative smoothing), ST_EEMPTY (n = 0), ST_ELIMIT, ST_ENOMEM. */
ST_API st_status st_mdp_estimate(st_context *ctx, size_t nstates, size_t nactions, size_t n, const uint32_t *state,
                          const uint32_t *action, const uint32_t *next, const double *reward,
                          const st_mdp_estimate_options *opts, st_mdp **out);

/* Column names and smoothing of st_mdp_build_from_files (init: state, next_state, action, reward; 1). */
typedef struct st_mdp_build_options {
    const char *state_col, *next_col, *action_col, *reward_col; /* action_col may be absent from the file */
    double smoothing;
} st_mdp_build_options;

ST_API void st_mdp_build_options_init(st_mdp_build_options *o);

/* st_mdp_estimate on files: transitions_csv has one row per customer-period with the state, the next
** period's state, the action taken (optional column: all "no action" = the first action without it) and
** the period's reward before costs; states are numbered in order of first appearance. actions_json is a
** list of actions, or {"actions": [...], "churn_states": [names]}; an action is a name or an object with
** "name", "cost" (0), "reward_multiplier" and "churn_multiplier" (1; used only for actions never seen in
** the data). Errors: ST_EIO, ST_EPARSE, ST_EFORMAT, ST_ENOTFOUND (a column), ST_EDATA (an unknown action
** or churn state), and those of st_mdp_estimate. */
ST_API st_status st_mdp_build_from_files(st_context *ctx, const char *transitions_csv, const char *actions_json,
                                  const st_mdp_build_options *opts, st_mdp **out);

typedef enum st_mdp_period { ST_MDP_PERIOD_WEEK = 0, ST_MDP_PERIOD_MONTH = 1, ST_MDP_PERIOD_QUARTER = 2 } st_mdp_period;

/* Options of st_mdp_build_from_events; st_mdp_events_options_init sets the defaults in brackets. Strings
** are borrowed for the call. How the events are read (columns, time format, money, event column,
** delimiter, header, bad rows, observation end) is given separately, by the st_summarize_options of
** st_summarize. */
typedef struct st_mdp_events_options {
    st_mdp_period period;            /* [month]; weeks start on Monday, quarters on Jan/Apr/Jul/Oct 1 */
    int tiers;                       /* [3] value tiers: quantiles of spend over active customer-periods */
    int churn_after;                 /* [3] periods without events after which a customer is churned */
    double margin;                   /* [1] profit per unit of spend */
    double smoothing;                /* [1] Laplace pseudo-count */
    const char *campaigns;           /* [NULL] campaign log CSV: customer, time, action name (customer and time
                                        columns named as in the event log, times in its time format) */
    const char *campaign_action_col; /* [action] */
} st_mdp_events_options;

ST_API void st_mdp_events_options_init(st_mdp_events_options *o);

/* Builds an MDP from event logs, read with the input options in (those of st_summarize: every input
** st_summarize takes, .gz and "-" for standard input included, in one pass). The log is cut into periods;
** each customer is followed from the period of its first event to the last period of the data, and in
** each period is in a lifecycle stage crossed with a value tier ("<stage>/t<k>", t1 the lowest tier) or in
** "churned": acquisition = first period with events; growth = more events (rows of any behaviour) than in
** the previous period; maturity = events, not more than before; decline = no events for fewer than
** churn_after periods (tier of the last active period); churned = no events for churn_after periods or
** more. The spend of a period is the sum of its purchase amounts. Each consecutive pair of periods is a
** transition whose reward is margin x the first period's spend, under the campaign action of that period
** (the last campaign in it; none = the first action). Then st_mdp_estimate with the actions file of
** st_mdp_build_from_files ("churned" is the churn state for the multipliers). States: 4 * tiers + 1, all
** present even when never observed. Rows after in->observation_end and returns (negative purchase amounts)
** are left out, as by st_summarize.
** When customer_states is not NULL it receives a new table (free with st_table_free) with one row per
** customer of the log (key named in->customer_col, in order of first appearance) and a string column
** "state": the customer's state in the last period of the data, for st_policy lookups.
** Errors: those of st_summarize (ST_EPARSE with file:line:column, ST_ENOTFOUND, ...) and of
** st_mdp_build_from_files, ST_EEMPTY (no events, or a single period). */
ST_API st_status st_mdp_build_from_events(st_context *ctx, const char *const *paths, size_t npaths,
                                   const char *actions_json, const st_summarize_options *in,
                                   const st_mdp_events_options *o, st_mdp **out, st_table **customer_states);


/* ---- learn stage: neural networks (docs/learn.md): declarations below this line ---- */

/* -- Dense feed-forward networks --
** An st_mlp maps rows of `inputs` doubles to rows of `outputs` doubles through L dense layers: layer l
** (0-based) computes z = W_l a + b_l with W_l of sizes[l+1] x sizes[l], then a hidden activation (layers
** 0 .. L-2) or the output function (layer L-1): identity, sigmoid (each output its own probability) or
** softmax (the outputs a probability vector). Batches are row-major n x inputs matrices.
**
** Parameters are one array of st_mlp_nparams doubles, layer by layer: W_0 (row-major, row j = the
** weights into unit j, as a PyTorch nn.Linear's weight), b_0, W_1, b_1, ... : the order of
** torch.nn.Sequential(Linear, act, Linear, ...).parameters() flattened. Gradients use the same layout.
**
** Determinism: every random choice takes a seed; a row's outputs depend only on that row and the
** parameters, summed in a fixed order, so results are bit-identical for any batch split and thread count.
** Thread-safety: st_mlp_predict, st_mlp_eval_loss and the JSON writers only read the network (several
** threads may share one, each with its own context); st_mlp_forward / st_mlp_backward / st_mlp_loss_grad /
** training use the network's own work space and must not run concurrently on one network.
** Memory: 8 bytes per parameter, plus a training work space of about 8 x batch x (inputs + 2 x the sum
** of the layer sizes) bytes. */
typedef struct st_mlp st_mlp;

typedef enum st_activation {
    ST_ACT_IDENTITY = 0,
    ST_ACT_RELU = 1,    /* max(0, z) */
    ST_ACT_TANH = 2,
    ST_ACT_SIGMOID = 3  /* 1 / (1 + e^-z) */
} st_activation;

typedef enum st_mlp_output {
    ST_MLP_OUT_IDENTITY = 0, /* regression, Q values */
    ST_MLP_OUT_SIGMOID = 1,  /* binary or multi-label probabilities */
    ST_MLP_OUT_SOFTMAX = 2   /* class probabilities (at least 2 outputs) */
} st_mlp_output;

/* Weight initialisation (biases start at 0). AUTO: He for the layers whose activation is ReLU, Xavier for
** the others (the output layer included). HE: normal with standard deviation sqrt(2 / fan_in) (PyTorch's
** kaiming_normal_). XAVIER: uniform on +-sqrt(6 / (fan_in + fan_out)) (xavier_uniform_). */
typedef enum st_mlp_init { ST_MLP_INIT_AUTO = 0, ST_MLP_INIT_HE = 1, ST_MLP_INIT_XAVIER = 2 } st_mlp_init;

/* Limits: at most ST_MLP_MAX_LAYERS weight layers, each size 1 .. ST_MLP_MAX_WIDTH, at most
** ST_MLP_MAX_PARAMS parameters. */
#define ST_MLP_MAX_LAYERS 64u
#define ST_MLP_MAX_WIDTH 65536u
#define ST_MLP_MAX_PARAMS 100000000u

/* Creates a network: sizes holds nsizes >= 2 layer sizes (inputs, hidden ..., outputs), hidden the
** nsizes - 2 hidden activations (NULL when there is no hidden layer), weights drawn from one stream of
** seed (layer by layer, row by row), so one seed gives the same bytes everywhere.
** Errors: ST_EINVAL (NULL sizes or out, nsizes < 2 or above ST_MLP_MAX_LAYERS + 1, a size 0 or above
** ST_MLP_MAX_WIDTH, an unknown activation, output or init, softmax with fewer than 2 outputs, more than
** ST_MLP_MAX_PARAMS parameters, hidden NULL with hidden layers), ST_ENOMEM. */
ST_API st_status st_mlp_new(st_context *ctx, const size_t *sizes, size_t nsizes, const st_activation *hidden,
                            st_mlp_output output, st_mlp_init init, uint64_t seed, st_mlp **out);

/* Frees the network; NULL is a no-op. */
ST_API void st_mlp_free(st_mlp *m);

/* A new network equal to m (architecture, parameters, transform), owned by ctx; e.g. a DQN's target
** network. Errors: ST_EINVAL (NULL m or out), ST_ENOMEM. */
ST_API st_status st_mlp_copy(st_context *ctx, const st_mlp *m, st_mlp **out);

/* Polyak averaging of the parameters: dst = tau * src + (1 - tau) * dst, tau in [0, 1] (1 copies src's
** parameters exactly). Errors: ST_EINVAL (NULL, tau outside [0, 1], a different architecture). */
ST_API st_status st_mlp_blend(st_context *ctx, st_mlp *dst, const st_mlp *src, double tau);

/* Shape: weight layers L, sizes[i] for i <= L (0 when out of range), inputs = sizes[0], outputs = sizes[L],
** parameter count; hidden activation of layer l < L - 1 (ST_ACT_IDENTITY when out of range); output kind.
** 0 for a NULL m. */
ST_API size_t st_mlp_nlayers(const st_mlp *m);
ST_API size_t st_mlp_size(const st_mlp *m, size_t i);
ST_API size_t st_mlp_ninputs(const st_mlp *m);
ST_API size_t st_mlp_noutputs(const st_mlp *m);
ST_API size_t st_mlp_nparams(const st_mlp *m);
ST_API st_activation st_mlp_activation(const st_mlp *m, size_t l);
ST_API st_mlp_output st_mlp_output_kind(const st_mlp *m);

/* The parameters in the layout above, owned by m, valid until st_mlp_free; writable (to load weights or
** perturb them). NULL for a NULL m. */
ST_API double *st_mlp_params(st_mlp *m);

/* Outputs of n rows: x is n x inputs (row-major), out receives n x outputs. Only reads m. Rows are taken in
** blocks of 256 across st_context_threads workers; the result does not depend on the thread count.
** Errors: ST_EINVAL (NULL arguments with n > 0), ST_EDATA (a NaN or infinite input, naming its row and
** column, 0-based), ST_ENOMEM. n = 0 does nothing. */
ST_API st_status st_mlp_predict(st_context *ctx, const st_mlp *m, const double *x, size_t n, double *out);

/* Forward pass for training: as st_mlp_predict (out may be NULL), keeping the batch (x is copied) and each
** layer's values in m's work space for st_mlp_backward. Errors: those of st_mlp_predict, ST_EINVAL (n = 0). */
ST_API st_status st_mlp_forward(st_context *ctx, st_mlp *m, const double *x, size_t n, double *out);

/* Backward pass of the last st_mlp_forward: dz holds n x outputs derivatives of the loss with respect to
** the output layer's pre-activations z (the logits: for softmax or sigmoid outputs with cross-entropy this is
** p - y scaled by the row's weight); grad (st_mlp_nparams) is overwritten with the gradient of the
** parameters. Errors: ST_EINVAL (NULL arguments, no forward pass since the network was created or
** changed shape). */
ST_API st_status st_mlp_backward(st_context *ctx, st_mlp *m, const double *dz, double *grad);

/* -- Losses --
** Every loss is a weighted mean over the rows (and outputs) counted: L = sum_i w_i l_i / sum_i w_i with
** w_i = sample weight (1 when none) x class weight of the row's label (1 when none); a sum of weights 0
** gives L = 0 and zero gradients. With class weights and no sample weights, cross-entropy is PyTorch's
** CrossEntropyLoss(weight=w, reduction='mean'). p = the network's output, z = its logit.
**   CROSS_ENTROPY (softmax output): y_i a class index 0 .. K-1 (one double per row); l_i = -log p_{i,y_i}.
**   BCE (sigmoid output): y a 0/1 matrix, n x outputs; l = -log p for y = 1, -log(1 - p) for y = 0;
**     class weights: 2 (negative, positive).
**   SPLC (sigmoid output; seed 003 eq. 5, self-paced loss correction): as BCE, except that a positive whose
**     p <= tau is scored as a negative, l = -log(1 - p) (no gradient through the switch); before epoch
**     splc_warmup of st_mlp_train_epoch it is plain BCE. Class weights follow the observed label.
**   MSE (identity output): y n x outputs; l = (p - y)^2 per output.
**   HUBER (identity output): d = p - y; l = d^2 / 2 when |d| < delta, else delta (|d| - delta / 2)
**     (PyTorch's HuberLoss). MSE and HUBER skip NaN targets: a DQN sets only the taken action's target.
** Logs of probabilities are computed from the logits (log-sum-exp, softplus), so they stay finite. */
typedef enum st_mlp_loss_kind {
    ST_MLP_LOSS_CROSS_ENTROPY = 0,
    ST_MLP_LOSS_BCE = 1,
    ST_MLP_LOSS_SPLC = 2,
    ST_MLP_LOSS_MSE = 3,
    ST_MLP_LOSS_HUBER = 4
} st_mlp_loss_kind;

/* A loss and its parameters; st_mlp_loss_init sets the defaults in brackets. class_weight is borrowed. */
typedef struct st_mlp_loss {
    st_mlp_loss_kind kind;
    const double *class_weight; /* [NULL] K weights (cross-entropy) or 2 (BCE, SPLC), finite and >= 0 */
    size_t nclass_weight;       /* [0] entries of class_weight */
    double tau;                 /* [0.5] SPLC threshold, in (0, 1) */
    size_t splc_warmup;         /* [1] epochs of plain BCE before SPLC corrects (epochs count from 0) */
    double huber_delta;         /* [1] Huber threshold, > 0 */
} st_mlp_loss;

ST_API void st_mlp_loss_init(st_mlp_loss *l, st_mlp_loss_kind kind);

/* Loss of the n rows of x (n x inputs) with targets y (layout by loss kind above) and optional sample weights
** (NULL = 1; finite, >= 0), into *out_loss. Only reads m. Errors: ST_EINVAL (NULL arguments, n = 0, a loss
** that does not fit the output kind, wrong class-weight count, a bad parameter), ST_EDATA (a non-finite
** input, a label that is not a class index or 0/1, an infinite target, a negative or non-finite weight;
** the message names the row, 0-based), ST_ENOMEM. */
ST_API st_status st_mlp_eval_loss(st_context *ctx, const st_mlp *m, const st_mlp_loss *loss, const double *x,
                                  size_t n, const double *y, const double *weight, double *out_loss);

/* The same, plus the gradient: forward, loss and backward in one call; grad (st_mlp_nparams) is
** overwritten. out_loss may be NULL. SPLC corrects here (no warm-up: that is st_mlp_train_epoch's).
** Errors: those of st_mlp_eval_loss. */
ST_API st_status st_mlp_loss_grad(st_context *ctx, st_mlp *m, const st_mlp_loss *loss, const double *x, size_t n,
                                  const double *y, const double *weight, double *out_loss, double *grad);

/* -- Optimisers --
** SGD and Adam with PyTorch's update rules (torch.optim.SGD with dampening 0, no Nesterov; torch.optim.Adam,
** amsgrad off). Weight decay wd is PyTorch's: SGD and Adam add wd * w to the gradient (L2 regularisation,
** which Adam's scaling weakens for weights with large gradients); with `decoupled`, Adam becomes AdamW
** (w -= lr * wd * w before the Adam step). Decay applies to every parameter, biases included, as with
** torch's default parameter groups. Gradient clipping (clip_norm > 0) is torch.nn.utils.clip_grad_norm_:
** when the global L2 norm g of the gradient exceeds clip_norm, it is scaled by clip_norm / (g + 1e-6),
** before the decay is added. */
typedef struct st_mlp_optim st_mlp_optim;

typedef enum st_optim_kind { ST_OPTIM_SGD = 0, ST_OPTIM_ADAM = 1 } st_optim_kind;

/* Options; st_mlp_optim_options_init sets the defaults in brackets. */
typedef struct st_mlp_optim_options {
    st_optim_kind kind;
    double lr;           /* [1e-3] learning rate, > 0 */
    double momentum;     /* [0] SGD momentum, in [0, 1) */
    double beta1, beta2; /* [0.9, 0.999] Adam, each in [0, 1) */
    double eps;          /* [1e-8] Adam, > 0 */
    double weight_decay; /* [0] >= 0 */
    int decoupled;       /* [0] Adam only: 1 = AdamW */
    double clip_norm;    /* [0] > 0 clips the gradient's global L2 norm; 0 = no clipping */
} st_mlp_optim_options;

ST_API void st_mlp_optim_options_init(st_mlp_optim_options *o, st_optim_kind kind);

/* An optimiser for the parameters of m (its state: momentum or Adam's two moments, zero, and the step
** count). It may be used with m or any network of the same parameter count (a copy of m).
** Errors: ST_EINVAL (NULL arguments, an option out of range), ST_ENOMEM. */
ST_API st_status st_mlp_optim_new(st_context *ctx, const st_mlp *m, const st_mlp_optim_options *o,
                                  st_mlp_optim **out);
ST_API void st_mlp_optim_free(st_mlp_optim *opt);

/* One step on m's parameters with the gradient grad (st_mlp_nparams values, not modified).
** Errors: ST_EINVAL (NULL arguments, another parameter count), ST_EDATA (a non-finite gradient: the
** parameters are left unchanged). */
ST_API st_status st_mlp_optim_step(st_context *ctx, st_mlp_optim *opt, st_mlp *m, const double *grad);

/* Steps taken so far. 0 for NULL. */
ST_API uint64_t st_mlp_optim_steps(const st_mlp_optim *opt);

/* One epoch of mini-batch training: the n rows are shuffled by a Fisher-Yates permutation drawn from
** (seed, epoch) (so each epoch has its own order and a run replays exactly), cut into batches of `batch`
** rows (the last one shorter), and each batch takes one st_mlp_loss_grad and one st_mlp_optim_step.
** y and weight as st_mlp_eval_loss (weight NULL = 1); SPLC is plain BCE while epoch < loss->splc_warmup.
** *out_loss (may be NULL) receives the epoch's training loss: the weighted mean of every row's loss at the
** moment its batch was evaluated. Every input is checked before the first step.
** Errors: those of st_mlp_eval_loss, ST_EINVAL (batch 0), ST_EDATA (see st_mlp_optim_step), ST_ENOMEM. */
ST_API st_status st_mlp_train_epoch(st_context *ctx, st_mlp *m, st_mlp_optim *opt, const st_mlp_loss *loss,
                                    const double *x, size_t n, const double *y, const double *weight,
                                    size_t batch, uint64_t seed, size_t epoch, double *out_loss);

/* -- MODEL.json of a network --
** {"format": "strata-mlp", "version": 1, "sizes": [...], "activations": [hidden names], "output": name,
**  "parameters": count, "layers": [{"weights": [[row of unit 0], ...], "bias": [...]}, ...],
**  "transform": any JSON value or null}. Names: "identity", "relu", "tanh", "sigmoid", "softmax". Numbers are
** written in the shortest form that reads back to the same double, so a network written and read back has
** bit-identical parameters (and writes the same bytes again). "transform" carries the feature transform of
** the learn stage's design verbatim (st_mlp_set_transform). */

/* Writes m as JSON text into *json (NUL-terminated, *len bytes without the NUL, len may be NULL; release with
** st_free). Errors: ST_EINVAL (NULL arguments), ST_ENOMEM. */
ST_API st_status st_mlp_to_json(st_context *ctx, const st_mlp *m, char **json, size_t *len);

/* Writes it to path ("-" = standard output; atomic otherwise). Errors: ST_EINVAL, ST_EIO, ST_ENOMEM. */
ST_API st_status st_mlp_to_json_file(st_context *ctx, const st_mlp *m, const char *path);

/* Reads a network from len bytes of JSON text (name is used in messages) or a file ("-" = standard input).
** Errors: ST_EPARSE (malformed JSON, file:line:column), ST_ELIMIT (nesting deeper than 256), ST_EFORMAT
** (wrong format or version, a missing or mistyped member, sizes that do not match, a non-finite weight),
** ST_EINVAL (the architecture checks of st_mlp_new), ST_EIO, ST_ENOMEM. */
ST_API st_status st_mlp_from_json(st_context *ctx, const char *text, size_t len, const char *name, st_mlp **out);
ST_API st_status st_mlp_from_json_file(st_context *ctx, const char *path, st_mlp **out);

/* Attaches a feature transform, len bytes of JSON (any value; it is parsed, checked and stored compactly),
** written as "transform" by st_mlp_to_json; text NULL removes it. Errors: ST_EINVAL (NULL m), ST_EPARSE,
** ST_ELIMIT, ST_ENOMEM (m is unchanged on failure). */
ST_API st_status st_mlp_set_transform(st_context *ctx, st_mlp *m, const char *text, size_t len);

/* The transform as compact JSON text (NUL-terminated, owned by m, valid until the next set or free), or NULL
** when there is none. */
ST_API const char *st_mlp_transform(const st_mlp *m);


/* -- Training over epochs and undoing class weights --
** st_mlp_train runs `epochs` calls of st_mlp_train_epoch (epochs 0 .. epochs - 1, seed as given) with one
** optimiser made from o (NULL = Adam with the defaults); epoch_loss (NULL or `epochs` values) receives each
** epoch's training loss. Errors: those of st_mlp_optim_new and st_mlp_train_epoch, ST_EINVAL (epochs 0). */
ST_API st_status st_mlp_train(st_context *ctx, st_mlp *m, const st_mlp_optim_options *o, const st_mlp_loss *loss,
                              const double *x, size_t n, const double *y, const double *weight, size_t batch,
                              size_t epochs, uint64_t seed, double *epoch_loss);

/* Undoes class weights on probabilities. A network trained with a class-weighted cross-entropy (weights
** w_k) estimates q_k = p_k w_k / sum_j p_j w_j instead of p_k; this turns each row of q (n rows of k values,
** in place) back into p_k = (q_k / w_k) / sum_j (q_j / w_j). For one sigmoid output with BCE weights
** (w_0 negative, w_1 positive) call it on the pairs (1 - q, q). A row whose weights are all 0 or whose
** sum is 0 is left as it is. Errors: ST_EINVAL (NULL p or w with n > 0, k < 2, a weight negative or not
** finite). */
ST_API st_status st_probs_unweight(st_context *ctx, double *p, size_t n, size_t k, const double *w);

/* -- A network classifier on a table (`strata classify fit --model mlp`, docs/classify.md) --
** The feature design (st_design_new, numeric features standardised), a ReLU network with the given hidden
** layers and a softmax output over the label's classes, trained by Adam on the class-weighted cross-entropy
** with st_mlp_train. Classes are the label's distinct values as text (numbers in their shortest form),
** sorted by strcmp. Deterministic for a seed on any thread count. */
typedef struct st_mlpc st_mlpc;

/* Options (st_mlpc_options_init sets the defaults in brackets; arrays borrowed for the call). */
typedef struct st_mlpc_options {
    const size_t *hidden;       /* [NULL: one layer of 16] sizes of the hidden layers */
    size_t nhidden;             /* [0] entries of hidden */
    size_t epochs;              /* [30] */
    size_t batch;               /* [256] */
    double lr;                  /* [1e-3] Adam's learning rate */
    int class_weight_balanced;  /* [0] class k weighs n / (K n_k) (scikit-learn's "balanced") */
    const double *class_weight; /* [NULL] K weights > 0 in the sorted order of the classes (overrides) */
    size_t nclass_weight;       /* [0] */
    uint64_t seed;              /* [1] initial weights and the order of the rows in each epoch */
} st_mlpc_options;

ST_API void st_mlpc_options_init(st_mlpc_options *o);

/* Fits the classifier of column label on t's numeric and categorical features (as st_design_new). source
** names the data in messages. Errors: ST_EINVAL (NULL arguments, unknown columns, the label among the
** features, fewer than 2 classes named in class_weight, an option out of range: epochs or batch 0, lr not
** > 0, a hidden size 0), ST_EDATA (a missing label or feature at source:row, a single class, more than
** 65,536 classes), ST_ENOMEM. *out is NULL on failure. */
ST_API st_status st_mlpc_fit(st_context *ctx, const st_table *t, const char *source, const char *label,
                             const char *const *numeric, size_t nnumeric, const char *const *categorical,
                             size_t ncategorical, const st_mlpc_options *o, st_mlpc **out);
ST_API void st_mlpc_free(st_mlpc *m);

ST_API size_t st_mlpc_nclasses(const st_mlpc *m);
ST_API const char *st_mlpc_class(const st_mlpc *m, size_t k); /* NULL when out of range */
ST_API const char *st_mlpc_label(const st_mlpc *m);
ST_API const st_design *st_mlpc_design(const st_mlpc *m);     /* owned by m */
ST_API const st_mlp *st_mlpc_network(const st_mlpc *m);       /* owned by m */
/* The training loss of the last epoch (NaN for a model read from JSON without it). */
ST_API double st_mlpc_final_loss(const st_mlpc *m);

/* Class probabilities of every row of t into p (nrows x K, row-major): the network's softmax outputs (the
** class weights are not undone: with balanced weights they favour rare classes, as the decision rule
** wants; st_probs_unweight turns them into probabilities). Errors: those of st_design_matrix and
** st_mlp_predict. Only reads m. */
ST_API st_status st_mlpc_predict(st_context *ctx, const st_mlpc *m, const st_table *t, const char *source,
                                 double *p);

/* MODEL.json: a strata-mlp network (st_mlp_to_json) whose "transform" is {"model": "classifier", "label",
** "classes", "class_weight", "options", "final_loss", "design"}; reads back bit-identically.
** Errors: as st_mlp_to_json / st_mlp_from_json, ST_EFORMAT (a transform that is not a classifier's). */
ST_API st_status st_mlpc_save(st_context *ctx, const st_mlpc *m, const char *path); /* atomic; "-" = stdout */
ST_API st_status st_mlpc_load(st_context *ctx, const char *path, st_mlpc **out);   /* "-" = stdin */
ST_API st_status st_mlpc_from_json(st_context *ctx, const char *text, size_t len, const char *name, st_mlpc **out);

/* `strata classify predict` for either model: reads MODEL.json at model_path (a strata-glm model: as
** st_glm_predict_csv; a network classifier: DATA.csv's columns, then p_<class> per class, `pred` (the
** most probable class, the first on ties) and, for two classes, `score` (p of the second class)) and writes
** out_path (atomic; "-" = standard output). An input column named like an output column is written with
** "_input" appended. Errors: those of the loaders, st_table_read_csv and the predictions, ST_EIO. */
ST_API st_status st_classify_predict_csv(st_context *ctx, const char *model_path, const char *in_path,
                                         const char *out_path);

/* ---- pipeline: the two-stage value-proposition model (docs/twostage.md): declarations below this line ---- */

/* Stage 1, a class-weighted softmax network, sorts customers into engaged (responded when treated),
** unengaged (responded without treatment) and inactive; stage 2, a sigmoid network trained with SPLC on the
** engaged (positive) and unengaged (negative) rows only, scores prompted against organic engagement.
** Deterministic for a seed on any thread count. */
typedef struct st_twostage st_twostage;

typedef struct st_twostage_options {
    const char *const *numeric;     /* feature columns (borrowed) */
    size_t nnumeric;
    const char *const *categorical;
    size_t ncategorical;
    /* labels: from a class column ... */
    const char *class_col;          /* [NULL] */
    const char *engaged, *unengaged, *inactive; /* its three values (text; numbers in shortest form) */
    /* ... or from a randomised test: treated responders engaged, control responders unengaged, the rest
    ** inactive */
    const char *treatment_col;      /* [NULL] arm column */
    const char *control;            /* the control arm's name; every other arm is treated */
    const char *response_col;       /* 0/1 (any non-zero number responds) */
    size_t hidden;                  /* [16] units of the one hidden layer of each network */
    size_t epochs;                  /* [30] */
    size_t batch;                   /* [256] */
    double lr;                      /* [1e-3] Adam */
    double tau;                     /* [0.5] SPLC threshold, in (0, 1) */
    size_t splc_after;              /* [5] epochs of plain BCE before SPLC corrects */
    int class_weight_balanced;      /* [1] stage 1 weights n / (3 n_k) */
    const double *class_weight;     /* [NULL] 3 weights > 0 (engaged, unengaged, inactive); overrides */
    uint64_t seed;                  /* [1] */
} st_twostage_options;

ST_API void st_twostage_options_init(st_twostage_options *o);

/* Fits both stages on t. Errors: ST_EINVAL (NULL arguments, both or neither label source, unknown columns,
** options out of range), ST_EDATA (a class value that is none of the three, a missing response or arm, at
** source:row; a class with no rows; no control or no treated row), ST_ENOMEM. */
ST_API st_status st_twostage_fit(st_context *ctx, const st_table *t, const char *source,
                                 const st_twostage_options *o, st_twostage **out);
ST_API void st_twostage_free(st_twostage *m);

/* The scores of one row (docs/twostage.md). */
typedef struct st_twostage_score {
    double p_engaged, p_unengaged, p_inactive; /* calibrated (class weights undone) */
    int stage1_class;                          /* 0 engaged, 1 unengaged, 2 inactive: argmax_k p_k w_k */
    double prompted_score;                     /* stage 2: P(prompted | engaged or unengaged, x) */
    int segment;                               /* 0 prompted, 1 organic, 2 inactive */
    double incremental_score;                  /* expected incremental response */
} st_twostage_score;

/* Names: "engaged" / "unengaged" / "inactive" for a stage-1 class, "prompted" / "organic" / "inactive"
** for a segment; NULL out of range. */
ST_API const char *st_twostage_class_name(int k);
ST_API const char *st_twostage_segment_name(int s);

/* incremental_score from the calibrated stage-1 probabilities of responding (p_resp = p_engaged +
** p_unengaged), q = prompted_score and pi the treated share: rho = q (1 - pi) / ((1 - q) pi),
** p_resp (rho - 1) / (pi rho + 1 - pi); q = 1 gives p_resp / pi, q = 0 gives -p_resp / (1 - pi). */
ST_API double st_twostage_incremental(double p_resp, double q, double pi);

/* The treated share pi the model uses (of the training rows; from a class column: the engaged share of the
** engaged and unengaged rows). */
ST_API double st_twostage_pi(const st_twostage *m);

/* Scores of every row of t into s (nrows entries). Only reads m. Errors: those of st_design_matrix and
** st_mlp_predict. */
ST_API st_status st_twostage_predict(st_context *ctx, const st_twostage *m, const st_table *t, const char *source,
                                     st_twostage_score *s);

/* MODEL.json: {"format": "strata-twostage", "version": 1, "labels", "pi", "class_weight", "options",
** "design", "stage1": <strata-mlp>, "stage2": <strata-mlp>}; reads back bit-identically. */
ST_API st_status st_twostage_save(st_context *ctx, const st_twostage *m, const char *path);
ST_API st_status st_twostage_load(st_context *ctx, const char *path, st_twostage **out);

/* `strata twostage predict`: DATA.csv's columns, then p_engaged, p_unengaged, p_inactive, stage1_class,
** prompted_score, segment, incremental_score (an input column named like one of them is written with
** "_input" appended: Hillstrom's arm column `segment` becomes `segment_input`). Atomic; "-" = stdout. */
ST_API st_status st_twostage_predict_csv(st_context *ctx, const st_twostage *m, const char *in_path,
                                         const char *out_path);

/* `strata twostage eval` (docs/twostage.md). With truth_col (1 = prompted, 0 = not): precision, recall,
** balanced accuracy and weighted F1 of segment == prompted ("model"), of the RFM baselines when
** recency_col, frequency_col and monetary_col are all given ("baselines": Champions, Loyal Customers,
** Potential Loyalist, each taken as the prompted prediction), and "gain" (share of prompted rows in the
** top 10%, ..., 100% by prompted_score). Without it, from a randomised test (treatment_col, control,
** response_col): qini_auc and uplift_at_k (k = top) of incremental_score and "targeting". */
typedef struct st_twostage_eval_options {
    const char *truth_col;
    const char *treatment_col, *control, *response_col;
    const char *recency_col, *frequency_col, *monetary_col;
    double top;                     /* [0.4] in (0, 1) */
} st_twostage_eval_options;

ST_API void st_twostage_eval_options_init(st_twostage_eval_options *o);

/* EVAL.json of SCORES.csv at in_path into out_path (atomic; "-" = stdout). Errors: ST_EINVAL (NULL,
** neither or both of truth and a test, an unknown column, a missing output column of
** st_twostage_predict_csv), ST_EDATA (a truth or response that is not 0/1, a missing arm, at source:row; a
** single truth class; no treated or no control row), ST_EIO, ST_ENOMEM. */
ST_API st_status st_twostage_eval_csv(st_context *ctx, const char *in_path, const st_twostage_eval_options *o,
                                      const char *out_path);
/* The same on a table already read, into JSON text (*out released with st_free). */
ST_API st_status st_twostage_eval_json(st_context *ctx, const st_table *t, const char *source,
                                       const st_twostage_eval_options *o, char **out, size_t *len);


#ifdef __cplusplus
}
#endif
#endif /* STRATA_H */
