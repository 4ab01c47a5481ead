"""Seconds per training epoch on Fashion-MNIST for ConvScope's demo architecture, in PyTorch CPU.

The peer of `bin/convscope train --arch demo`: the same layers (three conv stages of 32, 32 | 64, 64 | 128
channels, 3x3 convolutions without bias, batch norm, ReLU, 2x2 max pooling, global average pooling, a linear
head), the same batch size, Adam and 2 threads. Run with Debian's PyTorch:

    /usr/bin/python3 bench/torch_train_epoch.py [--batch 128] [--epochs 1] [--limit N] [--batches N]

It prints `torch demo-arch batch B epoch_seconds S` per epoch, and the test accuracy. With `--batches N` it
stops after the first N batches of one epoch and prints the same line as ConvScope's TrainBench: the time of
the N batches, and seconds per epoch estimated from the batches after the first 10 (warm-up).
"""
import argparse, gzip, time
import numpy as np
import torch
from torch import nn

def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

def load(split):
    d = "/usr/share/datasets/fashion-mnist/"
    x = idx(d + split + "-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    y = idx(d + split + "-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return torch.from_numpy((x - 0.286) / 0.353), torch.from_numpy(y)

def block(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

def demo():
    return nn.Sequential(*block(1, 32), *block(32, 32), nn.MaxPool2d(2),
                         *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
                         *block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))

def partial(model, opt, loss_fn, x, y, batch, batches, warmup=10):
    model.train()
    order = torch.randperm(len(x))
    stamps = [time.perf_counter()]
    cpu = [time.process_time()]
    for b in range(batches):
        idxs = order[b * batch:(b + 1) * batch]
        opt.zero_grad()
        loss = loss_fn(model(x[idxs]), y[idxs])
        loss.backward()
        opt.step()
        stamps.append(time.perf_counter())
        cpu.append(time.process_time())
    w = min(warmup, batches - 1)
    steady = (stamps[batches] - stamps[w]) / (batches - w)
    per_epoch = (len(x) + batch - 1) // batch
    print(f"torch demo-arch batch {batch} batches {batches} seconds {stamps[batches] - stamps[0]:.1f} "
          f"ms_per_batch {steady * 1e3:.1f} epoch_seconds_est {steady * per_epoch:.1f} "
          f"cpu_ms_per_batch {(cpu[batches] - cpu[w]) / (batches - w) * 1e3:.1f}", flush=True)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="train on the first N images only")
    p.add_argument("--batches", type=int, default=0, help="time the first N batches of one epoch only")
    a = p.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(1)
    x, y = load("train")
    if a.limit:
        x, y = x[:a.limit], y[:a.limit]
    xt, yt = load("t10k")
    model = demo()
    opt = torch.optim.Adam(model.parameters(), lr=0.003)
    loss_fn = nn.CrossEntropyLoss()
    if a.batches:
        partial(model, opt, loss_fn, x, y, a.batch, a.batches)
        return
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), a.batch):
            idxs = order[i:i + a.batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idxs]), y[idxs])
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            acc = (model(xt).argmax(1) == yt).float().mean().item()
        print(f"torch demo-arch batch {a.batch} epoch_seconds {seconds:.1f} test_accuracy {acc:.4f}", flush=True)

if __name__ == "__main__":
    main()
