"""cmdp_highs.py MODEL.txt RUNS -- the peer of cmdp_bench.c: the same occupancy-measure LP (uniform start,
budget row) with a sparse constraint matrix, solved by scipy.optimize.linprog(method="highs"); prints the
median solve time (LP build excluded), the value and the budget's marginal."""
import sys, time
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

lines = open(sys.argv[1]).read().split("\n")
S, A, B, g = lines[0].split()
S, A, B, g = int(S), int(A), float(B), float(g)
rows, cols, vals, R, C = [], [], [], [], []
for s in range(S):
    for a in range(A):
        rows.append(s); cols.append(s * A + a); vals.append(1.0)
for ln in lines[1:]:
    if ln.startswith("P "):
        _, a, s, j, p = ln.split()
        rows.append(int(j)); cols.append(int(s) * A + int(a)); vals.append(-g * float(p))
    elif ln.startswith("RC "):
        _, r, c = ln.split(); R.append(float(r)); C.append(float(c))
Aeq = sp.csr_matrix((vals, (rows, cols)), shape=(S, S * A))
mu = np.full(S, 1.0 / S)
times = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    res = linprog(-np.array(R), A_ub=np.array([C]), b_ub=[B], A_eq=Aeq, b_eq=mu, bounds=(0, None), method="highs")
    times.append(time.perf_counter() - t0)
print("%.6f %.17g %.17g" % (sorted(times)[len(times) // 2], -res.fun, -res.ineqlin.marginals[0]))
