# Thin convenience wrapper over CMake + CTest; the README's two commands are `make demo` and `make check`.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= 2

.PHONY: all demo check test asan install-check bench clean

all: $(BUILD)/strata

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

$(BUILD)/strata: FORCE $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

FORCE:

# Builds and runs the main job on the data set that ships with Strata.
demo:
	sh scripts/deps.sh
	$(MAKE) all
	$(BUILD)/strata demo -o strata-demo

# The whole test suite: release build (warnings are errors), the same suite under ASan + UBSan,
# and an install + pkg-config smoke test.
check:
	sh scripts/deps.sh --test
	$(MAKE) test asan install-check

test: all
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest -j $(JOBS) --output-on-failure

install-check: all
	sh tests/install_check.sh $(BUILD)

bench: all
	sh bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) strata-demo
