#!/bin/sh
# `strata evaluate` against scikit-learn 1.2 (/usr/bin/python3) on random data: several sizes, heavy ties in
# the scores, scores exactly at the threshold, and multi-class predictions with a class that is never predicted
# and one that is only predicted. Every figure must agree to 1e-9 relative. Skips (77) without scikit-learn.
STRATA=$1; SRC=$2
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c "import sklearn, numpy" 2>/dev/null || { echo "scikit-learn not available: skip"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
STRATA="$STRATA" "$PY" - <<'PY' || exit 1
import json, math, os, subprocess, sys
import numpy as np
from sklearn import metrics as M

strata = os.environ["STRATA"]
rng = np.random.default_rng(11)
bad = []

def close(name, a, b):
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        ok = (a is None) and (b is None or math.isnan(b))
    else:
        ok = abs(a - b) <= 1e-9 * max(1.0, abs(b))
    if not ok:
        bad.append("%s: strata %r sklearn %r" % (name, a, b))

def run(args):
    r = subprocess.run([strata, "evaluate"] + args + ["-o", "e.json"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("strata evaluate %s failed: %s" % (args, r.stderr))
    return json.load(open("e.json"))

def write(cols):
    names = list(cols)
    with open("s.csv", "w") as f:
        f.write(",".join(names) + "\n")
        for row in zip(*[cols[c] for c in names]):
            f.write(",".join(repr(float(v)) if isinstance(v, (float, np.floating)) else str(v) for v in row) + "\n")

cases = 0
for n in (7, 50, 333, 2000):
    for kind in ("cont", "ties", "grid"):
        y = (rng.random(n) < 0.3 + 0.4 * rng.random()).astype(int)
        if y.sum() == 0: y[0] = 1
        if y.sum() == n: y[0] = 0
        if kind == "cont":
            s = np.clip(0.35 * y + 0.65 * rng.random(n), 0, 1)
        elif kind == "ties":
            s = np.round(rng.random(n) * 0.6 + 0.4 * y, 1)
        else:
            s = rng.integers(0, 5, n) / 4.0  # 0, .25, .5, .75, 1: scores exactly at the 0.5 threshold
        for thr in (0.5, 0.25):
            write({"y": y, "s": s})
            e = run(["s.csv", "--label", "y", "--score", "s", "--threshold", repr(thr)])
            p = (s >= thr).astype(int)
            tag = "%s n=%d thr=%g" % (kind, n, thr)
            close(tag + " roc_auc", e["roc_auc"], M.roc_auc_score(y, s))
            close(tag + " average_precision", e["average_precision"], M.average_precision_score(y, s))
            close(tag + " brier", e["brier"], M.brier_score_loss(y, s))
            close(tag + " log_loss", e["log_loss"], M.log_loss(y, s))
            close(tag + " precision", e["precision"], M.precision_score(y, p, zero_division=0))
            close(tag + " recall", e["recall"], M.recall_score(y, p, zero_division=0))
            close(tag + " f1", e["f1"], M.f1_score(y, p, zero_division=0))
            close(tag + " balanced_accuracy", e["balanced_accuracy"], M.balanced_accuracy_score(y, p))
            close(tag + " accuracy", e["accuracy"], M.accuracy_score(y, p))
            order = np.argsort(-s, kind="stable")
            for i in range(1, 11):
                k = -(-i * n // 10)
                close(tag + " gain[%d]" % (i - 1), e["gain"][i - 1], y[order[:k]].sum() / y.sum())
            edges = np.arange(10) / 10.0
            b = np.array([max(j for j in range(10) if v >= edges[j]) for v in s])
            for j in range(10):
                r = e["reliability"][j]
                m = b == j
                if r["count"] != int(m.sum()):
                    bad.append("%s bin %d count %r vs %d" % (tag, j, r["count"], m.sum()))
                if m.sum():
                    close(tag + " bin %d mean" % j, r["mean_score"], float(s[m].mean()))
                    close(tag + " bin %d rate" % j, r["positive_rate"], float(y[m].mean()))
            cases += 1

for n in (9, 120, 1500):
    k = 4
    yt = rng.choice(["ant", "bee", "cat", "dog"][:k - 1], n)        # "dog" never true
    yp = np.where(rng.random(n) < 0.6, yt, rng.choice(["ant", "bee", "cat", "dog"], n))
    yp[yp == "cat"] = np.where(rng.random((yp == "cat").sum()) < 0.5, "cat", "dog")
    write({"t": yt, "p": yp})
    e = run(["s.csv", "--label", "t", "--pred", "p"])
    tag = "multi n=%d" % n
    close(tag + " accuracy", e["accuracy"], M.accuracy_score(yt, yp))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(tag + " balanced_accuracy", e["balanced_accuracy"], M.balanced_accuracy_score(yt, yp))
        close(tag + " weighted_f1", e["weighted_f1"], M.f1_score(yt, yp, average="weighted"))
        close(tag + " macro_f1", e["macro_f1"], M.f1_score(yt, yp, average="macro"))
        labels = sorted(set(yt) | set(yp))
        pr, rc, f1, sup = M.precision_recall_fscore_support(yt, yp, labels=labels)
    if sorted(e["per_class"]) != labels:
        bad.append(tag + " classes %r vs %r" % (sorted(e["per_class"]), labels))
    for i, c in enumerate(labels):
        pc = e["per_class"].get(c, {})
        close(tag + " %s precision" % c, pc.get("precision"), float(pr[i]))
        close(tag + " %s recall" % c, pc.get("recall"), float(rc[i]))
        close(tag + " %s f1" % c, pc.get("f1"), float(f1[i]))
        if pc.get("support") != int(sup[i]):
            bad.append(tag + " %s support" % c)
    cases += 1

if bad:
    print("\n".join(bad[:40]))
    sys.exit("%d mismatches" % len(bad))
print("evaluate_sklearn: %d cases agree with scikit-learn to 1e-9" % cases)
PY
