#!/usr/bin/env bash
# Installs eventd into a temporary DESTDIR and checks what `make install` put there: every
# file and its mode, the units' paths, the man pages rendered with `man -l` (every command,
# subcommand and option of the commands' own help), the completions, the config kept on a
# second install; scripts/verify-units.sh passes on the installed units and fails on a broken
# copy; `make uninstall` leaves only the config; verify-units.sh passes on systemd/.
#
#   scripts/test-install.sh            (builds in release mode: minutes when .build is cold)
#
# Prints one line per check and "N passed, N failed"; exits 1 when any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
make=${MAKE:-make}
prefix=/usr/local
passed=0
failed=0
pass() { echo "PASS  $*"; passed=$((passed + 1)); }
fail() { echo "FAIL  $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }
stamp() { date +%s; }

dest=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$dest" "$work"' EXIT
log=$work/make.log

t0=$(stamp)
if "$make" install DESTDIR="$dest" > "$log" 2>&1; then
  pass "make install DESTDIR=$dest ($(($(stamp) - t0)) s)"
else
  fail "make install DESTDIR=$dest ($(($(stamp) - t0)) s); its last lines:"
  tail -n 30 "$log" | sed 's/^/      /'
  finish
fi

# --- every file, with its mode -------------------------------------------------------------
expected=(
  "$prefix/bin/eventd 755"
  "$prefix/bin/eventctl 755"
  "/etc/eventd/eventd.conf 640"
  "$prefix/lib/systemd/system/eventd.service 644"
  "$prefix/lib/systemd/user/eventd.service 644"
  "$prefix/lib/sysusers.d/eventd.conf 644"
  "$prefix/lib/tmpfiles.d/eventd.conf 644"
  "$prefix/share/man/man1/eventd.1 644"
  "$prefix/share/man/man1/eventctl.1 644"
  "$prefix/share/bash-completion/completions/eventctl 644"
  "$prefix/share/zsh/site-functions/_eventctl 644"
  "$prefix/share/fish/vendor_completions.d/eventctl.fish 644"
  "$prefix/share/doc/eventd/README.md 644"
)
for entry in "${expected[@]}"; do
  set -- $entry
  got=$(stat -c %a "$dest$1" 2>/dev/null)
  if [ -f "$dest$1" ] && [ "$got" = "$2" ]; then pass "$1 is there, mode $2"; else fail "$1: mode '${got:-missing}', want $2"; fi
done
count=$(cd "$dest" && find . -type f -o -type l | wc -l)
check "nothing else installed ($count files, want ${#expected[@]})" [ "$count" -eq "${#expected[@]}" ]
check "the config is config/eventd.conf" cmp -s config/eventd.conf "$dest/etc/eventd/eventd.conf"
check "the installed eventctl runs (--version)" bash -c '"$1" --version > /dev/null' _ "$dest$prefix/bin/eventctl"
check "the installed eventd runs (--help)" bash -c '"$1" --help > /dev/null' _ "$dest$prefix/bin/eventd"

# --- units name the installed paths --------------------------------------------------------
for unit in system user; do
  f=$dest$prefix/lib/systemd/$unit/eventd.service
  exec_start=$(sed -n 's/^ExecStart=//p' "$f")
  prog=${exec_start%% *}
  check "$unit unit: ExecStart=$exec_start runs the installed eventd" [ "$prog" = "$prefix/bin/eventd" -a -x "$dest$prog" ]
  check "$unit unit: Type=notify, WatchdogSec=30s, NotifyAccess=main, ExecReload sends SIGHUP" \
    bash -c 'grep -qx "Type=notify" "$1" && grep -qx "WatchdogSec=30s" "$1" && grep -qx "NotifyAccess=main" "$1" && grep -qx "ExecReload=/bin/kill -HUP \$MAINPID" "$1"' _ "$f"
  check "$unit unit: Documentation= names the installed README" grep -q "file://$prefix/share/doc/eventd/README.md" "$f"
done
sys=$dest$prefix/lib/systemd/system/eventd.service
check "system unit: --config /etc/eventd/eventd.conf, User/Group eventd, UMask=0027, LimitNOFILE=4096" \
  bash -c 'grep -q -- "--config /etc/eventd/eventd.conf" "$1" && grep -qx User=eventd "$1" && grep -qx Group=eventd "$1" && grep -qx UMask=0027 "$1" && grep -qx LimitNOFILE=4096 "$1" && grep -qx StateDirectoryMode=0750 "$1" && grep -qx RuntimeDirectoryMode=0750 "$1"' _ "$sys"
check "system unit: reload checks the installed config with the installed eventd first" \
  grep -qx "ExecReload=$prefix/bin/eventd --check-config --config /etc/eventd/eventd.conf" "$sys"
check "user unit: no User=, no --config" bash -c '! grep -q "^User=\|^ExecStart=.*--config" "$1"' _ "$dest$prefix/lib/systemd/user/eventd.service"

# --- man pages, rendered with man -l --------------------------------------------------------
# What each page must show: the command, every subcommand and every option its help displays.
names_of() {
  "$1" --experimental-dump-help | python3 -c '
import json, sys
def walk(c, path):
    yield " ".join(path + [c["commandName"]])
    yield c["commandName"]
    for a in c.get("arguments") or []:
        if a.get("shouldDisplay", True) and a["kind"] in ("option", "flag"):
            for n in a.get("names") or []:
                yield ("--" if n["kind"] == "long" else "-") + n["name"]
    for s in c.get("subcommands") or []:
        yield from walk(s, path + [c["commandName"]])
seen = []
for n in walk(json.load(sys.stdin)["command"], []):
    if n not in seen: seen.append(n)
print("\n".join(seen))'
}
command -v man >/dev/null || fail "man is not installed (apt-get install man-db): the pages cannot be rendered"
for cmd in eventd eventctl; do
  page=$dest$prefix/share/man/man1/$cmd.1
  out=$work/$cmd.txt
  t0=$(stamp)
  if LC_ALL=C.UTF-8 MANPAGER=cat MANWIDTH=200 man --nh --nj -l "$page" > "$out" 2> "$work/$cmd.err" && [ -s "$out" ]; then
    pass "man -l $cmd.1 renders ($(wc -l < "$out") lines, $(($(stamp) - t0)) s)"
  else
    fail "man -l $cmd.1: $(head -c 300 "$work/$cmd.err")"; continue
  fi
  check "man -l $cmd.1: no warnings from groff" [ ! -s "$work/$cmd.err" ]
  check "$cmd.1: NAME section is $cmd" bash -c 'grep -A1 "^NAME" "$1" | grep -q "^ *$2 — "' _ "$out" "$cmd"
  # A subcommand is shown by its own name, not its path: "eventctl session" lists "add".
  missing=()
  while IFS= read -r name; do
    case $name in *" "*) continue ;; esac
    grep -qF -- "$name" "$out" || missing+=("$name")
  done < <(names_of "$dest$prefix/bin/$cmd")
  total=$(names_of "$dest$prefix/bin/$cmd" | grep -vc ' ')
  if [ ${#missing[@]} -eq 0 ]; then pass "$cmd.1 shows all $total commands and options of $cmd's help"
  else fail "$cmd.1 lacks: ${missing[*]}"; fi
done
check "eventd.1's synopsis names no subcommand (eventd has none)" \
  bash -c 'sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" "$1" | grep -q -- "--check-config" && ! sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" "$1" | grep -q subcommand' _ "$work/eventd.txt"
check "eventctl.1 keeps the help's Vietnamese (Phan Chí Hiếu, Thứ trưởng Bộ Tư pháp)" \
  bash -c 'grep -qF "Phan Chí Hiếu" "$1" && grep -qF "Thứ trưởng Bộ Tư pháp" "$1"' _ "$work/eventctl.txt"
check "eventctl.1 documents the subcommands' options (session add --room, agenda --role)" \
  bash -c 'grep -q -- "--room" "$1" && grep -q -- "--role" "$1"' _ "$work/eventctl.txt"

# --- completions ---------------------------------------------------------------------------
# Each shell completes "eventctl ses" to session and "eventctl add --ki" to --kind.
bashc=$dest$prefix/share/bash-completion/completions/eventctl
check "bash completion: eventctl ses<TAB> gives session, eventctl add --ki<TAB> gives --kind" bash -c '
  source "$1" || exit 1
  f=$(complete -p eventctl | sed -n "s/.* -F \([^ ]*\) .*/\1/p"); [ -n "$f" ] || exit 1
  COMP_WORDS=(eventctl ses); COMP_CWORD=1; COMPREPLY=(); "$f" eventctl ses eventctl
  [ "${COMPREPLY[*]}" = session ] || exit 1
  COMP_WORDS=(eventctl add --ki); COMP_CWORD=2; COMPREPLY=(); "$f" eventctl --ki add
  [ "${COMPREPLY[*]}" = --kind ]' _ "$bashc"
zshc=$dest$prefix/share/zsh/site-functions/_eventctl
check "zsh completion is a #compdef eventctl file with the subcommands" \
  bash -c 'head -n1 "$1" | grep -qx "#compdef eventctl" && grep -q "agenda" "$1"' _ "$zshc"
if command -v zsh >/dev/null; then check "zsh completion parses (zsh -n)" zsh -n "$zshc"
else echo "      (zsh is not installed: its completion file was not parsed)"; fi
fishc=$dest$prefix/share/fish/vendor_completions.d/eventctl.fish
if command -v fish >/dev/null; then
  check "fish completion: eventctl ses gives session, eventctl add --ki gives --kind" bash -c '
    out=$(fish -c "source \"$1\"; complete -C \"eventctl ses\"; complete -C \"eventctl add --ki\"") || exit 1
    printf "%s\n" "$out" | grep -q "^session	" && printf "%s\n" "$out" | grep -q "^--kind	"' _ "$fishc"
  check "fish completion: eventctl schedule --format gives the formats, not show and publish" bash -c '
    out=$(fish -c "source \"$1\"; complete -C \"eventctl schedule --format \"") || exit 1
    printf "%s\n" "$out" | grep -q "^pdf	" && ! printf "%s\n" "$out" | grep -q "^publish	"' _ "$fishc"
else
  check "fish completion completes eventctl's subcommands and options" \
    bash -c 'grep -q "^complete -c .eventctl. .*-fa .add." "$1" && grep -q "^complete -c .eventctl. .*-l .kind." "$1"' _ "$fishc"
fi

# --- units and snippets verified -----------------------------------------------------------
if scripts/verify-units.sh "$dest" "$prefix" > "$work/verify.txt" 2>&1; then
  pass "scripts/verify-units.sh on the installed units: $(tail -n1 "$work/verify.txt")"
else
  fail "scripts/verify-units.sh on the installed units:"; sed 's/^/      /' "$work/verify.txt"
fi
grep '^cannot run here' "$work/verify.txt" | sed 's/^/      /'
broken=$work/broken
cp -a "$dest" "$broken"
sed -i -e 's/^Type=notify/Type=notifyy/' -e '/^\[Service\]/a Bogus=1' "$broken$prefix/lib/systemd/system/eventd.service"
if scripts/verify-units.sh "$broken" "$prefix" > "$work/verify-broken.txt" 2>&1; then
  fail "scripts/verify-units.sh passed a unit with Bogus=1 and Type=notifyy"
else
  check "scripts/verify-units.sh fails a unit with Bogus=1 and Type=notifyy, naming both" \
    bash -c 'grep -q "^FAIL.*Bogus" "$1" && grep -q "^FAIL.*notifyy" "$1"' _ "$work/verify-broken.txt"
fi

# --- a second install keeps the administrator's config -------------------------------------
echo "log_level = debug   # changed by the administrator" >> "$dest/etc/eventd/eventd.conf"
cp "$dest/etc/eventd/eventd.conf" "$work/admin.conf"
if "$make" install DESTDIR="$dest" BUILD=no > "$log" 2>&1; then
  check "make install BUILD=no again keeps the changed config" cmp -s "$work/admin.conf" "$dest/etc/eventd/eventd.conf"
else
  fail "make install BUILD=no again:"; tail -n 20 "$log" | sed 's/^/      /'
fi

# --- another PREFIX --------------------------------------------------------------------------
usr=$work/usr-dest
if "$make" install DESTDIR="$usr" PREFIX=/usr BUILD=no > "$log" 2>&1; then
  check "PREFIX=/usr: ExecStart=/usr/bin/eventd in /usr/lib/systemd/system and /usr/lib/systemd/user" \
    bash -c 'grep -qx "ExecStart=/usr/bin/eventd --config /etc/eventd/eventd.conf" "$1/usr/lib/systemd/system/eventd.service" && grep -q "^ExecReload=/usr/bin/eventd --check-config" "$1/usr/lib/systemd/system/eventd.service" && grep -qx "ExecStart=/usr/bin/eventd" "$1/usr/lib/systemd/user/eventd.service" && [ -x "$1/usr/bin/eventctl" ] && [ -f "$1/usr/share/man/man1/eventctl.1" ]' _ "$usr"
  "$make" uninstall DESTDIR="$usr" PREFIX=/usr > "$log" 2>&1
  check "PREFIX=/usr: uninstall leaves only the config" \
    bash -c '[ "$(cd "$1" && find . -type f -o -type l)" = "./etc/eventd/eventd.conf" ]' _ "$usr"
else
  fail "make install PREFIX=/usr BUILD=no:"; tail -n 20 "$log" | sed 's/^/      /'
fi

# --- uninstall ---------------------------------------------------------------------------------
if "$make" uninstall DESTDIR="$dest" > "$log" 2>&1; then
  pass "make uninstall DESTDIR=$dest"
else
  fail "make uninstall DESTDIR=$dest:"; tail -n 20 "$log" | sed 's/^/      /'
fi
left=$(cd "$dest" && find . -type f -o -type l | sort)
check "after uninstall only the config is left (left: $(echo $left))" [ "$left" = "./etc/eventd/eventd.conf" ]
check "the config left is the administrator's" cmp -s "$work/admin.conf" "$dest/etc/eventd/eventd.conf"
check "uninstall said it kept the config and the data" grep -q "kept .*eventd.conf.*/var/lib/eventd" "$log"

# The repository's own units too (what the next `make install` will render).
if scripts/verify-units.sh > "$work/verify-repo.txt" 2>&1; then
  pass "scripts/verify-units.sh on systemd/: $(tail -n1 "$work/verify-repo.txt")"
else
  fail "scripts/verify-units.sh on systemd/:"; sed 's/^/      /' "$work/verify-repo.txt"
fi

finish
