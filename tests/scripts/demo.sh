#!/bin/sh
# `strata demo` runs the whole chain on the shipped data set: customers.csv has one row per customer and
# summary.json is valid JSON whose counts agree with it and with the data set's README (2,000 customers).
STRATA=$1; SRC=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
"$STRATA" demo -o out > stdout 2> stderr || { cat stderr; exit 1; }
grep -q "Outputs are in out/" stdout || { cat stdout; exit 1; }
[ -f out/customers.csv ] && [ -f out/summary.json ] || { echo "missing outputs"; ls out; exit 1; }
rows=$(($(wc -l < out/customers.csv) - 1))
[ "$rows" = 2000 ] || { echo "customers.csv has $rows rows, expected 2000"; exit 1; }
head -1 out/customers.csv | grep -q '^customer_id,frequency,recency,T,monetary_value,' || { head -1 out/customers.csv; exit 1; }
for c in count_view count_fav count_cart count_purchase days_since_view; do
  head -1 out/customers.csv | grep -q "$c" || { echo "no $c column"; exit 1; }
done
if command -v python3 >/dev/null; then
  python3 - <<'PY' || exit 1
import json
s = json.load(open('out/summary.json'))
assert s['customers'] == 2000, s['customers']
assert s['input']['rows'] == s['input']['rows_used'] > 0
assert s['input']['first_date'] == '2024-01-01', s['input']
assert 'summarize' in s['timings_seconds'] and s['timings_seconds']['total'] >= 0
assert isinstance(s['stages'], dict)
PY
fi
# a second run into the same directory replaces the outputs
"$STRATA" demo -o out > /dev/null 2>&1 || exit 1
ls out | grep -q tmp && { echo "temporary files left behind"; exit 1; }
echo "1 passed, 0 failed"
