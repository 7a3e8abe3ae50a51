#!/bin/sh
# mdp_numpy_oracle.sh -- `strata mdp solve` against an independent numpy implementation on random MDPs
# (dense and sparse MDP.json; 6, 60 and 900 states, so both the dense LU and the Gauss-Seidel evaluation
# run): V* by policy iteration with numpy.linalg.solve, backward induction by direct recursion.
# usage: sh mdp_numpy_oracle.sh STRATA_BIN SOURCE_DIR   (exit 77 = skipped: numpy missing)
STRATA=$1
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import numpy' 2>/dev/null || { echo "skipped: numpy is missing"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$PY" - "$STRATA" "$tmp" <<'PYEOF'
import json, subprocess, sys
import numpy as np

strata, tmp = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(5)
fail = 0

def run(*args):
    r = subprocess.run([strata, "mdp", "solve", *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("strata failed: %s" % r.stderr)
    return json.loads(r.stdout)

def exact(P, R, g):
    A, S, _ = P.shape
    pol = np.argmax(R, axis=1)
    while True:
        Pp = P[pol, np.arange(S)]
        V = np.linalg.solve(np.eye(S) - g * Pp, R[np.arange(S), pol])
        Q = R.T + g * np.einsum("asj,j->as", P, V)
        new = np.where(Q.max(axis=0) > Q[pol, np.arange(S)] + 1e-9 * (1 + np.abs(Q.max(axis=0))),
                       Q.argmax(axis=0), pol)
        if (new == pol).all():
            return V
        pol = new

for S, A, k, sparse in [(6, 3, 6, False), (60, 4, 5, True), (900, 3, 4, True)]:
    P = np.zeros((A, S, S))
    for a in range(A):
        for s in range(S):
            nxt = rng.choice(S, size=min(k, S), replace=False)
            w = rng.random(len(nxt)) + 0.05
            P[a, s, nxt] = w / w.sum()
    R = rng.uniform(-3, 10, size=(S, A))
    doc = {"states": ["s%d" % s for s in range(S)], "actions": [{"name": "a%d" % a, "cost": a} for a in range(A)],
           "R": R.tolist()}
    if sparse:
        doc["P"] = [[a, s, int(j), float(P[a, s, j])] for a in range(A) for s in range(S) for j in np.nonzero(P[a, s])[0]]
    else:
        doc["P"] = P.tolist()
    path = "%s/m%d.json" % (tmp, S)
    json.dump(doc, open(path, "w"))
    for g in (0.8, 0.97):
        V = exact(P, R, g)
        for method in ("value", "policy"):
            out = run(path, "--discount", str(g), "--method", method, "-o", "-")
            err = np.max(np.abs(np.array(out["values"]) - V) / np.maximum(1, np.abs(V)))
            if not err < 1e-9:
                print("S=%d g=%g %s: max relative error %g" % (S, g, method, err)); fail = 1
    N, g = 4, 0.9
    f = np.zeros(S)
    cols = [f]
    for _ in range(N):
        f = (R.T + g * np.einsum("asj,j->as", P, f)).max(axis=0)
        cols.append(f)
    out = run(path, "--horizon", str(N), "--discount", str(g), "-o", "-")
    got = np.array(out["values"])
    want = np.array(cols[::-1]).T
    err = np.max(np.abs(got - want) / np.maximum(1, np.abs(want)))
    if not err < 1e-12:
        print("S=%d backward: max relative error %g" % (S, err)); fail = 1
    print("S=%d A=%d %s: ok" % (S, A, "sparse" if sparse else "dense") if not fail else "S=%d: FAILED" % S)
sys.exit(fail)
PYEOF
