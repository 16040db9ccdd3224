#!/usr/bin/env bash
# Checks eventd's systemd units with `systemd-analyze verify` (system unit, and user unit with
# --user) and its sysusers.d/tmpfiles.d snippets with systemd-sysusers/systemd-tmpfiles into a
# scratch root.
#
#   scripts/verify-units.sh                   the repository's systemd/ files
#   scripts/verify-units.sh DESTDIR [PREFIX]  the copies `make install DESTDIR=… [PREFIX=…]` wrote
#
# Tells real errors in the files (unknown keys, values that do not parse, missing settings:
# exit 1) from what only this machine lacks ("cannot run here": a program the unit names is not
# installed, man pages not installed, no systemd at all, no user manager). A program named in
# Exec*= is taken from under DESTDIR; one that is not there or on this machine is taken from
# the release build, or failing that /bin/true stands in so the rest of the unit is verified.
# Prints one line per finding and "verify-units: N real errors, N cannot-run-here notes".
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
destdir=${1:-}
prefix=${2:-/usr/local}
scratch=${SCRATCH:-.build}

if [ -n "$destdir" ]; then
  destdir=$(cd "$destdir" && pwd) || { echo "verify-units: no such DESTDIR" >&2; exit 2; }
  system_unit=$destdir$prefix/lib/systemd/system/eventd.service
  user_unit=$destdir$prefix/lib/systemd/user/eventd.service
  sysusers=$destdir$prefix/lib/sysusers.d/eventd.conf
  tmpfiles=$destdir$prefix/lib/tmpfiles.d/eventd.conf
else
  system_unit=$repo/systemd/eventd.service
  user_unit=$repo/systemd/user/eventd.service
  sysusers=$repo/systemd/eventd.sysusers
  tmpfiles=$repo/systemd/eventd.tmpfiles
fi

real=0
notes=0
fail() { echo "FAIL   $*"; real=$((real + 1)); }
note() { echo "cannot run here: $*"; notes=$((notes + 1)); }
ok() { echo "ok     $*"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Lines systemd-analyze prints because of this machine, not because of the unit.
env_pattern='is not executable: No such file or directory|Command .man .* failed with code|Failed to initialize manager|Failed to lookup .* path|Permission denied|Operation not permitted|Read-only file system|No such device or address'

# prepare UNIT DIR LABEL: copies UNIT into DIR under its own name, each Exec*= program
# replaced by its copy under DESTDIR, or when missing here by its release build or /bin/true.
prepare() {
  local unit=$1 dir=$2 label=$3 line key prog rest alt
  mkdir -p "$dir"
  : > "$dir/eventd.service"
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^(Exec[A-Za-z]*=)([-@:+!]*)(/[^ ]+)(.*)$ ]]; then
      key=${BASH_REMATCH[1]}${BASH_REMATCH[2]}; prog=${BASH_REMATCH[3]}; rest=${BASH_REMATCH[4]}
      # What the unit will run once installed: DESTDIR's copy before this machine's.
      if [ -n "$destdir" ] && [ -x "$destdir$prog" ]; then line=$key$destdir$prog$rest
      elif [ ! -x "$prog" ]; then
        if [ -x "$repo/$scratch/release/${prog##*/}" ]; then alt=$repo/$scratch/release/${prog##*/}
        else alt=/bin/true; note "$label: $prog is not installed here; /bin/true stands in"
        fi
        line=$key$alt$rest
      fi
    fi
    printf '%s\n' "$line" >> "$dir/eventd.service"
  done < "$unit"
}

# verify LABEL DIR ORIGINAL [--user]
verify() {
  local label=$1 dir=$2 orig=$3 mode=${4:-} out status line found=0 before=$real
  local -a args=(verify)
  # Documentation=man:… is checked with man; let it see the pages under DESTDIR.
  local manpath ourpages=""
  manpath=$(manpath 2>/dev/null || true)
  if [ -n "$destdir" ]; then
    manpath=$destdir$prefix/share/man${manpath:+:$manpath}
    ourpages=1
  elif [ -f "$repo/$scratch/man/eventd.1" ]; then
    # make man's pages, before they are installed.
    mkdir -p "$work/man/man1" && cp "$repo/$scratch/man/"*.1 "$work/man/man1/"
    manpath=$work/man${manpath:+:$manpath}
    ourpages=1
  fi
  if [ "$mode" = --user ]; then
    mkdir -p "$work/xdg-runtime"; chmod 0700 "$work/xdg-runtime"
    out=$(cd "$dir" && XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$work/xdg-runtime} MANPATH=$manpath \
      systemd-analyze --user "${args[@]}" eventd.service 2>&1)
  else
    out=$(cd "$dir" && MANPATH=$manpath systemd-analyze "${args[@]}" eventd.service 2>&1)
  fi
  status=$?
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    found=1
    line=${line//$dir\/eventd.service/$orig}
    if [ -n "$ourpages" ] && [[ $line =~ Command\ .man\ (eventd|eventctl) ]]; then
      fail "$label: $line (Documentation= names a page that make install or make man did not produce)"
    elif [[ $line =~ $env_pattern ]]; then note "$label: $line"; else fail "$label: $line"; fi
  done <<< "$out"
  if [ "$status" -ne 0 ] && [ "$found" -eq 0 ]; then fail "$label: systemd-analyze exited $status without a message"; fi
  if [ "$real" -eq "$before" ]; then ok "$label: systemd-analyze${mode:+ $mode} verify"; fi
}

if ! command -v systemd-analyze >/dev/null; then
  note "systemd-analyze is not installed; units not verified"
else
  for pair in "system:$system_unit" "user:$user_unit"; do
    kind=${pair%%:*}; unit=${pair#*:}
    if [ ! -f "$unit" ]; then fail "$kind unit $unit is missing"; continue; fi
    prepare "$unit" "$work/$kind" "$kind/eventd.service"
    if [ "$kind" = user ]; then verify "user/eventd.service" "$work/$kind" "$unit" --user
    else verify "system/eventd.service" "$work/$kind" "$unit"; fi
  done
fi

# The snippets: systemd-sysusers and systemd-tmpfiles into a scratch root, then the result.
root=$work/root
mkdir -p "$root/etc" "$root/var/lib" "$root/run"
if ! command -v systemd-sysusers >/dev/null || ! command -v systemd-tmpfiles >/dev/null; then
  note "systemd-sysusers or systemd-tmpfiles is not installed; snippets not checked"
elif [ ! -f "$sysusers" ] || [ ! -f "$tmpfiles" ]; then
  fail "missing $sysusers or $tmpfiles"
else
  if out=$(systemd-sysusers --root="$root" - < "$sysusers" 2>&1) && grep -q '^eventd:x:[0-9]*:[0-9]*:[^:]*:/var/lib/eventd:' "$root/etc/passwd" \
     && grep -q '^eventd:x:' "$root/etc/group"; then
    ok "sysusers.d: user and group eventd, home /var/lib/eventd"
  else
    fail "sysusers.d: $(echo "$out" | tr '\n' ' ')"
  fi
  # Each d (folder) and z (existing file) line, checked for its mode and owner afterwards.
  mapfile -t entries < <(awk '$1 == "d" || $1 == "z" { print $1, $2, $3, $4, $5 }' "$tmpfiles")
  for entry in "${entries[@]}"; do
    set -- $entry
    if [ "$1" = z ]; then mkdir -p "$root$(dirname "$2")"; echo '# placeholder' > "$root$2"; chmod 0644 "$root$2"; fi
  done
  id_of() { if [ "$2" = root ]; then echo 0; else awk -F: -v n="$2" '$1 == n { print $3 }' "$root/etc/$1"; fi; }
  if out=$(systemd-tmpfiles --create --root="$root" - < "$tmpfiles" 2>&1) && [ -z "$out" ]; then
    [ ${#entries[@]} -gt 0 ] || fail "tmpfiles.d: no d or z lines in $tmpfiles"
    for entry in "${entries[@]}"; do
      set -- $entry
      want="${3#0} $(id_of passwd "$4") $(id_of group "$5")"
      got=$(stat -c '%a %u %g' "$root$2" 2>/dev/null)
      if [ "$got" = "$want" ]; then ok "tmpfiles.d: $2 $3 $4:$5"; else fail "tmpfiles.d: $2 is '${got:-missing}', want '$want' ($3 $4:$5)"; fi
    done
  else
    fail "tmpfiles.d: $(echo "$out" | tr '\n' ' ')"
  fi
fi

echo "verify-units: $real real errors, $notes cannot-run-here notes"
[ "$real" -eq 0 ]
