#!/usr/bin/env python3
"""Writes a random sparse MDP.json for the solver benchmark: S states x A actions, K non-zeros per row.
usage: gen_mdp.py S A K SEED OUT.json"""
import random, sys

S, A, K, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rng = random.Random(seed)
with open(out, "w") as f:
    f.write('{\n  "format": "strata-mdp",\n  "version": 1,\n')
    f.write('  "states": [' + ", ".join('"s%d"' % s for s in range(S)) + '],\n')
    f.write('  "actions": [\n' + ",\n".join('    {"name": "a%d", "cost": %d}' % (a, a) for a in range(A)) + '\n  ],\n')
    f.write('  "P": [\n')
    first = True
    for s in range(S):
        for a in range(A):
            nxt = rng.sample(range(S), K)
            w = [rng.random() + 0.05 for _ in range(K)]
            t = sum(w)
            for j, x in zip(nxt, w):
                f.write(('    [%d, %d, %d, %r]' if first else ',\n    [%d, %d, %d, %r]') % (a, s, j, x / t))
                first = False
    f.write('\n  ],\n  "R": [\n')
    f.write(",\n".join("    [" + ", ".join(repr(round(rng.uniform(-2, 10) - a, 6)) for a in range(A)) + "]"
                       for s in range(S)))
    f.write("\n  ]\n}\n")
