#!/bin/sh
# The daemon is built as Debian builds its daemons: position independent,
# full RELRO with immediate binding, stack protector, fortified libc calls.
# Checked twice: with hardening-check (devscripts) and with readelf alone.
# Needs no root.
. "$(dirname "$0")/../lib/common.sh"
need_cmd hardening-check readelf

bin=$LXCOLLECTD
[ -x "$bin" ] || { not_ok "daemon binary $bin"; t_done; exit 1; }

# Control flow integrity (CET) is left out: Debian 12's own C runtime
# objects are not marked for it, so no binary linked on it can be.
out=$(hardening-check --nocfprotection "$bin" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
eq "hardening-check passes" "$rc" 0
for k in "Position Independent Executable" "Stack protected" "Fortify Source functions" \
	"Read-only relocations" "Immediate binding"; do
	check "hardening-check: $k: yes" sh -c "printf '%s\n' \"\$1\" | grep -q \"^ $k: yes\"" _ "$out"
done

hdr=$(readelf -h "$bin")
dyn=$(readelf -d "$bin")
seg=$(readelf -lW "$bin")
syms=$(readelf --dyn-syms -W "$bin")
check "readelf: ELF type DYN (PIE)" sh -c "printf '%s\n' \"\$1\" | grep -q 'Type: *DYN'" _ "$hdr"
check "readelf: FLAGS_1 has PIE" sh -c "printf '%s\n' \"\$1\" | grep -q 'FLAGS_1.*PIE'" _ "$dyn"
check "readelf: BIND_NOW" sh -c "printf '%s\n' \"\$1\" | grep -Eq 'BIND_NOW|FLAGS_1.* NOW'" _ "$dyn"
check "readelf: a GNU_RELRO segment" sh -c "printf '%s\n' \"\$1\" | grep -q GNU_RELRO" _ "$seg"
check "readelf: __stack_chk_fail imported" sh -c "printf '%s\n' \"\$1\" | grep -q ' __stack_chk_fail'" _ "$syms"
nchk=$(printf '%s\n' "$syms" | grep -Ec ' __[a-z_]+_chk(@|$)')
check "readelf: fortified functions imported ($nchk *_chk)" [ "$nchk" -ge 3 ]

# the compile line: the project's warnings and -Werror by default; a
# packager's `make WERROR=` drops -Werror; dpkg-buildflags' variables
# from the environment reach the compiler and the linker
# (MAKEFLAGS of `make check SANITIZE=1` would pick the san build)
cc_line() {
	(cd "$TOP" && env -u MAKEFLAGS -u MAKELEVEL "$@" \
		make -n -B SANITIZE= build/std/collector/log.o build/std/lxcollectd 2>/dev/null)
}
line=$(cc_line X=1)
for w in -Werror -Wmissing-prototypes -Wstrict-prototypes -Wvla -fstack-protector-strong \
	-D_FORTIFY_SOURCE=2 -fPIE -pie -Wl,-z,relro -Wl,-z,now; do
	check "default build uses $w" sh -c "printf '%s\n' \"\$1\" | grep -q -e ' $w '" _ "$line"
done
line=$(cc_line WERROR=)
check "make WERROR= drops -Werror" sh -c "! printf '%s\n' \"\$1\" | grep -q -e -Werror" _ "$line"
line=$(cc_line CPPFLAGS="-Wdate-time -D_FORTIFY_SOURCE=3" CFLAGS="-O2 -ffile-prefix-map=/x=." LDFLAGS="-Wl,-z,defs")
check "environment CPPFLAGS honoured" sh -c "printf '%s\n' \"\$1\" | grep -q -e '-Wdate-time -D_FORTIFY_SOURCE=3'" _ "$line"
check "a packager's _FORTIFY_SOURCE replaces ours" sh -c "! printf '%s\n' \"\$1\" | grep -q -e '-D_FORTIFY_SOURCE=2'" _ "$line"
check "environment CFLAGS honoured" sh -c "printf '%s\n' \"\$1\" | grep -q -e '-ffile-prefix-map=/x=.'" _ "$line"
check "environment LDFLAGS honoured" sh -c "printf '%s\n' \"\$1\" | grep -q -e '-Wl,-z,defs'" _ "$line"
t_done
