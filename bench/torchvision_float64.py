"""Compares ConvScope's and PyTorch's float32 input gradients with PyTorch's float64 gradient.

For every model folder written by bench/export_torchvision.py that also has convscope-saliency.npy (written by
`TorchvisionCheck --backward`), it computes saliency64.npy: the gradient of the same top logit with respect
to the same input, with the model and input in float64. Then it prints, per model, the largest difference
relative to the largest float64 value for ConvScope (float32), for PyTorch (float32), and between the two.

  nice /usr/bin/python3 bench/torchvision_float64.py [--out /tmp/tv-onnx] [MODEL ...]
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_torchvision import build  # noqa: E402  same weights and normalization statistics as the export


def saliency64(name, folder):
    model = build(name).double()
    x = torch.from_numpy(np.load(os.path.join(folder, "input.npy"))).double().requires_grad_(True)
    target = int(np.load(os.path.join(folder, "logits.npy"))[0].argmax())  # the float32 run's top class
    logits = model(x)
    gradient, = torch.autograd.grad(logits[0, target], x)
    return gradient.numpy()


def relative(a, reference):
    return float(np.abs(a - reference).max() / np.abs(reference).max())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*")
    parser.add_argument("--out", default="/tmp/tv-onnx/opset13")
    args = parser.parse_args()
    torch.set_num_threads(1)
    names = args.models or sorted(os.listdir(args.out))
    print("%-20s %12s %12s %12s" % ("model", "convscope", "pytorch", "convscope vs"))
    print("%-20s %12s %12s %12s" % ("", "vs float64", "vs float64", "pytorch"))
    for name in names:
        folder = os.path.join(args.out, name)
        ours = os.path.join(folder, "convscope-saliency.npy")
        if not os.path.exists(ours):
            continue
        path64 = os.path.join(folder, "saliency64.npy")
        if not os.path.exists(path64):
            np.save(path64, saliency64(name, folder))
        reference = np.load(path64)
        a, b = np.load(ours), np.load(os.path.join(folder, "saliency.npy"))
        print("%-20s %12.1e %12.1e %12.1e" % (name, relative(a, reference), relative(b, reference), relative(a, b)),
              flush=True)


if __name__ == "__main__":
    sys.exit(main())
