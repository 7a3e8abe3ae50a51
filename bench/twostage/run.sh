#!/bin/sh
# run.sh -- the two-stage model's stage-1 network (D inputs -> 16 ReLU -> 3 softmax classes, balanced class
# weights, Adam lr 1e-3, batch 256) trained for E epochs on N rows x D features: `strata classify fit --model
# mlp --timing` (fit seconds: the standardised design matrix in one float64 allocation plus the epochs;
# reading the CSV excluded) against PyTorch (bench/twostage/stage1_torch.py, 2 threads, float32 and
# float64; its training loop only). Both read the same CSV (3 planted classes, 1 : 1.5 : 3.5 shares).
# Prints the median seconds of RUNS runs, the ratios and both final epoch losses.
#
# usage: sh bench/twostage/run.sh [BUILD_DIR]
#   env: N (1000000), D (20), E (5), B (256), RUNS (3), THREADS (2)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${1:-$ROOT/build}
N=${N:-1000000}; D=${D:-20}; E=${E:-5}; B=${B:-256}; RUNS=${RUNS:-3}; THREADS=${THREADS:-2}
PY=/usr/bin/python3
STRATA=$BUILD/strata

die() { echo "run.sh: $*" >&2; exit 1; }
[ -x "$STRATA" ] || die "no $STRATA (build the project first)"
"$PY" -c 'import torch, numpy' 2>/dev/null || die "torch is missing for $PY (apt-get install python3-torch)"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/strata_twostage_bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT INT TERM

"$PY" - "$OUT/data.csv" "$N" "$D" <<'PY'
import sys
import numpy as np
path, N, D = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(3)
X = rng.normal(size=(N, D)) * (1 + np.arange(D) % 3) + np.arange(D) % 5
z = X - X.mean(axis=0)
a = z @ (np.where(np.arange(D) % 2 == 1, 1.0, -1.0) / (np.arange(D) + 1))
b = z @ (np.where(np.arange(D) < D // 2, 1.0, -1.0) / D)
y = np.where(a + 0.5 * rng.normal(size=N) > 0.4, 2, np.where(b + 0.3 * rng.normal(size=N) > 0.2, 1, 0))
np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt=["%.6g"] * D + ["%d"],
           header=",".join(["f%d" % k for k in range(D)] + ["y"]), comments="")
PY
FEAT=$(seq -s, 0 $((D - 1)) | sed 's/\([0-9][0-9]*\)/f\1/g')

# median of RUNS runs of "$@"; each prints "seconds loss"
median() {
    : > "$OUT/t"
    i=0
    while [ $i -lt "$RUNS" ]; do
        "$@" >> "$OUT/t" || die "failed: $*"
        i=$((i + 1))
    done
    sort -n "$OUT/t" | awk '{t[NR]=$0} END {print t[int((NR+1)/2)]}'
}
strata_fit() {
    "$STRATA" classify fit "$OUT/data.csv" --model mlp --label y --features "$FEAT" --hidden 16 --epochs "$E" \
        --batch "$B" --class-weight balanced --seed 1 --threads "$THREADS" --timing -o "$OUT/m.json" 2>&1 >/dev/null |
        awk '{print $7, $11}'
}

echo "stage-1 network $D-16-3 (ReLU, softmax, balanced class weights), $N rows, batch $B, Adam; $E epochs; median of $RUNS runs"
S=$(median strata_fit)
T32=$(median "$PY" "$HERE/stage1_torch.py" "$OUT/data.csv" "$E" "$B" float32 "$THREADS")
T64=$(median "$PY" "$HERE/stage1_torch.py" "$OUT/data.csv" "$E" "$B" float64 "$THREADS")
echo "strata (float64, fit incl. design)  : $(echo "$S" | awk '{printf "%s s, final loss %.6f", $1, $2}')"
echo "torch  (float32, $THREADS threads, loop) : $(echo "$T32" | awk '{printf "%s s, final loss %.6f", $1, $2}')"
echo "torch  (float64, $THREADS threads, loop) : $(echo "$T64" | awk '{printf "%s s, final loss %.6f", $1, $2}')"
echo "$S $T32 $T64" | awk '{printf "speed-up: %.1fx against torch float32, %.1fx against torch float64\n", $3/$1, $6/$1}'
