#!/usr/bin/env python3
"""The PyTorch peer of bench/learn/mlp_train.c: the same shapes (N rows of D features, 3 planted classes, a
D-H-H-3 ReLU network, cross-entropy, Adam lr 1e-3, batch B, E epochs after one warm-up epoch), a plain loop
over a shuffled index (no DataLoader), in float64 (as strata) or float32, on THREADS threads.

usage: mlp_torch.py N D H E B [float64|float32] [THREADS]
"""
import sys
import time

import numpy as np
import torch

N, D, H, E, B = (int(a) for a in sys.argv[1:6])
dtype = torch.float32 if len(sys.argv) > 6 and sys.argv[6] == "float32" else torch.float64
torch.set_num_threads(int(sys.argv[7]) if len(sys.argv) > 7 else 1)
torch.manual_seed(1)
rng = np.random.default_rng(1)
X = rng.normal(size=(N, D))
sgn = np.where(np.arange(D) % 2 == 1, 1.0, -1.0) / (np.arange(D) + 1)
a = X @ sgn
b = X @ np.where(np.arange(D) < D // 2, 1.0, -1.0) / D
y = np.where(a > 0.3, 2, np.where(b > 0, 1, 0))
X = torch.tensor(X, dtype=dtype)
y = torch.tensor(y, dtype=torch.long)
net = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Linear(H, H), torch.nn.ReLU(),
                          torch.nn.Linear(H, 3)).to(dtype)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
t0 = 0.0
for e in range(E + 1):
    if e == 1:
        t0 = time.perf_counter()
    perm = torch.randperm(N)
    total = 0.0
    for s in range(0, N, B):
        idx = perm[s:s + B]
        opt.zero_grad()
        loss = loss_fn(net(X[idx]), y[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
per = (time.perf_counter() - t0) / E
print("%.4f s/epoch, loss %.4f, %d parameters" % (per, total / N, sum(p.numel() for p in net.parameters())))
