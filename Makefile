# lxcollectd: see README.md. `make` leaves ./lxcollectd at the project root.
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR ?= $(PREFIX)/share/man

CC ?= cc
PKG_CONFIG ?= pkg-config
VERSION := 0.1.0

# CFLAGS, CPPFLAGS and LDFLAGS from the command line or the environment
# (dpkg-buildflags) are honoured; the hardening below is always on, as
# Debian builds its daemons. -Werror is for the project's own builds: a
# packager turns it off with `make WERROR=`.
CFLAGS ?= -O2 -g
WERROR ?= -Werror
WARN := -Wall -Wextra $(WERROR) -Wshadow -Wformat=2 -Wno-format-nonliteral \
	-Wmissing-prototypes -Wstrict-prototypes -Wvla
# _FORTIFY_SOURCE only when CPPFLAGS does not set it already (a second
# definition with another level would be a warning, hence an error)
HARDEN_CPPFLAGS = $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS)),,-D_FORTIFY_SOURCE=2)
# -fcf-protection exists on x86 only: probed once
CF_PROTECTION := $(shell $(CC) -fcf-protection -E -x c /dev/null >/dev/null 2>&1 && echo -fcf-protection)
HARDEN_CFLAGS := -fstack-protector-strong -fstack-clash-protection $(CF_PROTECTION) -fPIE
HARDEN_LDFLAGS := -pie -Wl,-z,relro -Wl,-z,now
CPPFLAGS_ALL = -std=gnu11 -D_GNU_SOURCE -DLXCOLLECTD_VERSION=\"$(VERSION)\" -I. \
	$(HARDEN_CPPFLAGS) $(CPPFLAGS)

# Recursive (=) on purpose: evaluated at recipe time, after `make deps`.
NL_CFLAGS = $(shell $(PKG_CONFIG) --cflags libnl-3.0 libnl-route-3.0)
NL_LIBS = $(shell $(PKG_CONFIG) --libs libnl-3.0 libnl-route-3.0)
# Debian's iniparser 4.1 ships no .pc file; use it when a distribution does.
INI_CFLAGS = $(shell $(PKG_CONFIG) --cflags iniparser 2>/dev/null || echo -I/usr/include/iniparser)
INI_LIBS = $(shell $(PKG_CONFIG) --libs iniparser 2>/dev/null || echo -liniparser)
EXTRA_LIBS = $(shell $(PKG_CONFIG) --libs libcurl zlib libsystemd libseccomp libmicrohttpd 2>/dev/null) -lpthread
MHD_CFLAGS = $(shell $(PKG_CONFIG) --cflags libmicrohttpd 2>/dev/null)
# `lxcollectd top`'s screen (collector/top_ui.c)
CURSES_LIBS = $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)

ifeq ($(SANITIZE),1)
VARIANT := san
# LXCOLLECTD_SANITIZE: the netns helper's seccomp filter also allows what
# the sanitizer runtime calls (netns/seccomp.c)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-DLXCOLLECTD_SANITIZE
else
VARIANT := std
SANFLAGS :=
endif
B := build/$(VARIANT)

LIB_SRC := $(wildcard util/*.c cgroupfs/*.c netns/*.c) $(filter-out collector/main.c,$(wildcard collector/*.c))
LIB_OBJ := $(patsubst %.c,$(B)/%.o,$(LIB_SRC))
MAIN_OBJ := $(B)/collector/main.o
# The test library: the same objects, except that the sources with test
# entry points (#ifdef LXCOLLECTD_TEST: raw helper requests, a request type
# the helper's seccomp filter does not cover, the libnl-route cache dump)
# are compiled again with them. Only test programs link it; the daemon
# has none of them.
TEST_HOOK_SRC := $(shell grep -l LXCOLLECTD_TEST $(LIB_SRC))
TEST_LIB_OBJ := $(filter-out $(patsubst %.c,$(B)/%.o,$(TEST_HOOK_SRC)),$(LIB_OBJ)) \
	$(patsubst %.c,$(B)/test/%.o,$(TEST_HOOK_SRC))
TEST_LIB := $(B)/liblxcollectd-test.a
UNIT_SRC := $(wildcard tests/unit/*_test.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(B)/tests/tools/%,$(TOOL_SRC))

ALL_CFLAGS = $(CPPFLAGS_ALL) $(NL_CFLAGS) $(INI_CFLAGS) $(MHD_CFLAGS) $(WARN) $(HARDEN_CFLAGS) $(CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LDFLAGS = $(HARDEN_LDFLAGS) $(LDFLAGS)
ALL_LIBS = $(NL_LIBS) $(INI_LIBS) $(EXTRA_LIBS) $(CURSES_LIBS) -lm $(LDLIBS)

.PHONY: all deps check check-unit install uninstall run bench fuzz clean tests deb vmcheck

all: lxcollectd

lxcollectd: $(B)/lxcollectd
	cp $< $@

$(B)/lxcollectd: $(MAIN_OBJ) $(B)/liblxcollectd.a
	$(CC) $(HARDEN_CFLAGS) $(CFLAGS) $(SANFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LIBS)

$(B)/liblxcollectd.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(TEST_LIB): $(TEST_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/test/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DLXCOLLECTD_TEST -c -o $@ $<

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# --sample-config prints etc/lxcollectd.ini, built into the binary as a C
# string, so that the two cannot differ
$(B)/gen/sample_config.inc: etc/lxcollectd.ini
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< >$@.tmp && mv $@.tmp $@
$(MAIN_OBJ): $(B)/gen/sample_config.inc
$(MAIN_OBJ): ALL_CFLAGS += -I$(B)/gen

$(B)/tests/%_test: tests/unit/%_test.c $(TEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DLXCOLLECTD_TEST $(ALL_LDFLAGS) -o $@ $< $(TEST_LIB) $(ALL_LIBS)

$(B)/tests/tools/%: tests/tools/%.c $(TEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DLXCOLLECTD_TEST $(ALL_LDFLAGS) -o $@ $< $(TEST_LIB) $(ALL_LIBS)

# The daemon linked with the test library: its helper also knows the
# test-only request its seccomp filter does not cover, which the collector
# sends when LXCOLLECTD_TEST_UNCOVERED=N asks (tests/integration/seccomp.sh).
$(B)/tests/lxcollectd-test: $(MAIN_OBJ) $(TEST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(HARDEN_CFLAGS) $(CFLAGS) $(SANFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LIBS)

tests: $(B)/lxcollectd $(UNIT_BIN) $(TOOL_BIN) $(B)/tests/lxcollectd-test

# Debian packages to build and to test (idempotent, non-interactive).
DEB_BUILD := gcc make pkg-config libnl-3-dev libnl-route-3-dev libiniparser-dev \
	libcurl4-openssl-dev zlib1g-dev libsystemd-dev libncurses-dev libseccomp-dev libmicrohttpd-dev
DEB_TEST := influxdb influxdb-client victoria-metrics prometheus openssl lxc lxd lxd-client busybox-static iproute2 jq curl strace \
	valgrind procps util-linux libcap2-bin systemd man-db python3 clang libclang-rt-14-dev tmux \
	devscripts binutils $(DEB_PACKAGE) $(DEB_VM)
# make deb, and the package's own tests
DEB_PACKAGE := debhelper dpkg-dev fakeroot lintian devscripts
# make vmcheck: the Debian 12 guest (README "Tested on")
DEB_VM := qemu-system-x86 mmdebstrap e2fsprogs xz-utils
# DEPS_PKGS: which packages `deps` makes sure of (make run needs fewer).
DEPS_PKGS = $(DEB_BUILD) $(DEB_TEST)
deps:
	@missing=$$(for p in $(DEPS_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "deps: all installed"; fi

# make check: deps, build, every test (unit and integration); last line
# "N passed, N failed, N skipped". SANITIZE=1 builds with ASan+UBSan.
# VM=0 leaves out the Debian 12 guest test (tests/integration/vmcheck.sh).
VM ?= 1
check:
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory deps; fi
	$(MAKE) --no-print-directory tests SANITIZE=$(SANITIZE)
	LXC_BUILD=$(B) LXC_VM=$(VM) tests/run.sh $(TESTS)

check-unit:
	$(MAKE) --no-print-directory tests SANITIZE=$(SANITIZE)
	LXC_BUILD=$(B) tests/run.sh unit

# make run: build, then run the daemon in the foreground; with the default
# configuration against a local InfluxDB that it starts when none answers.
run:
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory deps \
		DEPS_PKGS="$(DEB_BUILD) influxdb curl"; fi
	$(MAKE) --no-print-directory lxcollectd
	etc/run-local.sh

# make install [PREFIX=/usr] [DESTDIR=...]: the binary, the systemd unit
# (ExecStart pointed at $(SBINDIR)), the man pages and the example
# configuration, which never replaces an existing one: it goes next to it
# as lxcollectd.ini.dist instead. Installs the binary of the current
# variant (SANITIZE=1: the sanitizer build) as it is.
CONFDIR ?= $(SYSCONFDIR)/lxcollectd
install: $(B)/lxcollectd
	install -d -m 0755 $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(CONFDIR)
	install -m 0755 $(B)/lxcollectd $(DESTDIR)$(SBINDIR)/lxcollectd
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' etc/lxcollectd.service >$(DESTDIR)$(UNITDIR)/lxcollectd.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/lxcollectd.service.tmp
	mv -f $(DESTDIR)$(UNITDIR)/lxcollectd.service.tmp $(DESTDIR)$(UNITDIR)/lxcollectd.service
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' etc/man/lxcollectd.8 \
		>$(DESTDIR)$(MANDIR)/man8/lxcollectd.8
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' etc/man/lxcollectd.ini.5 \
		>$(DESTDIR)$(MANDIR)/man5/lxcollectd.ini.5
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/lxcollectd.8 $(DESTDIR)$(MANDIR)/man5/lxcollectd.ini.5
	@if [ -e $(DESTDIR)$(CONFDIR)/lxcollectd.ini ]; then \
		echo "install: keeping $(DESTDIR)$(CONFDIR)/lxcollectd.ini; the example went to lxcollectd.ini.dist"; \
		install -m 0644 etc/lxcollectd.ini $(DESTDIR)$(CONFDIR)/lxcollectd.ini.dist; \
	else \
		install -m 0644 etc/lxcollectd.ini $(DESTDIR)$(CONFDIR)/lxcollectd.ini; \
	fi

# Removes what install put, except the configuration (and the spool).
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/lxcollectd $(DESTDIR)$(UNITDIR)/lxcollectd.service \
		$(DESTDIR)$(MANDIR)/man8/lxcollectd.8 $(DESTDIR)$(MANDIR)/man5/lxcollectd.ini.5 \
		$(DESTDIR)$(CONFDIR)/lxcollectd.ini.dist

# make fuzz [FUZZ_SECONDS=N]: build every tests/fuzz/fuzz_*.c with clang's
# libFuzzer, ASan and UBSan (the library sources compiled again with clang,
# in build/fuzz) and run each N seconds on a copy of its seed corpus
# tests/fuzz/corpus/NAME/ in a temporary directory (nothing is written
# into the tree). One "PASS fuzz NAME (N execs)" or "FAIL fuzz NAME" line
# per target; fails on any crash, leak, sanitizer report or failed check.
# A failing input is kept in build/fuzz/artifacts/.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FB := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = $(CPPFLAGS_ALL) $(NL_CFLAGS) $(INI_CFLAGS) $(MHD_CFLAGS) $(WARN) -O1 -g $(FUZZ_SAN) -MMD -MP
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(FB)/%,$(FUZZ_SRC))
FUZZ_LIB_OBJ := $(patsubst %.c,$(FB)/%.o,$(LIB_SRC))

$(FB)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/liblxcollectd.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FB)/liblxcollectd.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FB)/liblxcollectd.a $(ALL_LIBS)

fuzz: $(FUZZ_BIN)
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/lxcollectd-fuzz.XXXXXX"); trap 'rm -rf "$$tmp"' EXIT; \
	mkdir -p $(FB)/artifacts; failed=0; \
	for f in $(FUZZ_BIN); do \
		n=$${f##*/}; d=$$tmp/$$n; mkdir -p "$$d/corpus" "$$d/tmp"; \
		cp tests/fuzz/corpus/$$n/* "$$d/corpus/" 2>/dev/null; \
		TMPDIR="$$d/tmp" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$$f" -max_total_time=$(FUZZ_SECONDS) -detect_leaks=1 -print_final_stats=1 \
			-timeout=10 -artifact_prefix="$(CURDIR)/$(FB)/artifacts/$$n-" \
			"$$d/corpus" >"$$d/log" 2>&1; rc=$$?; \
		execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' "$$d/log" | tail -n1); \
		if [ $$rc = 0 ] && [ -n "$$execs" ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$$d/log"; then \
			echo "PASS fuzz $$n ($$execs execs in $(FUZZ_SECONDS)s, corpus $$(ls "$$d/corpus" | wc -l))"; \
		else \
			echo "FAIL fuzz $$n (exit $$rc):"; tail -n 40 "$$d/log" | sed 's/^/    /'; failed=$$((failed + 1)); \
		fi; \
	done; \
	echo "fuzz: $$(( $(words $(FUZZ_BIN)) - failed )) passed, $$failed failed"; \
	[ $$failed = 0 ]

# make bench [N=1000]: N synthetic containers (tests/bench/fleet.sh), the
# daemon's CPU per container per cycle beside the bare-read floor and
# collectd 5.12 (tests/bench/bench.sh), then what a Prometheus scrape
# costs (tests/bench/scrape.sh; README "Performance"). Root. Not
# part of make check: timings are not assertions.
N ?= 1000
DEB_BENCH := collectd-core
bench:
	@missing=$$(for p in $(DEB_BENCH); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	$(MAKE) --no-print-directory tests SANITIZE=$(SANITIZE)
	LXC_BUILD=$(B) tests/bench/bench.sh $(N)
	LXC_BUILD=$(B) tests/bench/scrape.sh $(N)

# make deb: the Debian package build/lxcollectd_VERSION_ARCH.deb, built by
# dpkg-buildpackage (debhelper, debian/) in a copy of the tree under
# build/deb, so that the package's clean step never touches this tree's
# build/. Then lintian on it (its output in build/lintian.txt; an error fails).
DEB_ARCH = $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
DEB_FILE = build/lxcollectd_$(VERSION)_$(DEB_ARCH).deb
# rebuilt when a file of the tree that goes into it (tracked, or new and not
# ignored) changes
DEB_INPUTS = $(filter-out tests/vm/% tests/integration/% tests/bench/% tests/fuzz/%,\
	$(wildcard $(shell git ls-files -co --exclude-standard 2>/dev/null)))
deb:
	@$(MAKE) --no-print-directory $(DEB_FILE)
$(DEB_FILE): $(DEB_INPUTS)
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory deps \
		DEPS_PKGS="$(DEB_BUILD) $(DEB_PACKAGE)"; fi
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); [ "$$v" = "$(VERSION)" ] || \
		{ echo "deb: debian/changelog says $$v, the Makefile $(VERSION)"; exit 1; }
	rm -rf build/deb && mkdir -p build/deb/lxcollectd-$(VERSION) && touch build/deb/start
	git ls-files -co --exclude-standard -z | xargs -0 tar -cf - | tar -xf - -C build/deb/lxcollectd-$(VERSION)
	cd build/deb/lxcollectd-$(VERSION) && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	lintian --display-info --pedantic build/deb/lxcollectd_$(VERSION)_$(DEB_ARCH).changes \
		>build/lintian.txt 2>&1; cat build/lintian.txt; ! grep -q '^E: ' build/lintian.txt
	mv -f build/deb/lxcollectd_$(VERSION)_$(DEB_ARCH).deb $(DEB_FILE)
	@# dated when the copy was taken: a file changed since is newer
	touch -r build/deb/start $(DEB_FILE)
	@echo "deb: $(DEB_FILE)"

# make vmcheck: build the package, then boot a Debian 12 guest (systemd,
# pure cgroup v2, its own kernel) under qemu and test the installed package
# there (tests/vm/README); last line "N passed, N failed". The guest image
# is cached in VM_CACHE (outside build/, so `make clean` keeps it).
VM_CACHE ?= /var/cache/lxcollectd-vm
vmcheck: deb
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory deps DEPS_PKGS="$(DEB_VM)"; fi
	VM_CACHE=$(VM_CACHE) tests/vm/run.sh $(DEB_FILE)

clean:
	rm -rf build lxcollectd

-include $(shell find build -name '*.d' 2>/dev/null)
