#!/usr/bin/env bash
# Builds eventd and eventctl, starts eventd on its local defaults (embedded SQLite in
# ~/.local/share/eventd) unless one is already running, and adds a first event.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release
bin=$(swift build -c release --show-bin-path)
if ! "$bin/eventctl" status >/dev/null 2>&1; then
  nohup "$bin/eventd" >"${TMPDIR:-/tmp}/eventd.log" 2>&1 &
  for _ in $(seq 50); do "$bin/eventctl" status >/dev/null 2>&1 && break; sleep 0.1; done
fi
"$bin/eventctl" status
id=$("$bin/eventctl" add "Hội nghị phát động phong trào thi đua năm 2017" --kind conference \
  --start "3/3/2017 8h00" --duration 3h30m --location "Thái Nguyên" --witness "Phan Chí Hiếu <hieu@moj.gov.vn>")
"$bin/eventctl" show "$id"
echo
echo "eventd runs in the background (log: ${TMPDIR:-/tmp}/eventd.log); eventctl is $bin/eventctl"
