"""PyTorch peer for batchlab's benchmark: the same models, batches and plain SGD step.

Reads a JSON list of cells from argv[1]; prints one JSON object per line on stdout:
  {"model": ..., "batch": ..., "samples_per_s": ..., "ms_per_step": ..., "steps": ...,
   "cpu_per_wall": ..., "cpu_ms_per_step": ...}
A cell: {"model": "mlp" | "cnn" | "tiny", "batch": int, "seconds": float, "rounds": int,
         "warmup": int, "min_steps": int, "max_steps": int}
`seconds` is split over `rounds` timed rounds; the best round is reported (as on the tfjs side).
Models: torch_models.py (beside this file), which mirrors batchlab's factories (mlp, cnn, tiny).
Data are random tensors of the real shapes (throughput does not depend on the values); each
step gathers its batch from a 4096-example pool through a shuffled index, as batchlab does.
"""
import json
import os
import sys
import time

THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
# torch.set_num_threads sizes torch's OpenMP pool only. Debian's torch runs its matrix products
# in OpenBLAS (libopenblas0-pthread), whose own pool starts with one thread per core unless
# OPENBLAS_NUM_THREADS says otherwise, and it is read when the library loads: without this line
# a "one-thread" PyTorch runs every Linear on all cores. argv[3] = "blas-all-cores" leaves that
# pool unsized, as this script did before, to show the difference (scripts/probes/native-vs-torch.ts).
if not (len(sys.argv) > 3 and sys.argv[3] == "blas-all-cores"):
    os.environ["OPENBLAS_NUM_THREADS"] = str(THREADS)
else:
    os.environ.pop("OPENBLAS_NUM_THREADS", None)
os.environ["OMP_NUM_THREADS"] = str(THREADS)

import torch  # noqa: E402  (after the thread variables, which the libraries read at load)
from torch import nn  # noqa: E402

from torch_loop import EpochSampler, train_step  # noqa: E402
from torch_models import build  # noqa: E402

torch.set_num_threads(THREADS)
torch.manual_seed(0)
POOL = 4096


def run_cell(cell):
    model, shape = build(cell["model"])
    model.train()
    batch = cell["batch"]
    pool = max(POOL, batch)
    xs = torch.randn(pool, *shape)
    ys = torch.randint(0, 10, (pool,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    sampler = EpochSampler(pool)

    def step():
        idx = sampler.next(batch)
        return train_step(model, opt, loss_fn, xs[idx], ys[idx])

    for _ in range(cell["warmup"]):
        step().item()
    # Pilot: time a few steps to size each timed round.
    t0 = time.perf_counter()
    pilot = 3
    for _ in range(pilot):
        step()
    per_step = (time.perf_counter() - t0) / pilot
    rounds = cell["rounds"]
    steps = int(min(cell["max_steps"], max(cell["min_steps"], cell["seconds"] / rounds / max(per_step, 1e-6))))
    best = float("inf")
    best_cpu = float("inf")
    wall = 0.0
    cpu = 0.0
    for _ in range(rounds):
        t0 = time.perf_counter()
        c0 = time.process_time()
        last = None
        for _ in range(steps):
            last = step()
        last.item()
        used = time.process_time() - c0
        cpu += used
        best_cpu = min(best_cpu, used)
        elapsed = time.perf_counter() - t0
        wall += elapsed
        best = min(best, elapsed)
    # CPU seconds of all the process's threads per wall second over the timed rounds: about 1
    # when one thread did the work, up to the thread count when the pools ran in parallel.
    return {"model": cell["model"], "batch": batch, "samples_per_s": batch * steps / best, "ms_per_step": best * 1000 / steps,
            "steps": steps * rounds, "cpu_per_wall": cpu / wall, "cpu_ms_per_step": best_cpu * 1000 / steps}


def main():
    cells = json.loads(sys.argv[1])
    for cell in cells:
        print(json.dumps(run_cell(cell)), flush=True)


if __name__ == "__main__":
    main()
