#!/bin/sh
# pmf_oracle.sh -- `strata pmf` and `strata predict --pmf` against independent scipy oracles: quadrature of
# the Pareto/NBD and MBG/NBD mixtures over their latent rates, Monte-Carlo draws of the generative stories,
# and a two-dimensional posterior integral for one customer's Pareto/NBD conditional PMF (pmf_oracle.py).
# usage: sh pmf_oracle.sh STRATA_BIN SOURCE_DIR   (exit 77 = skipped: python3 with numpy + scipy missing)
STRATA=$1
SRC=$2
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import numpy, scipy' 2>/dev/null || { echo "skipped: numpy/scipy missing"; exit 77; }
exec "$PY" "$SRC/tests/scripts/pmf_oracle.py" "$STRATA"
