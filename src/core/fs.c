/*
** fs.c -- file-system helpers: mkdir -p, reading a whole stream into the context's memory, and atomic
** outputs (temp name beside the target, rename on success) so nothing is ever half-written.
*/
#define _XOPEN_SOURCE 700 /* realpath */
#include "core/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

st_status st__mkdir(st_context *ctx, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? ST_OK : st__error(ctx, ST_EIO, "%s: exists and is not a directory", dir);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return st__error(ctx, ST_EIO, "%s: cannot create: %s", dir, strerror(errno));
    return ST_OK;
}

st_status st__mkdirs(st_context *ctx, const char *path)
{
    if (!path || !*path) return st__error(ctx, ST_EINVAL, "directory path is empty");
    char *p = st__strdup(ctx, path);
    if (!p) return ST_ENOMEM;
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') p[--n] = '\0';
    st_status rc = ST_OK;
    /* each parent in turn (skipping the root and repeated slashes), then the directory itself */
    for (size_t i = 1; i < n && !rc; i++)
        if (p[i] == '/' && p[i - 1] != '/') {
            p[i] = '\0';
            rc = st__mkdir(ctx, p);
            p[i] = '/';
        }
    if (!rc) rc = st__mkdir(ctx, p);
    st__free(ctx, p, strlen(path) + 1);
    return rc;
}

st_status st__read_stream(st_context *ctx, FILE *fp, const char *name, size_t max, char **data, size_t *len,
                          size_t *cap)
{
    for (;;) {
        if (*len == *cap) {
            if (*cap > max) {
                if (max % ((size_t)1 << 30) == 0)
                    return st__error(ctx, ST_ELIMIT, "%s: input larger than %zu GiB", name, max >> 30);
                return st__error(ctx, ST_ELIMIT, "%s: input larger than %zu bytes", name, max);
            }
            size_t ncap = *cap ? *cap * 2 : 65536;
            if (ncap > max + 1) ncap = max + 1;
            char *nd = st__realloc_array(ctx, *data, *cap, ncap, 1);
            if (!nd) return ST_ENOMEM;
            *data = nd;
            *cap = ncap;
        }
        size_t got = fread(*data + *len, 1, *cap - *len, fp);
        *len += got;
        if (got == 0) {
            if (ferror(fp)) return st__error(ctx, ST_EIO, "%s: read error: %s", name, strerror(errno));
            return ST_OK;
        }
    }
}

st_status st__atomic_open(st_context *ctx, const char *path, st_atomic_file *af)
{
    memset(af, 0, sizeof *af);
    if (!path || !*path) return st__error(ctx, ST_EINVAL, "output path is empty");
    if (strcmp(path, "-") == 0) {
        af->fp = stdout;
        af->is_stdout = true;
        return ST_OK;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* stat follows links: /dev/stdout, a link to a FIFO, ... are written in place too */
        if (S_ISDIR(st.st_mode)) return st__error(ctx, ST_EIO, "%s: is a directory", path);
        FILE *fp = fopen(path, "wb");
        if (!fp) return st__error(ctx, ST_EIO, "%s: cannot open: %s", path, strerror(errno));
        af->fp = fp;
        af->direct = true;
        return ST_OK;
    }
    /* A link to a regular file: replace the file it points to, not the link. */
    char *resolved = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) resolved = realpath(path, NULL);
    if (resolved) path = resolved;
    size_t n = strlen(path);
    af->final_path = st__strdup(ctx, path);
    free(resolved); /* realpath's memory is the C library's, not the hook's */
    if (af->final_path) path = af->final_path;
    af->tmp_path = st__malloc(ctx, n + 32);
    if (!af->final_path || !af->tmp_path) {
        st__free(ctx, af->final_path, 0);
        st__free(ctx, af->tmp_path, 0);
        return ST_ENOMEM;
    }
    snprintf(af->tmp_path, n + 32, "%s.tmp.%ld", path, (long)getpid());
    FILE *fp = fopen(af->tmp_path, "wb");
    if (!fp) {
        /* path may be final_path: report before freeing it */
        st_status rc = st__error(ctx, ST_EIO, "%s: cannot create: %s", path, strerror(errno));
        st__free(ctx, af->final_path, 0);
        st__free(ctx, af->tmp_path, 0);
        af->final_path = af->tmp_path = NULL;
        return rc;
    }
    af->fp = fp;
    return ST_OK;
}

st_status st__atomic_commit(st_context *ctx, st_atomic_file *af)
{
    FILE *fp = af->fp;
    if (af->is_stdout) {
        if (fflush(fp) != 0 || ferror(fp)) return st__error(ctx, ST_EIO, "standard output: write failed");
        return ST_OK;
    }
    if (af->direct) {
        af->fp = NULL;
        int bad = ferror(fp);
        if (fclose(fp) != 0 || bad) return st__error(ctx, ST_EIO, "write failed");
        return ST_OK;
    }
    int bad = ferror(fp);
    int e = 0;
    if (fclose(fp) != 0) {
        bad = 1;
        e = errno;
    }
    af->fp = NULL;
    st_status rc = ST_OK;
    if (bad) {
        rc = st__error(ctx, ST_EIO, "%s: write failed%s%s", af->final_path, e ? ": " : "", e ? strerror(e) : "");
        remove(af->tmp_path);
    } else if (rename(af->tmp_path, af->final_path) != 0) {
        e = errno;
        rc = st__error(ctx, ST_EIO, "%s: cannot rename into place: %s", af->final_path, strerror(e));
        remove(af->tmp_path);
    }
    st__free(ctx, af->final_path, 0);
    st__free(ctx, af->tmp_path, 0);
    af->final_path = af->tmp_path = NULL;
    return rc;
}

void st__atomic_abort(st_context *ctx, st_atomic_file *af)
{
    if (af->is_stdout) return;
    if (af->fp) fclose(af->fp);
    af->fp = NULL;
    if (af->direct) return;
    if (af->tmp_path) remove(af->tmp_path);
    st__free(ctx, af->final_path, 0);
    st__free(ctx, af->tmp_path, 0);
    af->fp = NULL;
    af->final_path = af->tmp_path = NULL;
}

st_status st__write_file_atomic(st_context *ctx, const char *path, const void *data, size_t n)
{
    st_atomic_file af;
    st_status rc = st__atomic_open(ctx, path, &af);
    if (rc) return rc;
    if (n && fwrite(data, 1, n, af.fp) != n) {
        st__atomic_abort(ctx, &af);
        return st__error(ctx, ST_EIO, "%s: write failed", path);
    }
    return st__atomic_commit(ctx, &af);
}

st_status st_file_write_atomic(st_context *ctx, const char *path, const void *data, size_t len)
{
    if (!ctx) return ST_EINVAL;
    if (!path || (!data && len)) return st__error(ctx, ST_EINVAL, "st_file_write_atomic: NULL argument");
    return st__write_file_atomic(ctx, path, data ? data : "", len);
}
