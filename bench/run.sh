#!/bin/sh
# Runs every benchmark against its peers, in data-flow order, and prints each one's ratios.
#   sh bench/run.sh [STRATA_BIN] [ingest value segment mdp]
# Each benchmark documents itself (bench/<name>/run.sh) and skips a peer that is not installed
# (scripts/deps.sh --bench installs them; DuckDB: npm install --prefix bench).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STRATA=${1:-$ROOT/build/strata}
[ $# -gt 0 ] && shift
WHICH=${*:-ingest value segment mdp}
status=0
for b in $WHICH; do
  echo "=== bench/$b"
  sh "$ROOT/bench/$b/run.sh" "$STRATA" || { echo "bench/$b failed"; status=1; }
done
exit $status
