#!/bin/sh
# Parameter recovery (issue 3): simulate 50,000 customers with known BG/NBD + Gamma-Gamma parameters,
# summarize with a calibration split, fit; every parameter within 10% of the truth and the predicted
# holdout purchases within 5% of the actual total.
STRATA=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
STRATA_PROGRESS=0; export STRATA_PROGRESS
"$STRATA" simulate --customers 50000 --seed 7 --r 0.75 --alpha 4 --a 0.8 --b 2.5 --p 6 --q 4 --gamma 15 \
  -o sim.csv 2>/dev/null || { echo "simulate failed"; exit 1; }
"$STRATA" summarize sim.csv --unit week --calibration-end 2024-09-30 --observation-end 2024-12-29 \
  -o sum.csv || { echo "summarize failed"; exit 1; }
"$STRATA" fit bgnbd sum.csv --unit week -o bg.json >/dev/null || { echo "fit bgnbd failed"; exit 1; }
"$STRATA" fit gg sum.csv -o gg.json >/dev/null || { echo "fit gg failed"; exit 1; }
fail=0
# The first occurrence of each name in MODEL.json is in "params".
check() { # file name truth
  v=$(awk -v k="\"$2\":" '$1 == k { gsub(",", "", $2); print $2; exit }' "$1")
  if ! awk -v v="$v" -v t="$3" 'BEGIN { d = (v - t) / t; if (d < 0) d = -d; exit !(v != "" && d <= 0.10) }'; then
    echo "$1 $2 = $v, truth $3: off by more than 10%"; fail=1
  else
    echo "$1 $2 = $v (truth $3)"
  fi
}
check bg.json r 0.75; check bg.json alpha 4; check bg.json a 0.8; check bg.json b 2.5
check gg.json p 6; check gg.json q 4; check gg.json gamma 15
H=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "duration_holdout") c = i; next } { print $c; exit }' sum.csv)
"$STRATA" predict bg.json sum.csv --horizon "$H" -o pred.csv || { echo "predict failed"; exit 1; }
paste -d, sum.csv pred.csv | awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "frequency_holdout") f = i; if ($i == "expected_purchases") e = i }; next }
  { a += $f; p += $e }
  END { r = p / a; printf "holdout purchases: actual %.0f, predicted %.1f (ratio %.4f)\n", a, p, r; exit !(r > 0.95 && r < 1.05) }' || fail=1
exit $fail
