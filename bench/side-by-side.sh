#!/bin/bash
# Side-by-side timings of ConvScope, ONNX Runtime Java and PyTorch CPU on the same machine, in one run.
# Needs: the jar (mvn package), torchvision ONNX exports in $M (bench/export_torchvision.py writes them to
# /tmp/tv-onnx), ../shared/peer/ort-bench built in /tmp/ort-bench (see its README), and Debian's python3-torch.
# Usage: nice -n -10 bench/side-by-side.sh > results.log
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
M=${M:-/tmp/tv-onnx/opset13}
for model in resnet18 resnet50 mobilenet_v2; do
  for b in 1 8; do
    echo "== convscope $model b$b"
    OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 java -Xmx8g -jar "$ROOT/target/convscope.jar" bench $M/$model/model.onnx --batch $b --runs 7 --warmup 2
  done
done
echo "== ort"
(cd /tmp/ort-bench && java -cp "target/classes:target/lib/*" OrtBench --batches 1,8 --threads 2 --warmup 2 --runs 7 $M/resnet18/model.onnx $M/resnet50/model.onnx $M/mobilenet_v2/model.onnx)
echo "== torch"
# torch_bench.py without vgg16, which takes minutes here and has no ConvScope counterpart in this table.
TORCH_BENCH="$ROOT/../shared/peer/torch_bench.py" OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 - <<'PY'
import os
src = open(os.environ["TORCH_BENCH"]).read().replace('m = torchvision.models.vgg16(); bench("vgg16", m, m.features[29], b)', 'pass')
exec(compile(src, 'torch_bench', 'exec'))
PY
