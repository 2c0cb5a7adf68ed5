#!/bin/sh
# make install / uninstall: every file in its place with its mode, the unit
# pointing at the installed binary, the installed binary accepting the
# installed configuration, a second install keeping a modified
# configuration, `systemd-analyze verify` clean and `systemd-analyze
# security` exposure <= 2.5, and uninstall leaving only the configuration.
. "$(dirname "$0")/../lib/common.sh"
need_cmd make systemd-analyze man

# install the binary this run tests, never a rebuild of another variant
san=0; case $LXC_BUILD in *san*) san=1 ;; esac
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
mk() { make --no-print-directory -C "$TOP" -o "$LXC_BUILD/lxcollectd" SANITIZE=$san "$@" >>"$tmp/make.log" 2>&1; }

# 1. PREFIX=/usr into a DESTDIR
d=$tmp/dest
check "make install DESTDIR PREFIX=/usr" mk install DESTDIR="$d" PREFIX=/usr
mode() { stat -c %a "$1" 2>/dev/null; }
eq "binary mode" "$(mode "$d/usr/sbin/lxcollectd")" 755
check "binary is the tested build" cmp -s "$d/usr/sbin/lxcollectd" "$LXCOLLECTD"
eq "unit mode" "$(mode "$d/usr/lib/systemd/system/lxcollectd.service")" 644
eq "man page 8 mode" "$(mode "$d/usr/share/man/man8/lxcollectd.8")" 644
eq "man page 5 mode" "$(mode "$d/usr/share/man/man5/lxcollectd.ini.5")" 644
eq "config mode" "$(mode "$d/etc/lxcollectd/lxcollectd.ini")" 644
eq "config is the example" "$(cmp -s "$d/etc/lxcollectd/lxcollectd.ini" "$TOP/etc/lxcollectd.ini" && echo same)" same
eq "ExecStart is the installed path" \
	"$(grep '^ExecStart=' "$d/usr/lib/systemd/system/lxcollectd.service")" "ExecStart=/usr/sbin/lxcollectd"
eq "no @...@ left in installed files" \
	"$(grep -l '@[A-Z]*@' "$d/usr/lib/systemd/system/lxcollectd.service" "$d/usr/share/man/man8/lxcollectd.8" "$d/usr/share/man/man5/lxcollectd.ini.5" | wc -l)" 0
eq "nothing else installed" "$(cd "$d" && find . -type f | sort | tr '\n' ' ')" \
	"./etc/lxcollectd/lxcollectd.ini ./usr/lib/systemd/system/lxcollectd.service ./usr/sbin/lxcollectd ./usr/share/man/man5/lxcollectd.ini.5 ./usr/share/man/man8/lxcollectd.8 "
out=$("$d/usr/sbin/lxcollectd" -t -c "$d/etc/lxcollectd/lxcollectd.ini" 2>&1)
eq "installed binary accepts the installed configuration" "$out" "configuration OK"
for p in lxcollectd.8 lxcollectd.ini.5; do
	w=$(LC_ALL=C groff -man -ww -z "$d/usr/share/man/man${p##*.}/$p" 2>&1)
	eq "$p formats without warnings" "$w" ""
done
# every configuration key of the example is in the man page
keys=$(sed -n 's/^\([a-z_]*\) *=.*/\1/p' "$TOP/etc/lxcollectd.ini" | sort -u)
miss=""
for k in $keys; do grep -q "^\.BR* $k\b" "$d/usr/share/man/man5/lxcollectd.ini.5" || miss="$miss $k"; done
eq "every configuration key documented in lxcollectd.ini(5)" "$miss" ""
miss=""
txt=$(MANWIDTH=200 man -l "$d/usr/share/man/man8/lxcollectd.8" 2>/dev/null | col -b)
for o in -c --once --count --interval --stdout -t --test-config -v --verbose --version -h --help; do
	printf '%s\n' "$txt" | grep -qE -- "(^|[ ,])$o([ ,]|\$)" || miss="$miss $o"
done
eq "every option documented in lxcollectd(8)" "$miss" ""

# 2. a second install keeps a modified configuration
sed -i 's/^interval = 10s/interval = 30s/' "$d/etc/lxcollectd/lxcollectd.ini"
check "second install" mk install DESTDIR="$d" PREFIX=/usr
eq "modified configuration kept" "$(grep -c '^interval = 30s' "$d/etc/lxcollectd/lxcollectd.ini")" 1
check "example next to it as lxcollectd.ini.dist" cmp -s "$d/etc/lxcollectd/lxcollectd.ini.dist" "$TOP/etc/lxcollectd.ini"

# 3. the unit: security exposure of the installed file
sec=$(systemd-analyze security --offline=true --root="$d" lxcollectd.service 2>&1)
lvl=$(printf '%s\n' "$sec" | sed -n 's/.*Overall exposure level for lxcollectd.service: \([0-9.]*\).*/\1/p')
diag "systemd-analyze security: exposure $lvl"
check "exposure $lvl <= 2.5" awk -v l="$lvl" 'BEGIN { exit !(l != "" && l <= 2.5) }'
check "systemd-analyze security --threshold=25 agrees" \
	sh -c "systemd-analyze security --offline=true --root='$d' --threshold=25 lxcollectd.service >/dev/null 2>&1"
for k in CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH; do
	eq "$k on a CapabilityBoundingSet= line of its own" \
		"$(grep -c "^CapabilityBoundingSet=$k\$" "$d/usr/lib/systemd/system/lxcollectd.service")" 1
done
eq "no other capability in the unit" \
	"$(grep -E '^(CapabilityBoundingSet|AmbientCapabilities)=' "$d/usr/lib/systemd/system/lxcollectd.service" | grep -vcE '=CAP_(SYS_ADMIN|SYS_PTRACE|DAC_READ_SEARCH)$')" 0

# 4. uninstall leaves the configuration only
check "make uninstall" mk uninstall DESTDIR="$d" PREFIX=/usr
eq "only the configuration is left" "$(cd "$d" && find . -type f | sort | tr '\n' ' ')" "./etc/lxcollectd/lxcollectd.ini "

# 5. a real (non-DESTDIR) install under a private prefix, so that
# `systemd-analyze verify` sees the binary ExecStart names and `man` the
# pages Documentation= names
p=$tmp/prefix
check "make install PREFIX=private SYSCONFDIR=private" mk install PREFIX="$p" SYSCONFDIR="$p/etc"
eq "unit in PREFIX/lib/systemd/system, ExecStart PREFIX/sbin" \
	"$(grep '^ExecStart=' "$p/lib/systemd/system/lxcollectd.service")" "ExecStart=$p/sbin/lxcollectd"
v=$(MANPATH="$p/share/man" systemd-analyze verify "$p/lib/systemd/system/lxcollectd.service" 2>&1)
rc=$?
[ -n "$v" ] && printf '%s\n' "$v" | sed 's/^/#   /'
eq "systemd-analyze verify exits 0" "$rc" 0
eq "systemd-analyze verify says nothing" "$v" ""
check "make uninstall (prefix)" mk uninstall PREFIX="$p" SYSCONFDIR="$p/etc"
eq "only the configuration is left (prefix)" "$(cd "$p" && find . -type f | sort | tr '\n' ' ')" "./etc/lxcollectd/lxcollectd.ini "
[ "$T_FAILED" = 0 ] || sed 's/^/# make: /' "$tmp/make.log" | tail -20
t_done
