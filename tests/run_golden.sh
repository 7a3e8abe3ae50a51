#!/bin/sh
# Runs one golden CLI test: DIR/cmd is a shell line (with $STRATA for the program) run inside DIR;
# its standard output must equal DIR/stdout (when present), standard error DIR/stderr (when present; or
# contain each line of DIR/stderr_contains), and its exit status DIR/status (default 0).
# A test that needs ../shared/data writes "needs-shared" in DIR/requires and is skipped when absent.
STRATA=$1
DIR=$2
export STRATA
cd "$DIR" || exit 1
if [ -f requires ] && grep -q needs-shared requires && [ ! -d "$(dirname "$0")/../../shared/data" ]; then
  echo "skipped: ../shared/data is absent"; exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
STRATA_PROGRESS=0 sh ./cmd >"$tmp/out" 2>"$tmp/err"
rc=$?
want=0
[ -f status ] && want=$(cat status)
fail=0
if [ "$rc" != "$want" ]; then echo "exit status $rc, expected $want"; fail=1; fi
if [ -f stdout ] && ! cmp -s stdout "$tmp/out"; then echo "stdout differs:"; diff stdout "$tmp/out" | head -40; fail=1; fi
if [ -f stderr ] && ! cmp -s stderr "$tmp/err"; then echo "stderr differs:"; diff stderr "$tmp/err" | head -40; fail=1; fi
if [ -f stderr_contains ]; then
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    if ! grep -qF -- "$line" "$tmp/err"; then echo "stderr lacks: $line"; fail=1; fi
  done < stderr_contains
fi
if [ $fail = 1 ]; then echo "--- stderr was:"; head -20 "$tmp/err"; fi
exit $fail
