#!/bin/sh
# `strata mdp build` reads events with the input options of `strata summarize`: on the CDNOW master log
# (--time-format %Y%m%d) and on Online Retail (--customer CustomerID --time InvoiceDate --quantity Quantity
# --price UnitPrice, rows without a customer skipped) it must give the same MDP.json as a build from a
# converted copy with ISO dates and an amount column; .gz and standard input give the same bytes too.
STRATA=$1; SRC=$2
DATA="$SRC/../shared/data"
[ -f "$DATA/cdnow/cdnow_master.csv" ] && [ -f "$DATA/online_retail/online_retail.csv" ] || { echo "skipped: $DATA is absent"; exit 77; }
PY=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/actions.json" <<'JSON'
{"actions": [{"name": "none", "cost": 0}, {"name": "email", "cost": 0.1, "reward_multiplier": 1.03, "churn_multiplier": 0.95}],
 "churn_states": ["churned"]}
JSON
fail=0
same() { if cmp -s "$1" "$2"; then echo "$3: same MDP"; else echo "$3: MDP differs"; diff "$1" "$2" | head -5; fail=1; fi; }

# CDNOW master: YYYYMMDD dates
"$STRATA" mdp build "$DATA/cdnow/cdnow_master.csv" --time-format %Y%m%d --actions "$tmp/actions.json" \
  -o "$tmp/cdnow_fmt.json" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
awk -F, 'NR == 1 { print; next } { $2 = substr($2, 1, 4) "-" substr($2, 5, 2) "-" substr($2, 7, 2); print }' OFS=, \
  "$DATA/cdnow/cdnow_master.csv" > "$tmp/cdnow_iso.csv"
"$STRATA" mdp build "$tmp/cdnow_iso.csv" --actions "$tmp/actions.json" -o "$tmp/cdnow_iso.json" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
same "$tmp/cdnow_fmt.json" "$tmp/cdnow_iso.json" "CDNOW %Y%m%d vs ISO"
gzip -c "$DATA/cdnow/cdnow_master.csv" > "$tmp/cdnow.csv.gz"
gzip -dc "$tmp/cdnow.csv.gz" | "$STRATA" mdp build - --time-format %Y%m%d --actions "$tmp/actions.json" \
  -o "$tmp/cdnow_stdin.json" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
same "$tmp/cdnow_fmt.json" "$tmp/cdnow_stdin.json" "CDNOW from standard input"
"$STRATA" mdp build "$tmp/cdnow.csv.gz" --time-format %Y%m%d --actions "$tmp/actions.json" \
  -o "$tmp/cdnow_gz.json" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
same "$tmp/cdnow_fmt.json" "$tmp/cdnow_gz.json" "CDNOW .gz"

# Online Retail: amount = Quantity x UnitPrice, customer in CustomerID, rows without one skipped
"$STRATA" mdp build "$DATA/online_retail/online_retail.csv" --customer CustomerID --time InvoiceDate \
  --quantity Quantity --price UnitPrice --on-error skip --actions "$tmp/actions.json" \
  -o "$tmp/or_opts.json" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
$PY - "$DATA/online_retail/online_retail.csv" "$tmp/or_conv.csv" <<'PYEOF' || exit 1
import csv, sys
with open(sys.argv[1], newline='', encoding='utf-8', errors='replace') as f, open(sys.argv[2], 'w', newline='') as g:
    r = csv.DictReader(f)
    w = csv.writer(g, lineterminator='\n')
    w.writerow(['customer_id', 'date', 'amount'])
    for row in r:
        if not row['CustomerID'].strip():
            continue
        w.writerow([row['CustomerID'], row['InvoiceDate'], repr(float(row['Quantity']) * float(row['UnitPrice']))])
PYEOF
"$STRATA" mdp build "$tmp/or_conv.csv" --actions "$tmp/actions.json" -o "$tmp/or_conv.json" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
same "$tmp/or_opts.json" "$tmp/or_conv.json" "Online Retail options vs converted copy"
exit $fail
