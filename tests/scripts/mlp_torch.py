#!/usr/bin/env python3
"""The learn stage's networks against PyTorch (float64): the same network from the same initial weights
(strata's, copied into torch.nn.Linear layers), the same mini-batches, a few optimiser steps of SGD (with and
without momentum and weight decay), Adam (PyTorch's defaults), Adam with L2 decay, AdamW and Adam with
gradient clipping, under each loss (class-weighted cross-entropy with sample weights, BCE, SPLC as seed 003
eq. 5, MSE with missing targets, Huber); then full-batch epochs of st_mlp_train_epoch. Losses, gradients and
weights must agree to 1e-9 relative (float64 on both sides; the issue asks for 1e-6).

usage: mlp_torch.py LIBSTRATA.so     (exit 77 when torch or numpy is missing)
"""
import ctypes as C
import sys

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print("skipped: %s" % e)
    sys.exit(77)

torch.set_default_dtype(torch.float64)
lib = C.CDLL(sys.argv[1])
P, D, Z = C.c_void_p, C.POINTER(C.c_double), C.c_size_t


class Loss(C.Structure):
    _fields_ = [("kind", C.c_int), ("class_weight", D), ("nclass_weight", Z), ("tau", C.c_double),
                ("splc_warmup", Z), ("huber_delta", C.c_double)]


class OptimOptions(C.Structure):
    _fields_ = [("kind", C.c_int), ("lr", C.c_double), ("momentum", C.c_double), ("beta1", C.c_double),
                ("beta2", C.c_double), ("eps", C.c_double), ("weight_decay", C.c_double), ("decoupled", C.c_int),
                ("clip_norm", C.c_double)]


def sig(name, res, *args):
    f = getattr(lib, name)
    f.restype, f.argtypes = res, list(args)
    return f


ctx_new = sig("st_context_new", C.c_int, C.POINTER(P))
errmsg = sig("st_errmsg", C.c_char_p, P)
mlp_new = sig("st_mlp_new", C.c_int, P, C.POINTER(Z), Z, C.POINTER(C.c_int), C.c_int, C.c_int, C.c_uint64, C.POINTER(P))
mlp_free = sig("st_mlp_free", None, P)
nparams = sig("st_mlp_nparams", Z, P)
params = sig("st_mlp_params", D, P)
loss_init = sig("st_mlp_loss_init", None, C.POINTER(Loss), C.c_int)
loss_grad = sig("st_mlp_loss_grad", C.c_int, P, P, C.POINTER(Loss), D, Z, D, D, D, D)
opt_init = sig("st_mlp_optim_options_init", None, C.POINTER(OptimOptions), C.c_int)
opt_new = sig("st_mlp_optim_new", C.c_int, P, P, C.POINTER(OptimOptions), C.POINTER(P))
opt_free = sig("st_mlp_optim_free", None, P)
opt_step = sig("st_mlp_optim_step", C.c_int, P, P, P, D)
train_epoch = sig("st_mlp_train_epoch", C.c_int, P, P, P, C.POINTER(Loss), D, Z, D, D, Z, C.c_uint64, Z, D)

ACT = {"identity": 0, "relu": 1, "tanh": 2, "sigmoid": 3}
OUT = {"identity": 0, "sigmoid": 1, "softmax": 2}
CE, BCE, SPLC, MSE, HUBER = range(5)
ctx = P()
assert ctx_new(C.byref(ctx)) == 0


def ptr(a):
    return a.ctypes.data_as(D) if a is not None else None


def check(rc):
    if rc != 0:
        sys.exit("strata call failed (%d): %s" % (rc, errmsg(ctx).decode()))


flips = [0, 0]  # SPLC: positives scored as negatives, positives seen
worst = {"loss": 0.0, "grad": 0.0, "weights": 0.0}


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-6)))


def note(what, a, b, case):
    e = rel(a, b)
    worst[what] = max(worst[what], e)
    if not e <= 1e-9:
        sys.exit("%s: %s differs from torch by %.3g relative" % (case, what, e))


class Net:
    def __init__(self, sizes, acts, out, seed):
        arr = (Z * len(sizes))(*sizes)
        ha = (C.c_int * max(1, len(acts)))(*[ACT[a] for a in acts])
        self.m = P()
        check(mlp_new(ctx, arr, len(sizes), ha, OUT[out], 0, seed, C.byref(self.m)))
        self.n = nparams(self.m)
        w = np.ctypeslib.as_array(params(self.m), shape=(self.n,)).copy()
        layers, k = [], 0
        for l in range(len(sizes) - 1):
            lin = torch.nn.Linear(sizes[l], sizes[l + 1])
            nw = sizes[l] * sizes[l + 1]
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(w[k:k + nw]).reshape(sizes[l + 1], sizes[l]))
                lin.bias.copy_(torch.tensor(w[k + nw:k + nw + sizes[l + 1]]))
            k += nw + sizes[l + 1]
            layers.append(lin)
            if l < len(acts):
                layers.append({"identity": torch.nn.Identity, "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh,
                               "sigmoid": torch.nn.Sigmoid}[acts[l]]())
        self.t = torch.nn.Sequential(*layers)

    def weights(self):
        return np.ctypeslib.as_array(params(self.m), shape=(self.n,)).copy()

    def torch_weights(self):
        return np.concatenate([p.detach().numpy().ravel() for p in self.t.parameters()])


def torch_loss(kind, z, y, w, cw, tau=0.5, delta=1.0):
    """The loss of include/strata.h written with torch's functions: sum w l / sum w."""
    if kind == CE:
        yl = torch.tensor(y, dtype=torch.long)
        l = F.cross_entropy(z, yl, reduction="none")
        wt = torch.ones(len(y)) if w is None else torch.tensor(w)
        if cw is not None:
            wt = wt * torch.tensor(cw)[yl]
        return (wt * l).sum() / wt.sum()
    yt = torch.tensor(y).reshape(z.shape)
    wt = torch.ones(z.shape[0]) if w is None else torch.tensor(w)
    wt = wt[:, None].expand(z.shape)
    if kind in (BCE, SPLC):
        if kind == SPLC:  # seed 003 eq. 5: a positive with p <= tau is scored as a negative
            with torch.no_grad():
                flip = (yt == 1) & (torch.sigmoid(z) <= tau)
            flips[0] += int(flip.sum())
            flips[1] += int((yt == 1).sum())
            yt = torch.where(flip, torch.zeros_like(yt), yt)
        l = F.binary_cross_entropy_with_logits(z, yt, reduction="none")
        if cw is not None:
            wt = wt * torch.where(torch.tensor(y).reshape(z.shape) == 1, cw[1], cw[0])
        return (wt * l).sum() / wt.sum()
    keep = ~torch.isnan(yt)
    yt = torch.where(keep, yt, torch.zeros_like(yt))
    l = (z - yt) ** 2 if kind == MSE else F.huber_loss(z, yt, reduction="none", delta=delta)
    wt = wt * keep
    return (wt * l).sum() / wt.sum()


def make_opt(kind, net, lr, momentum=0.0, wd=0.0, decoupled=False, clip=0.0):
    o = OptimOptions()
    opt_init(C.byref(o), 0 if kind == "sgd" else 1)
    o.lr, o.weight_decay, o.clip_norm, o.decoupled = lr, wd, clip, int(decoupled)
    if kind == "sgd":
        o.momentum = momentum
        t = torch.optim.SGD(net.t.parameters(), lr=lr, momentum=momentum, weight_decay=wd)
    elif decoupled:
        t = torch.optim.AdamW(net.t.parameters(), lr=lr, weight_decay=wd)
    else:
        t = torch.optim.Adam(net.t.parameters(), lr=lr, weight_decay=wd)
    h = P()
    check(opt_new(ctx, net.m, C.byref(o), C.byref(h)))
    return h, t


rng = np.random.default_rng(12)
n, d = 48, 5
X = rng.normal(size=(n, d))
W = rng.uniform(0.2, 2.0, size=n)

problems = [  # (name, loss kind, sizes, activations, output, targets, class weights)
    ("cross-entropy", CE, [d, 8, 6, 3], ["relu", "tanh"], "softmax", rng.integers(0, 3, n).astype(float), [0.5, 2.0, 1.5]),
    ("bce", BCE, [d, 7, 2], ["sigmoid"], "sigmoid", (rng.random((n, 2)) < 0.4).astype(float), [0.8, 1.7]),
    ("splc", SPLC, [d, 9, 1], ["tanh"], "sigmoid", (rng.random((n, 1)) < 0.5).astype(float), [1.0, 1.3]),
    ("mse", MSE, [d, 6, 5, 2], ["relu", "identity"], "identity", rng.normal(size=(n, 2)) * 2, None),
    ("huber", HUBER, [d, 6, 2], ["tanh"], "identity", rng.normal(size=(n, 2)) * 3, None),
]
problems[3][5][::5, 1] = np.nan  # missing targets (a DQN's untaken actions)
optims = [("sgd", dict(lr=0.1)), ("sgd", dict(lr=0.05, momentum=0.9, wd=1e-2)), ("adam", dict(lr=1e-2)),
          ("adam", dict(lr=1e-2, wd=1e-2)), ("adamw", dict(lr=1e-2, wd=1e-2)), ("adam", dict(lr=1e-2, clip=0.3)),
          ("sgd", dict(lr=0.1, momentum=0.5, clip=0.2))]
cases = 0
for pname, kind, sizes, acts, out, Y, cw in problems:
    for oname, okw in optims:
        case = "%s / %s %s" % (pname, oname, okw)
        net = Net(sizes, acts, out, seed=7 + cases)
        h, topt = make_opt("sgd" if oname == "sgd" else "adam", net, decoupled=oname == "adamw", **okw)
        loss = Loss()
        loss_init(C.byref(loss), kind)
        cwa = np.array(cw, float) if cw else None
        if cw:
            loss.class_weight, loss.nclass_weight = ptr(cwa), len(cw)
        loss.tau, loss.huber_delta = 0.5, 1.5
        g = np.zeros(net.n)
        for step in range(8):
            rows = slice((step % 4) * 12, (step % 4) * 12 + 12)
            xb = np.ascontiguousarray(X[rows])
            yb = np.ascontiguousarray(Y[rows]).astype(float)
            wb = np.ascontiguousarray(W[rows]) if step % 2 else None
            L = C.c_double()
            check(loss_grad(ctx, net.m, C.byref(loss), ptr(xb), 12, ptr(yb), ptr(wb), C.byref(L), ptr(g)))
            topt.zero_grad()
            tl = torch_loss(kind, net.t(torch.tensor(xb)), yb, wb, cw, 0.5, 1.5)
            tl.backward()
            note("loss", L.value, tl.item(), case)
            tg = np.concatenate([p.grad.numpy().ravel() for p in net.t.parameters()])
            note("grad", g, tg, case)
            if okw.get("clip"):
                torch.nn.utils.clip_grad_norm_(net.t.parameters(), okw["clip"])
            topt.step()
            check(opt_step(ctx, h, net.m, ptr(g)))
            note("weights", net.weights(), net.torch_weights(), case)
        opt_free(h)
        mlp_free(net.m)
        cases += 1

# st_mlp_train_epoch, one batch of all rows per epoch (the shuffle then only reorders sums)
for pname, kind, sizes, acts, out, Y, cw in problems[:3]:
    case = "%s / train_epoch" % pname
    net = Net(sizes, acts, out, seed=99)
    h, topt = make_opt("adam", net, lr=1e-2, wd=1e-3)
    loss = Loss()
    loss_init(C.byref(loss), kind)
    loss.tau, loss.splc_warmup = 0.5, 2
    cwa = np.array(cw, float)
    loss.class_weight, loss.nclass_weight = ptr(cwa), len(cw)
    Yc = np.ascontiguousarray(Y).astype(float)
    for epoch in range(5):
        L = C.c_double()
        check(train_epoch(ctx, net.m, h, C.byref(loss), ptr(X), n, ptr(Yc), ptr(W), n, 3, epoch, C.byref(L)))
        topt.zero_grad()
        k = SPLC if kind == SPLC and epoch >= 2 else (BCE if kind == SPLC else kind)
        tl = torch_loss(k, net.t(torch.tensor(X)), Yc, W, cw, 0.5)
        tl.backward()
        topt.step()
        note("loss", L.value, tl.item(), case)
        note("weights", net.weights(), net.torch_weights(), case)
    opt_free(h)
    mlp_free(net.m)
    cases += 1

if not 0 < flips[0] < flips[1]:
    sys.exit("SPLC: %d of %d positives corrected: the cases do not test both sides of tau" % tuple(flips))
print("SPLC: %d of %d positives were scored as negatives (p <= tau)" % tuple(flips))
print("%d cases against torch %s (float64): worst relative difference: loss %.2g, gradient %.2g, weights %.2g"
      % (cases, torch.__version__, worst["loss"], worst["grad"], worst["weights"]))
