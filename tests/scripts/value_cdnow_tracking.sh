#!/bin/sh
# CDNOW end to end (issue 3): summarize the 1/10 sample with a calibration split, fit BG/NBD, and check the
# parameters, the calibration-vs-holdout table and the weekly tracking curve against the published
# numbers (BTYD vignette / lifetimes tests: weeks 20-25). Skipped without ../shared/data.
STRATA=$1
SRC=$2
D="$SRC/../shared/data/cdnow"
[ -f "$D/cdnow_sample.csv" ] || { echo "skipped: no $D/cdnow_sample.csv"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
STRATA_PROGRESS=0; export STRATA_PROGRESS
"$STRATA" summarize "$D/cdnow_sample.csv" --time-format %Y%m%d --unit week --calibration-end 1997-09-30 \
  --observation-end 1998-06-30 -o "$tmp/sum.csv" 2>/dev/null || { echo "summarize failed"; exit 1; }
"$STRATA" fit bgnbd "$tmp/sum.csv" --unit week -o "$tmp/bg.json" >/dev/null || { echo "fit failed"; exit 1; }
"$STRATA" validate "$tmp/bg.json" "$tmp/sum.csv" -o "$tmp/cal.csv" --tracking "$tmp/track.csv" \
  --events "$D/cdnow_sample.csv" --time-format %Y%m%d || { echo "validate failed"; exit 1; }
fail=0
v=$(awk '$1 == "\"r\":" { gsub(",", "", $2); print $2; exit }' "$tmp/bg.json")
awk -v v="$v" 'BEGIN { exit !(v > 0.2425 && v < 0.2427) }' || { echo "r = $v, expected 0.2426"; fail=1; }
# calibration-vs-holdout: 2,357 customers in the groups, 1,882 holdout purchases in total
awk -F, 'NR > 1 { n += $2; a += $2 * $3 } END { if (n != 2357 || a < 1881.5 || a > 1882.5) { print "cal/holdout: " n " customers, " a " purchases"; exit 1 } }' "$tmp/cal.csv" || fail=1
awk -F, '
  BEGIN { split("1359 1414 1484 1517 1573 1672", ac, " "); split("73 55 70 33 56 99", ai, " ");
          split("76.86531 74.88843 73.04554 71.32166 69.70412 68.18213", ei, " ") }
  NR > 1 && $1 >= 20 && $1 <= 25 { k = $1 - 19;
    if ($2 != ac[k] || $4 != ai[k]) { print "week " $1 ": actual " $2 "/" $4 ", expected " ac[k] "/" ai[k]; bad = 1 }
    d = $5 - ei[k]; if (d < 0) d = -d; if (d > 0.001) { print "week " $1 ": expected incremental " $5 " vs " ei[k]; bad = 1 } }
  END { exit bad }' "$tmp/track.csv" || fail=1
[ $fail = 0 ] && echo "CDNOW BG/NBD: r $v; calibration/holdout and tracking weeks 20-25 match"
exit $fail
