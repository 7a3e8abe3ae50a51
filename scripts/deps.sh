#!/bin/sh
# Installs what Strata needs from Debian's packages, only when missing.
#   scripts/deps.sh          build dependencies (compiler, CMake, zlib)
#   scripts/deps.sh --test   also what the test suite uses (Python oracles)
# Each package and why:
#   gcc make cmake pkg-config   the build (C11, CMake + CTest, pkg-config smoke test of the install)
#   zlib1g-dev                  reading .gz event logs (the only library dependency)
#   python3 python3-numpy python3-scipy python3-sklearn python3-pandas python3-statsmodels
#                               test oracles: independent computations the tests compare against
#   python3-torch               the oracle of the learn stage's networks (tests/scripts/mlp_torch.sh)
#   scripts/deps.sh --fuzz      clang libclang-rt-14-dev: libFuzzer + sanitizer runtimes for tests/fuzz (cmake -DSTRATA_FUZZ=ON
#                               -DCMAKE_C_COMPILER=clang); the corpus replay itself builds with gcc
#   scripts/deps.sh --bench     bench/: time (/usr/bin/time for peak RSS), the Python and R peers, nodejs npm (DuckDB's Node API,
#                               then `npm install --prefix bench`), python3-pandas (the pandas peer)
set -e
pkgs="gcc make cmake pkg-config zlib1g-dev"
if [ "$1" = "--test" ]; then
  pkgs="$pkgs python3 python3-numpy python3-scipy python3-sklearn python3-pandas python3-statsmodels python3-torch gzip"
fi
if [ "$1" = "--fuzz" ]; then
  pkgs="$pkgs clang libclang-rt-14-dev"
fi
if [ "$1" = "--bench" ]; then
  pkgs="$pkgs time python3 python3-pandas python3-sklearn python3-scipy r-cran-kohonen"
  command -v npm >/dev/null || pkgs="$pkgs nodejs npm" # a Node.js from elsewhere (nodesource) is fine
fi
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "scripts/deps.sh: installing:$missing"
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "scripts/deps.sh: run as root, or install:$missing" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
${SUDO:-} apt-get update -qq
${SUDO:-} apt-get install -y -qq --no-install-recommends $missing >/dev/null
