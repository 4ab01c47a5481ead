#!/bin/bash
# Side-by-side timings of ConvScope, ONNX Runtime Java and PyTorch CPU on the same machine, in one run.
# Needs: the jar (mvn package), torchvision ONNX exports in $M (bench/export_torchvision.py writes them to
# /tmp/tv-onnx), ../shared/peer/ort-bench built in /tmp/ort-bench (see its README), and Debian's python3-torch.
# Usage: nice -n -10 bench/side-by-side.sh > results.log
#        MODELS="efficientnet_b0 mobilenet_v3_large regnet_y_400mf convnext_tiny" bench/side-by-side.sh
# MODELS defaults to the three networks of issue 2's table. PyTorch runs ../shared/peer/torch_bench.py's bench()
# on each; its Grad-CAM layer is the module whose output ConvScope's bench names by default (the last block).
# Every side takes the median of RUNS timed runs after WARMUP untimed ones (default 9 after 10; the peer
# script's own default of 2 warm-up runs left the JVM's JIT and oneDNN's first-pass tuning in the timings).
# ConvScope's bench goes on warming up until the JIT compiler has settled (up to 30 s a measurement): its
# compiler threads share the 2 cores for the first seconds of a process. ONNX Runtime's medians are the same
# after 10 or 150 warm-up runs.
set -u
# Each engine waits between its parallel regions as it does by default: ConvScope as its launcher decides
# (threads that spin for a moment on an idle machine), PyTorch as GOMP does when nothing is set (spinning
# 300,000 times), ONNX Runtime as its thread pool does (spinning).
unset OMP_WAIT_POLICY GOMP_SPINCOUNT
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
M=${M:-/tmp/tv-onnx/opset13}
MODELS=${MODELS:-resnet18 resnet50 mobilenet_v2}
RUNS=${RUNS:-9}
WARMUP=${WARMUP:-10}
# One model at a time, its three engines back to back: this host's speed drifts by tens of percent over minutes,
# and comparing engines measured minutes apart mixed that drift into the ratios.
torch_bench() {
  TORCH_BENCH="$ROOT/../shared/peer/torch_bench.py" MODELS="$1" RUNS=$RUNS WARMUP=$WARMUP \
      /usr/bin/python3 - <<'PY'
import os
# The peer script's definitions, without its own loop over models.
src = open(os.environ["TORCH_BENCH"]).read().split("\nfor b in (1, 8):")[0]
exec(compile(src, 'torch_bench', 'exec'))
peer_med = med
def med(fn, n=int(os.environ["RUNS"]), warm=int(os.environ["WARMUP"])):
    return peer_med(fn, n, warm)
last_block = {
    "resnet18": lambda m: m.layer4, "resnet50": lambda m: m.layer4,
    "mobilenet_v2": lambda m: m.features[18], "mobilenet_v3_large": lambda m: m.features[16],
    "efficientnet_b0": lambda m: m.features[8], "regnet_y_400mf": lambda m: m.trunk_output,
    "convnext_tiny": lambda m: m.features[7],
    "densenet121": lambda m: m.features, "shufflenet_v2_x1_0": lambda m: m.conv5,
    "vgg16": lambda m: m.features[29], "googlenet": lambda m: m.inception5b,
    "inception_v3": lambda m: m.Mixed_7c, "alexnet": lambda m: m.features[11],
    "squeezenet1_1": lambda m: m.features[12],
}
size = {"inception_v3": 299}
for b in (1, 8):
    for name in os.environ["MODELS"].split():
        m = getattr(torchvision.models, name)()
        bench(name, m, last_block[name](m), b, size.get(name, 224))
PY
}
for model in $MODELS; do
  for b in 1 8; do
    echo "== convscope $model b$b"
    OMP_NUM_THREADS=2 "$ROOT/bin/convscope" bench $M/$model/model.onnx --batch $b --runs $RUNS --warmup $WARMUP
  done
  echo "== ort $model"
  (cd /tmp/ort-bench && java -cp "target/classes:target/lib/*" OrtBench --batches 1,8 --threads 2 --warmup $WARMUP --runs $RUNS $M/$model/model.onnx)
  echo "== torch $model"
  torch_bench $model
done
