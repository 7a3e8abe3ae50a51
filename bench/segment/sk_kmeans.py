# sk_kmeans.py -- scikit-learn's side of the k-means benchmark: read the CSV, KMeans(k, n_init, k-means++),
# print the inertia. usage: python3 sk_kmeans.py CSV K N_INIT
import sys, pandas as pd
from sklearn.cluster import KMeans
X = pd.read_csv(sys.argv[1]).to_numpy()
km = KMeans(int(sys.argv[2]), n_init=int(sys.argv[3]), random_state=0).fit(X)
print("%.10g" % km.inertia_)
