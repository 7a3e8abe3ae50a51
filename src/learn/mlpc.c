/*
** mlpc.c -- the network classifier of `strata classify fit --model mlp` (docs/classify.md): text labels, the
** standardised feature design, a ReLU network with a softmax output trained by Adam on the class-weighted
** cross-entropy, MODEL.json (a strata-mlp network carrying the design and classes in its transform), and
** scores; plus the epoch loop and the undoing of class weights that the two-stage model shares.
*/
#include "learn/mlpc.h"
#include "learn/design.h"
#include "core/json.h"
#include "core/parallel.h"
#include "core/strmap.h"
#include "core/table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared pieces ---- */

st_status st_mlp_train(st_context *ctx, st_mlp *m, const st_mlp_optim_options *o, const st_mlp_loss *loss,
                       const double *x, size_t n, const double *y, const double *weight, size_t batch,
                       size_t epochs, uint64_t seed, double *epoch_loss)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !loss || !x || !y || n == 0 || epochs == 0)
        return st__error(ctx, ST_EINVAL, "mlp train: NULL network, loss, input or targets, no rows or 0 epochs");
    st_mlp_optim_options def;
    if (!o) {
        st_mlp_optim_options_init(&def, ST_OPTIM_ADAM);
        o = &def;
    }
    st_mlp_optim *opt;
    st_status rc = st_mlp_optim_new(ctx, m, o, &opt);
    for (size_t e = 0; !rc && e < epochs; e++) {
        double l = NAN;
        rc = st_mlp_train_epoch(ctx, m, opt, loss, x, n, y, weight, batch, seed, e, &l);
        if (!rc && epoch_loss) epoch_loss[e] = l;
        if (!rc) rc = st__progress(ctx, "train", (double)(e + 1) / (double)epochs);
    }
    st_mlp_optim_free(opt);
    return rc;
}

st_status st_probs_unweight(st_context *ctx, double *p, size_t n, size_t k, const double *w)
{
    if (!ctx) return ST_EINVAL;
    if ((n && !p) || !w || k < 2) return st__error(ctx, ST_EINVAL, "st_probs_unweight: NULL argument or k < 2");
    for (size_t j = 0; j < k; j++)
        if (!(w[j] >= 0.0) || !isfinite(w[j]))
            return st__error(ctx, ST_EINVAL, "st_probs_unweight: class weight %zu (%g) is negative or not finite", j,
                             w[j]);
    for (size_t i = 0; i < n; i++) {
        double *r = p + i * k, s = 0.0;
        for (size_t j = 0; j < k; j++) s += w[j] > 0.0 ? r[j] / w[j] : 0.0;
        if (!(s > 0.0) || !isfinite(s)) continue;
        for (size_t j = 0; j < k; j++) r[j] = w[j] > 0.0 ? r[j] / w[j] / s : 0.0;
    }
    return ST_OK;
}

bool st__label_text(const st_table *t, size_t j, size_t i, st_buf *b)
{
    b->len = 0;
    if (!st__buf_reserve(b, 1)) return false;
    b->data[0] = '\0';
    st_coltype ty = st_table_col_type(t, j);
    if (ty == ST_COL_F64 || ty == ST_COL_DATE) return st__buf_put_double(b, st_table_f64(t, j)[i]);
    if (ty == ST_COL_I32) {
        int32_t v = st_table_i32(t, j)[i];
        return v == INT32_MIN || st__buf_printf(b, "%ld", (long)v);
    }
    const char *s = st_table_str(t, j, i);
    return st__buf_puts(b, s ? s : "");
}

typedef struct fill_job {
    const st__design_binding *b;
    double *x;
    size_t n, p, blk;
} fill_job;

static void fill_main(void *ud, size_t job, size_t worker)
{
    (void)worker;
    const fill_job *j = ud;
    size_t i = job * j->blk;
    st__design_fill(j->b, i, j->n - i < j->blk ? j->n - i : j->blk, j->x + i * j->p, j->p ? j->p : 1);
}

st_status st__design_matrix_all(st_context *ctx, const st_design *d, const st_table *t, const char *source,
                                double **x)
{
    *x = NULL;
    size_t n = st_table_nrows(t), p = st_design_ncols(d);
    if (p && n > ((size_t)1 << 40) / p) return st__error(ctx, ST_ELIMIT, "design matrix: %zu x %zu values", n, p);
    double *m = st__malloc(ctx, (n * p > 0 ? n * p : 1) * sizeof *m);
    if (!m) return ST_ENOMEM;
    st__design_binding b;
    st_status rc = st__design_bind(ctx, d, t, source, NULL, &b);
    if (rc) {
        st__free(ctx, m, 0);
        return rc;
    }
    /* in blocks of rows that stay in cache while the features are written column by column, across the
    ** context's threads (the first touch of a fresh matrix costs page faults); no block depends on another */
    fill_job job = {&b, m, n, p, st__design_block_rows(p)};
    size_t nblk = (n + job.blk - 1) / job.blk;
    st__parallel_for_n(st_context_threads(ctx), nblk, fill_main, &job);
    st__design_unbind(ctx, &b);
    *x = m;
    return ST_OK;
}

/* ---- the classifier ---- */

struct st_mlpc {
    st_context *ctx;
    st_design *d;
    st_mlp *net;
    char *label;
    char **classes;
    size_t K;
    double *cw;       /* K class weights used in training (1 when none) */
    int balanced;
    size_t *hidden, nhidden, epochs, batch;
    double lr, final_loss;
    uint64_t seed;
};

void st_mlpc_options_init(st_mlpc_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->epochs = 30;
    o->batch = 256;
    o->lr = 1e-3;
    o->seed = 1;
}

void st_mlpc_free(st_mlpc *m)
{
    if (!m) return;
    st_context *ctx = m->ctx;
    st_design_free(m->d);
    st_mlp_free(m->net);
    st__free(ctx, m->label, 0);
    for (size_t k = 0; k < m->K && m->classes; k++) st__free(ctx, m->classes[k], 0);
    st__free(ctx, m->classes, 0);
    st__free(ctx, m->cw, 0);
    st__free(ctx, m->hidden, 0);
    st__free(ctx, m, sizeof *m);
}

size_t st_mlpc_nclasses(const st_mlpc *m) { return m ? m->K : 0; }
const char *st_mlpc_class(const st_mlpc *m, size_t k) { return m && k < m->K ? m->classes[k] : NULL; }
const char *st_mlpc_label(const st_mlpc *m) { return m ? m->label : NULL; }
const st_design *st_mlpc_design(const st_mlpc *m) { return m ? m->d : NULL; }
const st_mlp *st_mlpc_network(const st_mlpc *m) { return m ? m->net : NULL; }
double st_mlpc_final_loss(const st_mlpc *m) { return m ? m->final_loss : (double)NAN; }

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The label's classes (sorted) and each row's class index into y. */
static st_status read_classes(st_context *ctx, const st_table *t, const char *src, size_t jl, st_mlpc *m, double *y)
{
    size_t n = st_table_nrows(t);
    st__strmap map;
    st__strmap_init(&map, ctx, 65536);
    st_buf b;
    st__buf_init(&b, ctx);
    uint32_t *id = st__malloc(ctx, (n ? n : 1) * sizeof *id);
    uint32_t *rank = NULL;
    st_status rc = id ? ST_OK : ST_ENOMEM;
    /* numbers: up to 64 distinct values found by value, each formatted once */
    const double *num = st_table_f64(t, jl);
    bool by_value = num != NULL;
    double dv[64];
    size_t nd = 0;
    for (size_t i = 0; i < n && !rc && by_value; i++) {
        double v = num[i];
        if (isnan(v)) {
            rc = st__error(ctx, ST_EDATA, "%s:%zu: label %s is missing", src, i + 2, m->label);
            break;
        }
        size_t j = 0;
        while (j < nd && !(dv[j] == v && signbit(dv[j]) == signbit(v))) j++;
        if (j == nd) {
            if (nd == 64) {
                by_value = false;
                break;
            }
            dv[nd++] = v;
        }
        id[i] = (uint32_t)j;
    }
    for (size_t j = 0; j < nd && !rc && by_value; j++) {
        uint32_t k;
        if (!st__buf_put_double((b.len = 0, &b), dv[j])) rc = ST_ENOMEM;
        if (!rc) rc = st__strmap_intern(&map, b.data, b.len, &k);
    }
    for (size_t i = 0; i < n && !rc && !by_value; i++) {
        if (!st__label_text(t, jl, i, &b)) {
            rc = ST_ENOMEM;
            break;
        }
        if (!b.len) {
            rc = st__error(ctx, ST_EDATA, "%s:%zu: label %s is missing", src, i + 2, m->label);
            break;
        }
        rc = st__strmap_intern(&map, b.data, b.len, &id[i]);
        if (rc == ST_ELIMIT) rc = st__error(ctx, ST_EDATA, "%s:%zu: label %s has more than 65,536 classes", src, i + 2, m->label);
    }
    if (!rc && map.n < 2) rc = st__error(ctx, ST_EDATA, "label %s of %s has a single class", m->label, src);
    if (!rc) {
        m->K = map.n;
        m->classes = st__calloc(ctx, m->K, sizeof *m->classes);
        rank = st__malloc(ctx, m->K * sizeof *rank);
        if (!m->classes || !rank) rc = ST_ENOMEM;
        for (size_t k = 0; k < m->K && !rc; k++)
            if (!(m->classes[k] = st__strdup(ctx, st__strmap_key(&map, (uint32_t)k)))) rc = ST_ENOMEM;
    }
    if (!rc) {
        qsort(m->classes, m->K, sizeof *m->classes, cmp_str);
        for (size_t k = 0; k < m->K; k++) {
            long r = st__strmap_find(&map, m->classes[k], strlen(m->classes[k]));
            rank[r] = (uint32_t)k;
        }
        for (size_t i = 0; i < n; i++) y[i] = (double)rank[id[i]];
    }
    st__free(ctx, rank, 0);
    st__free(ctx, id, 0);
    st__buf_free(&b);
    st__strmap_free(&map);
    return rc;
}

/* The design and classes as the network's transform. */
static st_status set_transform(st_context *ctx, st_mlpc *m)
{
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    st__jw_begin_object(&w);
    st__jw_kv_str(&w, "model", "classifier");
    st__jw_kv_str(&w, "label", m->label);
    st__jw_key(&w, "classes");
    st__jw_begin_array(&w);
    for (size_t k = 0; k < m->K; k++) st__jw_string(&w, m->classes[k]);
    st__jw_end_array(&w);
    st__jw_key(&w, "class_weight");
    st__jw_begin_array(&w);
    for (size_t k = 0; k < m->K; k++) st__jw_number(&w, m->cw[k]);
    st__jw_end_array(&w);
    st__jw_key(&w, "options");
    st__jw_begin_object(&w);
    st__jw_key(&w, "hidden");
    st__jw_begin_array(&w);
    for (size_t k = 0; k < m->nhidden; k++) st__jw_int(&w, (long long)m->hidden[k]);
    st__jw_end_array(&w);
    st__jw_kv_int(&w, "epochs", (long long)m->epochs);
    st__jw_kv_int(&w, "batch", (long long)m->batch);
    st__jw_kv_num(&w, "lr", m->lr);
    st__jw_kv_str(&w, "class_weight_rule", m->balanced ? "balanced" : "given");
    st__jw_kv_int(&w, "seed", (long long)m->seed);
    st__jw_end_object(&w);
    st__jw_kv_num(&w, "final_loss", m->final_loss);
    st__jw_key(&w, "design");
    st__design_write(&w, m->d);
    st__jw_end_object(&w);
    char *text;
    size_t len;
    st_status rc = st__jw_finish(&w, "classifier transform", &text, &len);
    if (rc) return rc;
    rc = st_mlp_set_transform(ctx, m->net, text, len);
    st_free(ctx, text);
    return rc;
}

st_status st_mlpc_fit(st_context *ctx, const st_table *t, const char *source, const char *label,
                      const char *const *numeric, size_t nnumeric, const char *const *categorical,
                      size_t ncategorical, const st_mlpc_options *o, st_mlpc **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!t || !label || !o || !out) return st__error(ctx, ST_EINVAL, "st_mlpc_fit: NULL argument");
    if (o->epochs == 0 || o->batch == 0 || !(o->lr > 0.0) || !isfinite(o->lr))
        return st__error(ctx, ST_EINVAL, "classify mlp: epochs and batch must be >= 1 and lr > 0");
    if (o->nhidden && !o->hidden) return st__error(ctx, ST_EINVAL, "classify mlp: NULL hidden sizes");
    if (o->nhidden > 16) return st__error(ctx, ST_EINVAL, "classify mlp: at most 16 hidden layers");
    for (size_t k = 0; k < o->nhidden; k++)
        if (o->hidden[k] == 0 || o->hidden[k] > ST_MLP_MAX_WIDTH)
            return st__error(ctx, ST_EINVAL, "classify mlp: hidden layer %zu has %zu units", k + 1, o->hidden[k]);
    const char *src = st__src(source);
    long jl = st_table_find(t, label);
    if (jl < 0) return st__error(ctx, ST_EINVAL, "no label column %s in %s", label, src);
    for (size_t k = 0; k < nnumeric + ncategorical; k++) {
        const char *nm = k < nnumeric ? numeric[k] : categorical[k - nnumeric];
        if (nm && strcmp(nm, label) == 0) return st__error(ctx, ST_EINVAL, "the label %s is also a feature", label);
    }
    st_mlpc *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) return ST_ENOMEM;
    m->ctx = ctx;
    m->epochs = o->epochs;
    m->batch = o->batch;
    m->lr = o->lr;
    m->seed = o->seed;
    m->balanced = o->class_weight_balanced && !o->class_weight;
    m->nhidden = o->nhidden ? o->nhidden : 1;
    m->hidden = st__malloc(ctx, m->nhidden * sizeof *m->hidden);
    m->label = st__strdup(ctx, label);
    size_t n = st_table_nrows(t);
    double *y = st__malloc(ctx, (n ? n : 1) * sizeof *y), *x = NULL, *el = NULL;
    size_t *sizes = NULL;
    st_activation *act = NULL;
    st_status rc = !m->hidden || !m->label || !y ? ST_ENOMEM : ST_OK;
    if (!rc) {
        for (size_t k = 0; k < m->nhidden; k++) m->hidden[k] = o->nhidden ? o->hidden[k] : 16;
        rc = read_classes(ctx, t, src, (size_t)jl, m, y);
    }
    if (!rc && o->class_weight && o->nclass_weight != m->K)
        rc = st__error(ctx, ST_EINVAL, "classify mlp: %zu class weights for %zu classes", o->nclass_weight, m->K);
    if (!rc && !(m->cw = st__malloc(ctx, m->K * sizeof *m->cw))) rc = ST_ENOMEM;
    if (!rc) {
        size_t *cnt = st__calloc(ctx, m->K, sizeof *cnt);
        if (!cnt) rc = ST_ENOMEM;
        for (size_t i = 0; i < n && !rc; i++) cnt[(size_t)y[i]]++;
        for (size_t k = 0; k < m->K && !rc; k++) {
            if (o->class_weight) {
                m->cw[k] = o->class_weight[k];
                if (!(m->cw[k] > 0.0) || !isfinite(m->cw[k]))
                    rc = st__error(ctx, ST_EINVAL, "classify mlp: class weight %zu must be a finite number > 0", k + 1);
            } else {
                m->cw[k] = m->balanced ? (double)n / ((double)m->K * (double)cnt[k]) : 1.0;
            }
        }
        st__free(ctx, cnt, 0);
    }
    if (!rc) rc = st_design_new(ctx, t, source, numeric, nnumeric, categorical, ncategorical, 1, NULL, &m->d);
    if (!rc) rc = st__design_matrix_all(ctx, m->d, t, source, &x);
    if (!rc) {
        sizes = st__malloc(ctx, (m->nhidden + 2) * sizeof *sizes);
        act = st__malloc(ctx, m->nhidden * sizeof *act);
        el = st__malloc(ctx, m->epochs * sizeof *el);
        if (!sizes || !act || !el) rc = ST_ENOMEM;
    }
    if (!rc) {
        sizes[0] = st_design_ncols(m->d);
        for (size_t k = 0; k < m->nhidden; k++) {
            sizes[k + 1] = m->hidden[k];
            act[k] = ST_ACT_RELU;
        }
        sizes[m->nhidden + 1] = m->K;
        rc = st_mlp_new(ctx, sizes, m->nhidden + 2, act, ST_MLP_OUT_SOFTMAX, ST_MLP_INIT_AUTO, m->seed, &m->net);
    }
    if (!rc) {
        st_mlp_loss loss;
        st_mlp_loss_init(&loss, ST_MLP_LOSS_CROSS_ENTROPY);
        loss.class_weight = m->cw;
        loss.nclass_weight = m->K;
        st_mlp_optim_options oo;
        st_mlp_optim_options_init(&oo, ST_OPTIM_ADAM);
        oo.lr = m->lr;
        rc = st_mlp_train(ctx, m->net, &oo, &loss, x, n, y, NULL, m->batch, m->epochs, m->seed, el);
    }
    if (!rc) {
        m->final_loss = el[m->epochs - 1];
        rc = set_transform(ctx, m);
    }
    st__free(ctx, sizes, 0);
    st__free(ctx, act, 0);
    st__free(ctx, el, 0);
    st__free(ctx, x, 0);
    st__free(ctx, y, 0);
    if (rc) {
        st_mlpc_free(m);
        return rc;
    }
    *out = m;
    return ST_OK;
}

/* Rows per block of a prediction: the design matrix is made block by block. */
#define PREDICT_BLOCK 8192

st_status st_mlpc_predict(st_context *ctx, const st_mlpc *m, const st_table *t, const char *source, double *p)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !t || (!p && st_table_nrows(t))) return st__error(ctx, ST_EINVAL, "st_mlpc_predict: NULL argument");
    size_t n = st_table_nrows(t), d = st_design_ncols(m->d), K = m->K;
    double *x = st__malloc(ctx, PREDICT_BLOCK * (d ? d : 1) * sizeof *x);
    if (!x) return ST_ENOMEM;
    st__design_binding b;
    st_status rc = st__design_bind(ctx, m->d, t, source, NULL, &b); /* once: each block is only filled */
    if (rc) {
        st__free(ctx, x, 0);
        return rc;
    }
    for (size_t i = 0; i < n && !rc; i += PREDICT_BLOCK) {
        size_t r = n - i < PREDICT_BLOCK ? n - i : PREDICT_BLOCK;
        st__design_fill(&b, i, r, x, d ? d : 1);
        rc = st_mlp_predict(ctx, m->net, x, r, p + i * K);
    }
    st__design_unbind(ctx, &b);
    st__free(ctx, x, 0);
    return rc;
}

/* ---- MODEL.json ---- */

st_status st_mlpc_save(st_context *ctx, const st_mlpc *m, const char *path)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !path) return st__error(ctx, ST_EINVAL, "st_mlpc_save: NULL argument");
    return st_mlp_to_json_file(ctx, m->net, path);
}

static st_status need(st_context *ctx, const char *name, const st_json *v, st_json_type ty, const char *member)
{
    if (st__json_type(v) == ty) return ST_OK;
    return st__error(ctx, ST_EFORMAT, "%s: transform member %s is missing or of the wrong type", name, member);
}

/* The classifier around a network read from JSON (takes net). */
static st_status from_net(st_context *ctx, st_mlp *net, const char *name, st_mlpc **out)
{
    st_mlpc *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) {
        st_mlp_free(net);
        return ST_ENOMEM;
    }
    m->ctx = ctx;
    m->net = net;
    m->final_loss = NAN;
    const char *tr = st_mlp_transform(net);
    st_json *root = NULL;
    st_status rc = tr ? st__json_parse(ctx, tr, strlen(tr), name, &root)
                      : st__error(ctx, ST_EFORMAT, "%s: a network without a transform is not a classifier", name);
    const st_json *cl = st__json_get(root, "classes"), *cw = st__json_get(root, "class_weight");
    const st_json *opt = st__json_get(root, "options");
    if (!rc && (!st__json_string(st__json_get(root, "model")) ||
                strcmp(st__json_string(st__json_get(root, "model")), "classifier") != 0))
        rc = st__error(ctx, ST_EFORMAT, "%s: the transform is not a classifier's (\"model\": \"classifier\")", name);
    if (!rc) rc = need(ctx, name, st__json_get(root, "label"), ST_JSON_STRING, "label");
    if (!rc) rc = need(ctx, name, cl, ST_JSON_ARRAY, "classes");
    if (!rc) rc = need(ctx, name, cw, ST_JSON_ARRAY, "class_weight");
    if (!rc) rc = need(ctx, name, opt, ST_JSON_OBJECT, "options");
    if (!rc && (st__json_len(cl) != st_mlp_noutputs(net) || st__json_len(cw) != st__json_len(cl)))
        rc = st__error(ctx, ST_EFORMAT, "%s: %zu classes and %zu class weights for %zu outputs", name,
                       st__json_len(cl), st__json_len(cw), st_mlp_noutputs(net));
    if (!rc && st_mlp_output_kind(net) != ST_MLP_OUT_SOFTMAX)
        rc = st__error(ctx, ST_EFORMAT, "%s: a classifier's network has a softmax output", name);
    if (!rc) {
        m->K = st__json_len(cl);
        m->classes = st__calloc(ctx, m->K, sizeof *m->classes);
        m->cw = st__malloc(ctx, m->K * sizeof *m->cw);
        m->label = st__strdup(ctx, st__json_string(st__json_get(root, "label")));
        if (!m->classes || !m->cw || !m->label) rc = ST_ENOMEM;
    }
    for (size_t k = 0; k < m->K && !rc; k++) {
        const char *c = st__json_string(st__json_at(cl, k));
        double w = st__json_number(st__json_at(cw, k));
        if (!c || !(w >= 0.0) || !isfinite(w))
            rc = st__error(ctx, ST_EFORMAT, "%s: class %zu must be a string with a finite weight >= 0", name, k + 1);
        else if (k && strcmp(m->classes[k - 1], c) >= 0)
            rc = st__error(ctx, ST_EFORMAT, "%s: classes must be sorted and distinct", name);
        else if (!(m->classes[k] = st__strdup(ctx, c)))
            rc = ST_ENOMEM;
        else
            m->cw[k] = w;
    }
    if (!rc) {
        const st_json *h = st__json_get(opt, "hidden");
        m->nhidden = st__json_len(h);
        m->hidden = st__malloc(ctx, (m->nhidden ? m->nhidden : 1) * sizeof *m->hidden);
        if (!m->hidden) rc = ST_ENOMEM;
        for (size_t k = 0; k < m->nhidden && !rc; k++) m->hidden[k] = (size_t)st__json_number(st__json_at(h, k));
        m->epochs = (size_t)st__json_number(st__json_get(opt, "epochs"));
        m->batch = (size_t)st__json_number(st__json_get(opt, "batch"));
        m->lr = st__json_number(st__json_get(opt, "lr"));
        m->seed = (uint64_t)st__json_number(st__json_get(opt, "seed"));
        const char *rule = st__json_string(st__json_get(opt, "class_weight_rule"));
        m->balanced = rule && strcmp(rule, "balanced") == 0;
        m->final_loss = st__json_number(st__json_get(root, "final_loss"));
    }
    if (!rc) {
        const st_json *dv = st__json_get(root, "design");
        rc = need(ctx, name, dv, ST_JSON_OBJECT, "design");
        if (!rc) rc = st__design_read(ctx, dv, name, &m->d);
    }
    if (!rc && st_design_ncols(m->d) != st_mlp_ninputs(net))
        rc = st__error(ctx, ST_EFORMAT, "%s: the design has %zu columns, the network %zu inputs", name,
                       st_design_ncols(m->d), st_mlp_ninputs(net));
    st__json_free(ctx, root);
    if (rc) {
        st_mlpc_free(m);
        return rc;
    }
    *out = m;
    return ST_OK;
}

st_status st_mlpc_from_json(st_context *ctx, const char *text, size_t len, const char *name, st_mlpc **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!text || !out) return st__error(ctx, ST_EINVAL, "st_mlpc_from_json: NULL argument");
    st_mlp *net;
    st_status rc = st_mlp_from_json(ctx, text, len, name ? name : "model", &net);
    return rc ? rc : from_net(ctx, net, name ? name : "model", out);
}

st_status st_mlpc_load(st_context *ctx, const char *path, st_mlpc **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!path || !out) return st__error(ctx, ST_EINVAL, "st_mlpc_load: NULL argument");
    st_mlp *net;
    st_status rc = st_mlp_from_json_file(ctx, path, &net);
    return rc ? rc : from_net(ctx, net, path, out);
}

/* ---- predict CSV ---- */

static st_status mlpc_predict_csv(st_context *ctx, const st_mlpc *m, const char *in_path, const char *out_path)
{
    st_table *t;
    st_status rc = st_table_read_csv(ctx, in_path, NULL, &t);
    if (rc) return rc;
    size_t n = st_table_nrows(t), K = m->K;
    double *p = st__malloc(ctx, (n * K > 0 ? n * K : 1) * sizeof *p), *col = st__malloc(ctx, (n ? n : 1) * sizeof *col);
    int32_t *pred = st__malloc(ctx, (n ? n : 1) * sizeof *pred);
    char **names = st__calloc(ctx, K + 2, sizeof *names);
    rc = !p || !col || !pred || !names ? ST_ENOMEM : ST_OK;
    for (size_t k = 0; k < K && !rc; k++) {
        size_t l = strlen(m->classes[k]);
        if (!(names[k] = st__malloc(ctx, l + 3))) {
            rc = ST_ENOMEM;
            break;
        }
        memcpy(names[k], "p_", 2);
        memcpy(names[k] + 2, m->classes[k], l + 1);
    }
    if (!rc) {
        names[K] = (char *)"pred";
        names[K + 1] = (char *)"score";
        rc = st__table_free_names(t, (const char *const *)names, K + (K == 2 ? 2 : 1), "_input");
    }
    if (!rc) rc = st_mlpc_predict(ctx, m, t, in_path, p);
    for (size_t k = 0; k < K && !rc; k++) {
        for (size_t i = 0; i < n; i++) col[i] = p[i * K + k];
        rc = st_table_add_f64(t, names[k], ST_COL_F64, col);
    }
    if (!rc) {
        for (size_t i = 0; i < n; i++) {
            size_t best = 0;
            for (size_t k = 1; k < K; k++)
                if (p[i * K + k] > p[i * K + best]) best = k;
            pred[i] = (int32_t)best;
        }
        rc = st_table_add_cat(t, "pred", pred, (const char *const *)m->classes, K);
    }
    if (!rc && K == 2) {
        for (size_t i = 0; i < n; i++) col[i] = p[i * 2 + 1];
        rc = st_table_add_f64(t, "score", ST_COL_F64, col);
    }
    if (!rc) rc = st__table_write_csv_from(ctx, t, out_path, 1);
    for (size_t k = 0; k < K && names; k++) st__free(ctx, names[k], 0);
    st__free(ctx, names, 0);
    st__free(ctx, pred, 0);
    st__free(ctx, col, 0);
    st__free(ctx, p, 0);
    st_table_free(t);
    return rc;
}

st_status st_classify_predict_csv(st_context *ctx, const char *model_path, const char *in_path, const char *out_path)
{
    if (!ctx) return ST_EINVAL;
    if (!model_path || !in_path || !out_path) return st__error(ctx, ST_EINVAL, "st_classify_predict_csv: NULL argument");
    st_json *root;
    st_status rc = st__json_parse_file(ctx, model_path, &root);
    if (rc) return rc;
    const char *fmt = st__json_string(st__json_get(root, "format"));
    bool mlp = fmt && strcmp(fmt, "strata-mlp") == 0;
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    st__jw_value(&w, root);
    st__json_free(ctx, root);
    char *text;
    size_t len;
    /* the file was read once (it may be standard input): parse the text again as the model's own reader */
    rc = st__jw_finish(&w, "model", &text, &len);
    if (rc) return rc;
    if (mlp) {
        st_mlpc *m;
        rc = st_mlpc_from_json(ctx, text, len, model_path, &m);
        if (!rc) rc = mlpc_predict_csv(ctx, m, in_path, out_path);
        st_mlpc_free(m);
    } else {
        st_glm *g;
        rc = st_glm_from_json(ctx, text, len, &g);
        if (!rc) rc = st_glm_predict_csv(ctx, g, in_path, out_path);
        st_glm_free(g);
    }
    st_free(ctx, text);
    return rc;
}
