#!/usr/bin/env bash
# Generates the man pages eventd.1 and eventctl.1 from the commands' own help, with
# swift-argument-parser's GenerateManual plugin, into OUTDIR (default: .build/man).
#
#   scripts/gen-man.sh [OUTDIR]        (make man)
#
# The plugin (`swift package generate-manual`) builds the whole package in release mode, runs
# each ArgumentParser product with --experimental-dump-help, and writes
# .build/plugins/GenerateManual/outputs/<target>/<command>.1. It needs nothing declared in
# Package.swift (the dependency on swift-argument-parser brings the command) and no
# --allow-writing-to-package-directory (it writes only under .build).
#
# Its generator (1.8.2) drops every non-ASCII character (Tools/generate-manual/MDoc/
# String+Escaping.swift: `for character in self where character.isASCII`), so "Phan Chí Hiếu"
# would read "Phan Ch Hiu". For a command whose help holds such text, the plugin's own
# generate-manual tool is run again on the help dump with each of those characters as an ASCII
# placeholder, and the placeholders become roff escapes (\[u00ED]) that man and mandoc render.
#
# Environment: SWIFT (swift), SCRATCH (.build), SOURCE_DATE_EPOCH or MAN_DATE (yyyy-mm-dd) for
# the page date; otherwise the date of the last commit.
set -euo pipefail
cd "$(dirname "$0")/.."
swift=${SWIFT:-swift}
scratch=${SCRATCH:-.build}
out=${1:-$scratch/man}
commands=(eventd eventctl)

if [ -n "${MAN_DATE:-}" ]; then
  date=$MAN_DATE
elif [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)
else
  date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
fi

"$swift" package --scratch-path "$scratch" generate-manual --date "$date"

mkdir -p "$out"
bin="$scratch/release"
tool=$(find "$scratch" -type f -name 'generate-manual-tool' -perm -u+x 2>/dev/null | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for cmd in "${commands[@]}"; do
  page="$scratch/plugins/GenerateManual/outputs/$cmd/$cmd.1"
  [ -s "$page" ] || { echo "gen-man: the plugin wrote no $page" >&2; exit 1; }
  "$bin/$cmd" --experimental-dump-help > "$work/$cmd.dump.json"
  # A command without subcommands of its own (eventd) still gets argument-parser's `help` in its
  # dump, and the generator then writes "eventd subcommand" in the SYNOPSIS and lists a `help`
  # eventd does not have (issue 20): that lone `help` is left out, and such a page is made again.
  python3 - "$work/$cmd.dump.json" "$work/$cmd.json" <<'PY'
import json, sys
dump = json.load(open(sys.argv[1]))
subs = dump["command"].get("subcommands") or []
if [s["commandName"] for s in subs] == ["help"]:
    del dump["command"]["subcommands"]
json.dump(dump, open(sys.argv[2], "w"), ensure_ascii=False)
PY
  filtered=no
  python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$work/$cmd.dump.json" "$work/$cmd.json" || filtered=yes
  if [ "$filtered" = no ] && ! LC_ALL=C grep -q '[^ -~[:space:]]' "$work/$cmd.json"; then
    install -m 0644 "$page" "$out/$cmd.1"
    continue
  fi
  if [ -z "$tool" ]; then
    echo "gen-man: warning: $cmd's help needs the plugin's generate-manual tool (non-ASCII text, or a lone help subcommand), which was not found under $scratch; $out/$cmd.1 is the plugin's page" >&2
    install -m 0644 "$page" "$out/$cmd.1"
    continue
  fi
  # ZqU1ED9qZ stands for U+1ED9 while the generator runs; nothing in the help looks like it.
  perl -CSD -pe 's/([^\x00-\x7F])/sprintf("ZqU%04XqZ", ord($1))/ge' "$work/$cmd.json" > "$work/$cmd.ascii.json"
  printf '#!/bin/sh\nexec cat "%s"\n' "$work/$cmd.ascii.json" > "$work/$cmd"
  chmod +x "$work/$cmd"
  mkdir -p "$work/pages"
  "$tool" "$work/$cmd" --date "$date" --output-directory "$work/pages"
  perl -pe 's/ZqU([0-9A-F]{4,6})qZ/\\[u$1]/g' "$work/pages/$cmd.1" > "$work/$cmd.1"
  # Apart from the restored letters, the page must be the plugin's, byte for byte (unless the
  # lone `help` was left out, which changes the page on purpose).
  if [ "$filtered" = no ] && ! perl -pe 's/\\\[u[0-9A-F]{4,6}\]//g' "$work/$cmd.1" | cmp -s - "$page"; then
    echo "gen-man: warning: the regenerated $cmd.1 differs from the plugin's beyond the restored letters; keeping the plugin's" >&2
    install -m 0644 "$page" "$out/$cmd.1"
    continue
  fi
  install -m 0644 "$work/$cmd.1" "$out/$cmd.1"
done
for cmd in "${commands[@]}"; do echo "gen-man: $out/$cmd.1 (dated $date)"; done
