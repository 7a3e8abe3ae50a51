#!/bin/sh
# run.sh -- `strata classify fit` against scikit-learn's LogisticRegression (lbfgs, default tol, C = 1) on
# 1,000,000 rows x 20 numeric features (bench/classify/gen.py, deterministic), whole processes reading the
# same CSV: strata must be >= 5x faster (median over RUNS of the per-round ratio). Also prints the fit-only
# seconds of both (strata's from --timing, scikit-learn's around .fit()) and how far lbfgs's coefficients
# are from strata's Newton optimum.
# usage: sh bench/classify/run.sh [build/strata]     (RUNS=3 by default; both may use 2 threads)
STRATA=${1:-build/strata}
RUNS=${RUNS:-3}
PY=/usr/bin/python3
HERE=$(dirname "$0")
DATA=$HERE/../data
mkdir -p "$DATA"
CSV=$DATA/logit_1m.csv
[ -f "$CSV" ] || "$PY" "$HERE/gen.py" "$DATA" || exit 1
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
F=$(seq -s, -f x%g 0 19)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
st=""; sk=""; stf=""; skf=""; ratios=""; ratiof=""
for r in $(seq "$RUNS"); do
  /usr/bin/time -f %e -o "$DATA/.t" "$STRATA" classify fit "$CSV" --label y --features "$F" --threads 2 --timing \
    -o "$DATA/classify_model.json" 2> "$DATA/.err" || { cat "$DATA/.err"; exit 1; }
  a=$(cat "$DATA/.t"); af=$(sed -n 's/.*fit \([0-9.]*\) s.*/\1/p' "$DATA/.err")
  /usr/bin/time -f %e -o "$DATA/.t" "$PY" "$HERE/sk_logreg.py" "$CSV" y > "$DATA/.sk" || exit 1
  b=$(cat "$DATA/.t"); bf=$(cut -d' ' -f1 "$DATA/.sk")
  st="$st $a"; sk="$sk $b"; stf="$stf $af"; skf="$skf $bf"
  ratios="$ratios $(echo "$b $a" | awk '{printf "%.3f", $1/$2}')"
  ratiof="$ratiof $(echo "$bf $af" | awk '{printf "%.3f", $1/$2}')"
done
m() { echo "$1" | tr ' ' '\n' | grep . | median; }
echo "classify fit 1M x 20 (read + fit): strata $(m "$st") s, sklearn $(m "$sk") s," \
  "ratio $(m "$ratios")x (need 5x)"
echo "  fit only: strata $(m "$stf") s, sklearn lbfgs $(m "$skf") s ($(cut -d' ' -f2 "$DATA/.sk") iterations)," \
  "ratio $(m "$ratiof")x"
"$PY" - "$DATA/classify_model.json" "$DATA/.sk" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
ours = [m["intercept"]] + [c["value"] for c in m["coefficients"]]
sk = [float(v) for v in open(sys.argv[2]).read().split()[2:]]
err = max(abs(a - b) / max(abs(a), 1e-3) for a, b in zip(ours, sk))
print("  strata: %d Newton steps, max |gradient| %.2g; lbfgs coefficients off by up to %.2g relative"
      % (m["iterations"], m["gradient_max"], err))
PY
