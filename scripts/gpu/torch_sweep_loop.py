"""The PyTorch loop a user would write to sweep batch size x learning rate x seed on one GPU: one
configuration at a time, in one process. The peer of `batchlab sweep --workers N` in
scripts/gpu/sweep-throughput.sh: the same CNN (build_cnn of torch_models.py), grid, steps per run
and plain SGD; per run a fresh model (seeded), `steps` steps each reading its loss (`loss.item()`,
as a loop that logs does), then one pass over the test split. Data are random tensors of mnist's
shapes on the device (8,000 train, `--test-size` test): the time does not depend on the values.

Prints one JSON object: {"runner": "torch-loop", "device", "runs", "steps_per_run", "wall_s",
"loop_s", "runs_per_min"}; wall_s counts from the script's start (importing torch included), as the
batchlab side counts its whole command; loop_s only the runs.

Usage: python3 torch_sweep_loop.py [--device cuda|cpu] [--batches 32,64,128,256] [--lrs 0.02,0.05]
       [--seeds 1,2] [--steps 50] [--test-size 1000] [--threads N]
"""
import time

START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

# torch_models.py sits in scripts/torch/ in a checkout and beside this file in the GPU bundle.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
from torch_loop import EpochSampler, add_device_args, device_of, train_step  # noqa: E402
from torch_models import build_cnn  # noqa: E402

TRAIN = 8000


def train_one(device, xs, ys, xt, yt, batch, lr, seed, steps, eval_batch=1000):
    torch.manual_seed(seed)
    model = build_cnn().to(device)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    sampler, last = EpochSampler(TRAIN, device=device), 0.0
    model.train()
    for _ in range(steps):
        idx = sampler.next(batch)
        last = train_step(model, opt, loss_fn, xs[idx], ys[idx]).item()
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, xt.shape[0], eval_batch):
            correct += (model(xt[i:i + eval_batch]).argmax(1) == yt[i:i + eval_batch]).sum().item()
    return last, correct / xt.shape[0]


def ints(text):
    return [int(x) for x in text.split(",")]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batches", default="32,64,128,256")
    p.add_argument("--lrs", default="0.02,0.05")
    p.add_argument("--seeds", default="1,2")
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--test-size", type=int, default=1000)
    add_device_args(p)
    a = p.parse_args()
    device = device_of(a, "torch_sweep_loop")
    gen = torch.Generator().manual_seed(0)
    xs = torch.randn(TRAIN, 1, 28, 28, generator=gen).to(device)
    ys = torch.randint(0, 10, (TRAIN,), generator=gen).to(device)
    xt = torch.randn(a.test_size, 1, 28, 28, generator=gen).to(device)
    yt = torch.randint(0, 10, (a.test_size,), generator=gen).to(device)
    grid = [(b, float(lr), s) for b in ints(a.batches) for lr in a.lrs.split(",") for s in ints(a.seeds)]
    t0 = time.perf_counter()
    for b, lr, s in grid:
        train_one(device, xs, ys, xt, yt, b, lr, s, a.steps)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    end = time.perf_counter()
    print(json.dumps({
        "runner": f"torch-loop-{device.type}",
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "runs": len(grid),
        "steps_per_run": a.steps,
        "wall_s": round(end - START, 2),
        "loop_s": round(end - t0, 2),
        "runs_per_min": round(len(grid) * 60 / (end - START), 2),
    }), flush=True)


if __name__ == "__main__":
    main()
