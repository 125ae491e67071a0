"""The training-loop pieces every PyTorch comparison script shares (torch_bench.py, whole_run_torch.py,
torch_mlp_profile.py, quick_grid_torch.py here; torch_cuda_bench.py and torch_sweep_loop.py in
scripts/gpu/), so they all time the same step and draw batches the same way:
  train_step:    gradients cleared (to None), forward, loss, backward, update; the loss is not read back
  EpochSampler:  a shuffled pass over n examples, batch by batch; a new permutation when the rest of
                 the pass cannot fill a batch
  add_device_args / device_of: --device cuda|cpu and --threads, for the GPU scripts
The GPU bundle (scripts/gpu/prepare-bundle.sh) copies this file next to torch_cuda_bench.py.
"""
import torch


def train_step(model, opt, loss_fn, x, y):
    """One update of `model` on (x, y); returns the loss tensor (reading it is the caller's choice)."""
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    return loss


class EpochSampler:
    """Batch indices from a random permutation of range(n), drawn with `generator` on `device` when given."""

    def __init__(self, n, device=None, generator=None):
        self.n, self.device, self.generator = n, device, generator
        self.perm, self.pos = self._permutation(), 0

    def _permutation(self):
        return torch.randperm(self.n, generator=self.generator, device=self.device)

    def next(self, batch):
        if self.pos + batch > self.n:
            self.perm, self.pos = self._permutation(), 0
        idx = self.perm[self.pos:self.pos + batch]
        self.pos += batch
        return idx


def add_device_args(parser):
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads for --device cpu (0: leave as is)")


def device_of(args, tool):
    """The torch.device of parsed `args` (add_device_args); exits naming `tool` when CUDA is asked for and absent."""
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit(f"{tool}: CUDA is not available to this PyTorch (try --device cpu)")
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    return torch.device(args.device)
