/*
** replay_main.c -- runs a fuzz target's LLVMFuzzerTestOneInput over saved inputs, so the corpus (and every
** crash reproducer added to it) runs under ctest with any compiler, without libFuzzer.
** Usage: replay_<name> PATH...   (files, or directories read recursively; names starting with '.' skipped)
*/
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *path, size_t *count)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "replay: %s: cannot open\n", path);
        return 1;
    }
    size_t len = 0, cap = 4096;
    unsigned char *data = malloc(cap);
    for (;;) {
        if (!data) {
            fclose(fp);
            fprintf(stderr, "replay: %s: out of memory\n", path);
            return 1;
        }
        len += fread(data + len, 1, cap - len, fp);
        if (len < cap) break;
        cap *= 2;
        unsigned char *nd = realloc(data, cap);
        if (!nd) free(data);
        data = nd;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(data);
        fprintf(stderr, "replay: %s: read error\n", path);
        return 1;
    }
    /* an exact-size copy, so that AddressSanitizer catches reads past the input as libFuzzer would */
    unsigned char *exact = malloc(len ? len : 1);
    if (!exact) {
        free(data);
        return 1;
    }
    if (len) memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    (*count)++;
    return 0;
}

static int replay_path(const char *path, size_t *count)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "replay: %s: no such file or directory\n", path);
        return 1;
    }
    if (!S_ISDIR(sb.st_mode)) return replay_file(path, count);
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "replay: %s: cannot open directory\n", path);
        return 1;
    }
    int failures = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.') continue;
        size_t n = strlen(path) + strlen(de->d_name) + 2;
        char *child = malloc(n);
        if (!child) {
            failures++;
            break;
        }
        snprintf(child, n, "%s/%s", path, de->d_name);
        failures += replay_path(child, count);
        free(child);
    }
    closedir(dir);
    return failures;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    size_t count = 0;
    int failures = 0;
    for (int i = 1; i < argc; i++) failures += replay_path(argv[i], &count);
    printf("replayed %zu inputs%s\n", count, failures ? " (some paths could not be read)" : "");
    return failures ? 1 : 0;
}
