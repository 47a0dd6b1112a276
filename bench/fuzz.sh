#!/usr/bin/env bash
# Fuzzes one reader (or all) for MINUTES each, the benchmark of docs/BENCHMARKS.md: bench/fuzz.sh READER MINUTES
# READER is a harness target (dotnet run --project fuzz/Landmarks.Fuzz -- --list) or "all". The run is fuzz/run.sh's:
# AFL++ over the SharpFuzz-instrumented readers, the .NET heap capped at 1 GB, hangs at 10 s; its findings stay in
# WORK (default /tmp/landmarks-fuzz-READER). DICOM seeds include $LANDMARKS_DICOM_SAMPLES when set.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
reader=${1:?usage: bench/fuzz.sh READER MINUTES}
minutes=${2:?usage: bench/fuzz.sh READER MINUTES}
[[ "$minutes" =~ ^[1-9][0-9]*$ ]] || { echo "MINUTES must be a positive whole number, not '$minutes'" >&2; exit 2; }
targets=()
[ "$reader" = all ] || targets=("$reader")
WORK=${WORK:-/tmp/landmarks-fuzz-$reader} exec bash "$here/fuzz/run.sh" $((minutes * 60)) "${targets[@]}"
