"""gen.py DIR [ROWS]: writes DIR/uplift_<ROWS>.csv (y,t,score) for bench/uplift/run.sh: a 50/50 randomised
treatment, a score with ties (six decimals) and a binary outcome whose treatment effect grows with the score."""
import sys
import numpy as np
import pandas as pd

out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
rng = np.random.default_rng(7)
t = rng.integers(0, 2, n)
s = np.round(rng.random(n), 6)
y = (rng.random(n) < 0.1 + 0.05 * t * s).astype(int)
pd.DataFrame({"y": y, "t": t, "score": s}).to_csv("%s/uplift_%d.csv" % (out, n), index=False)
