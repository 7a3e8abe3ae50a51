#!/usr/bin/env python3
"""Reference for tests/scripts/classify_sklearn.sh: scikit-learn's LogisticRegression (or Ridge /
LinearRegression) on a CSV, polished by Newton steps in numpy to the exact optimum of the same objective,
compared with a strata MODEL.json. Prints the worst relative coefficient error; exits 1 above the tolerance.

usage: classify_ref.py CASES   (one case a line: DATA.csv MODEL.json label numeric,... categorical,... C|none
                                none|balanced logistic|linear; "-" for an empty list)
"""
import json
import sys
import warnings

import numpy as np
import pandas as pd


def design(df, numeric, categorical):
    cols, names = [], []
    for c in numeric:
        cols.append(df[c].to_numpy(dtype=float))
        names.append(c)
    for c in categorical:
        v = df[c].astype(str).where(df[c].notna(), "")
        for lv in sorted(x for x in set(v) if x != ""):
            cols.append((v == lv).to_numpy(dtype=float))
            names.append(f"{c}={lv}")
    return np.column_stack(cols) if cols else np.zeros((len(df), 0)), names


def newton(X, y, s, lam, logistic, b):
    """Polishes b = (b0, beta) on sum s l + lam/2 ||beta||^2 until the gradient stops shrinking."""
    Z = np.column_stack([np.ones(len(y)), X])
    pen = np.full(Z.shape[1], lam)
    pen[0] = 0.0
    for _ in range(50):
        f = Z @ b
        if logistic:
            p = 1.0 / (1.0 + np.exp(-f))
            hw = s * p * (1.0 - p)
        else:
            p = f
            hw = s
        g = Z.T @ (s * (p - y)) + pen * b
        H = (Z * hw[:, None]).T @ Z + np.diag(pen)
        d = np.linalg.solve(H, g)
        b = b - d
        if np.max(np.abs(g)) < 1e-10:
            break
    return b, np.max(np.abs(g))


def check(data, model, label, num, cat, C, cw, kind):
    numeric = [c for c in num.split(",") if c and c != "-"]
    categorical = [c for c in cat.split(",") if c and c != "-"]
    df = pd.read_csv(data, keep_default_na=True)
    X, names = design(df, numeric, categorical)
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    if kind == "logistic":
        yv = df[label]
        classes = sorted(set(yv.astype(str))) if yv.dtype == object else sorted(set(yv))
        y = (yv == classes[1]).to_numpy(dtype=float)
        penalty = None if C == "none" else "l2"
        Cv = 1.0 if C == "none" else float(C)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kw = {"penalty": "none"} if penalty is None else {"C": Cv}
            lr = LogisticRegression(max_iter=1000,
                                    class_weight="balanced" if cw == "balanced" else None, **kw).fit(X, yv)
        b0 = np.concatenate([lr.intercept_, lr.coef_[0]])
        s = np.ones(len(y))
        if cw == "balanced":
            n1 = y.sum()
            n0 = len(y) - n1
            s = np.where(y == 1.0, len(y) / (2 * n1), len(y) / (2 * n0))
    else:
        y = df[label].to_numpy(dtype=float)
        if C == "none":
            lr = LinearRegression().fit(X, y)
        else:
            lr = Ridge(alpha=1.0 / float(C), solver="cholesky").fit(X, y)
        b0 = np.concatenate([[lr.intercept_], lr.coef_])
        s = np.ones(len(y))
    lam = 0.0 if C == "none" else 1.0 / float(C)
    ref, gmax = newton(X, y, s, lam, kind == "logistic", b0.copy())
    m = json.load(open(model))
    got = np.array([m["intercept"]] + [c["value"] for c in m["coefficients"]])
    got_names = [c["name"] for c in m["coefficients"]]
    if got_names != names:
        print("names differ:", got_names, names)
        return 1
    scale = np.maximum(np.abs(ref), 1e-3 * np.max(np.abs(ref)))
    err = np.max(np.abs(got - ref) / scale)
    sk = np.max(np.abs(b0 - ref) / scale)
    print(f"{data.split('/')[-1]} {label} C={C} cw={cw} {kind}: max rel err {err:.3g} "
          f"(sklearn itself {sk:.3g}, reference |grad| {gmax:.2g})")
    return 0 if err < 1e-5 else 1


def main():
    worst = 0.0
    fail = 0
    for line in open(sys.argv[1]):
        if line.strip():
            fail |= check(*line.split())
    return fail


if __name__ == "__main__":
    sys.exit(main())
