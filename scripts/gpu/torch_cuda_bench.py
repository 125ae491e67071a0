"""PyTorch peer of scripts/gpu/webgpu-bench.ts: the same CNN, batch sizes and plain SGD step.

Model: build_cnn of torch_models.py (scripts/torch/, or beside this file in the GPU bundle), batchlab's
cnn with channels [16, 32], norm batch, max pooling, on 28x28x1 inputs.
Data are random tensors of the real shapes on the device (throughput does not depend on the
values); each step gathers its batch from an 8,000-example pool on the device through a shuffled
index, as batchlab does. Eager mode, float32, default cuDNN settings.

Per batch size: `--warmup` steps, a pilot of 3 steps that sizes the timed rounds, then `--rounds`
rounds of about seconds/rounds each, timed between torch.cuda.synchronize() calls; the best round
is reported. Prints one JSON object per batch size on stdout:
  {"backend": "torch-cuda" | "torch-cpu", "device", "model", "batch", "samples_per_s",
   "ms_per_step", "steps", "rounds": [...]}

Usage: python3 torch_cuda_bench.py [--device cuda|cpu] [--batches 256,8] [--seconds 6]
       [--rounds 3] [--warmup 10] [--threads N]
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn

# torch_models.py sits in scripts/torch/ in a checkout and beside this file in the GPU bundle.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
from torch_loop import EpochSampler, add_device_args, device_of, train_step  # noqa: E402
from torch_models import build_cnn  # noqa: E402

POOL = 8000


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def run_batch(device, batch, seconds, rounds, warmup):
    torch.manual_seed(0)
    model = build_cnn().to(device)
    model.train()
    pool = max(POOL, batch)
    xs = torch.randn(pool, 1, 28, 28, device=device)
    ys = torch.randint(0, 10, (pool,), device=device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    sampler = EpochSampler(pool, device=device)

    def step():
        idx = sampler.next(batch)
        return train_step(model, opt, loss_fn, xs[idx], ys[idx])

    for _ in range(warmup):
        step()
    sync(device)
    pilot = 3
    t0 = time.perf_counter()
    for _ in range(pilot):
        step()
    sync(device)
    per_step = (time.perf_counter() - t0) / pilot
    steps = int(min(20000, max(3, seconds / rounds / max(per_step, 1e-6))))
    per_round = []
    for _ in range(rounds):
        sync(device)
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        sync(device)
        per_round.append(batch * steps / (time.perf_counter() - t0))
    best = max(per_round)
    return {
        "backend": f"torch-{device.type}",
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "model": "cnn16-32-bn",
        "batch": batch,
        "samples_per_s": round(best, 1),
        "ms_per_step": round(batch * 1000 / best, 3),
        "steps": steps * rounds,
        "rounds": [round(r, 1) for r in per_round],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batches", default="256,8")
    p.add_argument("--seconds", type=float, default=6.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=10)
    add_device_args(p)
    a = p.parse_args()
    device = device_of(a, "torch_cuda_bench")
    for b in a.batches.split(","):
        print(json.dumps(run_batch(device, int(b), a.seconds, a.rounds, a.warmup)), flush=True)


if __name__ == "__main__":
    main()
