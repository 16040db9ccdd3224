#!/usr/bin/env bash
# Builds everything (the tests run the real eventd and eventctl binaries) and runs the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build
