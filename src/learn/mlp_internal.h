/*
** mlp_internal.h -- the layout of a dense network and its training work space, shared by the network
** (mlp.c), the losses (mlp_loss.c), the optimisers and training loop (mlp_optim.c) and MODEL.json
** (mlp_json.c) of the learn stage.
*/
#ifndef STRATA_LEARN_MLP_INTERNAL_H
#define STRATA_LEARN_MLP_INTERNAL_H

#include "core/internal.h"

struct st_mlp {
    st_context *ctx;
    size_t L;            /* weight layers */
    size_t *sizes;       /* L + 1 */
    st_activation *act;  /* L - 1 hidden activations (NULL when L = 1) */
    st_mlp_output output;
    size_t nparams;
    size_t *woff, *boff; /* offsets of W_l and b_l in params */
    size_t maxwidth;     /* largest of sizes[] */
    double *params;
    char *transform;     /* compact JSON, or NULL */
    size_t transform_len;
    /* training work space (st_mlp_forward / st_mlp_backward), grown on demand */
    size_t ws_rows;      /* rows the buffers hold */
    size_t fw_rows;      /* rows of the last forward pass; 0 = none */
    double *ws_x;        /* ws_rows x inputs: the batch */
    double *ws_act;      /* per layer l: ws_rows x sizes[l+1], post-activation (output layer: outputs) */
    size_t *act_off;     /* L offsets into ws_act, in units of rows (ws_act + act_off[l] * ws_rows) */
    double *ws_logit;    /* ws_rows x outputs: the output layer's z */
    double *ws_d1, *ws_d2; /* ws_rows x maxwidth each: deltas of backward */
    double *ws_wt;       /* maxwidth^2 bound: a transposed weight matrix */
    size_t ws_wt_len;
};

/* A scratch set for one forward pass of up to `rows` rows: activations of two consecutive layers and the
** transposed weights. */
typedef struct st__mlp_scratch {
    double *a, *b; /* rows x maxwidth each */
    double *wt;    /* the largest sizes[l] * sizes[l+1] */
} st__mlp_scratch;

st_status st__mlp_scratch_new(st_context *ctx, const st_mlp *m, size_t rows, st__mlp_scratch *s);
void st__mlp_scratch_free(st_context *ctx, const st_mlp *m, size_t rows, st__mlp_scratch *s);

/* Forward pass of n <= rows rows with scratch s: logits (n x outputs) and outputs (n x outputs; may be
** NULL). No checks. */
void st__mlp_forward_rows(const st_mlp *m, const double *x, size_t n, st__mlp_scratch *s, double *logits,
                          double *out);

/* Checks that x (n x inputs) is finite; ST_EDATA naming the row and column otherwise. */
st_status st__mlp_check_x(st_context *ctx, const st_mlp *m, const double *x, size_t n);

/* Copies the failure rc recorded on m's context (where the work space allocates) to ctx; returns rc. */
st_status st__mlp_relay(st_context *ctx, const st_mlp *m, st_status rc);

/* Grows the training work space to hold `rows` rows. */
st_status st__mlp_reserve(st_mlp *m, size_t rows);

/* Forward and backward on the work space (no checks): st__mlp_train_forward fills the work space from x
** (n rows, n <= ws_rows); st__mlp_train_backward turns dz into grad. */
void st__mlp_train_forward(st_mlp *m, const double *x, size_t n);
void st__mlp_train_backward(st_mlp *m, const double *dz, double *grad);

/* Losses (mlp_loss.c). st__loss_check validates the loss against m's output and every target / weight of
** n rows (row numbers in messages are idx[i] when idx is not NULL). st__loss_eval computes, from logits and
** outputs of n rows, the sum of w_i l_i into *sum_wl and the sum of weights into *sum_w; with dz not
** NULL it writes w_i dl_i/dz_i (not yet divided by the weight sum) into dz. splc_on selects the
** correction of SPLC. */
st_status st__loss_check(st_context *ctx, const st_mlp *m, const st_mlp_loss *loss, const double *y,
                         const double *weight, size_t n);
void st__loss_eval(const st_mlp *m, const st_mlp_loss *loss, bool splc_on, const double *logits,
                   const double *out, const double *y, const double *weight, size_t n, double *sum_wl,
                   double *sum_w, double *dz);

/* The name of an activation / output kind in MODEL.json. */
const char *st__mlp_act_name(st_activation a);
const char *st__mlp_output_name(st_mlp_output o);

/* The shell of a network with the given architecture (parameters zero); validates as st_mlp_new. */
st_status st__mlp_alloc(st_context *ctx, const size_t *sizes, size_t nsizes, const st_activation *hidden,
                        st_mlp_output output, st_mlp **out);

#endif
