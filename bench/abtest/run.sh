#!/bin/sh
# A/B test analysis benchmark (issue 11, section 1): `strata abtest` on ROWS (default 10,000,000) generated
# rows (bench/abtest/gen.py, seed 1), a binary and a continuous metric, against pandas + statsmodels on the
# same file (bench/abtest/statsmodels_ab.py). Goal: strata under 1 second. Prints the median of RUNS
# (default 5) rounds, each round running both, and the ratio statsmodels / strata.
# Usage: sh bench/abtest/run.sh [STRATA_BIN]
STRATA=${1:-build/strata}
N=${ROWS:-10000000}
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../data"
mkdir -p "$data"
f="$data/abtest_$N.csv"
[ -f "$f" ] || /usr/bin/python3 "$here/gen.py" "$N" "$f" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: > "$tmp/rounds"
i=0
while [ $i -lt "${RUNS:-5}" ]; do
  i=$((i + 1))
  /usr/bin/time -f '%e' -o "$tmp/t" "$STRATA" abtest "$f" --arm arm --control control --metrics converted,revenue \
    -o "$tmp/ab.json" || exit 1
  s=$(cat "$tmp/t")
  p=$(/usr/bin/python3 "$here/statsmodels_ab.py" "$f") || exit 1
  echo "$s $p" >> "$tmp/rounds"
done
s=$(awk '{ print $1 }' "$tmp/rounds" | median)
p=$(awk '{ print $2 }' "$tmp/rounds" | median)
echo "rows: $N; rounds (strata s, statsmodels s):"; cat "$tmp/rounds"
echo "strata abtest: $s s (goal < 1 s); pandas + statsmodels: $p s; ratio $(awk -v a="$p" -v b="$s" 'BEGIN { printf "%.1f", a / b }')x"
