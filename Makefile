# Convenience targets; README.md gives the same commands. docs/install.md: install, man, completions.
.PHONY: fuzz fuzz-short soak load build test run bench bench-agenda bench-startup clean release man completions dist install uninstall test-install

SWIFT   ?= swift
# SwiftPM's build folder; man pages and completions are generated under it too (never committed).
SCRATCH ?= .build
RELEASE  = $(SCRATCH)/release
MANBUILD = $(SCRATCH)/man
COMPBUILD = $(SCRATCH)/completions

# Where `make install` puts things: $(DESTDIR)$(PREFIX)/..., and the config in $(DESTDIR)$(SYSCONFDIR).
PREFIX     ?= /usr/local
DESTDIR    ?=
SYSCONFDIR  = /etc
BINDIR      = $(PREFIX)/bin
DATADIR     = $(PREFIX)/share
MANDIR      = $(DATADIR)/man
DOCDIR      = $(DATADIR)/doc/eventd
UNITDIR     = $(PREFIX)/lib/systemd/system
USERUNITDIR = $(PREFIX)/lib/systemd/user
SYSUSERSDIR = $(PREFIX)/lib/sysusers.d
TMPFILESDIR = $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR = $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  = $(DATADIR)/zsh/site-functions
FISHCOMPDIR = $(DATADIR)/fish/vendor_completions.d

# Every file `make install` writes except the config, which it writes only when absent and
# `make uninstall` leaves alone. uninstall removes exactly this list.
INSTALLED = \
	$(BINDIR)/eventd \
	$(BINDIR)/eventctl \
	$(UNITDIR)/eventd.service \
	$(USERUNITDIR)/eventd.service \
	$(SYSUSERSDIR)/eventd.conf \
	$(TMPFILESDIR)/eventd.conf \
	$(MANDIR)/man1/eventd.1 \
	$(MANDIR)/man1/eventctl.1 \
	$(BASHCOMPDIR)/eventctl \
	$(ZSHCOMPDIR)/_eventctl \
	$(FISHCOMPDIR)/eventctl.fish \
	$(DOCDIR)/README.md
CONFIG = $(SYSCONFDIR)/eventd/eventd.conf

# The units name /usr/local/bin, /etc/eventd and /usr/local/share/doc/eventd; installed copies
# name the PREFIX's and SYSCONFDIR's.
UNIT_SED = sed \
	-e 's|^\(Exec[A-Za-z]*=\)/usr/local/bin/|\1$(BINDIR)/|' \
	-e 's|^\(Exec[A-Za-z]*=.*--config \)/etc/eventd/|\1$(SYSCONFDIR)/eventd/|' \
	-e 's|^\(Documentation=.*file://\)/usr/local/share/doc/eventd/|\1$(DOCDIR)/|'

build:
	swift build

test:
	scripts/test.sh

run:
	scripts/run.sh

# SIGKILL eventd at random moments during writes and dispatch, then check nothing acknowledged
# was lost (ROUNDS=20 in CI, through scripts/test.sh).
ROUNDS ?= 100
soak:
	swift build
	scripts/soak.py $$(swift build --show-bin-path) $(ROUNDS)

# Figures beside baselines measured in the same run; release builds.
# libFuzzer over the iCalendar reader, import planning, expansion and writing: an hour (FUZZ_SECONDS),
# or the short run scripts/test.sh makes. Findings stay in .build-fuzz/findings.
FUZZ_SECONDS ?= 3600
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-short:
	scripts/fuzz.sh 90

# Issue 10's figures (bench/bench.py): import, memory, CPU per add, crowded slots, agendas and adds/s
# of the real eventd, each beside a baseline of the same run; written to $(BENCH_JSON) and
# docs/benchmarks.md. BENCH_SCALE=small is a run of a few minutes; BENCH_* in bench.py set sizes.
BENCH_SCALE ?= full
BENCH_JSON ?= $(SCRATCH)/bench.json
export BENCH_SCALE BENCH_JSON
STARTUP_ROUNDS = $(if $(filter small,$(BENCH_SCALE)),50,200)
bench: $(SCRATCH)/bench/ical-parse
	$(SWIFT) build -c release --scratch-path $(SCRATCH)
	ICAL_PARSE=$(SCRATCH)/bench/ical-parse python3 bench/bench.py $(RELEASE)
	python3 bench/startup.py $(RELEASE) $(STARTUP_ROUNDS)

# The libical baseline: icalparser_parse_string over a whole file, in C.
$(SCRATCH)/bench/ical-parse: bench/ical-parse.c
	mkdir -p $(dir $@)
	$(CC) -O2 -o $@ $< $$(pkg-config --cflags --libs libical)

# 8 clients adding, updating, reading agendas, importing and inviting for LOAD_SECONDS while feeds
# regenerate and notices go out; then every acknowledged write, the feeds, the notices and RSS are checked.
LOAD_SECONDS ?= 60
load:
	$(SWIFT) build -c release --scratch-path $(SCRATCH)
	scripts/load.py $(RELEASE) $(LOAD_SECONDS)


bench-agenda:
	swift build -c release --product eventd-bench
	$$(swift build -c release --show-bin-path)/eventd-bench

bench-startup:
	swift build -c release
	python3 bench/startup.py $$(swift build -c release --show-bin-path)

release:
	$(SWIFT) build -c release --scratch-path $(SCRATCH)

# eventd.1 and eventctl.1 from the commands' own help (swift-argument-parser's GenerateManual
# plugin; it builds the package in release mode first), into $(MANBUILD).
man:
	SWIFT=$(SWIFT) SCRATCH=$(SCRATCH) scripts/gen-man.sh $(MANBUILD)

completions: release
	mkdir -p $(COMPBUILD)
	$(RELEASE)/eventctl --generate-completion-script bash > $(COMPBUILD)/eventctl.bash
	$(RELEASE)/eventctl --generate-completion-script zsh > $(COMPBUILD)/_eventctl
	$(RELEASE)/eventctl --generate-completion-script fish | scripts/fix-fish-completion.py > $(COMPBUILD)/eventctl.fish

# Everything install copies, built in the source tree.
dist: release man completions

# `make dist` as yourself, then `sudo make install BUILD=no`: root copies without building
# (no root-owned files in .build, no need for swift on root's PATH).
ifeq ($(BUILD),no)
install: check-dist
else
install: dist
endif
	@# Folders that exist keep their mode (Debian's /usr/local is 2775 root:staff); new ones are 0755.
	@for d in $(BINDIR) $(UNITDIR) $(USERUNITDIR) $(SYSUSERSDIR) $(TMPFILESDIR) $(MANDIR)/man1 $(DOCDIR) \
		$(BASHCOMPDIR) $(ZSHCOMPDIR) $(FISHCOMPDIR) $(SYSCONFDIR)/eventd; do \
		[ -d $(DESTDIR)$$d ] || install -d -m 0755 $(DESTDIR)$$d || exit 1; \
	done
	install -m 0755 $(RELEASE)/eventd $(RELEASE)/eventctl $(DESTDIR)$(BINDIR)/
	@# Rendered straight into place, so that `sudo make install BUILD=no` writes nothing in the tree.
	$(UNIT_SED) systemd/eventd.service > $(DESTDIR)$(UNITDIR)/eventd.service
	$(UNIT_SED) systemd/user/eventd.service > $(DESTDIR)$(USERUNITDIR)/eventd.service
	sed 's|/etc/eventd/|$(SYSCONFDIR)/eventd/|' systemd/eventd.tmpfiles > $(DESTDIR)$(TMPFILESDIR)/eventd.conf
	chmod 0644 $(DESTDIR)$(UNITDIR)/eventd.service $(DESTDIR)$(USERUNITDIR)/eventd.service $(DESTDIR)$(TMPFILESDIR)/eventd.conf
	install -m 0644 systemd/eventd.sysusers $(DESTDIR)$(SYSUSERSDIR)/eventd.conf
	install -m 0644 $(MANBUILD)/eventd.1 $(MANBUILD)/eventctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(COMPBUILD)/eventctl.bash $(DESTDIR)$(BASHCOMPDIR)/eventctl
	install -m 0644 $(COMPBUILD)/_eventctl $(DESTDIR)$(ZSHCOMPDIR)/_eventctl
	install -m 0644 $(COMPBUILD)/eventctl.fish $(DESTDIR)$(FISHCOMPDIR)/eventctl.fish
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	@# The config is the administrator's once installed: never overwritten. Group eventd reads it
	@# (tmpfiles.d/eventd.conf sets root:eventd 0640 once systemd-sysusers has made the group).
	@if [ -e $(DESTDIR)$(CONFIG) ]; then \
		echo "kept $(DESTDIR)$(CONFIG) (it exists; the shipped one is config/eventd.conf)"; \
	else \
		echo "install -m 0640 config/eventd.conf $(DESTDIR)$(CONFIG)"; \
		install -m 0640 config/eventd.conf $(DESTDIR)$(CONFIG); \
		if [ -z "$(DESTDIR)" ] && getent group eventd >/dev/null; then chgrp eventd $(CONFIG); fi; \
	fi
	@echo "installed eventd under $(DESTDIR)$(PREFIX). As a service:"
	@echo "  systemd-sysusers && systemd-tmpfiles --create && systemctl daemon-reload && systemctl enable --now eventd"
	@echo "or for one person's calendar: systemctl --user daemon-reload && systemctl --user enable --now eventd"

.PHONY: check-dist
check-dist:
	@for f in $(RELEASE)/eventd $(RELEASE)/eventctl $(MANBUILD)/eventd.1 $(MANBUILD)/eventctl.1 \
		$(COMPBUILD)/eventctl.bash $(COMPBUILD)/_eventctl $(COMPBUILD)/eventctl.fish; do \
		[ -s $$f ] || { echo "make install BUILD=no: $$f is missing; run make dist first" >&2; exit 1; }; \
	done

# Removes exactly what install wrote. Kept: $(SYSCONFDIR)/eventd/eventd.conf (the administrator's),
# the register in /var/lib/eventd, and the user eventd (system users are never removed).
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -L /etc/systemd/system/multi-user.target.wants/eventd.service ]; then \
		echo "warning: eventd.service is still enabled; run systemctl disable --now eventd" >&2; \
	fi
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true
	@echo "kept $(DESTDIR)$(CONFIG), the register in $(DESTDIR)/var/lib/eventd and the user eventd; remove them by hand if you mean to"

# make install into a temporary DESTDIR, every file checked, man -l, uninstall, verify-units.sh.
test-install:
	scripts/test-install.sh

clean:
	rm -rf .build
