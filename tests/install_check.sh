#!/bin/sh
# Installs the built library into a temporary prefix and builds the README's C example against it with
# pkg-config, statically and dynamically, then runs both: what a user of the library does first.
set -e
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cmake --install "$BUILD" --prefix "$tmp/prefix" >/dev/null
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig:$tmp/prefix/lib64/pkgconfig:$tmp/prefix/lib/x86_64-linux-gnu/pkgconfig"
cc -std=c11 -Wall -Werror -o "$tmp/example" "$SRC/examples/summarize.c" $(pkg-config --cflags --libs strata)
cc -std=c11 -Wall -Werror -o "$tmp/example_static" "$SRC/examples/summarize.c" $(pkg-config --cflags --static strata) \
  "$(pkg-config --variable=libdir strata)/libstrata.a" $(pkg-config --libs-only-l --static strata | sed 's/-lstrata//')
printf 'customer_id,date,amount\n1,2024-01-01,5\n1,2024-01-08,7.5\n2,2024-01-03,3\n' > "$tmp/events.csv"
LD_LIBRARY_PATH="$(pkg-config --variable=libdir strata)" "$tmp/example" "$tmp/events.csv" > "$tmp/out1"
"$tmp/example_static" "$tmp/events.csv" > "$tmp/out2"
cmp "$tmp/out1" "$tmp/out2"
grep -q "^2 customers" "$tmp/out1" || { cat "$tmp/out1"; exit 1; }
# CMake users: find_package(strata)
mkdir -p "$tmp/cm"
cat > "$tmp/cm/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.16)
project(use_strata C)
find_package(strata 0.1 REQUIRED)
add_executable(example $SRC/examples/summarize.c)
target_link_libraries(example PRIVATE strata::strata_static)
CM
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cm/build" >/dev/null
"$tmp/cm/build/example" "$tmp/events.csv" > "$tmp/out3"
cmp "$tmp/out1" "$tmp/out3"
[ -x "$tmp/prefix/bin/strata" ] && [ -f "$tmp/prefix/include/strata.h" ] && [ -f "$tmp/prefix/share/strata/demo/events.csv.gz" ]
echo "install check: 1 passed, 0 failed"
