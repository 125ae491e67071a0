"""PyTorch's side of a native MLP step profile: per-op self time of one training step of the bench's
MLP (784-256-128-10, plain SGD, cross-entropy, batch gathered from a 4096-example pool), from
torch.profiler, plus the unprofiled ms per step (median of 5 rounds of 50 steps) and the CPU seconds
per wall second of those rounds. Compare with
`BATCHLAB_THREADS=1 node bin/run-ts.mjs scripts/probes/native-profile.ts native mlp 1024`.

OpenBLAS's pool is sized to the thread count (as scripts/torch/torch_bench.py does) unless
`blas-all-cores` is given, which leaves it at one thread per core, whatever torch.set_num_threads says.

Usage: /usr/bin/python3 scripts/torch/torch_mlp_profile.py [threads=1] [batch=1024] [blas-all-cores]
"""
import os
import sys
import time

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 1
BATCH = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
if "blas-all-cores" in sys.argv[3:]:
    os.environ.pop("OPENBLAS_NUM_THREADS", None)
else:
    os.environ["OPENBLAS_NUM_THREADS"] = str(THREADS)
os.environ["OMP_NUM_THREADS"] = str(THREADS)

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.profiler import ProfilerActivity, profile  # noqa: E402

from torch_loop import train_step  # noqa: E402
from torch_models import build_mlp  # noqa: E402

torch.set_num_threads(THREADS)
torch.manual_seed(0)
model = build_mlp()
xs = torch.randn(4096, 1, 28, 28)
ys = torch.randint(0, 10, (4096,))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()


def step():
    idx = torch.randint(0, 4096, (BATCH,))
    return train_step(model, opt, loss_fn, xs[idx], ys[idx])


for _ in range(20):
    step()
times, cpu, wall = [], 0.0, 0.0
for _ in range(5):
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(50):
        step()
    step().item()
    dt = time.perf_counter() - t0
    cpu += time.process_time() - c0
    wall += dt
    times.append(dt * 1000 / 51)
times.sort()
blas = os.environ.get("OPENBLAS_NUM_THREADS", "one per core")
print(f"torch {torch.__version__}, {THREADS} thread(s), OpenBLAS threads: {blas}, batch {BATCH}: "
      f"{times[2]:.2f} ms/step (median of 5 rounds; {times[0]:.2f}-{times[-1]:.2f}), cpu/wall {cpu / wall:.2f}")
STEPS = 20
with profile(activities=[ProfilerActivity.CPU]) as prof:
    for _ in range(STEPS):
        step()
rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
total = sum(e.self_cpu_time_total for e in rows)
print(f"profiled: {total / 1000 / STEPS:.2f} ms/step of op self time")
for e in rows[:12]:
    print(f"  {e.key:40s} {e.self_cpu_time_total / 1000 / STEPS:7.3f} ms  {e.count / STEPS:4.1f} calls  {100 * e.self_cpu_time_total / total:5.1f}%")
