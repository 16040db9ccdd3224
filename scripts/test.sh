#!/usr/bin/env bash
# Builds everything (the tests run the real eventd and eventctl binaries) and runs the suite,
# then checks what `make install` puts on a machine (a release build).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build
# make install into a temporary DESTDIR, man pages rendered with man -l, units verified.
scripts/test-install.sh
