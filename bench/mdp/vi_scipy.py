#!/usr/bin/env python3
"""The peer of `strata mdp solve --method value`: load MDP.json, build one scipy.sparse CSR matrix per
action, value iteration with the span stopping rule (pymdptoolbox's), then evaluation of the final policy
to a 1e-11 relative error bound (Jacobi sweeps), write POLICY.json.  usage: vi_scipy.py MDP.json GAMMA OUT.json"""
import json, sys
import numpy as np
import scipy.sparse as sp

path, g, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
with open(path) as f:
    d = json.load(f)
S, A = len(d["states"]), len(d["actions"])
E = np.asarray(d["P"], dtype=float)
R = np.asarray(d["R"], dtype=float)
P = []
for a in range(A):
    m = E[:, 0] == a
    P.append(sp.csr_matrix((E[m, 3], (E[m, 1].astype(int), E[m, 2].astype(int))), shape=(S, S)))
V = np.zeros(S)
thresh = 0.01 * (1 - g) / g
it = 0
while True:
    it += 1
    Q = np.stack([R[:, a] + g * (P[a] @ V) for a in range(A)])
    Vn = Q.max(axis=0)
    diff = Vn - V
    V = Vn
    if diff.max() - diff.min() < thresh:
        break
pol = Q.argmax(axis=0)
# Exact evaluation of the final policy, as strata does for large models: a direct sparse solve fills in
# catastrophically on random transitions, so iterate V = r_pi + g P_pi V to the same error bound.
rows = np.concatenate([np.where(pol == a)[0] for a in range(A)])
Ppi = sp.vstack([P[a][np.where(pol == a)[0]] for a in range(A)]).tocsr()
Ppi = Ppi[np.argsort(rows)]
rpi = R[np.arange(S), pol]
while True:
    Vn = rpi + g * (Ppi @ V)
    d = np.abs(Vn - V).max()
    V = Vn
    if d * g / (1 - g) <= 1e-11 * max(1.0, np.abs(V).max()):
        break
with open(out, "w") as f:
    json.dump({"format": "strata-policy", "version": 1, "method": "value", "discount": g, "iterations": it,
               "policy": pol.tolist(), "values": V.tolist()}, f)
print("iterations", it, file=sys.stderr)
