#!/usr/bin/env bash
# The review page's timings of docs/BENCHMARKS.md, in headless chromium (/usr/bin/chromium): a cephalogram (ISBI
# 001-005, the junior observer's points as predictions with seeded confidences, those below 0.1 called absent) and a
# 512x512x400 phantom volume (its landmarks moved by about 1 mm as predictions). Needs ../shared/data/isbi2015.
# Outputs and screenshots land in WORK (default /tmp/landmarks-review).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/landmarks-review}
data=${DATA:-$here/../shared/data/isbi2015}
source "$here/bench/common.sh"
bench() { dotnet run -c Release --project "$here/bench/Landmarks.Bench" -- "$@"; }
cd "$work"

$L import isbi2015 "$data" --out isbi.json >/dev/null
$L dataset split isbi.json --first 5 --train five.json --val rest.json >/dev/null
{
  echo "case,landmark,x,y,z,confidence,present"
  for id in 001 002 003 004 005; do
    head -19 "$data/AnnotationsByMD/400_junior/$id.txt" | tr -d '\r' | awk -F, -v id=$id -v seed=${id#00} '
      BEGIN { srand(seed); split("sella,nasion,orbitale,porion,subspinale,supramentale,pogonion,menton,gnathion,gonion,lower incisal incision,upper incisal incision,upper lip,lower lip,subnasale,soft tissue pogonion,posterior nasal spine,anterior nasal spine,articulare", n, ",") }
      { c = rand(); printf "%s,\"%s\",%.2f,%.2f,,%.3f,%s\n", id, n[NR], $1 * 0.1, $2 * 0.1, c, (c < 0.1 ? "false" : "true") }'
  done
} > ceph-predictions.csv
bench review ceph-predictions.csv ceph.png five.json | tail -1

[ -f volume/phantoms.json ] || bench phantoms volume 1 512,512,400 0.4,0.4,0.6 7 | tail -1
awk -F, 'NR == 1 { print "case,landmark,x,y,z,confidence,present"; next }
  { printf "ct-000,%s,%.3f,%.3f,%.3f,%.3f,true\n", $1, $2 + 0.8, $3 - 0.5, $4 + 0.3, 0.5 + 0.1 * NR }' volume/ct-000.csv > volume-predictions.csv
bench review volume-predictions.csv volume.png volume/phantoms.json | tail -5
