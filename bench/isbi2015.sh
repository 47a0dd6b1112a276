#!/usr/bin/env bash
# The ISBI 2015 benchmark of docs/BENCHMARKS.md: train with train's defaults on cephalograms 001-120
# (its own validation share of them selects checkpoints and stages), then predict 121-150, which chose
# nothing, and score them against the senior observer, the junior and their mean; the cases that chose
# are scored apart. Needs ../shared/data/isbi2015 and about BUDGET minutes (default 115) on 2 cores.
# Figures land in WORK (default /tmp/landmarks-isbi).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/landmarks-isbi}
budget=${BUDGET:-115}
data=${DATA:-$here/../shared/data/isbi2015}
source "$here/bench/common.sh"
cd "$work"
$L import isbi2015 "$data" --out isbi.json
$L dataset split isbi.json --first 120 --train isbi-train.json --val isbi-val.json
/usr/bin/time -v $L train --data isbi-train.json --out model.lmk --time-budget "$budget" --seed 1 \
  > train.log 2> train.time
grep -E "Maximum resident|Elapsed" train.time
rm -f predictions.csv
/usr/bin/time -v $L predict --model model.lmk isbi-val.json --out predictions.csv > predict.log 2> predict.time
grep -E "Maximum resident|Elapsed" predict.time
$L evaluate --pred predictions.csv --data isbi-val.json --out evaluation | summary
$L dataset reference isbi-val.json --use second --out ref-junior >/dev/null
$L dataset reference isbi-val.json --use mean --out ref-mean >/dev/null
$L evaluate --pred predictions.csv --data ref-junior/isbi2015-train-val-second-observer.json --out evaluation-junior | summary
$L evaluate --pred predictions.csv --data ref-mean/isbi2015-train-val-observer-mean.json --out evaluation-mean | summary
# The cases train held out of 001-120 (its seeded 15%, drawn as `dataset split --random` draws) chose the
# checkpoints and stages: their figures flatter the model.
$L dataset split isbi-train.json --random --val-share 0.15 --seed 1 --train selection-rest.json --val isbi-selection.json >/dev/null
rm -f predictions-selection.csv
$L predict --model model.lmk isbi-selection.json --out predictions-selection.csv > predict-selection.log
$L evaluate --pred predictions-selection.csv --data isbi-selection.json --out evaluation-selection | summary
