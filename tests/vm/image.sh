#!/bin/sh
# tests/vm/image.sh CACHE DEB: make sure a Debian 12 guest image for the
# package DEB is in CACHE; print its directory (CACHE/KEY, holding
# disk.ext4, vmlinux, initrd.img, versions.txt).
#
# The root file system comes from mmdebstrap with this machine's own apt
# sources (the lists in /etc/apt), so the guest gets whatever mirror the host
# uses and nothing names one here. KEY is a hash of this script, the guest
# runner unit, the package list (including the runtime dependencies of DEB)
# and those apt sources: a change to any of them builds a new image, the old
# one is removed. Everything is written to CACHE/KEY.tmp first and renamed
# when complete, so an interrupted build never leaves a half image behind.
set -eu
cache=$1 deb=$2
here=$(cd "$(dirname "$0")" && pwd)

# systemd as PID 1, LXC and LXD, InfluxDB, and what the guest test uses
pkgs="systemd systemd-sysv udev dbus linux-image-amd64 initramfs-tools kmod
 lxc lxd lxd-client uidmap busybox-static iproute2 procps influxdb
 influxdb-client curl jq xz-utils rsync"
# the package's own runtime dependencies (no network in the guest: dpkg -i)
debdeps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep . | sort -u | tr '\n' ' ')
pkgs=$(echo $pkgs $debdeps | tr ' ' '\n' | sort -u | tr '\n' ' ')

sources() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && printf '# %s\n' "${f##*.}" && cat "$f"
	done
}
key=$({ cat "$0" "$here/lxcollectd-vmtest.service"; echo "$pkgs"; sources; } | sha256sum | cut -c1-16)
out=$cache/$key
if [ -f "$out/disk.ext4" ] && [ -f "$out/vmlinux" ] && [ -f "$out/initrd.img" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
# only one image at a time is worth keeping
for d in "$cache"/*; do [ -e "$d" ] && [ "$d" != "$out" ] && rm -rf "$d"; done
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp/rootfs"
trap 'rm -rf "$tmp"' EXIT
log=$tmp/build.log
echo "vm: building the guest image $key in $cache (a few minutes)" >&2

# mmdebstrap takes one sources list on stdin: the host's, both formats
{
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && cat "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && { cat "$f"; echo; }
	done
} >"$tmp/sources"
# deb822 and one-line entries cannot be mixed on stdin; keep the deb822 ones
# when there are any
if grep -q '^Types:' "$tmp/sources"; then
	for f in /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && { cat "$f"; echo; }; done >"$tmp/sources"
fi

inc=$(echo $pkgs | tr ' ' ',')
if ! mmdebstrap --variant=minbase --include="$inc" \
	--customize-hook='echo lxcvm >"$1/etc/hostname"' \
	--customize-hook='printf "/dev/vda / ext4 rw 0 1\n" >"$1/etc/fstab"' \
	--customize-hook='printf "root:100000:65536\n" >"$1/etc/subuid"; printf "root:100000:65536\n" >"$1/etc/subgid"' \
	--customize-hook='sed -i "s/^MODULES=.*/MODULES=list/" "$1/etc/initramfs-tools/initramfs.conf"' \
	--customize-hook='printf "virtio_pci\nvirtio_blk\next4\n" >>"$1/etc/initramfs-tools/modules"' \
	--customize-hook='chroot "$1" update-initramfs -u -k all' \
	--customize-hook="copy-in $here/lxcollectd-vmtest.service /etc/systemd/system" \
	--customize-hook='chroot "$1" systemctl enable lxcollectd-vmtest.service influxdb.service' \
	--customize-hook='chroot "$1" passwd -d root' \
	bookworm "$tmp/rootfs" - <"$tmp/sources" >"$log" 2>&1; then
	echo "vm: mmdebstrap failed:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi

# the uncompressed kernel: direct boot skips decompressing it under
# emulation. vmlinuz is a bzImage whose payload is xz (Debian's config).
vmlinuz=$(ls "$tmp"/rootfs/boot/vmlinuz-* | sort -V | tail -n1)
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n1 | cut -d: -f1)
[ -n "$off" ] || { echo "vm: no xz payload in $vmlinuz" >&2; exit 1; }
tail -c +"$((off + 1))" "$vmlinuz" | xz -dcq >"$tmp/vmlinux" 2>/dev/null || true
[ "$(head -c 4 "$tmp/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] ||
	{ echo "vm: could not extract vmlinux from $vmlinuz" >&2; exit 1; }
cp "$(ls "$tmp"/rootfs/boot/initrd.img-* | sort -V | tail -n1)" "$tmp/initrd.img"
{
	echo "kernel $(basename "$vmlinuz" | sed 's/^vmlinuz-//')"
	chroot "$tmp/rootfs" dpkg-query -W -f='${Package} ${Version}\n' systemd lxc lxd influxdb
} >"$tmp/versions.txt"

truncate -s 4G "$tmp/disk.ext4"
mkfs.ext4 -q -L root -d "$tmp/rootfs" "$tmp/disk.ext4" >>"$log" 2>&1 ||
	{ echo "vm: mkfs.ext4 failed:" >&2; tail -n 20 "$log" >&2; exit 1; }
rm -rf "$tmp/rootfs" "$tmp/sources"
trap - EXIT
mv "$tmp" "$out"
echo "$out"
