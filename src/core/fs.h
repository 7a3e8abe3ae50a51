/*
** fs.h -- the library's file-system helpers: create a directory with its parents, read a whole stream,
** and write outputs atomically (temp name beside the target, rename on success). core/internal.h includes
** this header, so every library file has them.
*/
#ifndef STRATA_CORE_FS_H
#define STRATA_CORE_FS_H

#include "strata.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Creates directory path and any missing parents (mkdir -p, mode 0777 before the umask). An existing
** directory is fine; an existing non-directory gives ST_EIO "<path>: not a directory", a failed mkdir
** ST_EIO "<dir>: cannot create: <reason>" naming the component that failed. */
st_status st__mkdirs(st_context *ctx, const char *path);

/* One directory (its parent must exist): an existing directory is fine, an existing non-directory gives
** ST_EIO "<dir>: exists and is not a directory", a failed mkdir ST_EIO "<dir>: cannot create: <reason>". */
st_status st__mkdir(st_context *ctx, const char *dir);

/* Reads all of fp (a pipe, a terminal, standard input, or a file) into *data, growing it through the
** context's allocator; *len receives the bytes read and *cap the allocation (free with st__free(ctx,
** *data, *cap)). *data, *len and *cap must start as NULL, 0, 0 (or an earlier buffer to append to).
** More than max bytes gives ST_ELIMIT; name labels the messages. No NUL is appended. */
st_status st__read_stream(st_context *ctx, FILE *fp, const char *name, size_t max, char **data, size_t *len,
                          size_t *cap);

/* Writes n bytes to path atomically (temp file beside it + rename; "-" = stdout). */
st_status st__write_file_atomic(st_context *ctx, const char *path, const void *data, size_t n);

/* An output file being written atomically: opened on a temp name, renamed on commit, removed on abort.
** A target that exists and is not a regular file (a device such as /dev/null, a FIFO) is written in place:
** renaming over it would replace the device with a file. */
typedef struct st_atomic_file {
    void *fp; /* FILE * */
    char *final_path;
    char *tmp_path;
    bool is_stdout;
    bool direct; /* the target exists and is not a regular file (/dev/null, a FIFO): written in place */
} st_atomic_file;

st_status st__atomic_open(st_context *ctx, const char *path, st_atomic_file *af);
st_status st__atomic_commit(st_context *ctx, st_atomic_file *af);
void st__atomic_abort(st_context *ctx, st_atomic_file *af);

#endif
