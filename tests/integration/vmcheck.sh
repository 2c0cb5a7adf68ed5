#!/bin/sh
# make vmcheck as part of make check: the package built from this tree,
# installed and run under systemd in a Debian 12 guest (tests/vm/run.sh
# says what it checks). Skipped (77) only where qemu cannot run, never
# under CI=true. The guest runs the package's own build (dpkg-buildflags,
# no sanitizer), so `make check VM=0` leaves this test out; .ci/run does
# that in its SANITIZE=1 pass, which would test the same binary again.
. "$(dirname "$0")/../lib/common.sh"
need_root
need_cmd make dpkg-buildpackage qemu-system-x86_64 mmdebstrap promtool
log=$(mktemp); t_defer "rm -f '$log'"
if ! make --no-print-directory -C "$TOP" deb >"$log" 2>&1; then
	not_ok "make deb"; tail -n 30 "$log" | sed 's/^/#   /'; t_done; exit 1
fi
deb=$(sed -n 's/^deb: //p' "$log" | tail -n1)
[ -n "$deb" ] || deb=$(ls "$TOP"/build/lxcollectd_*.deb | tail -n1)
case $deb in /*) ;; *) deb=$TOP/$deb ;; esac
VM_CACHE=${VM_CACHE:-/var/cache/lxcollectd-vm} "$TOP/tests/vm/run.sh" "$deb"
