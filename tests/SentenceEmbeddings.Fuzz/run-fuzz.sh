#!/usr/bin/env bash
# Fuzzes the tokenizers (WordPiece of all-MiniLM-L6-v2 and arctic-embed-xs, SentencePiece Unigram) with AFL++ through
# SharpFuzz for a bounded time, then replays every crash AFL kept. Not part of CI. Needs root for apt-get (Debian's afl++).
#   tests/SentenceEmbeddings.Fuzz/run-fuzz.sh [seconds=600]
# Findings land in artifacts/fuzz/findings/default/{crashes,hangs}; a crash becomes a regression test in
# tests/SentenceEmbeddings.Tests/Hardening (replay one with: dotnet tests/SentenceEmbeddings.Fuzz/bin/Release/net10.0/SentenceEmbeddings.Fuzz.dll --replay FILE).
set -euo pipefail
seconds="${1:-600}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/artifacts/fuzz"

command -v afl-fuzz >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null; }
[ -x "$work/tools/sharpfuzz" ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools" >/dev/null

# A copy of the build output, instrumented in place: the library and the Unigram implementation it calls.
dotnet build "$here" -c Release -v quiet -nologo >/dev/null
rm -rf "$work/bin" && mkdir -p "$work" && cp -r "$here/bin/Release/net10.0" "$work/bin"
"$work/tools/sharpfuzz" "$work/bin/SentenceEmbeddings.dll"
"$work/tools/sharpfuzz" "$work/bin/Microsoft.ML.Tokenizers.dll"

rm -rf "$work/findings"
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
afl-fuzz -V "$seconds" -t 10000 -m none -i "$here/seeds" -o "$work/findings" -- dotnet "$work/bin/SentenceEmbeddings.Fuzz.dll" >"$work/afl.log" 2>&1 || {
    tail -n 30 "$work/afl.log"; exit 2; }

stats="$work/findings/default/fuzzer_stats"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)' "$stats"
crashes=("$work"/findings/default/crashes/id*)
if [ -e "${crashes[0]}" ]; then
    echo "crashes: ${#crashes[@]}; replaying them:"
    for crash in "${crashes[@]}"; do dotnet "$here/bin/Release/net10.0/SentenceEmbeddings.Fuzz.dll" --replay "$crash" 2>&1 | tail -n 3 || true; done
    exit 1
fi
echo "no crashes"
