#!/bin/bash
# Attribution methods side by side: ConvScope (org.convscope.explain.ExplainBench) and plain PyTorch
# (bench/torch_explain_bench.py) on the same network, input, targets and parameters, one fresh process per
# method and batch so that each peak resident memory is that method's. Issue 4's benchmark.
# Needs: the torchvision export (/usr/bin/python3 bench/export_torchvision.py resnet50, into /tmp/tv-onnx)
# and Debian's python3-torch. Run on an idle machine:
#   nice -n -10 bench/explain_bench.sh > explain.log            # resnet50, batches 1 and 8, every method
#   QUICK=1 ARCH=resnet18 BATCHES=1 BATCH_SIZE=8 bench/explain_bench.sh   # checks the scripts: few samples, no timing
# Each line: side, model, batch, method, seconds, peak_rss_mb, targets, map shape, sum and max |value|.
# Each side runs at its own defaults, as bench/side-by-side.sh does: ConvScope's oneDNN threads as its launcher
# chooses (bin/openmp-env), PyTorch's as GOMP does with nothing set; a caller's OMP_WAIT_POLICY or
# GOMP_SPINCOUNT applies to both.
set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ARCH=${ARCH:-resnet50}
MODEL=${MODEL:-/tmp/tv-onnx/opset13/$ARCH/model.onnx}
BATCHES=${BATCHES:-1 8}
BATCH_SIZE=${BATCH_SIZE:-32}
METHODS=${METHODS:-saliency input-x-gradient smoothgrad integrated-gradients guided-backprop deconvnet cam gradcam gradcam++ layercam scorecam guided-gradcam occlusion rise}
SIDES=${SIDES:-convscope torch}
OUT=${OUT:-/tmp/explain-bench}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
mkdir -p "$OUT"
(cd "$ROOT" && mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt >&2)
CP="$ROOT/target/classes:$ROOT/target/test-classes:$(cat "$ROOT/target/cp.txt")"
for b in $BATCHES; do
  # N(0,1) inputs from seed 2: at batch 1 the export's own input.npy.
  /usr/bin/python3 -c "import numpy as np, torch; np.save('$OUT/input-b$b.npy', torch.randn($b, 3, 224, 224, generator=torch.Generator().manual_seed(2)).numpy())"
  for method in $METHODS; do
    for side in $SIDES; do
      if [ "$side" = convscope ]; then
        (source "$ROOT/bin/openmp-env" && exec java -Xmx12g -cp "$CP" org.convscope.explain.ExplainBench "$MODEL" \
          "$OUT/input-b$b.npy" "$method" "$BATCH_SIZE")
      else
        /usr/bin/python3 "$ROOT/bench/torch_explain_bench.py" "$ARCH" "$OUT/input-b$b.npy" "$method" "$BATCH_SIZE"
      fi
    done
  done
done
