"""Plain-PyTorch versions of ConvScope's attribution methods, timed, for the side-by-side of issue 4.

Usage (Debian's PyTorch; bench/explain_bench.sh runs it once per method and batch, each in a fresh process so
that the peak resident memory is that method's):
  /usr/bin/python3 bench/torch_explain_bench.py ARCH INPUT.npy METHOD [BATCH_SIZE]
ARCH is a torchvision name built as bench/export_torchvision.py builds it (random weights, seed 0, normalization
randomized with seed 1), so it is the network of /tmp/tv-onnx/opset13/ARCH/model.onnx.

The parameters are ConvScope's defaults: SmoothGrad 32 samples at noise 0.15 of each item's value range,
Integrated Gradients 50 Gauss-Legendre points from a zero baseline, RISE 1,000 masks of 7x7 cells kept with
p 0.5, occlusion window 16 stride 8 with baseline 0 (the last window touching the far edge), Score-CAM over
every non-constant channel of the layer, bilinear upsampling with half-pixel centres; BATCH_SIZE (default 32)
variants per forward pass for the batched methods. Targets are the predicted classes; the CAM layer is
'layer4' (ResNets). One input gradient is taken first as a warm-up, then the method runs once, its forward pass
included. Prints one line like ExplainBench's.
"""
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_torchvision import build  # noqa: E402

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
QUICK = os.environ.get("QUICK") == "1"  # a few samples only, as ExplainBench's QUICK=1: checks the scripts, times nothing
SMOOTHGRAD_SAMPLES, SMOOTHGRAD_NOISE = (4 if QUICK else 32), 0.15
IG_STEPS = 4 if QUICK else 50
RISE_MASKS, RISE_CELLS, RISE_P = (32 if QUICK else 1000), 7, 0.5
OCCLUSION_WINDOW, OCCLUSION_STRIDE = (64, 32) if QUICK else (16, 8)


class ReluRule(torch.autograd.Function):
    """ReLU whose backward follows a rule: 'plain', 'guided' or 'deconvnet' (as ../shared/peer/make_fixtures.py)."""
    rule = "plain"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if ReluRule.rule == "guided":
            return g.clamp(min=0) * (x > 0)
        if ReluRule.rule == "deconvnet":
            return g.clamp(min=0)
        return g * (x > 0)


class RuleReLU(nn.Module):
    def forward(self, x):
        return ReluRule.apply(x)


def swap_relus(module):
    for name, child in module.named_children():
        if isinstance(child, nn.ReLU):
            setattr(module, name, RuleReLU())
        else:
            swap_relus(child)


def target_scores(logits, targets):
    return logits.gather(1, targets[:, None]).sum()


def input_gradient(model, x, targets):
    xi = x.clone().requires_grad_(True)
    g, = torch.autograd.grad(target_scores(model(xi), targets), xi)
    return g


def batched_gradients(model, make, count, targets_of, batch_size):
    """Input gradients of variants 0..count-1, batch_size per pass; make(v) gives variant v [C,H,W]."""
    out = []
    for start in range(0, count, batch_size):
        idx = range(start, min(count, start + batch_size))
        xs = torch.stack([make(v) for v in idx]).requires_grad_(True)
        t = torch.tensor([targets_of(v) for v in idx])
        g, = torch.autograd.grad(target_scores(model(xs), t), xs)
        out.append(g)
    return torch.cat(out)


def batched_outputs(model, make, count, batch_size):
    out = []
    with torch.no_grad():
        for start in range(0, count, batch_size):
            out.append(model(torch.stack([make(v) for v in range(start, min(count, start + batch_size))])))
    return torch.cat(out)


def smoothgrad(model, x, targets, b):
    n = x.shape[0]
    sigma = SMOOTHGRAD_NOISE * (x.flatten(1).max(1).values - x.flatten(1).min(1).values)
    gen = torch.Generator().manual_seed(0)
    noise = lambda v: x[v // SMOOTHGRAD_SAMPLES] + sigma[v // SMOOTHGRAD_SAMPLES] * torch.randn(x.shape[1:], generator=gen)
    g = batched_gradients(model, noise, n * SMOOTHGRAD_SAMPLES, lambda v: int(targets[v // SMOOTHGRAD_SAMPLES]), b)
    return g.view(n, SMOOTHGRAD_SAMPLES, *x.shape[1:]).mean(1)


def integrated_gradients(model, x, targets, b):
    n = x.shape[0]
    nodes, weights = np.polynomial.legendre.leggauss(IG_STEPS)
    alphas, weights = (nodes + 1) / 2, weights / 2
    g = batched_gradients(model, lambda v: float(alphas[v % IG_STEPS]) * x[v // IG_STEPS], n * IG_STEPS,
                          lambda v: int(targets[v // IG_STEPS]), b)
    w = torch.tensor(weights, dtype=torch.float32)
    return x * (g.view(n, IG_STEPS, *x.shape[1:]) * w[None, :, None, None, None]).sum(1)


def rule_gradient(model, x, targets, rule):
    swap_relus(model)
    ReluRule.rule = rule
    return input_gradient(model, x, targets)


class Cams:
    """The layer's activations and the target scores' gradient there, from one forward and backward pass."""

    def __init__(self, model, layer, x, targets):
        acts = {}
        h = layer.register_forward_hook(lambda m, i, o: acts.__setitem__("a", o))
        logits = model(x.clone().requires_grad_(True))  # so that the graph reaches the layer; weights are frozen
        h.remove()
        self.a = acts["a"]
        self.g, = torch.autograd.grad(target_scores(logits, targets), self.a)
        self.a = self.a.detach()

    def weighted(self, w):
        return torch.relu((w * self.a).sum(1))


def gradcam(model, layer, x, targets):
    c = Cams(model, layer, x, targets)
    return c.weighted(c.g.mean(dim=(2, 3), keepdim=True))


def gradcam_plus_plus(model, layer, x, targets):
    c = Cams(model, layer, x, targets)
    g2 = c.g ** 2
    denominator = 2 * g2 + c.a.sum(dim=(2, 3), keepdim=True) * g2 * c.g
    alpha = torch.where(denominator != 0, g2 / torch.where(denominator != 0, denominator, torch.ones_like(denominator)),
                        torch.zeros_like(denominator))
    return c.weighted((alpha * torch.relu(c.g)).sum(dim=(2, 3), keepdim=True))


def layercam(model, layer, x, targets):
    c = Cams(model, layer, x, targets)
    return c.weighted(torch.relu(c.g))


def cam(model, layer, x, targets):
    acts = {}
    h = layer.register_forward_hook(lambda m, i, o: acts.__setitem__("a", o))
    with torch.no_grad():
        model(x)
    h.remove()
    w = model.fc.weight[targets].detach()[:, :, None, None]
    return torch.relu((w * acts["a"]).sum(1))


def guided_gradcam(model, layer, x, targets):
    g = gradcam(model, layer, x, targets)
    up = F.interpolate(g[:, None], size=x.shape[2:], mode="bilinear", align_corners=False)
    return rule_gradient(model, x, targets, "guided") * up


def scorecam(model, layer, x, targets, b):
    acts = {}
    h = layer.register_forward_hook(lambda m, i, o: acts.__setitem__("a", o))
    with torch.no_grad():
        model(x)
    h.remove()
    a = acts["a"]
    n, k = a.shape[:2]
    flat = a.flatten(2)
    varying = [int(m) for m in torch.nonzero((flat.max(2).values > flat.min(2).values).flatten())]

    def masked(v):
        m = varying[v]
        up = F.interpolate(a[m // k, m % k][None, None], size=x.shape[2:], mode="bilinear", align_corners=False)[0, 0]
        up = (up - up.min()) / (up.max() - up.min())
        return x[m // k] * up

    weights = torch.zeros(n * k)
    if varying:
        probs = torch.softmax(batched_outputs(model, masked, len(varying), b), 1)
        for j, m in enumerate(varying):
            weights[m] = probs[j, targets[m // k]]
    return torch.relu((weights.view(n, k, 1, 1) * a).sum(1))


def window_starts(size, window, stride):
    starts = list(range(0, size - window + 1, stride))
    if starts[-1] + window < size:
        starts.append(size - window)
    return starts


def occlusion(model, x, targets, b):
    n, _, height, width = x.shape
    ys = window_starts(height, OCCLUSION_WINDOW, OCCLUSION_STRIDE)
    xs = window_starts(width, OCCLUSION_WINDOW, OCCLUSION_STRIDE)
    windows = [(y, xx) for y in ys for xx in xs]

    def occluded(v):
        y, xx = windows[v % len(windows)]
        img = x[v // len(windows)].clone()
        img[:, y:y + OCCLUSION_WINDOW, xx:xx + OCCLUSION_WINDOW] = 0
        return img

    with torch.no_grad():
        clean = model(x).gather(1, targets[:, None])[:, 0]
    out = batched_outputs(model, occluded, n * len(windows), b)
    total = torch.zeros(n, height, width)
    count = torch.zeros(height, width)
    for v in range(n * len(windows)):
        y, xx = windows[v % len(windows)]
        i = v // len(windows)
        total[i, y:y + OCCLUSION_WINDOW, xx:xx + OCCLUSION_WINDOW] += clean[i] - out[v, targets[i]]
        if i == 0:
            count[y:y + OCCLUSION_WINDOW, xx:xx + OCCLUSION_WINDOW] += 1
    return total / count


def rise(model, x, targets, b):
    n, _, height, width = x.shape
    gen = torch.Generator().manual_seed(0)
    cell_h, cell_w = -(-height // RISE_CELLS), -(-width // RISE_CELLS)
    total = torch.zeros(n, height, width)
    with torch.no_grad():
        for start in range(0, RISE_MASKS * n, b):
            variants = range(start, min(RISE_MASKS * n, start + b))
            masks = {}
            for v in variants:
                m = v // n
                if m not in masks:
                    grid = (torch.rand(1, 1, RISE_CELLS, RISE_CELLS, generator=gen) < RISE_P).float()
                    up = F.interpolate(grid, size=((RISE_CELLS + 1) * cell_h, (RISE_CELLS + 1) * cell_w), mode="bilinear",
                                       align_corners=False)[0, 0]
                    dy, dx = int(torch.randint(cell_h, (1,), generator=gen)), int(torch.randint(cell_w, (1,), generator=gen))
                    masks[m] = up[dy:dy + height, dx:dx + width]
            batch = torch.stack([x[v % n] * masks[v // n] for v in variants])
            probs = torch.softmax(model(batch), 1)
            for j, v in enumerate(variants):
                total[v % n] += probs[j, targets[v % n]] * masks[v // n]
    return total / (RISE_MASKS * RISE_P)


def main():
    arch, input_path, method = sys.argv[1], sys.argv[2], sys.argv[3]
    b = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    model = build(arch)
    for p in model.parameters():
        p.requires_grad_(False)
    layer = model.layer4
    x = torch.from_numpy(np.load(input_path)).float()
    with torch.no_grad():
        targets = model(x).argmax(1)
    input_gradient(model, x, targets)  # warm-up

    start = time.perf_counter()
    with torch.no_grad():
        targets = model(x).argmax(1)  # the recorded forward pass every method starts from in ConvScope
    methods = {
        "saliency": lambda: input_gradient(model, x, targets),
        "input-x-gradient": lambda: x * input_gradient(model, x, targets),
        "smoothgrad": lambda: smoothgrad(model, x, targets, b),
        "integrated-gradients": lambda: integrated_gradients(model, x, targets, b),
        "guided-backprop": lambda: rule_gradient(model, x, targets, "guided"),
        "deconvnet": lambda: rule_gradient(model, x, targets, "deconvnet"),
        "cam": lambda: cam(model, layer, x, targets),
        "gradcam": lambda: gradcam(model, layer, x, targets),
        "gradcam++": lambda: gradcam_plus_plus(model, layer, x, targets),
        "layercam": lambda: layercam(model, layer, x, targets),
        "scorecam": lambda: scorecam(model, layer, x, targets, b),
        "guided-gradcam": lambda: guided_gradcam(model, layer, x, targets),
        "occlusion": lambda: occlusion(model, x, targets, b),
        "rise": lambda: rise(model, x, targets, b),
    }
    result = methods[method]().detach()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"torch {arch} batch {x.shape[0]} method {method} seconds {seconds:.3f} peak_rss_mb {peak} "
          f"targets {targets.tolist()} map {list(result.shape)} sum {float(result.double().sum()):.6g} "
          f"absmax {float(result.abs().max()):.6g}".replace(", ", ","), flush=True)


if __name__ == "__main__":
    main()
