#!/bin/sh
# run.sh -- the learn stage's network training against PyTorch: the same shapes (N rows x D features, 3
# planted classes, a D-H-H-3 ReLU network, softmax cross-entropy, Adam lr 1e-3, batch B), E timed epochs
# after a warm-up epoch, both single-threaded and in float64 (torch in float32 too, for reference).
# bench/learn/mlp_train.c is built against the static library; bench/learn/mlp_torch.py is the peer.
# Prints the median seconds per epoch of RUNS runs of each and the ratios.
#
# usage: sh bench/learn/run.sh [BUILD_DIR]
#   env: N (100000), D (32), H (64), E (3), B (256), RUNS (3)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${1:-$ROOT/build}
N=${N:-100000}; D=${D:-32}; H=${H:-64}; E=${E:-3}; B=${B:-256}; RUNS=${RUNS:-3}
PY=/usr/bin/python3

die() { echo "run.sh: $*" >&2; exit 1; }
[ -f "$BUILD/libstrata.a" ] || die "no $BUILD/libstrata.a (build the project first)"
"$PY" -c 'import torch, numpy' 2>/dev/null || die "torch is missing for $PY (apt-get install python3-torch)"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/strata_mlp_bench.XXXXXX")
trap 'rm -rf "$OUT"' EXIT INT TERM
cc -O2 -I"$ROOT/include" "$HERE/mlp_train.c" "$BUILD/libstrata.a" -lm -lz -lpthread -o "$OUT/mlp_train"

# median of RUNS runs of "$@": the first field of their output (seconds per epoch)
median() {
    : > "$OUT/t"
    i=0
    while [ $i -lt "$RUNS" ]; do
        "$@" > "$OUT/o" || die "failed: $*"
        cut -d' ' -f1 "$OUT/o" >> "$OUT/t"
        i=$((i + 1))
    done
    sort -n "$OUT/t" | awk '{t[NR]=$1} END {print t[int((NR+1)/2)]}'
}

echo "network $D-$H-$H-3 (ReLU, softmax), $N rows, batch $B, Adam; $E epochs per run, median of $RUNS runs"
S=$(median "$OUT/mlp_train" "$N" "$D" "$H" "$E" "$B")
T64=$(median "$PY" "$HERE/mlp_torch.py" "$N" "$D" "$H" "$E" "$B" float64 1)
T32=$(median "$PY" "$HERE/mlp_torch.py" "$N" "$D" "$H" "$E" "$B" float32 1)
echo "strata (float64, 1 thread) : $S s/epoch"
echo "torch  (float64, 1 thread) : $T64 s/epoch"
echo "torch  (float32, 1 thread) : $T32 s/epoch"
echo "$S $T64 $T32" | awk '{printf "speed-up: %.1fx against torch float64, %.1fx against torch float32\n", $2/$1, $3/$1}'
