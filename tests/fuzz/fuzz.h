/*
** fuzz.h -- the libFuzzer entry point every tests/fuzz/fuzz_<name>.c defines. The same file links either
** with libFuzzer (fuzz.cmake, STRATA_FUZZ=ON) or with replay_main.c (ctest replays the saved corpus).
*/
#ifndef STRATA_FUZZ_H
#define STRATA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
