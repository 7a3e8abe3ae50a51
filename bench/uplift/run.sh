#!/bin/sh
# run.sh -- `strata uplift eval` vs the same metrics computed the scikit-uplift way (issue 11): whole
# processes reading the same CSV of ROWS rows (default 10,000,000; y, t, score with ties), strata must be
# >= 10x faster. The peer is bench/uplift/sklift_eval.py: pandas read_csv, then each figure by its sklift
# 0.5.1 function (the numpy port bench/uplift/sklift_port.py). Also prints both qini_auc / uplift_auc.
# usage: sh bench/uplift/run.sh [build/strata]     (RUNS=3 by default; taking turns)
STRATA=${1:-build/strata}
RUNS=${RUNS:-3}
ROWS=${ROWS:-10000000}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/../data
mkdir -p "$DATA"
CSV=$DATA/uplift_$ROWS.csv
[ -f "$CSV" ] || "$PY" "$HERE/gen.py" "$DATA" "$ROWS" || exit 1
t() { /usr/bin/time -f "%e %M" -o "$DATA/.t" "$@" > /dev/null 2>"$DATA/.err" || { cat "$DATA/.err"; exit 1; }; cat "$DATA/.t"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
st=""; py=""; stm=""; pym=""
for r in $(seq "$RUNS"); do
  set -- $(t "$STRATA" uplift eval "$CSV" --treatment t --outcome y --score score -o "$DATA/uplift_strata.json")
  st="$st $1"; stm="$stm $2"
  set -- $(t env PYTHONPATH="$HERE" "$PY" "$HERE/sklift_eval.py" "$CSV" "$DATA/uplift_sklift.json")
  py="$py $1"; pym="$pym $2"
done
ms=$(echo $st | tr ' ' '\n' | median); mp=$(echo $py | tr ' ' '\n' | median)
echo "uplift eval, $ROWS rows: strata $ms s (runs:$st; peak $(echo $stm | tr ' ' '\n' | median) KB)," \
  "sklift-style numpy $mp s (runs:$py; peak $(echo $pym | tr ' ' '\n' | median) KB)"
echo "ratio $(echo "$mp $ms" | awk '{printf "%.1f", $1/$2}')x (need 10x)"
"$PY" - "$DATA/uplift_strata.json" "$DATA/uplift_sklift.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("qini_auc", "uplift_auc", "weighted_average_uplift"):
    print("  %-24s strata %.17g  sklift %.17g" % (k, a[k], b[k]))
for k in ("overall", "by_group"):
    print("  uplift_at_k %-12s strata %.17g  sklift %.17g" % (k, a["uplift_at_k"][k], b["uplift_at_k"][k]))
PY
