#!/usr/bin/env python3
"""The PyTorch peer of `strata classify fit --model mlp` on the two-stage model's stage-1 shape: DATA.csv's
feature columns f0..f{D-1} standardised (population sd, as strata's design), label y with 3 classes and
balanced class weights n / (3 n_k) in CrossEntropyLoss(weight=...), a D-16-3 ReLU network, Adam lr 1e-3,
batch B, E epochs over a shuffled index (torch.randperm, no DataLoader), on THREADS threads, in float32
(torch's default) or float64. Times the training loop only (reading and standardising excluded).

usage: stage1_torch.py DATA.csv E B [float32|float64] [THREADS]
Prints: seconds, the last epoch's mean training loss (weighted as the loss), parameters.
"""
import sys
import time

import numpy as np
import torch

path, E, B = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
dtype = torch.float64 if len(sys.argv) > 4 and sys.argv[4] == "float64" else torch.float32
torch.set_num_threads(int(sys.argv[5]) if len(sys.argv) > 5 else 2)
torch.manual_seed(1)
data = np.loadtxt(path, delimiter=",", skiprows=1)
X, y = data[:, :-1], data[:, -1].astype(np.int64)
X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
N, D = X.shape
cnt = np.bincount(y, minlength=3)
w = torch.tensor(N / (3.0 * cnt), dtype=dtype)
X = torch.tensor(X, dtype=dtype)
y = torch.tensor(y)
net = torch.nn.Sequential(torch.nn.Linear(D, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)).to(dtype)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss(weight=w)
t0 = time.perf_counter()
for e in range(E):
    perm = torch.randperm(N)
    total = wsum = 0.0
    for s in range(0, N, B):
        idx = perm[s:s + B]
        opt.zero_grad()
        loss = loss_fn(net(X[idx]), y[idx])
        loss.backward()
        opt.step()
        bw = w[y[idx]].sum().item()
        total += loss.item() * bw
        wsum += bw
print("%.3f %.6f %d" % (time.perf_counter() - t0, total / wsum, sum(p.numel() for p in net.parameters())))
