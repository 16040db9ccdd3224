#!/usr/bin/env bash
# Builds everything (the tests run the real eventd and eventctl binaries) and runs the suite,
# then checks what `make install` puts on a machine (a release build).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build
# Nothing acknowledged is lost across 20 SIGKILLs during writes and dispatch (make soak runs 100).
scripts/soak.py "$(swift build --show-bin-path)" 20
# 90 seconds of libFuzzer over the iCalendar reader, seeded with the corpus (make fuzz runs an hour).
scripts/fuzz.sh 90
# make install into a temporary DESTDIR, man pages rendered with man -l, units verified.
scripts/test-install.sh
