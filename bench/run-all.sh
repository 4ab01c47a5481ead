#!/bin/bash
# Every benchmark of docs/BENCHMARKS.md in one sequential run, each side by side with its peer, on an idle machine.
# Needs: Debian's python3-torch, python3-torchvision, python3-sklearn; the torchvision exports in /tmp/tv-onnx
# (bench/export_torchvision.py resnet18 resnet50 mobilenet_v2 efficientnet_b0 mobilenet_v3_large regnet_y_400mf
# convnext_tiny, and for engine-classic densenet121 shufflenet_v2_x1_0 vgg16 googlenet inception_v3);
# ../shared/peer/ort-bench built in /tmp/ort-bench.
# Usage: nice -n -10 bench/run-all.sh [PART ...] > all.log 2>&1
#   PART: engine engine-more engine-classic training units explain tsne database demo web (default: all of them)
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# Each engine waits between its parallel regions as it does by default (see bench/side-by-side.sh): ConvScope's
# Java runs below as its launcher would choose (bin/openmp-env), the Python peers as GOMP does when nothing is set.
export OMP_NUM_THREADS=2
unset OMP_WAIT_POLICY GOMP_SPINCOUNT
convscope_java() { (source "$ROOT/bin/openmp-env" && exec java "$@"); }
PARTS=${*:-engine engine-more engine-classic training units explain tsne database demo web}
mvn -B -q -o -DskipTests package >&2
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt >&2
CP="target/classes:target/test-classes:$(cat target/cp.txt)"
stamp() { echo "### $1 $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"; }
for part in $PARTS; do
  case $part in
    engine) stamp engine; bench/side-by-side.sh ;;
    engine-more)
      stamp engine-more
      MODELS="efficientnet_b0 mobilenet_v3_large regnet_y_400mf convnext_tiny" bench/side-by-side.sh ;;
    engine-classic)
      stamp engine-classic
      MODELS="densenet121 shufflenet_v2_x1_0 vgg16 googlenet inception_v3" bench/side-by-side.sh ;;
    training)
      stamp training
      for i in 1 2; do
        convscope_java -Xmx4g -cp "$CP" org.convscope.train.TrainBench 100
        /usr/bin/python3 bench/torch_train_epoch.py --batches 100
      done ;;
    units)
      stamp units
      convscope_java -Xmx8g -cp "$CP" org.convscope.units.UnitsBench patches-demo 10000
      convscope_java -Xmx8g -cp "$CP" org.convscope.units.UnitsBench patches-resnet18 1000
      convscope_java -Xmx8g -cp "$CP" org.convscope.units.UnitsBench visualize-resnet18 20 ;;
    explain)
      stamp explain
      # Batch 1: every method. Batch 8: the methods that cost a few passes (the sampled and perturbation methods
      # at batch 8 take tens of minutes per side here).
      BATCHES=1 bench/explain_bench.sh
      BATCHES=8 METHODS="saliency input-x-gradient guided-backprop deconvnet cam gradcam gradcam++ layercam guided-gradcam" bench/explain_bench.sh ;;
    tsne)
      stamp tsne
      for n in ${TSNE_SIZES:-10000}; do
        /usr/bin/python3 ../shared/peer/tsne_bench.py $n
        convscope_java -Xmx8g -cp "$CP" org.convscope.embed.TsneBench $n
      done ;;
    database)
      stamp database
      rm -rf /tmp/db-bench-10k && convscope_java -Xmx8g -cp "$CP" org.convscope.embed.DatabaseBench 10000 128 /tmp/db-bench-10k ;;
    demo)
      stamp demo
      rm -rf /tmp/demo-bench && /usr/bin/time -f "demo: %e s wall, %U s user, %S s sys, %M KB max RSS" bin/convscope demo --out /tmp/demo-bench >/dev/null ;;
    web)
      stamp web
      mvn -B -q -o test -Dtest=ExplorerLoadTest 2>&1 | grep -i "explorer load" ;;
  esac
done
stamp end
