#!/bin/sh
# ope_numpy.sh -- `strata ope` against numpy on a simulated campaign log (3 named coupons, softmax logging
# probabilities, features): IPW, self-normalised IPW, DM and DR with their standard errors to 1e-12 relative
# for a deterministic and a stochastic target and a reward model given as q_ columns; the per-action
# regressions of --features against numpy least squares (and ridge with --categorical and --C) to 1e-9.
# usage: sh ope_numpy.sh STRATA_BIN SOURCE_DIR   (exit 77 = skipped: numpy missing)
STRATA=$1
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import numpy' 2>/dev/null || { echo "skipped: numpy is missing"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$PY" - "$STRATA" "$tmp" <<'PYEOF'
import csv, json, subprocess, sys
import numpy as np

strata, tmp = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(13)
n, acts = 3000, ["none", "c5", "c10"]
A = len(acts)
x1, x2 = rng.normal(size=n), rng.uniform(0, 2, size=n)
seg = rng.choice(["a", "b", "c"], size=n)
segv = np.array([{"a": 0.0, "b": 0.3, "c": -0.2}[s] for s in seg])
logits = np.stack([0.2 * x1, 0.5 - 0.3 * x2, -0.5 + 0.4 * x1 * x2], axis=1)
mu = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
a = np.array([rng.choice(A, p=p) for p in mu])
prop = mu[np.arange(n), a]
mean = np.stack([1 + 0.5 * x1 + segv, 1.2 + 0.3 * x2 + segv, 1.1 + 0.2 * x1 - 0.1 * x2 + segv], axis=1)
r = mean[np.arange(n), a] + rng.normal(scale=0.5, size=n)
pol = np.argmax(mean + rng.normal(scale=0.3, size=(n, A)), axis=1)
z = rng.normal(size=(n, A)); pi = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
q = mean + 0.1 * rng.normal(size=(n, A))
path = tmp + "/log.csv"
with open(path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["customer", "x1", "x2", "seg", "action", "propensity", "reward", "policy"]
               + ["pi_" + s for s in acts] + ["q_" + s for s in acts])
    for i in range(n):
        w.writerow(["c%d" % i, repr(x1[i]), repr(x2[i]), seg[i], acts[a[i]], repr(prop[i]), repr(r[i]), acts[pol[i]]]
                   + [repr(v) for v in pi[i]] + [repr(v) for v in q[i]])

def run(*args):
    res = subprocess.run([strata, "ope", path, "--action", "action", "--propensity", "propensity", "--reward",
                          "reward", *args, "-o", "-"], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit("strata ope failed: " + res.stderr)
    return json.loads(res.stdout)

def expect(P, Q):
    wt = P[np.arange(n), a] / prop
    out = {"logged": (r.mean(), r.std(ddof=1) / np.sqrt(n)),
           "ipw": ((wt * r).mean(), (wt * r).std(ddof=1) / np.sqrt(n))}
    v = (wt * r).sum() / wt.sum()
    out["snipw"] = (v, np.sqrt((wt ** 2 * (r - v) ** 2).sum()) / wt.sum())
    if Q is not None:
        dm = (P * Q).sum(axis=1)
        dr = dm + wt * (r - Q[np.arange(n), a])
        out["dm"] = (dm.mean(), dm.std(ddof=1) / np.sqrt(n))
        out["dr"] = (dr.mean(), dr.std(ddof=1) / np.sqrt(n))
    diag = {"mean_weight": wt.mean(), "max_weight": wt.max(), "effective_sample_size": wt.sum() ** 2 / (wt ** 2).sum(),
            "support": (wt > 0).mean()}
    return out, diag

def fit(X, alpha):
    Q = np.zeros((n, A))
    for k in range(A):
        m = a == k
        Xk, yk = X[m], r[m]
        xm, ym = Xk.mean(axis=0), yk.mean()
        Xc = Xk - xm
        beta = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ (yk - ym))
        Q[:, k] = ym + (X - xm) @ beta
    return Q

fail = 0
onehot = np.stack([(seg == s).astype(float) for s in ["a", "b", "c"]], axis=1)
X1 = np.stack([x1, x2], axis=1)
cases = [("deterministic, q columns", ["--policy", "policy", "--model", "q_"], np.eye(A)[pol], q, 1e-12),
         ("stochastic, q columns", ["--policy-prob", "pi_", "--model", "q_"], pi, q, 1e-12),
         ("deterministic, no model", ["--policy", "policy"], np.eye(A)[pol], None, 1e-12),
         ("deterministic, OLS on x1,x2", ["--policy", "policy", "--features", "x1,x2"], np.eye(A)[pol],
          fit(X1, 0.0), 1e-9),
         ("stochastic, ridge C=2 with seg", ["--policy-prob", "pi_", "--features", "x1,x2", "--categorical", "seg",
          "--C", "2"], pi, fit(np.hstack([X1, onehot]), 0.5), 1e-9)]
for name, args, P, Q, tol in cases:
    got = run(*args)
    want, diag = expect(P, Q)
    worst = 0.0
    if sorted(got["estimates"]) != sorted(want):
        print("%s: estimators %s, expected %s" % (name, sorted(got["estimates"]), sorted(want))); fail = 1; continue
    for k, (v, se) in want.items():
        g = got["estimates"][k]
        worst = max(worst, abs(g["value"] - v) / max(1, abs(v)), abs(g["se"] - se) / max(1e-300, abs(se)))
        if abs(g["ci95"][0] - (v - 1.959963984540054 * se)) > 1e-9: fail = 1; print(name, k, "ci95")
    for k, v in diag.items():
        worst = max(worst, abs(got["diagnostics"][k] - v) / max(1, abs(v)))
    ok = worst <= tol
    fail |= not ok
    print("%-32s max relative error %.3g %s" % (name, worst, "ok" if ok else "FAILED (tol %g)" % tol))
assert got["actions"] == acts, got["actions"]
sys.exit(fail)
PYEOF
