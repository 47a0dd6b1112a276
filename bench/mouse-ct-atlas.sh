#!/usr/bin/env bash
# The 3D benchmark of docs/BENCHMARKS.md: 5-fold cross-validation over the 23 micro-CT mouse skulls of
# ../shared/data/mouse-ct-atlas (folds fixed by seed 1 and named atlas-fold1..5). Each fold trains with
# `train`'s defaults (or BUDGET minutes when set), predicts its held-out skulls, and all 23 predictions are
# scored together (each fold is also scored alone). Figures and logs land in WORK (default /tmp/landmarks-atlas);
# FOLDS picks folds.
# Rerun after an interruption: a fold whose model exists is not trained again, and predict resumes its CSV.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/landmarks-atlas}
data=${DATA:-$here/../shared/data/mouse-ct-atlas}
folds=${FOLDS:-1 2 3 4 5}
budget=${BUDGET:+--time-budget $BUDGET}
source "$here/bench/common.sh"
cd "$work"
$L dataset create --images "$data/images" --landmarks "$data/landmarks" --out atlas.json
$L dataset check atlas.json | tail -1
$L dataset split atlas.json --folds 5 --seed 1 --out folds
for k in $folds; do
  if [ ! -f "fold$k.lmk" ]; then
    rm -f "fold$k.csv"
    /usr/bin/time -v $L train --data "folds/atlas-fold$k-train.json" --out "fold$k.lmk" --seed 1 $budget \
      > "fold$k-train.log" 2> "fold$k-train.time"
  fi
  tail -1 "fold$k-train.log"
  grep -E "Maximum resident|Elapsed" "fold$k-train.time"
  /usr/bin/time -v $L predict --model "fold$k.lmk" "folds/atlas-fold$k-test.json" --out "fold$k.csv" \
    > "fold$k-predict.log" 2> "fold$k-predict.time"
  grep -E "Maximum resident" "fold$k-predict.time"
done
for k in $folds; do
  $L evaluate --pred "fold$k.csv" --data "folds/atlas-fold$k-test.json" --thresholds 0.25,0.5,1,2 --out "evaluation-fold$k" | summary
done
# With every fold run, each skull was held out by exactly one: its prediction comes from that fold's model.
if [ "$(echo $folds)" = "1 2 3 4 5" ]; then
  { head -1 fold1.csv; for k in $folds; do tail -n +2 "fold$k.csv"; done; } > predictions.csv
  $L evaluate --pred predictions.csv --data atlas.json --thresholds 0.25,0.5,1,2 --out evaluation | summary
fi
