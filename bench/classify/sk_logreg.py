# sk_logreg.py -- the peer of `strata classify fit`: pandas.read_csv, then scikit-learn's
# LogisticRegression (lbfgs, default C = 1 and tol, max_iter large enough to converge) on every column but the
# label. Prints the fit-only seconds (the process's wall time is measured outside) and the coefficients.
# usage: python3 sk_logreg.py DATA.csv LABEL
import sys
import time
import pandas as pd
from sklearn.linear_model import LogisticRegression

df = pd.read_csv(sys.argv[1])
y = df[sys.argv[2]].to_numpy()
X = df.drop(columns=[sys.argv[2]]).to_numpy()
t0 = time.perf_counter()
lr = LogisticRegression(max_iter=10000).fit(X, y)
fit = time.perf_counter() - t0
print("%.3f %d %s" % (fit, lr.n_iter_[0], " ".join("%.10g" % v for v in [lr.intercept_[0], *lr.coef_[0]])))
