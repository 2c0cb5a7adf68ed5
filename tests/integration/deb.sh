#!/bin/sh
# The Debian package on this host: make deb builds it with lintian clean
# (no error, no warning), dpkg -i puts every file in place with the
# configuration as a conffile and the unit enabled, the installed binary
# accepts the installed configuration, a reinstall keeps a changed
# configuration, remove keeps only the configuration, purge leaves nothing
# (and removes the spool), and no lxcollectd process is left at any point.
# The daemon itself is not started here (no systemd as PID 1 on a build
# host, so the maintainer scripts do not start it); tests/vm runs the
# package under systemd.
. "$(dirname "$0")/../lib/common.sh"
need_root
need_cmd dpkg dpkg-buildpackage lintian make git
if dpkg-query -W -f='${Status}' lxcollectd 2>/dev/null | grep -q 'installed\|config-files' ||
	[ -e /etc/lxcollectd ] || [ -e /usr/sbin/lxcollectd ]; then
	not_ok "this host has lxcollectd installed already (dpkg -l lxcollectd, /etc/lxcollectd, /usr/sbin/lxcollectd): the test would replace it"
	t_done; exit 1
fi
tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
# whatever happens, the host ends without the package
t_defer "dpkg --purge lxcollectd"

check "make deb" sh -c "make --no-print-directory -C '$TOP' deb >'$tmp/make.log' 2>&1" ||
	tail -n 30 "$tmp/make.log" | sed 's/^/#   /'
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
ver=$(sed -n 's/^VERSION := //p' "$TOP/Makefile")
deb=$TOP/build/lxcollectd_${ver}_$arch.deb
check "build/lxcollectd_${ver}_$arch.deb exists" test -f "$deb"
lint=$(grep -E '^[EW]: ' "$TOP/build/lintian.txt")
eq "lintian: no error, no warning" "$(printf '%s' "$lint" | grep -c .)" 0
[ -n "$lint" ] && printf '%s\n' "$lint" | sed 's/^/#   /'
eq "package version is the Makefile's" "$(dpkg-deb -f "$deb" Version)" "$ver"
deps=$(dpkg-deb -f "$deb" Depends)
for l in libnl-3-200 libnl-route-3-200 libiniparser1 libcurl4 zlib1g libc6; do
	check "Depends has $l (from \${shlibs:Depends})" sh -c "echo '$deps' | grep -q '\\b$l\\b'"
done
eq "conffiles" "$(dpkg-deb -I "$deb" conffiles)" /etc/lxcollectd/lxcollectd.ini
want="./etc/lxcollectd/lxcollectd.ini ./lib/systemd/system/lxcollectd.service ./usr/sbin/lxcollectd \
./usr/share/doc/lxcollectd/README.md.gz ./usr/share/doc/lxcollectd/changelog.gz ./usr/share/doc/lxcollectd/copyright \
./usr/share/lintian/overrides/lxcollectd ./usr/share/lxcollectd/grafana/lxcollectd.json ./usr/share/man/man5/lxcollectd.ini.5.gz \
./usr/share/man/man8/lxcollectd.8.gz"
eq "files in the package" "$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sort | tr '\n' ' ' | sed 's/ $//')" "$want"
check "the dashboard is the tree's" sh -c "dpkg-deb --fsys-tarfile '$deb' | tar -xOf - ./usr/share/lxcollectd/grafana/lxcollectd.json | cmp -s - '$TOP/etc/grafana/lxcollectd.json'"

# install
check "dpkg -i" sh -c "dpkg -i '$deb' >'$tmp/dpkg.log' 2>&1" || sed 's/^/#   /' "$tmp/dpkg.log"
eq "dpkg state" "$(dpkg-query -W -f='${Status}' lxcollectd)" "install ok installed"
eq "ExecStart" "$(grep '^ExecStart=' /lib/systemd/system/lxcollectd.service)" "ExecStart=/usr/sbin/lxcollectd"
check "unit enabled (multi-user.target.wants)" test -L /etc/systemd/system/multi-user.target.wants/lxcollectd.service
eq "installed binary accepts the installed configuration" "$(/usr/sbin/lxcollectd -t 2>&1)" "configuration OK"
eq "installed binary's version" "$(/usr/sbin/lxcollectd --version 2>&1 | grep -o "$ver" | head -n1)" "$ver"
check "man lxcollectd" sh -c "man -w lxcollectd >/dev/null 2>&1 && man -w lxcollectd.ini >/dev/null 2>&1"
eq "no lxcollectd process (no systemd here: nothing started)" "$(pgrep -c -x lxcollectd)" 0

# reinstall keeps a changed configuration
sed -i 's/^interval = 10s/interval = 30s/' /etc/lxcollectd/lxcollectd.ini
check "dpkg -i again" sh -c "dpkg -i --force-confold '$deb' >'$tmp/dpkg2.log' 2>&1" || sed 's/^/#   /' "$tmp/dpkg2.log"
eq "changed configuration kept" "$(grep -c '^interval = 30s' /etc/lxcollectd/lxcollectd.ini)" 1

# remove: only the configuration stays; purge: nothing, the spool too
mkdir -p /var/lib/private/lxcollectd/spool && echo x >/var/lib/private/lxcollectd/spool/batch
ln -sfn private/lxcollectd /var/lib/lxcollectd
check "dpkg -r" sh -c "dpkg -r lxcollectd >'$tmp/r.log' 2>&1" || sed 's/^/#   /' "$tmp/r.log"
eq "after remove: the configuration is left" "$(find /etc/lxcollectd -type f)" /etc/lxcollectd/lxcollectd.ini
left=""
for f in /usr/sbin/lxcollectd /lib/systemd/system/lxcollectd.service /usr/share/lxcollectd; do
	[ -e "$f" ] && left="$left $f"
done
eq "after remove: program, unit and data gone" "${left:-nothing}" nothing
check "dpkg --purge" sh -c "dpkg --purge lxcollectd >'$tmp/p.log' 2>&1" || sed 's/^/#   /' "$tmp/p.log"
left=""
for f in /etc/lxcollectd /var/lib/lxcollectd /var/lib/private/lxcollectd \
	/etc/systemd/system/multi-user.target.wants/lxcollectd.service /usr/share/doc/lxcollectd; do
	{ [ -e "$f" ] || [ -L "$f" ]; } && left="$left $f"
done
eq "after purge: nothing left" "${left:-nothing}" nothing
st=$(dpkg-query -W -f='${Status}' lxcollectd 2>/dev/null)
eq "dpkg: not installed, no configuration files" "${st:-unknown}" "$(case $st in ''|*not-installed) echo "${st:-unknown}" ;; *) echo 'not-installed' ;; esac)"
eq "no lxcollectd process" "$(pgrep -c -x lxcollectd)" 0
t_done
