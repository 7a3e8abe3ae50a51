#!/bin/sh
# The shared library exports exactly the public API: every function declared in include/strata.h carries
# ST_API and is exported; no internal st__ function is (the library is built with hidden visibility).
STRATA=$1; SRC=$2
LIB="$(dirname "$STRATA")/libstrata.so"
[ -f "$LIB" ] || { echo "skipped: no $LIB"; exit 77; }
command -v nm >/dev/null || { echo "skipped: no nm"; exit 77; }
fail=0
internal=$(nm -D --defined-only "$LIB" | awk '$2 == "T" && $3 ~ /^st__/' | wc -l)
[ "$internal" = 0 ] || { echo "$internal internal st__ functions exported:"; nm -D --defined-only "$LIB" | awk '$2 == "T" && $3 ~ /^st__/' | head; fail=1; }
# declarations without ST_API: a line at column 0 that declares an st_ function
grep -nE '^[A-Za-z_][A-Za-z0-9_ *]*\bst_[A-Za-z0-9_]+\(' "$SRC/include/strata.h" | grep -vE '^[0-9]+:(ST_API|typedef|static|#)' > /tmp/exports_$$ 
if [ -s /tmp/exports_$$ ]; then echo "declared without ST_API (run scripts/add_st_api.py):"; cat /tmp/exports_$$; fail=1; fi
rm -f /tmp/exports_$$
declared=$(grep -cE '^ST_API ' "$SRC/include/strata.h")
exported=$(nm -D --defined-only "$LIB" | awk '$2 == "T" && $3 ~ /^st_/' | wc -l)
[ "$declared" = "$exported" ] || { echo "$declared functions declared, $exported exported"; fail=1; }
[ $fail = 0 ] && echo "$exported public functions exported, no internal one"
exit $fail
