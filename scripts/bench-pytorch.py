#!/usr/bin/env python3
"""PyTorch reference for `siam bench`: the same steps, the same shapes, the same timing.

Each figure is the median of --trials timed steps after one warm-up step, in images per
second (a two-view step counts its batch, not 2x the batch, as `siam bench` does).
Install (CPU wheel, no CUDA):

    python3 -m venv .venv-torch
    .venv-torch/bin/pip install --no-deps torch==2.13.0+cpu
    .venv-torch/bin/pip install filelock typing-extensions sympy networkx jinja2 fsspec
    .venv-torch/bin/python scripts/bench-pytorch.py --threads 2 --json

Parts (same names as `siam bench --only`): simclr-convnet, byol-convnet, mocov2-convnet,
simclr-resnet18, forward-convnet, forward-resnet18.
"""

import argparse
import copy
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def convnet():
    """Siam's `convnet` with `pool: 1`: 3 x (conv3x3 no bias, BN, ReLU), global average pool."""
    layers, channels = [], 1
    for width, stride in [(32, 1), (64, 2), (128, 2)]:
        layers += [nn.Conv2d(channels, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
        channels = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


def resnet18_cifar():
    """torchvision's ResNet-18 with the CIFAR stem (conv3x3 s1, no max pool), fc removed."""
    layers = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()]
    channels = 64
    for stage, width in enumerate([64, 128, 256, 512]):
        stride = 1 if stage == 0 else 2
        layers += [BasicBlock(channels, width, stride), BasicBlock(width, width, 1)]
        channels = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())


def mlp(i, h, o, bn=True):
    """Linear(i->h, no bias if BN) [+ BN] + ReLU + Linear(h->o)."""
    return nn.Sequential(nn.Linear(i, h, bias=not bn), *( [nn.BatchNorm1d(h)] if bn else []), nn.ReLU(), nn.Linear(h, o))


def nt_xent(z1, z2, t):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    s = z @ z.t() / t
    s.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(s, targets)


def byol_loss(p, z):
    return (2 - 2 * F.cosine_similarity(p, z.detach(), dim=-1)).mean()


def sgd(params):
    return torch.optim.SGD(params, lr=0.06, momentum=0.9, weight_decay=5e-4)


# PyTorch's fastest CPU layout for these networks is channels_last (NHWC: oneDNN's
# convolutions run on it without reordering); NCHW measured 25-35 % slower on this machine.
MEMORY_FORMAT = {"memory_format": torch.channels_last}


def fast(module):
    return module.to(**MEMORY_FORMAT)


def views(batch, shape):
    g = torch.Generator().manual_seed(0)
    x1, x2 = torch.randn(batch, *shape, generator=g), torch.randn(batch, *shape, generator=g)
    return x1.contiguous(**MEMORY_FORMAT), x2.contiguous(**MEMORY_FORMAT)


def simclr(encoder, projector, batch, shape):
    model = fast(nn.Sequential(encoder, projector))
    opt = sgd(model.parameters())
    x1, x2 = views(batch, shape)

    def step():
        opt.zero_grad(set_to_none=True)
        nt_xent(model(x1), model(x2), 0.5).backward()
        opt.step()

    return step


def byol(batch):
    online = fast(nn.Sequential(convnet(), mlp(128, 128, 64)))
    predictor = mlp(64, 128, 64)
    target = copy.deepcopy(online)
    for p in target.parameters():
        p.requires_grad_(False)
    opt = sgd(list(online.parameters()) + list(predictor.parameters()))
    x1, x2 = views(batch, (1, 28, 28))

    def step():
        opt.zero_grad(set_to_none=True)
        p1, p2 = predictor(online(x1)), predictor(online(x2))
        with torch.no_grad():
            t1, t2 = target(x1), target(x2)
        (byol_loss(p1, t2) + byol_loss(p2, t1)).backward()
        opt.step()
        with torch.no_grad():
            for po, pt in zip(online.parameters(), target.parameters()):
                pt.mul_(0.99).add_(po, alpha=0.01)
            for bo, bt in zip(online.buffers(), target.buffers()):
                bt.copy_(bo)

    return step


def mocov2(batch, queue_size=4096, dim=64):
    query = fast(nn.Sequential(convnet(), mlp(128, 128, dim, bn=False)))
    key = copy.deepcopy(query)
    for p in key.parameters():
        p.requires_grad_(False)
    opt = sgd(query.parameters())
    queue = F.normalize(torch.randn(queue_size, dim, generator=torch.Generator().manual_seed(1)), dim=1)
    state = {"ptr": 0}
    x1, x2 = views(batch, (1, 28, 28))

    def step():
        opt.zero_grad(set_to_none=True)
        q = F.normalize(query(x1), dim=1)
        with torch.no_grad():
            for pq, pk in zip(query.parameters(), key.parameters()):
                pk.mul_(0.999).add_(pq, alpha=0.001)
            k = F.normalize(key(x2), dim=1)
        positive = (q * k).sum(1, keepdim=True)
        negative = q @ queue.t()
        logits = torch.cat([positive, negative], dim=1) / 0.2
        F.cross_entropy(logits, torch.zeros(batch, dtype=torch.long)).backward()
        opt.step()
        ptr = state["ptr"]
        queue[ptr:ptr + batch] = k
        state["ptr"] = (ptr + batch) % queue_size

    return step


def forward(encoder, batch, shape):
    encoder = fast(encoder).eval()
    x, _ = views(batch, shape)

    def step():
        with torch.no_grad():
            encoder(x)

    return step


def measure(step, trials):
    step()
    times = []
    for _ in range(trials):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


PARTS = {
    "simclr-convnet": (256, lambda: simclr(convnet(), mlp(128, 128, 64), 256, (1, 28, 28))),
    "byol-convnet": (256, lambda: byol(256)),
    "mocov2-convnet": (256, lambda: mocov2(256)),
    "simclr-resnet18": (128, lambda: simclr(resnet18_cifar(), mlp(512, 2048, 128), 128, (3, 32, 32))),
    "forward-convnet": (256, lambda: forward(convnet(), 256, (1, 28, 28))),
    "forward-resnet18": (256, lambda: forward(resnet18_cifar(), 256, (3, 32, 32))),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--nchw", action="store_true", help="keep PyTorch's default NCHW layout (slower)")
    args = parser.parse_args()
    if args.nchw:
        MEMORY_FORMAT["memory_format"] = torch.contiguous_format
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    result = {"torch": torch.__version__, "threads": args.threads, "trials": args.trials,
              "memory_format": str(MEMORY_FORMAT["memory_format"]).replace("torch.", "")}
    for name in args.only.split(","):
        batch, make = PARTS[name]
        trials = max(3, args.trials // 2) if "resnet18" in name and "forward" not in name else args.trials
        seconds = measure(make(), trials)
        key = name.split("-")[1] + "_" + name.split("-")[0] if name.startswith("forward") else name.replace("-", "_")
        result[key + "_images_per_second"] = batch / seconds
        if not args.json:
            print(f"{name:18} {batch / seconds:10.1f} images/s  ({seconds * 1000:.1f} ms a step)", flush=True)
    if args.json:
        print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
