#!/bin/sh
# tests/vm/run.sh DEB: boot a Debian 12 guest (systemd, pure cgroup v2, its
# own 6.1 kernel) under qemu, install the package DEB there and run
# tests/vm/guest.sh inside it. Prints the guest's "ok N - ..." lines, on a
# failure the unit's journal, the kernel log and the console; last line
# "N passed, N failed". Exit 0 when all passed, 77 when qemu cannot run
# here (never under CI=true), 1 otherwise.
#
# The image is built once per set of inputs (tests/vm/image.sh) into
# VM_CACHE (default /var/cache/lxcollectd-vm) and booted with snapshot=on:
# nothing a run does is written back. Emulated (TCG): /dev/kvm may exist
# without being usable, and a stock kernel under a paravirtual one is far
# slower than plain emulation.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
deb=$1
cache=${VM_CACHE:-/var/cache/lxcollectd-vm}
# the guest test must finish well within this (it takes 3 to 5 minutes)
limit=${VM_TIMEOUT:-900}

skip() {
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - vmcheck cannot run under CI: $*"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "# skip $*"
	exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (mmdebstrap, 9p passthrough)"
for c in qemu-system-x86_64 mmdebstrap mkfs.ext4 xz promtool; do
	command -v "$c" >/dev/null 2>&1 || skip "needs $c (make deps)"
done
[ -f "$deb" ] || { echo "not ok 1 - package $deb missing (make deb)"; echo "0 passed, 1 failed"; exit 1; }

start=$(date +%s)
img=$("$here/image.sh" "$cache" "$deb") || {
	echo "not ok 1 - guest image built"; echo "0 passed, 1 failed"; exit 1; }
echo "# guest image $img ($(( $(date +%s) - start )) s)"

io=$(mktemp -d "${TMPDIR:-/tmp}/lxcollectd-vm.XXXXXX")
trap 'rm -rf "$io"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$io/lib"
cp "$deb" "$io/lxcollectd.deb"
cp "$here/guest.sh" "$io/guest.sh"
cp "$top/tests/lib/common.sh" "$top/tests/lib/daemon.sh" "$top/tests/lib/lxdcmp.sh" "$io/lib/"
# promtool (from the prometheus package, make deps) is lent to the guest
# rather than installed in its image: it needs only the C library
cp "$(command -v promtool)" "$io/promtool"

boot=$(date +%s)
timeout --foreground -k 10 "$limit" qemu-system-x86_64 \
	-accel tcg,thread=multi -cpu max -m 2048 -smp 2 \
	-nographic -no-reboot -nic none \
	-kernel "$img/vmlinux" -initrd "$img/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 quiet" \
	-drive "file=$img/disk.ext4,if=virtio,format=raw,snapshot=on" \
	-virtfs "local,path=$io,mount_tag=io,security_model=passthrough,id=io" \
	</dev/null >"$io/console.log" 2>&1
qrc=$?
echo "# guest ran $(( $(date +%s) - boot )) s (qemu exit $qrc)"

[ -f "$io/facts.txt" ] && sed 's/^/# guest /' "$io/facts.txt"
grep -E '^(ok|not ok) |^# ' "$io/guest.log" 2>/dev/null | grep -v '^# guest '
passed=$(grep -c '^ok ' "$io/guest.log" 2>/dev/null)
failed=$(grep -c '^not ok ' "$io/guest.log" 2>/dev/null)
rc=$(cat "$io/guest.rc" 2>/dev/null)
if [ -z "$rc" ]; then
	failed=$((failed + 1))
	if [ "$qrc" = 124 ]; then
		echo "not ok - the guest test did not finish within $limit s"
	else
		echo "not ok - the guest test did not finish (qemu exit $qrc)"
	fi
elif [ "$rc" != 0 ] && [ "${failed:-0}" = 0 ]; then
	failed=1
	echo "not ok - guest.sh exit $rc without a failing check"
fi
if [ "${failed:-0}" != 0 ]; then
	if [ -f "$io/journal.txt" ]; then
		echo "# --- journal and kernel log of the guest"
		sed 's/^/#   /' "$io/journal.txt"
	fi
	echo "# --- guest.sh output (last 40 lines)"
	tail -n 40 "$io/guest.log" 2>/dev/null | sed 's/^/#   /'
	echo "# --- console (last 40 lines)"
	tail -n 40 "$io/console.log" | sed 's/^/#   /'
fi
echo "# vmcheck took $(( $(date +%s) - start )) s"
echo "${passed:-0} passed, ${failed:-0} failed"
[ "${failed:-0}" = 0 ]
