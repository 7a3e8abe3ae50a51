# gen.py -- writes the benchmark inputs: OUT_DIR/km_1m.csv (1,000,000 x 8, eight Gaussian blobs),
# OUT_DIR/sil_50k.csv (50,000 x 3 with 6 labels) and OUT_DIR/som_100k.csv (100,000 customers: recency_days,
# orders, revenue). usage: python3 gen.py OUT_DIR
import sys, numpy as np
out = sys.argv[1]
rng = np.random.default_rng(1)
n = 1_000_000
C = rng.normal(0, 5, (8, 8))
X = C[rng.integers(0, 8, n)] + rng.normal(0, 1.5, (n, 8))
np.savetxt(out + "/km_1m.csv", X, fmt="%.6f", delimiter=",", header=",".join("x%d" % j for j in range(8)), comments="")
n = 50_000
lab = rng.integers(0, 6, n)
X = rng.normal(0, 1, (n, 3)) + lab[:, None] * 1.5
with open(out + "/sil_50k.csv", "w") as f:
    f.write("x,y,z,lab\n")
    for row, l in zip(X, lab):
        f.write("%.6f,%.6f,%.6f,%d\n" % (row[0], row[1], row[2], l))
rng = np.random.default_rng(5)
n = 100_000
r = rng.exponential(100, n).round()
f = rng.poisson(3, n) + 1
m = (f * rng.gamma(4, 8, n)).round(2)
with open(out + "/som_100k.csv", "w") as fh:
    fh.write("customer_id,recency_days,orders,revenue\n")
    for i in range(n):
        fh.write("%d,%g,%d,%g\n" % (i, r[i], f[i], m[i]))
