#!/usr/bin/env python3
"""The ratio tables of docs/BENCHMARKS.md from logs of bench/side-by-side.sh (or bench/run-all.sh engine ...).

Usage: bench/ratios.py LOG            one run: ms and ratios per model and batch
       bench/ratios.py LOG LOG ...    several runs: the median ratio and its range per cell

Columns: forward against ONNX Runtime, forward against PyTorch, saliency (forward + backward to the input) against
PyTorch's, and Grad-CAM (forward + backward to the last block) against PyTorch's.
"""
import re
import statistics
import sys


def parse(path):
    """ConvScope's, ONNX Runtime's and PyTorch's medians in one log, by (model, batch)."""
    convscope, ort, torch = {}, {}, {}
    current = None
    for line in open(path):
        m = re.match(r"== convscope (\S+) b(\d+)", line)
        if m:
            current = (m.group(1), int(m.group(2)))
            convscope[current] = {}
            continue
        m = re.match(r"(forward|forward\+backward input|forward\+backward layer)\s+([\d.]+) ms", line)
        if m and current:
            convscope[current][m.group(1)] = float(m.group(2))
            continue
        m = re.match(r"ort (\S+) b(\d+) forward_ms ([\d.]+)", line)
        if m:
            ort[(m.group(1), int(m.group(2)))] = float(m.group(3))
            continue
        m = re.match(r"(\S+) b(\d+) forward_ms ([\d.]+) saliency_ms ([\d.]+) gradcam_ms ([\d.]+)", line)
        if m:
            torch[(m.group(1), int(m.group(2)))] = tuple(map(float, m.group(3, 4, 5)))
    return convscope, ort, torch


def cells(c, o, p):
    """(ConvScope ms, peer ms) for each column."""
    return [(c["forward"], o), (c["forward"], p[0]), (c["forward+backward input"], p[1]),
            (c["forward+backward layer"], p[2])]


def ms(v):
    return f"{v:,.1f}" if v < 1000 else f"{v:,.0f}"


def main(paths):
    runs = [parse(p) for p in paths]
    keys = [k for k in runs[0][0] if all(k in run[0] and k in run[1] and k in run[2] for run in runs)]
    for k in keys:
        per_run = [cells(cs[k], ort[k], torch[k]) for cs, ort, torch in runs]
        if len(runs) == 1:
            row = [f"{ms(a)} / {ms(b)} = {a / b:.2f}" if j != 1 else f"{a / b:.2f}"
                   for j, (a, b) in enumerate(per_run[0])]
        else:
            row = []
            for j in range(4):
                ratios = [run[j][0] / run[j][1] for run in per_run]
                row.append(f"{statistics.median(ratios):.2f} ({min(ratios):.2f} to {max(ratios):.2f})")
        print(f"| {k[0]} | {k[1]} | " + " | ".join(row) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
