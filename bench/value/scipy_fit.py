#!/usr/bin/python3
"""The peer for bench/value/run.sh: BG/NBD and Pareto/NBD maximum likelihood the way lifetimes does it --
scipy BFGS on log parameters over all rows (no compression), time rescaled so max T = 1, the note-027
BG/NBD likelihood with its analytic gradient (lifetimes gets it from autograd) and the Pareto/NBD
sum-of-positive-terms likelihood with scipy's hyp2f1 (numeric gradient). Prints model, seconds, params."""
import sys, time
import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln, digamma, hyp2f1

def bgnbd_nll(lp, x, tx, T):
    r, al, a, b = np.exp(lp)
    rx = r + x
    lat, laT = np.log(al + tx), np.log(al + T)
    D1 = gammaln(rx) - gammaln(r) + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    D2 = r * np.log(al) - rx * lat
    C3 = np.exp(rx * (lat - laT))
    has4 = x > 0
    bx1 = np.where(has4, b + x - 1, 1.0)
    C4 = np.where(has4, a / bx1, 0.0)
    S = C3 + C4
    ll = D1 + D2 + np.log(S)
    pab, pabx = digamma(a + b), digamma(a + b + x)
    g = np.empty(4)
    g[0] = np.sum(digamma(rx) - digamma(r) + np.log(al) - lat + C3 * (lat - laT) / S)
    g[1] = np.sum(r / al - rx / (al + tx) + C3 * rx * (1 / (al + tx) - 1 / (al + T)) / S)
    g[2] = np.sum(pab - pabx + np.where(has4, 1 / bx1 / S, 0))
    g[3] = np.sum(pab + digamma(b + x) - digamma(b) - pabx - np.where(has4, a / bx1**2 / S, 0))
    n = len(x)
    return -ll.sum() / n, -g * np.exp(lp) / n

def pnbd_nll(lp, x, tx, T):
    r, al, s, be = np.exp(lp)
    rx, rsx = r + x, r + s + x
    M = max(al, be); d = abs(al - be)
    b1 = s + 1 if al >= be else rx
    b2 = s if al >= be else rx + 1
    lMt, lMT = np.log(M + tx), np.log(M + T)
    t1 = np.log(s) - np.log(rsx) + np.log(hyp2f1(rsx, b1, rsx + 1, d / (M + tx)))
    t2 = np.log(rx) - np.log(rsx) + np.log(hyp2f1(rsx, b2, rsx + 1, d / (M + T))) - rsx * (lMT - lMt)
    ll = gammaln(rx) - gammaln(r) + r * np.log(al) + s * np.log(be) - rsx * lMt + np.logaddexp(t1, t2)
    v = -ll.sum() / len(x)
    return v if np.isfinite(v) else np.inf

def main():
    path, models = sys.argv[1], sys.argv[2].split(",")
    df = pd.read_csv(path)
    df = df[df["T"].notna()]
    x = df["frequency"].to_numpy(float); tx = df["recency"].to_numpy(float); T = df["T"].to_numpy(float)
    scale = 1.0 / T.max()
    txs, Ts = tx * scale, T * scale
    for m in models:
        t0 = time.perf_counter()
        if m == "bgnbd":
            res = minimize(bgnbd_nll, 0.1 * np.ones(4), args=(x, txs, Ts), jac=True, method="BFGS", tol=1e-7)
        else:
            res = minimize(pnbd_nll, 0.1 * np.ones(4), args=(x, txs, Ts), method="BFGS", tol=1e-7)
        p = np.exp(res.x)
        p[1] /= scale
        if m == "pnbd":
            p[3] /= scale
        print("%s %.3f %s %s" % (m, time.perf_counter() - t0, " ".join("%.6g" % v for v in p), res.success))

main()
