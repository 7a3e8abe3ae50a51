"""sklift_eval.py DATA.csv OUT.json: the figures of `strata uplift eval` computed the scikit-uplift way, each
by its own sklift 0.5.1 function (numpy port in sklift_port.py, as sklift cannot be installed here): read with
pandas, then qini_auc_score, uplift_auc_score, uplift_at_k (overall, by_group), uplift_by_percentile,
weighted_average_uplift and the four curves, written as JSON (curves thinned to 1000 points as strata does)."""
import json
import sys

import numpy as np
import pandas as pd

import sklift_port as S

df = pd.read_csv(sys.argv[1])
y, t, s = df["y"].to_numpy(), df["t"].to_numpy(), df["score"].to_numpy()


def thin(xy, m=1000):
    x, v = xy
    p = len(x)
    idx = np.arange(p) if p <= m else (np.arange(m) * (p - 1) * 2 + (m - 1)) // (2 * (m - 1))
    return [[float(x[i]), float(v[i])] for i in idx]


out = {
    "qini_auc": float(S.qini_auc_score(y, s, t)),
    "uplift_auc": float(S.uplift_auc_score(y, s, t)),
    "uplift_at_k": {"overall": float(S.uplift_at_k(y, s, t, "overall", 0.3)),
                    "by_group": float(S.uplift_at_k(y, s, t, "by_group", 0.3))},
    "weighted_average_uplift": float(S.weighted_average_uplift(y, s, t, "overall", 10)),
    "by_percentile": S.uplift_by_percentile(y, s, t, "overall", 10),
    "qini_curve": thin(S.qini_curve(y, s, t)),
    "uplift_curve": thin(S.uplift_curve(y, s, t)),
    "perfect_qini_curve": thin(S.perfect_qini_curve(y, t)),
    "perfect_uplift_curve": thin(S.perfect_uplift_curve(y, t)),
}
json.dump(out, open(sys.argv[2], "w"), indent=1)
