#!/bin/sh
# Reference data: UCI Online Retail. Amount = Quantity * UnitPrice; rows without CustomerID are bad rows
# (fatal by default, skipped and counted with --on-error skip); cancellations (negative amounts) are counted,
# not purchases. The customer count and total revenue must match an independent computation (Python's csv
# module), and 1 and 2 threads must give the same bytes.
STRATA=$1; SRC=$2
DATA="$SRC/../shared/data/online_retail/online_retail.csv"
[ -f "$DATA" ] || { echo "skipped: $DATA is absent"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
OPTS="--customer CustomerID --time InvoiceDate --quantity Quantity --price UnitPrice"
# default: the first row without a customer id is fatal, with its position
if "$STRATA" summarize "$DATA" $OPTS -o "$tmp/fail.csv" 2>"$tmp/err"; then echo "expected a failure"; exit 1; fi
grep -q "online_retail.csv:624:7: missing customer id in column 'CustomerID'" "$tmp/err" || { cat "$tmp/err"; exit 1; }
[ -e "$tmp/fail.csv" ] && { echo "output written despite the failure"; exit 1; }
"$STRATA" summarize "$DATA" $OPTS --on-error skip --threads 1 -o "$tmp/t1.csv" 2>"$tmp/err1" || { cat "$tmp/err1"; exit 1; }
"$STRATA" summarize "$DATA" $OPTS --on-error skip --threads 2 -o "$tmp/t2.csv" 2>"$tmp/err2" || { cat "$tmp/err2"; exit 1; }
cmp "$tmp/t1.csv" "$tmp/t2.csv" || { echo "1 and 2 threads differ"; exit 1; }
cmp "$tmp/err1" "$tmp/err2" || { echo "1 and 2 threads report differently"; exit 1; }
grep -q "skipped 135080 bad rows: 135080 missing customer id" "$tmp/err1" || { cat "$tmp/err1"; exit 1; }
grep -q "8905 purchase rows with a negative amount" "$tmp/err1" || { cat "$tmp/err1"; exit 1; }
python3 - "$DATA" "$tmp/t1.csv" <<'PY'
import csv, sys
from decimal import Decimal
cust, revenue, neg = set(), Decimal(0), 0
with open(sys.argv[1], newline='') as f:
    for row in csv.DictReader(f):
        if not row['CustomerID']:
            continue
        amount = Decimal(row['Quantity']) * Decimal(row['UnitPrice'])
        if amount < 0:
            neg += 1
            continue
        cust.add(row['CustomerID'])
        revenue += amount
ours = {}
total = 0.0
with open(sys.argv[2], newline='') as f:
    for row in csv.DictReader(f):
        ours[row['CustomerID']] = row
        total += float(row['revenue'])
bad = 0
if set(ours) != cust:
    print("customers differ:", len(ours), "vs", len(cust)); bad = 1
if abs(total - float(revenue)) > 1e-6 * float(revenue):
    print("revenue differs:", total, "vs", revenue); bad = 1
if neg != 8905:
    print("independent count of negative rows:", neg); bad = 1
print(len(ours), "customers, revenue", round(total, 2), "(independent:", revenue, ")")
sys.exit(bad)
PY
[ $? = 0 ] || exit 1
echo "1 passed, 0 failed"
