/*
** twostage.c -- the two-stage value-proposition model (docs/twostage.md): labels from a class column or a
** randomised test, stage 1 (class-weighted softmax network: engaged / unengaged / inactive), stage 2 (sigmoid
** network with SPLC on the engaged and unengaged rows: prompted against organic), calibrated scores, the
** incremental score, MODEL.json and SCORES.csv. It joins the learn stage (design, networks) with the
** experiment arms of core, so it lives in the wiring.
*/
#include "core/arms.h"
#include "core/json.h"
#include "core/table.h"
#include "learn/design.h"
#include "learn/mlpc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct st_twostage {
    st_context *ctx;
    st_design *d;
    st_mlp *s1, *s2;
    double cw[3];
    int balanced;
    double pi;
    size_t count[3];
    /* label source, for MODEL.json */
    char *class_col, *engaged, *unengaged, *inactive;
    char *treatment_col, *control, *response_col;
    size_t hidden, epochs, batch, splc_after;
    double lr, tau, loss1, loss2;
    uint64_t seed;
};

static const char *const CLASS_NAMES[3] = {"engaged", "unengaged", "inactive"};
static const char *const SEGMENT_NAMES[3] = {"prompted", "organic", "inactive"};

const char *st_twostage_class_name(int k) { return k >= 0 && k < 3 ? CLASS_NAMES[k] : NULL; }
const char *st_twostage_segment_name(int s) { return s >= 0 && s < 3 ? SEGMENT_NAMES[s] : NULL; }
double st_twostage_pi(const st_twostage *m) { return m ? m->pi : (double)NAN; }

void st_twostage_options_init(st_twostage_options *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->hidden = 16;
    o->epochs = 30;
    o->batch = 256;
    o->lr = 1e-3;
    o->tau = 0.5;
    o->splc_after = 5;
    o->class_weight_balanced = 1;
    o->seed = 1;
}

void st_twostage_free(st_twostage *m)
{
    if (!m) return;
    st_context *ctx = m->ctx;
    st_design_free(m->d);
    st_mlp_free(m->s1);
    st_mlp_free(m->s2);
    char *s[] = {m->class_col, m->engaged, m->unengaged, m->inactive, m->treatment_col, m->control, m->response_col};
    for (size_t k = 0; k < sizeof s / sizeof s[0]; k++) st__free(ctx, s[k], 0);
    st__free(ctx, m, sizeof *m);
}

double st_twostage_incremental(double p_resp, double q, double pi)
{
    if (q >= 1.0) return p_resp / pi;
    if (q <= 0.0) return -p_resp / (1.0 - pi);
    double rho = q * (1.0 - pi) / ((1.0 - q) * pi);
    if (!isfinite(rho)) return p_resp / pi;
    return p_resp * (rho - 1.0) / (pi * rho + 1.0 - pi);
}

static bool dup(st_context *ctx, char **dst, const char *s)
{
    if (!s) return true;
    return (*dst = st__strdup(ctx, s)) != NULL;
}

/* Stage-1 labels (0 engaged, 1 unengaged, 2 inactive) of every row into y, counts and pi into m. */
static st_status read_labels(st_context *ctx, const st_table *t, const char *src, const st_twostage_options *o,
                             st_twostage *m, double *y)
{
    size_t n = st_table_nrows(t);
    st_status rc = ST_OK;
    if (o->class_col) {
        long j = st_table_find(t, o->class_col);
        if (j < 0) return st__error(ctx, ST_EINVAL, "no column %s in %s", o->class_col, src);
        const char *v[3] = {o->engaged, o->unengaged, o->inactive};
        st_buf b;
        st__buf_init(&b, ctx);
        for (size_t i = 0; i < n && !rc; i++) {
            if (!st__label_text(t, (size_t)j, i, &b)) {
                rc = ST_ENOMEM;
                break;
            }
            int k = 0;
            while (k < 3 && strcmp(b.data, v[k]) != 0) k++;
            if (k == 3)
                rc = st__error(ctx, ST_EDATA,
                               "%s:%zu: class %s is \"%s\", none of engaged \"%s\", unengaged \"%s\", inactive \"%s\"",
                               src, i + 2, o->class_col, b.data, v[0], v[1], v[2]);
            else
                y[i] = k;
        }
        st__buf_free(&b);
    } else {
        long jt = st_table_find(t, o->treatment_col), jr = st_table_find(t, o->response_col);
        if (jt < 0) return st__error(ctx, ST_EINVAL, "no column %s in %s", o->treatment_col, src);
        if (jr < 0) return st__error(ctx, ST_EINVAL, "no column %s in %s", o->response_col, src);
        const double *r = st_table_f64(t, (size_t)jr);
        if (!r) return st__error(ctx, ST_EINVAL, "response %s of %s is not numeric", o->response_col, src);
        st__arms arms;
        uint8_t *arm = st__malloc(ctx, n ? n : 1);
        if (!arm) return ST_ENOMEM;
        rc = st__arms_read(ctx, t, (size_t)jt, src, o->treatment_col, &arms, arm);
        size_t c = rc ? 0 : st__arms_find(&arms, o->control);
        if (!rc && c == arms.narms)
            rc = st__error(ctx, ST_EDATA, "%s: no row of %s is the control arm \"%s\"", src, o->treatment_col, o->control);
        size_t treated = 0;
        for (size_t i = 0; i < n && !rc; i++) {
            if (r[i] != 0.0 && r[i] != 1.0) {
                rc = st__error(ctx, ST_EDATA, "%s:%zu: response %s is %s, not 0 or 1", src, i + 2, o->response_col,
                               isnan(r[i]) ? "missing" : "another number");
                break;
            }
            bool tr = arm[i] != c;
            treated += tr;
            y[i] = r[i] == 0.0 ? 2.0 : tr ? 0.0 : 1.0;
        }
        if (!rc && treated == n) rc = st__error(ctx, ST_EDATA, "%s: every row is treated (no control row)", src);
        if (!rc) m->pi = (double)treated / (double)n;
        st__free(ctx, arm, 0);
    }
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) m->count[(size_t)y[i]]++;
    for (int k = 0; k < 3; k++)
        if (!m->count[k]) return st__error(ctx, ST_EDATA, "%s: no %s row: the model needs all three classes", src, CLASS_NAMES[k]);
    if (o->class_col) m->pi = (double)m->count[0] / (double)(m->count[0] + m->count[1]);
    return ST_OK;
}

st_status st_twostage_fit(st_context *ctx, const st_table *t, const char *source, const st_twostage_options *o,
                          st_twostage **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!t || !o || !out) return st__error(ctx, ST_EINVAL, "st_twostage_fit: NULL argument");
    bool by_class = o->class_col != NULL, by_test = o->treatment_col || o->control || o->response_col;
    if (by_class == by_test)
        return st__error(ctx, ST_EINVAL, "twostage: give the labels either by a class column or by a test");
    if (by_class && (!o->engaged || !o->unengaged || !o->inactive))
        return st__error(ctx, ST_EINVAL, "twostage: a class column needs its engaged, unengaged and inactive values");
    if (by_test && (!o->treatment_col || !o->control || !o->response_col))
        return st__error(ctx, ST_EINVAL, "twostage: a test needs its treatment column, control arm and response");
    if (o->hidden == 0 || o->hidden > ST_MLP_MAX_WIDTH || o->epochs == 0 || o->batch == 0 || !(o->lr > 0.0) ||
        !isfinite(o->lr) || !(o->tau > 0.0 && o->tau < 1.0))
        return st__error(ctx, ST_EINVAL, "twostage: hidden, epochs and batch must be >= 1, lr > 0, tau in (0, 1)");
    if (o->class_weight)
        for (int k = 0; k < 3; k++)
            if (!(o->class_weight[k] > 0.0) || !isfinite(o->class_weight[k]))
                return st__error(ctx, ST_EINVAL, "twostage: class weight %d must be a finite number > 0", k + 1);
    const char *src = st__src(source);
    for (size_t k = 0; k < o->nnumeric + o->ncategorical; k++) {
        const char *nm = k < o->nnumeric ? o->numeric[k] : o->categorical[k - o->nnumeric];
        if (!nm || st_table_find(t, nm) < 0) return st__error(ctx, ST_EINVAL, "no column %s in %s", nm ? nm : "(null)", src);
    }
    st_twostage *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) return ST_ENOMEM;
    m->ctx = ctx;
    m->hidden = o->hidden;
    m->epochs = o->epochs;
    m->batch = o->batch;
    m->splc_after = o->splc_after;
    m->lr = o->lr;
    m->tau = o->tau;
    m->seed = o->seed;
    m->balanced = !o->class_weight && o->class_weight_balanced;
    size_t n = st_table_nrows(t);
    double *y = st__malloc(ctx, (n ? n : 1) * sizeof *y), *x = NULL, *x2 = NULL, *y2 = NULL, *el = NULL;
    st_status rc = y ? ST_OK : ST_ENOMEM;
    if (!rc && !(dup(ctx, &m->class_col, o->class_col) && dup(ctx, &m->engaged, o->engaged) &&
                 dup(ctx, &m->unengaged, o->unengaged) && dup(ctx, &m->inactive, o->inactive) &&
                 dup(ctx, &m->treatment_col, o->treatment_col) && dup(ctx, &m->control, o->control) &&
                 dup(ctx, &m->response_col, o->response_col)))
        rc = ST_ENOMEM;
    if (!rc && n == 0) rc = st__error(ctx, ST_EDATA, "%s: no rows", src);
    if (!rc) rc = read_labels(ctx, t, src, o, m, y);
    for (int k = 0; k < 3 && !rc; k++)
        m->cw[k] = o->class_weight ? o->class_weight[k]
                   : m->balanced   ? (double)n / (3.0 * (double)m->count[k])
                                   : 1.0;
    if (!rc)
        rc = st_design_new(ctx, t, source, o->numeric, o->nnumeric, o->categorical, o->ncategorical, 1, NULL, &m->d);
    if (!rc) rc = st__design_matrix_all(ctx, m->d, t, source, &x);
    if (!rc && !(el = st__malloc(ctx, m->epochs * sizeof *el))) rc = ST_ENOMEM;
    size_t p = m->d ? st_design_ncols(m->d) : 0;
    st_mlp_optim_options oo;
    st_mlp_optim_options_init(&oo, ST_OPTIM_ADAM);
    oo.lr = m->lr;
    st_activation relu = ST_ACT_RELU;
    if (!rc) {
        size_t sizes[3] = {p, m->hidden, 3};
        rc = st_mlp_new(ctx, sizes, 3, &relu, ST_MLP_OUT_SOFTMAX, ST_MLP_INIT_AUTO, m->seed, &m->s1);
    }
    if (!rc) {
        st_mlp_loss loss;
        st_mlp_loss_init(&loss, ST_MLP_LOSS_CROSS_ENTROPY);
        loss.class_weight = m->cw;
        loss.nclass_weight = 3;
        rc = st_mlp_train(ctx, m->s1, &oo, &loss, x, n, y, NULL, m->batch, m->epochs, m->seed, el);
        if (!rc) m->loss1 = el[m->epochs - 1];
    }
    /* stage 2: the engaged (1) and unengaged (0) rows only */
    size_t n2 = m->count[0] + m->count[1];
    if (!rc) {
        x2 = st__malloc(ctx, (n2 * p > 0 ? n2 * p : 1) * sizeof *x2);
        y2 = st__malloc(ctx, (n2 ? n2 : 1) * sizeof *y2);
        if (!x2 || !y2) rc = ST_ENOMEM;
    }
    if (!rc) {
        size_t r = 0;
        for (size_t i = 0; i < n; i++) {
            if (y[i] == 2.0) continue;
            if (p) memcpy(x2 + r * p, x + i * p, p * sizeof *x2);
            y2[r++] = y[i] == 0.0 ? 1.0 : 0.0;
        }
        size_t sizes[3] = {p, m->hidden, 1};
        rc = st_mlp_new(ctx, sizes, 3, &relu, ST_MLP_OUT_SIGMOID, ST_MLP_INIT_AUTO, m->seed + 1, &m->s2);
    }
    if (!rc) {
        st_mlp_loss loss;
        st_mlp_loss_init(&loss, ST_MLP_LOSS_SPLC);
        loss.tau = m->tau;
        loss.splc_warmup = m->splc_after;
        rc = st_mlp_train(ctx, m->s2, &oo, &loss, x2, n2, y2, NULL, m->batch, m->epochs, m->seed + 1, el);
        if (!rc) m->loss2 = el[m->epochs - 1];
    }
    st__free(ctx, el, 0);
    st__free(ctx, x2, 0);
    st__free(ctx, y2, 0);
    st__free(ctx, x, 0);
    st__free(ctx, y, 0);
    if (rc) {
        st_twostage_free(m);
        return rc;
    }
    *out = m;
    return ST_OK;
}

#define PREDICT_BLOCK 8192

st_status st_twostage_predict(st_context *ctx, const st_twostage *m, const st_table *t, const char *source,
                              st_twostage_score *s)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !t || (!s && st_table_nrows(t))) return st__error(ctx, ST_EINVAL, "st_twostage_predict: NULL argument");
    size_t n = st_table_nrows(t), p = st_design_ncols(m->d);
    double *x = st__malloc(ctx, PREDICT_BLOCK * (p ? p : 1) * sizeof *x);
    double *q = st__malloc(ctx, PREDICT_BLOCK * 3 * sizeof *q), *q2 = st__malloc(ctx, PREDICT_BLOCK * sizeof *q2);
    st_status rc = !x || !q || !q2 ? ST_ENOMEM : ST_OK;
    st__design_binding b;
    bool bound = false;
    if (!rc) rc = st__design_bind(ctx, m->d, t, source, NULL, &b); /* once: each block is only filled */
    bound = !rc;
    for (size_t i0 = 0; i0 < n && !rc; i0 += PREDICT_BLOCK) {
        size_t r = n - i0 < PREDICT_BLOCK ? n - i0 : PREDICT_BLOCK;
        st__design_fill(&b, i0, r, x, p ? p : 1);
        rc = st_mlp_predict(ctx, m->s1, x, r, q);
        if (!rc) rc = st_mlp_predict(ctx, m->s2, x, r, q2);
        for (size_t i = 0; i < r && !rc; i++) {
            st_twostage_score *o = &s[i0 + i];
            double *qi = q + 3 * i;
            int best = 0;
            for (int k = 1; k < 3; k++)
                if (qi[k] > qi[best]) best = k;
            o->stage1_class = best;
        }
        if (!rc) rc = st_probs_unweight(ctx, q, r, 3, m->cw);
        for (size_t i = 0; i < r && !rc; i++) {
            st_twostage_score *o = &s[i0 + i];
            o->p_engaged = q[3 * i];
            o->p_unengaged = q[3 * i + 1];
            o->p_inactive = q[3 * i + 2];
            o->prompted_score = q2[i];
            o->segment = o->stage1_class == 2 ? 2 : o->prompted_score > 0.5 ? 0 : 1;
            o->incremental_score = st_twostage_incremental(o->p_engaged + o->p_unengaged, o->prompted_score, m->pi);
        }
    }
    if (bound) st__design_unbind(ctx, &b);
    st__free(ctx, x, 0);
    st__free(ctx, q, 0);
    st__free(ctx, q2, 0);
    return rc;
}

/* ---- MODEL.json ---- */

/* A network as the value of a member: its own JSON parsed and written into w. */
static st_status write_net(st_context *ctx, st_jw *w, const st_mlp *net)
{
    char *text;
    size_t len;
    st_status rc = st_mlp_to_json(ctx, net, &text, &len);
    if (rc) return rc;
    st_json *v;
    rc = st__json_parse(ctx, text, len, "network", &v);
    st_free(ctx, text);
    if (rc) return rc;
    st__jw_value(w, v);
    st__json_free(ctx, v);
    return ST_OK;
}

st_status st_twostage_save(st_context *ctx, const st_twostage *m, const char *path)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !path) return st__error(ctx, ST_EINVAL, "st_twostage_save: NULL argument");
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 2);
    st__jw_begin_object(&w);
    st__jw_kv_str(&w, "format", "strata-twostage");
    st__jw_kv_int(&w, "version", 1);
    st__jw_key(&w, "labels");
    st__jw_begin_object_inline(&w);
    if (m->class_col) {
        st__jw_kv_str(&w, "source", "class");
        st__jw_kv_str(&w, "class", m->class_col);
        st__jw_kv_str(&w, "engaged", m->engaged);
        st__jw_kv_str(&w, "unengaged", m->unengaged);
        st__jw_kv_str(&w, "inactive", m->inactive);
    } else {
        st__jw_kv_str(&w, "source", "test");
        st__jw_kv_str(&w, "treatment", m->treatment_col);
        st__jw_kv_str(&w, "control", m->control);
        st__jw_kv_str(&w, "response", m->response_col);
    }
    st__jw_end_object(&w);
    st__jw_key(&w, "counts");
    st__jw_begin_object_inline(&w);
    for (int k = 0; k < 3; k++) st__jw_kv_int(&w, CLASS_NAMES[k], (long long)m->count[k]);
    st__jw_end_object(&w);
    st__jw_kv_num(&w, "pi", m->pi);
    st__jw_kv_str(&w, "class_weight_rule", m->balanced ? "balanced" : "given");
    st__jw_key(&w, "class_weight");
    st__jw_begin_array_inline(&w);
    for (int k = 0; k < 3; k++) st__jw_number(&w, m->cw[k]);
    st__jw_end_array(&w);
    st__jw_key(&w, "options");
    st__jw_begin_object_inline(&w);
    st__jw_kv_int(&w, "hidden", (long long)m->hidden);
    st__jw_kv_int(&w, "epochs", (long long)m->epochs);
    st__jw_kv_int(&w, "batch", (long long)m->batch);
    st__jw_kv_num(&w, "lr", m->lr);
    st__jw_kv_num(&w, "tau", m->tau);
    st__jw_kv_int(&w, "splc_after", (long long)m->splc_after);
    st__jw_kv_int(&w, "seed", (long long)m->seed);
    st__jw_end_object(&w);
    st__jw_key(&w, "final_loss");
    st__jw_begin_object_inline(&w);
    st__jw_kv_num(&w, "stage1", m->loss1);
    st__jw_kv_num(&w, "stage2", m->loss2);
    st__jw_end_object(&w);
    st__jw_key(&w, "design");
    st__design_write(&w, m->d);
    st_status rc = ST_OK;
    st__jw_key(&w, "stage1");
    rc = write_net(ctx, &w, m->s1);
    if (!rc) {
        st__jw_key(&w, "stage2");
        rc = write_net(ctx, &w, m->s2);
    }
    st__jw_end_object(&w);
    if (rc) {
        st__buf_free(&b);
        return rc;
    }
    char *text;
    size_t len;
    rc = st__jw_finish(&w, "twostage model", &text, &len);
    if (!rc) rc = st__write_file_atomic(ctx, path, text, len);
    st_free(ctx, text);
    return rc;
}

static st_status read_net(st_context *ctx, const st_json *v, const char *name, const char *member, st_mlp **out)
{
    if (st__json_type(v) != ST_JSON_OBJECT) return st__error(ctx, ST_EFORMAT, "%s: %s must be a network", name, member);
    st_buf b;
    st__buf_init(&b, ctx);
    st_jw w;
    st__jw_init(&w, &b, 0);
    st__jw_value(&w, v);
    char *text;
    size_t len;
    st_status rc = st__jw_finish(&w, member, &text, &len);
    if (rc) return rc;
    rc = st_mlp_from_json(ctx, text, len, name, out);
    st_free(ctx, text);
    return rc;
}

static st_status get_str(st_context *ctx, const st_json *o, const char *key, const char *name, char **dst)
{
    const char *s = st__json_string(st__json_get(o, key));
    if (!s) return st__error(ctx, ST_EFORMAT, "%s: labels.%s must be a string", name, key);
    return (*dst = st__strdup(ctx, s)) ? ST_OK : ST_ENOMEM;
}

st_status st_twostage_load(st_context *ctx, const char *path, st_twostage **out)
{
    if (out) *out = NULL;
    if (!ctx) return ST_EINVAL;
    if (!path || !out) return st__error(ctx, ST_EINVAL, "st_twostage_load: NULL argument");
    st_json *root;
    st_status rc = st__json_parse_file(ctx, path, &root);
    if (rc) return rc;
    st_twostage *m = st__calloc(ctx, 1, sizeof *m);
    if (!m) {
        st__json_free(ctx, root);
        return ST_ENOMEM;
    }
    m->ctx = ctx;
    const char *fmt = st__json_string(st__json_get(root, "format"));
    if (!fmt || strcmp(fmt, "strata-twostage") != 0 || st__json_number(st__json_get(root, "version")) != 1.0)
        rc = st__error(ctx, ST_EFORMAT, "%s: not a strata-twostage model of version 1", path);
    const st_json *lab = st__json_get(root, "labels"), *opt = st__json_get(root, "options");
    const st_json *cw = st__json_get(root, "class_weight"), *cnt = st__json_get(root, "counts");
    const char *srcs = st__json_string(st__json_get(lab, "source"));
    if (!rc && (!srcs || st__json_type(opt) != ST_JSON_OBJECT || st__json_len(cw) != 3))
        rc = st__error(ctx, ST_EFORMAT, "%s: labels, options or class_weight (3 numbers) missing", path);
    if (!rc && strcmp(srcs, "class") == 0) {
        rc = get_str(ctx, lab, "class", path, &m->class_col);
        if (!rc) rc = get_str(ctx, lab, "engaged", path, &m->engaged);
        if (!rc) rc = get_str(ctx, lab, "unengaged", path, &m->unengaged);
        if (!rc) rc = get_str(ctx, lab, "inactive", path, &m->inactive);
    } else if (!rc) {
        rc = get_str(ctx, lab, "treatment", path, &m->treatment_col);
        if (!rc) rc = get_str(ctx, lab, "control", path, &m->control);
        if (!rc) rc = get_str(ctx, lab, "response", path, &m->response_col);
    }
    for (int k = 0; k < 3 && !rc; k++) {
        m->cw[k] = st__json_number(st__json_at(cw, (size_t)k));
        m->count[k] = (size_t)st__json_number(st__json_get(cnt, CLASS_NAMES[k]));
        if (!(m->cw[k] > 0.0) || !isfinite(m->cw[k]))
            rc = st__error(ctx, ST_EFORMAT, "%s: class_weight %d must be a finite number > 0", path, k + 1);
    }
    if (!rc) {
        m->pi = st__json_number(st__json_get(root, "pi"));
        if (!(m->pi > 0.0 && m->pi < 1.0)) rc = st__error(ctx, ST_EFORMAT, "%s: pi must be in (0, 1)", path);
        const char *rule = st__json_string(st__json_get(root, "class_weight_rule"));
        m->balanced = rule && strcmp(rule, "balanced") == 0;
        m->hidden = (size_t)st__json_number(st__json_get(opt, "hidden"));
        m->epochs = (size_t)st__json_number(st__json_get(opt, "epochs"));
        m->batch = (size_t)st__json_number(st__json_get(opt, "batch"));
        m->splc_after = (size_t)st__json_number(st__json_get(opt, "splc_after"));
        m->lr = st__json_number(st__json_get(opt, "lr"));
        m->tau = st__json_number(st__json_get(opt, "tau"));
        m->seed = (uint64_t)st__json_number(st__json_get(opt, "seed"));
        m->loss1 = st__json_number(st__json_get(st__json_get(root, "final_loss"), "stage1"));
        m->loss2 = st__json_number(st__json_get(st__json_get(root, "final_loss"), "stage2"));
    }
    if (!rc) {
        const st_json *dv = st__json_get(root, "design");
        if (st__json_type(dv) != ST_JSON_OBJECT) rc = st__error(ctx, ST_EFORMAT, "%s: design missing", path);
        if (!rc) rc = st__design_read(ctx, dv, path, &m->d);
    }
    if (!rc) rc = read_net(ctx, st__json_get(root, "stage1"), path, "stage1", &m->s1);
    if (!rc) rc = read_net(ctx, st__json_get(root, "stage2"), path, "stage2", &m->s2);
    if (!rc && (st_mlp_ninputs(m->s1) != st_design_ncols(m->d) || st_mlp_ninputs(m->s2) != st_design_ncols(m->d) ||
                st_mlp_noutputs(m->s1) != 3 || st_mlp_output_kind(m->s1) != ST_MLP_OUT_SOFTMAX ||
                st_mlp_noutputs(m->s2) != 1 || st_mlp_output_kind(m->s2) != ST_MLP_OUT_SIGMOID))
        rc = st__error(ctx, ST_EFORMAT,
                       "%s: stage1 must map the design's %zu columns to 3 softmax outputs, stage2 to 1 sigmoid output",
                       path, st_design_ncols(m->d));
    st__json_free(ctx, root);
    if (rc) {
        st_twostage_free(m);
        return rc;
    }
    *out = m;
    return ST_OK;
}

/* ---- SCORES.csv ---- */

st_status st_twostage_predict_csv(st_context *ctx, const st_twostage *m, const char *in_path, const char *out_path)
{
    if (!ctx) return ST_EINVAL;
    if (!m || !in_path || !out_path) return st__error(ctx, ST_EINVAL, "st_twostage_predict_csv: NULL argument");
    static const char *const OUT[] = {"p_engaged",      "p_unengaged", "p_inactive",       "stage1_class",
                                      "prompted_score", "segment",     "incremental_score"};
    st_table *t;
    st_status rc = st_table_read_csv(ctx, in_path, NULL, &t);
    if (rc) return rc;
    size_t n = st_table_nrows(t);
    st_twostage_score *s = st__malloc(ctx, (n ? n : 1) * sizeof *s);
    double *col = st__malloc(ctx, (n ? n : 1) * sizeof *col);
    int32_t *code = st__malloc(ctx, (n ? n : 1) * sizeof *code);
    rc = !s || !col || !code ? ST_ENOMEM : ST_OK;
    if (!rc) rc = st__table_free_names(t, OUT, 7, "_input");
    if (!rc) rc = st_twostage_predict(ctx, m, t, in_path, s);
    for (int c = 0; c < 7 && !rc; c++) {
        if (c == 3 || c == 5) {
            for (size_t i = 0; i < n; i++) code[i] = c == 3 ? s[i].stage1_class : s[i].segment;
            rc = st_table_add_cat(t, OUT[c], code, c == 3 ? CLASS_NAMES : SEGMENT_NAMES, 3);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            col[i] = c == 0 ? s[i].p_engaged
                     : c == 1 ? s[i].p_unengaged
                     : c == 2 ? s[i].p_inactive
                     : c == 4 ? s[i].prompted_score
                              : s[i].incremental_score;
        rc = st_table_add_f64(t, OUT[c], ST_COL_F64, col);
    }
    if (!rc) rc = st__table_write_csv_from(ctx, t, out_path, 1);
    st__free(ctx, s, 0);
    st__free(ctx, col, 0);
    st__free(ctx, code, 0);
    st_table_free(t);
    return rc;
}
