# Sourced by the benchmark scripts once they have set `here` (the repository) and `work` (their output folder):
# the malloc settings the figures were measured with, and the tool published in Release to $work/bin as $L.
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647
mkdir -p "$work"
dotnet publish "$here/src/Landmarks.Cli" -c Release -o "$work/bin" >/dev/null
L="$work/bin/landmarks"
# evaluate's summary line of each scored set ("NAME: N cases, MRE ..."), from its whole output.
summary() { grep -E ": [0-9]+ cases, MRE "; }
