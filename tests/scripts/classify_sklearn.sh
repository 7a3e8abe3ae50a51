#!/bin/sh
# `strata classify fit` against scikit-learn 1.2's LogisticRegression (and Ridge / LinearRegression for
# --kind linear), whose fit is polished by Newton steps in numpy to the exact optimum of the same objective
# (lbfgs alone stops early): Hillstrom `visit` ~ recency, history, mens, womens, newbie (+ channel, zip_code),
# with and without the penalty and with balanced class weights, and random data (a text label, a categorical
# column, C small and large). Coefficients must agree to 1e-5 relative (tests/scripts/classify_ref.py).
# Skips (77) without scikit-learn or the Hillstrom file.
STRATA=$1; SRC=$2
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c "import sklearn, numpy, pandas" 2>/dev/null || { echo "scikit-learn not available: skip"; exit 77; }
H="$SRC/../shared/data/hillstrom/hillstrom.csv"
[ -f "$H" ] || { echo "no $H: skip"; exit 77; }
REF="$SRC/tests/scripts/classify_ref.py"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
# case DATA LABEL NUMERIC CATEGORICAL C CLASS_WEIGHT KIND: fits with strata now, compared in one Python run
k=0
case_() {
  k=$((k + 1))
  args="--label $2 --kind $7"
  [ "$3" != - ] && args="$args --features $3"
  [ "$4" != - ] && args="$args --categorical $4"
  if [ "$5" = none ]; then args="$args --penalty none"; else args="$args --C $5"; fi
  [ "$6" = balanced ] && args="$args --class-weight balanced"
  # shellcheck disable=SC2086
  if ! "$STRATA" classify fit "$1" $args -o "$tmp/m$k.json"; then
    echo "FAIL: strata classify fit $1 $args"; fail=1; return
  fi
  echo "$1 $tmp/m$k.json $2 $3 $4 $5 $6 $7" >> "$tmp/cases"
}
N=recency,history,mens,womens,newbie
case_ "$H" visit $N - 1 none logistic
case_ "$H" visit $N - none none logistic
case_ "$H" visit $N channel,zip_code 1 none logistic
case_ "$H" visit $N channel,zip_code 0.01 balanced logistic
case_ "$H" conversion $N - none balanced logistic
case_ "$H" spend $N channel,zip_code 1 none linear
case_ "$H" spend $N - none none linear
# random data: a text label, a categorical column, features on different scales
"$PY" - "$tmp" <<'PY' || exit 1
import sys
import numpy as np
rng = np.random.default_rng(7)
for n, name in ((3000, "r1"), (20000, "r2")):
    X = rng.normal(0, 1, (n, 4)) * np.array([1.0, 10.0, 0.1, 3.0])
    g = rng.choice(["red", "green", "blue", "a,b"], n)
    f = 0.3 + X @ np.array([0.8, -0.05, 4.0, 0.2]) + (g == "red") * 0.7
    y = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-f)), "yes", "no")
    with open(f"{sys.argv[1]}/{name}.csv", "w") as fh:
        fh.write("x0,x1,x2,x3,grp,label,z\n")
        for i in range(n):
            fh.write('%.9g,%.9g,%.9g,%.9g,"%s",%s,%.6g\n' % (*X[i], g[i], y[i], f[i] + rng.normal()))
PY
for d in r1 r2; do
  case_ "$tmp/$d.csv" label x0,x1,x2,x3 grp 1 none logistic
  case_ "$tmp/$d.csv" label x0,x1,x2,x3 - none none logistic
  case_ "$tmp/$d.csv" label x0,x1,x2,x3 - 0.05 balanced logistic
  case_ "$tmp/$d.csv" label x0,x1 grp 100 balanced logistic
  case_ "$tmp/$d.csv" z x0,x1,x2,x3 grp 0.5 none linear
done
"$PY" "$REF" "$tmp/cases" || fail=1
# without a penalty, every level of a categorical column beside the intercept is collinear: an error
if "$STRATA" classify fit "$H" --label visit --features $N --categorical channel --penalty none -o "$tmp/m.json" \
    2>"$tmp/err"; then
  echo "FAIL: a collinear design without a penalty was fitted"; fail=1
fi
grep -q "collinear" "$tmp/err" || { echo "FAIL: message"; cat "$tmp/err"; fail=1; }
exit $fail
