#!/usr/bin/python3
"""check.py -- checks that strata, DuckDB and pandas compute the same customer table, customer by customer.
Usage: /usr/bin/python3 bench/ingest/check.py STRATA_BIN [EVENTS.csv]
       /usr/bin/python3 bench/ingest/check.py --compare STRATA.csv DUCKDB.csv PANDAS.csv
Without EVENTS.csv it writes a small log with the awkward cases (same-day purchases, customers who only
browse, rows out of order, one purchase only) in the simulator's format and checks on that."""
import csv
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def write_sample(path, customers=300, seed=7):
    rng = random.Random(seed)
    rows = []
    for c in range(customers):
        cid = "c%04d" % c if c % 7 else "C,%d" % c if c % 49 == 0 else "cust-%d" % c
        start = rng.randrange(0, 200)
        kind = c % 5
        nbuy = 0 if kind == 0 else 1 if kind == 1 else rng.randrange(2, 9)
        for _ in range(rng.randrange(0, 6)):
            rows.append((cid, start + rng.randrange(0, 120), rng.choice(["view", "fav", "cart"]), ""))
        day = start
        for k in range(nbuy):
            day += 0 if (k and rng.random() < 0.2) else rng.randrange(0, 30)  # some same-day repeats
            amt = round(rng.uniform(1, 200), 2)
            rows.append((cid, day, "purchase", "%.2f" % amt))
            if rng.random() < 0.5:
                rows.append((cid, day, "cart", ""))
    rng.shuffle(rows)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "date", "event", "amount"])
        for cid, d, ev, amt in rows:
            secs = rng.randrange(0, 86400)
            ts = "%s %02d:%02d:%02d" % (day_to_iso(d), secs // 3600, secs // 60 % 60, secs % 60)
            w.writerow([cid, ts, ev, amt])


def day_to_iso(d):
    import datetime
    return (datetime.date(2024, 1, 1) + datetime.timedelta(days=d)).isoformat()


def load(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        return header, {row[0]: dict(zip(header, row)) for row in r}


def same(a, b):
    if a == b:
        return True
    if a == "" or b == "":
        return a in ("", "nan", "NaN") and b in ("", "nan", "NaN")
    try:
        x, y = float(a), float(b)
    except ValueError:
        return a[:10] == b[:10] and len(a) >= 10  # dates, with or without a time part
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)


def compare(outs):
    ref_header, ref = load(outs["strata"])
    bad = 0
    for name in [n for n in ("duckdb", "pandas") if n in outs]:
        header, got = load(outs[name])
        missing = [c for c in ref_header[1:] if c not in header]
        if missing:
            print("%s: missing columns %s" % (name, missing))
            bad += 1
        if set(got) != set(ref):
            print("%s: customers differ: %d only in strata, %d only in %s" %
                  (name, len(set(ref) - set(got)), len(set(got) - set(ref)), name))
            bad += 1
        diffs = 0
        for cid, row in ref.items():
            other = got.get(cid)
            if other is None:
                continue
            for col in ref_header[1:]:
                if col in other and not same(row[col], other[col]):
                    diffs += 1
                    if diffs <= 10:
                        print("%s: customer %s column %s: strata %r, %s %r" % (name, cid, col, row[col], name, other[col]))
        if diffs:
            print("%s: %d differing values" % (name, diffs))
            bad += 1
        else:
            print("%s: %d customers x %d columns agree with strata" % (name, len(ref), len(ref_header) - 1))
    return bad


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--compare":
        if len(sys.argv) != 5:
            sys.exit(__doc__)
        sys.exit(1 if compare(dict(zip(("strata", "duckdb", "pandas"), sys.argv[2:5]))) else 0)
    strata = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="strata_check_")
    try:
        events = sys.argv[2] if len(sys.argv) > 2 else os.path.join(tmp, "events.csv")
        if len(sys.argv) <= 2:
            write_sample(events)
        outs = {name: os.path.join(tmp, name + ".csv") for name in ("strata", "duckdb", "pandas")}
        cmds = {
            "strata": [strata, "summarize", "--event", "event", events, "-o", outs["strata"]],
            "duckdb": ["node", os.path.join(HERE, "duckdb_summarize.mjs"), events, outs["duckdb"], "2"],
            "pandas": ["/usr/bin/python3", os.path.join(HERE, "pandas_summarize.py"), events, outs["pandas"]],
        }
        if not (shutil.which("node") and os.path.isdir(os.path.join(HERE, "..", "node_modules", "@duckdb"))):
            print("duckdb: skipped (needs node and `npm install --prefix bench`)")
            del cmds["duckdb"], outs["duckdb"]
        for name, cmd in cmds.items():
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sys.exit(1 if compare(outs) else 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
