#!/usr/bin/env bash
# The ISBI 2015 benchmark of docs/BENCHMARKS.md: train with train's defaults on cephalograms 001-120
# (its own validation share of them selects checkpoints and stages), then predict 121-150, which chose
# nothing, and score them. Needs ../shared/data/isbi2015 and about BUDGET minutes (default 115) on
# 2 cores. Figures land in WORK (default /tmp/landmarks-isbi).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/landmarks-isbi}
budget=${BUDGET:-115}
data=${DATA:-$here/../shared/data/isbi2015}
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647
mkdir -p "$work"
dotnet publish "$here/src/Landmarks.Cli" -c Release -o "$work/bin" >/dev/null
L="$work/bin/landmarks"
cd "$work"
$L import isbi2015 "$data" --out isbi.json
$L dataset split isbi.json --first 120 --train isbi-train.json --val isbi-val.json
/usr/bin/time -v $L train --data isbi-train.json --out model.lmk --time-budget "$budget" --seed 1 \
  > train.log 2> train.time
grep -E "Maximum resident|Elapsed" train.time
rm -f predictions.csv
/usr/bin/time -v $L predict --model model.lmk isbi-val.json --out predictions.csv > predict.log 2> predict.time
grep -E "Maximum resident|Elapsed" predict.time
$L evaluate --pred predictions.csv --data isbi-val.json --out evaluation | tail -4
