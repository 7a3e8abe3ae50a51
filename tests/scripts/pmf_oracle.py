"""Oracles for the probability of n purchases (run by pmf_oracle.sh).

1. Unconditional P(X(t) = k) from `strata pmf` vs scipy quadrature of the model's definition:
   Pareto/NBD  E_mu[ P(tau > t) NB(k; t) + int_0^t mu e^(-mu u) NB(k; u) du ] with the gamma-mixed
               Poisson NB(k; u), integrated over the death time u (both alpha < beta and alpha > beta);
   MBG/NBD     a double integral over lambda ~ Gamma(r, alpha) and p ~ Beta(a, b) of
               (1-p)^(k+1) Pois(k; lambda t) + p (1-p)^k P(Pois(lambda t) >= k).
2. The same against Monte-Carlo draws of the generative stories (binomial 5-sigma bands).
3. `strata predict --pmf` for a Pareto/NBD customer vs the posterior integral over (lambda, mu) of
   P(k purchases in (T, T+t] | lambda, mu, alive or not), weighted by the individual likelihood.
"""
import csv
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from scipy import integrate, special, stats

# dblquad's inner integrals near the likelihood's kink at tx warn without losing the tolerances checked.
warnings.simplefilter("ignore", integrate.IntegrationWarning)
STRATA = sys.argv[1]
TMP = tempfile.mkdtemp()
fail = 0


def model_file(kind, params):
    path = os.path.join(TMP, "%s_%d.json" % (kind, abs(hash(tuple(params.values()))) % 100000))
    with open(path, "w") as fp:
        json.dump({"format": "strata-model", "version": 1, "model": kind, "params": params}, fp)
    return path


def strata_pmf(path, t, kmax):
    r = subprocess.run([STRATA, "pmf", path, "--time", repr(t), "--kmax", str(kmax)], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("strata pmf failed: " + r.stderr)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [int(x["k"]) for x in rows] == list(range(kmax + 1))
    return np.array([float(x["probability"]) for x in rows])


def check(name, got, want, tol):
    global fail
    err = abs(got - want)
    if not err <= tol:
        print("FAIL %s: strata %.15g vs oracle %.15g (|diff| %.3g > %.3g)" % (name, got, want, err, tol))
        fail = 1


# Densities written with math / scipy.special (the scipy.stats objects are far slower per call).
def nb(k, r, al, u):
    if u <= 0:
        return float(k == 0)
    return math.exp(math.lgamma(r + k) - math.lgamma(r) - math.lgamma(k + 1) + r * math.log(al / (al + u)) +
                    k * math.log(u / (al + u)))


def pois(k, m):
    return math.exp(k * math.log(m) - m - math.lgamma(k + 1)) if m > 0 else float(k == 0)


def gamma_pdf(v, shape, rate):
    return math.exp(shape * math.log(rate) + (shape - 1) * math.log(v) - rate * v - math.lgamma(shape)) if v > 0 else 0.0


def beta_pdf(v, a, b):
    if v <= 0 or v >= 1:
        return 0.0
    return math.exp((a - 1) * math.log(v) + (b - 1) * math.log1p(-v) - special.betaln(a, b))


def pnbd_quad(k, t, r, al, s, be):
    alive = (be / (be + t)) ** s * nb(k, r, al, t)
    dead, _ = integrate.quad(lambda u: s * be ** s / (be + u) ** (s + 1) * nb(k, r, al, u), 0, t,
                             epsabs=1e-14, epsrel=1e-11, limit=400)
    return alive + dead


def mbg_quad(k, t, r, al, a, b):
    def f(p, po, tail):
        return ((1 - p) ** (k + 1) * po + p * (1 - p) ** k * tail) * beta_pdf(p, a, b)

    def over_p(lam):
        po = pois(k, lam * t)
        tail = float(special.gammainc(k, lam * t)) if k > 0 else 1.0  # P(Pois(lam t) >= k)
        v, _ = integrate.quad(f, 0, 1, args=(po, tail), epsabs=1e-13, epsrel=1e-10, limit=200)
        return v * gamma_pdf(lam, r, al)

    # lambda's density is singular at 0 for r < 1: split the range and let quad handle the endpoint.
    hi = stats.gamma.ppf(1 - 1e-14, r, scale=1 / al)
    v1, _ = integrate.quad(over_p, 0, 1 / al, epsabs=1e-12, epsrel=1e-9, limit=200)
    v2, _ = integrate.quad(over_p, 1 / al, hi, epsabs=1e-12, epsrel=1e-9, limit=200)
    return v1 + v2


# ---- 1. quadrature ----
PN = {"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6562}
PN2 = {"r": 0.8, "alpha": 14.0, "s": 0.45, "beta": 6.0}
MBG = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
for params in (PN, PN2):
    path = model_file("pnbd", params)
    for t in (1.0, 39.0, 200.0):
        got = strata_pmf(path, t, 12)
        for k in (0, 1, 2, 5, 12):
            want = pnbd_quad(k, t, params["r"], params["alpha"], params["s"], params["beta"])
            check("pnbd %s t=%g k=%d" % (params, t, k), got[k], want, 1e-9 * max(1.0, want) + 1e-13)
path = model_file("mbgnbd", MBG)
for t in (5.0, 39.0):
    got = strata_pmf(path, t, 10)
    for k in (0, 1, 2, 5, 10):
        want = mbg_quad(k, t, MBG["r"], MBG["alpha"], MBG["a"], MBG["b"])
        check("mbgnbd t=%g k=%d" % (t, k), got[k], want, 1e-7)

# ---- 2. Monte Carlo of the generative stories ----
rng = np.random.default_rng(11)
N = 400000
t = 39.0
lam = rng.gamma(PN["r"], 1 / PN["alpha"], N)
mu = rng.gamma(PN["s"], 1 / PN["beta"], N)
tau = rng.exponential(1 / mu)
x_pn = rng.poisson(lam * np.minimum(tau, t))
lam = rng.gamma(MBG["r"], 1 / MBG["alpha"], N)
p = rng.beta(MBG["a"], MBG["b"], N)
purchases_before_drop = rng.geometric(p) - 1  # coins at time 0 and after each purchase
x_mbg = np.minimum(rng.poisson(lam * t), purchases_before_drop)
for name, path, xs in (("pnbd", model_file("pnbd", PN), x_pn), ("mbgnbd", model_file("mbgnbd", MBG), x_mbg)):
    got = strata_pmf(path, t, 8)
    for k in range(9):
        freq = np.mean(xs == k)
        band = 5 * np.sqrt(got[k] * (1 - got[k]) / N) + 1e-5
        check("%s Monte Carlo k=%d" % (name, k), got[k], freq, band)

# ---- 3. Pareto/NBD conditional PMF of one customer ----
x, tx, T, hor = 2.0, 30.43, 38.86, 39.0
summ = os.path.join(TMP, "summary.csv")
with open(summ, "w") as fp:
    fp.write("customer_id,frequency,recency,T\nc1,%r,%r,%r\n" % (x, tx, T))
r = subprocess.run([STRATA, "predict", model_file("pnbd", PN), summ, "--horizon", repr(hor), "--pmf", "4",
                    "-o", "-"], capture_output=True, text=True)
if r.returncode != 0:
    raise SystemExit("strata predict failed: " + r.stderr)
row = list(csv.DictReader(io.StringIO(r.stdout)))[0]


def post_integrand(lam, mu, k):
    # individual likelihood pieces: alive at T, or died at some time in (tx, T]
    lt = lam + mu
    alive = lam ** x * math.exp(-lt * T)
    dead = lam ** x * mu / lt * (math.exp(-lt * tx) - math.exp(-lt * T))
    # k purchases in (T, T+hor] for a customer alive at T: survive the window, or die inside it
    fut = math.exp(-mu * hor) * pois(k, lam * hor) + \
        mu * lam ** k / lt ** (k + 1) * float(special.gammainc(k + 1, lt * hor))
    val = alive * fut + (dead if k == 0 else 0.0)
    return val * gamma_pdf(lam, PN["r"], PN["alpha"]) * gamma_pdf(mu, PN["s"], PN["beta"])


def post_mass(k):
    lam_hi = stats.gamma.ppf(1 - 1e-13, PN["r"] + x, scale=1 / (PN["alpha"] + tx))
    mu_hi = stats.gamma.ppf(1 - 1e-13, PN["s"], scale=1 / PN["beta"])
    v, _ = integrate.dblquad(lambda m_, l_: post_integrand(l_, m_, k), 0, lam_hi, 0, mu_hi,
                             epsabs=1e-16, epsrel=1e-9)
    return v


def lik(lam, mu):
    lt = lam + mu
    return (lam ** x * math.exp(-lt * T) + lam ** x * mu / lt * (math.exp(-lt * tx) - math.exp(-lt * T))) * \
        gamma_pdf(lam, PN["r"], PN["alpha"]) * gamma_pdf(mu, PN["s"], PN["beta"])


lam_hi = stats.gamma.ppf(1 - 1e-13, PN["r"] + x, scale=1 / (PN["alpha"] + tx))
mu_hi = stats.gamma.ppf(1 - 1e-13, PN["s"], scale=1 / PN["beta"])
Z, _ = integrate.dblquad(lambda m_, l_: lik(l_, m_), 0, lam_hi, 0, mu_hi, epsabs=1e-16, epsrel=1e-9)
for k in range(5):
    check("pnbd conditional k=%d" % k, float(row["p_%d" % k]), post_mass(k) / Z, 2e-6)

print("pmf oracle: %s" % ("FAIL" if fail else "ok"))
sys.exit(fail)
