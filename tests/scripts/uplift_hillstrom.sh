#!/bin/sh
# Hillstrom (../shared/data/hillstrom: 64,000 customers, three arms): `strata uplift eval` against the numpy
# port of scikit-uplift (bench/uplift/sklift_port.py) for one arm against control and for any e-mail against
# control, binary (visit, conversion) and continuous (spend) outcomes, scores with heavy ties (history,
# recency); `strata uplift policy` against the arm figures of the data's README and a direct numpy IPW
# computation. Skips (77) without the data or numpy.
STRATA=$1; SRC=$(cd "$2" && pwd)
DATA="$SRC/../shared/data/hillstrom/hillstrom.csv"
PY=/usr/bin/python3
[ -f "$DATA" ] || { echo "no $DATA: skip"; exit 77; }
[ -x "$PY" ] && "$PY" -c "import numpy" 2>/dev/null || { echo "numpy not available: skip"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
STRATA="$STRATA" DATA="$DATA" PYTHONPATH="$SRC/bench/uplift" "$PY" - <<'PY' || exit 1
import csv, json, math, os, subprocess, sys
import numpy as np
import sklift_port as S

strata, data = os.environ["STRATA"], os.environ["DATA"]
rows = list(csv.DictReader(open(data, newline="")))
assert len(rows) == 64000, len(rows)
col = lambda k: np.array([float(r[k]) for r in rows])
seg = np.array([r["segment"] for r in rows])
bad, figures, worst = [], 0, 0.0

def close(name, a, b, tol=1e-9):
    global figures, worst
    figures += 1
    b = float(b)
    if math.isnan(b):
        if a is not None:
            bad.append("%s: %r vs NaN" % (name, a))
        return
    err = abs(a - b) / max(1.0, abs(b)) if a is not None else float("inf")
    worst = max(worst, err)
    if err > tol:
        bad.append("%s: strata %r, reference %r" % (name, a, b))

def run(args):
    r = subprocess.run([strata, "uplift"] + args + ["-o", "o.json"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("strata uplift %s failed: %s" % (args, r.stderr))
    return json.load(open("o.json"))

# eval: one arm vs control, any e-mail vs control
for outcome, score, arm in (("visit", "history", "Womens E-Mail"), ("conversion", "recency", "Mens E-Mail"),
                            ("spend", "history", None), ("visit", "recency", None)):
    args = ["eval", data, "--treatment", "segment", "--control", "No E-Mail", "--outcome", outcome,
            "--score", score, "--curve-points", "0"]
    keep = np.ones(len(rows), bool)
    if arm:
        args += ["--arm", arm]
        keep = (seg == arm) | (seg == "No E-Mail")
    e = run(args)
    y, t, s = col(outcome)[keep], (seg[keep] != "No E-Mail").astype(int), col(score)[keep]
    ref = S.evaluate(y, t, s)
    tag = "%s~%s %s" % (outcome, score, arm or "any")
    for k in ("qini_auc", "uplift_auc", "weighted_average_uplift"):
        close(tag + " " + k, e[k], ref[k])
    for k in ("overall", "by_group"):
        close(tag + " uplift_at_k " + k, e["uplift_at_k"][k], ref["uplift_at_k"][k])
    for b, (p, q) in enumerate(zip(e["by_percentile"], ref["by_percentile"])):
        close("%s bin %d" % (tag, b), p["uplift"], q["uplift"])
    for c in ("qini_curve", "uplift_curve"):
        if len(e[c]) != len(ref[c]):
            bad.append("%s %s length" % (tag, c))
        for p, q in zip(e[c], ref[c]):
            close("%s %s" % (tag, c), p[1], q[1])
    print("%-40s n=%d qini_auc=%.6f uplift_auc=%.6f" % (tag, e["n"], e["qini_auc"], e["uplift_auc"]))

# policy: mens buyers get the Mens e-mail, womens buyers the Womens one, the rest nothing
mens, womens = col("mens"), col("womens")
pol = np.where(mens == 1, "Mens E-Mail", np.where(womens == 1, "Womens E-Mail", "No E-Mail"))
with open("p.csv", "w") as f:
    f.write("segment,spend,visit,policy\n")
    for r, p in zip(rows, pol):
        f.write("%s,%s,%s,%s\n" % (r["segment"], r["spend"], r["visit"], p))
readme = {"Mens E-Mail": (21307, 3894, 30311.69), "Womens E-Mail": (21387, 3238, 23038.11),
          "No E-Mail": (21306, 2262, 13908.33)}
for outcome in ("spend", "visit"):
    e = run(["policy", "p.csv", "--treatment", "segment", "--control", "No E-Mail", "--outcome", outcome,
             "--policy", "policy"])
    y = col(outcome)
    n = len(y)
    share = {a: (seg == a).mean() for a in readme}
    for a in e["arms"]:
        cnt, visits, spend = readme[a["name"]]
        if a["n"] != cnt:
            bad.append("arm %s n %d" % (a["name"], a["n"]))
        close("policy %s arm %s value" % (outcome, a["name"]), a["value"],
              (spend if outcome == "spend" else visits) / cnt, 1e-12)
    z = {a: np.where(seg == a, y / share[a], 0.0) for a in readme}
    zp = np.where(seg == pol, y / np.array([share[a] for a in seg]), 0.0)
    close("policy %s value" % outcome, e["policy"]["value"], zp.mean(), 1e-12)
    close("policy %s se" % outcome, e["policy"]["se"], zp.std(ddof=1) / math.sqrt(n), 1e-10)
    for v in e["vs"]:
        d = zp - z[v["arm"]]
        close("policy %s vs %s" % (outcome, v["arm"]), v["diff"], d.mean(), 1e-12)
        close("policy %s vs %s se" % (outcome, v["arm"]), v["se"], d.std(ddof=1) / math.sqrt(n), 1e-10)
    print("policy %-6s value %.6f (se %.6f), vs all-control %+.6f (se %.6f)" % (
        outcome, e["policy"]["value"], e["policy"]["se"], e["vs"][0]["diff"], e["vs"][0]["se"]))
print("%d figures, worst relative difference %.3g" % (figures, worst))
if bad:
    print("\n".join(bad[:30]))
    sys.exit("%d mismatches" % len(bad))
PY
