#!/usr/bin/env bash
# Presence on a smaller field of view (docs/BENCHMARKS.md): the held-out cephalograms of the ISBI
# benchmark cut to their top and left halves, landmarks left outside marked absent, predicted with the
# benchmark's model and scored. Run bench/isbi2015.sh first, with the same WORK.
set -euo pipefail
work=${WORK:-/tmp/landmarks-isbi}
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647
L="$work/bin/landmarks"
cd "$work"
$L dataset halves isbi-val.json --out halves
rm -f halves.csv
$L predict --model model.lmk halves/isbi2015-train-val-halves.json --out halves.csv > halves-predict.log
$L evaluate --pred halves.csv --data halves/isbi2015-train-val-halves.json --out halves-evaluation | tail -3
