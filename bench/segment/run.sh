#!/bin/sh
# run.sh -- segment-stage benchmarks against scikit-learn (issue 4), whole processes reading the same CSV:
#   k-means, 1,000,000 x 8, k = 8, 3 k-means++ restarts: strata must be >= 1.5x faster, inertia no worse
#   exact silhouette, 50,000 x 3, 6 labels: strata must be >= 5x faster (same value to 1e-9)
#   SOM vs R kohonen (r-cran-kohonen), 100,000 x 3, 10x10 hex, 20 epochs, online and batch: strata must be
#   >= 5x faster (skipped when Rscript with kohonen is not installed)
# usage: sh bench/segment/run.sh [build/strata]     (RUNS=3 by default; both use 2 threads)
STRATA=${1:-build/strata}
RUNS=${RUNS:-3}
PY=/usr/bin/python3
HERE=$(dirname "$0")
DATA=$HERE/../data
mkdir -p "$DATA"
[ -f "$DATA/km_1m.csv" ] && [ -f "$DATA/sil_50k.csv" ] || "$PY" "$HERE/gen.py" "$DATA" || exit 1
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
t() { /usr/bin/time -f %e -o "$DATA/.t" "$@" > "$DATA/.out" 2>/dev/null; cat "$DATA/.t"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ks=""; kk=""; ss=""; sk=""
F=x0,x1,x2,x3,x4,x5,x6,x7
# The inertia, from an untimed run (--metrics adds silhouette work; results do not depend on it).
"$STRATA" segment "$DATA/km_1m.csv" --method kmeans --features $F --k 8 --n-init 3 --scale none \
  --metrics "$DATA/km.json" -o /dev/null || exit 1
for r in $(seq "$RUNS"); do
  ks="$ks $(t "$STRATA" segment "$DATA/km_1m.csv" --method kmeans --features $F --k 8 \
        --n-init 3 --scale none --threads 2 -o /dev/null)"
  kk="$kk $(t "$PY" "$HERE/sk_kmeans.py" "$DATA/km_1m.csv" 8 3)"; sk_in=$(cat "$DATA/.out")
  ss="$ss $(t "$STRATA" metrics "$DATA/sil_50k.csv" --features x,y,z --labels lab --threads 2 --json)"; st_sil=$(cat "$DATA/.out")
  sk="$sk $(t "$PY" "$HERE/sk_silhouette.py" "$DATA/sil_50k.csv")"; sk_sil=$(cat "$DATA/.out")
done
echo "k-means 1M x 8:  strata $(echo $ks | tr ' ' '\n' | median) s, sklearn $(echo $kk | tr ' ' '\n' | median) s" \
  "ratio $(echo "$(echo $kk | tr ' ' '\n' | median) $(echo $ks | tr ' ' '\n' | median)" | awk '{printf "%.2f", $1/$2}')x (need 1.5x)"
echo "  inertia strata $(sed -n 's/.*"inertia": \([0-9.e+-]*\).*/\1/p' "$DATA/km.json") sklearn $sk_in"
echo "silhouette 50k: strata $(echo $ss | tr ' ' '\n' | median) s, sklearn $(echo $sk | tr ' ' '\n' | median) s" \
  "ratio $(echo "$(echo $sk | tr ' ' '\n' | median) $(echo $ss | tr ' ' '\n' | median)" | awk '{printf "%.2f", $1/$2}')x (need 5x)"
echo "  value strata $st_sil sklearn $sk_sil"
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(kohonen)' >/dev/null 2>&1; then
  # 100,000 customers x (recency_days, orders, revenue), z-scored; 10x10 hex grid, Gaussian neighbourhood,
  # 20 epochs (online, then batch), codebook into 7 segments, every row mapped (apt-get install
  # r-cran-kohonen). strata and kohonen alternate within a round.
  [ -f "$DATA/som_100k.csv" ] || "$PY" "$HERE/gen.py" "$DATA" || exit 1
  for mode in online batch; do
    so=""; ko=""
    for r in $(seq "$RUNS"); do
      so="$so $(t "$STRATA" segment "$DATA/som_100k.csv" --method som --grid 10x10 --epochs 20 --topology hex \
            --train $mode --k 7 --threads 2 -o /dev/null)"
      ko="$ko $(t Rscript "$HERE/kohonen_som.R" "$DATA/som_100k.csv" 10 10 20 7 $mode)"
    done
    echo "SOM 100k, 10x10 hex, 20 $mode epochs: strata $(echo $so | tr ' ' '\n' | median) s, kohonen $(echo $ko | tr ' ' '\n' | median) s" \
      "ratio $(echo "$(echo $ko | tr ' ' '\n' | median) $(echo $so | tr ' ' '\n' | median)" | awk '{printf "%.2f", $1/$2}')x (need 5x)"
  done
else
  echo "SOM vs kohonen: skipped (Rscript with kohonen not installed)"
fi
