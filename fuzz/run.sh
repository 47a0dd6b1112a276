#!/usr/bin/env bash
# Fuzzes the readers of untrusted files with AFL++ through SharpFuzz: fuzz/run.sh SECONDS [TARGET...]
# Every target (landmarks-fuzz --list) by default, each for SECONDS. Seeds: valid files the harness writes, the
# malformed corpus's files of that kind, and for DICOM the samples in $LANDMARKS_DICOM_SAMPLES when set.
# Needs afl-fuzz (Debian: afl++); installs SharpFuzz.CommandLine 2.3.0 under ~/.cache/landmarks when missing.
# Prints a line per target and exits 1 when any input crashed a reader, hung it (10 s) or made it allocate over 1 GB.
# Findings stay in WORK.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
work=${WORK:-/tmp/landmarks-fuzz}
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found (Debian: apt-get install afl++)" >&2; exit 2; }
tools=$HOME/.cache/landmarks/sharpfuzz
[ -x "$tools/sharpfuzz" ] || dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null

rm -rf "$work"
mkdir -p "$work/findings"
dotnet publish "$here/fuzz/Landmarks.Fuzz" -c Release -o "$work/bin" >/dev/null
harness=(dotnet "$work/bin/Landmarks.Fuzz.dll")
# Seeds and the target list first: instrumented code runs only inside the fuzzer's loop.
"${harness[@]}" --seeds "$work/seeds"
"${harness[@]}" --list > "$work/targets.tsv"
for wanted in "$@"; do
  cut -f1 "$work/targets.tsv" | grep -qx -- "$wanted" || { echo "no fuzz target '$wanted'; there are: $(cut -f1 "$work/targets.tsv" | tr '\n' ' ')" >&2; exit 2; }
done
# Instrument what parses the files; the harness itself and the framework stay as they are.
for assembly in Landmarks.Imaging Landmarks.Inference Landmarks.Learning; do "$tools/sharpfuzz" "$work/bin/$assembly.dll" >/dev/null; done
mkdir -p "$work/seeds/dicom"
if [ -n "${LANDMARKS_DICOM_SAMPLES:-}" ] && [ -d "$LANDMARKS_DICOM_SAMPLES" ]; then
  # Small samples only: afl-fuzz works best from seeds of a few kilobytes.
  find "$LANDMARKS_DICOM_SAMPLES" -type f -size -64k | head -8 | while read -r f; do cp "$f" "$work/seeds/dicom/sample-$(basename "$f")"; done
fi

failed=0
while IFS=$'\t' read -r target prefix; do
  if [ $# -gt 0 ] && [[ ! " $* " == *" $target "* ]]; then continue; fi
  for f in "$here/tests/corpus/malformed/$prefix"*; do [ -e "$f" ] && cp "$f" "$work/seeds/$target/"; done
  # The issue's bound: no input under 1 MB may make a reader allocate over 1 GB. The .NET heap is capped there, so such an
  # allocation ends in OutOfMemoryException, which the harness does not catch: a crash. (AFL's -m cannot do it: the
  # runtime reserves far more address space than it uses.)
  DOTNET_GCHeapHardLimit=0x40000000 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    afl-fuzz -i "$work/seeds/$target" -o "$work/findings/$target" -V "$seconds" -t 10000 -m none -- "${harness[@]}" "$target" \
    > "$work/$target.log" 2>&1 || { echo "$target: afl-fuzz failed, see $work/$target.log" >&2; tail -5 "$work/$target.log" >&2; failed=1; continue; }
  stats=$work/findings/$target/default/fuzzer_stats
  value() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=$(value saved_crashes); hangs=$(value saved_hangs)
  echo "$target: $(value execs_done) inputs in $(value run_time) s, $(value corpus_count) paths kept, $crashes crashes, $hangs hangs"
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then failed=1; fi
done < "$work/targets.tsv"
exit $failed
