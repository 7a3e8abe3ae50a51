"""gen_log.py N OUT.csv -- a simulated coupon campaign log for bench/ope/run.sh: 4 actions drawn by softmax
logging probabilities of two features, rewards with known means, a deterministic target (policy) and a reward
model (q_<action>), seeded."""
import sys
import numpy as np

n, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(1)
acts = ["none", "email", "c5", "c10"]
x1, x2 = rng.normal(size=n), rng.uniform(0, 2, size=n)
logits = np.stack([0 * x1, 0.2 * x1, 0.3 - 0.2 * x2, -0.5 + 0.3 * x1], axis=1)
mu = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
u = rng.random(n)[:, None]
a = (u > np.cumsum(mu, axis=1)).sum(axis=1).clip(0, 3)
prop = mu[np.arange(n), a]
mean = np.stack([1 + 0.5 * x1, 1.1 + 0.3 * x2, 1.3 + 0.2 * x1, 1.2 - 0.1 * x2], axis=1)
r = mean[np.arange(n), a] + rng.normal(scale=0.5, size=n)
pol = np.argmax(mean, axis=1)
q = mean + 0.1 * rng.normal(size=(n, 4))
with open(out, "w") as f:
    f.write("customer,x1,x2,action,propensity,reward,policy,q_none,q_email,q_c5,q_c10\n")
    names = np.array(acts)
    cols = [np.char.add("c", np.arange(n).astype(str)), x1.round(6).astype(str), x2.round(6).astype(str), names[a],
            prop.round(9).astype(str), r.round(6).astype(str), names[pol]] + [q[:, k].round(6).astype(str) for k in range(4)]
    for lo in range(0, n, 200000):
        rows = [",".join(t) for t in zip(*(c[lo:lo + 200000] for c in cols))]
        f.write("\n".join(rows) + "\n")
