#!/bin/sh
# Installs what Strata needs from Debian's packages, only when missing.
#   scripts/deps.sh          build dependencies (compiler, CMake, zlib)
#   scripts/deps.sh --test   also what the test suite uses (Python oracles, clang for the fuzzers' replay)
# Each package and why:
#   gcc make cmake pkg-config   the build (C11, CMake + CTest, pkg-config smoke test of the install)
#   zlib1g-dev                  reading .gz event logs (the only library dependency)
#   python3 python3-numpy python3-scipy python3-sklearn python3-pandas
#                               test oracles: independent computations the tests compare against
set -e
pkgs="gcc make cmake pkg-config zlib1g-dev"
if [ "$1" = "--test" ]; then
  pkgs="$pkgs python3 python3-numpy python3-scipy python3-sklearn python3-pandas gzip"
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
