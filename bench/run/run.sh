#!/bin/sh
# run.sh -- issue 10's whole-chain benchmark: (a) `strata run` (every stage: summarize, value, segment,
# MDP, write) against DuckDB's RFM aggregation alone (the query of bench/ingest/duckdb_summarize.mjs) on
# `strata simulate --customers 200000 --behaviours` (about 9.3M events), 2 threads each; (b) the peak RSS of
# `strata run` on `--customers 1000000 --behaviours` (about 47M events) in bytes per customer.
#
# usage: sh bench/run/run.sh [STRATA_BIN]
#   env: CUSTOMERS (default 200000), BIG_CUSTOMERS (default 1000000; 0 skips part b), RUNS (default 3),
#        DATA_DIR (default bench/data)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STRATA=${1:-${STRATA:-$ROOT/build/strata}}
CUSTOMERS=${CUSTOMERS:-200000}
BIG_CUSTOMERS=${BIG_CUSTOMERS:-1000000}
RUNS=${RUNS:-3}
DATA_DIR=${DATA_DIR:-$ROOT/bench/data}
TIME=/usr/bin/time
GOAL_RATIO=0.75   # strata run / DuckDB, at most
GOAL_BPC=600      # peak RSS bytes per customer at 1M customers, at most

die() { echo "run.sh: $*" >&2; exit 1; }
[ -x "$STRATA" ] || die "no strata binary at $STRATA (build it, or pass its path)"
[ -x "$TIME" ] || die "$TIME is missing (apt-get install time)"
command -v node >/dev/null || die "node is missing"
[ -d "$ROOT/bench/node_modules/@duckdb/node-api" ] || die "DuckDB is missing: npm install --prefix bench"

mkdir -p "$DATA_DIR"
gen() { # N: the simulated log of N customers, made once
    f=$DATA_DIR/events_$1.csv
    if [ ! -s "$f" ]; then
        echo "generating $f ..." >&2
        "$STRATA" simulate --customers "$1" --behaviours --seed 1 -o "$f.tmp" >&2
        mv "$f.tmp" "$f"
    fi
    echo "$f"
}

OUT=$(mktemp -d "${TMPDIR:-/tmp}/strata_bench_run.XXXXXX")
trap 'rm -rf "$OUT"' EXIT INT TERM

timed() { # NAME COMMAND...: one timed run, appends "seconds kilobytes" to $OUT/NAME.times
    name=$1
    shift
    if ! "$TIME" -f '%e %M' -o "$OUT/time.txt" "$@" > "$OUT/$name.log" 2>&1; then
        cat "$OUT/$name.log" >&2
        die "$name failed: $*"
    fi
    tail -n 1 "$OUT/time.txt" >> "$OUT/$name.times"
    echo "  $name: $(tail -n 1 "$OUT/time.txt" | awk '{printf "%6.2f s %6.0f MB", $1, $2 / 1024}')"
}

# ---- (a) the whole chain against DuckDB's table alone ----
EVENTS=$(gen "$CUSTOMERS")
EVENTS_N=$(($(wc -l < "$EVENTS") - 1))
SIZE_MB=$(($(wc -c < "$EVENTS") / 1048576))
cat "$EVENTS" > /dev/null # the page cache holds the file for both contenders alike
echo "(a) $EVENTS_N events, $SIZE_MB MB; $RUNS rounds, strata run and DuckDB taking turns"
i=1
while [ "$i" -le "$RUNS" ]; do
    echo "round $i/$RUNS"
    rm -rf "$OUT/run"
    timed strata "$STRATA" run "$EVENTS" --event event --threads 2 -o "$OUT/run"
    timed duckdb node "$ROOT/bench/ingest/duckdb_summarize.mjs" "$EVENTS" "$OUT/duckdb.csv" 2
    i=$((i + 1))
done
# the stage timings of the last strata run, as summary.json reports them
STAGES=$(tr -d ' \n' < "$OUT/run/summary.json" | sed -n 's/.*"timings_seconds":{\([^}]*\)}.*/\1/p' |
    tr ',' '\n' | awk -F: '{gsub(/"/, "", $1); printf "%s %.2f s, ", $1, $2}' | sed 's/, $//')

# Line k of each NAME.times is round k; the verdict is the median of the per-round ratios (both contenders
# of a round ran back to back, under the same load on a shared machine).
paste -d ' ' "$OUT/strata.times" "$OUT/duckdb.times" | awk -v n="$EVENTS_N" -v mb="$SIZE_MB" -v goal="$GOAL_RATIO" \
    -v stages="$STAGES" '
function median(a, k,    i, j, t) {
    for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
function minimum(a, k,    i, m) { m = a[1]; for (i = 2; i <= k; i++) if (a[i] < m) m = a[i]; return m }
{
    k = NR
    ts[k] = $1; ms[k] = $2; td[k] = ($3 > 0 ? $3 : 0.01); md[k] = $4
    r[k] = ts[k] / td[k]
}
END {
    printf "\n(a) whole chain: %d events (%d MB CSV), 2 threads, %d rounds\n", n, mb, k
    printf "%-40s %12s %10s %14s\n", "contender", "median (s)", "best (s)", "peak RSS (MB)"
    printf "%-40s %12.2f %10.2f %14.0f\n", "strata run (all stages)", median(ts, k), minimum(ts, k), median(ms, k) / 1024
    printf "%-40s %12.2f %10.2f %14.0f\n", "DuckDB RFM aggregation (@duckdb/node-api)", median(td, k), minimum(td, k), median(md, k) / 1024
    printf "stages of the last strata run: %s\n", stages
    a = median(r, k)
    printf "median of the per-round ratios strata run / DuckDB: %.2f  (issue 10 asks <= %.2f: %s)\n", a, goal,
        (a <= goal ? "met" : "NOT met")
}'

# ---- (b) peak memory per customer at a million customers ----
[ "$BIG_CUSTOMERS" -gt 0 ] || exit 0
BIG=$(gen "$BIG_CUSTOMERS")
BIG_N=$(($(wc -l < "$BIG") - 1))
echo
echo "(b) $BIG_N events, $BIG_CUSTOMERS customers: one strata run"
rm -rf "$OUT/run"
timed big "$STRATA" run "$BIG" --event event --threads 2 -o "$OUT/run"
# the first "customers" of summary.json is the top-level count (stages report their own further down)
CUST=$(grep -o '"customers": *[0-9]*' "$OUT/run/summary.json" | head -n 1 | grep -o '[0-9]*$' || true)
[ -n "$CUST" ] || CUST=$BIG_CUSTOMERS
STAGES=$(tr -d ' \n' < "$OUT/run/summary.json" | sed -n 's/.*"timings_seconds":{\([^}]*\)}.*/\1/p' |
    tr ',' '\n' | awk -F: '{gsub(/"/, "", $1); printf "%s %.2f s, ", $1, $2}' | sed 's/, $//')
awk -v c="$CUST" -v goal="$GOAL_BPC" -v stages="$STAGES" '{
    b = $2 * 1024 / c
    printf "strata run: %.2f s, peak RSS %.0f MB = %.0f bytes per customer (%d customers)\n", $1, $2 / 1024, b, c
    printf "stages: %s\n", stages
    printf "peak RSS per customer: %.0f bytes  (issue 10 asks <= %d: %s)\n", b, goal, (b <= goal ? "met" : "NOT met")
}' "$OUT/big.times"
