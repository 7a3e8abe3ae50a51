#!/bin/sh
# abtest_statsmodels.sh -- `strata abtest DATA.csv` equals statsmodels 0.13 / scipy to 1e-9 relative on
# random data (four arms, binary and continuous metrics, unequal expected shares, each correction) and on
# ../shared/data/hillstrom (when present); and `strata abtest power` equals statsmodels 0.13 (NormalIndPower.solve_power with
# proportion_effectsize) to 1e-9 relative on random baselines, effects (relative and absolute, up and down),
# alphas, powers and ratios, and its rounded-up sample sizes are the same. Skips (77) without
# /usr/bin/python3 + statsmodels.
# usage: sh abtest_statsmodels.sh STRATA_BIN SOURCE_DIR
STRATA=$1
PY=/usr/bin/python3
[ -x "$PY" ] || exit 77
"$PY" -c "import statsmodels.stats.power" 2>/dev/null || exit 77
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
"$PY" - "$T" <<'PYEOF' || exit 1
import random, sys
random.seed(11)
with open(sys.argv[1] + "/cases.txt", "w") as f:
    f.write("0.1 --mde 0.1 0.05 0.8 1\n0.02 --mde-abs 0.005 0.01 0.9 1\n0.5 --mde -0.05 0.05 0.8 3\n")
    for _ in range(60):
        p = random.choice([random.uniform(0.005, 0.2), random.uniform(0.2, 0.95)])
        if random.random() < 0.5:
            kind, d = "--mde", random.choice([-1, 1]) * random.uniform(0.02, 0.5)
            if p * (1 + d) >= 1: d = -d
        else:
            kind, d = "--mde-abs", random.choice([-1, 1]) * random.uniform(0.002, 0.05) 
            if not 0 < p + d < 1: d = -d
        f.write("%r %s %r %r %r %r\n" % (p, kind, d, random.choice([0.01, 0.05, 0.1, random.uniform(0.001, 0.2)]),
                random.choice([0.8, 0.9, random.uniform(0.5, 0.99)]), random.choice([1.0, 0.5, 2.0, random.uniform(0.2, 5)])))
PYEOF
i=0
while read -r p kind d a w r; do
    "$STRATA" abtest power --baseline "$p" "$kind" "$d" --alpha "$a" --power "$w" --ratio "$r" \
        -o "$T/p$i.json" || exit 1
    i=$((i + 1))
done < "$T/cases.txt"
"$PY" - "$T" "$i" <<'PYEOF'
import json, math, sys, warnings
warnings.simplefilter("ignore")
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize
d, n = sys.argv[1], int(sys.argv[2])
bad = 0
worst = 0.0
for i, line in enumerate(open(d + "/cases.txt")):
    p, kind, dd, a, w, r = line.split()
    p, dd, a, w, r = float(p), float(dd), float(a), float(w), float(r)
    t = p * (1 + dd) if kind == "--mde" else p + dd
    h = proportion_effectsize(t, p)
    x = NormalIndPower().solve_power(effect_size=h, nobs1=None, alpha=a, power=w, ratio=r)
    got = json.load(open("%s/p%d.json" % (d, i)))
    for k, want in (("effect_size", h), ("nobs1_exact", x), ("nobs1", math.ceil(x)), ("nobs2", math.ceil(x * r))):
        rel = abs(got[k] - want) / max(abs(want), 1e-300)
        worst = max(worst, rel)
        if rel > 1e-9:
            bad += 1
            print("case %d (%s): %s = %r, statsmodels %r" % (i, line.strip(), k, got[k], want))
print("abtest power: %d cases, worst relative difference %.3g" % (n, worst))
sys.exit(1 if bad else 0)
PYEOF
[ $? = 0 ] || exit 1
"$PY" - "$T" <<'PYEOF' || exit 1
import random, sys
random.seed(5)
arms = ["ctl", "b", "c c", "d"]
rates = {"ctl": (0.1, 0.02), "b": (0.12, 0.03), "c c": (0.1, 0.5), "d": (0.2, 0.01)}
with open(sys.argv[1] + "/rand.csv", "w") as f:
    f.write("id,arm,conv,rare,spend,grp,pre\n")
    for i in range(5000):
        a = random.choices(arms, weights=[4, 2, 2, 1])[0]
        p, q = rates[a]
        conv = int(random.random() < p)
        pre = random.lognormvariate(2, 1)
        f.write("%d,%s,%d,%d,%r,%d,%r\n" % (i, a, conv, int(random.random() < q),
                conv * random.lognormvariate(3, 1) + (2.0 if a == "d" else 0.0) + 0.8 * pre, i % 3 + 1, pre))
PYEOF
"$STRATA" abtest "$T/rand.csv" --arm arm --control ctl --metrics conv,rare,spend --expected-shares 4,2,2,1 --covariate pre \
    -o "$T/r1.json" || exit 1
"$STRATA" abtest "$T/rand.csv" --arm arm --metrics spend,conv --alpha 0.1 --correction bonferroni \
    -o "$T/r2.json" || exit 1
"$STRATA" abtest "$T/rand.csv" --arm grp --control 2 --metrics conv,spend --correction none -o "$T/r3.json" || exit 1
printf '%s\n' "rand.csv|arm|ctl|conv,rare,spend|0.05|holm|4,2,2,1|r1.json|pre" "rand.csv|arm||spend,conv|0.1|bonferroni||r2.json|" \
    "rand.csv|grp|2|conv,spend|0.05|none||r3.json|" > "$T/runs.txt"
H=$2/../shared/data/hillstrom/hillstrom.csv
[ -f "$H" ] || H=$2/../../shared/data/hillstrom/hillstrom.csv # a git worktree under the repository's parent
if [ -f "$H" ]; then
    "$STRATA" abtest "$H" --arm segment --control "No E-Mail" --metrics visit,conversion,spend \
        --covariate history -o "$T/h.json" || exit 1
    echo "$H|segment|No E-Mail|visit,conversion,spend|0.05|holm||h.json|history" >> "$T/runs.txt"
else
    echo "hillstrom data absent: its comparison skipped"
fi
"$PY" - "$T" <<'PYEOF'
import csv, json, math, sys, warnings
warnings.simplefilter("ignore")
import numpy as np
from scipy import stats
from scipy.special import betaln
from statsmodels.stats.proportion import proportion_confint, proportions_ztest, confint_proportions_2indep
from statsmodels.stats.weightstats import DescrStatsW, CompareMeans
from statsmodels.stats.multitest import multipletests
d = sys.argv[1]
worst, bad, nfig = 0.0, 0, 0
def check(what, got, want):
    global worst, bad, nfig
    nfig += 1
    if want is None:
        if got is not None:
            bad += 1; print("%s: %r, want null" % (what, got))
        return
    rel = abs(got - want) / max(abs(want), 1e-300) if want != got else 0.0
    worst = max(worst, rel)
    if rel > 1e-9:
        bad += 1; print("%s: strata %r, reference %r (rel %.3g)" % (what, got, want, rel))
def prob_better(s1, n1, s2, n2):
    # Evan Miller's sum. Small arms: in exact rational arithmetic (B(a, b) = (a-1)! (b-1)! / (a+b-1)!), which
    # has no digits to lose (a float 1 - (a sum near 1) is 1.3e-9 off on r2's ctl). Large arms (Hillstrom):
    # scipy's betaln, summing the smaller tail directly (P(X > Y) over at or bc terms, P(Y > X) over ac or bt).
    at, bt, ac, bc = (int(round(v)) for v in (1 + s1, 1 + n1 - s1, 1 + s2, 1 + n2 - s2))
    if at + bt + ac + bc <= 6000:
        from fractions import Fraction
        f = math.factorial
        def B(a, b):
            return Fraction(f(a - 1) * f(b - 1), f(a + b - 1))
        def pbx(at, bt, ac, bc):
            base = B(ac, bc)
            return sum(B(ac + i, bc + bt) / ((bt + i) * B(1 + i, bt) * base) for i in range(at))
        return float(pbx(at, bt, ac, bc) if at <= ac else 1 - pbx(ac, bc, at, bt))
    def pb(at, bt, ac, bc):
        i = np.arange(at)
        return math.fsum(np.exp(betaln(ac + i, bc + bt) - np.log(bt + i) - betaln(1 + i, bt) - betaln(ac, bc)))
    if at / (at + bt) < ac / (ac + bc):
        return pb(at, bt, ac, bc) if at <= bc else pb(bc, ac, bt, at)
    return 1 - (pb(ac, bc, at, bt) if ac <= bt else pb(bt, at, bc, ac))
runs = open(d + "/runs.txt").read().splitlines()
for case in runs:
    path, armcol, control, metrics, alpha, corr, shares, out, cov = case.split("|")
    path = path if path.startswith("/") else d + "/" + path
    metrics, alpha = metrics.split(","), float(alpha)
    got = json.load(open(d + "/" + out))
    rows = list(csv.DictReader(open(path)))
    def armname(v):
        try:
            return "%.17g" % float(v)
        except ValueError:
            return v
    order = list(dict.fromkeys(armname(r[armcol]) for r in rows))
    ctl = armname(control) if control else order[0]
    data = {a: {m: np.array([float(r[m]) for r in rows if armname(r[armcol]) == a]) for m in metrics} for a in order}
    binary = {m: all(float(r[m]) in (0.0, 1.0) for r in rows) for m in metrics}
    if [a["name"] for a in got["arms"]] != order:
        bad += 1; print("arms", [a["name"] for a in got["arms"]], order)
    for ga in got["arms"]:
        a = ga["name"]
        check(out + " n " + a, ga["n"], len(data[a][metrics[0]]))
        for m in metrics:
            x = data[a][m]
            lo, hi = (proportion_confint(x.sum(), len(x), alpha, method="wilson") if binary[m]
                      else DescrStatsW(x).tconfint_mean(alpha))
            gm = ga["metrics"][m]
            check(out + " mean %s %s" % (a, m), gm["mean"], x.mean())
            check(out + " ci lo %s %s" % (a, m), gm["ci"][0], lo)
            check(out + " ci hi %s %s" % (a, m), gm["ci"][1], hi)
    counts = np.array([len(data[a][metrics[0]]) for a in order], float)
    sh = np.array([float(v) for v in shares.split(",")]) if shares else np.ones(len(order))
    chi2, p = stats.chisquare(counts, counts.sum() * sh / sh.sum())
    check(out + " srm chi2", got["srm"]["chi2"], chi2)
    check(out + " srm p", got["srm"]["p_value"], p)
    comps = {(c["treatment"], c["metric"]): c for c in got["comparisons"]}
    for m in metrics:
        treats = [a for a in order if a != ctl]
        ps = []
        for a in treats:
            c = comps[(a, m)]
            xt, xc = data[a][m], data[ctl][m]
            if binary[m]:
                st, nt, sc, nc = xt.sum(), len(xt), xc.sum(), len(xc)
                z, pv = proportions_ztest([st, sc], [nt, nc])
                dlo, dhi = confint_proportions_2indep(st, nt, sc, nc, method="newcomb", compare="diff", alpha=alpha)
                rlo, rhi = confint_proportions_2indep(st, nt, sc, nc, method="log-adjusted", compare="ratio", alpha=alpha)
                ref = dict(diff=st / nt - sc / nc, lift=(st / nt) / (sc / nc) - 1, statistic=z, p_value=pv,
                           prob_better=prob_better(st, nt, sc, nc))
                ci, lci = (dlo, dhi), (rlo - 1, rhi - 1)
                kind = "binary"
            else:
                cm = CompareMeans(DescrStatsW(xt), DescrStatsW(xc))
                z, pv, df = cm.ttest_ind(usevar="unequal")
                ci = cm.tconfint_diff(alpha=alpha, usevar="unequal")
                mt, mc = xt.mean(), xc.mean()
                r = mt / mc
                se = math.sqrt(xt.var(ddof=1) / len(xt) / mc**2 + r * r * xc.var(ddof=1) / len(xc) / mc**2)
                q = stats.norm.isf(alpha / 2)
                ref = dict(diff=mt - mc, lift=r - 1, statistic=z, p_value=pv, prob_better=None)
                lci = (r - 1 - q * se, r - 1 + q * se)
                kind = "continuous"
            if c["kind"] != kind or c["control"] != ctl:
                bad += 1; print("kind/control", c)
            for k, v in ref.items():
                check("%s %s %s %s" % (out, a, m, k), c[k], v)
            check("%s %s %s diff_ci lo" % (out, a, m), c["diff_ci"][0], ci[0])
            check("%s %s %s diff_ci hi" % (out, a, m), c["diff_ci"][1], ci[1])
            check("%s %s %s lift_ci lo" % (out, a, m), c["lift_ci"][0], lci[0])
            check("%s %s %s lift_ci hi" % (out, a, m), c["lift_ci"][1], lci[1])
            ps.append(pv)
        adj = ps if corr == "none" else multipletests(ps, method=corr)[1]
        for a, pa in zip(treats, adj):
            check("%s %s %s p_adjusted" % (out, a, m), comps[(a, m)]["p_adjusted"], pa)
    cup = {(c["treatment"], c["metric"]): c for c in got["cuped"]}
    if not cov:
        if got["cuped"]:
            bad += 1; print(out, "cuped without a covariate")
        continue
    xs = {a: np.array([float(r[cov]) for r in rows if armname(r[armcol]) == a]) for a in order}
    for m in metrics:
        for a in order:
            if a == ctl: continue
            c = cup[(a, m)]
            x = np.concatenate([xs[a], xs[ctl]]); y = np.concatenate([data[a][m], data[ctl][m]])
            theta = np.cov(y, x)[0, 1] / np.var(x, ddof=1)
            # 1 - var(y') / var(y) is corr(x, y)^2; checked loosely (cancellation), then exactly as corr^2
            if abs((1 - np.var(y - theta * (x - x.mean())) / np.var(y)) - c["variance_reduction"]) > 1e-12:
                bad += 1; print(out, "cuped variance_reduction is not 1 - var(y')/var(y)", c)
            yp = y - theta * (x - x.mean())
            na = len(xs[a])
            cm = CompareMeans(DescrStatsW(yp[:na]), DescrStatsW(yp[na:]))
            z, pv, df = cm.ttest_ind(usevar="unequal")
            ci = cm.tconfint_diff(alpha=alpha, usevar="unequal")
            for k, v in (("theta", theta), ("diff", yp[:na].mean() - yp[na:].mean()), ("p_value", pv),
                         ("variance_reduction", np.corrcoef(x, y)[0, 1] ** 2)):
                check("%s cuped %s %s %s" % (out, a, m, k), c[k], v)
            check("%s cuped %s %s diff_ci lo" % (out, a, m), c["diff_ci"][0], ci[0])
            check("%s cuped %s %s diff_ci hi" % (out, a, m), c["diff_ci"][1], ci[1])
print("abtest: %d figures over %d runs, worst relative difference %.3g" % (nfig, len(runs), worst))
sys.exit(1 if bad else 0)
PYEOF
