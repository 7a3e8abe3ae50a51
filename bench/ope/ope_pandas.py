"""ope_pandas.py LOG.csv OUT.json -- the peer of `strata ope LOG.csv --action action --propensity propensity
--reward reward --policy policy --model q_`: pandas read_csv, then IPW, SNIPW, DM and DR with numpy (the
formulas of docs/ope.md)."""
import json, sys
import numpy as np
import pandas as pd

d = pd.read_csv(sys.argv[1])
acts = list(pd.unique(d["action"]))
A, n = len(acts), len(d)
code = {a: k for k, a in enumerate(acts)}
a = d["action"].map(code).to_numpy()
pol = d["policy"].map(code).to_numpy()
p, r = d["propensity"].to_numpy(), d["reward"].to_numpy()
Q = d[["q_" + s for s in acts]].to_numpy()
w = (a == pol) / p
est = {"logged": (r.mean(), r.std(ddof=1) / np.sqrt(n)), "ipw": ((w * r).mean(), (w * r).std(ddof=1) / np.sqrt(n))}
v = (w * r).sum() / w.sum()
est["snipw"] = (v, np.sqrt((w ** 2 * (r - v) ** 2).sum()) / w.sum())
dm = Q[np.arange(n), pol]
dr = dm + w * (r - Q[np.arange(n), a])
est["dm"] = (dm.mean(), dm.std(ddof=1) / np.sqrt(n))
est["dr"] = (dr.mean(), dr.std(ddof=1) / np.sqrt(n))
json.dump({"estimates": {k: {"value": float(x), "se": float(s)} for k, (x, s) in est.items()}}, open(sys.argv[2], "w"))
