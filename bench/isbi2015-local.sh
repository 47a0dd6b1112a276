#!/usr/bin/env bash
# Local-stage experiments on ISBI 2015 (docs/BENCHMARKS.md): every variant takes the same global stage with
# `train --global-from`, so a variant costs the local stage's minutes, not a whole run.
#   GLOBAL=path  a model whose global stage to take; without it, bench/isbi2015.sh's default run (budget 115, seed 1,
#                001-120) is trained until its first local validation and its best global weights are kept in
#                WORK/global-stage.lmk (about an hour on 2 cores)
#   NAME=name    the variant's name (default base); CONFIG=file its configuration (default: train's derived one)
#   BUDGET=60    minutes of the local stage (about the 115-minute run's local share)
#   REFERENCE=mean  train the local stage on the observers' mean instead of the senior (`dataset reference --use mean`)
# Then predicts 121-150, which chose nothing, and scores them against the senior, the junior and their mean.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/landmarks-isbi-local}
data=${DATA:-$here/../shared/data/isbi2015}
name=${NAME:-base}
source "$here/bench/common.sh"
cd "$work"
[ -f isbi.json ] || $L import isbi2015 "$data" --out isbi.json
$L dataset split isbi.json --first 120 --train isbi-train.json --val isbi-val.json >/dev/null
global=${GLOBAL:-$work/global-stage.lmk}
if [ ! -f "$global" ]; then
  $L train --data isbi-train.json --out global-run.lmk --time-budget 115 --seed 1 > global-run.log 2>&1 &
  pid=$!
  until grep -q "local iteration 250:" global-run.log; do sleep 10; kill -0 $pid 2>/dev/null || exit 1; done
  kill $pid; wait $pid || true
  # The best global weights, saved at the global stage's validations (the local network in it is 250 iterations old).
  cp global-run.lmk.checkpoint.best "$global"
fi
config=(); [ -n "${CONFIG:-}" ] && config=(--config "$CONFIG")
case "${REFERENCE:-senior}" in
  senior) train=isbi-train.json ;;
  mean)
    [ -d ref-train-mean ] || $L dataset reference isbi-train.json --use mean --out ref-train-mean >/dev/null
    train=ref-train-mean/isbi2015-train-train-observer-mean.json ;;
  *) echo "REFERENCE=$REFERENCE: senior or mean" >&2; exit 2 ;;
esac
/usr/bin/time -v $L train --data "$train" --out "$name.lmk" --global-from "$global" "${config[@]}" \
  --time-budget "${BUDGET:-60}" --seed 1 > "$name-train.log" 2> "$name-train.time"
grep -E "Maximum resident|Elapsed" "$name-train.time"
grep "^wrote" "$name-train.log"
rm -f "$name.csv"
$L predict --model "$name.lmk" isbi-val.json --out "$name.csv" > "$name-predict.log"
$L evaluate --pred "$name.csv" --data isbi-val.json --out "$name-eval" | summary
[ -d ref-junior ] || $L dataset reference isbi-val.json --use second --out ref-junior >/dev/null
[ -d ref-mean ] || $L dataset reference isbi-val.json --use mean --out ref-mean >/dev/null
$L evaluate --pred "$name.csv" --data ref-junior/isbi2015-train-val-second-observer.json --out "$name-eval-junior" | summary
$L evaluate --pred "$name.csv" --data ref-mean/isbi2015-train-val-observer-mean.json --out "$name-eval-mean" | summary
