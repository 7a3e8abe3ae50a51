# gen.py -- writes OUT_DIR/logit_1m.csv: 1,000,000 rows x 20 numeric features x0..x19 (correlated Gaussians
# with different scales) and a 0/1 label y drawn from a logistic model. Deterministic (seed 11).
# usage: python3 gen.py OUT_DIR [ROWS]
import sys
import numpy as np
out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
p = 20
rng = np.random.default_rng(11)
A = rng.normal(0, 0.3, (p, p)) + np.eye(p)
X = rng.normal(0, 1, (n, p)) @ A * rng.uniform(0.5, 3.0, p)
beta = rng.normal(0, 0.4, p)
f = -0.7 + X @ beta / np.sqrt(p)
y = (rng.uniform(0, 1, n) < 1 / (1 + np.exp(-f))).astype(int)
with open(out + "/logit_1m.csv" if n == 1_000_000 else out + "/logit_%d.csv" % n, "w") as fh:
    fh.write(",".join("x%d" % j for j in range(p)) + ",y\n")
    M = np.column_stack([X, y])
    np.savetxt(fh, M, fmt=["%.6f"] * p + ["%d"], delimiter=",")
