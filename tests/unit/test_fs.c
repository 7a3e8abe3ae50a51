/*
** test_fs.c -- core/fs: mkdir -p (nested, existing, a file in the way, an empty path) and reading a whole
** stream (contents, the size limit); the atomic writer is covered through test_buf and the CLI tests.
*/
#include "core/internal.h"
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(void)
{
    st_context *ctx = NULL;
    CHECK(st_context_new(&ctx) == ST_OK);
    char root[] = "/tmp/strata_fs_XXXXXX";
    if (!mkdtemp(root)) return T_SKIP;
    char p[512];

    snprintf(p, sizeof p, "%s/a/b//c/", root);
    CHECK(st__mkdirs(ctx, p) == ST_OK);
    snprintf(p, sizeof p, "%s/a/b/c", root);
    CHECK(is_dir(p));
    CHECK(st__mkdirs(ctx, p) == ST_OK); /* existing: fine */

    snprintf(p, sizeof p, "%s/file", root);
    FILE *fp = fopen(p, "wb");
    CHECK(fp != NULL);
    if (fp) {
        fputs("0123456789", fp);
        fclose(fp);
    }
    CHECK(st__mkdirs(ctx, p) == ST_EIO);
    CHECK(strstr(st_errmsg(ctx), "not a directory") != NULL);
    snprintf(p, sizeof p, "%s/file/sub", root);
    CHECK(st__mkdirs(ctx, p) == ST_EIO);
    CHECK(st__mkdirs(ctx, "") == ST_EINVAL);

    snprintf(p, sizeof p, "%s/file", root);
    fp = fopen(p, "rb");
    char *data = NULL;
    size_t len = 0, cap = 0;
    CHECK(fp && st__read_stream(ctx, fp, "file", 1000, &data, &len, &cap) == ST_OK);
    CHECK_EQ_INT(len, 10);
    CHECK(data && memcmp(data, "0123456789", 10) == 0);
    st__free(ctx, data, cap);
    if (fp) rewind(fp);
    data = NULL;
    len = cap = 0;
    CHECK(fp && st__read_stream(ctx, fp, "file", 4, &data, &len, &cap) == ST_ELIMIT);
    st__free(ctx, data, cap);
    if (fp) fclose(fp);

    snprintf(p, sizeof p, "rm -rf '%s'", root);
    CHECK(system(p) == 0);
    st_context_free(ctx);
    T_DONE();
}
