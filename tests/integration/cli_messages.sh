#!/bin/sh
# What an operator reads on the first day, word for word, from the real
# binary over a fixture cgroup tree (no root, no real cgroups): no secret
# in any line, --interval refused as the file refuses it, the start and
# cycle lines, how many cgroups include/exclude left out, -h against the
# man page, JOURNAL_STREAM only for the stream it names, --print-config
# and --sample-config.
. "$(dirname "$0")/../lib/common.sh"
unset JOURNAL_STREAM

tmp=$(mktemp -d); t_defer "rm -rf '$tmp'"
fx=$TOP/tests/fixtures/cgroup/v2-lxd
[ -d "$fx" ] || { not_ok "fixture tree v2-lxd exists"; t_done; exit 1; }
# ini NAME URL [INFLUXDB-KEYS...]: $tmp/NAME.ini over the fixture tree,
# writing to URL, its spool in $tmp/NAME.spool; $INI_COLLECTOR is added
# to [collector]
ini() {
	_n=$1 _u=$2; shift 2
	{ printf '[collector]\ncgroup_root = %s\nproc_root = %s/proc\nhostname = h1\n' "$fx" "$fx"
	  printf 'metrics = cpu, memory\ntags = dc=fra1, role=lxd\n%s\n[influxdb]\nurl = %s\n' "${INI_COLLECTOR:-}" "$_u"
	  printf '%s\n' "$@"
	  printf '[spool]\ndir = %s/%s.spool\n' "$tmp" "$_n"; } >"$tmp/$_n.ini"
}
# port 9 on loopback: nothing answers (connection refused at once)
printf 'Pw-in-a-file-42\n' >"$tmp/pw"; chmod 600 "$tmp/pw"
ini c http://admin:URL-PASSWORD-7@127.0.0.1:9/ "username = admin" "password_file = $tmp/pw" "timeout = 1s"

# 2. no secret in any line: start line, delivery errors, -t, -v
"$LXCOLLECTD" -c "$tmp/c.ini" --once -v >"$tmp/out" 2>"$tmp/err"
check "a run to an absent server logged its start" grep -q 'started: ' "$tmp/err"
check "the start line shows the URL with its secrets as ***" \
	grep -q "started: configuration $tmp/c.ini, every 10 s, to http://admin:\*\*\*@127.0.0.1:9/ (InfluxDB API v1, database lxd, user admin)\$" "$tmp/err"
check "delivery failed and said so" grep -q -i 'unreachable\|refused\|connect' "$tmp/err"
check "no secret in any log line (URL password, password file)" \
	sh -c "! grep -E 'URL-PASSWORD-7|Pw-in-a-file-42' '$tmp/err' '$tmp/out'"
sed 's/^\(url = \).*/\1ftp:\/\/admin:URL-PASSWORD-7@host\//' "$tmp/c.ini" >"$tmp/badurl.ini"
"$LXCOLLECTD" -c "$tmp/badurl.ini" -t 2>"$tmp/err"; eq "-t: an ftp:// URL exits 78" "$?" 78
check "-t names the URL with its password as ***" grep -q 'influxdb.url: "ftp://admin:\*\*\*@host/" is not' "$tmp/err"
check "-t shows no secret" sh -c "! grep -q URL-PASSWORD-7 '$tmp/err'"
"$LXCOLLECTD" -c "$tmp/c.ini" --print-config >"$tmp/pc"; eq "--print-config exits 0" "$?" 0
check "--print-config: URL with its password as ***" grep -qx 'url = http://admin:\*\*\*@127.0.0.1:9/' "$tmp/pc"
check "--print-config: no secret" sh -c "! grep -E 'URL-PASSWORD-7|Pw-in-a-file-42' '$tmp/pc'"
check "--print-config: the effective tags" grep -qx 'tags = dc=fra1, role=lxd' "$tmp/pc"

# a server that quotes the request's headers, the token among them, back
# in its error: the log line naming that error does not show it
mkdir "$tmp/fake"
python3 "$TOP/tests/lib/fakehttp.py" "$tmp/fake" --fail 100 echo --lifetime 30 2>/dev/null &
fk=$!
t_defer "kill $fk"
i=0; while [ ! -s "$tmp/fake/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
printf 'Tok-in-a-file-43\n' >"$tmp/tok"; chmod 600 "$tmp/tok"
ini v2 "http://127.0.0.1:$(cat "$tmp/fake/port")" "api = v2" "org = o" "bucket = b" \
	"token_file = $tmp/tok" "gzip = false" "timeout = 2s"
"$LXCOLLECTD" -c "$tmp/v2.ini" --once >/dev/null 2>"$tmp/err"
check "the server's answer quoting the token was logged, the token as ***" grep -q 'Authorization: Token \*\*\*' "$tmp/err"
check "the token from token_file is in no log line" sh -c "! grep -q 'Tok-in-a-file-43' '$tmp/err'"
kill "$fk" 2>/dev/null

# 4. --interval: what the file refuses, refused the same way, exit 78
"$LXCOLLECTD" -c "$tmp/c.ini" --interval 999999999 --once --stdout >/dev/null 2>"$tmp/err"
eq "--interval 999999999 exits 78" "$?" 78
eq "--interval 999999999: the file's words" "$(cat "$tmp/err")" "lxcollectd: --interval: 999999999 is more than 24h"
"$LXCOLLECTD" -c "$tmp/c.ini" --interval 25h -t >/dev/null 2>&1; eq "--interval 25h with -t exits 78" "$?" 78
"$LXCOLLECTD" -c "$tmp/c.ini" --interval 1500ms -t 2>"$tmp/err" >/dev/null; eq "--interval 1500ms exits 78" "$?" 78
eq "--interval 1500ms: not whole seconds" "$(cat "$tmp/err")" "lxcollectd: --interval: 1500ms is not a whole number of seconds"
o=$("$LXCOLLECTD" -c "$tmp/c.ini" --interval 2m -t); eq "--interval 2m is accepted as in the file" "$o" "configuration OK"
"$LXCOLLECTD" -c "$tmp/c.ini" --interval 2m --print-config | grep -qx 'interval = 2m'
eq "--interval shows in --print-config" "$?" 0

# 10. the foreground cycle line under --stdout: a time, no spool
"$LXCOLLECTD" -c "$tmp/c.ini" --once --stdout >"$tmp/out" 2>"$tmp/err"; eq "--once --stdout exits 0" "$?" 0
line=$(grep ' info: cycle ' "$tmp/err")
n=$(grep -c '^container_\|^lxcollectd' "$tmp/out")
check "cycle line: '$line'" sh -c "printf '%s\n' \"\$1\" | grep -qE ' info: cycle [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z: 2 containers, $n points to standard output, [0-9]+ us\$'" _ "$line"
tick=$(printf '%s\n' "$line" | sed 's/.* cycle \([^ ]*Z\): .*/\1/')
eq "the tick shown is the points' timestamp" "$(date -u -d "$tick" +%s)000000000" "$(awk 'NR == 1 { print $NF }' "$tmp/out")"
check "no spool talk under --stdout" sh -c "! grep -q -i spool '$tmp/err'"
check "[collector] tags on every point" sh -c "! grep -v ',dc=fra1,role=lxd ' '$tmp/out' | grep -q ."

# 11. include/exclude: how many cgroups matched and how many were left out
# (proj_web an instance of LXD's project proj: its entry in lxd_path)
mkdir -p "$tmp/lxd/proj_web"
INI_COLLECTOR="include = lab*
lxd_path = $tmp/lxd" ini lab http://127.0.0.1:9/
"$LXCOLLECTD" -c "$tmp/lab.ini" --once --stdout -v >/dev/null 2>"$tmp/err"
check "cycle line: 0 containers, 2 of 2 left out by include/exclude" \
	grep -q ' info: cycle [^ ]*: 0 containers (2 of 2 found left out by include/exclude), 1 point to standard output' "$tmp/err"
check "-v: how many match the naming rules, which were left out" \
	grep -q ' debug: discovery: 2 cgroups match the container naming rules, 2 of them left out by include/exclude: c1, web$' "$tmp/err"

# 12. -h names every option of the man page, --config among them; each
# one it names is accepted
"$LXCOLLECTD" -h >"$tmp/h"
opts=$(sed -n 's/\\-/-/g; s/.*\(--[a-z][a-z-]*\).*/\1/p' "$TOP/etc/man/lxcollectd.8" | sort -u)
miss=""
for o in $opts; do grep -q -- "$o\b" "$tmp/h" || miss="$miss $o"; done
eq "-h names every option of lxcollectd(8)" "$miss" ""
check "-h names --config" grep -q -- '-c, --config FILE' "$tmp/h"
# (each followed by an unknown option, so that nothing runs: getopt stops
# at the unknown one, or an option taking a value takes it)
bad=""
for o in $(grep -o -- '--[a-z][a-z-]*' "$tmp/h" | sort -u); do
	timeout 10 "$LXCOLLECTD" "$o" --no-such-option -t 2>&1 </dev/null >/dev/null |
		grep -q "unrecognized option '$o'" && bad="$bad $o"
done
eq "every option -h names is one the program knows" "$bad" ""
printf '[spool]\nmax_size = 4095\n' >"$tmp/small.ini"
"$LXCOLLECTD" -c "$tmp/small.ini" -t 2>"$tmp/err"
min=$(sed -n 's/.*at least \([0-9]*\) bytes.*/\1/p' "$tmp/err")
eq "the program's max_size minimum" "$min" 4096
check "lxcollectd.ini(5) gives the same max_size minimum (4 KiB)" grep -q '^At least 4 KiB' "$TOP/etc/man/lxcollectd.ini.5"

# 14. JOURNAL_STREAM counts only for the stream it names
: >"$tmp/j"
js=$(stat -c '%d:%i' "$tmp/j")
JOURNAL_STREAM=$js "$LXCOLLECTD" -c "$tmp/c.ini" --count 3 --interval 1 --stdout >/dev/null 2>>"$tmp/j"
check "stderr is the journal's stream: lines carry a priority prefix" grep -q '^<6>lxcollectd .* started: ' "$tmp/j"
eq "under the journal: one cycle line at info level in 3 cycles" "$(grep -c '^<6>cycle ' "$tmp/j")" 1
: >"$tmp/j2"
JOURNAL_STREAM=$(stat -c '%d:%i' "$tmp/j2") "$LXCOLLECTD" -c "$tmp/c.ini" --count 3 --interval 1 --stdout -v >/dev/null 2>>"$tmp/j2"
eq "under the journal with -v: the other cycles at debug level" "$(grep -c '^<7>cycle ' "$tmp/j2")" 2
JOURNAL_STREAM=$js "$LXCOLLECTD" -c "$tmp/c.ini" --count 2 --interval 1 --stdout >/dev/null 2>"$tmp/f"
check "stderr sent to another file: no <N> prefix" sh -c "! grep -q '^<[0-9]>' '$tmp/f'"
eq "stderr sent to another file: a cycle line each cycle" "$(grep -c ' info: cycle ' "$tmp/f")" 2

# --sample-config is etc/lxcollectd.ini, names every key --print-config
# does, and is a valid configuration
"$LXCOLLECTD" --sample-config >"$tmp/sample"; eq "--sample-config exits 0" "$?" 0
check "--sample-config is etc/lxcollectd.ini" cmp -s "$tmp/sample" "$TOP/etc/lxcollectd.ini"
keys() { sed -n 's/^\([a-z_]*\) *=.*/\1/p' "$1" | sort; }
eq "--sample-config has every key --print-config has" "$(keys "$tmp/sample" | tr '\n' ' ')" "$(keys "$tmp/pc" | tr '\n' ' ')"
o=$("$LXCOLLECTD" -c "$tmp/sample" -t); eq "--sample-config passes -t" "$o" "configuration OK"
t_done
