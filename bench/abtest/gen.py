"""Deterministic A/B test file for bench/abtest/run.sh: ROWS rows of id, arm (control 50% / treatment),
converted (10% / 10.5%), revenue (lognormal spend of the converted, cents). Usage: gen.py ROWS OUT.csv"""
import sys
import numpy as np

n, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(1)
with open(out, "w") as f:
    f.write("id,arm,converted,revenue\n")
    for s in range(0, n, 1_000_000):
        e = min(n, s + 1_000_000)
        m = e - s
        treat = rng.random(m) < 0.5
        conv = rng.random(m) < np.where(treat, 0.105, 0.10)
        rev = np.round(conv * rng.lognormal(3, 1, m), 2)
        arm = np.where(treat, "treatment", "control")
        f.write("".join("%d,%s,%d,%g\n" % r for r in zip(range(s, e), arm, conv.astype(int), rev)))
