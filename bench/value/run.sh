#!/bin/sh
# BTYD fitting benchmark (issue 3): BG/NBD and Pareto/NBD on the summary of CUSTOMERS simulated customers
# with daily timestamps, `strata fit` against a scipy implementation of the same likelihoods run the way
# lifetimes runs them (bench/value/scipy_fit.py); then `strata predict` for every customer.
# Usage: sh bench/value/run.sh [STRATA_BIN]
#   env CUSTOMERS (default 1000000); RUNS rounds for BG/NBD (default 5) and PNBD_RUNS for Pareto/NBD (default
#   1: the scipy fit takes minutes). strata and scipy alternate within a round; the ratio printed is the
#   median of the per-round ratios (the machine is noisy), with every round shown.
STRATA=${1:-build/strata}
N=${CUSTOMERS:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../data"
mkdir -p "$data"
ev="$data/value_events_$N.csv"
sum="$data/value_summary_$N.csv"
[ -f "$ev" ] || "$STRATA" simulate --customers "$N" --seed 1 -o "$ev" || exit 1
[ -f "$sum" ] || "$STRATA" summarize "$ev" -o "$sum" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
secs() { /usr/bin/time -f '%e' -o "$tmp/t" "$@" > "$tmp/out" 2>"$tmp/err"; cat "$tmp/t"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "customers: $N"
for m in bgnbd pnbd; do
  runs=${RUNS:-5}
  [ $m = pnbd ] && runs=${PNBD_RUNS:-1}
  : > "$tmp/rounds"
  i=0
  while [ $i -lt "$runs" ]; do
    i=$((i + 1))
    s=$(secs "$STRATA" fit $m "$sum" --timing -o "$tmp/$m.json")
    fs=$(awk '/fit time/ { print $(NF-1) }' "$tmp/err")
    p=$(/usr/bin/python3 "$here/scipy_fit.py" "$sum" $m)
    ps=$(echo "$p" | awk '{ print $2 }')
    echo "$fs $s $ps $(awk -v a="$ps" -v b="$fs" 'BEGIN { printf "%.1f", a / b }')" >> "$tmp/rounds"
  done
  rows=$(awk '/"unique_rows"/ { gsub(",", "", $2); print $2 }' "$tmp/$m.json")
  fs=$(awk '{ print $1 }' "$tmp/rounds" | median)
  s=$(awk '{ print $2 }' "$tmp/rounds" | median)
  ps=$(awk '{ print $3 }' "$tmp/rounds" | median)
  r=$(awk '{ print $4 }' "$tmp/rounds" | median)
  echo "$m ($runs rounds, medians): strata fit ${fs}s (whole command with CSV reading ${s}s; unique rows $rows), scipy fit ${ps}s"
  echo "  ratio scipy/strata: fit ${r}x (rounds: $(awk '{ printf "%s ", $4 }' "$tmp/rounds")), whole command $(awk -v a="$ps" -v b="$s" 'BEGIN { printf "%.1f", a / b }')x"
  echo "  strata: $(grep -A4 '^param' "$tmp/out" | tail -4 | awk '{ printf "%s %s  ", $1, $2 }')"
  echo "  scipy:  $p"
done
s=$(secs "$STRATA" predict "$tmp/bgnbd.json" "$sum" --horizon 364 -o "$tmp/pred.csv")
echo "predict (bgnbd, $N customers, CSV in and out): ${s}s"
