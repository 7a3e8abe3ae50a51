/*
** stages.c -- the helpers every stage of `strata run` shares (declared in stages.h): joining a path under
** the output directory and recording a skipped stage in summary.json. Kept out of run.c so the stages
** depend on this file, not on the driver that calls them.
*/
#include "pipeline/stages.h"

#include <string.h>

char *st__path_join(st_context *ctx, const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = st__malloc(ctx, a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a && dir[a - 1] != '/') p[k++] = '/';
    memcpy(p + k, name, b + 1);
    return p;
}

st_status st__stage_skip(st_stage_env *env, const char *stage, const char *why)
{
    st_jw *w = env->summary;
    st__jw_key(w, stage);
    st__jw_begin_object(w);
    st__jw_kv_str(w, "skipped", why);
    st__jw_end_object(w);
    bool ok = st__jw_ok(w);
    return ok ? ST_OK : ST_ENOMEM;
}
