#!/bin/sh
# `strata uplift fit / predict` on Hillstrom (../shared/data/hillstrom): every method fitted on a random half
# (visit; spend for the linear models), predicted on the other half and evaluated there with `strata uplift
# eval` (qini_auc printed per method and arm). The wiring is checked against `strata classify` on the arm
# subsets: a tlearner's uplift_<arm> must equal P_arm(x) - P_control(x) of two classify models fitted on those
# rows (1e-9), best_arm / uplift must follow the uplift columns, and the input columns must come through.
# Skips (77) without the data or numpy.
STRATA=$1; SRC=$(cd "$2" && pwd)
DATA="$SRC/../shared/data/hillstrom/hillstrom.csv"
PY=/usr/bin/python3
[ -f "$DATA" ] || { echo "no $DATA: skip"; exit 77; }
[ -x "$PY" ] && "$PY" -c "import numpy" 2>/dev/null || { echo "numpy not available: skip"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
STRATA="$STRATA" DATA="$DATA" "$PY" - <<'PY' || exit 1
import csv, json, os, subprocess, sys
import numpy as np

strata, data = os.environ["STRATA"], os.environ["DATA"]
lines = open(data, newline="").read().splitlines()
head, body = lines[0], lines[1:]
rng = np.random.default_rng(3)
train = rng.random(len(body)) < 0.5
open("train.csv", "w").write("\n".join([head] + [b for b, k in zip(body, train) if k]) + "\n")
open("test.csv", "w").write("\n".join([head] + [b for b, k in zip(body, train) if not k]) + "\n")
ARMS = ("Womens E-Mail", "Mens E-Mail")
bad = []

def run(*args):
    r = subprocess.run([strata] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("strata %s failed: %s" % (" ".join(args), r.stderr))

F = ["--features", "recency,history,mens,womens,newbie", "--categorical", "zip_code,channel"]
for outcome, methods in (("visit", ("tlearner", "slearner", "class-transform", "xlearner")),
                         ("spend", ("tlearner", "slearner", "xlearner"))):
    for m in methods:
        run("uplift", "fit", "train.csv", "--treatment", "segment", "--control", "No E-Mail", "--outcome", outcome,
            *F, "--method", m, "-o", "model.json")
        run("uplift", "predict", "model.json", "test.csv", "-o", "scores.csv")
        rows = list(csv.DictReader(open("scores.csv", newline="")))
        src = list(csv.DictReader(open("test.csv", newline="")))
        if len(rows) != len(src) or any(r["history_segment"] != s["history_segment"] or r["spend"] != s["spend"]
                                        for r, s in zip(rows, src)):
            bad.append("%s %s: input columns not carried through" % (outcome, m))
        for r in rows[:2000]:
            u = [float(r["uplift_" + a]) for a in ARMS]
            k = int(np.argmax(u))
            want = (ARMS[k], u[k]) if u[k] > 0 else ("No E-Mail", 0.0)
            if r["best_arm"] != want[0] or float(r["uplift"]) != want[1]:
                bad.append("%s %s: best_arm %r uplift %r for %r" % (outcome, m, r["best_arm"], r["uplift"], u))
                break
        out = []
        for a in ARMS:
            run("uplift", "eval", "scores.csv", "--treatment", "segment", "--control", "No E-Mail", "--arm", a,
                "--outcome", outcome, "--score", "uplift_" + a, "-o", "e.json")
            out.append("%s %.4f" % (a.split()[0], json.load(open("e.json"))["qini_auc"]))
        print("%-6s %-16s held-out qini_auc: %s" % (outcome, m, ", ".join(out)))
        if m == "tlearner" and outcome == "visit":
            tl = rows

# tlearner == two `strata classify` models on the arm subsets (same C = 1, standardised features)
p = {}
for a in ("No E-Mail",) + ARMS:
    open("sub.csv", "w").write("\n".join([head] + [b for b, k in zip(body, train)
                                                  if k and b.split(",")[-4] == a]) + "\n")
    run("classify", "fit", "sub.csv", "--label", "visit", "--features", "recency,history,mens,womens,newbie",
        "--categorical", "zip_code,channel", "--standardize", "-o", "c.json")
    run("classify", "predict", "c.json", "test.csv", "-o", "c.csv")
    p[a] = np.array([float(r["score"]) for r in csv.DictReader(open("c.csv", newline=""))])
worst = 0.0
for a in ARMS:
    u = np.array([float(r["uplift_" + a]) for r in tl])
    worst = max(worst, float(np.max(np.abs(u - (p[a] - p["No E-Mail"])))))
print("tlearner vs strata classify on the arm subsets: max |difference| %.3g" % worst)
if worst > 1e-9:
    bad.append("tlearner differs from classify by %g" % worst)
if bad:
    print("\n".join(bad[:20]))
    sys.exit("%d problems" % len(bad))
PY
