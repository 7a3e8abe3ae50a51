#!/bin/sh
# run.sh -- `strata ope` on a simulated campaign log of N rows (4 actions, deterministic target, q_ reward
# model) against pandas.read_csv + the numpy formulas (ope_pandas.py). Whole process: read, estimate, write.
# Prints the median wall and CPU time of each over RUNS, the ratio, and checks the estimates agree.
#
# usage: sh bench/ope/run.sh [STRATA_BIN]     env: N (1000000), RUNS (3), DATA_DIR (bench/data)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STRATA=${1:-${STRATA:-$ROOT/build/strata}}
N=${N:-1000000}
RUNS=${RUNS:-3}
DATA_DIR=${DATA_DIR:-$ROOT/bench/data}
PY=/usr/bin/python3
TIME=/usr/bin/time

die() { echo "run.sh: $*" >&2; exit 1; }
[ -x "$STRATA" ] || die "no strata binary at $STRATA (build it, or pass its path)"
[ -x "$TIME" ] || die "$TIME is missing (apt-get install time)"
"$PY" -c 'import pandas' 2>/dev/null || die "pandas is missing for $PY (apt-get install python3-pandas)"

mkdir -p "$DATA_DIR"
LOG=$DATA_DIR/ope_log_$N.csv
[ -s "$LOG" ] || { echo "generating $LOG ..."; "$PY" "$HERE/gen_log.py" "$N" "$LOG"; }
cat "$LOG" > /dev/null
echo "log: $N rows, $(($(wc -c < "$LOG") / 1048576)) MB"

OUT=$(mktemp -d "${TMPDIR:-/tmp}/strata_ope_bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT INT TERM

measure() {
    i=0
    : > "$OUT/times"
    while [ $i -lt "$RUNS" ]; do
        "$TIME" -f "%e %M %U %S" -o "$OUT/t" "$@" >/dev/null 2>"$OUT/err" || { cat "$OUT/err" >&2; die "failed: $*"; }
        cat "$OUT/t" >> "$OUT/times"
        i=$((i + 1))
    done
    w=$(sort -n "$OUT/times" | awk '{t[NR]=$1; if ($2>m) m=$2} END {print t[int((NR+1)/2)], m}')
    c=$(awk '{print $3 + $4}' "$OUT/times" | sort -n | awk '{t[NR]=$1} END {print t[int((NR+1)/2)]}')
    echo "$w $c"
}

S=$(measure "$STRATA" ope "$LOG" --action action --propensity propensity --reward reward --policy policy \
    --model q_ -o "$OUT/strata.json")
P=$(measure "$PY" "$HERE/ope_pandas.py" "$LOG" "$OUT/pandas.json")
echo "strata ope        : $(echo "$S" | awk '{printf "%.2f s wall, %.2f s CPU, %.0f MB peak RSS", $1, $3, $2/1024}')"
echo "pandas + numpy    : $(echo "$P" | awk '{printf "%.2f s wall, %.2f s CPU, %.0f MB peak RSS", $1, $3, $2/1024}')"
echo "$S $P" | awk '{printf "speed-up: %.1fx wall, %.1fx CPU\n", $4/$1, $6/$3}'
"$PY" - "$OUT/strata.json" "$OUT/pandas.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(f))["estimates"] for f in sys.argv[1:3])
err = max(abs(a[k][f] - b[k][f]) / max(1e-300, abs(b[k][f])) for k in b for f in ("value", "se"))
print("estimates agree: max relative difference %.2g" % err)
sys.exit(0 if err < 1e-9 else 1)
PYEOF
