#!/bin/sh
# run.sh -- issue 5's MDP benchmark: `strata mdp solve --method value` against a Python script that loads
# the same MDP.json and iterates with scipy.sparse (vi_scipy.py: same span rule, same evaluation bound),
# on a sparse model of 20,000 states x 8 actions x 10 non-zeros per row. Whole process: read, solve,
# write. Prints the median wall time and peak RSS of each, the ratio, and checks the policies agree.
#
# usage: sh bench/mdp/run.sh [STRATA_BIN]
#   env: STATES (20000), ACTIONS (8), NNZ (10), GAMMA (0.95), RUNS (3), DATA_DIR (bench/data)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STRATA=${1:-${STRATA:-$ROOT/build/strata}}
STATES=${STATES:-20000}
ACTIONS=${ACTIONS:-8}
NNZ=${NNZ:-10}
GAMMA=${GAMMA:-0.95}
RUNS=${RUNS:-3}
DATA_DIR=${DATA_DIR:-$ROOT/bench/data}
PY=/usr/bin/python3
TIME=/usr/bin/time

die() { echo "run.sh: $*" >&2; exit 1; }
[ -x "$STRATA" ] || die "no strata binary at $STRATA (build it, or pass its path)"
[ -x "$TIME" ] || die "$TIME is missing (apt-get install time)"
"$PY" -c 'import scipy.sparse' 2>/dev/null || die "scipy is missing for $PY (apt-get install python3-scipy)"

mkdir -p "$DATA_DIR"
MDP=$DATA_DIR/mdp_${STATES}x${ACTIONS}x${NNZ}.json
if [ ! -s "$MDP" ]; then
    echo "generating $MDP ..."
    "$PY" "$HERE/gen_mdp.py" "$STATES" "$ACTIONS" "$NNZ" 1 "$MDP"
fi
cat "$MDP" > /dev/null # the page cache holds the file for both contenders alike
echo "model: $STATES states x $ACTIONS actions x $NNZ non-zeros per row, $(($(wc -c < "$MDP") / 1048576)) MB; gamma $GAMMA"

OUT=$(mktemp -d "${TMPDIR:-/tmp}/strata_mdp_bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT INT TERM

# Runs "$@" RUNS times; prints "median_wall_seconds max_rss_kb median_cpu_seconds" (CPU = user + system,
# the fairer number on a shared machine).
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

S=$(measure "$STRATA" mdp solve "$MDP" --discount "$GAMMA" --method value -o "$OUT/strata.json")
P=$(measure "$PY" "$HERE/vi_scipy.py" "$MDP" "$GAMMA" "$OUT/scipy.json")
echo "strata mdp solve : $(echo "$S" | awk '{printf "%.2f s wall, %.2f s CPU, %.0f MB peak RSS", $1, $3, $2/1024}')"
echo "python + scipy   : $(echo "$P" | awk '{printf "%.2f s wall, %.2f s CPU, %.0f MB peak RSS", $1, $3, $2/1024}')"
echo "$S $P" | awk '{printf "speed-up: %.1fx wall, %.1fx CPU (the issue asks for at least 5x)\n", $4/$1, $6/$3}'
"$PY" - "$OUT/strata.json" "$OUT/scipy.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
diff = sum(x != y for x, y in zip(a["policy"], b["policy"]))
err = max(abs(x - y) / max(1.0, abs(y)) for x, y in zip(a["values"], b["values"]))
print("policies differ in %d states; max relative value difference %.2g" % (diff, err))
PYEOF
