#!/bin/sh
# segment_taobao.sh -- MB-RFM + SOM against classic RFM + SOM on the Taobao UserBehavior sample (815 users,
# pv/fav/cart/buy, no amounts): summarize with behaviours, `strata profile --compare --json`, and every
# `strata segment` method on the customer table. Skips (77) when ../shared/data/taobao is absent.
# usage: sh segment_taobao.sh STRATA_BIN SOURCE_DIR
STRATA=$1
DATA="$2/../shared/data/taobao/user_behavior.csv"
[ -f "$DATA" ] || exit 77
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# The sample's last line is cut short: skip it.
"$STRATA" summarize "$DATA" --no-header --columns customer_id,item,category,event,date --time-format unix \
    --event event --purchase buy --on-error skip -o "$T/cust.csv" 2>/dev/null || fail summarize
"$STRATA" profile "$T/cust.csv" --compare --json > "$T/cmp.json" 2>"$T/err" || fail "profile --compare"
grep -q '"MB-RFM+SOM": {"customers": 559,' "$T/cmp.json" || fail "MB-RFM customers: $(cat "$T/cmp.json")"
grep -q '"RFM+SOM": {"customers": 559,' "$T/cmp.json" || fail "RFM customers"
grep -q 'M = orders' "$T/err" || fail "no-money note missing"
# Same seed, same bytes.
"$STRATA" profile "$T/cust.csv" --compare --json > "$T/cmp2.json" 2>/dev/null || fail "second compare"
cmp -s "$T/cmp.json" "$T/cmp2.json" || fail "compare is not deterministic"
for m in rfm rfm8 kmeans som; do
    "$STRATA" segment "$T/cust.csv" --method $m --metrics "$T/$m.json" -o "$T/$m.csv" || fail "segment $m"
    [ "$(wc -l < "$T/$m.csv")" -eq 816 ] || fail "segment $m: expected 815 rows"
    grep -q '"silhouette": [0-9-]' "$T/$m.json" || fail "segment $m: no silhouette"
done
# Customers who only browsed have no recency_days: "No purchase".
[ "$(grep -c ',No purchase' "$T/som.csv")" -eq 256 ] || fail "No purchase count $(grep -c ',No purchase' "$T/som.csv")"
"$STRATA" profile "$T/cust.csv" --segments "$T/som.csv" --segment segment > "$T/prof.csv" || fail profile
grep -q '^No purchase,256,' "$T/prof.csv" || fail "profile of No purchase"
exit 0
