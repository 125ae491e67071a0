"""The PyTorch peers of batchlab's benchmark models, defined once for every comparison script
(scripts/torch/torch_bench.py, scripts/gpu/torch_cuda_bench.py, scripts/torch/quick_grid_torch.py),
so the models they time cannot drift apart. They mirror batchlab's factories:
  mlp:  flatten 28x28x1 -> 256 relu -> 128 relu -> 10
  cnn:  [conv3x3 'same' (no bias) -> BN -> relu -> maxpool 2] x (16, 32) -> global average pool -> 10
  tiny: 20 -> 32 relu -> 10
The GPU bundle (scripts/gpu/prepare-bundle.sh) copies this file next to torch_cuda_bench.py.
"""
from torch import nn


def build_mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def build_cnn():
    layers = []
    c_in = 1
    for c in (16, 32):
        # BN momentum 0.1 in PyTorch's convention is tfjs's 0.9; eps as batchlab's 1e-5.
        layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c, eps=1e-5, momentum=0.1), nn.ReLU(), nn.MaxPool2d(2)]
        c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10)]
    return nn.Sequential(*layers)


def build_tiny():
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 10))


# name -> (factory, input shape of one example)
MODELS = {
    "mlp": (build_mlp, (1, 28, 28)),
    "cnn": (build_cnn, (1, 28, 28)),
    "tiny": (build_tiny, (20,)),
}


def build(name):
    """(model, input shape of one example) for a model name of MODELS."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name}")
    factory, shape = MODELS[name]
    return factory(), shape
