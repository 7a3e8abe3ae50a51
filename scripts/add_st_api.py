#!/usr/bin/env python3
"""Puts ST_API before every function declared in include/strata.h that lacks it (idempotent).

A declaration starts at column 0 with a return type and has '(' before its closing ');'. Run after adding
functions to the header; tests/scripts/layering.sh-style checks rely on every public function carrying it.
"""
import re
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "include/strata.h"
lines = open(path).read().split("\n")
out = []
decl = re.compile(r"^(?!typedef|#|/|\*|\}|extern|static|struct [a-z_]+ \{|enum|ST_API)[A-Za-z_][A-Za-z0-9_ \*]*\b(st_[A-Za-z0-9_]+)\s*\(")
for ln in lines:
    if decl.match(ln):
        ln = "ST_API " + ln
    out.append(ln)
open(path, "w").write("\n".join(out))
