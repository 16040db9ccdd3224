#!/usr/bin/env bash
# Builds eventd and eventctl, starts eventd on its local defaults (embedded SQLite in
# ~/.local/share/eventd) unless one is already running, and adds a first event unless the
# register already holds it: run twice, it adds nothing the second time.
# EVENTD_BIN_DIR names binaries already built (the tests' own), and then nothing is built.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${EVENTD_BIN_DIR:-}" ]; then
  bin=$EVENTD_BIN_DIR
else
  swift build -c release
  bin=$(swift build -c release --show-bin-path)
fi
if ! "$bin/eventctl" status >/dev/null 2>&1; then
  nohup "$bin/eventd" >"${TMPDIR:-/tmp}/eventd.log" 2>&1 &
  for _ in $(seq 50); do "$bin/eventctl" status >/dev/null 2>&1 && break; sleep 0.1; done
fi
"$bin/eventctl" status
title="Hội nghị phát động phong trào thi đua năm 2017"
# The seed event is known by its title on its day: the first id of that title there, if any.
id=$("$bin/eventctl" list --from 3/3/2017 --to 3/3/2017 --json | python3 -c '
import json, sys
print(next((str(e["id"]) for e in json.load(sys.stdin) if e["title"] == sys.argv[1]), ""))' "$title")
if [ -z "$id" ]; then
  id=$("$bin/eventctl" add "$title" --kind conference \
    --start "3/3/2017 8h00" --duration 3h30m --location "Thái Nguyên" --witness "Phan Chí Hiếu <hieu@moj.gov.vn>")
else
  echo "the first event is already in the register (event $id); nothing added"
fi
"$bin/eventctl" show "$id"
echo
echo "eventd runs in the background (log: ${TMPDIR:-/tmp}/eventd.log); eventctl is $bin/eventctl"
