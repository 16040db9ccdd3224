#!/usr/bin/env bash
# libFuzzer over eventd's iCalendar reading, import planning, expansion and writing, and over its
# reading of mail-in messages (Sources/eventd-fuzz).
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
mkdir -p "$scratch/corpus" "$scratch/mail-corpus" "$scratch/findings"
find Tests/Corpus Tests/Fuzz/crashes -name '*.ics' -exec cp -n {} "$scratch/corpus/" \;
find Tests/EndToEndTests/iMIP Tests/Fuzz/mail Tests/Fuzz/crashes -name '*.eml' -exec cp -n {} "$scratch/mail-corpus/" \;
# A crash inside the Swift runtime's own backtracer would hide the finding: libFuzzer prints its own.
export SWIFT_BACKTRACE=enable=no
start=$(date +%s)
status=0
# Two targets: calendars (two thirds of the time) and mail-in messages (the rest). Each input
# must end within its work budget (Target.budget), refused or not; -timeout is the backstop.
fuzz() {  # target corpus dict seconds
  EVENTD_FUZZ_TARGET="$1" "$bin" "$2" -dict="$3" -max_total_time="$4" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$scratch/findings/$1-" -print_final_stats=1 2>&1 | tail -n 12 || status=$?
}
fuzz ical "$scratch/corpus" Tests/Fuzz/ical.dict $(( seconds * 2 / 3 ))
fuzz mail "$scratch/mail-corpus" Tests/Fuzz/mail.dict $(( seconds - seconds * 2 / 3 ))
echo "fuzzed for $(( $(date +%s) - start )) s; findings in $scratch/findings: $(ls "$scratch/findings" | wc -l)"
if [ "$status" -ne 0 ] || [ -n "$(ls -A "$scratch/findings")" ]; then
  echo "fuzz: a finding; replay it with EVENTD_FUZZ_TARGET=ical|mail $(swift build --show-bin-path)/eventd-fuzz FILE" >&2
  exit 1
fi
