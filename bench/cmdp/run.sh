#!/bin/sh
# run.sh -- the constrained-MDP optimum: st_mdp_solve_constrained (dense two-phase simplex) against scipy's
# HiGHS on the same occupancy-measure LP (sparse), random MDPs of SIZES states x A actions x K successors,
# budget at half the free optimum's spend. Solve time only (median of RUNS), value and shadow price compared.
# usage: sh bench/cmdp/run.sh        env: SIZES ("50 100 200 400"), A (4), K (5), RUNS (5)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZES=${SIZES:-"50 100 200 400"}
A=${A:-4}
K=${K:-5}
RUNS=${RUNS:-5}
PY=/usr/bin/python3
[ -f "$ROOT/build/libstrata.a" ] || { echo "run.sh: build the library first (build/libstrata.a)" >&2; exit 1; }
"$PY" -c 'import scipy.optimize' 2>/dev/null || { echo "run.sh: scipy is missing for $PY" >&2; exit 1; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/strata_cmdp_bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT INT TERM
cc -O2 -I"$ROOT/include" "$HERE/cmdp_bench.c" "$ROOT/build/libstrata.a" -lm -lz -lpthread -o "$OUT/bench"
printf '%-7s %-12s %-12s %-8s %-12s %s\n' states strata_s highs_s ratio value_diff lambda_diff
for S in $SIZES; do
    set -- $("$OUT/bench" "$S" "$A" "$K" "$RUNS" "$OUT/model.txt")
    ts=$1 vs=$2 ls=$3
    set -- $("$PY" "$HERE/cmdp_highs.py" "$OUT/model.txt" "$RUNS")
    echo "$S $ts $1 $vs $2 $ls $3" | awk '{d=$4-$5; if (d<0) d=-d; e=$6-$7; if (e<0) e=-e;
        printf "%-7s %-12.4f %-12.4f %-8.2f %-12.2g %.2g\n", $1, $2, $3, $3/$2, d/($5<0?-$5:$5), e/($7<0?-$7:$7)}'
done
