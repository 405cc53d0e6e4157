# nstop: see README.md. Objects go to build/; user CFLAGS are respected.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
UNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CC ?= cc

PKGS := ncursesw libnl-3.0 libnl-route-3.0 libproc2 libseccomp
# nstop serve's HTTP server
PKGS += libmicrohttpd
# nstop record's files (zstd)
PKGS += libzstd
# its basic authentication: bcrypt (libxcrypt), the cache's SHA-256 (GnuTLS)
PKGS += libcrypt gnutls
# logs of the journald log drivers (sd-journal)
PKGS += libsystemd
# nstop image import: OCI and docker archives, read only
PKGS += libarchive
CFLAGS ?= -O2 -g
WARN := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-missing-field-initializers
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS := $(WARN) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
LIBS := $(PKG_LIBS) -lm -lpthread

B ?= build
SRCS := $(wildcard src/*.c src/util/*.c src/collect/*.c src/act/*.c src/ui/*.c)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
OBJS := $(SRCS:%.c=$(B)/%.o)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

DEBIAN_PKGS := build-essential pkg-config libncurses-dev libnl-3-dev libnl-route-3-dev \
	libproc2-dev libseccomp-dev procps util-linux mandoc tmux jq python3 valgrind busybox-static \
	iproute2 libc-bin qemu-system-x86 cpio kmod strace clang libclang-rt-14-dev
# nstop serve (libmicrohttpd; curl in its suite)
DEBIAN_PKGS += libmicrohttpd-dev curl
# nstop record
DEBIAN_PKGS += libzstd-dev
DEBIAN_PKGS += libcrypt-dev libgnutls28-dev openssl
DEBIAN_PKGS += libsystemd-dev
DEBIAN_PKGS += libarchive-dev

.PHONY: all run test test-vm check-asan check-man install uninstall clean deps deps-ok unit bench fuzz
.PHONY: deps-runtimes

all: nstop

nstop: $(B)/nstop
	cp $< $@

$(B)/nstop: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(B)/libnstop.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c tests/unit/tap.h $(B)/libnstop.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(B)/libnstop.a $(LIBS)

HELPERS := $(B)/tests/hostile $(B)/tests/procs_oracle $(B)/tests/swarm $(B)/tests/hog $(B)/tests/probe $(B)/tests/churn
# static probes: they run inside containers that see only the host's /usr
STATIC_PROBES := $(B)/tests/sysprobe $(B)/tests/fsprobe $(B)/tests/tiocsti
STATIC_PROBES += $(B)/tests/raceprobe
# the ports suite's peers (UDP echo, half-close), one inside a container
STATIC_PROBES += $(B)/tests/portprobe
HELPERS += $(STATIC_PROBES)

# the cgroup is charged what hog holds: never a sanitizer build (ASan's own
# megabytes OOM-killed a hog meant to sit below a 32M limit)
$(B)/tests/hog: tests/helpers/hog.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -o $@ $<

$(B)/tests/swarm: tests/helpers/swarm.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -o $@ $<

# nstop serve's load test: scrapers on 127.0.0.1, bounded in count and time
HELPERS += $(B)/tests/scrapers
$(B)/tests/scrapers: tests/helpers/scrapers.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -o $@ $< -lpthread

$(B)/tests/procs_oracle: tests/helpers/procs_oracle.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(PKG_LIBS)

# static: it runs inside containers made from a bare image
$(B)/tests/probe: tests/helpers/probe.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -static -o $@ $<

$(STATIC_PROBES): $(B)/tests/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -static -o $@ $<

$(B)/tests/churn: tests/helpers/churn.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -o $@ $<

$(B)/tests/hostile: tests/helpers/hostile.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) -o $@ $<

unit: $(UNIT_BINS)

deps-ok:
	@tools/ensure-deps.sh

# The README's first command: everything needed, then the dashboard.
run: deps-ok
	$(MAKE) nstop
	./nstop

test: deps-ok
	$(MAKE) $(B)/nstop $(UNIT_BINS) $(HELPERS)
	B=$(B) NSTOP=$(CURDIR)/$(B)/nstop tests/run.sh

check-asan:
	NSTOP_NO_VM="the plain make test boots it" $(MAKE) B=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" test

# The real-kernel suites in a cgroup v2 guest (also part of make test).
test-vm: deps-ok
	$(MAKE) $(B)/nstop $(UNIT_BINS) $(HELPERS)
	B=$(B) tests/vm/run.sh

# The benchmark (root): make bench [N="1000 5000 10000"] [RUNS=5]
N ?= 1000 5000 10000
RUNS ?= 5
bench: deps-ok
	$(MAKE) $(B)/nstop
	B=$(B) N="$(N)" RUNS=$(RUNS) tests/bench/bench.sh

# libFuzzer targets of every parser of kernel text and user input (clang)
FUZZ_SECONDS ?= 60
fuzz: deps-ok
	B=$(B) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

check-man: $(B)/nstop
	mandoc -Tlint -W warning man/nstop.8
	tools/check-help-man.sh $(B)/nstop man/nstop.8

install: nstop
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 nstop $(DESTDIR)$(BINDIR)/nstop
	install -m 0644 man/nstop.8 $(DESTDIR)$(MANDIR)/man8/nstop.8
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 completions/nstop.bash $(DESTDIR)$(BASHCOMPDIR)/nstop
	install -d $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0644 completions/_nstop $(DESTDIR)$(ZSHCOMPDIR)/_nstop
	install -m 0644 completions/nstop.fish $(DESTDIR)$(FISHCOMPDIR)/nstop.fish
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/nstop-exporter.service.in >$(DESTDIR)$(UNITDIR)/nstop-exporter.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/nstop-exporter.service
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/nstop-record.service.in >$(DESTDIR)$(UNITDIR)/nstop-record.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/nstop-record.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nstop $(DESTDIR)$(MANDIR)/man8/nstop.8 $(DESTDIR)$(BASHCOMPDIR)/nstop \
		$(DESTDIR)$(ZSHCOMPDIR)/_nstop $(DESTDIR)$(FISHCOMPDIR)/nstop.fish \
		$(DESTDIR)$(UNITDIR)/nstop-exporter.service $(DESTDIR)$(UNITDIR)/nstop-record.service

clean:
	rm -rf build nstop

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEBIAN_PKGS)

# Container engines for the test suites only (root, .ci/run calls it): Debian's
# docker.io, whose dockerd the Docker suites start and stop themselves
# (tests/lib-docker.sh). Not part of deps: building or running nstop puts no
# container engine on a user's machine. A policy-rc.d (exit 101) keeps the
# package scripts from starting the daemons; one made here is removed after.
# The services of an engine this step installed are disabled at boot too (one
# that was there before is left as it was).
RUNTIME_PKGS := docker.io runc
RUNTIME_UNITS := docker.io:docker.service docker.io:docker.socket containerd:containerd.service
# prometheus: its promtool checks nstop metrics (tests/suites/metrics.sh); its
# server is installed, never started or enabled here
RUNTIME_PKGS += prometheus
RUNTIME_UNITS += prometheus:prometheus.service
# podman (runc beside it: crun refuses hybrid cgroups): tests/suites/runtimes.sh
# runs it with a containers.conf and storage of its own under a temp dir
RUNTIME_PKGS += podman
RUNTIME_UNITS += podman:podman.socket podman:podman.service podman:podman-auto-update.timer podman:podman-restart.service
# zsh and fish: the completion suite drives nstop's completions in each shell
RUNTIME_PKGS += zsh fish
# systemd-journal-remote: writes journal files from export text, for the
# journald log driver's reader where no journald runs (tests/suites/journal.sh)
RUNTIME_PKGS += systemd-journal-remote
RUNTIME_UNITS += systemd-journal-remote:systemd-journal-remote.socket systemd-journal-remote:systemd-journal-remote.service
POLICY_RC := /usr/sbin/policy-rc.d
deps-runtimes:
	@set -e; \
	if dpkg-query -W -f '$${Status}\n' $(RUNTIME_PKGS) 2>/dev/null | grep -c 'ok installed' | grep -qx $(words $(RUNTIME_PKGS)); then \
		echo "deps-runtimes: $(RUNTIME_PKGS) already installed"; exit 0; fi; \
	units=; for u in $(RUNTIME_UNITS); do \
		dpkg-query -W -f '$${Status}' $${u%%:*} 2>/dev/null | grep -q 'ok installed' || units="$$units $${u#*:}"; done; \
	if [ ! -e $(POLICY_RC) ]; then \
		trap 'rm -f $(POLICY_RC)' EXIT; trap 'exit 1' INT TERM HUP; \
		printf '#!/bin/sh\n# nstop make deps-runtimes: no service starts during the install\nexit 101\n' >$(POLICY_RC); \
		chmod 755 $(POLICY_RC); fi; \
	apt-get update; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(RUNTIME_PKGS); \
	if [ -n "$$units" ] && command -v systemctl >/dev/null; then systemctl disable $$units; \
	elif [ -n "$$units" ] && [ -e /etc/init.d/docker ]; then update-rc.d docker disable; fi

-include $(OBJS:.o=.d)
