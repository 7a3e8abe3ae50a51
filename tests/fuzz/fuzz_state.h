/*
** fuzz_state.h -- the driver shared by the fuzz targets of serialized partial states (core/serial.h frames):
** the input is tried as it is, and again with the frame's payload length and CRC-32 rewritten to match what
** follows the kind, so mutations reach the payload checks instead of stopping at the checksum.
*/
#ifndef STRATA_FUZZ_STATE_H
#define STRATA_FUZZ_STATE_H

#include "strata.h"
#include "core/serial.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int fuzz_state(const uint8_t *data, size_t size, void (*try_state)(st_context *, const char *, size_t))
{
    st_context *ctx;
    if (st_context_new(&ctx) != ST_OK) return 0;
    try_state(ctx, (const char *)data, size);
    size_t head = size >= 12 ? 24 + (size_t)data[8] : SIZE_MAX;
    if (size >= 12 && data[9] == 0 && data[10] == 0 && data[11] == 0 && head <= size) {
        unsigned char *c = malloc(size);
        if (c) {
            memcpy(c, data, size);
            uint64_t L = size - head;
            uint32_t crc = st__crc32(c + head, size - head);
            for (int k = 0; k < 8; k++) c[head - 12 + (size_t)k] = (unsigned char)(L >> (8 * k));
            for (int k = 0; k < 4; k++) c[head - 4 + (size_t)k] = (unsigned char)(crc >> (8 * k));
            try_state(ctx, (const char *)c, size);
            free(c);
        }
    }
    st_context_free(ctx);
    return 0;
}

#endif
