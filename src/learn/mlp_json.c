/*
** mlp_json.c -- MODEL.json of a network ("format": "strata-mlp", version 1): architecture, weights in
** PyTorch's layout (one row per unit), biases and the feature transform carried verbatim. Numbers are
** written in their shortest round-trip form, so a write and a read give bit-identical parameters.
*/
#include "learn/mlp_internal.h"
#include "core/json.h"

#include <math.h>
#include <string.h>

#define MLP_FORMAT "strata-mlp"
#define MLP_VERSION 1

static bool write_model(st_jw *w, const st_mlp *m, const st_json *transform)
{
    st__jw_begin_object(w);
    st__jw_kv_str(w, "format", MLP_FORMAT);
    st__jw_kv_int(w, "version", MLP_VERSION);
    st__jw_key(w, "sizes");
    st__jw_begin_array_inline(w);
    for (size_t i = 0; i <= m->L; i++) st__jw_int(w, (long long)m->sizes[i]);
    st__jw_end_array(w);
    st__jw_key(w, "activations");
    st__jw_begin_array_inline(w);
    for (size_t l = 0; l + 1 < m->L; l++) st__jw_string(w, st__mlp_act_name(m->act[l]));
    st__jw_end_array(w);
    st__jw_kv_str(w, "output", st__mlp_output_name(m->output));
    st__jw_kv_int(w, "parameters", (long long)m->nparams);
    st__jw_key(w, "layers");
    st__jw_begin_array(w);
    for (size_t l = 0; l < m->L; l++) {
        size_t in = m->sizes[l], no = m->sizes[l + 1];
        const double *W = m->params + m->woff[l], *b = m->params + m->boff[l];
        st__jw_begin_object(w);
        st__jw_key(w, "weights");
        st__jw_begin_array(w);
        for (size_t j = 0; j < no; j++) {
            st__jw_begin_array_inline(w);
            for (size_t k = 0; k < in; k++) st__jw_number(w, W[j * in + k]);
            st__jw_end_array(w);
        }
        st__jw_end_array(w);
        st__jw_key(w, "bias");
        st__jw_begin_array_inline(w);
        for (size_t j = 0; j < no; j++) st__jw_number(w, b[j]);
        st__jw_end_array(w);
        st__jw_end_object(w);
    }
    st__jw_end_array(w);
    st__jw_key(w, "transform");
    if (transform) st__jw_value(w, transform);
    else st__jw_null(w);
    return st__jw_end_object(w);
}

st_status st_mlp_to_json(st_context *ctx, const st_mlp *m, char **json, size_t *len)
{
    if (json) *json = NULL;
    if (!m || !json) return st__error(ctx, ST_EINVAL, "mlp to JSON: NULL network or out");
    st_json *tr = NULL;
    st_status rc;
    if (m->transform && (rc = st__json_parse(ctx, m->transform, m->transform_len, "transform", &tr))) return rc;
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    write_model(&w, m, tr);
    st__json_free(ctx, tr);
    return st__jw_finish(&w, "mlp to JSON", json, len);
}

st_status st_mlp_to_json_file(st_context *ctx, const st_mlp *m, const char *path)
{
    if (!m || !path) return st__error(ctx, ST_EINVAL, "mlp to JSON: NULL network or path");
    char *text;
    size_t len;
    st_status rc = st_mlp_to_json(ctx, m, &text, &len);
    if (rc) return rc;
    rc = st_file_write_atomic(ctx, path, text, len);
    st_free(ctx, text);
    return rc;
}

/* ---- reading ---- */

static bool get_size(const st_json *v, size_t *out)
{
    double d = st__json_number(v);
    if (!(d >= 0.0 && d <= 1e15) || d != floor(d)) return false;
    *out = (size_t)d;
    return true;
}

static bool act_from_name(const char *s, st_activation *out)
{
    static const st_activation all[] = {ST_ACT_IDENTITY, ST_ACT_RELU, ST_ACT_TANH, ST_ACT_SIGMOID};
    for (size_t i = 0; s && i < sizeof all / sizeof *all; i++)
        if (strcmp(s, st__mlp_act_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    return false;
}

static bool output_from_name(const char *s, st_mlp_output *out)
{
    static const st_mlp_output all[] = {ST_MLP_OUT_IDENTITY, ST_MLP_OUT_SIGMOID, ST_MLP_OUT_SOFTMAX};
    for (size_t i = 0; s && i < sizeof all / sizeof *all; i++)
        if (strcmp(s, st__mlp_output_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    return false;
}

/* The n numbers of the array v (its shape checked already) into dst; each must be finite. */
static st_status read_numbers(st_context *ctx, const st_json *v, size_t n, double *dst, const char *name,
                              const char *what, size_t l)
{
    for (size_t k = 0; k < n; k++) {
        const st_json *e = st__json_at(v, k);
        double d = st__json_number(e);
        if (st__json_type(e) != ST_JSON_NUMBER || !isfinite(d))
            return st__error(ctx, ST_EFORMAT, "%s: layer %zu: %s entry %zu is not a finite number", name, l, what, k);
        dst[k] = d;
    }
    return ST_OK;
}

static st_status build(st_context *ctx, const st_json *root, const char *name, st_mlp **out)
{
    if (st__json_type(root) != ST_JSON_OBJECT)
        return st__error(ctx, ST_EFORMAT, "%s: expected a JSON object at the top level", name);
    const st_json *f = st__json_get(root, "format");
    if (f && (st__json_type(f) != ST_JSON_STRING || strcmp(st__json_string(f), MLP_FORMAT) != 0))
        return st__error(ctx, ST_EFORMAT, "%s: \"format\" must be \"%s\"", name, MLP_FORMAT);
    const st_json *v = st__json_get(root, "version");
    if (v && !(st__json_type(v) == ST_JSON_NUMBER && st__json_number(v) == MLP_VERSION))
        return st__error(ctx, ST_EFORMAT, "%s: unsupported \"version\" (this build reads version %d)", name, MLP_VERSION);
    const st_json *js = st__json_get(root, "sizes"), *ja = st__json_get(root, "activations");
    const st_json *jo = st__json_get(root, "output"), *jl = st__json_get(root, "layers");
    size_t ns = st__json_len(js);
    if (st__json_type(js) != ST_JSON_ARRAY || ns < 2 || ns > ST_MLP_MAX_LAYERS + 1)
        return st__error(ctx, ST_EFORMAT, "%s: \"sizes\" must be an array of 2 .. %u layer sizes", name,
                         ST_MLP_MAX_LAYERS + 1);
    size_t sizes[ST_MLP_MAX_LAYERS + 1];
    st_activation acts[ST_MLP_MAX_LAYERS];
    for (size_t i = 0; i < ns; i++)
        if (!get_size(st__json_at(js, i), &sizes[i]))
            return st__error(ctx, ST_EFORMAT, "%s: \"sizes\"[%zu] is not a size", name, i);
    if (st__json_type(ja) != ST_JSON_ARRAY || st__json_len(ja) != ns - 2)
        return st__error(ctx, ST_EFORMAT, "%s: \"activations\" must list the %zu hidden layers' activations", name,
                         ns - 2);
    for (size_t l = 0; l + 2 < ns; l++)
        if (!act_from_name(st__json_string(st__json_at(ja, l)), &acts[l]))
            return st__error(ctx, ST_EFORMAT, "%s: \"activations\"[%zu] is not identity, relu, tanh or sigmoid", name, l);
    st_mlp_output o;
    if (!output_from_name(st__json_string(jo), &o))
        return st__error(ctx, ST_EFORMAT, "%s: \"output\" must be \"identity\", \"sigmoid\" or \"softmax\"", name);
    if (st__json_type(jl) != ST_JSON_ARRAY || st__json_len(jl) != ns - 1)
        return st__error(ctx, ST_EFORMAT, "%s: \"layers\" must be an array of %zu layers", name, ns - 1);
    /* the shapes first: a few bytes of "sizes" must not make us allocate a large network */
    for (size_t l = 0; l + 1 < ns; l++) {
        const st_json *lay = st__json_at(jl, l), *jw = st__json_get(lay, "weights"), *jb = st__json_get(lay, "bias");
        if (st__json_type(jw) != ST_JSON_ARRAY || st__json_len(jw) != sizes[l + 1])
            return st__error(ctx, ST_EFORMAT, "%s: layer %zu: \"weights\" must be an array of %zu rows", name, l,
                             sizes[l + 1]);
        for (size_t j = 0; j < sizes[l + 1]; j++)
            if (st__json_type(st__json_at(jw, j)) != ST_JSON_ARRAY || st__json_len(st__json_at(jw, j)) != sizes[l])
                return st__error(ctx, ST_EFORMAT, "%s: layer %zu: \"weights\" row %zu must be an array of %zu numbers",
                                 name, l, j, sizes[l]);
        if (st__json_type(jb) != ST_JSON_ARRAY || st__json_len(jb) != sizes[l + 1])
            return st__error(ctx, ST_EFORMAT, "%s: layer %zu: \"bias\" must be an array of %zu numbers", name, l,
                             sizes[l + 1]);
    }
    st_mlp *m;
    st_status rc = st__mlp_alloc(ctx, sizes, ns, acts, o, &m);
    if (rc) return rc;
    const st_json *np = st__json_get(root, "parameters");
    size_t npv;
    if (np && (!get_size(np, &npv) || npv != m->nparams)) {
        size_t want = m->nparams;
        st_mlp_free(m);
        return st__error(ctx, ST_EFORMAT, "%s: \"parameters\" does not match the sizes (%zu parameters)", name, want);
    }
    for (size_t l = 0; l < m->L && !rc; l++) {
        const st_json *lay = st__json_at(jl, l), *jw = st__json_get(lay, "weights");
        size_t in = m->sizes[l], no = m->sizes[l + 1];
        for (size_t j = 0; j < no && !rc; j++)
            rc = read_numbers(ctx, st__json_at(jw, j), in, m->params + m->woff[l] + j * in, name, "weights", l);
        if (!rc) rc = read_numbers(ctx, st__json_get(lay, "bias"), no, m->params + m->boff[l], name, "bias", l);
    }
    const st_json *tr = st__json_get(root, "transform");
    if (!rc && tr && st__json_type(tr) != ST_JSON_NULL) {
        st_buf b;
        st__buf_init(&b, ctx);
        st_jw w;
        st__jw_init(&w, &b, 0);
        st__jw_value(&w, tr);
        char *text = NULL;
        size_t len = 0;
        if (!(rc = st__jw_finish(&w, "mlp transform", &text, &len))) {
            text[--len] = '\0'; /* the finishing newline */
            m->transform = text;
            m->transform_len = len;
        }
    }
    if (rc) {
        st_mlp_free(m);
        return rc;
    }
    *out = m;
    return ST_OK;
}

st_status st_mlp_from_json(st_context *ctx, const char *text, size_t len, const char *name, st_mlp **out)
{
    if (out) *out = NULL;
    if (!text || !out) return st__error(ctx, ST_EINVAL, "mlp from JSON: NULL text or out");
    if (!name) name = "model";
    st_json *root;
    st_status rc = st__json_parse(ctx, text, len, name, &root);
    if (rc) return rc;
    rc = build(ctx, root, name, out);
    st__json_free(ctx, root);
    return rc;
}

st_status st_mlp_from_json_file(st_context *ctx, const char *path, st_mlp **out)
{
    if (out) *out = NULL;
    if (!path || !out) return st__error(ctx, ST_EINVAL, "mlp from JSON: NULL path or out");
    st_json *root;
    st_status rc = st__json_parse_file(ctx, path, &root);
    if (rc) return rc;
    rc = build(ctx, root, path, out);
    st__json_free(ctx, root);
    return rc;
}

st_status st_mlp_set_transform(st_context *ctx, st_mlp *m, const char *text, size_t len)
{
    if (!m) return st__error(ctx, ST_EINVAL, "mlp transform: NULL network");
    if (!text) {
        st__free(m->ctx, m->transform, 0);
        m->transform = NULL;
        m->transform_len = 0;
        return ST_OK;
    }
    st_json *root;
    st_status rc = st__json_parse(ctx, text, len, "transform", &root);
    if (rc) return rc;
    st_buf b;
    st__buf_init(&b, m->ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    st__jw_value(&w, root);
    st__json_free(ctx, root);
    char *out = NULL;
    size_t n = 0;
    if ((rc = st__jw_finish(&w, "mlp transform", &out, &n))) return st__mlp_relay(ctx, m, rc);
    out[--n] = '\0';
    st__free(m->ctx, m->transform, 0);
    m->transform = out;
    m->transform_len = n;
    return ST_OK;
}

const char *st_mlp_transform(const st_mlp *m) { return m ? m->transform : NULL; }
