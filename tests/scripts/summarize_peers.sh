#!/bin/sh
# summarize_peers.sh -- cross-checks `strata summarize --event` against independent computations of the same
# customer table: pandas, and DuckDB SQL when `npm install --prefix bench` has been run (bench/ingest/).
# The log is small and hand-made: same-day purchases, browse-only customers, rows out of order.
STRATA=$1
SRC=$2
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import pandas' 2>/dev/null || exit 77
exec /usr/bin/python3 "$SRC/bench/ingest/check.py" "$STRATA"
