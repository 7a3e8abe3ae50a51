#!/bin/sh
# abtest_statsmodels.sh -- `strata abtest power` equals statsmodels 0.13 (NormalIndPower.solve_power with
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
