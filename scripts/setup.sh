#!/usr/bin/env bash
# Installs what eventd needs to build and test on Debian: the C libraries it links,
# the time-zone data, and the outside clients the tests check it against.
set -euo pipefail
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

# khal and calcurse are two of the calendar readers the tests read eventd's feeds and exports with
# (ReadersTests), beside Python's icalendar, recurring-ical-events and vobject.
# weasyprint turns the weekly schedule's HTML into PDF (eventctl schedule --format pdf); poppler-utils
# (pdftotext, pdfinfo) lets the tests read the PDF back.
packages=(libsqlite3-dev libical-dev tzdata pkg-config curl python3 python3-pip msmtp sqlite3 util-linux procps man-db strace systemd zsh fish
  weasyprint poppler-utils fonts-dejavu-core khal calcurse)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Postfix, for the tests that mail a reply through a real MTA into eventctl mail-in: local only.
# OpenDKIM is that MTA's milter in the test of mail_require_pass (it verifies, and adds
# Authentication-Results); opendkim-tools makes the sender's key (opendkim-genkey).
for p in postfix opendkim opendkim-tools; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  printf '%s\n' "postfix postfix/main_mailer_type select Local only" "postfix postfix/mailname string localhost" | $sudo debconf-set-selections
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# Python clients used by the interoperability tests (icalendar, recurring-ical-events, vobject, aiosmtpd,
# and dkimpy, which signs a reply as the sender's server would).
python3 -m pip install -q --disable-pip-version-check -r "$(dirname "$0")/requirements-test.txt" 2>/dev/null \
  || python3 -m pip install -q --disable-pip-version-check --break-system-packages -r "$(dirname "$0")/requirements-test.txt"

# Users for the tests run as root: eventd runs as eventd-test (as the unit's User=eventd would),
# and eventd-reader is a member of its group who may connect but, by the tests' config, only read.
if [ "$(id -u)" = 0 ]; then
  getent group eventd-test >/dev/null || groupadd --system eventd-test
  id -u eventd-test >/dev/null 2>&1 || useradd --system --gid eventd-test --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin eventd-test
  id -u eventd-reader >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin eventd-reader
  id -nG eventd-reader | grep -qw eventd-test || usermod -a -G eventd-test eventd-reader
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH; install the Swift 6 toolchain (swift.org) first" >&2; exit 1; }
