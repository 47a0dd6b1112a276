#!/usr/bin/env bash
# The two inference engines side by side (docs/BENCHMARKS.md): a model's predictions on the same inputs with TorchSharp
# (libtorch) and with ONNX Runtime (the model exported), one after the other in one run. Prints per engine the median
# seconds per case to locate the landmarks (preprocessing and both stages; the first case, which warms up, left out)
# and to read the image, and the largest distance between the engines' landmarks and any presence call that differs.
# With CALIBRATION (images, a folder or a manifest: the model's training cases) a third engine: ONNX Runtime on the model
# exported with 8-bit convolutions (`export --int8`), compared with TorchSharp the same way.
# Usage: [CALIBRATION=train.json] bench/engines.sh MODEL.lmk INPUTS...   (WORK, default /tmp/landmarks-engines, holds the outputs)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/landmarks-engines}
model=$(realpath "$1"); shift
source "$here/bench/common.sh"
$L export "$model" --out "$work/model.zip" | tail -1
engines="torch onnx"
if [ -n "${CALIBRATION:-}" ]; then
  $L export "$model" --out "$work/model-int8.zip" --int8 "$CALIBRATION" | tail -1
  engines="$engines onnx-int8"
fi
for engine in $engines; do
  case $engine in torch) file=$model;; onnx) file=$work/model.zip;; onnx-int8) file=$work/model-int8.zip;; esac
  rm -f "$work/$engine.csv"
  $L predict --model "$file" --engine "${engine%-int8}" "$@" --out "$work/$engine.csv" > "$work/$engine.log"
  # "<case>: N of M landmarks present, located in X s (image read in Y s)"
  times=$(sed -nE 's/.*located in ([0-9.]+) s \(image read in ([0-9.]+) s\)/\1 \2/p' "$work/$engine.log" | tail -n +2)
  median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
  echo "$engine: $(echo "$times" | wc -l) cases, located in $(echo "$times" | cut -d' ' -f1 | median) s (median)," \
    "image read in $(echo "$times" | cut -d' ' -f2 | median) s (median)"
done
# case,landmark,x,y,z,confidence,present
compare() {
  awk -F, -v name="$2" 'NR==FNR {if (FNR>1) {x[$1","$2]=$3; y[$1","$2]=$4; z[$1","$2]=$5; p[$1","$2]=$7}; next}
    FNR>1 {k=$1","$2; d=sqrt(($3-x[k])^2+($4-y[k])^2+($5-z[k])^2); s+=d; n++; if (d>m) m=d; if ($7!=p[k]) q++}
    END {printf "%s: engines differ by %.4f mm at most, %.4f mm on average over %d landmarks; presence calls differ for %d\n", name, m, s/n, n, q+0}' \
    "$work/torch.csv" "$work/$1.csv"
}
compare onnx "torch and onnx"
[ -n "${CALIBRATION:-}" ] && compare onnx-int8 "torch and onnx-int8"
true
