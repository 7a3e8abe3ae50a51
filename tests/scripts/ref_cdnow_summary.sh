#!/bin/sh
# Reference data: the CDNOW sample summarized with lifetimes' conventions must reproduce the published
# summary (frequency exact, recency and T within 0.005 weeks) for all 2,357 customers, with 2,457
# calibration and 1,882 holdout repeat purchases. Also: 1 thread and 2 threads give identical bytes.
STRATA=$1; SRC=$2
DATA="$SRC/../shared/data/cdnow"
[ -f "$DATA/cdnow_sample.csv" ] || { echo "skipped: $DATA is absent"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$STRATA" summarize "$DATA/cdnow_sample.csv" --time-format %Y%m%d --unit week \
  --calibration-end 1997-09-30 --observation-end 1998-06-30 -o "$tmp/out.csv" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
awk -F, '
  NR == FNR { if (FNR > 1) { f[$1] = $2; r[$1] = $3; t[$1] = $4; n++ } next }
  FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  {
    id = $c["customer_id"]; seen++
    if (!(id in f)) { print "unexpected customer " id; bad++; next }
    if ($c["frequency"] != f[id]) { print "customer " id ": frequency " $c["frequency"] " != " f[id]; bad++ }
    dr = $c["recency"] - r[id]; if (dr < 0) dr = -dr
    dt = $c["T"] - t[id]; if (dt < 0) dt = -dt
    if (dr > 0.005 || dt > 0.005) { print "customer " id ": recency/T " $c["recency"] "/" $c["T"] " vs " r[id] "/" t[id]; bad++ }
    cal += $c["frequency"]; hold += $c["frequency_holdout"]; if ($c["frequency"] > 0) rep++
  }
  END {
    if (seen != 2357 || n != 2357) { print "customers: " seen " (expected 2357, reference " n ")"; bad++ }
    if (cal != 2457) { print "calibration repeat purchases " cal " != 2457"; bad++ }
    if (hold != 1882) { print "holdout repeat purchases " hold " != 1882"; bad++ }
    if (rep != 946) { print "customers with repeat purchases " rep " != 946"; bad++ }
    print seen " customers, " cal " calibration and " hold " holdout repeat purchases, " rep " repeaters"
    exit bad ? 1 : 0
  }' "$DATA/cdnow_customers_summary.csv" "$tmp/out.csv" || exit 1
# threads must not change a byte
"$STRATA" summarize "$DATA/cdnow_master.csv" --time-format %Y%m%d --threads 1 -o "$tmp/m1.csv" 2>/dev/null || exit 1
"$STRATA" summarize "$DATA/cdnow_master.csv" --time-format %Y%m%d --threads 2 -o "$tmp/m2.csv" 2>/dev/null || exit 1
cmp "$tmp/m1.csv" "$tmp/m2.csv" || { echo "1 and 2 threads differ"; exit 1; }
echo "1 passed, 0 failed"
