"""Exports torchvision's classification networks to ONNX, with PyTorch's logits for checking ConvScope.

For every model it writes, under OUT/opsetNN/NAME/ (OUT defaults to /tmp/tv-onnx; the files are large, so
they stay out of the repository):
  model.onnx    torch.onnx.export, eval mode, input 'input' [batch,3,S,S], output 'logits', batch size free;
                models over 2 GB keep their weights in external files beside it
  input.npy     a 1x3xSxS float32 input drawn from N(0,1) (seed 2); S is 224, or 299 for inception_v3
  logits.npy    PyTorch's output for input.npy
  saliency.npy  the gradient of the top logit with respect to the input (PyTorch's autograd)
and appends one line to OUT/opsetNN/exported.tsv: name, parameters, seconds, and the op types in the graph.

The weights are random (weights=None, torch.manual_seed(0)). BatchNorm statistics and LayerNorm scales
and biases are randomized (seed 1) so that they are not the identity that fresh initialization leaves, and
so are linear layers initialized to zero (ViT's classifier head), whose logits would all be 0.

Run with Debian's PyTorch 1.13 and torchvision 0.14 (needs python3-onnx for the op list):
  nice /usr/bin/python3 bench/export_torchvision.py                      # every model, opset 13
  nice /usr/bin/python3 bench/export_torchvision.py --opset 17 resnet18 vit_b_16
  nice /usr/bin/python3 bench/export_torchvision.py --max-params 100e6   # skip the biggest
Models are exported smallest first; a model whose folder already has logits.npy is not exported again, and
only its missing saliency.npy is made.
Then check them with ConvScope: see docs/TORCHVISION.md.
"""
import argparse
import os
import sys
import time

import numpy as np
import onnx
import torch
import torchvision
from torch import nn


def input_size(name):
    return 299 if name == "inception_v3" else 224


def randomize_normalization(model, generator):
    """Gives every normalization layer statistics and affine parameters away from the identity, and zero
    linear layers small random weights."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=generator) + 0.5)
            if m.affine:
                m.weight.data.copy_(torch.rand(c, generator=generator) + 0.5)
                m.bias.data.copy_(torch.randn(c, generator=generator) * 0.1)
        elif isinstance(m, nn.LayerNorm) and m.elementwise_affine:
            m.weight.data.copy_(torch.rand(m.weight.shape, generator=generator) + 0.5)
            m.bias.data.copy_(torch.randn(m.bias.shape, generator=generator) * 0.1)
        elif isinstance(m, nn.Linear) and not m.weight.any():
            m.weight.data.copy_(torch.randn(m.weight.shape, generator=generator) * 0.02)


def build(name):
    torch.manual_seed(0)
    model = torchvision.models.get_model(name, weights=None)
    with torch.no_grad():
        randomize_normalization(model, torch.Generator().manual_seed(1))
    return model.eval()


def parameter_count(name):
    return sum(p.numel() for p in build(name).parameters())


def export(name, opset, folder):
    model = build(name)
    size = input_size(name)
    x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(2))
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    start = time.time()
    # Exported with autograd on: under no_grad nn.MultiheadAttention (ViT) takes a fused fast path that
    # PyTorch 1.13 cannot export.
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    with torch.no_grad():
        logits = model(x)
    np.save(os.path.join(folder, "input.npy"), x.numpy())
    np.save(os.path.join(folder, "logits.npy"), logits.numpy())
    graph = onnx.load(path, load_external_data=False).graph
    ops = sorted({n.op_type for n in graph.node})
    return time.time() - start, ops


def write_saliency(name, folder):
    model = build(name)
    x = torch.from_numpy(np.load(os.path.join(folder, "input.npy"))).requires_grad_(True)
    logits = model(x)
    target = int(logits[0].argmax())
    gradient, = torch.autograd.grad(logits[0, target], x)
    np.save(os.path.join(folder, "saliency.npy"), gradient.numpy())


def zero_symbolic(g, self):
    """aten::zero (Tensor.zero_, used by Swin V2 on its qkv bias) has no ONNX export in PyTorch 1.13: zeros of the same shape."""
    return g.op("ConstantOfShape", g.op("Shape", self), value_t=torch.tensor([0.0]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model names (default: every classification model)")
    parser.add_argument("--out", default="/tmp/tv-onnx")
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--max-params", type=float, default=float("inf"), help="skip models with more parameters")
    args = parser.parse_args()
    torch.set_num_threads(1)  # the machine is shared
    torch.onnx.register_custom_op_symbolic("aten::zero", zero_symbolic, 9)
    names = args.models or torchvision.models.list_models(module=torchvision.models)
    sized = sorted((parameter_count(n), n) for n in names)
    out = os.path.join(args.out, "opset%d" % args.opset)
    os.makedirs(out, exist_ok=True)
    for params, name in sized:
        folder = os.path.join(out, name)
        if params > args.max_params:
            continue
        if not os.path.exists(os.path.join(folder, "logits.npy")):
            try:
                seconds, ops = export(name, args.opset, folder)
                line = "%s\t%d\t%.0f\t%s" % (name, params, seconds, ",".join(ops))
            except Exception as e:  # keep going: one failed export should not stop the others
                line = "%s\t%d\tFAILED\t%s" % (name, params, str(e).splitlines()[0] if str(e) else type(e).__name__)
            print(line, flush=True)
            with open(os.path.join(out, "exported.tsv"), "a") as f:
                f.write(line + "\n")
        if os.path.exists(os.path.join(folder, "logits.npy")) and not os.path.exists(os.path.join(folder, "saliency.npy")):
            write_saliency(name, folder)


if __name__ == "__main__":
    sys.exit(main())
