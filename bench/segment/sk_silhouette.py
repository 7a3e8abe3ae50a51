# sk_silhouette.py -- scikit-learn's side of the silhouette benchmark. usage: python3 sk_silhouette.py CSV
import sys, pandas as pd
from sklearn.metrics import silhouette_score
d = pd.read_csv(sys.argv[1])
print("%.15g" % silhouette_score(d[["x", "y", "z"]].to_numpy(), d["lab"].to_numpy()))
