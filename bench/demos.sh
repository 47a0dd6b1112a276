#!/usr/bin/env bash
# Both demos, timed (docs/BENCHMARKS.md), and a check of their targets: the held-out phantoms' error below 1.5 voxels in
# 3D and 1 pixel in 2D. Exits 1 when a target is missed, so a regression of the pipeline on phantoms shows here
# (the tests' trainings are too short to show one of the local stage). About 12 minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/landmarks-demos}
source "$here/bench/common.sh"
failed=0
for dimension in 2 3; do
  out="$work/demo${dimension}d"
  rm -rf "$out"
  flag=$([ "$dimension" = 3 ] && echo --3d || true)
  /usr/bin/time -v "$L" demo $flag --out "$out" > "$out.log" 2> "$out.time"
  voxels=$(grep -o 'held-out mean radial error [0-9.]* mm = [0-9.]*' "$out.log" | awk '{print $NF}')
  limit=$([ "$dimension" = 3 ] && echo 1.5 || echo 1.0)
  wall=$(grep 'Elapsed (wall clock)' "$out.time" | awk '{print $NF}')
  peak=$(grep 'Maximum resident' "$out.time" | awk '{printf "%.2f", $NF / 1048576}')
  verdict=$(awk -v v="$voxels" -v l="$limit" 'BEGIN { print (v < l) ? "met" : "MISSED" }')
  echo "${dimension}D demo: held out $voxels voxels (target below $limit: $verdict), $wall wall, peak $peak GB"
  [ "$verdict" = met ] || failed=1
done
exit $failed
