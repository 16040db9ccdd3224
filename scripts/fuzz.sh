#!/usr/bin/env bash
# libFuzzer over eventd's iCalendar reading, import planning, expansion and writing (Sources/eventd-fuzz).
#   scripts/fuzz.sh SECONDS     fuzz that long (make fuzz: an hour; scripts/test.sh: 90 seconds)
# Builds with -sanitize=fuzzer,address in its own scratch folder (.build-fuzz, left out of git), seeds
# a working corpus there from Tests/Corpus and Tests/Fuzz/crashes, and exits non-zero if anything
# crashed, timed out or ran out of memory: the inputs are left in .build-fuzz/findings. Each one,
# once fixed, goes into Tests/Fuzz/crashes, which the test suite replays.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-3600}"
scratch="${FUZZ_SCRATCH:-.build-fuzz}"
swift build -c debug --product eventd-fuzz --scratch-path "$scratch" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
bin="$(swift build -c debug --product eventd-fuzz --scratch-path "$scratch" --show-bin-path)/eventd-fuzz"
mkdir -p "$scratch/corpus" "$scratch/findings"
find Tests/Corpus Tests/Fuzz/crashes -name '*.ics' -exec cp -n {} "$scratch/corpus/" \;
# A crash inside the Swift runtime's own backtracer would hide the finding: libFuzzer prints its own.
export SWIFT_BACKTRACE=enable=no
start=$(date +%s)
status=0
"$bin" "$scratch/corpus" -dict=Tests/Fuzz/ical.dict -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$scratch/findings/" -print_final_stats=1 2>&1 | tail -n 12 || status=$?
echo "fuzzed for $(( $(date +%s) - start )) s; findings in $scratch/findings: $(ls "$scratch/findings" | wc -l)"
if [ "$status" -ne 0 ] || [ -n "$(ls -A "$scratch/findings")" ]; then
  echo "fuzz: a finding; replay it with $(swift build --show-bin-path)/eventd-fuzz FILE" >&2
  exit 1
fi
