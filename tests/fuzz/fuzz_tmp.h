/*
** fuzz_tmp.h -- a private temporary file per fuzzing process, for targets whose entry point reads or
** writes a path (POLICY.json, the MDP.json round trip). Created once with mkstemp; removed at exit.
*/
#ifndef STRATA_FUZZ_TMP_H
#define STRATA_FUZZ_TMP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_tmp_path[64];

static inline void fuzz_tmp_remove(void) { unlink(fuzz_tmp_path); }

/* The path of the process's temporary file, or NULL when none can be made. */
static inline const char *fuzz_tmp(void)
{
    if (!fuzz_tmp_path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(fuzz_tmp_path, sizeof fuzz_tmp_path, "%s/strata_fuzz_XXXXXX",
                 dir && dir[0] && strlen(dir) < 32 ? dir : "/tmp");
        int fd = mkstemp(fuzz_tmp_path);
        if (fd < 0) {
            fuzz_tmp_path[0] = '\0';
            return NULL;
        }
        close(fd);
        atexit(fuzz_tmp_remove);
    }
    return fuzz_tmp_path;
}

/* Writes size bytes to the temporary file; its path, or NULL on failure. */
static inline const char *fuzz_tmp_write(const void *data, size_t size)
{
    const char *path = fuzz_tmp();
    if (!path) return NULL;
    FILE *fp = fopen(path, "wb");
    if (!fp) return NULL;
    int bad = size && fwrite(data, 1, size, fp) != size;
    bad |= fclose(fp) != 0;
    return bad ? NULL : path;
}

#endif
