#!/usr/bin/env python3
"""Mends swift-argument-parser's fish completion for a default subcommand (issue 20).

`eventctl schedule --format <TAB>` offered the subcommands `show` and `publish`: the generator
(1.x) knows nothing of `defaultSubcommand`, so after `schedule` it parses only `--help` and
`--version`, and offers `--format`'s values only after `schedule show`. For each parent named
below, this reads the parent's tokens with its default subcommand's options too, and offers the
default subcommand's options (and their values) right after the parent.

    eventctl --generate-completion-script fish | scripts/fix-fish-completion.py > eventctl.fish
"""
import re
import sys

# parent command path -> its default subcommand (Sources/eventctl: CommandConfiguration(defaultSubcommand:)).
DEFAULTS = {"eventctl schedule": "show"}

script = sys.stdin.read()
for parent, default in DEFAULTS.items():
    child = f"{parent} {default}"
    name, sub = parent.split()[-1], default
    # The option specs the generator gives the default subcommand's parse.
    block = re.search(rf"case '{re.escape(name)}'\n(\s*)__eventctl_parse_subcommand 0 'version' 'h/help'\n\s*switch \$unparsed_tokens\[1\]\n\s*case '{re.escape(sub)}'\n\s*__eventctl_parse_subcommand (\d+) (.*)\n", script)
    if not block:
        sys.exit(f"fix-fish-completion: the generated script has no parse of {parent!r} with {default!r} as its first subcommand; the generator changed")
    indent, specs = block.group(1), block.group(3)
    script = script.replace(block.group(0), block.group(0).replace(
        f"{indent}__eventctl_parse_subcommand 0 'version' 'h/help'\n", f"{indent}__eventctl_parse_subcommand 0 {specs}\n", 1), 1)
    # The default subcommand's options, offered after the parent alone.
    lines = [l for l in script.splitlines() if f'__eventctl_should_offer_completions_for_flags_or_options "{child}"' in l]
    extra = [l.replace(f'"{child}"', f'"{parent}"') for l in lines if "-l 'version'" not in l and "-l 'help'" not in l]
    script = script.rstrip("\n") + "\n" + "\n".join(extra) + "\n"
sys.stdout.write(script)
