#!/usr/bin/env bash
# Clinical-size CT (docs/BENCHMARKS.md): COUNT phantom volumes of 512x512x400 voxels at 0.4 x 0.4 x 0.6 mm (int16 NIfTI
# gzip, about 150 MB each) to train on, and 3 more to predict. The figures are memory and time, not accuracy: `train`
# runs for BUDGET minutes (its defaults otherwise: the 3D configuration derived from the data), `predict` then places
# the landmarks on the 3 held-out volumes. Prints the peak memory of both, the minutes spent preparing the cases, the
# training steps per minute, and per volume the seconds to locate the landmarks and, apart, to read the file.
# Usage: bench/clinical-ct.sh   (WORK, default /tmp/landmarks-clinical; COUNT, default 20; BUDGET, default 10)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/landmarks-clinical}
count=${COUNT:-20}
budget=${BUDGET:-10}
source "$here/bench/common.sh"
cd "$work"
if [ ! -f data/phantoms.json ]; then
  dotnet run --project "$here/bench/Landmarks.Bench" -c Release -- phantoms data $((count + 3)) 512,512,400 0.4,0.4,0.6 1 | tail -1
fi
$L dataset split data/phantoms.json --first "$count" --train train.json --val test.json >/dev/null
rm -f model.lmk model.checkpoint predictions.csv
/usr/bin/time -v $L train --data train.json --out model.lmk --seed 1 --time-budget "$budget" > train.log 2> train.time
grep -E "configuration:|loaded|stage done|minutes:|wrote" train.log
grep -E "Maximum resident|Elapsed" train.time
/usr/bin/time -v $L predict --model model.lmk test.json --out predictions.csv > predict.log 2> predict.time
grep -E "located in" predict.log
grep -E "Maximum resident" predict.time
$L evaluate --pred predictions.csv --data test.json | summary
