"""PyTorch's loop over the main job's grid (experiments/quick.yaml), for a wall-time comparison
with `batchlab sweep experiments/quick.yaml` (scripts/probes/quick-grid.sh runs both).

The same work per run: MLP 784-256-128-10 (ReLU), SGD momentum 0.9 (PyTorch's convention, as
batchlab's), mean cross-entropy, 2 epochs of 8,000 examples in shuffled batches (the last partial
batch dropped, as batchlab does), the LR scaled by the rule with a half-epoch linear warmup from
the base LR when it grows; evaluations as quick.yaml's: 500 train, 500 validation and 500 test
examples at the start and after each epoch, and validation and test alone at the first step at or
past 512 x 2^(k/2) examples seen (evalLogSpaced: perDoubling 2, fromExamples 512). Data are random tensors of MNIST's shapes (the time does not depend on the
values), so no run diverges here, while batchlab stops its two diverging runs early (both at
B=1024, under 1 s each). Prints one JSON line: {"threads", "runs", "wall_s"}.

Usage: python3 scripts/torch/quick_grid_torch.py [threads]
"""
import json
import math
import os
import sys
import time

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 1
# torch.set_num_threads sizes only torch's OpenMP pool; Debian's torch multiplies matrices in
# OpenBLAS, whose pthread pool takes every core unless told at load time (as scripts/torch/torch_bench.py).
os.environ["OPENBLAS_NUM_THREADS"] = str(THREADS)
os.environ["OMP_NUM_THREADS"] = str(THREADS)

import torch  # noqa: E402
from torch import nn  # noqa: E402

from torch_loop import train_step  # noqa: E402
from torch_models import build_mlp  # noqa: E402

torch.set_num_threads(THREADS)
TRAIN, EVAL, EPOCHS, B0, WARMUP = 8000, 500, 2, 64, 0.5
PER_DOUBLING, FROM_EXAMPLES = 2, 512
BATCHES, BASE_LRS, RULES, SEEDS = [16, 64, 256, 1024], [0.025, 0.1], ["none", "linear", "sqrt"], [1, 2]

g = torch.Generator().manual_seed(0)
x_train = torch.rand(TRAIN, 784, generator=g)
y_train = torch.randint(0, 10, (TRAIN,), generator=g)
x_eval = torch.rand(3 * EVAL, 784, generator=g)  # train subset, validation, test
y_eval = torch.randint(0, 10, (3 * EVAL,), generator=g)


def scaled(rule, lr, b):
    k = b / B0
    return lr * (k if rule == "linear" else math.sqrt(k) if rule == "sqrt" else 1.0)


def evaluate(model, sets=3):
    # sets=3: train subset, validation and test (epoch ends); sets=2: validation and test only
    with torch.no_grad():
        for start in range((3 - sets) * EVAL, 3 * EVAL, EVAL):
            nn.functional.cross_entropy(model(x_eval[start:start + EVAL]), y_eval[start:start + EVAL])


def log_index(examples):
    if examples < FROM_EXAMPLES:
        return -1
    return math.floor(PER_DOUBLING * math.log2(examples / FROM_EXAMPLES) + 1e-9)


def run(b, base, rule, seed):
    torch.manual_seed(seed)
    model = build_mlp()  # flattens [N, 784] as a no-op
    peak = scaled(rule, base, b)
    opt = torch.optim.SGD(model.parameters(), lr=peak, momentum=0.9)
    steps_per_epoch = TRAIN // b
    warm = int(WARMUP * steps_per_epoch) if peak > base else 0
    evaluate(model)
    step = 0
    for _ in range(EPOCHS):
        order = torch.randperm(TRAIN)
        for i in range(steps_per_epoch):
            lr = base + (peak - base) * step / warm if step < warm else peak
            for group in opt.param_groups:
                group["lr"] = lr
            idx = order[i * b:(i + 1) * b]
            train_step(model, opt, nn.functional.cross_entropy, x_train[idx], y_train[idx]).item()  # batchlab reads every loss back too
            step += 1
            seen = step * b
            if i < steps_per_epoch - 1 and log_index(seen) > log_index(seen - b):
                evaluate(model, sets=2)
        evaluate(model)


t0 = time.perf_counter()
n = 0
for b in BATCHES:
    for base in BASE_LRS:
        for rule in RULES:
            for seed in SEEDS:
                run(b, base, rule, seed)
                n += 1
print(json.dumps({"threads": THREADS, "runs": n, "wall_s": round(time.perf_counter() - t0, 2)}))
