#!/usr/bin/env bash
# 5-fold cross-validation over all 150 ISBI 2015 training cephalograms (folds fixed by seed 1, named
# isbi2015-train-fold1..5): each fold trains with `train`'s defaults for BUDGET minutes (default 115;
# a shorter budget is a fair, cheaper run if said), predicts its 30 held-out images, and all 150
# predictions are scored together against the senior observer, the junior and their mean.
# About 5 x (BUDGET + 2) minutes on 2 cores. Figures and logs land in WORK (default
# /tmp/landmarks-isbi-folds); FOLDS picks folds. A fold whose model exists is not trained again.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/landmarks-isbi-folds}
data=${DATA:-$here/../shared/data/isbi2015}
folds=${FOLDS:-1 2 3 4 5}
budget=${BUDGET:-115}
source "$here/bench/common.sh"
cd "$work"
$L import isbi2015 "$data" --out isbi.json
$L dataset split isbi.json --folds 5 --seed 1 --out folds
$L dataset reference isbi.json --use mean --out ref-mean
$L dataset reference isbi.json --use second --out ref-junior
for k in $folds; do
  if [ ! -f "fold$k.lmk" ]; then
    rm -f "fold$k.csv"
    /usr/bin/time -v $L train --data "folds/isbi2015-train-fold$k-train.json" --out "fold$k.lmk" --seed 1 --time-budget "$budget" \
      > "fold$k-train.log" 2> "fold$k-train.time"
  fi
  tail -1 "fold$k-train.log"
  $L predict --model "fold$k.lmk" "folds/isbi2015-train-fold$k-test.json" --out "fold$k.csv" > "fold$k-predict.log"
done
# Every image was held out by exactly one fold: its prediction comes from that fold's model.
{ head -1 fold1.csv; for k in $folds; do tail -n +2 "fold$k.csv"; done; } > predictions.csv
$L evaluate --pred predictions.csv --data isbi.json --out evaluation | summary
$L evaluate --pred predictions.csv --data ref-junior/isbi2015-train-second-observer.json --out evaluation-junior | summary
$L evaluate --pred predictions.csv --data ref-mean/isbi2015-train-observer-mean.json --out evaluation-mean | summary
