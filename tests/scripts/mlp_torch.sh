#!/bin/sh
# The learn stage's networks against PyTorch in float64 (tests/scripts/mlp_torch.py, through ctypes on
# libstrata.so): losses, gradients and weights after SGD / Adam / AdamW steps agree to 1e-9 relative.
# Skips (77) without the shared library or without torch and numpy for /usr/bin/python3.
STRATA=$1; SRC=$2
PY=/usr/bin/python3
LIB="$(dirname "$STRATA")/libstrata.so"
[ -f "$LIB" ] || { echo "skipped: no $LIB"; exit 77; }
[ -x "$PY" ] && "$PY" -c "import torch, numpy" 2>/dev/null || { echo "skipped: torch or numpy missing for $PY (apt-get install python3-torch)"; exit 77; }
# An ASan build of the library must have the ASan runtime loaded first into Python.
if nm -D "$LIB" 2>/dev/null | grep -q " __asan_init"; then
  rt=$(${CC:-cc} -print-file-name=libasan.so 2>/dev/null)
  [ -f "$rt" ] || { echo "skipped: ASan build and no libasan.so to preload"; exit 77; }
  LD_PRELOAD="$rt" ASAN_OPTIONS=detect_leaks=0 exec "$PY" "$SRC/tests/scripts/mlp_torch.py" "$LIB"
fi
exec "$PY" "$SRC/tests/scripts/mlp_torch.py" "$LIB"
