#!/bin/sh
# Reference data: the Taobao sample has no header, Unix-second times and four behaviours (pv, fav, cart,
# buy). With --columns/--no-header, --time-format unix and --event/--purchase buy, the per-behaviour counts
# per customer and in total must match an independent count, and purchase days must match `orders`.
# The sample was cut by bytes, so its last line is a truncated row: fatal by default (with its position),
# skipped and counted with --on-error skip.
STRATA=$1; SRC=$2
DATA="$SRC/../shared/data/taobao/user_behavior.csv"
[ -f "$DATA" ] || { echo "skipped: $DATA is absent"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
OPTS="--no-header --columns user_id,item_id,category_id,behavior,timestamp --customer user_id --time timestamp --time-format unix --event behavior --purchase buy"
if "$STRATA" summarize "$DATA" $OPTS -o "$tmp/out.csv" 2>"$tmp/err"; then echo "expected a failure"; exit 1; fi
grep -q "user_behavior.csv:84476:5: wrong field count: expected 5 fields, found 4" "$tmp/err" || { cat "$tmp/err"; exit 1; }
"$STRATA" summarize "$DATA" $OPTS --on-error skip -o "$tmp/out.csv" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
grep -q "skipped 1 bad row: 1 wrong field count" "$tmp/err" || { cat "$tmp/err"; exit 1; }
python3 - "$DATA" "$tmp/out.csv" <<'PY'
import csv, sys, collections
counts = collections.defaultdict(collections.Counter)
buydays = collections.defaultdict(set)
with open(sys.argv[1], newline='') as f:
    for rec in csv.reader(f):
        if len(rec) != 5:
            continue
        uid, item, cat, beh, ts = rec
        counts[uid][beh] += 1
        if beh == 'buy':
            buydays[uid].add(int(ts) // 86400)
bad = 0
totals = collections.Counter()
with open(sys.argv[2], newline='') as f:
    rows = list(csv.DictReader(f))
if len(rows) != len(counts):
    print("customers:", len(rows), "vs", len(counts)); bad = 1
for row in rows:
    uid = row['user_id']
    for b in ('pv', 'fav', 'cart', 'buy'):
        n = int(float(row['count_' + b]))
        totals[b] += n
        if n != counts[uid][b]:
            print(uid, b, n, "vs", counts[uid][b]); bad = 1
        if (n == 0) != (row['days_since_' + b] == ''):
            print(uid, b, "days_since present iff count > 0 violated"); bad = 1
    if int(float(row['orders'])) != len(buydays[uid]):
        print(uid, "orders", row['orders'], "vs", len(buydays[uid])); bad = 1
    if row['revenue'] != '0':
        print(uid, "revenue should be 0 without a money column"); bad = 1
want = collections.Counter()
for c in counts.values(): want.update(c)
print(len(rows), "customers;", dict(totals), "(independent:", dict(want), ")")
sys.exit(bad or totals != want)
PY
[ $? = 0 ] || exit 1
echo "1 passed, 0 failed"
