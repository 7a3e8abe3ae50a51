#!/bin/sh
# `strata uplift eval` against the numpy port of scikit-uplift 0.5.1's metrics (bench/uplift/sklift_port.py,
# run by /usr/bin/python3) on random data: several sizes, heavy ties in the scores, skewed treatment shares,
# binary and continuous outcomes, k as a fraction and as a count, several bin counts, every curve point, and
# arm-name columns with --control / --arm. Every figure must agree to 1e-9 (relative, absolute below 1).
# Skips (77) without numpy.
STRATA=$1; SRC=$(cd "$2" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c "import numpy" 2>/dev/null || { echo "numpy not available: skip"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
STRATA="$STRATA" PYTHONPATH="$SRC/bench/uplift" "$PY" - <<'PY' || exit 1
import json, math, os, subprocess, sys
import numpy as np
import sklift_port as S

strata = os.environ["STRATA"]
rng = np.random.default_rng(2022)
bad = []
figures = 0
worst = 0.0

def close(name, a, b):
    global figures, worst
    figures += 1
    if b is None or (isinstance(b, float) and math.isnan(b)):
        if a is not None:
            bad.append("%s: strata %r, sklift NaN" % (name, a))
        return
    if a is None:
        bad.append("%s: strata null, sklift %r" % (name, b))
        return
    err = abs(a - b) / max(1.0, abs(b))
    worst = max(worst, err)
    if err > 1e-9:
        bad.append("%s: strata %r sklift %r" % (name, a, b))

def write(path, cols):
    names = list(cols)
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for row in zip(*[cols[c] for c in names]):
            f.write(",".join(v if isinstance(v, str) else repr(float(v)) if isinstance(v, (float, np.floating))
                             else str(v) for v in row) + "\n")

def run(args):
    r = subprocess.run([strata, "uplift", "eval"] + args + ["--curve-points", "0", "-o", "e.json"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("strata uplift eval %s failed: %s" % (args, r.stderr))
    return json.load(open("e.json"))

def compare(tag, e, y, t, s, k, bins):
    ref = S.evaluate(y, t, s, k, bins)
    if e["outcome"] != ref["outcome"]:
        bad.append("%s: outcome %s vs %s" % (tag, e["outcome"], ref["outcome"]))
    close(tag + " qini_auc", e["qini_auc"], ref["qini_auc"])
    close(tag + " uplift_auc", e["uplift_auc"], ref["uplift_auc"])
    for st in ("overall", "by_group"):
        close(tag + " uplift_at_k " + st, e["uplift_at_k"][st], float(ref["uplift_at_k"][st]))
    close(tag + " weighted_average_uplift", e["weighted_average_uplift"], float(ref["weighted_average_uplift"]))
    if len(e["by_percentile"]) != len(ref["by_percentile"]):
        bad.append(tag + " by_percentile length")
    for b, (p, q) in enumerate(zip(e["by_percentile"], ref["by_percentile"])):
        if p["percentile"] != q["percentile"] or p["n_treatment"] != q["n_treatment"] or p["n_control"] != q["n_control"]:
            bad.append("%s bin %d: %r vs %r" % (tag, b, p, q))
        for f in ("response_rate_treatment", "response_rate_control", "uplift"):
            close("%s bin %d %s" % (tag, b, f), p[f], q[f])
    for c in ("qini_curve", "uplift_curve"):
        if len(e[c]) != len(ref[c]):
            bad.append("%s %s: %d points vs %d" % (tag, c, len(e[c]), len(ref[c])))
            continue
        if e["curve_points"] != len(ref[c]):
            bad.append("%s curve_points %d vs %d" % (tag, e["curve_points"], len(ref[c])))
        for i, (p, q) in enumerate(zip(e[c], ref[c])):
            if p[0] != q[0]:
                bad.append("%s %s point %d: x %r vs %r" % (tag, c, i, p[0], q[0]))
            close("%s %s point %d" % (tag, c, i), p[1], q[1])

cases = 0
for n in (12, 57, 400, 3001):
    for kind in ("cont", "ties", "coarse"):
        for outcome in ("binary", "revenue"):
            share = 0.2 + 0.6 * rng.random()
            t = (rng.random(n) < share).astype(int)
            t[0], t[1] = 0, 1
            if kind == "cont":
                s = rng.normal(size=n)
            elif kind == "ties":
                s = np.round(rng.normal(size=n), 1)
            else:
                s = rng.integers(-2, 3, n) / 4.0  # five values, -0.0 included via -0/4
            p = 0.15 + 0.2 * t * (s > np.median(s))
            y = (rng.random(n) < p).astype(int)
            if outcome == "revenue":
                y = np.where(y == 1, np.round(rng.gamma(2.0, 30.0, n), 2), 0.0)
                if kind == "ties":
                    y[rng.random(n) < 0.05] = -5.5  # a few refunds: negative outcomes
            for k, bins in ((0.3, 10), (0.55, 7), (3, 3)):
                if bins >= n or (isinstance(k, int) and min(t.sum(), n - t.sum()) < k):
                    continue
                write("u.csv", {"y": y, "t": t, "s": s})
                e = run(["u.csv", "--treatment", "t", "--outcome", "y", "--score", "s", "--k", repr(k),
                         "--bins", str(bins)])
                compare("%s/%s n=%d k=%r bins=%d" % (kind, outcome, n, k, bins), e, y, t, s, k, bins)
                cases += 1

# Arm-name columns: treated = every arm but the control, or one arm with --arm (other rows left out).
n = 900
arm = rng.choice(["ctl", "mail", "sms"], n)
s = np.round(rng.random(n), 2)
y = (rng.random(n) < 0.1 + 0.1 * (arm != "ctl") * s).astype(int)
write("arms.csv", {"arm": list(arm), "y": y, "s": s})
e = run(["arms.csv", "--treatment", "arm", "--control", "ctl", "--outcome", "y", "--score", "s"])
compare("arms any", e, y, (arm != "ctl").astype(int), s, 0.3, 10)
cases += 1
keep = arm != "sms"
e = run(["arms.csv", "--treatment", "arm", "--control", "ctl", "--arm", "mail", "--outcome", "y", "--score", "s"])
compare("arms mail", e, y[keep], (arm[keep] == "mail").astype(int), s[keep], 0.3, 10)
cases += 1

# The sklift test vectors and the decision anchors' ten rows, through the port itself (guards the port).
assert S.qini_auc_score([0, 1], [0.1, 0.3], [1, 0]) == 1.0
assert S.uplift_auc_score([1, 0], [0.1, 0.3], [0, 1]) == 1.0
print("%d cases, %d figures, worst relative error %.3g" % (cases, figures, worst))
if bad:
    print("\n".join(bad[:40]))
    sys.exit("%d mismatches" % len(bad))
PY
