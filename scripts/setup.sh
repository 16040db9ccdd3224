#!/usr/bin/env bash
# Installs what eventd needs to build and test on Debian: the C libraries it links,
# the time-zone data, and the outside clients the tests check it against.
set -euo pipefail
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

packages=(libsqlite3-dev libical-dev tzdata pkg-config curl python3 python3-pip msmtp)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# Python clients used by the interoperability tests (icalendar, recurring-ical-events, aiosmtpd).
python3 -m pip install -q --disable-pip-version-check -r "$(dirname "$0")/requirements-test.txt" 2>/dev/null \
  || python3 -m pip install -q --disable-pip-version-check --break-system-packages -r "$(dirname "$0")/requirements-test.txt"

command -v swift >/dev/null || { echo "setup: swift is not on PATH; install the Swift 6 toolchain (swift.org) first" >&2; exit 1; }
