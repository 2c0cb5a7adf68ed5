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

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CPPFLAGS_ALL := -std=gnu11 -D_GNU_SOURCE -DLXC_VERSION=\"$(VERSION)\" -I.

# Recursive (=) on purpose: evaluated at recipe time, after `make deps`.
NL_CFLAGS = $(shell $(PKG_CONFIG) --cflags libnl-3.0 libnl-route-3.0)
NL_LIBS = $(shell $(PKG_CONFIG) --libs libnl-3.0 libnl-route-3.0)
# Debian's iniparser 4.1 ships no .pc file; use it when a distribution does.
INI_CFLAGS = $(shell $(PKG_CONFIG) --cflags iniparser 2>/dev/null || echo -I/usr/include/iniparser)
INI_LIBS = $(shell $(PKG_CONFIG) --libs iniparser 2>/dev/null || echo -liniparser)
EXTRA_LIBS = $(shell $(PKG_CONFIG) --libs libcurl zlib libsystemd 2>/dev/null)

ifeq ($(SANITIZE),1)
VARIANT := san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
VARIANT := std
SANFLAGS :=
endif
B := build/$(VARIANT)

LIB_SRC := $(wildcard cgroupfs/*.c netns/*.c) $(filter-out collector/main.c,$(wildcard collector/*.c))
LIB_OBJ := $(patsubst %.c,$(B)/%.o,$(LIB_SRC))
MAIN_OBJ := $(B)/collector/main.o
UNIT_SRC := $(wildcard tests/unit/*_test.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(B)/tests/tools/%,$(TOOL_SRC))

ALL_CFLAGS = $(CPPFLAGS_ALL) $(NL_CFLAGS) $(INI_CFLAGS) $(WARN) $(CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LIBS = $(NL_LIBS) $(INI_LIBS) $(EXTRA_LIBS) $(LDLIBS)

.PHONY: all deps check check-unit install uninstall run bench fuzz clean tests

all: lxcollectd

lxcollectd: $(B)/lxcollectd
	cp $< $@

$(B)/lxcollectd: $(MAIN_OBJ) $(B)/liblxc.a
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

$(B)/liblxc.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%_test: tests/unit/%_test.c $(B)/liblxc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/liblxc.a $(ALL_LIBS)

$(B)/tests/tools/%: tests/tools/%.c $(B)/liblxc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/liblxc.a $(ALL_LIBS)

tests: $(B)/lxcollectd $(UNIT_BIN) $(TOOL_BIN)

# Debian packages to build and to test (idempotent, non-interactive).
DEB_BUILD := gcc make pkg-config libnl-3-dev libnl-route-3-dev libiniparser-dev \
	libcurl4-openssl-dev zlib1g-dev libsystemd-dev
DEB_TEST := influxdb influxdb-client victoria-metrics lxc busybox-static iproute2 jq curl strace \
	valgrind procps util-linux libcap2-bin systemd man-db
deps:
	@missing=$$(for p in $(DEB_BUILD) $(DEB_TEST); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "deps: all installed"; fi

# make check: deps, build, every test (unit and integration); last line
# "N passed, N failed, N skipped". SANITIZE=1 builds with ASan+UBSan.
check:
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory deps; fi
	$(MAKE) --no-print-directory tests SANITIZE=$(SANITIZE)
	LXC_BUILD=$(B) tests/run.sh $(TESTS)

check-unit:
	$(MAKE) --no-print-directory tests SANITIZE=$(SANITIZE)
	LXC_BUILD=$(B) tests/run.sh unit

# make run: build, then run the daemon in the foreground; with the default
# configuration against a local InfluxDB that it starts when none answers.
run:
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory deps; fi
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

clean:
	rm -rf build lxcollectd

-include $(shell find build -name '*.d' 2>/dev/null)
