#!/bin/sh
# layering.sh -- checks every #include "..." in src/ and cli/ against the layering rule of
# docs/architecture.md and prints file:line for each include that breaks it. Known breaks being removed
# are listed in tests/layering_allow.txt ("file include # reason"); an entry that no longer matches an
# include is reported as a note so the list can be tightened.
# usage: sh layering.sh STRATA_BIN SOURCE_DIR   (the binary is not used)
SRC=${2:-.}
cd "$SRC" || exit 2
ALLOW=tests/layering_allow.txt
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp" "$tmp.used"' EXIT
: >"$tmp.used"

# Folders that are not stages; every other folder under src/ is a stage (features, value, segment, ...).
is_stage() {
  case $1 in core | num | io | pipeline | cli | strata) return 1 ;; *) return 0 ;; esac
}

allowed() { # from-folder include target-folder
  from=$1 inc=$2 to=$3
  [ "$to" = strata ] && return 0 # the public header: everyone may include it
  case $from in
  cli) [ "$to" = cli ] ;;
  core) [ "$to" = core ] ;;
  num) [ "$to" = core ] || [ "$to" = num ] ;;
  io) [ "$to" = core ] || [ "$to" = num ] || [ "$to" = io ] ;;
  pipeline) [ "$to" != cli ] ;;
  *) [ "$to" = core ] || [ "$to" = num ] || [ "$to" = "$from" ] || [ "$inc" = io/events.h ] ;;
  esac
}

why() { # from-folder target-folder: the rule that was broken
  case $1 in
  cli) echo "cli/ includes only strata.h (and its own headers)" ;;
  core) echo "core/ includes only core/" ;;
  num) echo "num/ includes only core/ and num/" ;;
  io) echo "io/ includes no stage" ;;
  pipeline) echo "the library does not include cli/" ;;
  *) if is_stage "$2"; then echo "only pipeline/ includes several stages"
     else echo "src/<stage>/ includes only core/, num/, io/events.h and its own headers"; fi ;;
  esac
}

grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' src/*/*.c src/*/*.h cli/*.c cli/*.h >"$tmp" 2>/dev/null
fail=0
while IFS= read -r line; do
  file=${line%%:*}
  rest=${line#*:}
  lno=${rest%%:*}
  inc=$(printf '%s\n' "${rest#*:}" | sed 's/^[^"]*"\([^"]*\)".*/\1/')
  case $file in
  cli/*) from=cli ;;
  *) from=${file#src/}; from=${from%%/*} ;;
  esac
  case $inc in
  strata.h) to=strata ;;
  */*) to=${inc%%/*} ;;
  *) to=$from ;; # a header beside the file
  esac
  allowed "$from" "$inc" "$to" && continue
  if [ -f "$ALLOW" ] && grep -q "^$file $inc\([[:space:]]\|$\)" "$ALLOW"; then
    echo "$file $inc" >>"$tmp.used"
    continue
  fi
  echo "$file:$lno: includes \"$inc\": $(why "$from" "$to") (docs/architecture.md)"
  fail=1
done <"$tmp"

if [ -f "$ALLOW" ]; then
  grep -v '^[[:space:]]*\(#\|$\)' "$ALLOW" | while read -r f i _; do
    grep -qx "$f $i" "$tmp.used" || echo "note: $ALLOW: '$f $i' matches no include any more; remove it"
  done
fi
[ $fail = 0 ] && echo "layering: every include in src/ and cli/ follows the rule"
exit $fail
